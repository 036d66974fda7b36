"""Redaction: a secret is masked where it stands as a whole token (any length) or anywhere (long ones),
structured data is redacted value by value, and a one-character token leaves every artifact valid."""

from __future__ import annotations

import base64
import html
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from conformance.catalogue import BY_ID, REQUIREMENTS
from conformance.config import refused_tokens
from conformance.redaction import ANYWHERE_FROM, MASK, PIECE_FROM, TOKEN_CHARACTERS, Redactor, piece_length
from conformance.server import BackgroundServer, ReferenceServer

from .conftest import _outcomes, verdict_validator
from .test_certification import PRODUCT, cli
from .test_gallery import EchoesCredentials

WHOLE_T = re.compile(f"(?<![{TOKEN_CHARACTERS}])T(?![{TOKEN_CHARACTERS}])")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Authorization: Bearer T", f"Authorization: Bearer {MASK}"),
        ('{"debug": "T"}', f'{{"debug": "{MASK}"}}'),
        ("x-echo: T", f"x-echo: {MASK}"),
        ("T", MASK),
        ("T=1&u=T", f"{MASK}=1&u={MASK}"),
        ("POST /beta/applications", "POST /beta/applications"),
        ("SYNC-ODATA-TYPE", "SYNC-ODATA-TYPE"),
        ("2026-11-25T14:10:23Z", "2026-11-25T14:10:23Z"),
        ("a~T, T+b, /T, T.", "a~T, T+b, /T, T."),
    ],
)
def test_a_short_token_is_masked_only_where_it_stands_whole(text: str, shown: str) -> None:
    assert Redactor(["T"]).text(text) == shown


def test_a_long_secret_is_masked_inside_longer_runs_too() -> None:
    token = "x" * (ANYWHERE_FROM - 1) + "Z"
    redactor = Redactor([token])
    assert redactor.text(f"Location: /cb?t=Bearer%20{token}&x=1") == f"Location: /cb?t=Bearer%20{MASK}&x=1"
    assert redactor.text(f"tok_{token}_end") == f"tok_{MASK}_end"
    assert Redactor([token[1:]]).text(token) == token  # one character short: a whole token only


@pytest.mark.parametrize("token", ['"', "id", "true", "null", "{", "}", ",", "\\", "[", "]", "T", "Z", "-", "0", "a", "POST", "text"])
def test_an_evidence_record_keeps_the_suite_s_words_whatever_the_token(token: str) -> None:
    """An exchange's record redacts the values that came from it, never its keys, the method or the
    status: a token that is JSON syntax, a key, a literal or a method masks only what a server said."""
    from conformance.evidence import record
    from conformance.exchange import Exchange, Request, Response

    echoed = f'Bearer {token} said "{token}"'
    exchange = Exchange(
        Request("POST", "http://127.0.0.1:8000/beta/applications/x/synchronization", (("Authorization", f"Bearer {token}"),), b"{}"),
        Response(200, "OK", (("X-Echo", echoed),), echoed.encode()),
    )
    shown = json.loads(json.dumps(record(exchange, Redactor([token])), ensure_ascii=False))
    assert shown["request"]["method"] == "POST" and shown["response"]["status"] == 200
    assert set(shown) == {"request", "response", "elapsed_seconds"}
    assert set(shown["response"]) == {"status", "reason", "headers", "incomplete", "body"}
    assert shown["request"]["headers"] == [["Authorization", MASK]]
    assert shown["response"]["headers"][0][1].count(MASK) >= 1 and shown["response"]["body"]["text"].count(MASK) >= 1


def test_credential_headers_stay_masked_by_name() -> None:
    redactor = Redactor(["T"])
    headers = (("Authorization", "Basic abc"), ("Cookie", "s=1"), ("X-Echo", "Bearer T"), ("Accept", "*/*"))
    assert redactor.headers(headers) == (("Authorization", MASK), ("Cookie", MASK), ("X-Echo", f"Bearer {MASK}"), ("Accept", "*/*"))


def test_a_body_is_masked_before_it_is_cut() -> None:
    """A secret straddling the evidence record's body limit leaves no half of itself behind."""
    from conformance.evidence import record
    from conformance.exchange import Exchange, Request

    token = "canary-" + "7" * 24
    body = b"x" * 100 + token.encode()
    shown = record(Exchange(Request("POST", "http://h/beta", (), body)), Redactor([token]), body_limit=110)
    assert shown["request"]["body"] == {"text": "x" * 100 + MASK, "bytes": len(body), "truncated": True}


def test_a_token_renewed_while_another_thread_masks_waits_for_it_and_is_masked(monkeypatch) -> None:
    """A burst's threads mask evidence while one of them renews the token (client credentials near
    expiry). The renewal arrives here exactly while another thread compiles the held secrets: it
    waits for that compile (the held set never changes under it) and is masked from then on."""
    import threading

    from conformance import redaction

    redactor = Redactor(["first-secret-of-the-run", "second-secret-of-the-run"])
    renewed = "renewed-token-" + "k" * 24
    compiling = redaction._alternatives
    renewal: list[threading.Thread] = []

    def alternatives_with_a_renewal_meanwhile(secret: str) -> list[str]:
        if not renewal:
            renewal.append(threading.Thread(target=redactor.add_token, args=(renewed,)))
            renewal[0].start()
            renewal[0].join(timeout=0.3)  # the renewing thread runs, or waits on the compile
        return compiling(secret)

    monkeypatch.setattr(redaction, "_alternatives", alternatives_with_a_renewal_meanwhile)
    assert redactor.text("first-secret-of-the-run") == MASK
    renewal[0].join()
    assert redactor.tokens == [renewed]
    assert redactor.text(f"Bearer {renewed}") == f"Bearer {MASK}"


# Brackets are left out: a secret that overlaps the mask's own characters is the one case where a
# second pass may mask more (never less).
SECRET_ALPHABET = st.sampled_from('AT1a-._~+/=" :,{}\\')
TEXT_ALPHABET = st.sampled_from('AT1a-._~+/=" :,{}\\[]RDEC')


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(st.lists(st.text(SECRET_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=3), st.text(TEXT_ALPHABET, max_size=40))
def test_redacting_twice_changes_nothing(secrets: list[str], text: str) -> None:
    redactor = Redactor(secrets)
    once = redactor.text(text)
    assert redactor.text(once) == once


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(
    st.text(SECRET_ALPHABET, min_size=1, max_size=6),
    st.text(st.sampled_from(' ":,{}\\=%'), max_size=4),
    st.text(st.sampled_from(' ":,{}\\=%'), max_size=4),
)
def test_a_secret_between_non_token_characters_never_survives(secret: str, before: str, after: str) -> None:
    shown = Redactor([secret]).text(before + secret + after)
    assert secret not in shown.replace(MASK, "\n")


# --- a whole run with a one-character token ---------------------------------------------------------


@pytest.fixture(scope="module")
def one_character_token_run(tmp_path_factory) -> Path:
    """`run --bundle` with the token `T` against a server that echoes the Authorization it gets into a
    header and the body (and so fails SYNC-CREATE-201, giving a failure's evidence in every report)."""
    folder = tmp_path_factory.mktemp("short-token")
    server = EchoesCredentials(token="T")
    background = BackgroundServer(server.app(), server.base_path).start()
    (folder / "PRODUCT.yaml").write_text(PRODUCT)
    try:
        done = cli(folder, "run", "--bundle", "b.zip", "--product", "PRODUCT.yaml", "--base-url", background.url, "--token", "T",
                   "--max-examples", "10")  # fmt: skip
    finally:
        background.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return folder


def test_with_a_one_character_token_verdict_json_is_valid_and_intact(one_character_token_run: Path) -> None:
    verdict = json.loads((one_character_token_run / "reports" / "verdict.json").read_text(encoding="utf-8"))
    assert not [e.message for e in verdict_validator().iter_errors(verdict)]
    assert [r["id"] for r in verdict["requirements"]] == list(BY_ID)
    assert verdict["verdict"] == "not conformant" and verdict["reason"] == "MUST failed: SYNC-CREATE-201"
    [failure] = [r["first_failure"] for r in verdict["requirements"] if r["first_failure"]]
    exchange = failure["exchanges"][0]
    assert exchange["request"]["method"] == "POST"
    assert ["Authorization", MASK] in exchange["request"]["headers"]
    assert ["x-echo-authorization", f"Bearer {MASK}"] in exchange["response"]["headers"]
    assert f'"debugAuthorization": "Bearer {MASK}"' in exchange["response"]["body"]["text"]


def test_with_a_one_character_token_the_evidence_and_junit_are_valid(one_character_token_run: Path) -> None:
    reports = one_character_token_run / "reports"
    lines = [json.loads(line) for line in (reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()]
    exchanges = lines  # one record per request
    assert len(exchanges) > 50 and {e["request"]["method"] for e in exchanges} == {"POST"}
    assert {line["probe"] for line in lines} >= {"valid", "invalid-body", "credentials"}
    outcomes = _outcomes(reports / "junit.xml")
    assert set(outcomes) == set(BY_ID) and outcomes["SYNC-CREATE-201"] == "fail"
    assert ET.parse(reports / "junit.xml").getroot().tag == "testsuites"
    for name in ("verdict.json", "evidence.jsonl", "junit.xml"):
        text = (reports / name).read_text(encoding="utf-8")
        assert "Bearer T" not in text and '"T"' not in text
        assert not WHOLE_T.search(text), f"{name}: {text[WHOLE_T.search(text).start() - 60 :][:120]!r}"  # type: ignore[union-attr]


def test_with_a_one_character_token_the_report_names_everything_intact(one_character_token_run: Path) -> None:
    shown = html.unescape(html.unescape((one_character_token_run / "reports" / "report.html").read_text(encoding="utf-8")))
    assert re.search(r"Request:\\n  POST http://127\.0\.0\.1:\d+/beta/applications/", shown)
    assert "SYNC-ODATA-TYPE" in shown and "SYNC-CREATE-201 (MUST) failed:" in shown
    assert f"x-echo-authorization: Bearer {MASK}" in shown
    assert "Bearer T" not in shown


def test_with_a_one_character_token_the_bundle_verifies(one_character_token_run: Path) -> None:
    done = cli(one_character_token_run, "verify", "b.zip", "--allow-unpinned")  # not signed: intact, no more
    assert done.returncode == 0, done.stdout
    verdict = json.loads(zipfile.ZipFile(one_character_token_run / "b.zip").read("verdict.json"))
    assert not list(verdict_validator().iter_errors(verdict))


def test_with_a_one_character_token_the_suite_s_own_prose_is_intact(one_character_token_run: Path) -> None:
    verdict = json.loads((one_character_token_run / "reports" / "verdict.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["statement"] for r in verdict["requirements"]} == {r.id: r.statement for r in REQUIREMENTS}


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(st.text(st.sampled_from("ABCxyz019+/=-._~"), min_size=ANYWHERE_FROM, max_size=40))
def test_a_token_echoed_encoded_into_a_url_or_json_is_masked(token: str) -> None:
    """A server that writes the token into a Location (`?access_token=`, percent-encoded in either hex
    case) or into JSON with `/` escaped: each form is masked as the token itself is."""
    redactor = Redactor([token])
    encoded = quote(token, safe="")
    lower_hex = re.sub("%[0-9A-F]{2}", lambda e: e.group().lower(), encoded)
    for form in (encoded, lower_hex, quote_plus(token, safe=""), token.replace("/", "\\/")):
        masked = redactor.text(f"Location: https://h/x?access_token={form}&y=1")
        assert masked == f"Location: https://h/x?access_token={MASK}&y=1", (form, masked)


def _escaped(character: str, how: int) -> str:
    """One character as an encoder may write it: itself, a JSON \\u escape (either hex case), each
    UTF-8 byte percent-encoded (either case), an HTML decimal or hex character reference (with leading
    zeros or not)."""
    code = ord(character)
    spellings = [
        character,
        json.dumps(character, ensure_ascii=True)[1:-1] if code > 0x7F else f"\\u{code:04x}",
        f"\\u{code:04X}" if code < 0x10000 else json.dumps(character)[1:-1].upper().replace("\\U", "\\u"),
        "".join(f"%{byte:02X}" for byte in character.encode("utf-8")),
        "".join(f"%{byte:02x}" for byte in character.encode("utf-8")),
        f"&#{code};",
        f"&#x{code:x};",
        f"&#0{code};",  # PHP's htmlspecialchars writes &#039;
        f"&#x00{code:X};",
    ]
    return spellings[how % len(spellings)]


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(
    st.text(st.sampled_from("ABCxyz019+/=-._~ é€😀"), min_size=1, max_size=40).filter(lambda s: s.strip() == s),
    st.lists(st.integers(0, 8), min_size=40, max_size=40),
    st.sampled_from(['"{}"', "Bearer {}", "?access_token={}&x=1", "<b>{}</b>", "{} "]),
)
def test_a_secret_with_any_of_its_characters_escaped_is_masked(secret: str, hows: list[int], context: str) -> None:
    """Encoders escape some characters and leave the rest (.NET's JSON writer escapes `+` as \\u002B,
    a URL encoder `/`, an HTML one `&`): whichever characters of a secret are escaped, and however, it
    is masked as the secret itself is, and nothing else of the text is."""
    assume(Redactor([secret]).text(context.format("")) == context.format(""))  # the context holds no secret of its own
    echoed = "".join(_escaped(c, how) for c, how in zip(secret, hows, strict=False))
    masked = Redactor([secret]).text(context.format(echoed))
    assert masked == context.format(MASK), (secret, echoed, masked)


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(
    st.text(st.sampled_from("ABCxyz019+/=-._~ é€😀"), min_size=1, max_size=24).filter(lambda s: s.strip() == s),
    st.lists(st.integers(0, 8), min_size=24, max_size=24),
    st.integers(0, 400),
    st.integers(1, 300),
    st.integers(1, 80),
)
def test_the_head_of_a_body_is_masked_as_the_whole_body_would_be(
    secret: str, hows: list[int], before: int, limit: int, copies: int
) -> None:
    """`head` masks only the part of a large body it shows, and shows exactly what masking the whole
    body and cutting it would: a secret, in any spelling, straddling the cut leaves nothing behind,
    however many copies before it shortened the text (an echo of the token in every secret)."""
    echoed = "".join(_escaped(c, how) for c, how in zip(secret, hows, strict=False))
    body = ("x" * before + (" " + echoed) * copies + " " + "y" * 500).encode()
    redactor = Redactor([secret])
    assert redactor.head(body, limit) == redactor.binary(body)[:limit]


# --- encodings a server may echo, and the suite's vocabulary --------------------------------------

TOKEN_ALPHABET = st.sampled_from("ABCxyz019+/=-._~\"\\&<>'")


def _base64_masked(secret: str, before: bytes, after: bytes, url: bool, padded: bool) -> tuple[str, str]:
    """`before + secret + after` base64-encoded, and what redaction must make of it: every character
    holding a bit of the secret's bytes masked (worked out here from the bit positions, not from the
    Redactor's own arithmetic), padding right after them taken in."""
    encode = base64.urlsafe_b64encode if url else base64.b64encode
    data = secret.encode()
    blob = encode(before + data + after).decode()
    blob = blob if padded else blob.rstrip("=")
    first, last = 8 * len(before) // 6, -(-8 * (len(before) + len(data)) // 6)
    return blob, blob[:first] + MASK + blob[last:].lstrip("=")


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(
    st.text(TOKEN_ALPHABET, min_size=ANYWHERE_FROM, max_size=48),
    st.binary(max_size=20),
    st.binary(max_size=20),
    st.booleans(),
    st.booleans(),
)
@example("9999999999999990", b"\x00\t", b"", False, False)  # a core of another alignment matched first, two characters left
@example("9" * 30, b"", b"8", False, False)  # a core of another alignment goes on past the secret's, one character too many
def test_a_secret_inside_any_base64_text_is_masked(secret: str, before: bytes, after: bytes, url: bool, padded: bool) -> None:
    """Wherever the secret sits in a longer text (`Bearer T`, `{"token": "T"}`), at any of the three
    byte alignments, base64 or base64url, padded or not: every character that holds any bit of it is
    masked, and nothing else."""
    blob, masked = _base64_masked(secret, before, after, url, padded)
    assert Redactor([secret]).text(f"x-echo: {blob};") == f"x-echo: {masked};"


def _encoded(secret: str, how: str) -> str:
    return {
        "upper": secret.upper(),
        "lower": secret.lower(),
        "swapped": secret.swapcase(),
        "hex": secret.encode().hex(),
        "HEX": secret.encode().hex().upper(),
        "json": json.dumps(secret)[1:-1],
        "json-all": "".join(f"\\u{ord(c):04x}" for c in secret),
        "html": html.escape(secret),
        "html-attribute": html.escape(secret).replace("&#x27;", "&apos;"),
        "percent": quote(secret, safe=""),
        "percent-twice": quote(quote(secret, safe=""), safe=""),
    }[how]


ENCODINGS = ["upper", "lower", "swapped", "hex", "HEX", "json", "json-all", "html", "html-attribute", "percent", "percent-twice"]


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(
    st.text(TOKEN_ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() == s),
    st.sampled_from(ENCODINGS),
    st.sampled_from(['"{}"', "Bearer {}", "?access_token={}&x=1", "<b>{}</b>", "{} ", "a: {}\nb: 1"]),
)
def test_a_secret_echoed_in_any_encoding_is_masked(secret: str, how: str, context: str) -> None:
    """Case folded, hex in either case, JSON-escaped (`\\"`, `\\\\`, `\\u0041`), HTML-escaped with named
    references, percent-encoded once or twice: masked as the secret itself is, whatever its length
    (an encoded form shorter than PIECE_FROM characters is the one exception: it occurs by chance)."""
    echoed = _encoded(secret, how)
    assume(len(echoed) >= PIECE_FROM or how not in ("hex", "HEX"))
    assume(Redactor([secret]).text(context.format("")) == context.format(""))
    assert Redactor([secret]).text(context.format(echoed)) == context.format(MASK), (secret, echoed)


@settings(deadline=None)  # each example compiles a Redactor's patterns (0.1-0.4 s)
@given(st.text(TOKEN_ALPHABET, min_size=2 * PIECE_FROM, max_size=80), st.data())
def test_a_secret_split_over_two_headers_leaves_neither_part(secret: str, data: st.DataObject) -> None:
    """Cut anywhere that leaves each part at least `piece_length` long (its two halves, and any cut of
    a long token ANYWHERE_FROM characters from either end), each part is masked where it stands: in
    two headers, or two lines."""
    shortest = piece_length(secret)
    assert shortest is not None and shortest <= len(secret) // 2
    cut = data.draw(st.integers(shortest, len(secret) - shortest))
    text = f"X-A: {secret[:cut]}\nX-B: {secret[cut:]}\n"
    assert Redactor([secret]).text(text) == f"X-A: {MASK}\nX-B: {MASK}\n", (secret, cut)


@pytest.mark.parametrize("token", ["pass", "MUST", "FAIL", "fail", "SKIP", "warn", "SYNC-ID-GUID", "requirements", "POST"])
def test_a_token_that_is_a_word_of_the_suite_leaves_the_verdict_intact(token: str, run_suite, tmp_path: Path) -> None:
    """`--token=pass` once turned every outcome into the mask, `--token=MUST` every level: verdict.json
    broke its schema and `diff` saw regressions. Now the suite's words never pass through the Redactor:
    two runs are schema-valid verdicts, every row as the catalogue has it, and `diff` finds nothing."""
    server = ReferenceServer(token=token)
    background = BackgroundServer(server.app(), server.base_path).start()
    try:
        runs = [run_suite("--base-url", background.url, "--token", token, "--max-examples", "5") for _ in range(2)]
    finally:
        background.stop()
    for run in runs:
        assert run.exit_code == 0, run.output
        assert run.verdict is not None and not list(verdict_validator().iter_errors(run.verdict))
        rows = {r["id"]: (r["outcome"], r["level"], r["statement"]) for r in run.verdict["requirements"]}
        assert rows == {r.id: ("pass", str(r.level), r.statement) for r in REQUIREMENTS}
        assert MASK not in (run.reports / "summary.md").read_text(encoding="utf-8")
        assert re.search(r"^SYNC-ID-GUID +MUST +PASS", run.output, re.M), run.output
    paths = [str(run.reports / "verdict.json") for run in runs]
    done = cli(tmp_path, "diff", *paths)
    assert done.returncode == 0 and "regressed" not in done.stdout, done.stdout + done.stderr


# --- a server that echoes every credential it gets, in every encoding ------------------------------


def _echoes(credential: str) -> dict[str, str]:
    """The credential as a server may echo it back: each spelling the issue found unmasked."""
    half = len(credential) // 2
    return {
        "plain": credential,
        **{how: _encoded(credential, how) for how in ENCODINGS},
        "base64": base64.b64encode(credential.encode()).decode(),
        "base64-bearer": base64.b64encode(f"Bearer {credential}".encode()).decode(),
        "base64url-json": base64.urlsafe_b64encode(json.dumps({"token": credential}).encode()).decode().rstrip("="),
        "base64-offset-2": base64.b64encode(b"t=" + credential.encode()).decode(),
        "half-1": credential[:half],
        "half-2": credential[half:],
    }


class EchoesEveryEncoding(EchoesCredentials):
    """Breaks SYNC-CREATE-201 (as EchoesCredentials), and writes whatever credential it gets back in
    every encoding of `_echoes`, in a header each, on every answer (the 401s to the suite's own
    altered credentials too), and in the created object's body."""

    def respond(self, request, status, body, headers=None, media_type=None):
        credential = request.headers.get("authorization", "").partition(" ")[2]
        echoes = _echoes(credential) if credential else {}
        if isinstance(body, dict) and echoes:
            body = {**body, "debug": echoes}
        return super().respond(request, status, body, {**(headers or {}), **{f"X-Echo-{k}": v for k, v in echoes.items()}}, media_type)


def _views(path: Path, text: str) -> list[str]:
    """An artifact as a reader may see it: as written, with HTML's escapes undone (twice: pytest-html
    escapes the log inside an escaped attribute), and each JSON string in it decoded."""
    views = [text, html.unescape(text), html.unescape(html.unescape(text))]
    documents = [text] if path.suffix in (".json", ".har") else text.splitlines() if path.suffix == ".jsonl" else []
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                walk(item)

    for document in documents:
        walk(json.loads(document))
    return [*views, "\n".join(strings)]


def test_no_encoding_of_the_token_or_the_credentials_made_from_it_is_in_any_artifact(run_suite) -> None:
    """The canary: a token with `"`, `\\`, `&`, `<`, `>` and `'` in it, echoed by the target in every
    encoding the issue found unmasked, and so are the altered, extended, truncated and case-swapped
    credentials the suite sends; no spelling of any of them is in report.html, junit.xml,
    verdict.json, evidence.jsonl, evidence.har, summary.md or the terminal."""
    token = "canary-\"q\\&<b>'-" + "7f3a9c1e5d2b4860" * 2
    server = EchoesEveryEncoding(token=token)
    background = BackgroundServer(server.app(), server.base_path).start()
    try:
        run = run_suite("--base-url", background.url, "--token", token)
    finally:
        background.stop()
    assert run.exit_code == 1 and run.caught() == {"SYNC-CREATE-201"}, run.output
    assert "Traceback" not in run.output
    artifacts = run.artifacts()
    assert {p.name for p in artifacts} >= {"report.html", "junit.xml", "verdict.json", "evidence.jsonl", "evidence.har", "summary.md"}
    credentials = [token, *refused_tokens(token).values()]
    spellings = {(c, how): echoed for c in credentials for how, echoed in _echoes(c).items()}
    for (credential, how), echoed in spellings.items():
        if how.startswith("base64"):
            # What must go is every character holding a bit of the credential: the blob less its
            # first and last three characters holds only such characters.
            echoed = echoed.rstrip("=")[3:-3]
        for path, text in [*artifacts.items(), (Path("terminal"), run.output)]:
            assert not any(echoed in view for view in _views(path, text)), (path.name, how, credential)
    evidence = (run.reports / "evidence.jsonl").read_text(encoding="utf-8")
    assert evidence.lower().count("x-echo-base64-bearer") > 50 and evidence.count(MASK) > 1000

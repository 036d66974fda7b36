"""Redaction: a secret is masked where it stands as a whole token (any length) or anywhere (long ones),
structured data is redacted value by value, and a one-character token leaves every artifact valid."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.catalogue import BY_ID, REQUIREMENTS
from conformance.coverage import Coverage
from conformance.grading import Outcome, Row, decide
from conformance.redaction import ANYWHERE_FROM, MASK, TOKEN_CHARACTERS, Redactor
from conformance.server import BackgroundServer
from conformance.verdict import document

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


@pytest.mark.parametrize("token", ['"', "id", "true", "null", "{", "}", ",", "\\", "[", "]", "T", "Z", "-", "0", "a"])
def test_structured_data_stays_valid_whatever_the_token(token: str) -> None:
    """verdict.json redacted with a token that is JSON syntax, a key, a literal, a hex digit or a date's
    separator: still a verdict.json, its keys, numbers and booleans untouched, the token masked in values."""
    rows = {r.id: Row(r.id, Outcome.PASS, cases=1) for r in REQUIREMENTS}
    header = {
        "suite": {"name": "graph-sync-conformance", "version": "0.1.0"},
        "contract": {"source": "s.md", "sha256": "ab" * 32, "provenance": "p", "schemas": {"x.json": "0a" * 32}},
        "target": {"base_url": "http://127.0.0.1:8000/beta", "embedded": False},
        "seed": 1,
        "configuration": {
            "max_examples": 1,
            "application_ids": ["e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4"],
            "authentication": "bearer token",
            "request_timeout_seconds": 10,
            "run_timeout_seconds": 900,
            "max_body_bytes": 1,
            "follow_redirects": True,
            "tls_verification": "on",
            "strict": False,
        },
        "started": "2026-11-25T14:10:23Z",
        "finished": "2026-11-25T14:10:25Z",
        "stopped": None,
        "traffic": {"throttled": 0, "throttled_seconds": 0, "paced_seconds": 0, "liveness_checks": 0, "not_sent": {}, "statuses": {}},
        "coverage": Coverage().as_dict(),
        "echoed": f'Bearer {token} said "{token}" {{{token}}}',
    }
    original = document(decide(rows, None), header)
    redacted = Redactor([token]).data(original)
    reread = json.loads(json.dumps(redacted, ensure_ascii=False))
    assert reread["echoed"].count(MASK) >= 1
    del reread["echoed"], original["echoed"]
    assert not list(verdict_validator().iter_errors(reread))
    assert reread["seed"] == 1 and reread["configuration"]["follow_redirects"] is True
    assert reread["started"] == "2026-11-25T14:10:23Z"
    assert [r["id"] for r in reread["requirements"]] == [r.id for r in REQUIREMENTS]
    assert Redactor([token]).data(reread) == reread  # redacting twice changes nothing


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


# Brackets are left out: a secret that overlaps the mask's own characters is the one case where a
# second pass may mask more (never less).
SECRET_ALPHABET = st.sampled_from('AT1a-._~+/=" :,{}\\')
TEXT_ALPHABET = st.sampled_from('AT1a-._~+/=" :,{}\\[]RDEC')


@given(st.lists(st.text(SECRET_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=3), st.text(TEXT_ALPHABET, max_size=40))
def test_redacting_twice_changes_nothing(secrets: list[str], text: str) -> None:
    redactor = Redactor(secrets)
    once = redactor.text(text)
    assert redactor.text(once) == once


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
    exchanges = [e for line in lines for e in line["exchanges"]]
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

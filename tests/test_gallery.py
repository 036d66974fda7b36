"""The suite judged by the servers it is pointed at: each broken server fails exactly the requirement
it breaks, each correct-but-unusual one passes, and the reference server passes."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from conformance.catalogue import BY_ID, Level
from conformance.server import Record, ReferenceServer

from .gallery_table import documented, table
from .servers import (
    BROKEN,
    UNUSUAL,
    Answers200,
    IdsFromALargerPool,
    NoLocation,
    ReadsChunkedBodiesAsEmpty,
    Variant,
    WantsContentLength,
)


def test_reference_server_passes_every_requirement(shared_runs) -> None:
    shared = shared_runs(ReferenceServer)
    run = shared.run
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}
    assert run.verdict and run.verdict["verdict"] == "conformant"
    assert run.verdict["target"] == {"base_url": shared.url, "embedded": False}


@pytest.mark.parametrize("behaviour", BROKEN, ids=lambda b: f"{b.__name__}-{b.breaks}")
def test_broken_server_is_caught_by_exactly_its_requirement(behaviour: type[Variant], shared_runs) -> None:
    served = shared_runs(behaviour)
    run = served.run
    rid = str(behaviour.breaks)
    level = BY_ID[rid].level
    assert set(run.outcomes) == set(BY_ID), run.output
    assert run.caught() == {rid}, run.output
    assert run.verdict is not None
    failure = next(r["first_failure"] for r in run.verdict["requirements"] if r["id"] == rid)
    assert failure["exchanges"] and failure["found_after"] >= 1
    if level is Level.MUST:
        assert run.verdict["verdict"] == "not conformant"
        assert (run.exit_code, run.outcomes[rid]) == (1, "fail"), run.output
        assert re.search(rf"^FAILED \S+::test_requirement\[{rid}\]", run.output, re.M), run.output
    else:
        assert run.verdict["verdict"] == "conformant" and rid in run.verdict["reason"]
        assert (run.exit_code, run.outcomes[rid]) == (0, "warn"), run.output
        assert re.search(rf"^{rid} +SHOULD +WARN ", run.output, re.M), run.output
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text()))
    assert f"{rid} ({level}) failed:" in shown
    # The summary's row for it links to the failure's details.
    link = rf'<a href="#[^"]*test_create_synchronization\.py::test_requirement\[{rid}\]">{rid}</a>'
    assert re.search(rf'<td>{link}</td><td>{level}</td><td class="verdict-{run.outcomes[rid]}">', shown), shown
    assert not [path for path, text in run.artifacts().items() if served.token in text]


@pytest.mark.parametrize("behaviour", UNUSUAL, ids=lambda b: b.__name__)
def test_unusual_but_correct_server_passes(behaviour: type[Variant], shared_runs) -> None:
    run = shared_runs(behaviour).run
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}, run.output


def test_strict_makes_a_failed_should_fail_the_run(serve, run_suite) -> None:
    served = serve(NoLocation)
    run = run_suite("--base-url", served.url, "--token", served.token, "--strict")
    assert run.exit_code == 1, run.output
    assert run.outcomes["SYNC-LOCATION"] == "fail"
    assert re.search(r"^FAILED \S+::test_requirement\[SYNC-LOCATION\]", run.output, re.M), run.output


class EchoesCredentials(Answers200):
    """Breaks SYNC-CREATE-201, and sends the caller's Authorization back in a header and the body, so
    the failure evidence would carry the token if redaction missed it."""

    def created(self, request: Request, record: Record) -> Response:
        response = super().created(request, record)
        authorization = request.headers["authorization"]
        body = json.loads(bytes(response.body))
        body["debugAuthorization"] = authorization
        response.body = json.dumps(body).encode()
        response.headers["content-length"] = str(len(response.body))
        response.headers["X-Echo-Authorization"] = authorization
        return response


def test_a_token_the_server_echoes_is_in_no_artifact(serve, run_suite) -> None:
    served = serve(EchoesCredentials)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 1 and run.caught() == {"SYNC-CREATE-201"}
    assert "Traceback" not in run.output
    assert served.token not in run.output
    assert not [path for path, text in run.artifacts().items() if served.token in text]
    # pytest-html embeds the log HTML-escaped inside an escaped data attribute.
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text()))
    assert "x-echo-authorization: bearer [redacted]" in shown.lower()
    assert '"debugAuthorization": "Bearer [REDACTED]"' in shown


def _half_escaped(token: str) -> str:
    """The token with every other character as a JSON \\u escape, as an encoder that escapes only some
    characters writes it (.NET's escapes `+`)."""
    return "".join(f"\\u{ord(c):04X}" if i % 2 else c for i, c in enumerate(token))


def _percent_encoded(token: str) -> str:
    return "".join(f"%{ord(c):02x}" for c in token)


class EchoesCredentialsEscaped(Answers200):
    """Breaks SYNC-CREATE-201, and writes the caller's token back escaped: half its characters as JSON
    \\u escapes in the body, percent-encoded in a Location query, as HTML character references in a
    header."""

    def created(self, request: Request, record: Record) -> Response:
        response = super().created(request, record)
        token = request.headers["authorization"].partition(" ")[2]
        text = bytes(response.body).decode()
        response.body = ('{"debugToken": "' + _half_escaped(token) + '", ' + text[1:]).encode()
        response.headers["content-length"] = str(len(response.body))
        response.headers["location"] += "?access_token=" + _percent_encoded(token)
        response.headers["X-Echo"] = "".join(f"&#{ord(c)};" for c in token)
        return response


def test_a_token_the_server_echoes_escaped_is_in_no_artifact(serve, run_suite) -> None:
    served = serve(EchoesCredentialsEscaped)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 1 and run.caught() == {"SYNC-CREATE-201"}, run.output
    first_two = "".join(f"&#{ord(c)};" for c in served.token[:2])
    spellings = {served.token, _half_escaped(served.token), _percent_encoded(served.token), first_two}
    for path, text in run.artifacts().items():
        for shown in (text, html.unescape(html.unescape(text))):
            assert not [s for s in spellings if s in shown or s.lower() in shown.lower()], path


def test_with_no_base_url_the_embedded_server_is_the_target_and_passes(run_suite) -> None:
    run = run_suite()
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}
    assert "(embedded reference server)" in run.output


class CreatesAnything(Variant):
    """Answers 201 with a created object to any POST: no credentials, media type or body checked."""

    def authenticate(self, request: Request) -> Response | None:
        return None

    def check_application_id(self, request: Request, application_id: str) -> Response | None:
        return None

    def check_media_type(self, request: Request) -> Response | None:
        return None

    def decode(self, request: Request, body: bytes) -> Any:
        return {"secrets": []}

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        return payload


def test_a_server_that_creates_anything_fails_every_refusal_requirement(serve, run_suite) -> None:
    served = serve(CreatesAnything)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 1, run.output
    must = {"SYNC-REJECT-INVALID", "SYNC-MALFORMED-JSON-400", "SYNC-CONTENT-TYPE-4XX", "SYNC-AUTH-401"}
    assert {rid for rid, outcome in run.outcomes.items() if outcome == "fail"} >= must, run.output
    assert run.outcomes["SYNC-APP-ID-REJECTED"] == "warn"
    for rid in must:
        assert re.search(rf"^FAILED \S+::test_requirement\[{rid}\]", run.output, re.M), run.output


class RecordsMethods(ReferenceServer):
    """The reference server, noting the method of every request that reaches it."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.methods: list[str] = []

    def app(self) -> Any:
        inner = super().app()

        async def recording(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.methods.append(scope["method"])
            await inner(scope, receive, send)

        return recording


def test_the_suite_sends_only_post(serve, run_suite) -> None:
    served = serve(RecordsMethods)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 0, run.output
    assert isinstance(served.server, RecordsMethods)
    assert set(served.server.methods) == {"POST"}
    assert 170 < len(served.server.methods) <= 200  # the README says "about 185"


@pytest.mark.reads_every_run
def test_the_gallery_table_in_the_docs_is_what_is_measured(shared_runs) -> None:
    """The cases each server's requirement needed, as the gallery's own runs above report them (the
    same runs, made once: whichever test needs one first makes it)."""

    def needed(behaviour: type[Variant]) -> int:
        verdict = shared_runs(behaviour).run.verdict
        assert verdict is not None
        return next(r["first_failure"]["found_after"] for r in verdict["requirements"] if r["id"] == behaviour.breaks)

    assert documented() == table(needed), "docs/gallery.md is stale: run `python -m tests.gallery_table`"


def test_every_requirement_has_a_gallery_server_that_breaks_it() -> None:
    assert {b.breaks for b in BROKEN} == set(BY_ID)
    assert len(UNUSUAL) >= 6


class FixedAnswer(Variant):
    """Answers every create with the same object, the secrets of one body sent long ago, as a mock of
    fixed answers does: fresh ids, the rest always the same."""

    def representation(self, request: Request, record: Record) -> dict[str, Any]:
        body = super().representation(request, record)
        body["secrets"] = [{"key": "UserName", "value": "admin@contoso.example"}]
        return body


def test_a_requirement_judged_on_a_small_share_of_the_cases_sent_says_so_in_every_report(serve, run_suite) -> None:
    """A fixed-answer mock: the order of the secrets can be judged only where the answer holds the
    secrets sent (one body); a pass on that one case must not look as strong as a pass on them all."""
    served = serve(FixedAnswer)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.verdict is not None
    row = next(r for r in run.verdict["requirements"] if r["id"] == "SYNC-SECRETS-ORDER")
    assert row["outcome"] == "pass" and 0 < row["judged"] * 5 < row["cases"], row
    said = f"judged on {row['judged']} of {row['cases']} cases; the others: "
    assert row["reason"].startswith(said) and "the secrets differ, not only their order" in row["reason"], row["reason"]
    assert re.search(rf"^SYNC-SECRETS-ORDER +SHOULD +PASS +{re.escape(said)}", run.output, re.M), run.output
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text()))
    assert f"<td>{row['judged']} of {row['cases']}</td>" in shown and said in shown
    junit = (run.reports / "junit.xml").read_text()
    assert f'<property name="judged" value="{row["judged"]}" />' in junit
    assert f"| {row['judged']} of {row['cases']} |" in (run.reports / "summary.md").read_text()
    # A requirement judged on every case it saw says nothing of shares.
    whole = next(r for r in run.verdict["requirements"] if r["id"] == "SYNC-CREATE-201")
    assert whole["judged"] == whole["cases"] and "judged on" not in whole["reason"]


@pytest.mark.parametrize("behaviour", [WantsContentLength, ReadsChunkedBodiesAsEmpty], ids=lambda b: b.__name__)
def test_a_411_to_a_chunked_body_is_http_s_own_answer_under_two_workers_too(behaviour: type[Variant], serve, run_suite) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token, "-n", "2")
    if behaviour.breaks is None:
        assert run.exit_code == 0, run.output
        assert set(run.outcomes.values()) == {"pass"}, run.output
    else:
        assert (run.exit_code, run.caught()) == (1, {behaviour.breaks}), run.output
        assert re.search(r"^SYNC-CREATE-201 +MUST +FAIL +expected 201 Created, got 400 Bad Request", run.output, re.M), run.output


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["alone", "two-workers"])
def test_an_id_given_again_late_in_the_run_is_caught_however_the_run_is_split(workers, serve, run_suite) -> None:
    """No one case creates more than the pool holds: only the run's earlier creates show the id again
    (each worker holds its own, and each sends more creates than the pool)."""
    served = serve(IdsFromALargerPool)
    run = run_suite("--base-url", served.url, "--token", served.token, *workers)
    assert run.exit_code == 1 and run.caught() == {"SYNC-ID-UNIQUE"}, run.output
    failure = next(r["first_failure"] for r in run.verdict["requirements"] if r["id"] == "SYNC-ID-UNIQUE")
    assert re.match(r"id [0-9a-f-]{36} was given before in this run, to \S+ case ", failure["reason"]), failure["reason"]
    assert not failure["origin"].startswith("generated, shrunk"), failure["origin"]  # it depends on what came before

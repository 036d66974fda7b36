"""The suite judged by the servers it is pointed at: each broken server fails exactly the requirement
it breaks, each correct-but-unusual one passes, and the reference server passes."""

from __future__ import annotations

import html
import json
import re

import pytest
from starlette.requests import Request
from starlette.responses import Response

from conformance.catalogue import BY_ID, Level
from conformance.server import Record, ReferenceServer

from .servers import BROKEN, UNUSUAL, Answers200, NoLocation, Variant


def test_reference_server_passes_every_requirement(serve, run_suite) -> None:
    served = serve(ReferenceServer)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}


@pytest.mark.parametrize("behaviour", BROKEN, ids=lambda b: f"{b.__name__}-{b.breaks}")
def test_broken_server_is_caught_by_exactly_its_requirement(behaviour: type[Variant], serve, run_suite) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
    rid = str(behaviour.breaks)
    level = BY_ID[rid].level
    assert set(run.outcomes) == set(BY_ID), run.output
    assert run.caught() == {rid}, run.output
    if level is Level.MUST:
        assert (run.exit_code, run.outcomes[rid]) == (1, "fail"), run.output
        assert re.search(rf"^FAILED \S+::test_requirement\[{rid}\]", run.output, re.M), run.output
    else:
        assert (run.exit_code, run.outcomes[rid]) == (0, "warn"), run.output
        assert re.search(rf"^{rid} +SHOULD +WARN ", run.output, re.M), run.output
    assert f"{rid} ({level}) failed:" in (run.reports / "report.html").read_text()
    assert not [path for path, text in run.artifacts().items() if served.token in text]


@pytest.mark.parametrize("behaviour", UNUSUAL, ids=lambda b: b.__name__)
def test_unusual_but_correct_server_passes(behaviour: type[Variant], serve, run_suite) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
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
        body = json.loads(response.body)
        body["debugAuthorization"] = authorization
        response.body = json.dumps(body).encode()
        response.headers["content-length"] = str(len(response.body))
        response.headers["X-Echo-Authorization"] = authorization
        return response


def test_a_token_the_server_echoes_is_in_no_artifact(serve, run_suite) -> None:
    served = serve(EchoesCredentials)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.caught() == {"SYNC-CREATE-201"}
    assert served.token not in run.output
    assert not [path for path, text in run.artifacts().items() if served.token in text]
    # pytest-html embeds the log HTML-escaped inside an escaped data attribute.
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text()))
    assert "x-echo-authorization: bearer [redacted]" in shown.lower()
    assert '"debugAuthorization": "Bearer [REDACTED]"' in shown


def test_with_no_base_url_the_embedded_server_is_the_target_and_passes(run_suite) -> None:
    run = run_suite()
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}
    assert "(embedded reference server)" in run.output

"""Redirects, TLS and the manners of the wire, on loopback listeners: credentials never follow a
redirect to another origin; TLS is verified unless the user says otherwise (then the reports say so);
interim 1xx answers are read past, over http and https alike; a request is sent again only when a
kept-alive connection closed under it, once, and counted."""

from __future__ import annotations

import html
import re
import ssl
import time
from pathlib import Path
from typing import Any

import pytest
import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.client import Client, ClientSettings
from conformance.corpus import SPEC_EXAMPLE
from conformance.exchange import Shortfall
from conformance.server import BackgroundServer, ReferenceServer

from .hostile import (
    CONTINUE,
    EARLY_HINTS,
    PROCESSING,
    UNKNOWN_INTERIM,
    ClosesAsTheNextRequestArrives,
    Misbehaving,
    RawServer,
    Relay,
    Rhythm,
    closes_at_once,
    drops,
    interim_forever,
    switches_protocols,
)
from .servers import Variant
from .test_field import assert_no_token, backend, report_text
from .test_hostile import ALONE_AND_SPLIT

APPLICATION = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"


class RecordsAuthorization(ReferenceServer):
    """The reference server, noting the Authorization header of every request it gets."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.seen: list[str | None] = []

    def authenticate(self, request: Request) -> Response | None:
        self.seen.append(request.headers.get("authorization"))
        return super().authenticate(request)


def redirector(target: str) -> Starlette:
    """Answers every create with 307 to the same path under `target`."""

    async def redirect(request: Request) -> Response:
        return RedirectResponse(f"{target}/applications/{request.path_params['app']}/synchronization", status_code=307)

    return Starlette(routes=[Route("/beta/applications/{app}/synchronization", redirect, methods=["POST"])])


@pytest.fixture
def listeners():
    running: list[BackgroundServer] = []

    def start(app, base_path: str = "", tls: tuple[str, str] | None = None) -> BackgroundServer:
        background = BackgroundServer(app, base_path, tls=tls).start()
        running.append(background)
        return background

    yield start
    for background in running:
        background.stop()


def test_a_redirect_is_the_answer_by_default(listeners, run_suite) -> None:
    behind = RecordsAuthorization(token="rdr-9c41f7e2a05b-1")
    target = listeners(behind.app(), behind.base_path)
    front = listeners(redirector(target.url), "/beta")
    run = run_suite("--base-url", front.url, "--token", behind.token)
    assert run.exit_code == 1
    assert "SYNC-CREATE-201 (MUST) failed: expected 201 Created, got 307 Temporary Redirect" in run.output
    assert behind.seen == []


def test_followed_redirects_never_carry_credentials_to_another_origin(listeners, run_suite) -> None:
    behind = RecordsAuthorization(token="rdr-9c41f7e2a05b-2")
    target = listeners(behind.app(), behind.base_path)
    # Another origin: same loopback address, different host name and port.
    front = listeners(redirector(target.url.replace("127.0.0.1", "localhost")), "/beta")
    run = run_suite("--base-url", front.url, "--token", behind.token, "--follow-redirects")
    assert behind.seen and set(behind.seen) == {None}
    assert run.exit_code == 1
    assert "SYNC-CREATE-201 (MUST) failed: expected 201 Created, got 401 Unauthorized" in run.output
    assert not [path for path, text in run.artifacts().items() if behind.token in text]


class MovedWithinOrigin(Variant):
    """Serves the contract under /moved/beta and redirects /beta there with 307."""

    base_path = "/moved/beta"

    def app(self) -> ASGIApp:
        served, moved = super().app(), redirector("/moved/beta")

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await (served if scope["path"].startswith(self.base_path) else moved)(scope, receive, send)

        return app


def test_followed_redirects_within_the_origin_keep_credentials(listeners, run_suite) -> None:
    server = MovedWithinOrigin(token="rdr-9c41f7e2a05b-3")
    background = listeners(server.app(), "")
    run = run_suite("--base-url", background.url + "/beta", "--token", server.token, "--follow-redirects")
    assert run.exit_code == 0, run.output


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> dict[str, str]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    files = {"ca": folder / "ca.pem", "chain": folder / "chain.pem", "key": folder / "key.pem"}
    ca.cert_pem.write_to_path(str(files["ca"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(files["chain"]), append=True)
    return {name: str(path) for name, path in files.items()}


@pytest.fixture
def tls_server(listeners, tls_files) -> tuple[str, str]:
    server = ReferenceServer(token="tls-token-4")
    background = listeners(server.app(), server.base_path, tls=(tls_files["chain"], tls_files["key"]))
    assert background.url.startswith("https://")
    return background.url, server.token


def test_tls_is_verified_by_default(tls_server, run_suite) -> None:
    url, token = tls_server
    run = run_suite("--base-url", url, "--token", token)
    assert run.exit_code == 3, run.output
    untrusted = r"certificate verify failed: unable to get local issuer certificate \("
    assert re.search(r"no verdict \(exit 3\): TLS verification failed for https://127.0.0.1:\d+: " + untrusted, run.output), run.output
    assert "(--ca-bundle=FILE trusts a private CA; --insecure turns verification off)" in run.output


def test_a_private_ca_is_trusted_with_ca_bundle(tls_server, tls_files, run_suite) -> None:
    url, token = tls_server
    run = run_suite("--base-url", url, "--token", token, f"--ca-bundle={tls_files['ca']}")
    assert run.exit_code == 0, run.output
    report = html.unescape(html.unescape(Path(run.reports / "report.html").read_text()))
    assert f"on, trusting {tls_files['ca']}" in report


def test_insecure_skips_verification_and_the_reports_say_so(tls_server, run_suite) -> None:
    url, token = tls_server
    run = run_suite("--base-url", url, "--token", token, "--insecure")
    assert run.exit_code == 0, run.output
    assert "TLS verification is OFF (--insecure)" in run.output
    report = html.unescape(html.unescape(Path(run.reports / "report.html").read_text()))
    assert "OFF (--insecure): certificates were not verified" in report


# --- interim answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "interim, workers",
    [(EARLY_HINTS, ()), (PROCESSING + EARLY_HINTS + EARLY_HINTS, ("-n", "2")), (CONTINUE + UNKNOWN_INTERIM + PROCESSING, ())],
    ids=["103-with-links", "102-then-two-103s", "100-then-unknown-1xx-then-102"],
)
def test_interim_answers_before_every_answer_are_read_past(interim: bytes, workers, serve, raw, run_suite) -> None:
    """RFC 9110 § 15.2: a client must parse and ignore the 1xx answers it did not ask for."""
    served = serve()
    front = raw(Relay(backend(served), interim=interim))
    run = run_suite("--base-url", front.url, "--token", served.token, *workers)
    assert run.exit_code == 0, run.output
    assert set(run.outcomes.values()) == {"pass"}, run.output
    assert_no_token(run, served.token)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_interim_answers_are_read_past_over_http_and_https_alike(scheme: str, serve, tls_files) -> None:
    served = serve()
    tls = None
    if scheme == "https":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(tls_files["chain"], tls_files["key"])
    front = RawServer(Relay(backend(served), interim=PROCESSING + EARLY_HINTS + UNKNOWN_INTERIM), tls=tls)
    client = Client(ClientSettings(front.url, served.token, verify=tls_files["ca"]))
    try:
        exchanges = [client.create(APPLICATION, SPEC_EXAMPLE) for _ in range(2)]  # the second on the kept-alive connection
    finally:
        client.close()
        front.stop()
    assert front.url.startswith(f"{scheme}://")
    for exchange in exchanges:
        assert exchange.answered and exchange.response is not None and exchange.response.status == 201
        assert exchange.response.header("link") is None and exchange.response.header("x-progress") is None  # the interim ones' headers


def test_101_switching_protocols_is_the_answer_not_an_interim_one(raw) -> None:
    """The suite never asks to switch protocols: a 101 is the final answer, and is judged as one."""
    server = raw(switches_protocols)
    client = Client(ClientSettings(server.url, "t", timeout=2))
    exchange = client.create(APPLICATION, SPEC_EXAMPLE)
    client.close()
    assert exchange.response is not None and (exchange.response.status, exchange.response.reason) == (101, "Switching Protocols")


def test_interim_answers_without_end_end_at_the_request_timeout(serve, raw) -> None:
    served = serve()
    front = raw(Misbehaving(backend(served), interim_forever))
    client = Client(ClientSettings(front.url, served.token, timeout=0.5))
    started = time.monotonic()
    endless = client.send(client.request(APPLICATION, b"{not json"))
    elapsed = time.monotonic() - started
    answered = client.create(APPLICATION, SPEC_EXAMPLE)
    client.close()
    assert 0.45 < elapsed < 1.2, elapsed
    assert endless.error == "no answer within 0.5 s" and endless.shortfall is Shortfall.TIMEOUT
    assert answered.response is not None and answered.response.status == 201


# --- connections closed under a request ---------------------------------------------------------------


# One process only: under -n the workers' requests take turns at the target's rhythm in no set order,
# and a known-good request may land on a dropped turn (the target then looks stopped).
@pytest.mark.parametrize(
    "pattern, closing",
    [(".x", True), ("..x", True), (".xx.", False)],
    ids=["every-other-each-on-a-new-connection", "every-third-each-on-a-new-connection", "two-in-a-row-kept-alive"],
)
def test_a_request_dropped_on_a_new_connection_is_no_answer_and_never_sent_again(
    pattern: str, closing: bool, serve, raw, run_suite
) -> None:
    """The target had the request (a create sent again could be made twice, RFC 9112 § 9.3.1): it is
    SYNC-ANSWERED's. `closing`: every answer says `Connection: close`, so every request goes out on a new
    connection. Kept alive, the drop of the 2nd request is on a reused connection and is sent again,
    once: the 3rd, dropped on a new connection, is judged."""
    served = serve()
    closes: dict[str, Any] = {"header": b"Connection: close", "then": closes_at_once} if closing else {}
    front = raw(Misbehaving(backend(served), drops, Rhythm(pattern), **closes))
    # Sent one at a time (no bursts): the rhythm is of requests in a row, and a burst's members would
    # take its turns in whatever order they overlap.
    run = run_suite("--base-url", front.url, "--token", served.token, "--concurrency", "1")
    assert run.exit_code == 1, run.output
    assert run.outcomes["SYNC-ANSWERED"] == "fail" and run.caught() == {"SYNC-ANSWERED"}, run.output
    dropped = r"connection dropped before an answer: RemoteDisconnected: Remote end closed connection without response"
    assert re.search(rf"^SYNC-ANSWERED +MUST +FAIL +{dropped}", run.output, re.M), run.output
    assert "SYNC-ANSWERED (MUST) failed: connection dropped before an answer" in report_text(run)
    assert run.verdict and run.verdict["stopped"] is None and "stopped answering" not in run.output
    assert (run.verdict["traffic"]["resent"] == 0) is closing  # sent again only from a reused connection
    assert_no_token(run, served.token)


@ALONE_AND_SPLIT
@pytest.mark.parametrize("closing", ["at-once", "as-the-next-request-arrives"])
def test_a_correct_target_that_closes_kept_alive_connections_passes_and_resends_are_counted(
    closing: str, serve, raw, run_suite, workers
) -> None:
    """A server may close a kept-alive connection at any time without saying `Connection: close`
    (RFC 9112 § 9.5): at once after an answer, or as the next request arrives, as an idle timeout that
    races it would; a client cannot tell such a request from one the server read, and sends it again on
    a new connection, once, as browsers do."""
    served = serve()
    then = closes_at_once if closing == "at-once" else ClosesAsTheNextRequestArrives()
    front = raw(Relay(backend(served), then=then))
    run = run_suite("--base-url", front.url, "--token", served.token, *workers)
    assert run.exit_code == 0, run.output
    assert set(run.outcomes.values()) == {"pass"}, run.output
    assert run.verdict
    resent = run.verdict["traffic"]["resent"]
    if isinstance(then, ClosesAsTheNextRequestArrives):
        assert resent == then.closed > 50  # each request closed unread sent again once, and only those
    if resent:
        line = f"resent: {resent} request(s) sent again, once each: the kept-alive connection each went out on closed before any answer"
        assert line in run.output and line in report_text(run)
    assert_no_token(run, served.token)

"""Redirects and TLS, on loopback listeners: credentials never follow a redirect to another origin,
and TLS is verified unless the user says otherwise (then the reports say so)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.server import BackgroundServer, ReferenceServer

from .servers import Variant


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
    behind = RecordsAuthorization(token="redirect-token-1")
    target = listeners(behind.app(), behind.base_path)
    front = listeners(redirector(target.url), "/beta")
    run = run_suite("--base-url", front.url, "--token", behind.token)
    assert run.exit_code == 1
    assert "SYNC-CREATE-201 (MUST) failed: expected 201 Created, got 307 Temporary Redirect" in run.output
    assert behind.seen == []


def test_followed_redirects_never_carry_credentials_to_another_origin(listeners, run_suite) -> None:
    behind = RecordsAuthorization(token="redirect-token-2")
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
    server = MovedWithinOrigin(token="redirect-token-3")
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

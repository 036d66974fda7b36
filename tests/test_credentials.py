"""Client credentials against a fake token endpoint on loopback (TLS from a throwaway CA, as msal
insists on https): tokens are fetched, refreshed when a run outlives them, and appear in no
artifact, nor does the client secret."""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs

import pytest
import trustme
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.server import BackgroundServer, ReferenceServer

from .conftest import SUITE, _outcomes
from .inprocess import Done, run_pytest

TENANT, CLIENT, SECRET = "contoso-tenant", "11111111-2222-3333-4444-555555555555", "client-secret-canary-9c1f"
LIFETIME = 8.0  # seconds the target accepts a token; msal renews a token with under 5 min left


class TokenEndpoint:
    """Just enough of Entra ID for msal: discovery and the client-credentials grant."""

    def __init__(self) -> None:
        self.issued: dict[str, float] = {}
        self.base = ""

    def app(self) -> Starlette:
        async def discovery(request: Request) -> Response:
            root = f"{self.base}/{TENANT}"
            return JSONResponse(
                {
                    "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{root}/oauth2/v2.0/token",
                    "issuer": f"{root}/v2.0",
                }
            )

        async def token(request: Request) -> Response:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != ("client_credentials", CLIENT, SECRET):
                return JSONResponse({"error": "invalid_client", "error_description": "Bad credentials."}, 401)
            value = "issued-" + secrets.token_urlsafe(16)
            self.issued[value] = time.monotonic()
            # 302 s: msal treats it as stale (under 5 minutes left) two seconds after it is issued, so a run of
            # a few seconds renews it; a live tenant's tokens last an hour. (At one a second, each holding
            # its own secret for the Redactor to compile, a run slowed by a loaded machine renewed a token
            # on every request and never finished.)
            return JSONResponse({"token_type": "Bearer", "expires_in": 302, "access_token": value})

        return Starlette(
            routes=[
                Route(f"/{TENANT}/v2.0/.well-known/openid-configuration", discovery),
                Route(f"/{TENANT}/oauth2/v2.0/token", token, methods=["POST"]),
            ]
        )


class AcceptsIssuedTokens(ReferenceServer):
    """The reference server, trusting what the endpoint issued, for LIFETIME seconds."""

    def __init__(self, endpoint: TokenEndpoint) -> None:
        super().__init__(token="")
        self.endpoint = endpoint

    def authenticate(self, request: Request) -> Response | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        issued = self.endpoint.issued.get(value)
        if scheme.lower() != "bearer" or issued is None or time.monotonic() - issued > LIFETIME:
            return self.error(request, 401, "InvalidAuthenticationToken", "Access token has expired or is not valid.")
        return None


@pytest.fixture
def entra(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(tmp_path / "chain.pem"), append=True)
    endpoint = TokenEndpoint()
    authority = BackgroundServer(endpoint.app(), tls=(str(tmp_path / "chain.pem"), str(tmp_path / "key.pem"))).start()
    endpoint.base = authority.url
    target_server = AcceptsIssuedTokens(endpoint)
    target = BackgroundServer(target_server.app(), target_server.base_path).start()
    yield endpoint, authority.url, target.url, str(tmp_path / "ca.pem")
    target.stop()
    authority.stop()


def run(tmp_path, *args: str, secret: str | None = SECRET) -> Done:
    """The suite, in this process (tests/inprocess.py), with only the client secret given, if any."""
    reports = tmp_path / "reports"
    arguments = [
        str(SUITE), "-p", "no:cacheprovider",
        f"--junitxml={reports / 'junit.xml'}", f"--html={reports / 'report.html'}", "--self-contained-html", *args,
    ]  # fmt: skip
    return run_pytest(arguments, folder=tmp_path, env={"GRAPH_TOKEN": None, "GRAPH_CLIENT_SECRET": secret})


@pytest.mark.slow
def test_tokens_are_fetched_refreshed_and_never_written(entra, tmp_path) -> None:
    endpoint, authority, target, ca = entra
    done = run(
        tmp_path, "--base-url", target, "--tenant-id", TENANT, "--client-id", CLIENT,
        "--authority-host", authority, f"--ca-bundle={ca}", "--max-examples", "100",
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert set(_outcomes(tmp_path / "reports" / "junit.xml").values()) == {"pass"}
    assert len(endpoint.issued) >= 2, "a run longer than a token's life must renew it"
    artifacts = [p.read_text(encoding="utf-8") for p in (tmp_path / "reports").rglob("*") if p.is_file()] + [output]
    for secret in [SECRET, *endpoint.issued]:
        assert not [text for text in artifacts if secret in text]


@pytest.mark.slow
def test_a_wrong_client_secret_is_one_line(entra, tmp_path) -> None:
    _, authority, target, ca = entra
    done = run(
        tmp_path, "--base-url", target, "--tenant-id", TENANT, "--client-id", CLIENT,
        "--authority-host", authority, f"--ca-bundle={ca}", secret="wrong-secret",
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert f"no verdict (exit 3): no token from {authority}/{TENANT} for client {CLIENT}: invalid_client" in output
    assert "Traceback" not in output and "wrong-secret" not in output


@pytest.mark.parametrize(
    "args, secret, message",
    [
        (["--tenant-id", TENANT], SECRET, "client credentials need both --tenant-id and --client-id"),
        (
            ["--tenant-id", TENANT, "--client-id", CLIENT],
            None,
            "client credentials need the client secret in the environment variable GRAPH_CLIENT_SECRET",
        ),
        (
            ["--tenant-id", TENANT, "--client-id", CLIENT, "--token", "t"],
            SECRET,
            "--token and --tenant-id/--client-id are two ways to authenticate: give one",
        ),
    ],
    ids=["no-client-id", "no-secret", "token-too"],
)
def test_credential_usage_errors_are_one_line(tmp_path, args: list[str], secret: str | None, message: str) -> None:
    done = run(tmp_path, "--base-url", "https://graph.example/beta", *args, secret=secret)
    assert done.returncode == 4
    assert f"ERROR: {message}" in done.stderr

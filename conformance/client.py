"""The only module that opens sockets: one HTTP session per run, one policy for every request.

Timeouts, the run deadline, the response size cap, TLS, redirects and the circuit breaker live here,
so that no check or test can forget them. A failure of one request is recorded in its exchange (the
requirement being checked then fails with a one-line reason, never a traceback); a failure that
leaves no verdict to give (the target unreachable, its TLS untrusted, the token refused on every
request, the deadline passed) raises `NoVerdict`, which stops the run.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from urllib3.exceptions import ProtocolError

from .config import DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT
from .errors import NoVerdict
from .exchange import Exchange, Request, Response, header

USER_AGENT = "graph-sync-conformance"
DROPPED = "connection dropped before an answer"
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    token: str | None
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds for one request, from sending it to the last byte of its answer."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    verify: bool | str = True
    """TLS: True verifies against the system's CAs, a path trusts that CA bundle, False does not verify."""
    follow_redirects: bool = False
    deadline: float | None = None
    """time.monotonic() after which no request is sent."""
    breaker: int = 3
    """Consecutive requests with no answer after which the target is declared unreachable."""
    refusals: int = 5
    """Consecutive 401s to the suite's own token after which the token is declared refused."""
    token_provider: Callable[[], str] | None = None
    """Where a fresh token comes from (client credentials), instead of the fixed `token`."""


class Client:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._session = requests.Session()
        self._session.trust_env = False  # a proxy or netrc from the environment must not see the token
        self._session.verify = settings.verify
        self._unanswered = 0
        self._refused = 0

    def close(self) -> None:
        self._session.close()

    def url(self, application_id: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/applications/{quote(application_id, safe='')}/synchronization"

    def token(self) -> str | None:
        """The token to send now: a fresh one from the provider (client credentials), or the fixed one."""
        return self.settings.token_provider() if self.settings.token_provider else self.settings.token

    def bearer(self) -> str | None:
        token = self.token()
        return f"Bearer {token}" if token else None

    def request(
        self, application_id: str, body: bytes, payload: Any = None, headers: dict[str, str | None] | None = None
    ) -> Request:
        """A create request as a client of the contract sends it; `headers` replaces defaults, None drops one."""
        merged: dict[str, str | None] = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": self.bearer(),
            **(headers or {}),
        }
        kept = tuple((name, value) for name, value in merged.items() if value is not None)
        return Request("POST", self.url(application_id), kept, body, payload)

    def create(self, application_id: str, payload: Any) -> Exchange:
        """POST one synchronization, exactly as a client of the contract would."""
        return self.send(self.request(application_id, serialize(payload), payload))

    # --- sending ------------------------------------------------------------------------------------

    def send(self, request: Request) -> Exchange:
        """Send one request under the run's policy; raise NoVerdict when the run cannot go on."""
        exchange = self._send_once(request)
        if exchange.error is not None and exchange.error.startswith(DROPPED):
            # A server may close a kept-alive connection at any moment (uvicorn does after an
            # unhandled error); the request that finds it closed never reached the application.
            exchange = self._send_once(request)
        redirects = 0
        while self.settings.follow_redirects and redirects < MAX_REDIRECTS and _is_redirect(exchange):
            redirects += 1
            exchange = self._send_once(self._redirected(request, exchange))
        self._watch(exchange)
        return exchange

    def _redirected(self, request: Request, exchange: Exchange) -> Request:
        """The same request to the Location of a 307/308; credentials only to the same origin."""
        assert exchange.response is not None
        target = urljoin(exchange.request.url, exchange.response.header("location") or "")
        same_origin = _origin(target) == _origin(request.url)
        headers = tuple((k, v) for k, v in request.headers if same_origin or k.lower() != "authorization")
        return Request(request.method, target, headers, request.body, request.payload)

    def _watch(self, exchange: Exchange) -> None:
        """The circuit breaker and the refused-token detector."""
        if exchange.response is None:
            self._unanswered += 1
            if self._unanswered >= self.settings.breaker:
                raise NoVerdict(
                    f"target unreachable: {self._unanswered} requests in a row got no answer (last: {exchange.error})"
                )
            return
        self._unanswered = 0
        bearer = self.bearer()
        if bearer is not None and header(exchange.request.headers, "authorization") == bearer:
            self._refused = self._refused + 1 if exchange.response.status == 401 else 0
            if self._refused >= self.settings.refusals:
                raise NoVerdict(
                    f"the target refused the token on {self._refused} requests in a row (401): "
                    "check --token or GRAPH_TOKEN, and that it is for this target"
                )

    def _timeout(self) -> float:
        if self.settings.deadline is None:
            return self.settings.timeout
        remaining = self.settings.deadline - time.monotonic()
        if remaining <= 0:
            raise NoVerdict("run incomplete: the run deadline (--run-timeout) passed")
        return min(self.settings.timeout, remaining)

    def _send_once(self, request: Request) -> Exchange:
        timeout = self._timeout()
        started = time.perf_counter()
        try:
            with self._session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            ) as raw:
                body, incomplete = self._read_capped(raw, started + timeout)
                response = Response(
                    status=raw.status_code,
                    reason=raw.reason or "",
                    headers=tuple(raw.headers.items()),
                    body=body,
                    incomplete=incomplete,
                )
        except requests.exceptions.SSLError as exc:
            scheme, host, port = _origin(request.url)
            raise NoVerdict(
                f"TLS verification failed for {scheme}://{host}:{port}: {_tls_reason(exc)} "
                "(--ca-bundle FILE trusts a private CA; --insecure turns verification off)"
            ) from None
        except requests.Timeout:
            return Exchange(request, error=f"no answer within {timeout:g} s", elapsed=time.perf_counter() - started)
        except requests.ConnectionError as exc:
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, ProtocolError):
                error = f"{DROPPED}: {_one_line(exc)}"
            else:
                _, host, port = _origin(request.url)
                error = f"cannot connect to {host}:{port} ({_reason(cause)})"
            return Exchange(request, error=error, elapsed=time.perf_counter() - started)
        except requests.RequestException as exc:
            return Exchange(request, error=_one_line(exc), elapsed=time.perf_counter() - started)
        return Exchange(request, response, elapsed=time.perf_counter() - started)

    def _read_capped(self, raw: requests.Response, deadline: float) -> tuple[bytes, str | None]:
        """At most the cap, never the whole of an oversized body, and no longer than the timeout.

        Returns the bytes read and, when they are not the whole body, why.
        """
        cap = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.iter_content(chunk_size=64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    return b"".join(chunks)[:cap], f"body too large: more than {cap:,} bytes"
                if time.perf_counter() > deadline:
                    return b"".join(chunks), f"body not complete within {self.settings.timeout:g} s"
        except (requests.RequestException, ProtocolError) as exc:
            return b"".join(chunks), f"body cut off: {_one_line(exc)}"
        return b"".join(chunks), None


def serialize(payload: Any) -> bytes:
    """JSON as the suite sends it: compact, UTF-8, non-ASCII as is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _is_redirect(exchange: Exchange) -> bool:
    """Only 307 and 308 keep the method and body; 301/302/303 would turn the POST into a GET."""
    return exchange.response is not None and exchange.response.status in (307, 308) and bool(exchange.response.header("location"))


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _reason(cause: object) -> str:
    """The innermost reason urllib3 gives, without its wrapper's repr: 'Connection refused'."""
    reason = getattr(cause, "reason", cause)
    text = str(reason).splitlines()[0] if reason is not None else "no reason given"
    return text.split("): ", 1)[-1]


def _tls_reason(exc: BaseException) -> str:
    """'certificate verify failed: unable to get local issuer certificate', out of urllib3's wrapping."""
    found = re.search(r"\] ([^()]+?) \(_ssl", str(exc))
    return found.group(1) if found else _reason(exc.args[0] if exc.args else exc)


def _one_line(exc: BaseException) -> str:
    kind = type(exc).__name__
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"{kind}: {detail}" if detail else kind

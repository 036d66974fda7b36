"""The only module that opens sockets: one HTTP session per run, one policy for every request.

Timeouts, the response size cap and redirect policy live here so that no check or test can forget
them. A transport failure is recorded in the exchange rather than raised: the requirement being
checked then fails with a one-line reason instead of a traceback.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import ProtocolError

from .exchange import Exchange, Request, Response

USER_AGENT = "graph-sync-conformance"
DROPPED = "connection dropped before an answer"


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    token: str | None
    timeout: float = 10.0
    max_body_bytes: int = 10 * 1024 * 1024


class Client:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._session = requests.Session()
        self._session.trust_env = False  # a proxy from the environment must not see the token

    def close(self) -> None:
        self._session.close()

    def url(self, application_id: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/applications/{quote(application_id, safe='')}/synchronization"

    def request(
        self, application_id: str, body: bytes, payload: Any = None, headers: dict[str, str | None] | None = None
    ) -> Request:
        """A create request as a client of the contract sends it; `headers` replaces defaults, None drops one."""
        merged: dict[str, str | None] = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": f"Bearer {self.settings.token}" if self.settings.token is not None else None,
            **(headers or {}),
        }
        kept = tuple((name, value) for name, value in merged.items() if value is not None)
        return Request("POST", self.url(application_id), kept, body, payload)

    def create(self, application_id: str, payload: Any) -> Exchange:
        """POST one synchronization, exactly as a client of the contract would."""
        return self.send(self.request(application_id, serialize(payload), payload))

    def send(self, request: Request) -> Exchange:
        """Send once; once more on a new connection if the first was dropped before any answer.

        A server may close a kept-alive connection at any moment (uvicorn does after an unhandled
        error); the request that finds it closed never reached the application.
        """
        exchange = self._send_once(request)
        if exchange.error is not None and exchange.error.startswith(DROPPED):
            return self._send_once(request)
        return exchange

    def _send_once(self, request: Request) -> Exchange:
        started = time.perf_counter()
        try:
            with self._session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body,
                timeout=self.settings.timeout,
                allow_redirects=False,
                stream=True,
            ) as raw:
                body, truncated = self._read_capped(raw)
                response = Response(
                    status=raw.status_code,
                    reason=raw.reason or "",
                    headers=tuple(raw.headers.items()),
                    body=body,
                    truncated=truncated,
                )
        except requests.ConnectionError as exc:
            dropped = isinstance(exc.args[0] if exc.args else None, ProtocolError)
            error = f"{DROPPED}: {_one_line(exc)}" if dropped else _one_line(exc)
            return Exchange(request, error=error, elapsed=time.perf_counter() - started)
        except requests.RequestException as exc:
            return Exchange(request, error=_one_line(exc), elapsed=time.perf_counter() - started)
        return Exchange(request, response, elapsed=time.perf_counter() - started)

    def _read_capped(self, raw: requests.Response) -> tuple[bytes, bool]:
        """Read at most the cap, never the whole of an oversized body."""
        cap = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(chunk_size=64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                return b"".join(chunks)[:cap], True
        return b"".join(chunks), False


def serialize(payload: Any) -> bytes:
    """JSON as the suite sends it: compact, UTF-8, non-ASCII as is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _one_line(exc: requests.RequestException) -> str:
    kind = type(exc).__name__
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"{kind}: {detail}" if detail else kind

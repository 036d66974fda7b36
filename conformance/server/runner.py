"""Running a server app under uvicorn: in a background thread on a loopback port (a pytest session, a
test), or in the foreground (`graph-sync-conformance serve`), with one configuration for both.

The socket is bound when a BackgroundServer is made, so its URL is known (and can go in the report's
environment table) before the server is started; it is started only when first needed.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

from .limits import Limits
from .protocol import BoundedHttpToolsProtocol


def listening_socket(host: str, port: int = 0) -> socket.socket:
    # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP; without
    # it, a response written in two parts waits ~40 ms for a delayed ACK (about 23 requests/s).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    return listener


def uvicorn_config(app: ASGIApp, limits: Limits, tls: tuple[str, str] | None = None) -> uvicorn.Config:
    """httptools parses HTTP in C: about 15 % more requests/s than h11 here, bounded by
    BoundedHttpToolsProtocol. uvloop measured no faster than asyncio's own loop, so the loop is
    pinned rather than left to what happens to be installed; so is WebSocket support, off (the
    protocol refuses a switch), whatever WebSocket library happens to be installed. No proxy is
    trusted: uvicorn would take the scheme from a loopback client's X-Forwarded-Proto."""
    certfile, keyfile = tls or (None, None)
    return uvicorn.Config(
        app,
        http=BoundedHttpToolsProtocol.bounded_by(limits),
        loop="asyncio",
        ws="none",
        proxy_headers=False,
        lifespan="off",
        # log_config=None: leave logging to the host process (pytest captures it), do not reconfigure it.
        log_config=None,
        access_log=False,
        timeout_keep_alive=int(limits.idle_timeout),
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )


def serve_forever(app: ASGIApp, listener: socket.socket, limits: Limits) -> None:
    """In the foreground, until interrupted, on a socket bound already (so that a bad address or a port
    in use is found by whoever binds it, before anything is served)."""
    uvicorn.Server(uvicorn_config(app, limits)).run(sockets=[listener])


class BackgroundServer:
    def __init__(
        self, app: ASGIApp, base_path: str = "", host: str = "127.0.0.1", tls: tuple[str, str] | None = None, limits: Limits | None = None
    ) -> None:
        """`tls`: (certificate chain file, private key file) to serve https instead of http."""
        self._socket = listening_socket(host)
        port = self._socket.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{port}{base_path}"
        self._server = uvicorn.Server(uvicorn_config(app, limits or Limits(), tls))
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=lambda: asyncio.run(self._server.serve(sockets=[self._socket])), daemon=True, name="reference-server"
            )
            self._thread.start()
            deadline = time.monotonic() + timeout
            while not self._server.started:
                if not self._thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"the server at {self.url} did not start")
                time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

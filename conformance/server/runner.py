"""Running a server app on a loopback port in a background thread, for a pytest session or a test.

The socket is bound when the object is made, so its URL is known (and can go in the report's
environment table) before the server is started; it is started only when first needed.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn

# httptools parses HTTP in C: about 15 % more requests/s than h11 here. uvloop measured no faster
# than asyncio's own loop, so the loop is pinned rather than left to what happens to be installed.
UVICORN_OPTIONS: dict[str, Any] = {"http": "httptools", "loop": "asyncio", "lifespan": "off"}


class BackgroundServer:
    def __init__(self, app: Any, base_path: str = "", host: str = "127.0.0.1", tls: tuple[str, str] | None = None) -> None:
        """`tls`: (certificate chain file, private key file) to serve https instead of http."""
        # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP; without
        # it, a response written in two parts waits ~40 ms for a delayed ACK (about 23 requests/s).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        port = self._socket.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{port}{base_path}"
        certfile, keyfile = tls or (None, None)
        self._server = uvicorn.Server(
            # log_config=None: leave logging to the host process (pytest captures it), do not reconfigure it.
            uvicorn.Config(
                app,
                log_config=None,
                access_log=False,
                **UVICORN_OPTIONS,
                timeout_keep_alive=30,
                ssl_certfile=certfile,
                ssl_keyfile=keyfile,
            )
        )
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

"""uvicorn's httptools protocol with the two bounds it lacks, a request head's size and its time, and a
Graph error for what it refuses itself (a request it cannot parse, a request to switch protocols).

uvicorn (httptools) holds a request's headers until the last one arrives, however many bytes that
is, and waits for them however slowly they come: one client could fill the memory of a shared mock
with a single endless header, or hold connections open a byte at a time. The app cannot help, as it
is only called once the head is complete, so the bound sits here, in a subclass handed to uvicorn
through its public `http=` option.

A request to switch protocols (`Upgrade` with `Connection: upgrade`, or CONNECT) is refused here
too: llhttp stops parsing at the switch, so uvicorn would hand a WebSocket handshake to whichever
WebSocket library is installed, or pass the request to the app without its body and leave the
connection unable to read another. The server speaks HTTP/1.1 only, and says so in a Graph error.

It overrides only uvicorn's parser callbacks, `data_received`, `send_400_response` and
`_unsupported_upgrade_warning`; tests/test_server_limits.py pins the behaviour it relies on.
"""

from __future__ import annotations

import asyncio
import http
import json
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .graph import graph_error_body, new_request_id, tracing_headers
from .limits import Limits


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    limits: ClassVar[Limits] = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_started = False
        self._head_bytes = 0
        self._completed = False
        """A request was completed by the read being handled."""
        self._refused = False
        """A request was answered here (_refuse): uvicorn never made a cycle for it to complete."""
        self._head_deadline: asyncio.TimerHandle | None = None

    @classmethod
    def bounded_by(cls, limits: Limits) -> type[BoundedHttpToolsProtocol]:
        """The protocol class uvicorn is given (it makes one instance per connection itself)."""
        return type(cls.__name__, (cls,), {"limits": limits})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()  # a connection that never sends a byte is not kept either

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # Only bytes that arrived while a head was incomplete and left it incomplete count: a read
        # that also holds the end of a head and the start of its body does not, nor one that holds a
        # whole request (its head is complete, though a new one is awaited after it). So a head is
        # refused at most one read (asyncio reads up to 256 KiB) past the limit.
        was_in_head, self._completed = self._in_head, False
        super().data_received(data)
        if was_in_head and self._in_head and not self._completed and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_head_bytes:
                self._refuse(431, "RequestHeaderFieldsTooLarge", f"The request head exceeds {self.limits.max_head_bytes} bytes.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_started = True
        if self._head_deadline is None:  # a kept-alive connection's next request: from its first byte
            self._arm_head_deadline()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm_head_deadline()
        if self.parser.should_upgrade():
            asked = next((f"Upgrade: {value.decode('latin-1')}" for name, value in self.headers if name == b"upgrade"), None)
            switch = asked or self.parser.get_method().decode("ascii")
            self._refuse(400, "BadRequest", f"This server speaks HTTP/1.1 only: it does not switch protocols ({switch}).")
            return
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()
        self._in_head, self._head_started, self._head_bytes, self._completed = True, False, 0, True

    def send_400_response(self, msg: str) -> None:
        """A request httptools cannot parse: uvicorn's own 400 is plain text; a Graph error here too."""
        self._refuse(400, "BadRequest", msg)

    def _unsupported_upgrade_warning(self) -> None:
        """Nothing to warn about: the switch was refused with a Graph error (on_headers_complete), where
        uvicorn would advise installing a WebSocket library."""

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.limits.head_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        if not self._head_started and self._head_bytes == 0:
            self.transport.close()  # nothing was asked: close quietly, as after an idle keep-alive
            return
        self._refuse(408, "RequestTimeout", f"The request head did not arrive within {self.limits.head_timeout:g} s.")

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer before the app ever sees the request, as the app answers a refusal (graph.py), and
        close: the rest is never read."""
        self._refused = True
        self._disarm_head_deadline()
        request_id = new_request_id()
        body = json.dumps(graph_error_body(code, message, request_id)).encode("ascii")
        fields = {**tracing_headers(request_id), "content-type": "application/json", "content-length": len(body), "connection": "close"}
        head = f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        self.transport.write(head.encode("ascii") + b"\r\n" + body)
        self.transport.close()

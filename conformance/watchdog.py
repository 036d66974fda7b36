"""A deadline for a whole answer, head and body, however slowly it arrives.

requests and urllib3 time out each socket read, not the answer: a server that sends one byte every
half second never trips a 10 s read timeout and holds a request for as long as it likes. No HTTP
client library in reach bounds the whole answer (requests, urllib3 and httpx all time each
operation), so this module does it the one way that works for plain and TLS sockets alike: when the
answer's time is up, a timer shuts the connection's socket down. The read that is waiting returns at
once (end of stream), the client sees the answer cut short, and `Watch.fired` tells it why.

The socket is found through the connection classes of a requests adapter: each connection arms the
watch of the request in flight (a context variable) when it starts reading the answer. The same
classes, for http and https alike, read past interim (1xx) answers to the final one, inside that
deadline, and tell the watch whether the request went out on a kept-alive connection that had already
carried an answer (the client decides from that whether a dropped request may be sent again).
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Watch:
    """One request's deadline: `seconds` from when it was made."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self.reused = False
        """The request went out on a kept-alive connection that had already carried an answer."""
        self._timer: threading.Timer | None = None

    def arm(self, sock: socket.socket | None) -> None:
        """Shut `sock` down when the deadline passes (at once if it has)."""
        if sock is None or self._timer is not None:
            return
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._fire, (sock,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, sock: socket.socket) -> None:
        self.fired = True
        with contextlib.suppress(OSError):  # already closed: the answer ended on its own
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


_current: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("graph_sync_watch", default=None)


@contextmanager
def watched(seconds: float) -> Iterator[Watch]:
    """Bound every answer read inside the block to `seconds` from now, in all."""
    watch = Watch(seconds)
    token = _current.set(watch)
    try:
        yield watch
    finally:
        _current.reset(token)
        watch.cancel()


def _arm(connection: HTTPConnection) -> None:
    watch = _current.get()
    if watch is not None:
        watch.arm(connection.sock)


class _FinalResponse(http.client.HTTPResponse):
    """The final answer, read past the interim ones before it.

    RFC 9110 § 15.2: a client must parse one or more 1xx responses it did not ask for and ignore them
    (103 Early Hints, 102 Processing, a code not yet defined); http.client skips only 100 Continue, and
    would take a 103 for the answer. 101 Switching Protocols stays final: the suite never asks to
    switch, so one is the answer, and is judged. Their headers are parsed under http.client's own
    bounds (line length, header count), and all of it is read inside the request's watch: a target
    that sends interim answers without end gets no further than one that sends nothing.
    """

    def _read_status(self) -> tuple[str, int, str]:
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]  # private in typeshed, stable in CPython
            if status >= 200 or status == 101:
                return version, status, reason
            http.client.parse_headers(self.fp)


class _WatchedHTTPConnection(HTTPConnection):
    """Arms the watch of the request in flight, reads past interim answers, and tells the watch
    whether the request reuses a kept-alive connection."""

    response_class = _FinalResponse
    _answered = False
    """This connection's socket has carried an answer (so a request on it reuses a kept-alive connection)."""

    def connect(self) -> None:
        super().connect()
        self._answered = False

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _current.get()
        if watch is not None:
            watch.reused = self.sock is not None and self._answered
        super().request(*args, **kwargs)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm(self)
        response = super().getresponse(*args, **kwargs)
        self._answered = True
        return response


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """The same, over TLS."""


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections honour the watch of the request in flight."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

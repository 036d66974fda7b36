"""Targets that misbehave below HTTP's good manners, on raw loopback sockets: they never answer,
reset the connection, send 300 MB, send bytes that are not UTF-8, cut a body off, or drip it.

Each accepts connections in a thread and runs its behaviour on every request until stopped. A
`Relay` is a correct server (the reference server behind a raw-socket front) with unusual manners
of the wire that HTTP allows: interim answers before each answer, connections closed after one. A
`Misbehaving` target is such a front that misbehaves only on the requests its rule picks: the server
that is up but answers some requests badly or not at all.
"""

from __future__ import annotations

import itertools
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

Behaviour = Callable[[socket.socket], None]


class _Incoming:
    """The bytes a peer sends, read as far as each part of a message needs; a part is None when the
    peer closed the connection first."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.data = conn, b""

    def until(self, marker: bytes) -> bytes | None:
        while marker not in self.data:
            if not self._more():
                return None
        part, _, self.data = self.data.partition(marker)
        return part

    def exactly(self, size: int) -> bytes | None:
        while len(self.data) < size:
            if not self._more():
                return None
        part, self.data = self.data[:size], self.data[size:]
        return part

    def _more(self) -> bool:
        chunk = self.conn.recv(65536)
        self.data += chunk
        return bool(chunk)


def _read_message(conn: socket.socket) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message's head and body; None when the peer has gone. A chunked body is joined and
    the head re-framed with a Content-Length, as a proxy may (RFC 9112 § 7.1.3)."""
    incoming = _Incoming(conn)
    head = incoming.until(b"\r\n\r\n")
    if head is None:
        return None
    lines = head.split(b"\r\n")
    if any(line.lower().replace(b" ", b"") == b"transfer-encoding:chunked" for line in lines):
        body = b""
        while (size_line := incoming.until(b"\r\n")) is not None and (size := int(size_line.split(b";")[0], 16)):
            piece = incoming.exactly(size + 2)
            if piece is None:
                return None
            body += piece[:-2]
        if size_line is None or incoming.until(b"\r\n") is None:
            return None
        kept = [line for line in lines if not line.lower().startswith(b"transfer-encoding:")]
        return b"\r\n".join([*kept, b"Content-Length: %d" % len(body)]), body
    length = next((int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")), 0)
    whole = incoming.exactly(length)
    return None if whole is None else (head, whole)


def _read_request(conn: socket.socket) -> bool:
    """Read one request's head and body; False when the client has gone."""
    return _read_message(conn) is not None


def never_answers(conn: socket.socket) -> None:
    _read_request(conn)
    threading.Event().wait(3600)


def resets(conn: socket.socket) -> None:
    _read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def sends_300_mb(conn: socket.socket) -> None:
    size = 300 * 1024 * 1024
    while _read_request(conn):
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
        conn.sendall(b'{"id": "')
        block = b"a" * (1024 * 1024)
        for _ in range(300):
            conn.sendall(block)


def sends_invalid_utf8(conn: socket.socket) -> None:
    body = b'{"@odata.type": "#microsoft.graph.synchronization", "id": "\xff\xfe\xfd", "secrets": []}'
    while _read_request(conn):
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def cuts_off(conn: socket.socket) -> None:
    """Promises 1,000 bytes, sends 20, and closes."""
    if _read_request(conn):
        conn.sendall(b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id": "e4a1fb12-fb1')


class RawServer:
    def __init__(self, behaviour: Behaviour, tls: ssl.SSLContext | None = None, *, serial: bool = False) -> None:
        """`tls`: serve https with this server-side context (the handshake is done per connection);
        `serial`: one connection at a time, the next accepted when the one before is closed."""
        self.behaviour = behaviour
        self.tls = tls
        self.serial = serial
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}/beta"
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            if self.serial:
                self._serve(conn)
            else:
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.behaviour(conn)
        except OSError:
            pass  # the client went away: that is the point of most of these
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()


def drip_answer(conn: socket.socket) -> None:
    """A complete 201, head and body, sent one byte every twentieth of a second (about ten seconds in
    all): each byte comes well within any request timeout the tests set, the whole answer never does."""
    body = b'{"@odata.type":"#microsoft.graph.synchronization","id":"e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4","secrets":[]}'
    answer = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    for byte in answer:
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def drips(conn: socket.socket) -> None:
    """Every answer dripped."""
    while _read_request(conn):
        drip_answer(conn)


# --- answers to the requests a Misbehaving target picks --------------------------------------------


def hangs(conn: socket.socket) -> None:
    threading.Event().wait(3600)


def drops(conn: socket.socket) -> None:
    """Closes the connection without a byte of answer."""
    conn.shutdown(socket.SHUT_RDWR)


def broken_status_line(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 2x01 Created\r\nContent-Length: 0\r\n\r\n")


def too_many_headers(conn: socket.socket) -> None:
    headers = b"".join(b"X-Filler-%d: %d\r\n" % (n, n) for n in range(150))
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n" + headers + b"Content-Length: 0\r\n\r\n")


# Interim answers (RFC 9110 § 15.2), raw: what a correct server may send before any answer.
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </beta/$metadata>; rel=preload\r\nLink: </sync.css>; rel=preload; as=style\r\n\r\n"
PROCESSING = b"HTTP/1.1 102 Processing\r\n\r\n"
UNKNOWN_INTERIM = b"HTTP/1.1 199 Whatever Comes Next\r\nX-Progress: 50%\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def switches_protocols(conn: socket.socket) -> None:
    """101 Switching Protocols to every request, which asked for no upgrade."""
    while _read_request(conn):
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")


def interim_forever(conn: socket.socket) -> None:
    """103 Early Hints every tenth of a second, and never the answer."""
    while True:
        conn.sendall(EARLY_HINTS)
        time.sleep(0.1)


def closes_at_once(conn: socket.socket) -> None:
    """After an answer: closes the connection, whether the answer said `Connection: close` or not."""
    conn.shutdown(socket.SHUT_RDWR)


class ClosesAsTheNextRequestArrives:
    """After an answer: closes the connection as the next request on it arrives, without reading it, as
    a server whose idle timeout ends just as the client reuses the connection (RFC 9112 § 9.5). The
    request never reached the server; `closed` counts them."""

    def __init__(self) -> None:
        self.closed = 0
        self._lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        if conn.recv(1, socket.MSG_PEEK):  # unread bytes left at close: the peer gets a reset
            with self._lock:
                self.closed += 1


class Rhythm:
    """Picks requests by their place in the order the target gets them: in `pattern`, repeated, an `x`
    is picked and a `.` is not (`".x"`: every other request)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._places = itertools.count()

    def __call__(self, body: bytes) -> bool:
        return self.pattern[next(self._places) % len(self.pattern)] == "x"


def json_object(body: bytes) -> bool:
    """A body that is a JSON object: what a create carries."""
    return body.lstrip().startswith(b"{") and not not_json(body)


class Repeats:
    """Picks a body the target has had before, of those `kept` says it remembers (by default every JSON
    object): an "idempotency" lock that holds a repeated create for ever."""

    def __init__(self, kept: Callable[[bytes], bool] = json_object) -> None:
        self.kept = kept
        self.seen: set[bytes] = set()

    def __call__(self, body: bytes) -> bool:
        if body in self.seen:
            return True
        if self.kept(body):
            self.seen.add(body)
        return False


def not_json(body: bytes) -> bool:
    """The rule of the targets in the field: a body that is not JSON (Prism never answers one)."""
    try:
        json.loads(body)
    except ValueError:
        return True
    return False


class Relay:
    """A raw-socket front for a correct server at `backend` (host, port): it forwards every request and
    relays the answer, after the raw interim answers `interim` and with the raw header line `header`
    added; `then`, when given, is what it does with the connection after each answer it relays (close
    it, say), and ends the connection's turn."""

    def __init__(
        self,
        backend: tuple[str, int],
        *,
        interim: bytes = b"",
        header: bytes = b"",
        then: Behaviour | None = None,
    ) -> None:
        self.backend, self.interim, self.header, self.then = backend, interim, header, then

    def __call__(self, conn: socket.socket) -> None:
        with socket.create_connection(self.backend) as upstream:
            while (request := _read_message(conn)) is not None:
                head, body = request
                if self.intercepted(conn, body):
                    return
                upstream.sendall(head + b"\r\n\r\n" + body)
                answer = _read_message(upstream)
                if answer is None:
                    return
                answer_head = answer[0] + b"\r\n" + self.header if self.header else answer[0]
                if not self.answer(conn, self.interim + answer_head, answer[1]):
                    return
                if self.then is not None:
                    self.then(conn)
                    return

    def intercepted(self, conn: socket.socket, body: bytes) -> bool:
        """Whether the front dealt with this request itself instead of forwarding it: never, here."""
        return False

    def answer(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        """Send the backend's answer on; False ends the connection's turn (the answer was not finished)."""
        conn.sendall(head + b"\r\n\r\n" + body)
        return True


class Misbehaving(Relay):
    """A `Relay` except for the requests `picks` chooses, which get `behaviour` instead (and the
    connection ends)."""

    def __init__(self, backend: tuple[str, int], behaviour: Behaviour, picks: Callable[[bytes], bool] = not_json, **relay: Any) -> None:
        super().__init__(backend, **relay)
        self.misbehave, self.picks = behaviour, picks
        self.picked = 0

    def intercepted(self, conn: socket.socket, body: bytes) -> bool:
        if not self.picks(body):
            return False
        self.picked += 1
        self.misbehave(conn)
        return True


# --- a target up and answering, but not the answers of one kind ----------------------------------


def _status(head: bytes) -> int:
    return int(head.split(b" ", 2)[1])


def chunked_without_end(conn: socket.socket, head: bytes, body: bytes) -> None:
    """The answer chunked, its first chunk sent and never the last: the body never completes."""
    kept = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    half = body[: len(body) // 2]
    conn.sendall(b"\r\n".join([*kept, b"Transfer-Encoding: chunked"]) + b"\r\n\r\n" + b"%x\r\n" % len(half) + half + b"\r\n")
    threading.Event().wait(3600)


def shorter_than_its_length(conn: socket.socket, head: bytes, body: bytes) -> None:
    """The answer's head as it is (its Content-Length the whole body's), half its body, and then nothing."""
    conn.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
    threading.Event().wait(3600)


def head_only(conn: socket.socket, head: bytes, body: bytes) -> None:
    """The answer's head, and not a byte of its body."""
    conn.sendall(head + b"\r\n\r\n")
    threading.Event().wait(3600)


Unfinishing = Callable[[socket.socket, bytes, bytes], None]


class NeverFinishes201(Relay):
    """A correct server's front that relays every answer but a 201, which it starts and never finishes
    (`unfinishing`): every refusal (400, 401, 415, ...) is answered whole, and no create is."""

    def __init__(self, backend: tuple[str, int], unfinishing: Unfinishing) -> None:
        super().__init__(backend)
        self.unfinishing = unfinishing

    def answer(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        if _status(head.split(b"\r\n\r\n")[-1]) != 201:
            return super().answer(conn, head, body)
        self.unfinishing(conn, head, body)
        return False


def creates_with_several_secrets(body: bytes) -> bool:
    """A body a server would create from, with two or more secrets: JSON with a `secrets` array that long."""
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return isinstance(value, dict) and isinstance(value.get("secrets"), list) and len(value["secrets"]) >= 2


class DropsCreates(Relay):
    """A correct server's front that drops the connection on the creates `picks` chooses, once it has
    read their head and seen them carry the run's credentials: every refusal (no or wrong credentials,
    media type, a body that is not JSON) is answered whole."""

    def __init__(self, backend: tuple[str, int], token: str, picks: Callable[[bytes], bool]) -> None:
        super().__init__(backend)
        self.bearer = b"authorization: bearer " + token.encode()
        self.picks = picks

    def __call__(self, conn: socket.socket) -> None:
        with socket.create_connection(self.backend) as upstream:
            while (request := _read_message(conn)) is not None:
                head, body = request
                authorized = any(line.lower() == self.bearer.lower() for line in head.split(b"\r\n"))
                json_media = b"content-type: application/json" in head.lower()
                if authorized and json_media and self.picks(body):
                    drops(conn)
                    return
                upstream.sendall(head + b"\r\n\r\n" + body)
                answer = _read_message(upstream)
                if answer is None:
                    return
                conn.sendall(answer[0] + b"\r\n\r\n" + answer[1])


# --- a target that keeps what it was sent ----------------------------------------------------------


class _Tee:
    """A connection whose every received byte is also kept, until taken."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.kept = conn, b""

    def recv(self, size: int) -> bytes:
        data = self.conn.recv(size)
        self.kept += data
        return data

    def take(self) -> bytes:
        taken, self.kept = self.kept, b""
        return taken

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


class Recording(Relay):
    """A `Relay` that keeps the bytes of every request as they arrived, in order: what a client really
    sent, to hold its own account of what it sent against (one request at a time, no pipelining)."""

    def __init__(self, backend: tuple[str, int]) -> None:
        super().__init__(backend)
        self.requests: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, conn: socket.socket) -> None:
        super().__call__(_Tee(conn))  # type: ignore[arg-type]

    def intercepted(self, conn: socket.socket, body: bytes) -> bool:
        assert isinstance(conn, _Tee)
        with self._lock:
            self.requests.append(conn.take())
        return False

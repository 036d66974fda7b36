"""Targets that misbehave below HTTP's good manners, on raw loopback sockets: they never answer,
reset the connection, send 300 MB, send bytes that are not UTF-8, or cut a body off.

Each accepts connections in a thread and runs its behaviour on every request until stopped.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]


def _read_request(conn: socket.socket) -> bool:
    """Read one request's head and body; False when the client has gone."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


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
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/beta"
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.behaviour(conn)
        except OSError:
            pass  # the client went away: that is the point of most of these
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

"""What one client may cost the reference server: the bounds that make it safe to share as a mock.

One value for both layers that enforce them: the app (the body, read as it arrives) and the HTTP
protocol under it (the request head, before the app is ever called).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True, kw_only=True)
class Limits:
    max_body_bytes: int = MIB
    """Largest request body read; a larger one is refused with 413 as soon as its Content-Length says
    so or, streamed (chunked), as soon as it passes this, and the connection is closed so the rest is
    never read. The largest valid create (45 secrets with long values) is a few KiB."""
    max_head_bytes: int = 64 * 1024
    """Largest request head (request line and headers): past it, 431 and the connection closed.
    uvicorn's httptools protocol has no bound of its own (a 200 MB header was held whole)."""
    head_timeout: float = 10.0
    """Longest a request head may take to arrive, from a connection's opening or a request's first
    byte: past it, 408 (or, if nothing at all was sent, a quiet close)."""
    body_timeout: float = 10.0
    """Longest a request body may take to arrive once its head is in: past it, 408."""
    idle_timeout: float = 30.0
    """How long a kept-alive connection may sit between requests (uvicorn's timeout_keep_alive)."""

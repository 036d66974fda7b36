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
    max_depth: int = 64
    """Deepest nesting of arrays and objects in a request body: deeper gets 400, read from the bytes
    before they are parsed. A create nests three levels (the body, `secrets`, a secret) and the
    suite's invalid bodies a few more; Python's parser gives up near 1,000 (a 500, before this bound
    was read first), and the suite itself reads no answer nested past 512 (exchange.MAX_DEPTH)."""
    max_secrets: int = 1000
    """Most secrets in one create: more gets 400 once the body is parsed, before it is validated. The
    contract has 45 members and the suite sends up to about 130 secrets; saying what is wrong with an
    invalid one costs about 0.1 ms (jsonschema), so 30,000 of them held the server 3 s."""
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

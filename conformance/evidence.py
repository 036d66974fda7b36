"""How one exchange is shown to a person: request, response, reason, and a curl that reproduces it.

The text is built from the raw exchange and passed through the Redactor as a whole, so a token a
server echoes back is masked too. Bodies are truncated for display only; the curl carries the exact
request body so that it reproduces the case.
"""

from __future__ import annotations

import shlex

from .exchange import Exchange, Headers, Request
from .redaction import Redactor

DISPLAY_BYTES = 8 * 1024


def _body(body: bytes) -> str:
    if not body:
        return "(empty body)"
    shown = body[:DISPLAY_BYTES].decode("utf-8", errors="replace")
    if len(body) > DISPLAY_BYTES:
        shown += f"\n… ({len(body):,} bytes in all; the first {DISPLAY_BYTES:,} shown)"
    return shown


def _headers(headers: Headers) -> list[str]:
    return [f"  {name}: {value}" for name, value in headers]


def curl(request: Request) -> str:
    """A shell command that sends the same request; the token comes from $GRAPH_TOKEN, never the text."""
    parts = ["curl", "-sS", "-i", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers:
        if name.lower() == "authorization":
            parts += ["-H", "'Authorization: Bearer '\"$GRAPH_TOKEN\""]
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body:
        parts += ["--data-binary", shlex.quote(request.body.decode("utf-8", errors="replace"))]
    return " ".join(parts)


def describe(exchange: Exchange, redactor: Redactor) -> str:
    request = exchange.request
    lines = ["Request:", f"  {request.method} {request.url}", *_headers(redactor.headers(request.headers))]
    lines += ["", _body(request.body), ""]
    response = exchange.response
    if response is None:
        lines.append(f"Response: none ({exchange.error})")
    else:
        status = f"{response.status} {response.reason}".rstrip()
        lines += [f"Response: {status} after {exchange.elapsed:.3f} s", *_headers(redactor.headers(response.headers))]
        lines += ["", _body(response.body) + (f"\n… ({response.incomplete})" if response.incomplete else "")]
    lines += ["", "Reproduce:", "  " + curl(request)]
    return redactor.text("\n".join(lines))

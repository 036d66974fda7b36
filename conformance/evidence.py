"""How one exchange is shown to a person (request, response, and a curl that reproduces it) and
recorded for machines (evidence.jsonl: one JSON line per request that went on the wire).

Each value of an exchange that may carry a secret (the URL, header values, bodies, the reason phrase,
the error) is passed through the Redactor on its own, so a token a server echoes back is masked; the
suite's own words around them (the method, `Request:`, `Response:`, field names) never are, so no token
can turn them into the mask. Bodies are truncated for display only; the curl carries the exact request
body so that it reproduces the case (conformance/reproduction.py). A recorded body that is not UTF-8 is
kept as base64 of its exact bytes, never tidied into text it was not.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .exchange import Exchange, Headers, Request, Sent
from .redaction import Redactor
from .reproduction import curl, curl_together

DISPLAY_BYTES = 8 * 1024


def _body(body: bytes, redactor: Redactor) -> str:
    if not body:
        return "(empty body)"
    # Masked before it is cut: a secret straddling the cut cannot leave half of itself behind.
    shown = redactor.head(body, DISPLAY_BYTES).decode("utf-8", errors="replace")
    if len(body) > DISPLAY_BYTES:
        shown += f"\n… ({len(body):,} bytes in all; the first {DISPLAY_BYTES:,} shown)"
    return shown


def _headers(headers: Headers) -> list[str]:
    return [f"  {name}: {value}" for name, value in headers]


def _text(body: bytes, limit: int, redactor: Redactor) -> dict[str, Any]:
    """A body as recorded: its text when it is UTF-8, else `base64` of its bytes; at most `limit` of them."""
    # Masked before it is cut: a secret straddling the cut cannot leave half of itself behind.
    kept = redactor.head(body, limit)
    recorded: dict[str, Any] = {"bytes": len(body), "truncated": len(body) > limit}
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(kept).decode("ascii"), **recorded}
    # A cut may split the last character: the whole body is UTF-8, so only that tail is dropped.
    return {"text": kept.decode("utf-8", errors="ignore"), **recorded}


def record(exchange: Exchange, redactor: Redactor, body_limit: int = 64 * 1024) -> dict[str, Any]:
    """The exchange as JSON for machines (verdict.json, the evidence bundle): redacted, bodies capped.

    Redacted value by value, each value that came from the exchange on its own, and serialised
    afterwards by whoever writes it: a secret that looks like JSON syntax masks string values and never
    breaks the document, and one that is a word of the suite's (`POST`) leaves the method and the keys
    alone. Each body is masked as it is cut (`Redactor.head`): a body is the one value that can be
    megabytes.
    """
    request = exchange.request
    data: dict[str, Any] = {
        "request": {
            "method": request.method,
            "url": redactor.text(request.url),
            "headers": [list(h) for h in redactor.headers(request.headers)],
            "body": _text(request.body, body_limit, redactor),
        },
        "elapsed_seconds": round(exchange.elapsed, 4),
    }
    if exchange.together is not None:  # sent together with others (a burst): when it was in flight
        data["together_seconds"] = [round(moment, 4) for moment in exchange.together]
    response = exchange.response
    if response is not None:
        data["response"] = {
            "status": response.status,
            "reason": redactor.text(response.reason),
            "headers": [list(h) for h in redactor.headers(response.headers)],
            "incomplete": _maybe(response.incomplete, redactor),
            "body": _text(response.body, body_limit, redactor),
        }
    else:
        data["error"] = _maybe(exchange.error, redactor)
    return data


def _maybe(text: str | None, redactor: Redactor) -> str | None:
    return None if text is None else redactor.text(text)


def describe(exchange: Exchange, redactor: Redactor) -> str:
    """The exchange for a person, each value that came from it redacted on its own (as `record` does)."""
    request = exchange.request
    lines = ["Request:", f"  {request.method} {redactor.text(request.url)}", *_headers(redactor.headers(request.headers))]
    lines += ["", _body(request.body, redactor), ""]
    response = exchange.response
    if response is None:
        lines.append(f"Response: none ({_maybe(exchange.error, redactor)})")
    else:
        status = f"{response.status} {redactor.text(response.reason)}".rstrip()
        lines += [f"Response: {status} after {exchange.elapsed:.3f} s", *_headers(redactor.headers(response.headers))]
        incomplete = f"\n… ({redactor.text(response.incomplete)})" if response.incomplete else ""
        lines += ["", _body(response.body, redactor) + incomplete]
    if exchange.together is not None:
        out, answered = (f"+{moment * 1000:.1f} ms" for moment in exchange.together)
        lines += ["", f"Sent together with others: out at {out}, answer in at {answered}"]
    lines += ["", "Reproduce:", *(f"  {line}" for line in curl(_shown(request, redactor), redactor.tokens, literal=redactor.text))]
    return "\n".join(lines)


def reproduced_together(exchanges: Sequence[Exchange], redactor: Redactor) -> list[str]:
    """The lines that re-send requests that were sent together (a burst), together, each as `describe`'s
    curl sends it alone."""
    return curl_together([_shown(e.request, redactor) for e in exchanges], redactor.tokens, literal=redactor.text)


def _shown(request: Request, redactor: Redactor) -> Request:
    """The request as its reproduction may print it: the URL and the body redacted. Header values are
    left as sent, for `curl` to spell one made from the token as a shell expression of $GRAPH_TOKEN and
    to redact every other as it prints it (`literal`): each value is redacted once, in one place."""
    return replace(request, url=redactor.text(request.url), body=redactor.binary(request.body))


def evidence_file(path: Path, worker: str | None) -> Path:
    """Where one writer's evidence goes: `path` itself, or one file beside it per pytest-xdist worker
    (evidence-gw0.jsonl, ...)."""
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if worker else path


def evidence_files(path: Path) -> list[Path]:
    """Every evidence file a run with evidence `path` wrote: its own, or its workers'."""
    return [p for p in (path, *sorted(path.parent.glob(f"{path.stem}-gw*{path.suffix}"))) if p.exists()]


class EvidenceLog:
    """The evidence file, written as the run goes: one JSON line per request that went on the wire,
    redacted, with why it was sent (its probe and case, and `case`, `shrink`, `liveness`, `retry` or
    `redirect`) and what became of it when it was not simply answered.

    Written request by request rather than at the end, so that a run of any size holds no exchange in
    memory once every requirement has judged it, and a run that stops has recorded the request that
    stopped it.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out = path.open("w", encoding="utf-8")
        self._redactor = redactor

    def write(self, sent: Sent, exchange: Exchange) -> None:
        # `finished`: a request is written as soon as its answer is in (or none came), so this is when
        # it ended; with its elapsed time it places the request in time (the HAR file's start times).
        finished = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        why = {"probe": sent.probe, "case": sent.case, "purpose": sent.purpose} | ({"note": sent.note} if sent.note else {})
        line = {**why, "finished": finished, **record(exchange, self._redactor)}
        # ASCII escapes: a U+2028 in a body must not look like a line break to line-based tools.
        self._out.write(json.dumps(line) + "\n")

    def close(self) -> None:
        self._out.close()

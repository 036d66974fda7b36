"""How one exchange is shown to a person: request, response, reason, and a curl that reproduces it.

The text is built from the raw exchange and passed through the Redactor as a whole, so a token a
server echoes back is masked too. Bodies are truncated for display only; the curl carries the exact
request body so that it reproduces the case.
"""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .exchange import Exchange, Headers, Request
from .redaction import Redactor

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


def _text(body: bytes, limit: int, redactor: Redactor) -> dict[str, Any]:
    # Masked before it is cut: a secret straddling the cut cannot leave half of itself behind.
    shown = redactor.head(body, limit).decode("utf-8", errors="replace")
    return {"text": shown, "bytes": len(body), "truncated": len(body) > limit}


def record(exchange: Exchange, redactor: Redactor, body_limit: int = 64 * 1024) -> dict[str, Any]:
    """The exchange as JSON for machines (verdict.json, the evidence bundle): redacted, bodies capped.

    Redacted value by value (`Redactor.data`) and serialised afterwards by whoever writes it, so a
    secret that looks like JSON syntax masks string values and never breaks the document. The bodies
    go in after that, each masked as it is cut (`Redactor.head`): a body is the one value that can be
    megabytes, and masking it twice would cost twice.
    """
    request = exchange.request
    data: dict[str, Any] = {
        "request": {"method": request.method, "url": request.url, "headers": [list(h) for h in redactor.headers(request.headers)]},
        "elapsed_seconds": round(exchange.elapsed, 4),
    }
    if exchange.together is not None:  # sent together with others (a burst): when it was in flight
        data["together_seconds"] = [round(moment, 4) for moment in exchange.together]
    response = exchange.response
    if response is not None:
        data["response"] = {
            "status": response.status,
            "reason": response.reason,
            "headers": [list(h) for h in redactor.headers(response.headers)],
            "incomplete": response.incomplete,
        }
    else:
        data["error"] = exchange.error
    data = redactor.data(data)
    data["request"]["body"] = _text(request.body, body_limit, redactor)
    if response is not None:
        data["response"]["body"] = _text(response.body, body_limit, redactor)
    return data


def describe(exchange: Exchange, redactor: Redactor) -> str:
    request = exchange.request
    lines = ["Request:", f"  {request.method} {request.url}", *_headers(redactor.headers(request.headers))]
    lines += ["", _body(request.body, redactor), ""]
    response = exchange.response
    if response is None:
        lines.append(f"Response: none ({exchange.error})")
    else:
        status = f"{response.status} {response.reason}".rstrip()
        lines += [f"Response: {status} after {exchange.elapsed:.3f} s", *_headers(redactor.headers(response.headers))]
        lines += ["", _body(response.body, redactor) + (f"\n… ({response.incomplete})" if response.incomplete else "")]
    if exchange.together is not None:
        out, answered = (f"+{moment * 1000:.1f} ms" for moment in exchange.together)
        lines += ["", f"Sent together with others: out at {out}, answer in at {answered}"]
    lines += ["", "Reproduce:", "  " + curl(request)]
    return redactor.text("\n".join(lines))


def evidence_file(path: Path, worker: str | None) -> Path:
    """Where one writer's evidence goes: `path` itself, or one file beside it per pytest-xdist worker
    (evidence-gw0.jsonl, ...)."""
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if worker else path


def evidence_files(path: Path) -> list[Path]:
    """Every evidence file a run with evidence `path` wrote: its own, or its workers'."""
    return [p for p in (path, *sorted(path.parent.glob(f"{path.stem}-gw*{path.suffix}"))) if p.exists()]


class EvidenceLog:
    """The evidence file, written as the run goes: one JSON line per case, every exchange redacted.

    Written case by case rather than at the end, so that a run of any size holds no exchange in
    memory once every requirement has judged it.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out = path.open("w", encoding="utf-8")
        self._redactor = redactor

    def write(self, probe: str, case: str, exchanges: tuple[Exchange, ...]) -> None:
        # `finished`: a case is written as soon as its last answer is in, so this is when it ended;
        # with each exchange's elapsed time it places the case in time (the HAR file's start times).
        finished = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = {"probe": probe, "case": case, "finished": finished, "exchanges": [record(e, self._redactor) for e in exchanges]}
        # ASCII escapes: a U+2028 in a body must not look like a line break to line-based tools.
        self._out.write(json.dumps(line) + "\n")

    def close(self) -> None:
        self._out.close()

"""The run's traffic as a HAR 1.2 file (HTTP Archive), which browser devtools and HTTP tools open.

Built from the evidence records (evidence.jsonl, or one file per pytest-xdist worker) and nothing
else: they are already redacted, so the HAR masks credentials exactly as every other artifact does.
Written with harfile (the HAR writer schemathesis uses) entry by entry, the workers' files merged in
time order as they are read, so a run of any size is converted without being held in memory.

What the records do not hold is said, not invented: header sizes are -1 (unknown), the HTTP version
is the only one the suite's client speaks, and only each exchange's total time was measured, so all
of it is `wait`. Each record is one request and says when it finished; its start is counted back
from there by its elapsed time. A request that got no answer is an entry with status 0 and its error
(`_error`, as browsers write it, and the comment). A body that is not UTF-8 is the base64 of its
exact bytes: `encoding: "base64"` in a response's content, as HAR 1.2 says, and `_encoding` in a
request's postData, which HAR 1.2 gives no encoding (custom fields start with an underscore).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import harfile

from . import __version__
from .errors import HarError, UnusableFile
from .evidence import evidence_files
from .files import json_value, lines, named, replaced
from .text import shown

HTTP_VERSION = "HTTP/1.1"
"""requests (urllib3) speaks HTTP/1.1 only."""
CREATOR = harfile.Creator(name="graph-sync-conformance", version=__version__)
COMMENT = "Create synchronization conformance run; credentials redacted"


@dataclass
class Unanswered(harfile.Response):
    """The response of a request that got none (refused, reset, timed out)."""

    error: str = ""

    def asdict(self) -> dict[str, Any]:
        return {**super().asdict(), "_error": self.error}


@dataclass
class EncodedPostData(harfile.PostData):
    """Posted bytes that are not UTF-8, as base64 (HAR 1.2 has no encoding for postData)."""

    def asdict(self) -> dict[str, Any]:
        return {**super().asdict(), "_encoding": "base64"}


@dataclass(frozen=True)
class Entry:
    started: datetime
    milliseconds: float
    request: harfile.Request
    response: harfile.Response
    comment: str


def _headers(pairs: list[list[str]]) -> list[harfile.Record]:
    return [harfile.Record(name=name, value=value) for name, value in pairs]


def _value(headers: list[harfile.Record], name: str) -> str:
    return next((h.value for h in headers if h.name.lower() == name), "")


def _kept(body: dict[str, Any]) -> str | None:
    """A note when the record kept only the first part of a body."""
    return f"only the first part of the {body['bytes']:,}-byte body was kept in the evidence" if body["truncated"] else None


def _request(data: dict[str, Any]) -> harfile.Request:
    headers = _headers(data["headers"])
    body = data["body"]
    posted = EncodedPostData if "base64" in body else harfile.PostData
    sent = posted(mimeType=_value(headers, "content-type"), text=_body_text(body)) if body["bytes"] else None
    return harfile.Request(
        method=data["method"],
        url=data["url"],
        httpVersion=HTTP_VERSION,
        headers=headers,
        queryString=[harfile.Record(name=k, value=v) for k, v in parse_qsl(urlsplit(data["url"]).query, keep_blank_values=True)],
        postData=sent,
        bodySize=body["bytes"],
        comment=_kept(body),
    )


def _response(exchange: dict[str, Any]) -> harfile.Response:
    data = exchange.get("response")
    if data is None:
        error = str(exchange.get("error") or "no response")
        return Unanswered(status=0, statusText="", httpVersion="", bodySize=-1, comment=f"no response: {error}", error=error)
    headers = _headers(data["headers"])
    body = data["body"]
    notes = [note for note in (_kept(body), data.get("incomplete")) if note]
    return harfile.Response(
        status=data["status"],
        statusText=data["reason"],
        httpVersion=HTTP_VERSION,
        headers=headers,
        content=harfile.Content(
            size=body["bytes"],
            mimeType=_value(headers, "content-type"),
            text=_body_text(body),
            encoding="base64" if "base64" in body else None,
        ),
        redirectURL=_value(headers, "location") if 300 <= data["status"] < 400 else "",
        bodySize=body["bytes"],
        comment="; ".join(notes) or None,
    )


def _body_text(body: dict[str, Any]) -> str:
    return str(body["base64"] if "base64" in body else body["text"])


def _entry(record: dict[str, Any], written: datetime) -> Entry:
    """One evidence record (one request), placed in time by counting back from when it finished."""
    elapsed = record["elapsed_seconds"]
    started = (datetime.fromisoformat(record["finished"]) if "finished" in record else written) - timedelta(seconds=elapsed)
    why = f"{record['probe']}: {record['case']}"
    if record.get("purpose", "case") != "case":
        why += f" ({record['purpose']})"
    if record.get("note"):
        why += f"; {record['note']}"
    return Entry(started, round(elapsed * 1000, 3), _request(record["request"]), _response(record), why)


REORDERED = 1024
"""Entries held back to put one file's records in the order their requests started: records are written
as requests end, and only requests in flight at once (a burst, at most --concurrency) end out of order."""


def entries(path: Path) -> Iterator[Entry]:
    """The entries of one evidence file, in the order they were sent; the file read a line at a time,
    each line within bounds (conformance/files.py)."""
    # Evidence written before records carried `finished`: the file's own time stands in.
    written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    held: list[tuple[datetime, int, Entry]] = []
    try:
        for number, line in lines(path):
            where = f"{named(path)}:{number}"
            try:
                entry = _entry(json_value(line, where), written)
            except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
                raise HarError(f"{where}: not an evidence record ({type(exc).__name__}: {shown(str(exc))})") from None
            heapq.heappush(held, (entry.started, number, entry))
            if len(held) > REORDERED:
                yield heapq.heappop(held)[2]
    except UnusableFile as exc:
        raise HarError(str(exc)) from None
    while held:
        yield heapq.heappop(held)[2]


def write(evidence: Path, out: Path) -> int:
    """Write the HAR of a run whose evidence is `evidence` (or its workers' files) to `out`; the number
    of entries written. Written whole or not at all (conformance/files.py): evidence that cannot be
    converted, or a write that fails, leaves `out` as it was."""
    files = evidence_files(evidence)
    if not files:
        raise HarError(f"no evidence at {named(evidence)} (nor {named(evidence.stem)}-gwN{named(evidence.suffix)} beside it)")
    count = 0
    try:
        with replaced(out) as text, harfile.open(text, creator=CREATOR, comment=COMMENT) as har:
            for entry in heapq.merge(*(entries(path) for path in files), key=lambda e: e.started):
                har.add_entry(
                    startedDateTime=entry.started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    time=entry.milliseconds,
                    request=entry.request,
                    response=entry.response,
                    timings=harfile.Timings(send=0, wait=entry.milliseconds, receive=0, comment="only the total time was measured"),
                    comment=entry.comment,
                )
                count += 1
    except UnusableFile as exc:
        raise HarError(str(exc)) from None
    return count

"""The record of one HTTP round trip, the only thing checks ever look at.

Checks are pure functions of an `Exchange`, so they can be unit-tested on hand-made records and the same
record can be shown in every report. The response body is kept as the bytes received (capped by the
client), and parsed lazily, once, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

Headers = tuple[tuple[str, str], ...]


def header(headers: Headers, name: str) -> str | None:
    """The first value of a header, by case-insensitive name."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: Headers
    body: bytes
    payload: Any = None
    """The JSON value the body was serialised from (what the checks compare echoes against)."""


@dataclass(frozen=True)
class JsonBody:
    """A response body parsed as JSON: `value` when it parsed, otherwise `error` says why not."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@lru_cache(maxsize=256)
def parse_media_type(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A Content-Type value's media type (lower case) and parameters, by the stdlib's RFC 2045 parser.

    One parser for both sides: the suite reading a response and the reference server reading a
    request. Cached, because the same few values come again and again and the parser was a tenth of
    the server's time per request (docs/performance.md).
    """
    message = EmailMessage()
    message["content-type"] = raw
    params = tuple((key.lower(), value) for key, value in message["content-type"].params.items())
    # EmailMessage falls back to text/plain for an unparseable value; report what was sent instead.
    media = message.get_content_type()
    if media == "text/plain" and not raw.strip().lower().startswith("text/plain"):
        media = raw.split(";", 1)[0].strip().lower()
    return media, params


def reject_constant(name: str) -> Any:
    """`parse_constant` for json.loads: NaN and Infinity are not JSON (RFC 8259), on either side."""
    raise ValueError(f"{name} is not a JSON value")


class DuplicateMember(ValueError):
    """An object with a member name twice: RFC 8259 § 4 leaves which one counts to the receiver (one
    parser keeps the first, another the last, a third refuses), and I-JSON (RFC 7493 § 2.3) forbids it.
    A body that echoes `secrets` twice, once altered, echoes them or not depending on the client."""


def unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for json.loads: an object, unless a member name is in it twice."""
    made = dict(pairs)
    if len(made) < len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise DuplicateMember(f"member {name!r} appears twice in one object")
            seen.add(name)
    return made


MAX_DEPTH = 512
"""The deepest nesting of arrays and objects a body is read to. Python's parser gives up somewhere
near 1,000 levels, less whatever the stack already holds; a fixed limit below that makes the same
body read the same way wherever it is parsed."""


def nesting(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Headers
    body: bytes
    incomplete: str | None = None
    """Why `body` is not the whole body (too large, cut off, too slow), or None when it is."""

    def header(self, name: str) -> str | None:
        return header(self.headers, name)

    @cached_property
    def media_type(self) -> tuple[str, dict[str, str]] | None:
        """The Content-Type's media type (lower case) and its parameters, or None when absent.

        Parsed rather than compared as a string: OData servers add parameters such as
        `odata.metadata=minimal;odata.streaming=true;charset=utf-8`.
        """
        raw = self.header("content-type")
        if raw is None:
            return None
        media, params = parse_media_type(raw)
        return media, dict(params)

    @cached_property
    def json(self) -> JsonBody:
        """The body as JSON (RFC 8259: UTF-8, no NaN/Infinity), or why it is not JSON."""
        if self.incomplete:
            return JsonBody(error=self.incomplete)
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return JsonBody(error=f"body is not valid UTF-8 ({exc.reason} at byte {exc.start})")
        too_deep = JsonBody(error=f"body is nested more than {MAX_DEPTH} levels deep (RFC 8259 § 9 lets a parser limit nesting)")
        try:
            value = json.loads(text, parse_constant=reject_constant, object_pairs_hook=unique_members)
        except DuplicateMember as exc:
            return JsonBody(error=f"body is not I-JSON ({exc}: clients disagree on which one counts; RFC 7493 § 2.3)")
        except ValueError as exc:
            return JsonBody(error=f"body is not JSON ({exc})")
        except RecursionError:  # Python's parser recurses: its limit is the interpreter's, about 1,000 levels less the stack
            return too_deep
        # Nesting past MAX_DEPTH needs that many opening brackets: most bodies are spared the walk.
        deep = self.body.count(b"[") + self.body.count(b"{") > MAX_DEPTH and nesting(value) > MAX_DEPTH
        return too_deep if deep else JsonBody(value=value)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


class Shortfall(StrEnum):
    """Why a request got no complete, well-formed answer."""

    REFUSED = "refused"
    """No connection could be made."""
    DROPPED = "dropped"
    """The connection closed before any answer."""
    TIMEOUT = "timeout"
    """The answer, head or body, did not complete within the request timeout."""
    MALFORMED = "malformed"
    """What came back is not an HTTP answer (a broken status line, too many headers, ...)."""
    CUT_OFF = "cut off"
    """The body ended before the length its head announced."""
    TOO_LARGE = "too large"
    """The body is larger than the suite reads (--max-body-bytes): the suite's limit, not a broken answer."""

    @property
    def silent(self) -> bool:
        """Nothing came back: the target may be down, or it ignores this request."""
        return self in (Shortfall.REFUSED, Shortfall.DROPPED, Shortfall.TIMEOUT)


@dataclass(frozen=True)
class Exchange:
    """What was sent and what came back, or the transport error that stopped it."""

    request: Request
    response: Response | None = None
    error: str | None = None
    elapsed: float = 0.0
    shortfall: Shortfall | None = None
    """Why there is no complete answer (with `error`, or with a response whose body is incomplete)."""
    shape: str = ""
    """The request's shape, named for the answer it calls for (conformance/shapes.py): what a target that
    answers some requests and not others is told it did not answer."""
    together: tuple[float, float] | None = None
    """For a request sent together with others (a burst, conformance/bursts.py): when it went out and
    when its answer was in (or given up), in seconds from the moment they were released; what shows
    that they overlapped."""

    @property
    def answered(self) -> bool:
        """A complete, well-formed HTTP answer came back in time (a body over the suite's cap counts)."""
        return self.response is not None and self.shortfall in (None, Shortfall.TOO_LARGE)


@dataclass(frozen=True)
class Sent:
    """Why a request went on the wire, as the evidence records it beside the exchange."""

    probe: str
    """The kind of request (conformance/catalogue.py's Probe), or `liveness`."""
    case: str
    """Which case: a chosen one by name, `generated`, or what the liveness request asked."""
    purpose: str = "case"
    """`case` (judged), `shrink` (sent again to shrink a failure), `liveness` (the client's own), `retry`
    (sent again after a throttled answer, or after a kept-alive connection dropped it) or `redirect`
    (a Location followed)."""
    note: str | None = None
    """What became of this request on the wire, when it was not simply answered: throttled and sent
    again, dropped on a kept-alive connection and sent again, a redirect followed."""

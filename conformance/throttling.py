"""Throttling, both ways: the pace the user asks the suite to keep (--rate-limit), and the waits a
throttling target asks for (429 Too Many Requests, or 503 with Retry-After).

A throttled answer is not an answer to judge: the request is sent again after the delay the target
asks for, a bounded number of times and for a bounded total wait. Live Microsoft Graph throttles
this way; a correct server that does must not be failed for it. Past those bounds the client asks a
known-good request whether the target throttles everything (no verdict) or refused that one request
(its last answer judged).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from pyrate_limiter import Duration, Limiter, Rate

from .exchange import Exchange

UNITS = {"s": Duration.SECOND, "m": Duration.MINUTE, "h": Duration.HOUR, "d": Duration.DAY}
THROTTLE_RETRIES = 5
"""How many times one request is sent again after a throttled answer."""
BACKOFF = 1.0
"""The first wait after a 429 without Retry-After, doubled each time."""


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` in any `per` (a pyrate-limiter Duration): `--rate-limit 5`, `100/m`, as `st run` takes."""

    requests: int
    per: Duration
    text: str

    def __str__(self) -> str:
        return self.text


def rate_limit(text: str) -> RateLimit:
    """argparse type for --rate-limit: `N` (per second) or `N/s`, `N/m`, `N/h`, `N/d`."""
    count, _, unit = text.partition("/")
    try:
        requests = int(count)
    except ValueError:
        requests = 0
    if requests <= 0 or (unit or "s") not in UNITS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate: give requests per second (e.g. 5) or N/s, N/m, N/h, N/d (e.g. 100/m)")
    return RateLimit(requests, UNITS[unit or "s"], text)


class Pacer:
    """Keeps the requests of one process under a rate limit, evenly spaced rather than in bursts (a
    tenant's limits count any window); under pytest-xdist each of `share` workers keeps its share,
    so that the run as a whole does."""

    def __init__(self, limit: RateLimit, *, share: int = 1) -> None:
        self._spacing_ms = spacing_ms = math.ceil(int(limit.per.value) * share / limit.requests)
        self._limiter = Limiter(Rate(1, spacing_ms), buffer_ms=1)  # its default 50 ms would slow a run below the rate asked
        self._owed = 0

    def wait(self, deadline: float, turns: int = 1) -> float | None:
        """Wait for the next `turns` turns; the seconds waited, or None if a turn comes after `deadline`.

        Requests sent together (a burst of k) take k turns before they go out and leave k - 1 more
        unused after: k at once in the place of k evenly spaced turns would otherwise put k - 1 more than
        the rate into the second after them (or before them). Any one-second window then holds the
        rate at most, as with requests sent one at a time."""
        started = time.monotonic()
        owed, self._owed = self._owed, turns - 1
        for _ in range(owed + turns):
            if not self._limiter.try_acquire("requests", blocking=True, timeout=max(0.0, deadline - time.monotonic())):
                return None
        return time.monotonic() - started

    def per_second(self) -> float:
        """This process's share of the rate, in requests per second."""
        return 1000 / self._spacing_ms


class Paid:
    """A pacer whose first turn was taken already, with those of the requests sent together with it
    (`Pacer.wait(turns=...)`); any later request of its (a throttled one sent again) waits its turn."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer
        self._paid = True

    def wait(self, deadline: float, turns: int = 1) -> float | None:
        if self._paid and turns == 1:
            self._paid = False
            return 0.0
        return self._pacer.wait(deadline, turns)


def retry_after(exchange: Exchange) -> float | None:
    """The wait a throttling answer asks for, in seconds; None when the answer is not throttling.

    429 is throttling with or without Retry-After (without: a backoff the caller chooses, here -1);
    503 only with Retry-After, since a 503 without one is the server failing (SYNC-NO-5XX judges it).
    Retry-After is delta-seconds or an HTTP-date (RFC 9110 § 10.2.3).
    """
    response = exchange.response
    if response is None or response.status not in (429, 503):
        return None
    value = (response.header("retry-after") or "").strip()
    if not value:
        return -1.0 if response.status == 429 else None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return -1.0 if response.status == 429 else None

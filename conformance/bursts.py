"""Creates sent together: a burst of requests released at once, each on a connection of its own.

Every other probe waits for one answer before it sends the next request. Real clients do not (a
provisioning service creates synchronizations for many applications at once, SDKs retry in
parallel), and the bugs that live there show only when requests overlap: an id read and written back
without a lock, a store that refuses a write while another is open, an answer built in a buffer
shared between requests. Each member of a burst waits at a barrier on a thread and a connection of
its own (`Client.connection`), and all go out the moment the last one is ready; each is sent under
the run's one policy (timeouts, throttling waited out and sent again, liveness, the deadline). When
each went out and when its answer was in is kept on its exchange (`Exchange.together`), and the most
that were in flight at once is the overlap the burst reached.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .client import Client
from .errors import NoVerdict
from .exchange import Exchange, Request
from .stats import BurstStats

EXAMPLES_PER_ROUND = 8
"""One round of bursts for every this many --max-examples: five at the default budget, more with a larger one."""


@dataclass(frozen=True)
class Plan:
    """The bursts a run sends: `rounds` bursts of `size` creates each."""

    size: int
    rounds: int
    asked: int
    """The size --concurrency asked for; a --rate-limit below it makes the bursts smaller (`limited`)."""

    @property
    def limited(self) -> bool:
        return self.size < self.asked


def plan(concurrency: int, max_examples: int, rate: float | None = None) -> Plan:
    """Bursts of `concurrency` creates (fewer where `rate`, this process's requests per second under
    --rate-limit, is lower: a burst never sends more at once than a second's share of the rate), one
    round for every EXAMPLES_PER_ROUND generated cases asked for. `--concurrency 1` sends none: a
    request alone overlaps nothing."""
    size = concurrency if rate is None else max(1, min(concurrency, math.floor(rate)))
    return Plan(size=size, rounds=0 if size < 2 else max(1, math.ceil(max_examples / EXAMPLES_PER_ROUND)), asked=concurrency)


def in_flight(windows: Iterable[tuple[float, float]]) -> int:
    """The most windows open at the same instant (one that ends as another starts does not overlap it)."""
    events = sorted(step for start, end in windows for step in ((start, 1), (end, -1)))
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


@dataclass(frozen=True)
class Burst:
    exchanges: tuple[Exchange, ...]
    """One per request, in the order given, each with when it went out and when its answer was in."""

    @property
    def overlap(self) -> int:
        """How many of its requests were in flight at once, at most."""
        return in_flight(e.together for e in self.exchanges if e.together is not None)


def send_together(client: Client, requests: Sequence[Request]) -> Burst:
    """Send `requests` at once, each on a connection of its own, and wait for every answer.

    Their turns under --rate-limit are taken before they go (a burst counts against the rate like as
    many requests). A member the run cannot go on after (NoVerdict: the deadline, a target gone) stops
    the run once every member is back; a member's throttled answer is waited out and sent again on its
    own connection, as any request's is."""
    members = [client.connection(paid=True) for _ in requests]
    client.pace(len(requests))
    released: list[float] = []
    barrier = threading.Barrier(len(requests), action=lambda: released.append(time.perf_counter()))
    outcomes: list[tuple[Exchange, float] | BaseException | None] = [None] * len(requests)

    def member(index: int) -> None:
        try:
            barrier.wait()
            exchange = members[index].send(requests[index])
            outcomes[index] = (exchange, time.perf_counter())
        except BaseException as error:  # handed to the thread that sent the burst
            outcomes[index] = error

    threads = [threading.Thread(target=member, args=(i,), daemon=True, name=f"burst-member-{i}") for i in range(len(requests))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        for connection in members:
            connection.close()
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, NoVerdict)), errors[0])
    exchanges = []
    for outcome in outcomes:
        assert isinstance(outcome, tuple)
        exchange, done = outcome
        # The last attempt's time on the wire: a member throttled and sent again was in flight from its last send.
        window = (max(0.0, done - exchange.elapsed - released[0]), done - released[0])
        exchanges.append(replace(exchange, together=window))
    return Burst(tuple(exchanges))


def report_lines(bursts: BurstStats, concurrency: int, rate_limit: object | None, *, narrowed: bool) -> list[str]:
    """What the reports say of the bursts: how many, how large, the overlap reached, and why they are
    smaller than --concurrency asks (or none were sent) when a --rate-limit made them so."""
    if concurrency < 2:
        return ["bursts: none sent (--concurrency 1): every request waited for the answer to the one before"]
    if not bursts.sent:
        if rate_limit is None or narrowed:
            return []
        return [f"bursts: none sent: --rate-limit {rate_limit} gives each process under 2 requests a second, and a burst sends no more"]
    lines = [
        f"bursts: {bursts.sent} of {bursts.size} creates sent together, each on a connection of its own: "
        f"at most {bursts.most} in flight at once (in the burst that overlapped least: {bursts.least})"
    ]
    if bursts.size < concurrency:
        lines.append(
            f"bursts of {bursts.size}, not the {concurrency} --concurrency asks for: --rate-limit {rate_limit} gives each process "
            f"fewer requests a second, and a burst sends no more at once"
        )
    return lines

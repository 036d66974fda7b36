"""What a run did besides judging: throttling met, requests sent again, cases not sent and why, checks
that the target was still answering, and which input classes its valid bodies reached (conformance/coverage.py). Counted
by each process for what it did itself, and summed across pytest-xdist workers on the controller, so
the reports state it for the whole run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .coverage import Coverage


@dataclass
class BurstStats:
    """The bursts of creates sent together (conformance/bursts.py), and the overlap they reached."""

    sent: int = 0
    size: int = 0
    """Creates in a burst."""
    most: int = 0
    """The most requests in flight at once, in any burst."""
    least: int = 0
    """The most in flight at once in the burst that overlapped least."""

    def add(self, size: int, overlap: int) -> None:
        self.least = overlap if not self.sent else min(self.least, overlap)
        self.sent += 1
        self.size = max(self.size, size)
        self.most = max(self.most, overlap)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "size": self.size, "most_in_flight": self.most, "least_in_flight": self.least}

    def merge(self, other: dict[str, int]) -> None:
        """Count another process's bursts in these."""
        if other["sent"]:
            self.least = other["least_in_flight"] if not self.sent else min(self.least, other["least_in_flight"])
        self.sent += other["sent"]
        self.size = max(self.size, other["size"])
        self.most = max(self.most, other["most_in_flight"])


@dataclass
class RunStats:
    throttled: int = 0
    """Answers that were throttling (429, or 503 with Retry-After): never judged; the request was sent
    again after each, but one that ended the run."""
    throttled_seconds: float = 0.0
    """Time spent waiting as the target asked."""
    paced_seconds: float = 0.0
    """Time spent waiting to keep under --rate-limit."""
    throttled_without_end: int = 0
    """Requests throttled every time while a known-good request was answered at once: the last
    throttled answer to each was judged as its answer."""
    resent: int = 0
    """Requests sent again, once, because the kept-alive connection they went out on closed before any answer."""
    liveness_checks: int = 0
    """Liveness requests sent to tell a target that stopped answering (or throttles everything) from
    one that misbehaves (conformance/client.py)."""
    requests: Counter[str] = field(default_factory=Counter)
    """Every request that went on the wire, by what it was sent for (case, shrink, liveness): as many
    as the evidence holds records."""
    not_sent: Counter[str] = field(default_factory=Counter)
    """Cases not sent, by the shape of request (conformance/shapes.py) the target gave no answer to several of."""
    statuses: Counter[str] = field(default_factory=Counter)
    """Answers by probe and status (`"valid 201"`): what common mistakes are recognised from."""
    coverage: Coverage = field(default_factory=Coverage)
    """The input classes the valid bodies sent reached, chosen and generated apart."""
    bursts: BurstStats = field(default_factory=BurstStats)

    def as_dict(self) -> dict[str, Any]:
        """verdict.json's `traffic`."""
        return {
            "throttled": self.throttled,
            "throttled_seconds": round(self.throttled_seconds, 3),
            "paced_seconds": round(self.paced_seconds, 3),
            "throttled_without_end": self.throttled_without_end,
            "resent": self.resent,
            "liveness_checks": self.liveness_checks,
            "requests": dict(self.requests),
            "not_sent": dict(self.not_sent),
            "statuses": dict(self.statuses),
            "bursts": self.bursts.as_dict(),
        }

    def output(self) -> dict[str, Any]:
        """What a pytest-xdist worker hands the controller (plain values, as execnet carries them)."""
        reached = {origin: dict(counts) for origin, counts in self.coverage.reached.items()}
        return {**self.as_dict(), "coverage": {"bodies": dict(self.coverage.bodies), "reached": reached}}

    def add(self, other: dict[str, Any]) -> None:
        """Count another process's figures (a pytest-xdist worker's `output`) in this one's."""
        counts = other["coverage"]
        reached = {origin: Counter(classes) for origin, classes in counts["reached"].items()}
        self.coverage = self.coverage + Coverage(Counter(counts["bodies"]), reached)
        self.throttled += other["throttled"]
        self.throttled_seconds += other["throttled_seconds"]
        self.paced_seconds += other["paced_seconds"]
        self.throttled_without_end += other["throttled_without_end"]
        self.resent += other["resent"]
        self.liveness_checks += other["liveness_checks"]
        self.requests.update(other["requests"])
        self.not_sent.update(other["not_sent"])
        self.statuses.update(other["statuses"])
        self.bursts.merge(other["bursts"])

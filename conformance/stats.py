"""What a run did besides judging: throttling met, cases not sent and why, checks that the target was
still answering. Counted by each process for what it did itself, and summed across pytest-xdist
workers on the controller, so the reports state it for the whole run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunStats:
    throttled: int = 0
    """Answers that were throttling (429, or 503 with Retry-After): not judged, the request sent again."""
    throttled_seconds: float = 0.0
    """Time spent waiting as the target asked."""
    paced_seconds: float = 0.0
    """Time spent waiting to keep under --rate-limit."""
    liveness_checks: int = 0
    """Known-good requests sent to tell a target that stopped answering from one that misbehaves."""
    not_sent: Counter[str] = field(default_factory=Counter)
    """Cases not sent, by probe, because the target gave no answer to several of that probe's requests."""
    statuses: Counter[str] = field(default_factory=Counter)
    """Answers by probe and status (`"valid 201"`): what common mistakes are recognised from."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "throttled": self.throttled,
            "throttled_seconds": round(self.throttled_seconds, 3),
            "paced_seconds": round(self.paced_seconds, 3),
            "liveness_checks": self.liveness_checks,
            "not_sent": dict(self.not_sent),
            "statuses": dict(self.statuses),
        }

    def add(self, other: dict[str, Any]) -> None:
        """Count another process's figures (`as_dict` of a pytest-xdist worker's) in this one's."""
        self.throttled += other["throttled"]
        self.throttled_seconds += other["throttled_seconds"]
        self.paced_seconds += other["paced_seconds"]
        self.liveness_checks += other["liveness_checks"]
        self.not_sent.update(other["not_sent"])
        self.statuses.update(other["statuses"])

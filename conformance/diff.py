"""Two verdicts side by side, by requirement: what newly fails, what newly passes, what changed.

A nightly job keeps yesterday's verdict.json and fails when a requirement newly fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BAD = ("fail", "error")


@dataclass
class Difference:
    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            *(f"newly failing: {line}" for line in self.newly_failing),
            *(f"newly passing: {line}" for line in self.newly_passing),
            *(f"changed: {line}" for line in self.changed),
        ]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def compare(old: dict[str, Any], new: dict[str, Any]) -> Difference:
    before = {r["id"]: r for r in old.get("requirements", [])}
    difference = Difference()
    for row in new.get("requirements", []):
        rid, now = row["id"], row["outcome"]
        was = before.get(rid, {}).get("outcome", "absent")
        line = f"{rid} ({row['level']}): {was} -> {now}" + (f": {row['reason']}" if row.get("reason") else "")
        if now in BAD and was not in BAD:
            difference.newly_failing.append(line)
        elif was in BAD and now not in BAD:
            difference.newly_passing.append(line)
        elif was != now:
            difference.changed.append(line)
    return difference

"""Two verdicts side by side, by requirement: what regressed, what improved, what otherwise changed.

A nightly job keeps yesterday's verdict.json and fails on a regression: any change that makes the
verdict worse under the certification rule (`verdict.decide`). Each outcome is ranked by what it does
to the verdict at its level:

- a MUST: pass (0) < skip, not checked (1) < fail (2) < error (3): a MUST going from pass to skip is
  a regression, though nothing "failed", because the verdict turns to not conformant;
- a SHOULD: pass, warn, waived or skip (0: the verdict stays conformant; a warning is shown, not
  failed) < fail (2: a failure under --strict) < error (3);

an error (the suite could not judge) is the worst at either level, as it takes the whole verdict:
without a proven MUST failure the run has none;

and the overall verdict: conformant < not conformant < incomplete. A requirement regressed when its
rank rose, improved when it fell to 0; any other change of outcome (a warning that appeared, a MUST
from fail to skip, a requirement one catalogue does not have) is listed as changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RANKS: dict[str, dict[str, int]] = {
    "MUST": {"pass": 0, "skip": 1, "fail": 2, "error": 3},
    "SHOULD": {"pass": 0, "warn": 0, "waived": 0, "skip": 0, "fail": 2, "error": 3},
}
VERDICT_RANKS = {"conformant": 0, "not conformant": 1, "incomplete": 2}
ABSENT = "absent"
"""The outcome of a requirement one of the two verdicts does not list (a catalogue of another version)."""


def rank(level: str, outcome: str) -> int:
    """How much an outcome counts against the verdict; an outcome the rule does not know counts fully."""
    if outcome == ABSENT:
        return 0
    return RANKS.get(level, RANKS["MUST"]).get(outcome, 3)


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    was: str
    now: str
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.id} ({self.level}): {self.was} -> {self.now}" + (f": {self.reason}" if self.reason else "")


@dataclass
class Difference:
    verdict: tuple[str, str]
    """The overall verdict, before and after."""
    reason: str = ""
    """Why the newer verdict is what it is."""
    regressed: list[Change] = field(default_factory=list)
    improved: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def verdict_worse(self) -> bool:
        was, now = self.verdict
        return VERDICT_RANKS.get(now, 2) > VERDICT_RANKS.get(was, 2)

    @property
    def regression(self) -> bool:
        """Whether anything got worse: what a nightly fails on."""
        return self.verdict_worse or bool(self.regressed)

    def lines(self) -> list[str]:
        was, now = self.verdict
        lines = []
        if was != now:
            label = "regressed" if self.verdict_worse else "improved"
            lines.append(f"verdict {label}: {was} -> {now}" + (f": {self.reason}" if self.reason else ""))
        lines += [f"regressed: {c}" for c in self.regressed]
        lines += [f"improved: {c}" for c in self.improved]
        lines += [f"changed: {c}" for c in self.changed]
        return lines


def compare(old: dict[str, Any], new: dict[str, Any]) -> Difference:
    before = {row["id"]: row for row in old["requirements"]}
    after = {row["id"]: row for row in new["requirements"]}
    difference = Difference((old["verdict"], new["verdict"]), str(new.get("reason", "")))
    for rid in [*after, *(rid for rid in before if rid not in after)]:
        row = after.get(rid) or before[rid]
        level = row["level"]
        was = before.get(rid, {}).get("outcome", ABSENT)
        now = after.get(rid, {}).get("outcome", ABSENT)
        if was == now:
            continue
        change = Change(rid, level, was, now, str(after.get(rid, {}).get("reason", "")))
        if rank(level, now) > rank(level, was):
            difference.regressed.append(change)
        elif now != ABSENT and rank(level, now) == 0 < rank(level, was):
            difference.improved.append(change)
        else:
            difference.changed.append(change)
    return difference

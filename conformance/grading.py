"""The grading policy, as plain functions: what a requirement's result becomes, what the run's verdict
is, and what exit code it gives. The pytest hooks only carry values between pytest and these.

- A requirement's outcome follows from its level, its result, strictness and waivers (`graded`).
- The certification rule (`decide`): conformant only if every requirement was judged, no MUST failed
  and no MUST was skipped. A run that stopped early (the target gone, the deadline, an interrupt) is
  not conformant if a MUST had already failed, and gives no verdict otherwise.
- What a report carries: a requirement's outcome travels from the test to the reports (JUnit, the
  verdict's rows, pytest-xdist's controller) as the report's properties, written by `record` and read
  by `judged_in`, and by nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .catalogue import BY_ID, REQUIREMENTS, Level, Requirement
from .waivers import Waivers


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    """A MUST broken, or a SHOULD broken under --strict: the run fails."""
    WARN = "warn"
    """A SHOULD broken: shown everywhere, but the run passes."""
    SKIP = "skip"
    """Nothing to judge (no token given, no answer the requirement applies to), with the reason."""
    ERROR = "error"
    """The suite itself failed, or the run stopped before this requirement could be judged."""
    WAIVED = "waived"
    """A broken SHOULD under a waiver in force."""

    @property
    def fails_run(self) -> bool:
        return self in (Outcome.FAIL, Outcome.ERROR)


LEVELS = (
    "MUST = the contract as written in the generated 'Create synchronization' stub; "
    "SHOULD = OData and Microsoft Graph conventions the stub omits or contradicts"
)
RULE = (
    "conformant only if every requirement was judged, no MUST failed and no MUST was skipped; "
    "a failed SHOULD is a warning (a failure under --strict); a run that stopped early is not conformant "
    "if a MUST had already failed, and has no verdict otherwise"
)


def grading(strict: bool) -> str:
    """The levels and what a failed SHOULD does in this run: the one sentence every view shows."""
    should = "SHOULD failures fail the run (--strict)" if strict else "a failed SHOULD is a warning (--strict: a failure)"
    return f"{LEVELS}; {should}"


@dataclass(frozen=True)
class Judged:
    """A requirement's outcome as its test reports it."""

    outcome: Outcome
    reason: str = ""
    cases: int | None = None
    """How many cases of the probes the requirement names were sent and looked at."""
    first_failure: dict[str, Any] | None = None
    """The failing case, as verdict.json shows it (conformance/rendering.py)."""
    no_verdict: str | None = None
    """Why the run stopped here, when it did."""
    judged: int | None = None
    """Of the cases, how many the requirement applied to (passed or failed on): the rest said nothing
    about it (another requirement's defect, no answer of the kind it judges)."""


def graded(requirement: Requirement, reason: str, *, strict: bool, waivers: Waivers) -> Judged:
    """What a broken requirement becomes: a MUST fails; a SHOULD warns (fails under --strict); a waiver
    in force turns a broken SHOULD into "waived"."""
    outcome = Outcome.WARN if requirement.level is Level.SHOULD and not strict else Outcome.FAIL
    waiver = waivers.applies(requirement.id)
    if waiver is None:
        return Judged(outcome, reason)
    return Judged(Outcome.WAIVED, f"waived until {waiver.expires.isoformat()} ({waiver.reason}): {reason}")


# --- what a report carries -------------------------------------------------------------------------

Properties = list[tuple[str, object]]


def requirement_properties(requirement: Requirement) -> Properties:
    """What a requirement's test carries from collection on: its id and level (JUnit properties, HTML columns)."""
    return [("requirement", requirement.id), ("level", str(requirement.level))]


def record(judged: Judged, *targets: Properties) -> None:
    """Write a requirement's outcome into report properties (the test item's, for JUnit, and the report's)."""
    pairs: Properties = [("verdict", str(judged.outcome))]
    pairs += [("reason", judged.reason)] if judged.reason else []
    pairs += [("cases", str(judged.cases))] if judged.cases is not None else []
    pairs += [("judged", str(judged.judged))] if judged.judged is not None else []
    pairs += [("first_failure", json.dumps(judged.first_failure, ensure_ascii=False))] if judged.first_failure else []
    pairs += [("no_verdict", judged.no_verdict)] if judged.no_verdict else []
    for target in targets:
        target.extend(pairs)


def requirements_in(properties: Iterable[tuple[str, object]]) -> list[Requirement]:
    return [BY_ID[str(value)] for key, value in properties if key == "requirement" and str(value) in BY_ID]


def judged_in(properties: Iterable[tuple[str, object]]) -> Judged | None:
    """The outcome `record` wrote, or None when there is none (a test that is not a requirement's, a
    collection report)."""
    props = dict(properties)  # the last value of a key wins, as it was written last
    if "verdict" not in props:
        return None
    first_failure = props.get("first_failure")
    return Judged(
        Outcome(str(props["verdict"])),
        str(props.get("reason", "")),
        int(str(props["cases"])) if "cases" in props else None,
        json.loads(str(first_failure)) if first_failure else None,
        str(props["no_verdict"]) if "no_verdict" in props else None,
        int(str(props["judged"])) if "judged" in props else None,
    )


# --- the certification rule ------------------------------------------------------------------------


@dataclass
class Row:
    """A requirement's line in every view of the verdict."""

    id: str
    outcome: Outcome
    reason: str = ""
    cases: int = 0
    first_failure: dict[str, Any] | None = None
    judged: int = 0
    """Of the cases, those the requirement applied to."""

    @property
    def level(self) -> Level:
        return BY_ID[self.id].level


@dataclass
class Verdict:
    verdict: str
    """conformant, not conformant, or incomplete."""
    reason: str
    rows: dict[str, Row]


RowTest = Callable[[Row], bool]

MUST_FAILED: RowTest = lambda row: row.level is Level.MUST and row.outcome is Outcome.FAIL  # noqa: E731
SUITE_ERROR = "the suite could not judge"
"""The verdict's reason when the suite itself failed on a requirement: no evidence, so no finding."""
# In order, after the MUST failures and the suite's errors: the first that holds for some row decides
# "not conformant", and names those rows.
NOT_CONFORMANT: tuple[tuple[str, RowTest], ...] = (
    ("MUST not checked", lambda row: row.level is Level.MUST and row.outcome is Outcome.SKIP),
    ("SHOULD failed under --strict", lambda row: row.outcome is Outcome.FAIL),
)
NOTES: tuple[tuple[str, RowTest], ...] = (
    ("with warnings", lambda row: row.outcome is Outcome.WARN),
    ("with waivers", lambda row: row.outcome is Outcome.WAIVED),
    ("SHOULD not checked", lambda row: row.level is Level.SHOULD and row.outcome is Outcome.SKIP),
)


SMALL_SHARE = 5
"""A requirement judged on fewer than one case in this many says so in its row."""


def judged_share(judged: int, cases: int) -> str | None:
    """`judged on 1 of 54 cases` when a requirement applied to a small share of what was sent: a MUST
    judged on almost nothing must not look as strong as one judged on everything."""
    if cases and judged * SMALL_SHARE < cases:
        return f"judged on {judged} of {cases} cases"
    return None


def _naming(rows: Iterable[Row], test: RowTest) -> list[str]:
    return [row.id for row in rows if test(row)]


NOT_JUDGED = "not judged: the run stopped"
"""The reason of each requirement a stopped run could not judge: short, as the cause is said once, for the run."""


def not_judged(rows: dict[str, Row]) -> list[str]:
    """The requirements a stopped run did not judge: not reached, or left with an error."""
    return [r.id for r in REQUIREMENTS if r.id not in rows or rows[r.id].outcome is Outcome.ERROR]


def decide(rows: dict[str, Row], stopped: str | None, narrowed: str | None = None) -> Verdict:
    """Apply the rule. A MUST failure proven with evidence makes the run not conformant, whatever else
    happened (the run stopped early, left requirements out, the suite failed elsewhere); without one,
    a run that stopped, judged only part of the catalogue, was `narrowed` (-k, -x, ...: it certifies
    nothing even where it judged everything), or on which the suite itself failed is incomplete: a
    suite's error is no finding about the target."""
    proven = _naming(rows.values(), MUST_FAILED)
    if stopped:
        if proven:
            return Verdict("not conformant", f"MUST failed: {', '.join(proven)} (the run stopped early: {stopped})", rows)
        return Verdict("incomplete", stopped, rows)
    missing = [r.id for r in REQUIREMENTS if r.id not in rows]
    left_out = f"not judged: {', '.join(missing)}" if missing else "every requirement judged, but not as a whole run"
    unjudged = f"the run was narrowed ({narrowed or 'part of the suite was left out'}): {left_out}"
    if proven:
        return Verdict("not conformant", f"MUST failed: {', '.join(proven)}" + (f"; {unjudged}" if missing or narrowed else ""), rows)
    if missing or narrowed:
        return Verdict("incomplete", unjudged, rows)
    if errors := _naming(rows.values(), lambda row: row.outcome is Outcome.ERROR):
        return Verdict("incomplete", f"{SUITE_ERROR}: {', '.join(errors)} (an error in the suite; its report has the traceback)", rows)
    for label, test in NOT_CONFORMANT:
        if named := _naming(rows.values(), test):
            return Verdict("not conformant", f"{label}: {', '.join(named)}", rows)
    notes = [f"{label}: {', '.join(named)}" for label, test in NOTES if (named := _naming(rows.values(), test))]
    return Verdict("conformant", "; ".join(notes) or "every requirement passed", rows)


EXIT_NO_VERDICT = 3
"""pytest's INTERNAL_ERROR number, which also means "no verdict"; usage errors are pytest's 4."""


def exit_code(verdict: Verdict) -> int:
    """The run's exit code by the rule, whatever pytest's tests did: a run that left requirements out
    (selected with -k, --deselect or a test id, or stopped by -x) certifies nothing, so it is never 0."""
    return {"conformant": 0, "not conformant": 1}.get(verdict.verdict, EXIT_NO_VERDICT)

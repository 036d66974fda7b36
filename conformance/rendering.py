"""A requirement's test report as the suite shows it: its evidence instead of a traceback, its graded
outcome as the report's properties, and every text in it that came from outside redacted and escaped.

Every writer (terminal, JUnit, pytest-html, pytest-xdist's controller, verdict.json, summary.md) reads
the TestReport, so this is where it is made fit to leave the process, once. What is redacted is what
may quote a target or an error: the exchanges (value by value, conformance/evidence.py) and the prose
a check or a stop wrote about them (a reason, why the run stopped, a suite error's traceback, captured
output), each as a whole text. The suite's own words (an outcome, a level, a requirement's id,
statement and clause, a case's name, a key) never pass through the Redactor, so no token, however
short or common (`pass`, `MUST`), can turn one into the mask (`said`).
Then every control character in the report's texts is escaped (`_fit`, `text.shown_lines`): a server's
body or reason phrase cannot move the cursor, clear a line or draw over the verdict. The graded reason
kept as a property is redacted only: verdict.json holds it as it was, and each view that prints it
escapes it (conformance/reporting.py).
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, replace
from typing import Any

import pytest

from .catalogue import Requirement
from .config import RunConfig
from .errors import NoVerdict
from .evidence import describe, record, reproduced_together
from .failure import RequirementFailed
from .grading import NOT_JUDGED, Judged, Outcome, graded, judged_share, requirements_in
from .grading import record as record_outcome
from .redaction import Redactor
from .text import shown, shown_lines


@dataclass(frozen=True)
class _Crash:
    message: str


class FailureText:
    """A failure shown as the suite's own evidence instead of a traceback.

    pytest's writers accept any object with `toterminal`; `reprcrash.message` is the one line the
    short summary and JUnit's `message` attribute use.
    """

    def __init__(self, text: str, headline: str) -> None:
        self.text = shown_lines(text)
        self.reprcrash = _Crash(shown(headline))

    def toterminal(self, tw: Any) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


def rerun_command(run: RunConfig, item: pytest.Item) -> str:
    """The command that sends this requirement's cases again (same target, seed, budget and ids), to
    paste from any folder: this interpreter and the test's file by absolute path, so the suite's own
    configuration (suite/pytest.ini) applies. Credentials are references to the environment
    (RunConfig.rerun_options), never the text; the line before it names what to export."""
    test = f"{item.path}::{item.name}"
    parts = [shlex.quote(sys.executable), "-m", "pytest", shlex.quote(test)]
    if run.base_url:
        parts += ["--base-url", shlex.quote(run.base_url)]
    command = " ".join(parts + run.rerun_options())
    exports = run.rerun_exports()
    return f"{command}\n  rerun needs exported: {exports}" if exports else command


def headline(failure: RequirementFailed, redactor: Redactor) -> str:
    """`SYNC-CREATE-201 (MUST) failed: <reason>`, only the reason redacted."""
    return f"{failure.requirement.id} ({failure.requirement.level}) failed: {redactor.text(failure.reason)}"


def render(failure: RequirementFailed, redactor: Redactor, rerun: str) -> str:
    """The evidence of a failure: headline, requirement, clause, case, rerun command, each exchange."""
    r = failure.requirement
    lines = [
        headline(failure, redactor),
        f"  requirement: {r.statement}",
        f"  clause: {r.clause}",
        f"  case: {failure.origin} (first failure after {failure.found_after} case(s))",
        f"  rerun: {rerun}",
    ]
    for number, exchange in enumerate(failure.exchanges, 1):
        if len(failure.exchanges) > 1:
            lines += ["", f"Exchange {number} of {len(failure.exchanges)}:"]
        lines += ["", describe(exchange, redactor)]
    if len(failure.exchanges) > 1 and all(e.together is not None for e in failure.exchanges):
        lines += ["", "Reproduce them together:", *(f"  {line}" for line in reproduced_together(failure.exchanges, redactor))]
    return "\n".join(lines)


def first_failure(failure: RequirementFailed, redactor: Redactor) -> dict[str, Any]:
    """The failing case as verdict.json and JUnit's properties show it: its reason and exchanges
    redacted, the case's name (the suite's) as it is."""
    return {
        "origin": failure.origin,
        "found_after": failure.found_after,
        "reason": redactor.text(failure.reason),
        "exchanges": [record(e, redactor, body_limit=2048) for e in failure.exchanges],
    }


def said(judged: Judged, redactor: Redactor) -> Judged:
    """A requirement's outcome fit to leave the process: the prose that may quote a target (the
    reason, why the run stopped) redacted, the outcome itself never. `first_failure` is redacted where
    it is made."""
    no_verdict = redactor.text(judged.no_verdict) if judged.no_verdict else judged.no_verdict
    return replace(judged, reason=redactor.text(judged.reason), no_verdict=no_verdict)


def _requirement_failure(excinfo: pytest.ExceptionInfo[BaseException] | None) -> RequirementFailed | None:
    """The RequirementFailed behind a failure, also when hypothesis wrapped it in a group."""
    pending = [excinfo.value] if excinfo is not None else []
    while pending:
        exc = pending.pop()
        if isinstance(exc, RequirementFailed):
            return exc
        pending.extend(getattr(exc, "exceptions", ()))
    return None


def settle(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, run: RunConfig, redactor: Redactor) -> None:
    """Turn a suite test's report into the suite's: evidence, graded outcome (as properties), redacted."""
    requirements = requirements_in(item.user_properties)
    stopped = call.excinfo.value if call.excinfo is not None and isinstance(call.excinfo.value, NoVerdict) else None
    failure = _requirement_failure(call.excinfo) if report.failed else None
    judged: Judged | None = None
    if stopped is not None:
        judged = _stopped(report, redactor.text(str(stopped)))
    elif failure is not None:
        judged = _failed(item, report, failure, run, redactor)
    elif report.failed and report.longrepr is not None:
        report.longrepr = _fit(redactor, str(report.longrepr))
        judged = Judged(Outcome.ERROR, "error in the suite") if report.when == "call" else None
    elif report.skipped:
        judged = _skipped(report, redactor)
    elif report.when == "call":
        judged = Judged(Outcome.PASS)
    if judged is not None and requirements:
        record_outcome(said(_with_cases(item, requirements, judged), redactor), item.user_properties, report.user_properties)
    report.sections = [(title, _fit(redactor, content)) for title, content in report.sections]


def _fit(redactor: Redactor, text: str) -> str:
    """Text of a report as it may leave the process: redacted first (escaping would change how an
    echoed token is spelt), then escaped line by line."""
    return shown_lines(redactor.text(text))


def _stopped(report: pytest.TestReport, reason: str) -> Judged:
    """The run stopped before this requirement could be judged (the ones after it are judged on what
    was sent before the stop, at once): why, in one line for the test's own report (JUnit); the row
    says only that it was not judged, as the run's views say the cause once (conformance/reporting.py)."""
    report.longrepr = FailureText(f"not judged: {reason}", reason)  # type: ignore[assignment]
    return Judged(Outcome.ERROR, NOT_JUDGED, no_verdict=reason)


def _failed(item: pytest.Item, report: pytest.TestReport, failure: RequirementFailed, run: RunConfig, redactor: Redactor) -> Judged:
    text = render(failure, redactor, rerun_command(run, item))
    report.longrepr = FailureText(text, headline(failure, redactor))  # type: ignore[assignment]
    judged = graded(failure.requirement, failure.reason, strict=run.strict, waivers=run.waivers)
    if judged.outcome is not Outcome.FAIL:
        report.outcome = "passed"  # a warning or a waiver: shown everywhere, but it does not fail the run
    return Judged(judged.outcome, judged.reason, first_failure=first_failure(failure, redactor), no_verdict=failure.stopped)


def _skipped(report: pytest.TestReport, redactor: Redactor) -> Judged:
    reason = ""
    if isinstance(report.longrepr, tuple):
        path, line, text = report.longrepr
        reason = redactor.text(text)
        report.longrepr = (path, line, shown(reason))
    return Judged(Outcome.SKIP, reason.removeprefix("Skipped: "))  # the row's reason a sentence, not pytest's label


def _with_cases(item: pytest.Item, requirements: list[Requirement], judged: Judged) -> Judged:
    """The outcome with how many cases its requirements looked at and how many they applied to (what
    the prover tallied for them); a pass on a small share of them says so, and why the rest did not count."""
    prover = getattr(item, "funcargs", {}).get("prover")
    tallies = [prover.tallies[r.id] for r in requirements if r.id in prover.tallies] if prover else []
    if not tallies:
        return judged
    cases, applicable = sum(t.judged for t in tallies), sum(t.applicable for t in tallies)
    reason = judged.reason
    if judged.outcome is Outcome.PASS and (share := judged_share(applicable, cases)):
        reason = f"{share}; the others: {'; '.join(t.why_unchecked() for t in tallies)}"
    return replace(judged, reason=reason, cases=cases, judged=applicable)

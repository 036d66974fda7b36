"""The views of a run: the terminal's requirement table, the HTML report's summary and columns, and
verdict.json. One plugin object holds the verdict's rows and draws every view from them.

Rows come from the reports' properties in `pytest_runtest_logreport`, which pytest calls on the
controller for every report, also those coming back from pytest-xdist workers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from .catalogue import BY_ID
from .redaction import Redactor
from .verdict import Row, Verdict, decide, document, dumps
from .waivers import Waivers

EXIT_NO_VERDICT = 3
REPORT_CSS = (
    "#requirements{border-collapse:collapse;margin:8px 0 16px}"
    "#requirements th,#requirements td{padding:3px 8px;border-bottom:1px solid #e2e2e2;text-align:left}"
    ".verdict-fail,.verdict-error{color:#c0392b;font-weight:bold}.verdict-warn{color:#b9770e;font-weight:bold}"
    ".verdict-skip{color:#7f8c8d;font-weight:bold}.verdict-pass{color:#1e8449}.verdict-waived{color:#2471a3}"
    "#verdict{font-size:1.3em;margin:8px 0}"
)
GRADING = (
    "MUST = the contract as written in the generated 'Create synchronization' stub; "
    "SHOULD = OData and Microsoft Graph conventions the stub omits or contradicts. "
    "The stub departs from Graph's metadata (which creates synchronization with PUT): a pass certifies "
    "the contract as written, not that live Graph behaves so."
)


def strict(config: pytest.Config) -> bool:
    """pytest's own --strict (or `strict = true`) also makes a failed SHOULD fail the run."""
    try:
        return bool(config.getoption("strict") or config.getini("strict"))
    except ValueError:  # a pytest without the strict ini option
        return bool(config.getoption("strict", False))


class Reporter:
    def __init__(
        self,
        config: pytest.Config,
        redactor: Redactor,
        header: Callable[[], dict[str, Any]],
        verdict_path: str | None,
        complete: bool,
        waivers: Waivers,
    ) -> None:
        """`complete`: the run selects the whole suite, so its verdict decides the exit code."""
        self.config = config
        self.redactor = redactor
        self.header = header
        self.verdict_path = verdict_path
        self.complete = complete
        self.waivers = waivers
        self.rows: dict[str, Row] = {}
        self.nodeids: dict[str, str] = {}
        """Each requirement's test, for links: pytest-html gives a test's table body its node id."""
        self.no_verdict: str | None = None
        self.started = datetime.now(UTC)

    def verdict(self) -> Verdict:
        return decide(self.rows, self.no_verdict)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "verdict" not in props or report.when == "teardown":
            return
        for rid in (str(v) for k, v in report.user_properties if k == "requirement"):
            self.nodeids[rid] = report.nodeid
            self.rows[rid] = Row(
                rid,
                str(props["verdict"]),
                str(props.get("reason", "")),
                int(str(props.get("cases", 0))),
                json.loads(str(props["first_failure"])) if "first_failure" in props else None,
            )
        if "no_verdict" in props:
            self.no_verdict = str(props["no_verdict"])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput") or not (self.rows or self.no_verdict):
            return  # an xdist worker, or a run without the suite: the controller / nobody decides
        verdict = self.verdict()
        if self.no_verdict:
            session.exitstatus = EXIT_NO_VERDICT
        elif self.complete:
            session.exitstatus = 0 if verdict.verdict == "conformant" else 1
        if self.verdict_path:
            finished = datetime.now(UTC)
            header = {**self.header(), "started": _iso(self.started), "finished": _iso(finished), "waivers": self.waiver_report()}
            path = Path(self.verdict_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(self.redactor.data(document(verdict, header))), encoding="utf-8")

    def waiver_report(self) -> list[dict[str, str]]:
        return self.waivers.report({rid: row.outcome for rid, row in self.rows.items()})

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        if report.when == "call" and ("verdict", "warn") in report.user_properties:
            return "warned", "W", ("WARN", {"yellow": True})
        if report.when == "call" and ("verdict", "waived") in report.user_properties:
            return "waived", "V", ("WAIVED", {"blue": True})
        return None

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line per requirement judged: id, level, verdict, and why when not a pass; then the verdict."""
        if not (self.rows or self.no_verdict):
            return
        terminalreporter.section("requirements")
        for rid in (r for r in BY_ID if r in self.rows):
            row = self.rows[rid]
            line = f"{rid:<26} {BY_ID[rid].level!s:<7} {row.outcome.upper():<5} {row.reason}".rstrip()
            markup = {"fail": {"red": True}, "error": {"red": True}, "warn": {"yellow": True}, "skip": {"yellow": True}}
            terminalreporter.write_line(line[:400], **markup.get(row.outcome, {}))
        for waiver in self.waiver_report():
            terminalreporter.write_line(f"waiver {waiver['id']} (until {waiver['expires']}): {waiver['status']}")
        if self.no_verdict:
            terminalreporter.write_line(f"no verdict (exit {EXIT_NO_VERDICT}): {self.no_verdict}", red=True)
        verdict = self.verdict()
        terminalreporter.write_line(f"verdict: {verdict.verdict.upper()} ({verdict.reason})", bold=True)
        should = "SHOULD failures fail the run (--strict)" if strict(self.config) else "a failed SHOULD is a warning (--strict: a failure)"
        terminalreporter.write_line(f"grading: MUST = the contract as written; SHOULD = OData/Graph conventions; {should}")

    # --- the HTML report (pytest-html) ---------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "Create synchronization: conformance report"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        """The summary first: the verdict, the rule, and every requirement with a link to its failure."""
        prefix.append(f"<style>{REPORT_CSS}</style>")
        if self.rows or self.no_verdict:
            verdict = self.verdict()
            prefix.append(
                f'<p id="verdict" class="verdict-{"pass" if verdict.verdict == "conformant" else "fail"}">'
                f"Verdict: <strong>{escape(verdict.verdict.upper())}</strong> ({escape(self.redactor.text(verdict.reason))})</p>"
            )
        prefix.append(f"<p><strong>Grading.</strong> {escape(GRADING)}</p>")
        if not self.rows:
            return
        rows = []
        for rid in (r for r in BY_ID if r in self.rows):
            row = self.rows[rid]
            name = escape(rid)
            if row.outcome in ("fail", "warn", "error"):
                name = f'<a href="#{escape(self.nodeids[rid])}">{name}</a>'
            rows.append(
                f"<tr><td>{name}</td><td>{BY_ID[rid].level}</td>"
                f'<td class="verdict-{escape(row.outcome)}">{escape(row.outcome.upper())}</td>'
                f"<td>{row.cases}</td><td>{escape(BY_ID[rid].statement)}</td><td>{escape(row.reason)}</td></tr>"
            )
        prefix.append(
            '<table id="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Cases</th>'
            f"<th>Statement</th><th>Reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        # pytest-html files each row under its Result, so a warning keeps Result "Passed" (it does not
        # fail the run) and says what it is in the Verdict column.
        cells.insert(1, "<th>Verdict</th>")
        cells.insert(3, "<th>Requirement</th>")
        cells.insert(4, "<th>Level</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        props = report.user_properties
        ids = [str(v) for k, v in props if k == "requirement"]
        levels = [str(v) for k, v in props if k == "level"]
        verdict = next((str(v) for k, v in reversed(props) if k == "verdict"), "")
        cells.insert(1, f'<td class="verdict-{escape(verdict)}">{escape(verdict.upper())}</td>')
        cells.insert(3, f"<td>{escape(', '.join(ids))}</td>")
        cells.insert(4, f"<td>{escape(', '.join(levels))}</td>")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")

"""The views of a run: the terminal's requirement table, the HTML report's summary and columns, and
verdict.json. One plugin object holds the verdict's rows and draws every view from them.

Rows come from the reports' properties (conformance/grading.py writes and reads them) in
`pytest_runtest_logreport`, which pytest calls on the controller for every report, also those coming
back from pytest-xdist workers. The rule that turns rows into a verdict and an exit code is grading's.
"""

from __future__ import annotations

import contextlib
import re
import textwrap
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from . import __version__, har, summary
from .bursts import report_lines
from .catalogue import BY_ID, REQUIREMENTS, Requirement
from .config import RunConfig
from .contract import PROVENANCE, SPEC_NAME, fingerprints
from .coverage import Origin
from .errors import HarError, Terminated
from .failure import RequirementFailed
from .grading import NOT_JUDGED, Outcome, Row, Verdict, decide, exit_code, graded, grading, judged_in, not_judged, requirements_in
from .hints import hints
from .prover import NO_ANSWER_BUDGET
from .redaction import Redactor
from .rendering import first_failure, said
from .stats import RunStats
from .text import shown
from .verdict import document, dumps

REPORT_CSS = (
    "#requirements{border-collapse:collapse;margin:8px 0 16px}"
    "#requirements th,#requirements td{padding:3px 8px;border-bottom:1px solid #e2e2e2;text-align:left}"
    # Every colour of text at WCAG AA contrast (4.5:1) on white and on pytest-html's grey rows; pytest-html's
    # own grey (#999, 2.8:1) darkened.
    ".verdict-fail,.verdict-error{color:#c0392b;font-weight:bold}.verdict-warn{color:#8a5a00;font-weight:bold}"
    ".verdict-skip{color:#566566;font-weight:bold}.verdict-pass{color:#1e7a43}.verdict-waived{color:#2471a3}"
    "body,a,#results-table,.collapse button,.collapsible td:not(.col-links):hover::after,#environment-header h2:hover::after"
    "{color:#555}"
    "#verdict{font-size:1.3em;margin:8px 0}"
    "#coverage{border-collapse:collapse;margin:8px 0 16px}#coverage td,#coverage th{padding:2px 8px;text-align:left}"
    "#coverage tr.not-reached td{color:#8a5a00;font-weight:bold}"
    # The verdict first: pytest-html's page puts its environment table at the top; shown after the results.
    "body{display:flex;flex-direction:column}.summary{order:1}#results-table{order:2}"
    "#environment-header{order:3}#environment{order:4}"
    # A failure's evidence whole, request and response, without a scroll box of its own.
    ".logwrapper{max-height:none;overflow-y:visible}.logwrapper .logexpander{display:none}.logwrapper .log{top:0}"
    # pytest-html counts tests by pytest's outcome (a warning is "Passed"); the requirement counts
    # above it are the verdict's rows.
    ".summary .run-count,.summary .filter,.summary .filters{display:none}"
    '#results-table th[data-column-type="result"],#results-table td.col-result{display:none}'
    "#results-table td.col-verdict{width:90px}"
)
MARKUP = {Outcome.FAIL: {"red": True}, Outcome.ERROR: {"red": True}, Outcome.WARN: {"yellow": True}, Outcome.SKIP: {"yellow": True}}


class Reporter:
    def __init__(
        self,
        *,
        run: RunConfig,
        redactor: Redactor,
        stats: RunStats,
        target: Callable[[], str],
        header: Callable[[], dict[str, Any]],
        settled: Callable[[Requirement], RequirementFailed | None],
        worker: bool,
    ) -> None:
        """`target`: the service root under test (the embedded server's is known once it is bound);
        `stats`: what the run did (the workers' added in, under pytest-xdist); `header`: what
        verdict.json says about the run besides its rows; `settled`: what the cases an interrupted
        run had sent prove about a requirement; `worker`: a pytest-xdist worker, whose controller decides."""
        self.run = run
        self.redactor = redactor
        self.stats = stats
        self.target = target
        self.header = header
        self.settled = settled
        self.worker = worker
        self.rows: dict[str, Row] = {}
        self.nodeids: dict[str, str] = {}
        """Each requirement's test, for links: pytest-html gives a test's table body its node id."""
        self.stopped: str | None = None
        """Why the run stopped early, when it did."""
        self.started = datetime.now(UTC)
        self.terminal: Any = None
        """pytest's terminal reporter, on the process that writes the terminal."""

    def verdict(self) -> Verdict:
        return decide(self.rows, self.stopped, self.run.narrowed)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.worker:
            return
        self.terminal = session.config.pluginmanager.get_plugin("terminalreporter")
        with contextlib.suppress(ImportError):  # the HTML report's environment table (pytest-metadata)
            from pytest_metadata.plugin import metadata_key  # type: ignore[import-untyped]

            if metadata_key in session.config.stash:  # pytest-base-url's row, empty when the target is the embedded server
                session.config.stash[metadata_key]["Base URL"] = self.target()

    @pytest.hookimpl(trylast=True)  # after pytest has written the test's letter
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        judged = judged_in(report.user_properties)
        if judged is None or report.when == "teardown":
            return
        for requirement in requirements_in(report.user_properties):
            self.nodeids[requirement.id] = report.nodeid
            self.rows[requirement.id] = Row(
                requirement.id, judged.outcome, judged.reason, judged.cases or 0, judged.first_failure, judged.judged or 0
            )
        if judged.no_verdict and not self.stopped:
            self.stopped = judged.no_verdict
            if self.terminal is not None:  # the cause when it happens, at the top; again at the bottom
                writer = self.terminal._tw  # on a line of its own; pytest's results go on under it
                cause = f"the run stopped: {self.redactor.text(self.stopped)}"
                writer.line(("\n" if writer.width_of_current_line else "") + cause, red=True)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, pytest.Session.Interrupted):
            return  # pytest stopping the session itself (errors during collection, -x): not a signal
        self.stopped = f"the run was interrupted ({excinfo.value if isinstance(excinfo.value, Terminated) else 'SIGINT'})"
        self._judge_what_was_sent()

    def _judge_what_was_sent(self) -> None:
        """An interrupted run's requirements that had no turn, judged on the cases already sent: a
        failure among them stands; the rest are not judged."""
        for requirement in (r for r in REQUIREMENTS if r.id not in self.rows):
            failure = self.settled(requirement)
            if failure is None:
                self.rows[requirement.id] = Row(requirement.id, Outcome.ERROR, NOT_JUDGED)
                continue
            judged = said(graded(requirement, failure.reason, strict=self.run.strict, waivers=self.run.waivers), self.redactor)
            first = first_failure(failure, self.redactor)
            self.rows[requirement.id] = Row(requirement.id, judged.outcome, judged.reason, failure.found_after, first)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.worker or not (self.rows or self.stopped):
            return  # an xdist worker, or a run without the suite: the controller / nobody decides
        verdict = self.verdict()
        session.exitstatus = exit_code(verdict)
        if self.run.reports.verdict:
            finished = datetime.now(UTC)
            header = {**self.header(), "started": _iso(self.started), "finished": _iso(finished), "waivers": self.waiver_report()}
            stopped = {"reason": self.stopped, "not_judged": not_judged(self.rows)} if self.stopped else None
            header |= {"stopped": stopped, "traffic": self.stats.as_dict(), "hints": hints(self.run, self.stats)}
            header["coverage"] = self.stats.coverage.as_dict()
            # Not redacted here: every text in it that came from outside was redacted where it was made
            # (conformance/rendering.py), and the rest is the suite's own, which a token must not mask.
            data = document(verdict, header)
            path = Path(self.run.reports.verdict)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(data), encoding="utf-8", errors="backslashreplace")  # a lone surrogate a file gave
            if self.run.reports.summary:
                summary.write(data, Path(self.run.reports.summary))

    def pytest_unconfigure(self) -> None:
        """The evidence again as HAR, once every writer of it is closed (after the fixtures' teardown)."""
        if self.worker or not (self.run.reports.evidence and self.run.reports.har):
            return
        with contextlib.suppress(HarError):  # nothing was sent: no evidence, no HAR
            har.write(Path(self.run.reports.evidence), Path(self.run.reports.har))

    def waiver_report(self) -> list[dict[str, str]]:
        return self.run.waivers.report({rid: row.outcome for rid, row in self.rows.items()})

    def traffic_lines(self) -> list[str]:
        """What the run met besides answers to judge: throttling, requests sent again, pacing, probes cut short."""
        stats, lines = self.stats, []
        if stats.throttled:
            lines.append(
                f"throttled: {stats.throttled} answer(s) 429 or 503 with Retry-After were not judged; "
                f"{stats.throttled_seconds:.1f} s waited as the target asked, and each request sent again"
            )
        if stats.throttled_without_end:
            lines.append(
                f"throttled without end: {stats.throttled_without_end} request(s) throttled every time while a known-good "
                "request was answered at once: the target refused them, and the last answer to each was judged"
            )
        if stats.resent:
            lines.append(
                f"resent: {stats.resent} request(s) sent again, once each: the kept-alive connection each went out on "
                "closed before any answer (a drop on a new connection is judged, never sent again)"
            )
        lines += report_lines(stats.bursts, self.run.concurrency, self.run.rate_limit, narrowed=self.run.narrowed is not None)
        if stats.paced_seconds:
            lines.append(f"rate limit {self.run.rate_limit}: {stats.paced_seconds:.1f} s waited to keep it")
        for shape, count in stats.not_sent.items():
            lines.append(
                f"not sent: {count} {shape} case(s): the target gave no answer within the request timeout to {NO_ANSWER_BUDGET} "
                f"{shape} requests, which costs a few timeouts rather than one a case"
            )
        return lines

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        """A warning and a waiver as what they are; a requirement a stopped run could not judge as not
        judged, not as a failure (or an error in its setup) with a block of its own: the cause is the run's."""
        judged = judged_in(getattr(report, "user_properties", [])) if report.when in ("setup", "call") else None
        if judged is not None and judged.outcome is Outcome.ERROR and judged.no_verdict:
            return "not judged", "N", ("NOT JUDGED", {"yellow": True})
        judged = judged if report.when == "call" else None
        if judged is not None and judged.outcome is Outcome.WARN:
            return "warned", "W", ("WARN", {"yellow": True})
        if judged is not None and judged.outcome is Outcome.WAIVED:
            return "waived", "V", ("WAIVED", {"blue": True})
        return None

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """One line per requirement judged: id, level, verdict, and why when not a pass; then the verdict.
        Every line escaped as it is written (`text.shown`): a reason quotes what a server answered."""
        if not (self.rows or self.stopped):
            return

        def write(line: str, **markup: bool) -> None:
            terminalreporter.write_line(shown(line), **markup)

        terminalreporter.section("requirements")
        verdict = self.verdict()
        unjudged = set(not_judged(self.rows)) if self.stopped else set()
        for rid in (r for r in BY_ID if r in self.rows and r not in unjudged):
            row = self.rows[rid]
            line = f"{rid:<26} {BY_ID[rid].level!s:<7} {row.outcome.upper():<5} {row.reason}".rstrip()
            write(line[:400], **MARKUP.get(row.outcome, {}))
        if unjudged:
            listed = f"not judged: {'all ' if len(unjudged) == len(BY_ID) else ''}{len(unjudged)} requirements"
            listed += "" if len(unjudged) == len(BY_ID) else ": " + ", ".join(r for r in BY_ID if r in unjudged)
            for line in textwrap.wrap(listed, max(terminalreporter._tw.fullwidth - 1, 40), break_on_hyphens=False):
                write(line, yellow=True)
        for waiver in self.waiver_report():
            write(f"waiver {waiver['id']} (until {waiver['expires']}): {waiver['status']}")
        for line in self.traffic_lines():
            write(line)
        if (unreached := self.coverage_line()) and not unjudged:
            write(unreached, yellow=True)
        for hint in hints(self.run, self.stats):
            write(f"hint: {hint}", yellow=True)
        if self.no_verdict(verdict):  # the cause once more, last
            write(f"verdict: {verdict.verdict.upper()} (the run stopped before it could judge)", bold=True)
            write(f"{self.stop_line(verdict)}", red=True, bold=True)
            return
        if stop := self.stop_line(verdict):
            write(stop, red=True)
        write(f"verdict: {verdict.verdict.upper()} ({verdict.reason})", bold=True)
        write(f"grading: {grading(self.run.strict)}")

    def no_verdict(self, verdict: Verdict) -> bool:
        """The run stopped before any MUST failed: it has no verdict, and one cause."""
        return bool(self.stopped) and verdict.verdict == "incomplete"

    def coverage_line(self) -> str | None:
        """The input classes no generated valid body reached, when there are any (a small budget)."""
        coverage = self.stats.coverage
        if not coverage.bodies[Origin.GENERATED.value] and not coverage.bodies[Origin.CHOSEN.value]:
            return None  # the valid probe was not sent (-k)
        missing = [c.name for c in coverage.missing(Origin.GENERATED)]
        if not missing:
            return None
        return (
            f"input coverage: {len(missing)} class(es) not reached by generated bodies: {', '.join(missing)} "
            f"(--max-examples {self.run.max_examples}; more reaches more)"
        )

    def stop_line(self, verdict: Verdict) -> str | None:
        """Why the run stopped early, and what that means for its exit code."""
        if not self.stopped:
            return None
        if verdict.verdict == "incomplete":
            return f"no verdict (exit 3): {self.stopped}"
        return f"the run stopped early: {self.stopped}; the MUST failures it had proven stand (exit 1)"

    def pytest_report_header(self) -> list[str]:
        kind = "embedded reference server" if self.run.embedded else "external server"
        lines = [f"conformance target: {shown(self.target())} ({kind}); seed {self.run.seed}"]
        if self.run.insecure:
            lines.append("TLS verification is OFF (--insecure): certificates are not verified")
        return lines

    # --- the HTML report (pytest-html) ---------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_metadata(self, metadata: dict[str, Any]) -> None:
        """The environment table of the HTML report: what was certified, against what, how."""
        run = self.run
        files = fingerprints()
        metadata["Target"] = self.target() + (" (embedded reference server)" if run.embedded else "")
        metadata["Suite version"] = __version__
        metadata["Contract"] = f"{SPEC_NAME} sha256:{files[f'contract/{SPEC_NAME}']}"
        metadata["Schema hashes"] = {name: f"sha256:{digest}" for name, digest in files.items() if "/" not in name}
        metadata["Seed"] = str(run.seed)
        for key, value in run.reported().items():
            metadata[_label(key)] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        metadata["Grading"] = grading(run.strict)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "Create synchronization: conformance report"
        # No row folded: pytest-html would fold by pytest's outcome, and so fold a warning ("passed").
        report.set_data("renderCollapsed", [])

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_duration_format(self, duration: float) -> str:
        """One format for every duration (pytest-html's own mixes `00:00:02` and `1 ms`)."""
        return f"{duration:.3f} s"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str]) -> None:
        """The summary first: the verdict, the rule, and every requirement with a link to its failure."""
        prefix.append(f"<style>{REPORT_CSS}</style>")
        if self.rows or self.stopped:
            verdict = self.verdict()
            reason = f", {self.stop_line(verdict)}" if self.no_verdict(verdict) else f" ({verdict.reason})"
            prefix.append(
                f'<p id="verdict" class="verdict-{"pass" if verdict.verdict == "conformant" else "fail"}">'
                f"Verdict: <strong>{escape(verdict.verdict.upper())}</strong>{sentence(self.redactor.text(reason))}</p>"
            )
            stop = [] if self.no_verdict(verdict) else [*filter(None, [self.stop_line(verdict)])]
            notes = [*stop, *self.traffic_lines(), *(f"hint: {h}" for h in hints(self.run, self.stats))]
            prefix += [f'<p class="run-note">{sentence(self.redactor.text(note))}</p>' for note in notes]
        prefix.append(f"<p><strong>Grading.</strong> {escape(grading(self.run.strict))}. {escape(PROVENANCE)}</p>")
        if self.rows:
            prefix.append(f'<p id="requirement-counts">{escape(self.counts())}</p>')
            prefix.append(self._requirement_table())
        if self.stats.coverage.bodies:
            prefix.append(self._coverage_table())

    def _coverage_table(self) -> str:
        """Input coverage: how many valid bodies sent fell in each class, chosen and generated apart."""
        coverage = self.stats.coverage.as_dict()
        rows = "".join(
            f'<tr class="{"not-reached" if not c["generated"] else ""}"><td>{escape(c["name"])}</td><td>{escape(c["family"])}</td>'
            f"<td>{escape(c['description'])}</td><td>{c['chosen']}</td><td>{c['generated']}</td></tr>"
            for c in coverage["classes"]
        )
        bodies = coverage["bodies"]
        missing = coverage["not_reached_by_generation"]
        note = f"Not reached by generated bodies: {', '.join(missing)}." if missing else "Every class reached by generated bodies."
        # Folded: the failures and warnings, in the table under it, come first to the eye.
        return (
            f'<details id="coverage-details"><summary><strong>Input coverage.</strong> <span id="coverage-summary">{bodies["chosen"]} '
            f"chosen and {bodies['generated']} generated valid bodies sent. {escape(note)}</span></summary>"
            '<table id="coverage"><thead><tr><th>Class</th><th>Family</th><th>What</th><th>Chosen</th><th>Generated</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details>"
        )

    def counts(self) -> str:
        """How the verdict's rows came out: `25 requirements: 22 pass, 2 warn, 1 fail`."""
        tally = Counter(row.outcome for row in self.rows.values())
        shown = ", ".join(f"{tally[outcome]} {outcome}" for outcome in Outcome if tally[outcome])
        return f"{len(self.rows)} requirements: {shown}"

    def _requirement_table(self) -> str:
        rows = []
        for rid in (r for r in BY_ID if r in self.rows):
            row = self.rows[rid]
            name = escape(rid)
            if row.outcome in (Outcome.FAIL, Outcome.WARN, Outcome.ERROR) and rid in self.nodeids:  # a test that ran
                name = f'<a href="#{escape(self.nodeids[rid])}">{name}</a>'
            rows.append(
                f"<tr><td>{name}</td><td>{BY_ID[rid].level}</td>"
                f'<td class="verdict-{escape(row.outcome)}">{escape(row.outcome.upper())}</td>'
                f"<td>{row.judged} of {row.cases}</td><td>{sentence(BY_ID[rid].statement)}</td><td>{sentence(row.reason)}</td></tr>"
            )
        return (
            '<table id="requirements"><thead><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Cases judged</th>'
            f"<th>Statement</th><th>Reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        # The Result the page shows is the verdict's word; pytest-html's own (which files a warning under
        # "Passed") stays, hidden, for its filters, which know only pytest's outcomes.
        cells.insert(0, '<th class="sortable" data-column-type="verdict">Result</th>')
        cells.insert(3, "<th>Requirement</th>")
        cells.insert(4, "<th>Level</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        # A collection error's report has no user_properties.
        properties = getattr(report, "user_properties", [])
        requirements = requirements_in(properties)
        judged = judged_in(properties)
        word = str(judged.outcome) if judged is not None else str(Outcome.ERROR if report.failed else report.outcome)
        cells.insert(0, f'<td class="col-verdict verdict-{escape(word)}">{escape(word.upper())}</td>')
        cells.insert(3, f"<td>{escape(', '.join(r.id for r in requirements))}</td>")
        cells.insert(4, f"<td>{escape(', '.join(str(r.level) for r in requirements))}</td>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """Every row open, each showing what there is to read: a failure or a warning its evidence; a
        skip or a pass its reason as a sentence (not pytest's (file, line, reason) tuple); a plain pass nothing."""
        judged = judged_in(getattr(report, "user_properties", []))
        if judged is not None and judged.outcome in (Outcome.PASS, Outcome.SKIP):
            data[:] = [sentence(judged.reason)] if judged.reason else []


def sentence(text: str) -> str:
    """`text` as HTML that reads as a sentence: escaped, and `code` spans shown as code, not backticks."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _label(key: str) -> str:
    """`max_body_bytes` -> `Max body bytes`, `tls_verification` -> `TLS verification`."""
    text = key.replace("_", " ")
    return "TLS" + text[3:] if text.startswith("tls") else text.capitalize()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")

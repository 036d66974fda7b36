"""Live progress as a person at a terminal and a CI log see it (conformance/progress.py).

The terminal line is checked by playing what is written on an emulated screen (pyte): whatever pytest
has written and however wide the terminal, drawing the line and clearing it leaves the screen as pytest
alone would have left it, and the line never wraps. Then the suite itself, under a real pseudo-terminal
at 80 and 200 columns (pexpect), through a pipe, and under -q; each a short run with the module's
timings set small.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pyte
import pytest
from _pytest._io import TerminalWriter
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import progress
from conformance.progress import Figures, LogLines, Progress, TerminalLine, describe, fitted

from .conftest import SUITE
from .servers import NoLocation

# --- the figures ------------------------------------------------------------------------------------


def test_must_failures_are_counted_apart_from_should_failures() -> None:
    shown: list[Figures] = []
    counted = Progress(shown.append)
    for must, should in [(False, True), (False, True), (True, True), (False, False)]:
        counted.sent("valid", must=must, should=should)
    counted.sent("invalid-body", must=False, should=True)
    counted.flush()
    assert shown[-1].counts == {"valid": [4, 1, 3], "invalid-body": [1, 0, 1]}
    assert describe(shown[-1].counts) == "cases sent: valid 4 (1 fail a MUST, 3 a SHOULD) · invalid-body 1 (1 fail a SHOULD)"
    assert describe({"valid": [51, 0, 51]}) == "cases sent: valid 51 (51 fail a SHOULD)"  # not "51 failing"


def test_a_probe_starting_and_ending_is_shown_at_once_and_ends_once(monkeypatch) -> None:
    monkeypatch.setattr(progress, "INTERVAL", 3600.0)
    shown: list[Figures] = []
    counted = Progress(shown.append)
    counted.sent("valid", must=False, should=False)
    counted.sent("valid", must=False, should=False)  # within the interval: not shown
    counted.ended("valid")
    counted.ended("valid")  # a second requirement waiting for the same probe
    counted.ended("credentials")  # never sent (a stopped run): nothing to end
    assert [(f.counts, f.ended) for f in shown] == [({"valid": [1, 0, 0]}, []), ({"valid": [2, 0, 0]}, ["valid"])]


def test_workers_figures_add_up() -> None:
    one = Figures({"valid": [3, 1, 0]}, ["valid"])
    two = Figures({"valid": [2, 0, 2], "credentials": [4, 0, 0]}, [])
    assert one + two == Figures({"valid": [5, 1, 2], "credentials": [4, 0, 0]}, ["valid"])
    assert Figures.from_json((one + two).as_json()) == one + two


# --- the terminal line, on an emulated screen --------------------------------------------------------


class Reporter:
    """The part of pytest's terminal reporter a display uses, writing to a string."""

    def __init__(self, columns: int) -> None:
        self.out = io.StringIO()
        self._tw = TerminalWriter(self.out)
        self._tw.fullwidth = columns


def screen(text: str, columns: int, rows: int = 40) -> list[str]:
    shown = pyte.Screen(columns, rows)
    pyte.Stream(shown).feed(text.replace("\n", "\r\n"))  # what the terminal's line discipline does (onlcr)
    return [line.rstrip() for line in shown.display]


counts_strategy = st.dictionaries(
    st.sampled_from(["valid", "valid-forms", "invalid-body", "credentials", "content-type"]),
    st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    min_size=1,
)
line_strategy = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=300)


@settings(max_examples=300, deadline=None)
@given(columns=st.integers(2, 220), before=line_strategy, after=line_strategy, counts=counts_strategy, redraws=st.integers(1, 3))
def test_the_line_never_wraps_and_leaves_pytest_s_line_as_it_was(
    columns: int, before: str, after: str, counts: dict[str, list[int]], redraws: int
) -> None:
    """pytest's line (a path and results, wrapped or not, filling its last row or not) is continued
    exactly where it was left, and while the line is drawn it takes one row of its own."""
    terminal = Reporter(columns)
    line = TerminalLine(terminal, None)
    terminal._tw.write(before)
    written = terminal.out.getvalue()
    with patch.object(progress, "DELAY", 0.0):
        for _ in range(redraws):
            line.show(Figures(counts))
    drawn = screen(terminal.out.getvalue(), columns)
    pytest_rows = screen(written, columns)
    progress_rows = [i for i, (a, b) in enumerate(zip(pytest_rows, drawn, strict=True)) if a != b]
    assert len(progress_rows) == 1, drawn  # one row, whatever was drawn before: no wrap, no smear
    assert drawn[progress_rows[0]].strip() == fitted(f"  {describe(counts)}", columns).strip()
    with line._held():  # pytest writes a result
        terminal._tw.write(after)
    assert screen(terminal.out.getvalue(), columns) == screen(written + after, columns)


@given(text=st.text(max_size=400), width=st.integers(2, 400))
def test_fitted_is_narrower_than_the_terminal(text: str, width: int) -> None:
    shown = fitted(text, width)
    assert len(shown) < width
    assert shown == text or shown.endswith("…")


def test_nothing_is_drawn_before_the_delay_or_after_the_session(monkeypatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 3600.0)
    terminal = Reporter(80)
    line = TerminalLine(terminal, None)
    line.show(Figures({"valid": [1, 0, 0]}))
    assert terminal.out.getvalue() == ""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    gen = line.pytest_sessionfinish()
    next(gen)
    line.show(Figures({"valid": [2, 0, 0]}))
    assert terminal.out.getvalue() == ""


# --- plain lines off a terminal ----------------------------------------------------------------------


def test_off_a_terminal_a_line_per_start_and_end_and_figures_at_most_every_interval(monkeypatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(progress, "LOG_EVERY", 10.0)
    terminal = Reporter(80)
    lines = LogLines(terminal, None)

    def show(seconds: float, counts: dict[str, list[int]], ended: list[str] | None = None) -> None:
        clock[0] += seconds
        lines.show(Figures(counts, ended or []))

    show(0, {"valid": [1, 0, 0]})
    for n in range(2, 60):  # a figure every second for a minute
        show(1, {"valid": [n, 0, n // 2]})
    show(1, {"valid": [60, 0, 30], "credentials": [1, 0, 0]}, ["valid"])
    show(1, {"valid": [60, 0, 30], "credentials": [5, 0, 0]}, ["valid", "credentials"])
    written = terminal.out.getvalue().splitlines()
    assert written[0] == "progress: valid: sending its cases"
    between = [line for line in written if line.startswith("progress: cases sent")]
    assert len(between) == 5, written  # at 10, 20, 30, 40 and 50 s: never two within 10 s
    assert between[0] == "progress: cases sent: valid 11 (5 fail a SHOULD)"
    assert written[-3:] == [
        "progress: credentials: sending its cases",
        "progress: valid: done, 60 cases sent (30 fail a SHOULD)",
        "progress: credentials: done, 5 cases sent",
    ]


# --- the suite itself ---------------------------------------------------------------------------------

TIMINGS = "from conformance import progress; progress.DELAY = 0; progress.INTERVAL = 0.02; progress.LOG_EVERY = 0.05"
"""The module's timings made small: the runs below last a second or two."""


def _command(reports: Path, url: str, token: str, *args: str) -> list[str]:
    """A short run, as `python -m pytest` starts it (with the timings set first): two requirements of
    the valid probe, one of them a SHOULD that the server breaks on every case."""
    return [
        sys.executable, "-c", f"{TIMINGS}; import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))",
        str(SUITE), "-p", "no:cacheprovider", "--base-url", url, "--token", token, "--max-examples", "40",
        "-k", "SYNC-CREATE-201 or SYNC-LOCATION", f"--junitxml={reports / 'j.xml'}", f"--html={reports / 'r.html'}",
        f"--verdict={reports / 'v.json'}", f"--evidence={reports / 'e.jsonl'}", *args,
    ]  # fmt: skip


class Screen:
    """A terminal of a given size that the run's output is played on as it arrives (pexpect's
    `logfile_read`), checking after every chunk that the progress takes at most one row."""

    def __init__(self, columns: int, rows: int) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.seen: list[str] = []
        """Every progress row on screen after a chunk."""

    def write(self, data: bytes) -> None:
        self.stream.feed(data)
        rows = [row.rstrip() for row in self.screen.display if "cases sent" in row]
        assert len(rows) <= 1, self.screen.display
        self.seen += rows

    def flush(self) -> None:
        pass

    def rows(self) -> list[str]:
        return [row.rstrip() for row in self.screen.display]


def _on_a_terminal(command: list[str], cwd: Path, columns: int) -> tuple[int | None, Screen, str]:
    import pexpect

    rows = 200  # the whole run fits: nothing scrolls away
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    child = pexpect.spawn(command[0], command[1:], cwd=str(cwd), env=env, dimensions=(rows, columns), timeout=120)
    screen, raw = Screen(columns, rows), io.BytesIO()

    class Tee:
        def write(self, data: bytes) -> None:
            raw.write(data)
            screen.write(data)

        def flush(self) -> None:
            pass

    child.logfile_read = Tee()
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, screen, raw.getvalue().decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize(("columns", "workers"), [(80, ()), (200, ("-n", "2"))], ids=["80-columns", "200-columns-two-workers"])
def test_on_a_terminal_one_line_redrawn_in_place(columns: int, workers: tuple[str, ...], serve, tmp_path) -> None:
    served = serve(NoLocation)
    code, screen, raw = _on_a_terminal(_command(tmp_path, served.url, served.token, *workers), tmp_path, columns)
    rows = screen.rows()
    assert code == 3, "\n".join(rows)  # a narrowed run: no verdict
    # Afterwards: no trace of it, and pytest's line of results written once, whole (the path not written again).
    assert not any("cases sent" in row for row in rows), rows
    whole = "".join(screen.screen.display)  # rows as wide as the screen: a wrapped line reads on
    assert whole.count("test_create_synchronization.py") == (0 if workers else 1), rows  # pytest-xdist writes no path
    assert re.search(r"[.W]( *\[ 50%\])? *[.W] +\[100%\]", whole), rows
    # While sending: one row, redrawn; figures that only grow, the SHOULD broken on every case apart from the MUST.
    figures = [int(n) for row in screen.seen for n in re.findall(r"\bvalid (\d+)", row)]
    assert figures and figures == sorted(figures), screen.seen
    assert any(re.search(r"valid (\d+) \(\1 fail a SHOULD\)", row) for row in screen.seen), screen.seen
    assert not any("MUST" in row for row in screen.seen), screen.seen
    # Every write of the line fits the terminal (a wider one would wrap, and smear when redrawn).
    drawn = [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", piece) for piece in re.split(r"[\r\n]", raw) if "cases sent" in piece]
    assert drawn and max(map(len, drawn)) < columns


@pytest.mark.slow
def test_through_a_pipe_a_plain_line_per_probe_start_and_end_and_figures_between(serve, tmp_path) -> None:
    served = serve(NoLocation)
    done = subprocess.run(_command(tmp_path, served.url, served.token), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "\r" not in output and "\x1b" not in output
    lines = output.splitlines()
    for probe in ("valid", "valid-forms"):
        assert lines.count(f"progress: {probe}: sending its cases") == 1, output
        ends = [line for line in lines if line.startswith(f"progress: {probe}: done, ")]
        assert len(ends) == 1, output
    assert re.fullmatch(r"progress: valid: done, (\d+) cases sent \(\1 fail a SHOULD\)", next(x for x in lines if "valid: done" in x))
    assert lines.index("progress: valid: sending its cases") < lines.index(next(x for x in lines if "valid: done" in x))
    assert any(line.startswith("progress: cases sent: valid ") for line in lines), output  # figures while it sends


@pytest.mark.slow
def test_quiet_shows_no_progress(serve, run_suite: Any) -> None:
    served = serve(NoLocation)
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "5", "-k", "SYNC-LOCATION", "-q")
    assert run.exit_code == 3, run.output
    assert "progress:" not in run.output and "cases sent" not in run.output

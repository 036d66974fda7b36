"""Live progress on a terminal: per probe, the cases sent and how many failed a requirement so far.

A large run spends minutes inside one requirement's test (the first to need a probe sends all of its
cases), with nothing on screen. While it does, one line is redrawn in place; it stays, with its last
figures, when the test's result is written. Nothing is drawn when the output is not a terminal or
under -q. Under pytest-xdist each worker writes its figures to the ledger directory the run shares,
and the controller, which owns the terminal, draws their sum.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Counts = dict[str, list[int]]
"""Probe -> [cases sent, cases that failed some requirement]."""

INTERVAL = 0.25
"""Seconds between redraws (and between a worker's writes)."""
DELAY = 1.0
"""Seconds of sending before anything is drawn: a short run stays as pytest prints it."""


class Progress:
    """The figures of this process, handed to `show` at most every INTERVAL seconds, once the run has
    been sending for DELAY seconds."""

    def __init__(self, show: Callable[[Counts], None]) -> None:
        self._show = show
        self._counts: Counts = {}
        self._started: float | None = None
        self._shown = 0.0

    def sent(self, probe: str, failed: bool) -> None:
        sent, failing = self._counts.setdefault(probe, [0, 0])
        self._counts[probe] = [sent + 1, failing + failed]
        now = time.monotonic()
        self._started = self._started or now
        if now - self._started >= DELAY and now - self._shown >= INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Show the figures now (the end of a unit), if anything has been shown before."""
        if self._started is not None and time.monotonic() - self._started >= DELAY:
            self._shown = time.monotonic()
            self._show(self._counts)


def describe(counts: Counts) -> str:
    parts = [f"{probe} {sent}" + (f" ({failing} failing)" if failing else "") for probe, (sent, failing) in counts.items()]
    return "cases sent: " + " · ".join(parts)


class TerminalLine:
    """One line of the terminal, redrawn in place until the next test result is written."""

    def __init__(self, terminal: Any, capture: Any) -> None:
        """`capture`: pytest's capture manager, suspended while the line is drawn during a test (as
        pytest's own live logging does), or None."""
        self._terminal = terminal
        self._capture = capture
        self._lock = threading.Lock()
        self._drawn = False

    def draw(self, counts: Counts) -> None:
        uncaptured = self._capture.global_and_fixture_disabled() if self._capture is not None else contextlib.nullcontext()
        with self._lock, uncaptured:
            if not self._drawn:
                self._terminal.ensure_newline()
                self._drawn = True
            self._terminal.rewrite(f"  {describe(counts)}", erase=True)
            self._terminal.flush()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A test's result is about to be written: the line stays, above it."""
        self.end()

    def end(self) -> None:
        """Leave the line as it is, above anything pytest writes next."""
        with self._lock:
            if self._drawn:
                self._terminal.write("\n")
                self._drawn = False


def to_file(path: Path) -> Callable[[Counts], None]:
    """A pytest-xdist worker's figures, written whole for the controller to read."""

    def write(counts: Counts) -> None:
        staging = path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(counts), encoding="utf-8")
        os.replace(staging, path)

    return write


class Collector(threading.Thread):
    """On the pytest-xdist controller: every INTERVAL, the workers' figures summed and drawn."""

    def __init__(self, folder: Path, line: TerminalLine) -> None:
        super().__init__(name="progress", daemon=True)
        self._folder, self._line = folder, line
        self._stop = threading.Event()
        self._last: Counts = {}

    def run(self) -> None:
        while not self._stop.wait(INTERVAL):
            counts = _summed(self._folder)
            if counts and counts != self._last:
                self._last = counts
                self._line.draw(counts)

    def stop(self) -> None:
        self._stop.set()


def _summed(folder: Path) -> Counts:
    sent: Counter[str] = Counter()
    failing: Counter[str] = Counter()
    for path in sorted(folder.glob("progress-*.json")):
        with contextlib.suppress(OSError, ValueError):  # a worker that has not written yet
            for probe, (n, f) in json.loads(path.read_text(encoding="utf-8")).items():
                sent[probe] += n
                failing[probe] += f
    return {probe: [sent[probe], failing[probe]] for probe in sent}

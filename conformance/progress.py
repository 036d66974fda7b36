"""Live progress: per probe, the cases sent, and how many of them failed a MUST and a SHOULD so far.

A large run spends minutes inside one requirement's test (the first to need a probe sends all of its
cases), with nothing else to show. What it shows depends on where the output goes:

- a terminal: one line under pytest's, redrawn in place (never wider than the terminal, so it never
  wraps) and erased before pytest writes anything, which then continues its own line as if the
  progress had never been there (no path written again, no half-erased figures);
- anything else (a pipe, a CI log): plain lines, one when a probe starts sending and one when all of
  its cases are sent, and at most one every LOG_EVERY seconds in between;
- under -q: nothing.

Under pytest-xdist each worker writes its figures to the ledger directory the run shares, and the
controller, which owns the output, shows their sum (`Collector`).

The module's timings are settings (read when used, not when a display is made): a test sets them small.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

INTERVAL = 0.25
"""Seconds between redraws of the terminal line (and between a worker's writes, and the controller's reads)."""
DELAY = 1.0
"""Seconds of sending before the terminal line is drawn: a short run stays as pytest prints it."""
LOG_EVERY = 10.0
"""Off a terminal, the least number of seconds between two lines of figures while a probe sends."""

ERASE = "\r\x1b[K"
"""To the start of the line, and clear it to the end (ANSI CR, EL)."""


@dataclass
class Figures:
    """What the run has sent so far."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    """Probe -> [cases sent, cases that failed a MUST, cases that failed a SHOULD], in the order probes started."""
    ended: list[str] = field(default_factory=list)
    """The probes whose cases are all sent, in the order they ended."""

    def as_json(self) -> str:
        return json.dumps({"counts": self.counts, "ended": self.ended})

    @classmethod
    def from_json(cls, text: str) -> Figures:
        data = json.loads(text)
        return cls({probe: list(map(int, n)) for probe, n in data["counts"].items()}, list(data["ended"]))

    def __add__(self, other: Figures) -> Figures:
        """Two processes' figures as one (a probe ends when any worker saw it end: its units are all done)."""
        counts = {probe: list(n) for probe, n in self.counts.items()}
        for probe, n in other.counts.items():
            counts[probe] = [a + b for a, b in zip(counts.get(probe, [0, 0, 0]), n, strict=True)]
        return Figures(counts, self.ended + [p for p in other.ended if p not in self.ended])


Show = Callable[[Figures], None]


class Progress:
    """The figures of this process, handed to `show` when a probe starts or ends, and otherwise at most
    every INTERVAL seconds."""

    def __init__(self, show: Show) -> None:
        self._show = show
        self._figures = Figures()
        self._shown = 0.0

    def sent(self, probe: str, *, must: bool, should: bool) -> None:
        """One case sent; `must`/`should`: it failed a requirement of that level."""
        started = probe not in self._figures.counts
        sent, musts, shoulds = self._figures.counts.setdefault(probe, [0, 0, 0])
        self._figures.counts[probe] = [sent + 1, musts + must, shoulds + should]
        if started or time.monotonic() - self._shown >= INTERVAL:
            self.flush()

    def ended(self, probe: str) -> None:
        """Every case of `probe` has been sent (told once, however many requirements wait for it)."""
        if probe in self._figures.counts and probe not in self._figures.ended:
            self._figures.ended.append(probe)
            self.flush()

    def flush(self) -> None:
        """Show the figures now (the end of a unit)."""
        if self._figures.counts:
            self._shown = time.monotonic()
            self._show(Figures({p: list(n) for p, n in self._figures.counts.items()}, list(self._figures.ended)))


def failing(counts: list[int]) -> str:
    """` (3 fail a MUST, 51 a SHOULD)`, or nothing: a MUST failure is never mistaken for a warning."""
    _, musts, shoulds = counts
    parts = [f"{musts} fail a MUST"] if musts else []
    parts += [f"{shoulds} {'a SHOULD' if musts else 'fail a SHOULD'}"] if shoulds else []
    return f" ({', '.join(parts)})" if parts else ""


def describe(counts: dict[str, list[int]]) -> str:
    """`cases sent: valid 411 (51 fail a SHOULD) · invalid-body 40`."""
    return "cases sent: " + " · ".join(f"{probe} {n[0]}{failing(n)}" for probe, n in counts.items())


def fitted(text: str, width: int) -> str:
    """`text` cut to fewer than `width` characters: a line as wide as the terminal would wrap (or leave
    the cursor past its edge), and then a carriage return no longer goes back to its start."""
    limit = max(width - 1, 1)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


class Display:
    """Where figures are shown while pytest writes to the same output.

    Figures arrive from the test that sends (pytest's main thread) or, under pytest-xdist, from the
    controller's `Collector` thread, while pytest writes each result. So pytest's writing hooks hold
    the display's lock, and the display gets out of the way first (`_clear`); after the session ends
    nothing more is shown.
    """

    def __init__(self, terminal: Any, capture: Any) -> None:
        """`terminal`: pytest's terminal reporter; `capture`: pytest's capture manager, suspended while
        figures are written during a test (as pytest's own live logging does), or None."""
        self._terminal = terminal
        self._writer = terminal._tw  # pytest's TerminalWriter: its width, and what its current line holds
        self._capture = capture
        self._lock = threading.Lock()
        self._closed = False

    def show(self, figures: Figures) -> None:
        uncaptured = self._capture.global_and_fixture_disabled() if self._capture is not None else contextlib.nullcontext()
        with self._lock, uncaptured:
            if not self._closed:
                self._show(figures)

    def _show(self, figures: Figures) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        """Leave the output as pytest left it, before pytest writes to it."""

    def _raw(self, text: str) -> None:
        """Write past pytest's writer, whose idea of its current line must stay pytest's own."""
        self._writer._file.write(text)
        self._writer.flush()

    @contextlib.contextmanager
    def _held(self) -> Generator[None]:
        with self._lock:
            self._clear()
            yield

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logstart(self) -> Generator[None]:
        with self._held():
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self) -> Generator[None]:
        with self._held():
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logfinish(self) -> Generator[None]:
        with self._held():
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self) -> Generator[None]:
        """The summary is pytest's: nothing is shown from here on."""
        with self._lock:
            self._clear()
            self._closed = True
        return (yield)


class TerminalLine(Display):
    """One line of the terminal below pytest's current one, redrawn in place.

    Drawn with a newline written past pytest's writer, so pytest still knows its line as it left it;
    cleared by erasing the line and moving the cursor back up to where pytest's line ends. pytest's
    next write then continues its line: the test file's path is not written again and its percentage
    stays in its column.
    """

    def __init__(self, terminal: Any, capture: Any) -> None:
        super().__init__(terminal, capture)
        self._first: float | None = None
        self._drawn = False

    def _show(self, figures: Figures) -> None:
        now = time.monotonic()
        self._first = self._first or now
        if now - self._first < DELAY:
            return
        line = ERASE + fitted(f"  {describe(figures.counts)}", self._writer.fullwidth)
        self._raw(line if self._drawn else "\n" + line)
        self._drawn = True

    def _clear(self) -> None:
        if not self._drawn:
            return
        self._drawn = False
        width, columns = self._writer.width_of_current_line, max(self._writer.fullwidth, 1)
        if width and not width % columns:
            # pytest's line fills its last row: its next character goes where the progress line was.
            self._raw(ERASE)
        else:  # up a line (CUU), to the column after pytest's text (CHA)
            self._raw(f"{ERASE}\x1b[A\x1b[{width % columns + 1}G")


class LogLines(Display):
    """Plain lines, for output that is not a terminal: a probe's start and end, figures in between at
    most every LOG_EVERY seconds. Each on a line of its own, under pytest's current line, which is then
    written again as it was (plain), for pytest to go on with: its results and percentages stay in line."""

    def __init__(self, terminal: Any, capture: Any) -> None:
        super().__init__(terminal, capture)
        self._started: list[str] = []
        self._ended: list[str] = []
        self._written = time.monotonic()

    def _show(self, figures: Figures) -> None:
        lines = [f"progress: {probe}: sending its cases" for probe in figures.counts if probe not in self._started]
        self._started += [probe for probe in figures.counts if probe not in self._started]
        for probe in (p for p in figures.ended if p not in self._ended):
            lines.append(f"progress: {probe}: done, {figures.counts[probe][0]} cases sent{failing(figures.counts[probe])}")
            self._ended.append(probe)
        sending = {probe: n for probe, n in figures.counts.items() if probe not in self._ended}
        now = time.monotonic()
        if not lines and sending and now - self._written >= LOG_EVERY:
            lines.append(f"progress: {describe(sending)}")
        if lines:
            self._written = now
            pytest_line = self._writer._current_line
            self._raw(("\n" if pytest_line else "") + "\n".join(lines) + "\n" + pytest_line)


def to_file(path: Path) -> Show:
    """A pytest-xdist worker's figures, written whole for the controller to read."""

    def write(figures: Figures) -> None:
        staging = path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(figures.as_json(), encoding="utf-8")
        os.replace(staging, path)

    return write


class Collector(threading.Thread):
    """On the pytest-xdist controller: every INTERVAL, the workers' figures summed and shown."""

    def __init__(self, folder: Path, display: Display) -> None:
        super().__init__(name="progress", daemon=True)
        self._folder, self._display = folder, display
        self._stop = threading.Event()
        self._last = Figures()

    def run(self) -> None:
        while not self._stop.wait(INTERVAL):
            figures = _summed(self._folder)
            if figures.counts and figures != self._last:
                self._last = figures
                self._display.show(figures)

    def stop(self) -> None:
        self._stop.set()


def _summed(folder: Path) -> Figures:
    total = Figures()
    for path in sorted(folder.glob("progress-*.json")):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):  # a worker that has not written yet
            total = total + Figures.from_json(path.read_text(encoding="utf-8"))
    return total

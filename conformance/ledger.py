"""Where a campaign's units of work are done once: in this process, or shared by pytest-xdist workers.

A unit is a named piece of a run (a probe's chosen cases, one batch of its generated cases) whose
result every requirement needing it reads. Run alone, the suite settles units in memory. Under
pytest-xdist (`-n`), every worker of the run sees one directory: the first worker to claim a unit
does it and publishes the result; the others read it. The run sends each case once however many
workers there are, and the work is spread rather than repeated.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import NoVerdict

STOPPED = "run.stopped"
"""Written by the worker whose unit stopped the run, with why."""

Unit = tuple[str, Callable[[], Any]]
"""A unit's name, unique in the run, and the work that produces its result."""


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None

    def unwrap(self) -> Any:
        if self.error is not None:
            # Each reader raises it afresh: re-raising one object adds every raise's frames to its
            # traceback, which pytest would then format, frame by frame, for every requirement.
            raise self.error.with_traceback(None)
        return self.value


def _do(work: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(work())
    except Exception as error:
        return Outcome(error=error)


class Ledger(Protocol):
    def settle(self, units: Sequence[Unit], meanwhile: Sequence[Unit] = ()) -> list[Any]:
        """The results of these units, in order, each done once per run; raises a unit's error.

        `meanwhile`: units the run will need later, worth doing while waiting for another worker.
        """
        ...

    def finished(self, units: Sequence[Unit]) -> list[Any]:
        """The results of those of these units that were done without error, in order; nothing is done."""
        ...


class LocalLedger:
    """Units done in this process, in order; a unit that failed fails again for every reader."""

    def __init__(self) -> None:
        self._outcomes: dict[str, Outcome] = {}

    def settle(self, units: Sequence[Unit], meanwhile: Sequence[Unit] = ()) -> list[Any]:
        for name, work in units:
            if name not in self._outcomes:
                self._outcomes[name] = _do(work)
            self._outcomes[name].unwrap()
        return [self._outcomes[name].value for name, _ in units]

    def finished(self, units: Sequence[Unit]) -> list[Any]:
        done = [self._outcomes.get(name) for name, _ in units]
        return [outcome.value for outcome in done if outcome is not None and outcome.error is None]


class SharedLedger:
    """Units shared by the workers of one run through `directory`.

    A worker claims a unit by creating `<name>.claim` exclusively, does it, and publishes
    `<name>.result` by an atomic rename. It first does every unit it can claim, then waits for the
    ones other workers are doing, until the run's deadline; while it waits it does units the run
    will need later (`meanwhile`), so no worker idles while work is left. `prepare` turns a result
    into what may leave the process (each worker holds its own token: what it publishes is redacted
    first).
    """

    POLL_SECONDS = 0.01

    def __init__(self, directory: Path, deadline: float, prepare: Callable[[Any], Any]) -> None:
        self.directory = directory
        self.deadline = deadline
        self.prepare = prepare
        self._outcomes: dict[str, Outcome] = {}

    def settle(self, units: Sequence[Unit], meanwhile: Sequence[Unit] = ()) -> list[Any]:
        for name, work in units:
            if name not in self._outcomes and self._claim(name):
                self._do(name, work).unwrap()
        spare = iter(meanwhile)
        for name, _ in units:
            if name not in self._outcomes:
                self._outcomes[name] = self._await(name, spare)
            self._outcomes[name].unwrap()
        return [self._outcomes[name].value for name, _ in units]

    def finished(self, units: Sequence[Unit]) -> list[Any]:
        results = []
        for name, _ in units:
            outcome = self._outcomes.get(name)
            if outcome is None and (self.directory / f"{name}.result").exists():
                outcome = self._outcomes[name] = pickle.loads((self.directory / f"{name}.result").read_bytes())
            if outcome is not None and outcome.error is None:
                results.append(outcome.value)
        return results

    def _do(self, name: str, work: Callable[[], Any]) -> Outcome:
        self._outcomes[name] = outcome = _do(work)
        self._publish(name, outcome)
        return outcome

    def _do_spare(self, spare: Iterator[Unit]) -> bool:
        """Do the next unit of `spare` nobody has claimed yet; False when there is none left."""
        for name, work in spare:
            if name not in self._outcomes and self._claim(name):
                self._do(name, work)  # its error, if any, is raised to whoever needs the unit
                return True
        return False

    def _claim(self, name: str) -> bool:
        """Take a unit to do; False when another worker has. Once any worker stopped the run
        (NoVerdict), nobody starts another unit: that worker's reason is raised here."""
        stopped = self.directory / STOPPED
        if stopped.exists():
            pickle.loads(stopped.read_bytes()).unwrap()
        try:
            os.close(os.open(self.directory / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def _publish(self, name: str, outcome: Outcome) -> None:
        if outcome.error is None:
            shared = Outcome(self.prepare(outcome.value))
        elif isinstance(outcome.error, NoVerdict):
            shared = outcome
        else:  # a fault of the suite: its type and message travel, not the object
            shared = Outcome(error=RuntimeError(f"{type(outcome.error).__name__}: {outcome.error}"))
        try:
            data = pickle.dumps(shared)
        except Exception as error:
            data = pickle.dumps(Outcome(error=RuntimeError(f"{name} could not be handed to another worker: {error}")))
        self._write(f"{name}.result", data)
        if isinstance(shared.error, NoVerdict):
            self._write(STOPPED, data)

    def _write(self, name: str, data: bytes) -> None:
        """Whole or not at all: a reader never sees half a file."""
        staging = self.directory / f"{name}.{os.getpid()}.tmp"
        staging.write_bytes(data)
        os.replace(staging, self.directory / name)

    def _await(self, name: str, spare: Iterator[Unit]) -> Outcome:
        result = self.directory / f"{name}.result"
        while not result.exists():
            if time.monotonic() > self.deadline:
                raise NoVerdict(f"run incomplete: the run deadline (--run-timeout) passed waiting for another worker's {name} cases")
            if not self._do_spare(spare):
                time.sleep(self.POLL_SECONDS)
        return pickle.loads(result.read_bytes())

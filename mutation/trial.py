"""One mutant against the suite: a scratch copy of the checkout with the mutant in place, the default
suite run in it in a fresh process, exactly as `make suite` runs it (`python -m pytest` from the root,
the embedded reference server, the default seed and budget), and what came of it.

The copy is what makes the mutant the server the suite starts: `python -m pytest` puts the folder it
runs from first on the import path, ahead of the editable install's checkout, so `conformance` (the
suite and the server alike) is imported from the copy; its own reports folder keeps two runs at once
apart. The copy's bytecode is never written: a mutant and the next, the same size in the same
second, would otherwise share a stale `.pyc`.

Outcomes, read from the run's exit code and its verdict.json:
- killed: the verdict is "not conformant" (exit 1) and names what failed;
- survived: the verdict is "conformant" (exit 0);
- not runnable: no verdict (the mutant does not import, the server does not start, the target is
  unreachable or the run deadline passed: exit 3, or any other exit), every requirement in error
  (the suite could not run at all), or no end within the time limit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .mutants import Mutant

COPIED = ("conformance", "schemas", "conftest.py", "pyproject.toml")
"""What a run of the suite from a checkout reads: the package (suite and server), the contract, the
pytest configuration and the conftest that loads the plugin."""
IGNORED_ENVIRONMENT = ("GRAPH_TOKEN", "GRAPH_CLIENT_SECRET", "PYTEST_BASE_URL", "PYTEST_ADDOPTS", "PYTHONPATH")
"""What would point the run elsewhere than the mutant, or change how pytest runs it."""
TIME_LIMIT = 180.0
"""Longest one run may take before it counts as not runnable. A run takes 2-4 s; one whose every
request goes unanswered stops by itself (exit 3) in well under a minute."""
FAILED = ("fail", "error")


class Outcome(StrEnum):
    KILLED = "killed"
    SURVIVED = "survived"
    NOT_RUNNABLE = "not runnable"


@dataclass(frozen=True)
class Run:
    """One run of the suite, with or without --strict."""

    outcome: Outcome
    exit_code: int | None
    """None when it was stopped at the time limit."""
    caught: tuple[str, ...]
    """Killed: the requirements that failed, or could not be checked (a MUST skipped). Survived: the
    SHOULDs that warned (a warning kills under --strict)."""
    note: str
    """The verdict's reason; for a run that is not runnable, why."""
    seconds: float


@dataclass(frozen=True)
class Trial:
    """A mutant and the suite's answer to it, without and with --strict."""

    mutant: Mutant
    default: Run
    strict: Run
    """The --strict run; the default run itself when that one already decides it (see `runs`)."""

    def run(self, *, strict: bool) -> Run:
        return self.strict if strict else self.default


def try_mutant(root: Path, mutant: Mutant, *, time_limit: float = TIME_LIMIT) -> Trial:
    return Trial(mutant, *runs(root, mutant, time_limit=time_limit))


def runs(root: Path, mutant: Mutant | None, *, time_limit: float = TIME_LIMIT) -> tuple[Run, Run]:
    """The suite against `mutant` (None: the reference server itself) without --strict, and again with
    --strict only if it survived.

    --strict only turns warnings into failures (grading.graded) and sends the same requests (same
    seed), so a run that is killed, or not runnable, without it is so with it too; only a survivor
    can end differently, and only a survivor is run twice."""
    with scratch_copy(root, mutant) as checkout:
        default = run_suite(checkout, strict=False, time_limit=time_limit)
        strict = run_suite(checkout, strict=True, time_limit=time_limit) if default.outcome is Outcome.SURVIVED else default
    return default, strict


@contextmanager
def scratch_copy(root: Path, mutant: Mutant | None) -> Iterator[Path]:
    """A temporary copy of what a run reads from the checkout, with the mutant applied; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="mutant-"))
    try:
        for name in COPIED:
            if (root / name).is_dir():
                shutil.copytree(root / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(root / name, folder / name)
        if mutant is not None:
            original = (root / mutant.file).read_text(encoding="utf-8")
            (folder / mutant.file).write_text(mutant.apply(original), encoding="utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_suite(checkout: Path, *, strict: bool, time_limit: float = TIME_LIMIT) -> Run:
    """The default suite, from `checkout`, in a fresh process."""
    command = [sys.executable, "-m", "pytest", "-q", *(["--strict"] if strict else [])]
    environment = {name: value for name, value in os.environ.items() if name not in IGNORED_ENVIRONMENT}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    verdict_file = checkout / "reports" / "verdict.json"
    verdict_file.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=checkout, env=environment, capture_output=True, text=True, timeout=time_limit, check=False)
    except subprocess.TimeoutExpired:
        return Run(Outcome.NOT_RUNNABLE, None, (), f"no end within {time_limit:g} s", time.monotonic() - started)
    seconds = time.monotonic() - started
    verdict = _read(verdict_file)
    return judged(done.returncode, verdict, done.stdout + done.stderr, seconds)


def judged(exit_code: int, verdict: dict[str, Any] | None, output: str, seconds: float) -> Run:
    """A run's outcome from its exit code and verdict.json (None when it wrote none)."""
    if verdict is None or exit_code not in (0, 1):
        why = f"{verdict['verdict']}: {verdict['reason']}" if verdict is not None else _last_line(output)
        return Run(Outcome.NOT_RUNNABLE, exit_code, (), f"exit {exit_code}, {why}", seconds)
    rows = verdict["requirements"]
    reason = str(verdict["reason"])
    if all(row["outcome"] == "error" for row in rows):
        return Run(Outcome.NOT_RUNNABLE, exit_code, (), f"exit {exit_code}, every requirement in error: {rows[0]['reason']}", seconds)
    if exit_code == 0 and verdict["verdict"] == "conformant":
        return Run(Outcome.SURVIVED, exit_code, tuple(row["id"] for row in rows if row["outcome"] == "warn"), reason, seconds)
    if exit_code == 1 and verdict["verdict"] == "not conformant":
        failed = [row["id"] for row in rows if row["outcome"] in FAILED or (row["outcome"] == "skip" and row["level"] == "MUST")]
        return Run(Outcome.KILLED, exit_code, tuple(failed), reason, seconds)
    return Run(Outcome.NOT_RUNNABLE, exit_code, (), f"exit {exit_code} with the verdict {verdict['verdict']!r}: {reason}", seconds)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"

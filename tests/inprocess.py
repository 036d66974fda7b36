"""Running pytest, or the `graph-sync-conformance` command, inside the test process: what pytester's
`runpytest_inprocess` does (`pytest.main` in this interpreter, its output captured), without pytester's
function scope, so that one run can be shared by every test that reads it (tests/conftest.py).

A run in a fresh interpreter costs about two seconds more than one here: the start-up, the imports,
and hypothesis and schemathesis building their strategies anew, which this process keeps from one run
to the next. The suite leaves nothing of itself in the process (its plugin restores what it changes
when the run ends); the working folder and the environment a run is given are restored here.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from conformance.cli import main as cli_main
from conformance.probes import GeneratedProbe
from conformance.prover import Campaign

Environment = Mapping[str, str | None]
"""Variables to set for a run, over this process's; None unsets one."""


@contextmanager
def launched_in(folder: Path, env: Environment | None = None) -> Iterator[None]:
    """As if the process had been started in `folder` with `env` set: both restored afterwards. Also
    keeps what pytest itself writes to the environment (PYTEST_CURRENT_TEST) out of the test's."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    for name, value in (env or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@dataclass(frozen=True)
class Done:
    """What a command left, as subprocess.run reports it."""

    returncode: int
    stdout: str
    stderr: str


_DRAWN: dict[tuple[Any, ...], list[Any]] = {}


def _drawn_once(campaign: Campaign, probe: GeneratedProbe, batch_seed: int, size: int) -> list[Any]:
    """Campaign.generated, each batch drawn once in this process: the cases of a batch follow from the
    probe (its chosen cases name it and its application ids), the seed and the size alone, which
    tests/test_prover.py and the same-seed tests show by drawing anew."""
    key = (tuple((name, case.path_parameters.get("applicationsId")) for name, case in probe.explicit), batch_seed, size)
    if key not in _DRAWN:
        _DRAWN[key] = _GENERATED(campaign, probe, batch_seed, size)
    return _DRAWN[key]


_GENERATED = Campaign.generated


def run_pytest(
    args: Sequence[str], *, folder: Path, env: Environment | None = None, draw_anew: bool = False, plugins: Sequence[object] = ()
) -> Done:
    """`python -m pytest ARGS`, run in this process from `folder`. Generated cases already drawn by an
    earlier run of this process are taken from it (about a second a run), unless `draw_anew`: what a
    test comparing the cases of two runs asks for. `plugins`: objects registered for the run (pytest.main's)."""
    out, err = io.StringIO(), io.StringIO()
    drawing = contextlib.nullcontext() if draw_anew else patch.object(Campaign, "generated", _drawn_once)
    with launched_in(folder, env), redirect_stdout(out), redirect_stderr(err), drawing:
        code = pytest.main(list(args), plugins=list(plugins))
    return Done(int(code), out.getvalue(), err.getvalue())


def run_cli(args: Sequence[str], *, folder: Path, env: Environment | None = None) -> Done:
    """`graph-sync-conformance ARGS`, run in this process from `folder` (argparse's exits included)."""
    out, err = io.StringIO(), io.StringIO()
    with launched_in(folder, env), redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli_main(list(args))
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1 if exit.code else 0
    return Done(code, out.getvalue(), err.getvalue())

"""Usage errors said in one line: pytest's own (an unknown option, a value its type refuses) under
`graph-sync-conformance run`, and a session that finds nothing to run in the folder it started from.

pytest words its argument errors as argparse does, on several lines (its usage line, the error, its
ini file and rootdir) and under the name `pytest.main()` when a program calls it. `run` registers
`OneLineUsage` before pytest reads its arguments, so that the error reads as the command's own.
A bare `pytest` reads its arguments before any plugin of the suite is loaded: there the error is
pytest's, with the same exit code (4).
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from .collection import SUITE_DIR
from .text import shown

COMMAND = "graph-sync-conformance run"


def one_line(message: str, flags: Sequence[str]) -> str:
    """pytest's argument error as one line under `run`'s name, with the option meant when an unknown
    one is close to one of `flags`."""
    found = re.search(r"error: (.*)", message)
    error = found.group(1).strip() if found else message.strip().splitlines()[-1]
    unknown = re.findall(r"(--?[\w-]+)", error.partition("unrecognized arguments:")[2])
    meant = [close[0] for flag in unknown if (close := difflib.get_close_matches(flag.partition("=")[0], flags, n=1, cutoff=0.8))]
    hint = f" (did you mean {', '.join(meant)}?)" if meant else ""
    return f"{COMMAND}: {shown(error)}{hint}; see {COMMAND} --help"


class OneLineUsage:
    """A plugin for `run`'s pytest.main: pytest's argument errors in one line (`one_line`)."""

    def __init__(self, flags: Sequence[str]) -> None:
        self.flags = list(flags)

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_parse(self) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except pytest.UsageError as exc:
            raise pytest.UsageError(one_line(str(exc), self.flags)) from None


def nothing_here(folder: Path) -> str:
    """What to do when pytest, started in a folder without the suite and given no test path, found
    nothing to run (the checkout's pytest from another folder, which also loads every plugin
    installed): the command that runs the suite from anywhere, isolated, or the suite's path."""
    script = Path(sys.executable).parent / "graph-sync-conformance"
    command = str(script) if script.exists() else "graph-sync-conformance"
    return (
        f"no tests in {shown(str(folder))}: to run the conformance suite from any folder, use `{command} run` with the same "
        f"options (it loads only the suite's plugins), or give pytest the suite's path: {SUITE_DIR}"
    )

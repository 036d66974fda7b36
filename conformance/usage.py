"""Usage errors said in one line: a mistake on the command line (an unknown option, a value an
option's type refuses), under `pytest` and under `graph-sync-conformance run` alike, and a session that
finds nothing to run in the folder it started from.

pytest words its argument errors as argparse does, on several lines (its usage line, the error, its
ini file and rootdir), and under the name `pytest.main()` when a program calls it. The suite checks
the command line itself, at the point pytest would (`check_command_line`, once every initial conftest has declared
its options), and says what is wrong in one line. Its options' types do not refuse a value while
pytest parses (`deferred`): pytest parses before the suite can speak, and would say it on several
lines. `run` registers `OneLineUsage` before pytest reads its arguments, so that the error reads as
the command's own, and pytest's errors about options not the suite's are one line there too.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .collection import SUITE_DIR
from .text import shown

COMMAND = "graph-sync-conformance run"


def one_line(message: str, flags: Sequence[str], command: str = COMMAND) -> str:
    """An argument error as one line under `command`'s name, with the option meant when an unknown
    one is close to one of `flags`: pytest's (its usage line, `prog: error: ...`, its ini file and
    rootdir) or the suite's own (`check_command_line`)."""
    found = re.search(r"error: (.*)", message)
    error = found.group(1).strip() if found else message.strip().splitlines()[-1]
    unknown = re.findall(r"(--?[\w-]+)", error.partition("unrecognized arguments:")[2])
    meant = [close[0] for flag in unknown if (close := difflib.get_close_matches(flag.partition("=")[0], flags, n=1, cutoff=0.8))]
    hint = f" (did you mean {', '.join(meant)}?)" if meant else ""
    return f"{command}: {shown(error)}{hint}; see {command} --help"


@dataclass(frozen=True)
class Refused:
    """A value an option's type refused, held as the option's value until the command line is checked
    whole (`check_command_line`), or the run's configuration is built (`refusal`)."""

    flag: str
    reason: str


def deferred(flag: str, convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert` as an argparse type that never fails: what it refuses becomes a `Refused` value."""

    def parse(text: str) -> Any:
        try:
            return convert(text)
        except argparse.ArgumentTypeError as exc:
            return Refused(flag, str(exc))
        except ValueError:
            return Refused(flag, f"{text!r} is not a value it takes")

    return parse


def refusal(values: Iterable[Any]) -> str | None:
    """The first refused value among `values` (an option's values: one, or a list of them), worded as
    argparse words a refused value."""
    for value in values:
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, Refused):
                return f"argument {one.flag}: {one.reason}"
    return None


def check_command_line(config: pytest.Config, parser: pytest.Parser, args: Sequence[str], flags: Sequence[str]) -> None:
    """The command line as pytest is about to read it, with every option declared: an option no
    plugin declared, or a value the suite's options refuse, is a usage error in one line, under
    `run`'s name when `run` started pytest (its `OneLineUsage` is registered), else pytest's. What
    pytest itself would refuse is refused, no more: an unknown argument that is not an option is a
    test path."""
    run = next((plugin for plugin in config.pluginmanager.get_plugins() if isinstance(plugin, OneLineUsage)), None)
    command, flags = (COMMAND, run.flags) if run is not None else ("pytest", flags)
    namespace, unknown = parser.parse_known_and_unknown_args(list(args))
    if any(arg.startswith("-") for arg in unknown):
        raise pytest.UsageError(one_line(f"unrecognized arguments: {' '.join(unknown)}", flags, command))
    if (refused := refusal(vars(namespace).values())) is not None:
        raise pytest.UsageError(one_line(refused, flags, command))


class OneLineUsage:
    """A plugin for `run`'s pytest.main: every argument error in one line (`one_line`), under `run`'s name."""

    def __init__(self, flags: Sequence[str]) -> None:
        self.flags = list(flags)

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_parse(self) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except pytest.UsageError as exc:
            if str(exc).startswith(f"{COMMAND}: "):  # said already (`check_command_line`)
                raise
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

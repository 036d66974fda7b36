"""The collection rule: every test of the conformance suite proves named requirements of the
catalogue, and every MUST is proven by some test, or the run does not start.

Also what a session's arguments say about the suite: whether it runs at all (and so writes its
reports), and whether it runs whole (and so its verdict decides the exit code).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import pytest

from .catalogue import BY_ID, REQUIREMENTS, Level
from .errors import UsageError
from .grading import requirement_properties

SUITE_DIR = Path(__file__).resolve().parent / "suite"


def requirement_ids(item: pytest.Item) -> list[str]:
    return [rid for mark in item.iter_markers("requirement") for rid in mark.args]


def coverage_problems(tests: dict[str, list[str]], complete: bool) -> list[str]:
    """What is wrong with how suite tests map to the catalogue. `tests`: node id -> requirement ids."""
    problems = [f"{node} names no requirement (@pytest.mark.requirement)" for node, ids in tests.items() if not ids]
    problems += [f"{node} names unknown requirement {rid}" for node, ids in tests.items() for rid in ids if rid not in BY_ID]
    if complete:
        proven = {rid for ids in tests.values() for rid in ids}
        problems += [f"MUST requirement {r.id} has no test" for r in REQUIREMENTS if r.level is Level.MUST and r.id not in proven]
    return problems


def in_suite(item: pytest.Item) -> bool:
    return SUITE_DIR in Path(item.path).parents


def check(items: Sequence[pytest.Item], *, narrowed: bool) -> None:
    """Refuse a suite that does not cover its catalogue; give each suite test its requirements' id and
    level as properties (JUnit writes them, the HTML report shows them)."""
    suite = [item for item in items if in_suite(item)]
    if not suite:
        return  # a session of other tests (the suite's own): nothing to hold to the catalogue
    problems = coverage_problems({item.nodeid: requirement_ids(item) for item in suite}, complete=not narrowed)
    if problems:
        raise UsageError("the conformance suite does not cover its catalogue:\n  " + "\n  ".join(problems))
    for item in suite:
        for rid in requirement_ids(item):
            item.user_properties.extend(requirement_properties(BY_ID[rid]))


def runs_suite(args: Sequence[str], *, pyargs: bool, invocation_dir: Path) -> bool:
    """Whether a session with these arguments collects the conformance suite (and so writes its reports)."""
    for arg in args:
        target = arg.split("::", 1)[0]
        spec = importlib.util.find_spec(target) if pyargs and "/" not in target else None
        origin = spec.origin if spec is not None else None
        path = Path(origin).parent if origin else (invocation_dir / target).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


def narrowed(args: Sequence[str]) -> bool:
    """A node id (`path::test`) selects part of the suite."""
    return any("::" in arg for arg in args)


def narrowing(config: pytest.Config) -> str | None:
    """How the session leaves part of the suite out, if it does: a test id, -k, -m, --deselect, or
    -x / --maxfail (which stop it at the first failures). Such a run certifies nothing, whatever it judged."""
    ways = [
        ("a test id", narrowed(config.args)),
        ("-k", bool(config.getoption("keyword"))),
        ("-m", bool(config.getoption("markexpr"))),
        ("--deselect", bool(config.getoption("deselect", None))),
        ("-x" if config.getoption("maxfail") == 1 else "--maxfail", bool(config.getoption("maxfail"))),
    ]
    named = [name for name, used in ways if used]
    return ", ".join(named) or None

"""Fixtures for the suite's own tests: servers on loopback, and running the suite against them."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from jsonschema import Draft202012Validator

from conformance.contract import json_schema
from conformance.server import BackgroundServer, ReferenceServer

from .hostile import RawServer
from .inprocess import run_pytest

# The tests' own property tests: a loaded 2-core machine (pytest -n 2 beside suite runs) makes one
# example take longer than hypothesis' 200 ms now and then; what they assert has no clock in it.
settings.register_profile("suite-tests", deadline=None)
settings.load_profile("suite-tests")

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "conformance" / "suite"


SUITE_RUNNING = {"run_suite", "shared_runs", "installed", "signed", "many"}
"""Fixtures that run the suite, install it or draw hundreds of cases: a test that asks for one is slow (`-m slow`)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run the suite slow, for `make test-fast` (`-m "not slow"`); and run the tests that read
    every gallery run last, so that under -n the runs are made side by side by the tests of each
    server, not one after another by the first reader."""
    for item in items:
        if SUITE_RUNNING & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("reads_every_run") is not None)


def verdict_validator() -> Draft202012Validator:
    return Draft202012Validator(json_schema("verdict.schema.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass(frozen=True)
class Served:
    url: str
    token: str
    server: ReferenceServer


@dataclass(frozen=True)
class SuiteRun:
    exit_code: int
    output: str
    outcomes: dict[str, str]
    """Requirement id -> pass / fail / warn / skip: the verdict properties of the run's JUnit file."""
    reports: Path
    verdict: dict | None
    """reports/verdict.json, already checked against schemas/verdict.schema.json and against JUnit."""

    def caught(self) -> set[str]:
        """The requirements the run failed or warned on."""
        return {rid for rid, outcome in self.outcomes.items() if outcome in ("fail", "warn")}

    def artifacts(self) -> dict[Path, str]:
        return {p: p.read_text(encoding="utf-8") for p in self.reports.rglob("*") if p.is_file()}


@pytest.fixture
def serve() -> Iterator[Callable[[type[ReferenceServer]], Served]]:
    """Start servers of the given behaviour on loopback; all stop when the test ends."""
    running: list[BackgroundServer] = []

    def start(behaviour: type[ReferenceServer] = ReferenceServer) -> Served:
        token = "canary-" + secrets.token_hex(12)
        server = behaviour(token=token)
        background = BackgroundServer(server.app(), server.base_path).start()
        running.append(background)
        return Served(background.url, token, server)

    yield start
    for background in running:
        background.stop()


@pytest.fixture
def raw():
    """Start raw-socket targets (tests/hostile.py) that misbehave below HTTP; all stop at the end."""
    servers: list[RawServer] = []

    def start(behaviour):
        server = RawServer(behaviour)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _outcomes(junit: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).iter("testcase"):
        if case.get("name") is None:
            continue  # pytest's record of the test an interrupt cut short
        props = [(p.get("name"), p.get("value")) for p in case.iter("property")]
        verdicts = [value for name, value in props if name == "verdict"]
        failed = case.find("failure") is not None or case.find("error") is not None
        assert verdicts, f"no verdict property on {case.get('name')}"
        assert failed == (verdicts[-1] in ("fail", "error")), f"JUnit and verdict disagree on {case.get('name')}"
        for name, value in props:
            if name == "requirement":
                outcomes[str(value)] = str(verdicts[-1])
    return outcomes


class SuiteRunner:
    """Runs the conformance suite as a user would, reports under a folder of its own: in this process
    (`pytest.main`, as pytester's in-process runs do), or in a fresh one where only a fresh process
    shows what is asserted (signals, entry points, an installed package)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def arguments(self, *args: str) -> tuple[list[str], Path]:
        """pytest's arguments for a run, and the folder of its own its reports go to."""
        reports = self.folder / f"reports-{len(list(self.folder.glob('reports-*')))}"
        reports.mkdir()
        arguments = [
            str(SUITE), "-p", "no:cacheprovider",
            f"--junitxml={reports / 'junit.xml'}", f"--html={reports / 'report.html'}", "--self-contained-html",
            f"--verdict={reports / 'verdict.json'}", f"--evidence={reports / 'evidence.jsonl'}", *args,
        ]  # fmt: skip
        return arguments, reports

    def __call__(self, *args: str, env: dict[str, str] | None = None, draw_anew: bool = False) -> SuiteRun:
        """The run in this process; `env`: variables to set (over this process's) for the run;
        `draw_anew`: generate every case, even those an earlier run of this process drew (tests/inprocess.py)."""
        arguments, reports = self.arguments(*args)
        done = run_pytest(arguments, folder=self.folder, env=env, draw_anew=draw_anew)
        return self.result(reports, done.returncode, done.stdout + done.stderr)

    def in_subprocess(self, *args: str, env: dict[str, str] | None = None) -> SuiteRun:
        """The run in a fresh interpreter, as `python -m pytest` starts it."""
        arguments, reports = self.arguments(*args)
        command = [sys.executable, "-m", "pytest", *arguments]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
        return self.result(reports, done.returncode, done.stdout + done.stderr)

    def start(self, *args: str) -> tuple[subprocess.Popen[str], Path]:
        """The run in the background, in a fresh interpreter: the caller signals it, then calls `result`."""
        arguments, reports = self.arguments(*args)
        command = [sys.executable, "-m", "pytest", *arguments]
        process = subprocess.Popen(command, cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return process, reports

    def result(self, reports: Path, exit_code: int, output: str) -> SuiteRun:
        """What a run left: its exit code, output and reports, the reports checked against their schema and each other."""
        junit, verdict_file = reports / "junit.xml", reports / "verdict.json"
        outcomes = _outcomes(junit) if junit.exists() else {}
        verdict = json.loads(verdict_file.read_text(encoding="utf-8")) if verdict_file.exists() else None
        if verdict is not None:
            errors = [e.message for e in verdict_validator().iter_errors(verdict)]
            assert not errors, f"verdict.json breaks its schema: {errors[:3]}"
            judged = {r["id"]: r["outcome"] for r in verdict["requirements"] if r["reason"] != "not run"}
            assert {rid: judged.get(rid) for rid in outcomes} == outcomes, "verdict.json and JUnit disagree"
            # Rows JUnit has no test report for come only from a run interrupted before their turn.
            assert set(judged) == set(outcomes) or "interrupted" in (verdict["stopped"] or {}).get("reason", ""), "extra rows"
        return SuiteRun(exit_code, output, outcomes, reports, verdict)


@pytest.fixture
def run_suite(tmp_path: Path) -> SuiteRunner:
    return SuiteRunner(tmp_path)


@dataclass(frozen=True)
class SharedRun:
    """A default kind of run, made once for every test (and pytest-xdist worker) that reads it."""

    run: SuiteRun
    url: str
    token: str


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SharedRuns:
    """Runs of the suite against a server of a given behaviour, with given options, each made once per
    test session: the first test that asks makes it (in its process, under a lock the pytest-xdist
    workers share), and every test after, in any worker, reads the same reports. Only for runs whose
    readers need nothing but the run: a test that looks at the server's own state runs its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, behaviour: type[ReferenceServer] = ReferenceServer, *args: str) -> SharedRun:
        key = hashlib.sha256(repr((behaviour.__module__, behaviour.__qualname__, args)).encode()).hexdigest()[:12]
        with once(self.folder, f"run-{behaviour.__name__}-{key}") as (folder, to_make):
            record = folder / "run.json"
            if to_make:
                folder.mkdir(exist_ok=True)  # perhaps left by a maker that failed
                # Fixed for the run's key, so that what a run measures is the same every session (an
                # altered token ends in "A": a token ending in "a" would meet a case-blind server sooner).
                token = f"canary-{key}-token"
                server = behaviour(token=token)
                with BackgroundServer(server.app(), server.base_path) as background:
                    arguments, reports = SuiteRunner(folder).arguments("--base-url", background.url, "--token", token, *args)
                    done = run_pytest(arguments, folder=folder)
                made = {"exit_code": done.returncode, "output": done.stdout + done.stderr, "reports": str(reports)}
                record.write_text(json.dumps({**made, "url": background.url, "token": token}), encoding="utf-8")
        made = json.loads(record.read_text(encoding="utf-8"))
        run = SuiteRunner(folder).result(Path(made["reports"]), made["exit_code"], made["output"])
        return SharedRun(run, made["url"], made["token"])


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session's that every pytest-xdist worker of it shares (their base folders'
    parent), for what is made once per session: shared runs, the wheel."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def once(folder: Path, name: str) -> Iterator[tuple[Path, bool]]:
    """`folder/name`, and whether it is still to be made: the first caller of the session (in any
    worker) makes it while the others wait for it, under a lock."""
    made = folder / name
    with _locked(folder / f"{name}.lock"):
        yield made, not (made / ".made").exists()
        if made.is_dir():
            (made / ".made").touch()


@pytest.fixture(scope="session")
def shared_runs(shared_folder: Path) -> SharedRuns:
    return SharedRuns(shared_folder)

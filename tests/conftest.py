"""Fixtures for the suite's own tests: servers on loopback, and running the suite against them."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conformance.contract import json_schema
from conformance.server import BackgroundServer, ReferenceServer

from .hostile import RawServer

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "conformance" / "suite"


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
    """Runs the conformance suite as a user would, in a fresh process, reports under a folder of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def command(self, *args: str) -> tuple[list[str], Path]:
        reports = self.folder / f"reports-{len(list(self.folder.glob('reports-*')))}"
        reports.mkdir()
        command = [
            sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider",
            f"--junitxml={reports / 'junit.xml'}", f"--html={reports / 'report.html'}", "--self-contained-html",
            f"--verdict={reports / 'verdict.json'}", f"--evidence={reports / 'evidence.jsonl'}", *args,
        ]  # fmt: skip
        return command, reports

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> SuiteRun:
        """`env`: variables to set (over this process's) for the run."""
        command, reports = self.command(*args)
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
        return self.result(reports, done.returncode, done.stdout + done.stderr)

    def start(self, *args: str) -> tuple[subprocess.Popen[str], Path]:
        """The run in the background: the caller signals it, then calls `result`."""
        command, reports = self.command(*args)
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

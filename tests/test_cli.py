"""The command line: the catalogue it prints, and `serve` as a target for the suite."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from conformance.catalogue import REQUIREMENTS
from conformance.cli import main, requirements_markdown

from .conftest import REPO


def test_readme_requirement_table_is_the_catalogue() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- requirements:start")
    table = readme[readme.index("\n", start) + 1 : readme.index("<!-- requirements:end -->")].strip()
    assert table == requirements_markdown()


def test_requirements_json_lists_every_requirement(capsys) -> None:
    assert main(["requirements", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["level"]) for r in listed] == [(r.id, str(r.level)) for r in REQUIREMENTS]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"serve did not listen on {port}: {process.stderr.read() if process.stderr else ''}")


def test_the_suite_passes_against_a_separately_started_serve(tmp_path, run_suite) -> None:
    port = _free_port()
    token = "cli-canary-token-7f3a"
    serve = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "serve", "--port", str(port), "--token", token, "--db", str(tmp_path / "s.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(port, serve)
        run = run_suite("--base-url", f"http://127.0.0.1:{port}/beta", "--token", token)
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    assert run.exit_code == 0, run.output
    assert set(run.outcomes.values()) == {"pass"}
    assert not [path for path, text in run.artifacts().items() if token in text]
    assert (tmp_path / "s.db").stat().st_size > 0


def test_readme_documents_every_option_of_the_plugin(tmp_path) -> None:
    import re

    help_text = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60).stdout
    group = help_text.split("Create synchronization conformance:", 1)[1].split("\n\n", 1)[0]
    options = re.findall(r"^  (--[a-z-]+)", group, re.M)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert options and not [name for name in options if f"`{name}" not in readme]
    for variable in ("GRAPH_TOKEN", "GRAPH_CLIENT_SECRET", "PYTEST_BASE_URL"):
        assert f"`{variable}`" in readme


def test_the_nightly_ci_examples_parse_and_fail_on_regressions() -> None:
    import yaml

    for name in ("github-nightly.yml", "gitlab-nightly.yml"):
        text = (REPO / "docs" / "ci" / name).read_text(encoding="utf-8")
        assert yaml.safe_load(text)
        assert "graph-sync-conformance diff" in text and "reports/" in text


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another socket is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


CANNOT_START = {
    "port-in-use": r"cannot listen on 127\.0\.0\.1:\d+: Address already in use",
    "port-out-of-range": r"cannot listen on 127\.0\.0\.1:70000: bind\(\): port must be 0-65535\.",
    "host-not-an-address": r"cannot listen on no such host:\d+: Name or service not known",
    "host-not-this-machine": r"cannot listen on 192\.0\.2\.1:\d+: Cannot assign requested address",
    "db-a-directory": r"--db .*: cannot keep the store there: unable to open database file",
    "db-in-no-folder": r"--db .*: cannot keep the store there: unable to open database file",
    "db-not-a-database": r"--db .*: cannot keep the store there: file is not a database",
}
"""Why `serve` cannot start, as its one line of standard error says (after `graph-sync-conformance serve: `)."""


@pytest.mark.parametrize("problem", list(CANNOT_START))
def test_serve_that_cannot_start_says_why_in_one_line(problem: str, busy_port: int, tmp_path, capsys) -> None:
    import re

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database " * 100)
    arguments = {
        "port-in-use": ["--port", str(busy_port)],
        "port-out-of-range": ["--port", "70000"],
        "host-not-an-address": ["--host", "no such host", "--port", str(_free_port())],
        "host-not-this-machine": ["--host", "192.0.2.1", "--port", str(_free_port())],
        "db-a-directory": ["--db", str(tmp_path), "--port", str(_free_port())],
        "db-in-no-folder": ["--db", str(tmp_path / "missing" / "s.db"), "--port", str(_free_port())],
        "db-not-a-database": ["--db", str(not_a_database), "--port", str(_free_port())],
    }[problem]
    assert main(["serve", "--token", "t", *arguments]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(rf"graph-sync-conformance serve: {CANNOT_START[problem]}\n", err), err


@pytest.mark.skipif(os.geteuid() == 0 or not hasattr(os, "geteuid"), reason="root writes read-only files")
def test_serve_refuses_a_store_it_cannot_write(tmp_path, capsys) -> None:
    """A read-only file opens: found now, not as a 500 on every create."""
    from conformance.server import Store

    path = tmp_path / "s.db"
    Store(str(path)).close()
    path.chmod(0o444)
    assert main(["serve", "--token", "t", "--db", str(path), "--port", str(_free_port())]) == 2
    assert "attempt to write a readonly database" in capsys.readouterr().err

"""The command line: the catalogue it prints, and `serve` as a target for the suite."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

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

    help_text = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    ).stdout
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

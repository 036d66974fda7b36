"""What a new user meets on the command line: file options in the space form, common mistakes with a
hint that fits, and a collection error that ends as one, not as an INTERNALERROR (live progress:
tests/test_progress.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from starlette.applications import Starlette

from conformance.server import BackgroundServer

from .conftest import REPO
from .inprocess import run_cli, run_pytest

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)


def pytest_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *args]


# --- file options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--waivers", "--ca-bundle", "--html", "--junitxml", "--verdict", "--evidence", "--summary"])
def test_a_file_option_in_the_space_form_stops_with_the_equals_form_never_the_wrong_tests(option: str, tmp_path) -> None:
    """From the checkout, as the README runs it, with the file outside it: pytest would take the file
    for a test path, move its rootdir there and collect the suite's own tests."""
    elsewhere = tmp_path / "some" / "dir"
    elsewhere.mkdir(parents=True)
    given = elsewhere / "file.yaml"
    given.write_text("[]\n")
    # A fresh interpreter: the mistake makes pytest ignore the project's configuration, and so load
    # every plugin installed, which would stay loaded in this process.
    done = subprocess.run(pytest_command(option, str(given)), cwd=REPO, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 4, output
    assert f"{option}: write {option}=FILE, with '='" in output
    assert "INTERNALERROR" not in output and "Traceback" not in output and "collected" not in output
    assert len(output.strip().splitlines()) == 1, output


def test_a_bare_pytest_in_the_checkout_runs_the_suite(tmp_path) -> None:
    """`make suite`: no arguments at all (the reports sent elsewhere through PYTEST_ADDOPTS, which is
    not part of the command line the space-form rule reads)."""
    reports = [f"--{name}={tmp_path / file}" for name, file in (("html", "r.html"), ("junitxml", "j.xml"), ("verdict", "v.json"))]
    addopts = " ".join(["--collect-only", "-q", f"--evidence={tmp_path / 'e.jsonl'}", f"--summary={tmp_path / 's.md'}", *reports])
    done = run_pytest([], folder=REPO, env={"PYTEST_ADDOPTS": addopts})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_requirement[SYNC-CREATE-201]" in done.stdout


def test_graph_sync_conformance_run_takes_the_space_form(tmp_path) -> None:
    waivers = tmp_path / "elsewhere" / "waivers.yaml"
    waivers.parent.mkdir()
    waivers.write_text("[]\n")
    done = run_cli(["run", "--waivers", str(waivers), "--max-examples", "2", "-q"], folder=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "reports" / "verdict.json").exists()


def test_a_collection_error_ends_as_one_with_the_html_report_written(tmp_path) -> None:
    """pytest-html asks for each report's row, also a collection error's (which has no user_properties)."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["conformance.plugin"]\n')
    (tmp_path / "test_broken.py").write_text("def test_(:\n")
    # A fresh interpreter: outside the project's configuration pytest loads every plugin installed.
    done = subprocess.run(
        pytest_command(str(tmp_path), "-p", "no:cacheprovider", f"--html={tmp_path / 'r.html'}"),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 2, output  # pytest's "interrupted": errors during collection
    assert "INTERNALERROR" not in output and (tmp_path / "r.html").exists()


# --- hints for common mistakes ---------------------------------------------------------------------


def test_every_request_answered_404_suggests_the_service_root(serve, run_suite) -> None:
    served = serve()
    root = served.url.removesuffix("/beta")
    run = run_suite("--base-url", root, "--token", served.token, "--max-examples", "3")
    assert run.exit_code == 1, run.output
    hint = f"hint: every request was answered 404: --base-url is the service root with its version, e.g. {root}/beta"
    assert hint in run.output
    assert run.verdict and run.verdict["hints"] and run.verdict["hints"][0].startswith("every request was answered 404")


def test_a_run_that_is_right_gets_no_hint(serve, run_suite) -> None:
    served = serve()
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "3")
    assert run.exit_code == 0 and "hint:" not in run.output
    assert run.verdict and run.verdict["hints"] == []


@pytest.mark.parametrize("insecure", [(), ("--insecure",)], ids=["verified", "insecure"])
def test_https_to_a_plain_http_port_says_so_and_does_not_suggest_insecure(insecure: tuple[str, ...], run_suite) -> None:
    with BackgroundServer(Starlette()) as plain:
        port = plain.url.rsplit(":", 1)[1]
        run = run_suite("--base-url", f"https://127.0.0.1:{port}/beta", "--token", "t", *insecure)
    assert run.exit_code == 3, run.output
    assert re.search(
        rf"no verdict \(exit 3\): TLS handshake with 127\.0\.0\.1:{port} failed: .*wrong version number.*is it a plain-HTTP port\? "
        r"then the URL is http://",
        run.output,
    ), run.output
    assert "--insecure turns" not in run.output

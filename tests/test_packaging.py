"""Installed use: the wheel in a fresh virtual environment, run from a folder outside any checkout, is
as good as the checkout: the same named plugins and no others, nothing left in the working folder but
the reports, `--version`, and a rerun line that runs when pasted into a shell anywhere."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import REPO, once
from .servers import DropsLastSecret

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)

SUITE_INI = REPO / "conformance" / "suite" / "pytest.ini"


def _plugin_options(addopts: list[str]) -> list[str]:
    return [option for option in addopts if option != "-p" and option != "no:cacheprovider"]


def test_the_packaged_suite_configuration_names_the_checkout_s_plugins() -> None:
    """suite/pytest.ini (what an installed run uses) and pyproject.toml (a checkout's bare `pytest`)."""
    checkout = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    parser = configparser.ConfigParser()
    parser.read(SUITE_INI)
    packaged = parser["pytest"]["addopts"].split()
    assert set(_plugin_options(checkout)) | {"conformance.plugin"} == set(_plugin_options(packaged))
    assert "--disable-plugin-autoload" in packaged


@pytest.fixture(scope="session")
def installed(shared_folder: Path) -> Path:
    """A fresh venv with the wheel built from this checkout and its dependencies from the package index:
    made once per test session, whichever pytest-xdist worker needs it first. uv makes the venv and
    installs into it (a few seconds, where pip takes twenty): what is tested is the wheel."""
    with once(shared_folder, "installed") as (folder, to_make):
        bin_dir = folder / "venv" / "bin"
        if to_make:
            built = subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder / "dist"), str(REPO)],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if built.returncode != 0:
                pytest.skip(f"the wheel could not be built here (no package index?): {built.stderr.strip().splitlines()[-1:]}")
            wheel = next((folder / "dist").glob("graph_sync_conformance-*.whl"))
            uv = str(Path(sys.executable).with_name("uv"))
            subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(folder / "venv")], check=True, timeout=120)
            env = {**os.environ, "VIRTUAL_ENV": str(folder / "venv")}
            done = subprocess.run([uv, "pip", "install", "-q", str(wheel)], capture_output=True, text=True, timeout=900, env=env)
            if done.returncode != 0:
                pytest.skip(f"the wheel's dependencies could not be installed here: {done.stderr.strip().splitlines()[-1:]}")
    return bin_dir


def test_the_installed_cli_tells_its_version(installed: Path) -> None:
    done = subprocess.run([str(installed / "graph-sync-conformance"), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and re.fullmatch(r"graph-sync-conformance \d+\.\d+\.\d+\n", done.stdout), done.stdout


def test_the_wheel_carries_the_openapi_3_0_rendition_and_its_command_runs_outside_a_checkout(installed: Path, tmp_path) -> None:
    """schemas/ ships as conformance/schemas (force-include), so the installed command finds the 3.1
    source and writes what the checkout committed; the committed file ships beside it."""
    command = [str(installed / "graph-sync-conformance"), "openapi", "--version", "3.0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "schemas" / "openapi-3.0.yaml").read_text(encoding="utf-8")
    shipped = subprocess.run(
        [str(installed / "python"), "-c", "from conformance.openapi30 import rendition_path; print(rendition_path().read_text(), end='')"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert shipped.stdout == done.stdout, shipped.stderr


def test_an_installed_run_outside_a_checkout_is_isolated_and_its_rerun_line_runs_anywhere(installed: Path, serve, tmp_path) -> None:
    served = serve(DropsLastSecret)
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "HYPOTHESIS_STORAGE_DIRECTORY")}
    env["GRAPH_TOKEN"] = served.token
    command = [str(installed / "graph-sync-conformance"), "run", "--base-url", served.url]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    # The named plugins only: schemathesis and hypothesis ship pytest plugins, which autoloading would add.
    plugins = next(line for line in output.splitlines() if line.startswith("plugins:"))
    assert "schemathesis" not in plugins and "hypothesis" not in plugins, plugins
    assert sorted(p.name for p in work.iterdir()) == ["reports"], "the run left something in the working folder"
    rerun = next(line.split("rerun: ", 1)[1] for line in output.splitlines() if "rerun: " in line and "SYNC-SECRETS-ECHO" in line)
    assert not rerun.startswith(".venv/") and Path(shlex.split(rerun)[0]).parent == installed
    again = subprocess.run(rerun, shell=True, cwd=elsewhere, capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 1, again.stdout + again.stderr  # it runs (not 127), and fails the same way
    assert "SYNC-SECRETS-ECHO (MUST) failed" in again.stdout and "1 failed" in again.stdout
    assert served.token not in output + again.stdout


def _generated(evidence: Path) -> list[str]:
    lines = [json.loads(line) for line in evidence.read_text(encoding="utf-8").splitlines()]
    return [line["request"]["body"]["text"] for line in lines if line["case"] == "generated" and line["purpose"] == "case"]


def test_the_same_seed_sends_the_same_cases_installed_or_from_a_checkout(installed: Path, serve, run_suite, tmp_path) -> None:
    """Hypothesis would otherwise mix constants from the suite's own modules into its draws when they
    are not installed (a checkout), and not when they are: another set of cases for the same seed."""
    served = serve()
    checkout = run_suite("--base-url", served.url, "--token", served.token, "--seed", "11", draw_anew=True)
    command = [str(installed / "graph-sync-conformance"), "run", "--base-url", served.url, "--seed", "11", "-q"]
    env = {**os.environ, "GRAPH_TOKEN": served.token}
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert (checkout.exit_code, done.returncode) == (0, 0), done.stdout + done.stderr
    ours, theirs = _generated(checkout.reports / "evidence.jsonl"), _generated(tmp_path / "reports" / "evidence.jsonl")
    assert len(ours) == 80 and ours == theirs

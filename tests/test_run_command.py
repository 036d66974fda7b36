"""`graph-sync-conformance run` as a command of its own: its --help lists every option of the suite in
the README's groups, a mistake on its command line is one line (exit 4, as under pytest), pytest
started in a folder without the suite says what to do; and the README's examples are accepted by
what reads them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.bundle import product_problems
from conformance.configfile import load
from conformance.options import FILE_KEYS, GROUPS, OPTIONS

from .conftest import REPO
from .inprocess import run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")
NO_TARGET = {"PYTEST_BASE_URL": None, "PYTEST_ADDOPTS": None}


def _help_groups(text: str) -> dict[str, list[str]]:
    """argparse's help: group heading -> the long options listed under it."""
    groups: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        heading, _, body = block.partition(":\n")
        if body and not heading.startswith(" "):
            groups[heading] = re.findall(r"^  (--[a-z-]+)", body, re.M)
    return groups


def _readme_groups() -> dict[str, list[str]]:
    """The README's option tables: `#### heading` -> the long options of its table's first column."""
    section = README.split("## Pointing it at your server", 1)[1].split("### Verdicts and exit codes", 1)[0]
    groups: dict[str, list[str]] = {}
    for heading, table in re.findall(r"^#### (.+)\n\n((?:\|.*\n)+)", section, re.M):
        groups[heading] = [flag for row in table.splitlines()[2:] for flag in re.findall(r"`(--[a-z-]+)", row.split("|")[1])]
    return groups


def test_run_help_lists_every_option_of_the_suite_grouped_as_in_the_readme() -> None:
    done = run_cli(["run", "--help"], folder=REPO)
    assert done.returncode == 0, done.stderr
    shown = _help_groups(done.stdout)
    readme = _readme_groups()
    assert list(readme) == list(GROUPS)
    assert {group: shown[group] for group in GROUPS} == readme
    assert {flag for group in GROUPS for flag in shown[group]} == {option.flag for option in OPTIONS}
    assert shown["run"] == ["--reports", "--bundle", "--product", "--sign-key"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--max-exampels", "3"], "unrecognized arguments: --max-exampels 3 (did you mean --max-examples?)"),
        (["--seeed=4", "--insecur"], "unrecognized arguments: --seeed=4 --insecur (did you mean --seed, --insecure?)"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate; see graph-sync-conformance run --help"),
        (["--max-examples=many"], "argument --max-examples: 'many' is not a whole number"),
        (["--rate-limit", "fast"], "argument --rate-limit: 'fast' is not a rate"),
        (["--product", "missing.yaml"], "argument --product: no such file: 'missing.yaml'"),
        (["--reports"], "argument --reports: expected one argument"),
    ],
    ids=["typo", "two-typos", "unknown", "not-a-number", "not-a-rate", "run-s-own-option", "run-s-own-option-without-value"],
)
def test_a_mistake_on_run_s_command_line_is_one_line_exit_4(args: list[str], said: str, tmp_path: Path) -> None:
    done = run_cli(["run", *args], folder=tmp_path, env=NO_TARGET)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 4, output
    # pytest prefixes its usage errors with "ERROR: "; run's own options are read before pytest starts.
    assert output.splitlines() == [output] and output.removeprefix("ERROR: ").startswith("graph-sync-conformance run: ")
    assert said in output and "pytest.main()" not in output
    assert not (tmp_path / "reports").exists(), "a run started"


@pytest.mark.slow
def test_pytest_started_in_a_folder_without_the_suite_says_what_to_do_exit_4(tmp_path: Path) -> None:
    """The checkout's pytest from another folder (a fresh interpreter: there pytest loads every plugin installed)."""
    command = [sys.executable, "-m", "pytest", "--base-url", "http://127.0.0.1:9/beta", "--token", "elsewhere-canary-token"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    said = done.stderr.strip()
    assert said.splitlines() == [said], said
    assert f"no tests in {tmp_path}" in said and "graph-sync-conformance run" in said
    assert str(REPO / "conformance" / "suite") in said


def test_the_readme_s_product_yaml_example_is_accepted(tmp_path: Path) -> None:
    example = re.search(r"```yaml\n(# PRODUCT\.yaml\n.*?)```", README, re.S)
    assert example, "the README has no PRODUCT.yaml example"
    product = tmp_path / "PRODUCT.yaml"
    product.write_text(example.group(1), encoding="utf-8")
    assert product_problems(product) == []
    product.write_text(example.group(1).replace('version: "2.4.1"', "version: 1.0"), encoding="utf-8")
    assert product_problems(product), "the example's quoting of version does not matter: the test proves nothing"


def test_the_readme_s_configuration_example_is_accepted(tmp_path: Path) -> None:
    example = re.search(r"```toml\n(# graph-sync-conformance\.toml\n.*?)```", README, re.S)
    assert example, "the README has no configuration file example"
    config = tmp_path / "graph-sync-conformance.toml"
    config.write_text(example.group(1), encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text("[]\n")
    values = load(config, FILE_KEYS).values
    assert values["max_examples"] == 100 and values["token_env"] == "SYNC_TOKEN"

"""`graph-sync-conformance run` as a command of its own: its --help lists every option of the suite in
the README's groups, a mistake on its command line is one line (exit 4, as under pytest, where a
mistake is one line too), pytest started in a folder without the suite says what to do; and the
README's examples are accepted by what reads them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.bundle import product_problems
from conformance.configfile import load
from conformance.options import FILE_KEYS, GROUPS, OPTIONS

from .conftest import REPO, SUITE
from .inprocess import run_cli, run_pytest

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
        (["--max-exampels", "3"], "unrecognized arguments: --max-exampels (did you mean --max-examples?)"),
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


def _misspelt(flag: str) -> str:
    """`flag` with two neighbouring letters of its name swapped: a typo no option is spelt as."""
    name = flag.removeprefix("--")
    at = next(i for i in range(len(name) // 2, len(name) - 1) if name[i] != name[i + 1] and "-" not in name[i : i + 2])
    return "--" + name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def _said_in_one_line(done, *expected: str) -> str:
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 4, output
    assert output.splitlines() == [output], output
    assert all(text in output for text in expected), output
    return output


OURS = [option for option in OPTIONS if option.ours]
ENTRIES = {
    "pytest-in-the-checkout": lambda args, folder: run_pytest(list(args), folder=REPO, env=NO_TARGET),
    "pytest-on-the-suite": lambda args, folder: run_pytest([str(SUITE), *args], folder=folder, env=NO_TARGET),
    "run": lambda args, folder: run_cli(["run", *args], folder=folder, env=NO_TARGET),
}


@pytest.mark.parametrize("entry", list(ENTRIES))
@pytest.mark.parametrize("option", OURS, ids=lambda option: option.flag)
def test_any_misspelt_option_is_one_line_naming_the_option_meant(option, entry: str, tmp_path: Path) -> None:
    typo = _misspelt(option.flag)
    command = "graph-sync-conformance run" if entry == "run" else "pytest"
    _said_in_one_line(
        ENTRIES[entry]([f"{typo}=1"], tmp_path), f"{command}: unrecognized arguments: {typo}=1", f"did you mean {option.flag}?"
    )
    assert not (tmp_path / "reports").exists(), "a run started"


@pytest.mark.parametrize("entry", list(ENTRIES))
@pytest.mark.parametrize("option", [option for option in OURS if option.type is not None], ids=lambda option: option.flag)
def test_any_value_an_option_refuses_is_one_line_under_pytest_and_run(option, entry: str, tmp_path: Path) -> None:
    output = _said_in_one_line(ENTRIES[entry]([f"{option.flag}=\x1b[2Jbad"], tmp_path), f"argument {option.flag}: ")
    assert "\x1b" not in output, "a value from the command line is shown with its control characters escaped"
    assert not (tmp_path / "reports").exists(), "a run started"


def test_a_mistake_in_pytest_addopts_is_one_line(tmp_path: Path) -> None:
    done = run_pytest([str(SUITE)], folder=tmp_path, env={**NO_TARGET, "PYTEST_ADDOPTS": "--seeed=3"})
    _said_in_one_line(done, "pytest: unrecognized arguments: --seeed=3 (did you mean --seed?)")


@pytest.mark.slow
def test_a_mistake_on_bare_pytest_s_command_line_is_one_line_in_a_fresh_interpreter() -> None:
    """The checkout's pytest as a user starts it, from the checkout: pytest's own parsing, no test harness."""
    command = [sys.executable, "-m", "pytest", "--max-exampels", "3", "--concurrency=many"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, env=_without(NO_TARGET))
    _said_in_one_line(done, "pytest: unrecognized arguments: --max-exampels (did you mean --max-examples?)")
    command = [sys.executable, "-m", "pytest", "--concurrency=many"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, env=_without(NO_TARGET))
    _said_in_one_line(done, "pytest: argument --concurrency: 'many' is not a whole number")


def _without(names) -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in names}


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

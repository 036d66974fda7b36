"""The configuration file (`graph-sync-conformance.toml`, or `[tool.graph-sync-conformance]` in
pyproject.toml): every option settable, the command line over the environment over the file over the
default, each value's source in verdict.json, credentials only by the names of their variables, and
every mistake in a file a usage error naming the file and line."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.configfile import MAX_BYTES, load
from conformance.errors import UsageError
from conformance.options import FILE_KEYS, OPTIONS
from conformance.stash import RUN

from .conftest import SUITE
from .inprocess import Done, run_cli, run_pytest

TOKEN = "config-canary-token-0123456789"


class Captured:
    """A plugin that keeps the run's configuration as the suite built it, before anything is sent."""

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.settings = json.loads(json.dumps(dict(config.stash[RUN].settings)))  # as verdict.json writes it


def resolved(folder: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[dict[str, Any], Done]:
    """verdict.json's `settings` for a run from `folder` (collected only: nothing is sent)."""
    captured = Captured()
    environment = {"PYTEST_BASE_URL": None, "PYTEST_ADDOPTS": None, "GRAPH_TOKEN": None, **(env or {})}
    done = run_pytest(
        [str(SUITE), "-p", "no:cacheprovider", "--collect-only", "-q", *args], folder=folder, env=environment, plugins=[captured]
    )
    return captured.settings, done


def one_line_usage_error(done: Done) -> str:
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 4, output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    return output


# --- precedence: the command line over the environment over the file over the default -------------

# option: (command line, PYTEST_ADDOPTS or the option's variable, file line, the value each gives, the default)
TABLE: dict[str, tuple[list[str], dict[str, str], str, tuple[Any, Any, Any], Any]] = {
    "max-examples": (["--max-examples=3"], {"PYTEST_ADDOPTS": "--max-examples=4"}, "max-examples = 5", (3, 4, 5), 40),
    "seed": (["--seed", "11"], {"PYTEST_ADDOPTS": "--seed=12"}, "seed = 13", (11, 12, 13), 20260206),
    "request-timeout": (["--request-timeout=1.5"], {"PYTEST_ADDOPTS": "--request-timeout 2.5"}, "request-timeout = 3", (1.5, 2.5, 3), 10),
    "rate-limit": (["--rate-limit=1/s"], {"PYTEST_ADDOPTS": "--rate-limit=2/m"}, 'rate-limit = "3/h"', ("1/s", "2/m", "3/h"), None),
    "base-url": (
        ["--base-url=http://cli.invalid/beta"],
        {"PYTEST_BASE_URL": "http://env.invalid/beta"},
        'base-url = "http://file.invalid/beta"',
        ("http://cli.invalid/beta", "http://env.invalid/beta", "http://file.invalid/beta"),
        None,
    ),
}
LAYERS = {"cli": 0, "env": 1, "file": 2, "default": 3}
ENV_SOURCE = {"PYTEST_ADDOPTS": "env:PYTEST_ADDOPTS", "PYTEST_BASE_URL": "env:PYTEST_BASE_URL"}


@pytest.mark.parametrize("top", list(LAYERS))
def test_the_command_line_beats_the_environment_beats_the_file_beats_the_default(top: str, tmp_path: Path) -> None:
    """Every option of the table given in every layer from `top` down: each takes `top`'s value, and says so."""
    args: list[str] = []
    env: dict[str, str | None] = {"GRAPH_TOKEN": TOKEN}
    addopts: list[str] = []
    lines: list[str] = []
    for cli, environment, line, _, _ in TABLE.values():
        if LAYERS[top] <= LAYERS["cli"]:
            args += cli
        if LAYERS[top] <= LAYERS["env"]:
            for name, value in environment.items():
                addopts.append(value) if name == "PYTEST_ADDOPTS" else env.update({name: value})
        if LAYERS[top] <= LAYERS["file"]:
            lines.append(line)
    if addopts:
        env["PYTEST_ADDOPTS"] = " ".join(addopts)
    (tmp_path / "graph-sync-conformance.toml").write_text("\n".join(lines) + "\n")
    found, done = resolved(tmp_path, *args, env=env)
    assert found, done.stdout + done.stderr
    file_source = f"file:{tmp_path / 'graph-sync-conformance.toml'}"
    for name, (_, environment, _, values, default) in TABLE.items():
        expected = default if top == "default" else values[LAYERS[top]]
        source = {"cli": "cli", "env": ENV_SOURCE[next(iter(environment))], "file": file_source, "default": "default"}[top]
        assert found[name] == {"value": expected, "source": source}, name


@pytest.mark.parametrize(
    ("args", "env", "file", "source"),
    [
        ([f"--token={TOKEN}"], {"GRAPH_TOKEN": "other-canary-token-0123456789"}, "", "cli"),
        ([], {"PYTEST_ADDOPTS": f"--token={TOKEN}"}, "", "env:PYTEST_ADDOPTS"),
        ([], {"GRAPH_TOKEN": TOKEN}, "", "env:GRAPH_TOKEN"),
        ([], {"VENDOR_TOKEN": TOKEN, "GRAPH_TOKEN": None}, 'token-env = "VENDOR_TOKEN"', "env:VENDOR_TOKEN"),
    ],
    ids=["cli", "addopts", "variable", "variable-named-in-the-file"],
)
def test_the_token_is_reported_by_its_source_never_its_value(args: list[str], env: dict, file: str, source: str, tmp_path: Path) -> None:
    (tmp_path / "graph-sync-conformance.toml").write_text(f'base-url = "http://127.0.0.1:9/beta"\n{file}\n')
    found, done = resolved(tmp_path, *args, env=env)
    assert found["token"] == {"source": source}, done.stdout + done.stderr
    assert TOKEN not in json.dumps(found)


def test_every_option_has_a_file_key_and_every_key_a_source(tmp_path: Path) -> None:
    """Each option the README lists but the file itself (--config) and the token (a credential) can be set in the file."""
    keys = {key.name for key in FILE_KEYS}
    assert {option.name for option in OPTIONS} - keys == {"config", "token"}
    found, _ = resolved(tmp_path)
    assert keys <= set(found)


def test_paths_in_the_file_are_relative_to_its_folder(tmp_path: Path) -> None:
    config = tmp_path / "ci" / "conformance.toml"
    config.parent.mkdir()
    (config.parent / "waivers.yaml").write_text("[]\n")
    config.write_text('waivers = "waivers.yaml"\nverdict = "out/verdict.json"\n')
    found, done = resolved(tmp_path, f"--config={config}")
    assert found["waivers"]["value"] == str(config.parent / "waivers.yaml"), done.stdout + done.stderr
    assert found["verdict"] == {"value": str(config.parent / "out" / "verdict.json"), "source": f"file:{config}"}


# --- which file -----------------------------------------------------------------------------------


def test_pyproject_s_table_is_read_and_a_standalone_file_comes_first(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.graph-sync-conformance]\nmax-examples = 7\n')
    found, _ = resolved(tmp_path)
    assert found["max-examples"] == {"value": 7, "source": f"file:{tmp_path / 'pyproject.toml'}"}
    (tmp_path / "graph-sync-conformance.toml").write_text("seed = 5\n")
    found, _ = resolved(tmp_path)
    assert found["max-examples"]["source"] == "default" and found["seed"]["value"] == 5


def test_a_pyproject_without_the_table_sets_nothing_and_config_reads_a_given_pyproject_s_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "graph-sync-conformance"\n')
    found, done = resolved(tmp_path)
    assert all(entry.get("source") == "default" for entry in found.values()), done.stdout + done.stderr
    other = tmp_path / "elsewhere" / "pyproject.toml"
    other.parent.mkdir()
    other.write_text("seed = 1\n[tool.graph-sync-conformance]\nseed = 2\n")
    found, _ = resolved(tmp_path, f"--config={other}")
    assert found["seed"] == {"value": 2, "source": f"file:{other}"}


# --- mistakes: one line, exit 4, the file and the line ---------------------------------------------

MISTAKES = [
    ("max-examples = 5\nmax-exampels = 3\n", 2, "max-exampels: not a setting of the suite (did you mean max-examples?)"),
    ('# nightly\n\nmax-examples = "40"\n', 3, "max-examples: expected a whole number, got a string"),
    ("seed = 1\nrequest-timeout = true\n", 2, "request-timeout: expected a number, got a boolean"),
    ("max-examples = 0\n", 1, "max-examples: '0' is not a whole number more than 0 and at most 1,000,000"),
    ('base-url = "ftp://example.com/beta"\n', 1, "base-url: 'ftp://example.com/beta' is not an http(s) URL"),
    ('application-id = ["not-a-guid"]\n', 1, "application-id: 'not-a-guid' is not a GUID"),
    ('application-id = "00000000-0000-0000-0000-000000000001"\n', 1, "application-id: expected an array of strings, got a string"),
    ('waivers = "missing.yaml"\n', 1, "waivers: no such file"),
    ('rate-limit = "fast"\n', 1, "rate-limit: 'fast' is not a rate"),
    ("seed = 1\n[limits]\nrun-timeout = 5\n", 2, "limits: not a setting of the suite"),
    ('seed = 1\n\n"max-examples" = 1\n"max-examples" = 2\n', 4, "not valid TOML: Cannot overwrite a value"),
    ("seed = [1,\n", 1, "not valid TOML"),
]


@pytest.mark.parametrize(("text", "line", "said"), MISTAKES)
def test_a_mistake_in_the_file_names_the_file_and_line(text: str, line: int, said: str, tmp_path: Path) -> None:
    path = tmp_path / "graph-sync-conformance.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as refused:
        load(path, FILE_KEYS)
    assert str(refused.value).startswith(f"{path}:{line}: ")
    assert said in str(refused.value)


@pytest.mark.parametrize("key", ["token", "client-secret"])
def test_a_credential_in_the_file_is_refused_without_repeating_it(key: str, tmp_path: Path) -> None:
    path = tmp_path / "graph-sync-conformance.toml"
    path.write_text(f'seed = 1\n{key} = "{TOKEN}"\n')
    with pytest.raises(UsageError) as refused:
        load(path, FILE_KEYS)
    assert str(refused.value).startswith(f"{path}:2: {key}: a credential is never kept in a file")
    assert f'{key}-env = "GRAPH_TOKEN"' in str(refused.value) and TOKEN not in str(refused.value)


def test_a_credential_written_where_its_variable_s_name_belongs_is_not_repeated(tmp_path: Path) -> None:
    path = tmp_path / "graph-sync-conformance.toml"
    path.write_text(f'token-env = "{TOKEN}"\n')
    with pytest.raises(UsageError) as refused:
        load(path, FILE_KEYS)
    assert str(refused.value).startswith(f"{path}:1: token-env: not an environment variable's name")
    assert TOKEN not in str(refused.value)


def test_a_key_in_pyproject_is_found_below_its_table_s_header(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\ndescription = """\nmax-example = 1\n"""\n\n'  # lookalikes elsewhere: not the key
        "[tool.ruff]\nmax-example = 3\n\n[tool.graph-sync-conformance]\nseed = 1\n# the mistake\nmax-example = 2\n"
    )
    with pytest.raises(UsageError) as refused:
        load(path, FILE_KEYS)
    assert str(refused.value).startswith(f"{path}:13: max-example: not a setting of the suite (did you mean max-examples?)")


SECTIONS = st.lists(
    st.sampled_from(["[tool.ruff]\nline-length = 1\n", "[project]\nname = 'x'\n", '[tool.other]\nseed = "x"\n']), unique=True
)
FILLER = st.lists(
    st.sampled_from(
        [
            "",
            "# a comment",
            "# max-examplez = 1",
            "seed = 1",
            "max-examples = 2  # inline",
            '"scope" = "s"',
            'tenant-id = """\nmax-example = 1\n"""',
        ]
    ),
    unique=True,
)
NAME = st.text(string.ascii_lowercase + "-_", min_size=1, max_size=12).filter(
    lambda n: n not in {k.name for k in FILE_KEYS} | {"token", "client-secret"}
)


@settings(max_examples=60, deadline=None)
@given(sections=SECTIONS, filler=FILLER, cut=st.integers(0, 3), split=st.integers(0, 7), name=NAME, quoted=st.booleans())
def test_an_unknown_key_is_found_by_line_wherever_toml_puts_it(
    sections: list[str], filler: list[str], cut: int, split: int, name: str, quoted: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The table among other tables, lookalike keys in comments, strings and other tables, the key bare or quoted."""
    before, after, head, tail = sections[:cut], sections[cut:], filler[:split], filler[split:]
    lines = [*"".join(before).splitlines(), "[tool.graph-sync-conformance]", *"\n".join(head).splitlines()]
    line = len(lines) + 1
    lines += [f'"{name}" = 1' if quoted else f"{name} = 1", *"\n".join(tail).splitlines(), *"".join(after).splitlines()]
    path = tmp_path_factory.mktemp("c") / "pyproject.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UsageError) as refused:
        load(path, FILE_KEYS)
    assert str(refused.value).startswith(f"{path}:{line}: {name}: not a setting of the suite"), path.read_text()


# --- --config: what cannot be read -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: None, "--config: no such file: {p}"),
        (lambda p: p.mkdir(), "--config: not a regular file: {p}"),
        (lambda p: p.write_bytes(b'seed = 1\nscope = "caf\xe9"\n'), "{p}:2: not UTF-8 (byte 0xe9)"),
        (lambda p: p.write_bytes(b"# " + b"x" * MAX_BYTES), "{p}: larger than 1048576 bytes"),
    ],
    ids=["missing", "a-directory", "not-utf-8", "too-large"],
)
@pytest.mark.parametrize("command", ["pytest", "run"])
def test_a_config_that_cannot_be_read_is_one_line_exit_4(command: str, make: Any, said: str, tmp_path: Path) -> None:
    given = tmp_path / "conf.toml"
    make(given)
    if command == "pytest":
        _, done = resolved(tmp_path, f"--config={given}")
    else:
        done = run_cli(["run", "--config", str(given)], folder=tmp_path, env={"PYTEST_BASE_URL": None, "PYTEST_ADDOPTS": None})
    assert said.format(p=given) in one_line_usage_error(done)
    assert not (tmp_path / "reports").exists(), "a run started"


@pytest.mark.parametrize("command", ["pytest", "run"])
def test_a_mistake_in_the_found_file_stops_either_entry_point_before_anything(command: str, tmp_path: Path) -> None:
    (tmp_path / "graph-sync-conformance.toml").write_text("seed = 1\nmax-examples = -1\n")
    if command == "pytest":
        _, done = resolved(tmp_path)
    else:
        done = run_cli(["run"], folder=tmp_path, env={"PYTEST_BASE_URL": None, "PYTEST_ADDOPTS": None})
    said = "graph-sync-conformance.toml:2: max-examples: '-1' is not a whole number more than 0 and at most 1,000,000"
    assert said in one_line_usage_error(done)
    assert not (tmp_path / "reports").exists(), "a run started"


# --- the whole way: a run from a folder with a file ------------------------------------------------


def test_a_run_takes_its_settings_from_the_file_and_verdict_json_says_where_each_came_from(serve, run_suite) -> None:
    served = serve()
    (run_suite.folder / "graph-sync-conformance.toml").write_text(
        f'base-url = "{served.url}"\ntoken-env = "VENDOR_TOKEN"\nmax-examples = 2\nseed = 3\n'
    )
    run = run_suite("--seed=4", env={"VENDOR_TOKEN": served.token})
    assert run.exit_code == 0, run.output
    assert run.verdict is not None  # checked against schemas/verdict.schema.json by the runner
    config = f"file:{run_suite.folder / 'graph-sync-conformance.toml'}"
    settings_ = run.verdict["settings"]
    assert settings_["base-url"] == {"value": served.url, "source": config}
    assert settings_["max-examples"] == {"value": 2, "source": config} and settings_["seed"] == {"value": 4, "source": "cli"}
    assert settings_["token"] == {"source": "env:VENDOR_TOKEN"} and run.verdict["seed"] == 4
    assert served.token not in json.dumps(run.verdict)

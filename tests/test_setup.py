"""A setup mistake is the job's own (exit 4, one line), never a verdict about a server: a value left
empty (what a missing CI secret gives) never means the embedded server, a target of yours without
credentials does not start, a URL or token that cannot be used as given is refused, and nothing is
sent. Each mistake is tried from every place it can come from, under `pytest` and under
`graph-sync-conformance run` alike."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from conformance.server import BackgroundServer, ReferenceServer

from .conftest import SUITE
from .inprocess import Done, run_cli, run_pytest

BLANKS = ["", " ", "\t", "\n"]
"""What a value left empty looks like: nothing, or white space a template put around nothing."""


class CountsRequests(ReferenceServer):
    """The reference server, counting the requests that reach it."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.requests = 0

    def app(self) -> Any:
        inner = super().app()

        async def counting(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.requests += 1
            await inner(scope, receive, send)

        return counting


@pytest.fixture
def counted() -> Any:
    server = CountsRequests(token="setup-canary-token-0123456789")
    with BackgroundServer(server.app(), server.base_path) as background:
        yield server, background.url


def _one_line_usage_error(done: Done) -> str:
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 4, output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    return output


def _suite(folder: Path, *args: str, env: dict[str, str | None] | None = None) -> Done:
    return run_pytest([str(SUITE), "-p", "no:cacheprovider", *args], folder=folder, env={"PYTEST_BASE_URL": None, **(env or {})})


def _run(folder: Path, *args: str, env: dict[str, str | None] | None = None) -> Done:
    return run_cli(["run", *args], folder=folder, env={"PYTEST_BASE_URL": None, **(env or {})})


# --- an empty target is never the embedded server -------------------------------------------------

SOURCES = {
    "option": (lambda blank: [f"--base-url={blank}"], lambda blank: {}, "--base-url is empty"),
    "option-two-words": (lambda blank: ["--base-url", blank], lambda blank: {}, "--base-url is empty"),
    "environment": (lambda blank: [], lambda blank: {"PYTEST_BASE_URL": blank}, "PYTEST_BASE_URL is empty"),
    "addopts": (lambda blank: [], lambda blank: {"PYTEST_ADDOPTS": f"'--base-url={blank}'"}, "--base-url is empty"),
}


@pytest.mark.parametrize(("source", "blank"), list(itertools.product(SOURCES, BLANKS)), ids=lambda v: repr(v) if v in BLANKS else v)
@pytest.mark.parametrize("command", ["pytest", "run"])
def test_an_empty_target_is_a_usage_error_naming_where_it_came_from(command: str, source: str, blank: str, tmp_path: Path) -> None:
    args, env, said = SOURCES[source]
    done = (_suite if command == "pytest" else _run)(tmp_path, *args(blank), env=env(blank))
    assert said in _one_line_usage_error(done)
    assert not (tmp_path / "reports").exists(), "a run started"


def test_an_empty_base_url_ini_value_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\nbase_url =\n")
    # The plugins named, none autoloaded: outside a project of the suite's, pytest would load every one installed.
    args = ["-c", str(ini), "--disable-plugin-autoload", "-p", "conformance.plugin", "-p", "base_url", str(tmp_path)]
    done = run_pytest(args, folder=tmp_path)
    assert f"the base_url ini value ({ini}) is empty" in _one_line_usage_error(done)


def test_an_empty_target_with_a_bundle_and_a_product_file_is_refused_before_anything(tmp_path: Path) -> None:
    (tmp_path / "PRODUCT.yaml").write_text("vendor: Contoso\nproduct: SyncMock\nversion: '1.2'\ncontact: certify@contoso.example\n")
    done = _run(tmp_path, "--base-url", "", "--bundle", "b.zip", "--product", "PRODUCT.yaml")
    assert "--base-url is empty (a missing secret or variable?)" in _one_line_usage_error(done)
    assert not (tmp_path / "b.zip").exists() and not (tmp_path / "reports").exists()


# --- credentials before the first request ----------------------------------------------------------


@pytest.mark.parametrize("command", ["pytest", "run"])
@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        ([], {"GRAPH_TOKEN": None}, "needs credentials (GRAPH_TOKEN is empty or not set)"),
        ([], {"GRAPH_TOKEN": ""}, "needs credentials (GRAPH_TOKEN is empty or not set)"),
        ([], {"GRAPH_TOKEN": "  "}, "needs credentials (GRAPH_TOKEN is empty or not set)"),
        (["--token="], {}, "needs credentials (--token is empty or not set)"),
        ([], {"GRAPH_TOKEN": "setup-canary-token-0123456789\n"}, "GRAPH_TOKEN has a space or a line break before or after the token"),
        (["--token", " setup-canary-token-0123456789"], {}, "--token has a space or a line break before or after the token"),
        (["--token", "setup-canary-tökén-0123456789"], {}, "--token has characters a header cannot carry"),
        (["--tenant-id", "t", "--client-id", "c"], {"GRAPH_CLIENT_SECRET": None}, "client credentials need the client secret"),
        (["--tenant-id", "t", "--client-id", "c"], {"GRAPH_CLIENT_SECRET": "s3cr3t\r\n"}, "GRAPH_CLIENT_SECRET has a space or a line"),
    ],
    ids=["unset", "empty", "blank", "empty-option", "newline", "leading-space", "non-ascii", "no-client-secret", "secret-crlf"],
)
def test_a_target_of_yours_without_usable_credentials_does_not_start(
    command: str, args: list[str], env: dict[str, str | None], said: str, counted: Any, tmp_path: Path
) -> None:
    server, url = counted
    done = (_suite if command == "pytest" else _run)(tmp_path, "--base-url", url, *args, env={"GRAPH_TOKEN": None, **env})
    output = _one_line_usage_error(done)
    assert said in output
    assert "setup-canary" not in output
    assert server.requests == 0


# --- a URL that cannot be used as given ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://user:pass@127.0.0.1:9/beta", "a user or password in the URL is not how the suite authenticates"),
        ("http://127.0.0.1:9/beta?x=1", "has a query or fragment"),
        ("http://127.0.0.1:9/beta#top", "has a query or fragment"),
        ("http://127.0.0.1:9/beta?", "has a query or fragment"),
        ("http://127.0.0.1:99999/beta", "is not a URL (Port out of range"),
        ("http://127.0.0.1:0/beta", "port 0 is no port"),
        ("http://[::1/beta", "is not a URL (Invalid IPv6 URL)"),
        ("ftp://example.com/beta", "is not an http(s) URL"),
        ("graph.microsoft.com/beta", "is not an http(s) URL"),
    ],
)
@pytest.mark.parametrize("command", ["pytest", "run"])
def test_a_base_url_that_cannot_be_used_as_given_is_a_usage_error(command: str, url: str, said: str, tmp_path: Path) -> None:
    done = (_suite if command == "pytest" else _run)(tmp_path, "--base-url", url, "--token", "setup-canary-token-0123456789")
    output = _one_line_usage_error(done)
    assert said in output and "pass" not in output.replace("password", "")


# --- a run that leaves part of the suite out is never conformant ----------------------------------

TEST_FILE = SUITE / "test_create_synchronization.py"


@pytest.mark.parametrize(
    "narrowing",
    [
        ["-k", "SYNC-ID-GUID"],
        ["-k", "not SYNC-LOCATION"],
        ["--deselect", f"{TEST_FILE}::test_requirement[SYNC-LOCATION]"],
        ["-x"],
        ["--maxfail=3"],
        ["-m", "requirement"],
    ],
    ids=["k-one", "k-all-but-one", "deselect", "exitfirst", "maxfail", "m"],
)
def test_a_narrowed_run_of_a_conformant_server_has_no_verdict(narrowing: list[str], run_suite) -> None:
    """The embedded reference server passes every requirement; a run narrowed any way certifies nothing
    (-x and --maxfail judge everything here, and still are not the whole run a certificate is)."""
    run = run_suite(*narrowing, "--max-examples", "5")
    assert run.exit_code == 3, run.output
    assert run.verdict and run.verdict["verdict"] == "incomplete"
    assert run.verdict["reason"].startswith("the run was narrowed ("), run.verdict["reason"]
    assert "verdict: INCOMPLETE (the run was narrowed" in run.output


def test_a_test_id_run_has_no_verdict_and_one_that_proves_a_must_failure_exits_1(serve, tmp_path: Path) -> None:
    passing = run_pytest([f"{TEST_FILE}::test_requirement[SYNC-ID-GUID]", "--max-examples", "5"], folder=tmp_path)
    assert passing.returncode == 3, passing.stdout + passing.stderr
    from .servers import DropsLastSecret

    served = serve(DropsLastSecret)
    failing = run_pytest(
        [f"{TEST_FILE}::test_requirement[SYNC-SECRETS-ECHO]", "--base-url", served.url, "--token", served.token, "--max-examples", "5"],
        folder=tmp_path,
    )
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "verdict: NOT CONFORMANT (MUST failed: SYNC-SECRETS-ECHO; the run was narrowed (a test id)" in failing.stdout


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "two-workers"])
def test_a_narrowed_run_that_proves_a_must_failure_is_not_conformant(workers: tuple[str, ...], serve, run_suite) -> None:
    from .servers import DropsLastSecret

    served = serve(DropsLastSecret)
    run = run_suite("--base-url", served.url, "--token", served.token, "-k", "SYNC-SECRETS-ECHO or SYNC-ID-GUID", *workers)
    assert run.exit_code == 1, run.output
    assert run.outcomes == {"SYNC-SECRETS-ECHO": "fail", "SYNC-ID-GUID": "pass"}
    assert run.verdict and run.verdict["reason"].startswith("MUST failed: SYNC-SECRETS-ECHO; the run was narrowed (-k): not judged: ")

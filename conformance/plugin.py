"""The pytest plugin: it only wires pytest's hooks to the modules that hold the logic.

- options.py declares the options and builds the run's configuration (config.py) from them, once;
- collection.py holds the collection rule, fixtures.py the fixtures, rendering.py what a requirement's
  test report shows, grading.py the policy, reporting.py the views.

Loaded by the `pytest11` entry point when installed, and by the checkout's root conftest.py.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

from . import fixtures, options, progress
from .collection import check, narrowed
from .config import RunConfig
from .credentials import ClientCredentials
from .errors import Terminated, UsageError
from .evidence import evidence_files
from .redaction import Redactor
from .rendering import settle
from .reporting import Reporter
from .server import BackgroundServer, ReferenceServer
from .stash import (
    COLLECTOR,
    CREDENTIALS,
    DISPLAY,
    EMBEDDED,
    LEDGER_DIR,
    LEDGER_INPUT,
    PROGRESS,
    REDACTOR,
    RESTORE,
    RUN,
    STATS,
    STATS_OUTPUT,
)
from .stats import RunStats
from .usage import check_command_line, nothing_here
from .verdict import header


@contextmanager
def usage_errors() -> Iterator[None]:
    """The suite's UsageError as pytest's: one line, exit 4, no traceback."""
    try:
        yield
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_addoption(parser: pytest.Parser) -> None:
    options.declare(parser)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> Generator[None, None, None]:
    """The command line checked once every initial conftest has declared its options, just before
    pytest reads it: a mistake is one line (conformance/usage.py)."""
    yield
    check_command_line(early_config, parser, args, [option.flag for option in options.OPTIONS])


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirements this test proves")
    config.stash[RESTORE] = []
    with usage_errors():
        run = config.stash[RUN] = options.run_config(config, now=time.monotonic())
    if run.cache:
        config.stash[RESTORE].append(partial(set_hypothesis_home_dir, storage_directory(intent_to_write=False).home_directory))
        set_hypothesis_home_dir(run.cache)  # not .hypothesis/ in whatever folder the run starts from
    redactor = config.stash[REDACTOR] = Redactor()
    if run.token:
        redactor.add_token(run.token)
    if run.credentials is not None:
        redactor.add(run.credentials.secret)
        credentials = ClientCredentials(run.credentials, verify=run.verify, timeout=run.request_timeout, on_token=redactor.add_token)
        config.stash[CREDENTIALS] = credentials
    if run.embedded:
        reference = ReferenceServer(token=run.token or "")
        config.stash[EMBEDDED] = BackgroundServer(reference.app(), reference.base_path)
    _set_pytest_options(config, run)
    stats = config.stash[STATS] = RunStats()
    reporter = Reporter(
        run=run,
        redactor=redactor,
        stats=stats,
        target=lambda: fixtures.target_url(config),
        header=lambda: header(run, fixtures.target_url(config)),
        settled=lambda requirement: fixtures.settled_so_far(config, requirement),
        worker=hasattr(config, "workerinput"),
    )
    config.pluginmanager.register(reporter, "graph-sync-conformance-reporter")
    config.pluginmanager.register(fixtures, "graph-sync-conformance-fixtures")
    if not hasattr(config, "workerinput") and threading.current_thread() is threading.main_thread():
        config.stash[RESTORE].append(partial(signal.signal, signal.SIGTERM, signal.signal(signal.SIGTERM, _terminated)))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts its workers
def pytest_sessionstart(session: pytest.Session) -> None:
    """Where the campaign's live progress goes: a pytest-xdist worker's file, which the controller
    sums and shows; the terminal's line; plain lines when the output is not a terminal; or, under -q, nowhere."""
    config, run = session.config, session.config.stash[RUN]
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        config.stash[PROGRESS] = progress.to_file(Path(worker[LEDGER_INPUT]) / f"progress-{worker['workerid']}.json")
        return
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None and not run.quiet:
        kind = progress.TerminalLine if terminal.isatty() else progress.LogLines
        display = config.stash[DISPLAY] = kind(terminal, config.pluginmanager.get_plugin("capturemanager"))
        config.stash[PROGRESS] = display.show
        config.pluginmanager.register(display, "graph-sync-conformance-progress")


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the run as Ctrl-C does: every report written, saying the run was interrupted."""
    raise Terminated("SIGTERM")


def _set_pytest_options(config: pytest.Config, run: RunConfig) -> None:
    """pytest's own options as the run needs them: its and pytest-html's report paths from the run's,
    a traceback style that costs nothing; and no report of an earlier run left where this one writes
    (the controller clears them before anything runs; under pytest-xdist the evidence is one file per worker)."""
    if config.option.tbstyle == "auto":
        # pytest formats a failure's traceback, with the source of each frame, before the suite puts
        # its evidence in its place: seconds a failure, for nothing. The native style costs nothing.
        config.option.tbstyle = "native"
    if run.reports.html:
        config.option.htmlpath = run.reports.html
        config.option.self_contained_html = True  # one file, as a bundle carries it
    config.option.xmlpath = run.reports.junit
    if hasattr(config, "workerinput"):
        return
    for report in run.reports.files():
        report.unlink(missing_ok=True)
    if run.reports.evidence:
        for stale in evidence_files(Path(run.reports.evidence)):
            stale.unlink()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop what the run started, and give the process back as it was (the SIGTERM handler, hypothesis'
    home): a run inside a longer-lived process (pytest's own in-process runs, the suite's tests) leaves
    nothing of itself behind."""
    while config.stash.get(RESTORE, []):
        config.stash[RESTORE].pop()()
    if CREDENTIALS in config.stash:
        config.stash[CREDENTIALS].close()
    if COLLECTOR in config.stash:
        config.stash[COLLECTOR].stop()
    if EMBEDDED in config.stash:
        config.stash[EMBEDDED].stop()
    if LEDGER_DIR in config.stash:
        shutil.rmtree(config.stash[LEDGER_DIR], ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so a narrowed run is still checked whole
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    with usage_errors():
        check(items, narrowed=narrowed(config.args))


def pytest_collection_finish(session: pytest.Session) -> None:
    """pytest started in a folder without the suite, with no test path, found nothing: say what to do
    (exit 4) rather than "no tests ran" (exit 5)."""
    config = session.config
    if not session.items and config.args_source is pytest.Config.ArgsSource.INVOCATION_DIR and not hasattr(config, "workerinput"):
        raise pytest.UsageError(nothing_here(config.invocation_params.dir))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands what it did (throttling, cases not sent) to the controller."""
    if hasattr(session.config, "workerinput"):
        session.config.workeroutput[STATS_OUTPUT] = session.config.stash[STATS].output()  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist, on the controller: a worker's figures counted in the run's."""
    if STATS_OUTPUT in getattr(node, "workeroutput", {}):
        node.config.stash[STATS].add(node.workeroutput[STATS_OUTPUT])


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller: every worker of this run shares one ledger directory, so each
    case is sent once and the workers split the run instead of each repeating it."""
    config = node.config
    if LEDGER_DIR not in config.stash:
        config.stash[LEDGER_DIR] = Path(tempfile.mkdtemp(prefix="graph-sync-ledger-"))
        if DISPLAY in config.stash:
            config.stash[COLLECTOR] = progress.Collector(config.stash[LEDGER_DIR], config.stash[DISPLAY])
            config.stash[COLLECTOR].start()
    node.workerinput[LEDGER_INPUT] = str(config.stash[LEDGER_DIR])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    settle(item, call, report, item.config.stash[RUN], item.config.stash[REDACTOR])
    return report

"""The pytest plugin: options, fixtures, the requirement marker, and the report hooks. Kept thin;
the logic it wires together is plain Python in the modules it imports.

Loaded by the `pytest11` entry point when installed, and by the checkout's root conftest.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .catalogue import BY_ID, REQUIREMENTS, Level
from .client import Client, ClientSettings, NoVerdict
from .contract import SPEC_NAME, fingerprints
from .credentials import DEFAULT_AUTHORITY_HOST, DEFAULT_SCOPE, SECRET_ENV, ClientCredentials
from .evidence import EvidenceLog, evidence_file, evidence_files, record
from .generation import Generator
from .ledger import Ledger, LocalLedger, SharedLedger
from .probes import make_probes
from .prover import Campaign, ProofSettings, Prover, RequirementFailed
from .redaction import Redactor
from .reporting import GRADING, Reporter, strict
from .server import BackgroundServer, ReferenceServer
from .settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_TIMEOUT,
    DEFAULT_SEED,
    TOKEN_ENV,
    RunSettings,
    altered,
    base_url,
    existing_file,
    guid,
    positive_float,
    positive_int,
)
from .verdict import public_url
from .waivers import WaiverError, Waivers
from .waivers import load as load_waivers

SUITE_DIR = Path(__file__).resolve().parent / "suite"
PROVENANCE = (
    "The generated Microsoft Graph (beta) documentation stub 'Create synchronization', certified as written. "
    "Graph's metadata models synchronization as a single-valued containment navigation updated with PUT; "
    "OData and Graph conventions the stub omits or contradicts are graded SHOULD."
)
REPORT_HTML = "reports/report.html"
REPORT_JUNIT = "reports/junit.xml"
REPORT_VERDICT = "reports/verdict.json"
REPORT_EVIDENCE = "reports/evidence.jsonl"

SETTINGS = pytest.StashKey[RunSettings]()
DEADLINE = pytest.StashKey[float]()
REDACTOR = pytest.StashKey[Redactor]()
EMBEDDED = pytest.StashKey[BackgroundServer]()
CREDENTIALS = pytest.StashKey[ClientCredentials]()
WAIVERS = pytest.StashKey[Waivers]()
EVIDENCE_PATH = pytest.StashKey[str]()
LEDGER_DIR = pytest.StashKey[Path]()
LEDGER_INPUT = "graph_sync_conformance_ledger"

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graph-sync-conformance", "Create synchronization conformance")
    group.addoption(
        "--token",
        help=f"bearer token sent as Authorization (default: ${TOKEN_ENV}). Ignored without --base-url: "
        "the embedded reference server gets a random one.",
    )
    group.addoption(
        "--application-id",
        dest="application_ids",
        action="append",
        type=guid,
        default=[],
        metavar="GUID",
        help="application object id to create under; repeatable (default: a GUID derived from the seed)",
    )
    group.addoption(
        "--max-examples",
        type=positive_int,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"generated cases per requirement, besides the explicit corpus (default: {DEFAULT_MAX_EXAMPLES})",
    )
    group.addoption(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"seed for case generation; the same seed sends the same cases (default: {DEFAULT_SEED})",
    )
    group.addoption(
        "--request-timeout",
        type=positive_float,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help=f"longest wait for one answer, to its last byte (default: {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    group.addoption(
        "--run-timeout",
        type=positive_float,
        default=DEFAULT_RUN_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline for the whole run; past it nothing more is sent (default: {DEFAULT_RUN_TIMEOUT:g})",
    )
    group.addoption(
        "--max-body-bytes",
        type=positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help=f"largest answer body read; a larger one fails as too large (default: {DEFAULT_MAX_BODY_BYTES})",
    )
    group.addoption(
        "--follow-redirects",
        action="store_true",
        help="follow 307/308 redirects (never sending Authorization to another origin); by default a redirect is the answer",
    )
    group.addoption(
        "--waivers",
        type=existing_file,
        metavar="FILE",
        help="YAML list of waivers (id, reason, expires): a failed SHOULD they name shows as waived",
    )
    group.addoption("--ca-bundle", type=existing_file, metavar="FILE", help="PEM file of CAs to trust for TLS")
    group.addoption(
        "--tenant-id", help=f"with --client-id: get tokens by client credentials (secret from ${SECRET_ENV})"
    )
    group.addoption("--client-id", help="the application (client) id for client credentials")
    group.addoption(
        "--authority-host",
        type=base_url,
        default=DEFAULT_AUTHORITY_HOST,
        metavar="URL",
        help=f"where tokens come from (default: {DEFAULT_AUTHORITY_HOST})",
    )
    group.addoption(
        "--verdict", metavar="FILE", help=f"where verdict.json goes (default: {REPORT_VERDICT} when the suite runs)"
    )
    group.addoption(
        "--evidence",
        metavar="FILE",
        help=f"where the redacted exchanges go, one JSON line per case (default: {REPORT_EVIDENCE} when the suite runs)",
    )
    group.addoption("--scope", default=DEFAULT_SCOPE, help=f"the scope tokens are asked for (default: {DEFAULT_SCOPE})")
    group.addoption("--insecure", action="store_true", help="do not verify TLS certificates (the reports say so)")


def _runs_suite(config: pytest.Config) -> bool:
    """Whether this session collects the conformance suite (and so should write its reports)."""
    for arg in config.args:
        target = arg.split("::", 1)[0]
        spec = importlib.util.find_spec(target) if config.option.pyargs and "/" not in target else None
        origin = spec.origin if spec is not None else None
        path = Path(origin).parent if origin else (config.invocation_params.dir / target).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents or path in SUITE_DIR.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirements this test proves")
    target = config.getoption("base_url") or config.getini("base_url") or None
    if config.getoption("token") and (config.getoption("tenant_id") or config.getoption("client_id")):
        raise pytest.UsageError("--token and --tenant-id/--client-id are two ways to authenticate: give one")
    if target is not None:
        try:
            base_url(target)
        except argparse.ArgumentTypeError as exc:
            raise pytest.UsageError(f"--base-url: {exc}") from None
    config.stash[DEADLINE] = time.monotonic() + config.getoption("run_timeout")
    uses_credentials = bool(config.getoption("tenant_id") or config.getoption("client_id"))
    settings = RunSettings.build(
        target,
        config.getoption("token"),
        config.getoption("application_ids"),
        config.getoption("max_examples"),
        config.getoption("seed"),
        token_from_env=not uses_credentials,
    )
    config.stash[SETTINGS] = settings
    try:
        waivers_file = config.getoption("waivers")
        config.stash[WAIVERS] = load_waivers(Path(waivers_file), date.today()) if waivers_file else Waivers([], date.today())
    except WaiverError as exc:
        raise pytest.UsageError(f"--waivers: {exc}") from None
    config.stash[REDACTOR] = Redactor([settings.token] if settings.token else [])
    if not settings.embedded and (config.getoption("tenant_id") or config.getoption("client_id")):
        config.stash[CREDENTIALS] = client_credentials(config)
    if settings.embedded:
        reference = ReferenceServer(token=settings.token or "")
        config.stash[EMBEDDED] = BackgroundServer(reference.app(), reference.base_path)
    runs_suite = _runs_suite(config)
    if runs_suite:
        # Reports land in reports/ unless the user named other places.
        if hasattr(config.option, "htmlpath") and not config.option.htmlpath:
            config.option.htmlpath = REPORT_HTML
            config.option.self_contained_html = True
        if not config.option.xmlpath:
            config.option.xmlpath = REPORT_JUNIT
    verdict_path = config.getoption("verdict") or (REPORT_VERDICT if runs_suite else None)
    config.stash[EVIDENCE_PATH] = evidence = config.getoption("evidence") or (REPORT_EVIDENCE if runs_suite else "")
    if evidence and not hasattr(config, "workerinput"):
        # The evidence is written case by case, by each worker under -n: no file of an earlier run
        # (one process or another number of workers) may sit beside this run's.
        for stale in evidence_files(Path(evidence)):
            stale.unlink()
    complete = not (any("::" in arg for arg in config.args) or config.getoption("keyword") or config.getoption("markexpr"))
    reporter = Reporter(config, config.stash[REDACTOR], lambda: run_header(config), verdict_path, complete, config.stash[WAIVERS])
    config.pluginmanager.register(reporter, "graph-sync-conformance-reporter")


def run_header(config: pytest.Config) -> dict[str, Any]:
    """What verdict.json says about the run besides the rows: never a credential."""
    settings = config.stash[SETTINGS]
    option = config.getoption
    files = fingerprints()
    auth = "client credentials" if CREDENTIALS in config.stash else ("bearer token" if settings.token else "none")
    return {
        "suite": {"name": "graph-sync-conformance", "version": __version__},
        "contract": {
            "source": SPEC_NAME,
            "sha256": files[f"contract/{SPEC_NAME}"],
            "provenance": PROVENANCE,
            "schemas": {name: digest for name, digest in files.items() if "/" not in name},
        },
        "target": {"base_url": public_url(target_url(config)), "embedded": settings.embedded},
        "seed": settings.seed,
        "configuration": {
            "max_examples": settings.max_examples,
            "application_ids": list(settings.application_ids),
            "authentication": auth,
            "request_timeout_seconds": option("request_timeout"),
            "run_timeout_seconds": option("run_timeout"),
            "max_body_bytes": option("max_body_bytes"),
            "follow_redirects": option("follow_redirects"),
            "tls_verification": tls_description(config),
            "strict": strict(config),
        },
    }


def client_credentials(config: pytest.Config) -> ClientCredentials:
    tenant, client, secret = config.getoption("tenant_id"), config.getoption("client_id"), os.environ.get(SECRET_ENV)
    if not (tenant and client):
        raise pytest.UsageError("client credentials need both --tenant-id and --client-id")
    if not secret:
        raise pytest.UsageError(f"client credentials need the client secret in the environment variable {SECRET_ENV}")
    redactor = config.stash[REDACTOR]
    redactor.add(secret)
    return ClientCredentials(
        tenant,
        client,
        secret,
        authority_host=config.getoption("authority_host"),
        scope=config.getoption("scope"),
        verify=tls_verify(config),
        timeout=config.getoption("request_timeout"),
        on_token=redactor.add,
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if EMBEDDED in config.stash:
        config.stash[EMBEDDED].stop()
    if LEDGER_DIR in config.stash:
        shutil.rmtree(config.stash[LEDGER_DIR], ignore_errors=True)


def target_url(config: pytest.Config) -> str:
    settings = config.stash[SETTINGS]
    return settings.base_url or config.stash[EMBEDDED].url


@pytest.hookimpl(optionalhook=True)
def pytest_metadata(metadata: dict[str, Any], config: pytest.Config) -> None:
    """The environment table of the HTML report: what was certified, against what, how."""
    settings = config.stash[SETTINGS]
    files = fingerprints()
    metadata["Target"] = target_url(config) + (" (embedded reference server)" if settings.embedded else "")
    metadata["Suite version"] = __version__
    metadata["Contract"] = f"{SPEC_NAME} sha256:{files[f'contract/{SPEC_NAME}']}"
    metadata["Schema hashes"] = {name: f"sha256:{digest}" for name, digest in files.items() if "/" not in name}
    metadata["Seed"] = str(settings.seed)
    metadata["Max examples"] = str(settings.max_examples)
    metadata["Application ids"] = ", ".join(settings.application_ids)
    metadata["TLS verification"] = tls_description(config)
    metadata["Timeouts"] = f"request {config.getoption('request_timeout'):g} s, run {config.getoption('run_timeout'):g} s"
    metadata["Grading"] = GRADING


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash[SETTINGS]
    kind = "embedded reference server" if settings.embedded else "external server"
    lines = [f"conformance target: {target_url(config)} ({kind}); seed {settings.seed}"]
    if tls_verify(config) is False:
        lines.append("TLS verification is OFF (--insecure): certificates are not verified")
    return lines


# --- collection: every suite test proves named requirements, every MUST is proven ----------------


def requirement_ids(item: pytest.Item) -> list[str]:
    return [rid for mark in item.iter_markers("requirement") for rid in mark.args]


def coverage_problems(tests: dict[str, list[str]], complete: bool) -> list[str]:
    """What is wrong with how suite tests map to the catalogue. `tests`: node id -> requirement ids."""
    problems = [f"{node} names no requirement (@pytest.mark.requirement)" for node, ids in tests.items() if not ids]
    problems += [
        f"{node} names unknown requirement {rid}" for node, ids in tests.items() for rid in ids if rid not in BY_ID
    ]
    if complete:
        proven = {rid for ids in tests.values() for rid in ids}
        problems += [f"MUST requirement {r.id} has no test" for r in REQUIREMENTS if r.level is Level.MUST and r.id not in proven]
    return problems


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so a narrowed run is still checked whole
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = [item for item in items if SUITE_DIR in Path(item.path).parents]
    if not suite:
        return
    narrowed = any("::" in arg for arg in config.args)
    problems = coverage_problems({item.nodeid: requirement_ids(item) for item in suite}, complete=not narrowed)
    if problems:
        raise pytest.UsageError("the conformance suite does not cover its catalogue:\n  " + "\n  ".join(problems))
    for item in suite:
        for rid in requirement_ids(item):
            item.user_properties.append(("requirement", rid))
            item.user_properties.append(("level", str(BY_ID[rid].level)))


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def conformance_client(pytestconfig: pytest.Config) -> Iterator[Client]:
    settings = pytestconfig.stash[SETTINGS]
    if settings.embedded:
        pytestconfig.stash[EMBEDDED].start()
    option = pytestconfig.getoption
    credentials = pytestconfig.stash.get(CREDENTIALS, None)
    client = Client(
        ClientSettings(
            target_url(pytestconfig),
            settings.token,
            token_provider=credentials.token if credentials else None,
            timeout=option("request_timeout"),
            max_body_bytes=option("max_body_bytes"),
            verify=tls_verify(pytestconfig),
            follow_redirects=option("follow_redirects"),
            deadline=pytestconfig.stash[DEADLINE],
        )
    )
    yield client
    client.close()


def tls_verify(config: pytest.Config) -> bool | str:
    if config.getoption("insecure"):
        return False
    return config.getoption("ca_bundle") or True


def tls_description(config: pytest.Config) -> str:
    verify = tls_verify(config)
    if verify is False:
        return "OFF (--insecure): certificates were not verified"
    return f"on, trusting {verify}" if isinstance(verify, str) else "on (system CAs)"


@pytest.fixture(scope="session")
def prover(request: pytest.FixtureRequest, pytestconfig: pytest.Config, conformance_client: Client) -> Iterator[Prover]:
    settings = pytestconfig.stash[SETTINGS]
    # The collected requirements, not the whole catalogue: `-k SYNC-AUTH-401` sends only its probe.
    collected = {rid for item in request.session.items for rid in requirement_ids(item)}
    token = conformance_client.token()
    altered_token = altered(token) if token else None
    if altered_token:
        pytestconfig.stash[REDACTOR].add(altered_token)
    probes = make_probes(Generator(settings.application_ids), token, altered_token)
    log = evidence_log(pytestconfig)
    campaign = Campaign(
        conformance_client,
        probes,
        ProofSettings(max_examples=settings.max_examples, seed=settings.seed),
        requirements=[r for r in REQUIREMENTS if r.id in collected],
        record=(lambda kind, seen: log.write(str(kind), seen.name or "generated", seen.exchanges)) if log else None,
        ledger=ledger(pytestconfig),
    )
    yield Prover(campaign)
    if log:
        log.close()


def ledger(config: pytest.Config) -> Ledger:
    """Under pytest-xdist, the directory the controller gave every worker of this run; else this process."""
    shared = getattr(config, "workerinput", {}).get(LEDGER_INPUT)
    if not shared:
        return LocalLedger()
    redactor = config.stash[REDACTOR]
    return SharedLedger(
        Path(shared),
        config.stash[DEADLINE],
        prepare=lambda judgements: {rid: judgement.redacted(redactor) for rid, judgement in judgements.items()},
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller: every worker of this run shares one ledger directory, so each
    case is sent once and the workers split the run instead of each repeating it."""
    config = node.config
    if LEDGER_DIR not in config.stash:
        config.stash[LEDGER_DIR] = Path(tempfile.mkdtemp(prefix="graph-sync-ledger-"))
    node.workerinput[LEDGER_INPUT] = str(config.stash[LEDGER_DIR])


def evidence_log(config: pytest.Config) -> EvidenceLog | None:
    """Where every exchange of the run goes, redacted, as it is made: the evidence a bundle carries."""
    target = config.stash[EVIDENCE_PATH]
    if not target:
        return None
    worker = getattr(config, "workerinput", {}).get("workerid")
    return EvidenceLog(evidence_file(Path(target), worker), config.stash[REDACTOR])


# --- reports: every sink reads the TestReport, so it is redacted here, once ------------------------


def _requirement_failure(excinfo: pytest.ExceptionInfo[BaseException] | None) -> RequirementFailed | None:
    """The RequirementFailed behind a failure, also when hypothesis wrapped it in a group."""
    pending = [excinfo.value] if excinfo is not None else []
    while pending:
        exc = pending.pop()
        if isinstance(exc, RequirementFailed):
            return exc
        pending.extend(getattr(exc, "exceptions", ()))
    return None


@dataclass(frozen=True)
class _Crash:
    message: str


class FailureText:
    """A failure shown as the suite's own evidence instead of a traceback.

    pytest's writers accept any object with `toterminal`; `reprcrash.message` is the one line the
    short summary and JUnit's `message` attribute use.
    """

    def __init__(self, text: str, headline: str) -> None:
        self.text = text
        self.reprcrash = _Crash(headline)

    def toterminal(self, tw: Any) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


def rerun_command(config: pytest.Config, nodeid: str) -> str:
    settings = config.stash[SETTINGS]
    parts = [".venv/bin/pytest", shlex.quote(nodeid)]
    if settings.base_url:
        parts += ["--base-url", settings.base_url]
    parts += [f"--seed {settings.seed}", f"--max-examples {settings.max_examples}"]
    parts += [f"--application-id {app_id}" for app_id in settings.application_ids]
    return " ".join(parts)


def _record(item: pytest.Item, report: pytest.TestReport, outcome: str, reason: str = "", **extra: str) -> None:
    """A requirement's outcome, as properties of the report: JUnit writes them, and
    `pytest_runtest_logreport` (on the controller, also under xdist) builds the verdict from them."""
    props = [("verdict", outcome), *([("reason", reason)] if reason else [])]
    prover = item.funcargs.get("prover") if hasattr(item, "funcargs") else None
    tallies = [prover.tallies[rid] for rid in requirement_ids(item) if rid in prover.tallies] if prover else []
    if tallies:
        props.append(("cases", str(sum(t.judged for t in tallies))))
    props += list(extra.items())
    item.user_properties.extend(props)
    report.user_properties.extend(props)


def _first_failure(failure: RequirementFailed, redactor: Redactor) -> str:
    return json.dumps(
        {
            "origin": failure.origin,
            "found_after": failure.found_after,
            "reason": failure.reason,
            "exchanges": [record(e, redactor, body_limit=2048) for e in failure.exchanges],
        },
        ensure_ascii=False,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    redactor = item.config.stash[REDACTOR]
    failure = _requirement_failure(call.excinfo)
    stopped = call.excinfo.value if call.excinfo is not None and isinstance(call.excinfo.value, NoVerdict) else None
    if stopped is not None:
        # Nothing more can be judged: say why in one line and stop the run.
        reason = redactor.text(str(stopped))
        report.longrepr = FailureText(f"no verdict: {reason}", reason)  # type: ignore[assignment]
        item.session.shouldstop = f"no verdict: {reason}"
        _record(item, report, "error", reason, no_verdict=reason)
    elif failure is not None and report.failed:
        text = failure.render(redactor, rerun_command(item.config, item.nodeid))
        report.longrepr = FailureText(text, redactor.text(failure.headline))  # type: ignore[assignment]
        should = failure.requirement.level is Level.SHOULD
        verdict, reason = "warn" if should and not strict(item.config) else "fail", redactor.text(failure.reason)
        verdict, reason = item.config.stash[WAIVERS].judge(failure.requirement.id, verdict, reason)
        if verdict != "fail":
            report.outcome = "passed"  # a warning or a waiver: shown everywhere, but it does not fail the run
        _record(item, report, verdict, reason, first_failure=_first_failure(failure, redactor))
    elif report.failed and report.longrepr is not None:
        report.longrepr = redactor.text(str(report.longrepr))
    elif report.skipped and isinstance(report.longrepr, tuple):
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redactor.text(reason))
    if requirement_ids(item) and failure is None and stopped is None and (report.when == "call" or report.skipped):
        if report.skipped:
            _record(item, report, "skip", str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else "")
        else:
            _record(item, report, "error" if report.failed else "pass", "error in the suite" if report.failed else "")
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]

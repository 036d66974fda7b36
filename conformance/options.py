"""The suite's command-line options: their declarations and the types that check their values.

A malformed value is refused by its type before the run starts, in one line that says how to fix it
(pytest turns an `ArgumentTypeError` into a usage error, exit 4). What an option means for the run
is conformance/config.py's business; its defaults come from there.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import shlex
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .collection import narrowing, runs_suite
from .config import (
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_REPORTS_DIR,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RUN_TIMEOUT,
    DEFAULT_SCOPE,
    DEFAULT_SEED,
    DEFAULT_THROTTLE_WAIT,
    SECRET_ENV,
    TOKEN_ENV,
    ReportPaths,
    RunConfig,
    build,
)
from .configfile import STANDALONE, ConfigFile, Key, load, locate
from .errors import UsageError, WaiverError
from .throttling import RateLimit, rate_limit
from .usage import deferred, refusal
from .verdict import public_url
from .waivers import Waivers
from .waivers import load as load_waivers


def guid(text: str) -> str:
    """argparse type for --application-id: a canonical GUID, kept as the user wrote it."""
    try:
        uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a GUID (expected e.g. 8-4-4-4-12 hex digits)") from None
    if len(text) != 36:
        raise argparse.ArgumentTypeError(f"{text!r} is not a canonical GUID (8-4-4-4-12 hex digits, no braces)")
    return text


def base_url(text: str) -> str:
    """argparse type for --base-url (and --authority-host): an absolute http(s) URL, the service root.

    Not a query or fragment (the suite appends a path: every request would go somewhere else), not a
    user and password (requests would send them as Basic credentials in place of the bearer token,
    and every report would show them), and a port that exists."""
    example = "give the service root with its version, e.g. https://graph.microsoft.com/beta"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL ({exc}): {example}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL: {example}")
    if parts.username is not None or parts.password is not None:
        raise argparse.ArgumentTypeError(
            "a user or password in the URL is not how the suite authenticates: give the URL without it, "
            "and the token with --token or GRAPH_TOKEN"
        )
    if parts.query or parts.fragment or text.rstrip().endswith(("?", "#")):
        raise argparse.ArgumentTypeError(f"{text!r} has a query or fragment: {example}")
    if port == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: port 0 is no port to connect to")
    return text


def existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{'not a regular file' if Path(text).exists() else 'no such file'}: {text!r}")
    return text


def _within(convert: Callable[[str], Any], what: str, most: float, why: str) -> Callable[[str], Any]:
    """An argparse type for a number above zero and at most `most`, finite: what no option can mean
    otherwise (`inf` would be written into verdict.json as `Infinity`, which is not JSON; a count past
    the bound would plan more than any run can send). `why` says what the bound stands for."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not (math.isfinite(value) and 0 < value <= most):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} more than 0 and at most {most:,.0f} ({why})")
        return value

    return parse


MAX_EXAMPLES = 1_000_000
"""The most --max-examples: a million generated cases a probe is days of sending at a tenant's pace."""
MAX_SECONDS_AN_ANSWER = 3600.0
MAX_SECONDS_A_RUN = 7 * 24 * 3600.0
MAX_SECONDS_THROTTLED = 24 * 3600.0
MAX_CONCURRENCY = 1000
MAX_BODY_BYTES = 1024**3
"""The largest body the suite reads (or the reference server accepts) is held in memory whole: 1 GiB."""

example_count = _within(int, "a whole number", MAX_EXAMPLES, "a million generated cases a probe is days of sending")
answer_seconds = _within(float, "a number of seconds", MAX_SECONDS_AN_ANSWER, "an hour for one answer")
run_seconds = _within(float, "a number of seconds", MAX_SECONDS_A_RUN, "a week for a run")
throttled_seconds = _within(float, "a number of seconds", MAX_SECONDS_THROTTLED, "a day of waiting")
burst_size = _within(int, "a whole number", MAX_CONCURRENCY, "a thousand connections opened at once")
byte_count = _within(int, "a whole number of bytes", MAX_BODY_BYTES, "1 GiB, held in memory whole")


def seed(text: str) -> int:
    """argparse type for --seed: a whole number from 0 to 2**64 - 1, as hypothesis' seeds are shown."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a seed from 0 to 2**64 - 1")
    return value


@dataclass(frozen=True)
class Option:
    """One option of the suite: what `pytest --help`, `graph-sync-conformance run --help`, the
    configuration file and verdict.json's `settings` all read. An option another plugin declares
    (`--base-url`, pytest's `--strict`, pytest-html's `--html`) is listed too, `ours=False`, so that
    the file and `run --help` cover every option the README lists."""

    flag: str
    group: str
    help: str
    kind: str = "text"
    """How the configuration file gives it (conformance/configfile.py's KINDS); "" for no file key."""
    type: Callable[[str], Any] | None = None
    metavar: str | None = None
    default: Any = None
    """The value when nothing gives one (declared as None, so that what was given can be told apart)."""
    dest: str = ""
    ours: bool = True

    @property
    def name(self) -> str:
        """Its key in the configuration file and in verdict.json's `settings`."""
        return self.flag.removeprefix("--")

    @property
    def attribute(self) -> str:
        return self.dest or self.name.replace("-", "_")

    def key(self) -> Key:
        return Key(self.name, self.attribute, self.kind, self.type)

    @property
    def parse(self) -> Callable[[str], Any] | None:
        """Its type as declared to pytest: a refused value is held, to be said in one line (conformance/usage.py)."""
        return deferred(self.flag, self.type) if self.type is not None else None


TARGET, CREDENTIALS, CASES, LIMITS, TRANSPORT, VERDICT, REPORTS, CONFIG = (
    "Target", "Credentials", "Cases", "Time and size limits", "TLS and redirects", "Verdict", "Reports", "Configuration file",
)  # fmt: skip
GROUPS = (TARGET, CREDENTIALS, CASES, LIMITS, TRANSPORT, VERDICT, REPORTS, CONFIG)
"""The groups of `pytest --help` and `graph-sync-conformance run --help`, as the README's headings name them."""

OPTIONS: tuple[Option, ...] = (
    Option(
        "--base-url",
        TARGET,
        "the target's service root, with its version (e.g. https://graph.microsoft.com/beta); also PYTEST_BASE_URL "
        "(default: the embedded reference server)",
        type=base_url,
        metavar="URL",
        ours=False,
    ),
    Option(
        "--application-id",
        TARGET,
        "application object id to create under; repeatable (default: a GUID derived from the seed)",
        kind="list",
        type=guid,
        metavar="GUID",
        default=(),
        dest="application_ids",
    ),
    Option(
        "--token",
        CREDENTIALS,
        f"bearer token sent as Authorization (default: ${TOKEN_ENV}, or the variable token-env names). Ignored without "
        "--base-url: the embedded reference server gets a random one",
        kind="",
        metavar="TOKEN",
    ),
    Option(
        "--tenant-id",
        CREDENTIALS,
        f"with --client-id: get tokens by client credentials (secret from ${SECRET_ENV}, or the variable client-secret-env names)",
        metavar="ID",
    ),
    Option("--client-id", CREDENTIALS, "the application (client) id for client credentials", metavar="ID"),
    Option(
        "--authority-host",
        CREDENTIALS,
        f"where tokens come from (default: {DEFAULT_AUTHORITY_HOST})",
        type=base_url,
        metavar="URL",
        default=DEFAULT_AUTHORITY_HOST,
    ),
    Option("--scope", CREDENTIALS, f"the scope tokens are asked for (default: {DEFAULT_SCOPE})", metavar="SCOPE", default=DEFAULT_SCOPE),
    Option(
        "--max-examples",
        CASES,
        f"generated cases per probe, besides the chosen ones (default: {DEFAULT_MAX_EXAMPLES})",
        kind="integer",
        type=example_count,
        metavar="N",
        default=DEFAULT_MAX_EXAMPLES,
    ),
    Option(
        "--seed",
        CASES,
        f"seed for case generation; the same seed sends the same cases (default: {DEFAULT_SEED})",
        kind="integer",
        type=seed,
        metavar="N",
        default=DEFAULT_SEED,
    ),
    Option(
        "--concurrency",
        CASES,
        f"creates sent together in each burst, each on a connection of its own; 1: none (default: {DEFAULT_CONCURRENCY})",
        kind="integer",
        type=burst_size,
        metavar="N",
        default=DEFAULT_CONCURRENCY,
    ),
    Option(
        "--request-timeout",
        LIMITS,
        f"longest wait for one answer, to its last byte (default: {DEFAULT_REQUEST_TIMEOUT:g})",
        kind="number",
        type=answer_seconds,
        metavar="SECONDS",
        default=DEFAULT_REQUEST_TIMEOUT,
    ),
    Option(
        "--run-timeout",
        LIMITS,
        f"deadline for the whole run; past it nothing more is sent (default: {DEFAULT_RUN_TIMEOUT:g})",
        kind="number",
        type=run_seconds,
        metavar="SECONDS",
        default=DEFAULT_RUN_TIMEOUT,
    ),
    Option(
        "--max-body-bytes",
        LIMITS,
        f"largest answer body read; a larger one fails as too large (default: {DEFAULT_MAX_BODY_BYTES})",
        kind="integer",
        type=byte_count,
        metavar="N",
        default=DEFAULT_MAX_BODY_BYTES,
    ),
    Option(
        "--throttle-wait",
        LIMITS,
        f"longest a throttled request (429, 503 with Retry-After) waits in all (default: {DEFAULT_THROTTLE_WAIT:g})",
        kind="number",
        type=throttled_seconds,
        metavar="SECONDS",
        default=DEFAULT_THROTTLE_WAIT,
    ),
    Option(
        "--rate-limit",
        LIMITS,
        "send at most RATE requests: per second (5) or per s/m/h/d (100/m), as `st run --rate-limit` takes (default: no limit)",
        kind="rate",
        type=rate_limit,
        metavar="RATE",
    ),
    Option("--ca-bundle", TRANSPORT, "PEM file of CAs to trust for TLS", kind="path", type=existing_file, metavar="FILE"),
    Option("--insecure", TRANSPORT, "do not verify TLS certificates (the reports say so)", kind="boolean", default=False),
    Option(
        "--follow-redirects",
        TRANSPORT,
        "follow 307/308 redirects (never sending Authorization to another origin); by default a redirect is the answer",
        kind="boolean",
        default=False,
    ),
    Option("--strict", VERDICT, "a failed SHOULD fails the run too (pytest's --strict)", kind="boolean", default=False, ours=False),
    Option(
        "--waivers",
        VERDICT,
        "YAML list of waivers (id, reason, expires): a failed SHOULD they name shows as waived",
        kind="path",
        type=existing_file,
        metavar="FILE",
    ),
    Option(
        "--html",
        REPORTS,
        f"the HTML report (default: {DEFAULT_REPORTS_DIR}/report.html)",
        kind="path",
        metavar="FILE",
        dest="htmlpath",
        ours=False,
    ),
    Option(
        "--junitxml",
        REPORTS,
        f"the JUnit file (default: {DEFAULT_REPORTS_DIR}/junit.xml)",
        kind="path",
        metavar="FILE",
        dest="xmlpath",
        ours=False,
    ),
    Option(
        "--verdict",
        REPORTS,
        f"where verdict.json goes (default: {DEFAULT_REPORTS_DIR}/verdict.json when the suite runs)",
        kind="path",
        metavar="FILE",
    ),
    Option(
        "--evidence",
        REPORTS,
        f"where the redacted exchanges go, one JSON line per case (default: {DEFAULT_REPORTS_DIR}/evidence.jsonl when the suite runs)",
        kind="path",
        metavar="FILE",
    ),
    Option(
        "--summary",
        REPORTS,
        f"where the verdict goes as Markdown, for CI step summaries (default: {DEFAULT_REPORTS_DIR}/summary.md when the suite runs)",
        kind="path",
        metavar="FILE",
    ),
    Option(
        "--config",
        CONFIG,
        f"the configuration file (TOML; default: ./{STANDALONE}, else ./pyproject.toml's [tool.graph-sync-conformance])",
        kind="",
        metavar="FILE",
    ),
)
BY_FLAG = {option.flag: option for option in OPTIONS}

FILE_ONLY = (
    Key("token-env", "token_env", "variable"),
    Key("client-secret-env", "secret_env", "variable"),
)
"""What only the configuration file says: the names of the variables that hold the credentials."""
FILE_KEYS = (*(option.key() for option in OPTIONS if option.kind), *FILE_ONLY)


def declare(parser: pytest.Parser) -> None:
    """The suite's own options, in the groups the README names. Declared without defaults: what was
    not given is taken from the configuration file or, failing that, the option's default (`resolve`)."""
    for option in OPTIONS:
        if not option.ours:
            continue
        group = parser.getgroup(f"graph-sync-conformance: {option.group.lower()}", f"graph-sync-conformance: {option.group}")
        if option.kind == "boolean":
            group.addoption(option.flag, action="store_true", default=None, help=option.help)
        elif option.kind == "list":
            group.addoption(
                option.flag, dest=option.attribute, action="append", type=option.parse, metavar=option.metavar, help=option.help
            )
        else:
            group.addoption(option.flag, dest=option.attribute, type=option.parse, metavar=option.metavar, help=option.help)


FILE_OPTIONS = ("--waivers", "--ca-bundle", "--html", "--junitxml", "--junit-xml", "--verdict", "--evidence", "--summary", "--config")
"""Options whose value is a file: given as `--option FILE`, pytest reads FILE as a test path before it
knows the suite's options, moves its rootdir to FILE's folder, ignores the project's configuration
and would collect the wrong tests. Only `--option=FILE` is safe."""


def file_options_in_space_form(args: Sequence[str]) -> list[str]:
    """The file options given as `--option FILE` (two arguments), in the order given."""
    return [arg for arg, value in itertools.pairwise([*args, ""]) if arg in FILE_OPTIONS and value and not value.startswith("-")]


def joined(args: Sequence[str]) -> list[str]:
    """`--option FILE` as `--option=FILE` for the file options: what `graph-sync-conformance run`
    passes to pytest, so that there the space form works too."""
    spaced = set(file_options_in_space_form(args))
    out: list[str] = []
    for arg in args:
        if out and out[-1] in spaced and "=" not in out[-1]:
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def run_config(config: pytest.Config, *, now: float) -> RunConfig:
    """The run's configuration from pytest's parsed options, its ini values, the configuration file and
    the environment: the one place that reads them. Raises UsageError for what cannot be used."""
    if (refused := refusal(vars(config.option).values())) is not None:  # the plugin loaded too late to check the command line
        raise UsageError(refused)
    if spaced := file_options_in_space_form(config.invocation_params.args):
        flag = spaced[0]
        raise UsageError(
            f"{flag}: write {flag}=FILE, with '=' (given as two arguments, pytest takes FILE for a test path "
            "before it knows this option, and would run the wrong tests)"
        )
    settings = resolve(config, config_file(config.getoption("config"), config.invocation_params.dir))
    target, source = settings.get("base_url"), settings.target_given
    if target is not None:
        if not target.strip():
            raise UsageError(empty_target(source))
        try:
            base_url(target)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{source}: {exc}") from None
    waivers_file = settings.get("waivers")
    try:
        waivers = load_waivers(Path(waivers_file), date.today()) if waivers_file else Waivers.none()
    except WaiverError as exc:
        raise UsageError(f"--waivers: {exc}") from None
    run = build(
        settings.get,
        base_url=target,
        env=os.environ,
        waivers=waivers,
        reports=_report_paths(config, settings),
        strict=bool(settings.get("strict")),
        narrowed=narrowing(config),
        quiet=config.get_verbosity() < 0,
        now=now,
    )
    return replace(run, settings=settings.reported(run))


def config_file(given: str | None, folder: Path) -> ConfigFile | None:
    """The configuration file's checked settings, if there is a file (conformance/configfile.py)."""
    path = locate(given, folder)
    return load(path, FILE_KEYS) if path is not None else None


ADDOPTS = "PYTEST_ADDOPTS"


def given_in(args: Sequence[str], flags: Sequence[str]) -> bool:
    """Whether one of `flags` is among the arguments (alone, or as `--flag=value`; pytest takes no abbreviations)."""
    return any(arg in flags or arg.partition("=")[0] in flags for arg in args if arg.startswith("--"))


@dataclass(frozen=True)
class Settings:
    """Every option's value and where it came from: the command line over the environment (PYTEST_ADDOPTS,
    or the option's own variable) over the configuration file over the default."""

    values: dict[str, Any]
    """dest -> value; a dest not here is read from pytest's options as parsed."""
    sources: dict[str, str]
    """option name -> cli, env:VARIABLE, file:PATH or default."""
    parsed: Callable[[str], Any]
    target_given: str = ""
    """Where the base URL came from, as a message names it (`--base-url`, `PYTEST_BASE_URL`, ...)."""

    def get(self, dest: str) -> Any:
        return self.values[dest] if dest in self.values else self.parsed(dest)

    def reported(self, run: RunConfig) -> dict[str, dict[str, Any]]:
        """verdict.json's `settings`: each option's value and source; a credential by its source alone."""
        shown = {
            option.name: {"value": _plain(self.get(option.attribute)), "source": self.sources[option.name]}
            for option in OPTIONS
            if option.name in self.sources
        }
        shown["application-id"]["value"] = list(run.application_ids)  # the ones derived from the seed, when none was given
        shown["base-url"] = {"value": public_url(run.base_url) if run.base_url else None, "source": self.sources["base-url"]}
        for key in FILE_ONLY:
            shown[key.name] = {"value": self.get(key.dest), "source": self.sources[key.name]}
        if run.credentials is not None:
            shown["client-secret"] = {"source": f"env:{self.get('secret_env')}"}
        elif run.token is not None and not run.embedded:
            shown["token"] = {"source": self.sources.get("token", f"env:{self.get('token_env')}")}
        return shown


def _plain(value: Any) -> Any:
    """A value as JSON states it: a rate limit as written (`100/m`), a list as a list."""
    if isinstance(value, RateLimit):
        return str(value)
    return list(value) if isinstance(value, list | tuple) else value


def resolve(config: pytest.Config, file: ConfigFile | None) -> Settings:
    """Each option's value and source (`Settings`), from pytest's parsed options and the file."""
    args = config.invocation_params.args
    addopts = shlex.split(os.environ.get(ADDOPTS, ""))
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    from_file = file.values if file is not None else {}
    for option in OPTIONS:
        flags = (option.flag, "--junit-xml") if option.flag == "--junitxml" else (option.flag,)
        parsed = config.getoption(option.attribute, None)
        if option.flag in ("--base-url", "--token", "--config"):
            continue  # the target's sources are its own (`_target`), a credential has no value to show
        if given_in(args, flags):
            sources[option.name] = "cli"
        elif given_in(addopts, flags):
            sources[option.name] = f"env:{ADDOPTS}"
        elif option.attribute in from_file and file is not None:
            values[option.attribute], sources[option.name] = from_file[option.attribute], file.source
        elif parsed not in (None, False, []):  # given by the ini file's addopts (or, for --strict, its strict value)
            sources[option.name] = f"file:{config.inipath}"
        else:
            values[option.attribute], sources[option.name] = option.default, "default"
    if sources["strict"] == "default" and _strict_ini(config):  # `strict = true`
        values["strict"], sources["strict"] = True, f"file:{config.inipath}"
    for key, default in zip(FILE_ONLY, (TOKEN_ENV, SECRET_ENV), strict=True):
        in_file = file is not None and key.dest in file.values
        values[key.dest] = file.values[key.dest] if file is not None and in_file else default
        sources[key.name] = file.source if file is not None and in_file else "default"
    if config.getoption("token", None) is not None:
        sources["token"] = "cli" if given_in(args, ("--token",)) else f"env:{ADDOPTS}"
    values["base_url"], said, sources["base-url"] = _target(config, file)
    return Settings(values, sources, config.getoption, said)


BASE_URL_ENV = "PYTEST_BASE_URL"


def given_target(args: Sequence[str], env: Mapping[str, str]) -> tuple[str | None, str]:
    """The base URL the command line (with PYTEST_ADDOPTS) or the environment gives, and where: the
    last --base-url, as argparse takes it, else PYTEST_BASE_URL (pytest-base-url's default for the
    option). None when neither gives one at all: an empty value is a value, and never means the
    embedded server (it is what a missing CI secret gives)."""
    value: str | None = None
    # As pytest reads them: PYTEST_ADDOPTS first, the command line after it (its last --base-url wins).
    for arg, following in itertools.pairwise([*shlex.split(env.get(ADDOPTS, "")), *args, ""]):
        if arg == "--base-url":
            value = following
        elif arg.startswith("--base-url="):
            value = arg.partition("=")[2]
    if value is not None:
        return value, "--base-url"
    if BASE_URL_ENV in env:
        return env[BASE_URL_ENV], BASE_URL_ENV
    return None, ""


def file_target(args: Sequence[str], folder: Path) -> tuple[str | None, str]:
    """The base URL the configuration file gives (`--config=FILE` among `args`, else the one found in
    `folder`), and where: what `graph-sync-conformance run` checks before it starts pytest."""
    given = next((arg.partition("=")[2] for arg in joined(args) if arg.startswith("--config=")), None)
    file = config_file(given, folder)
    if file is None or "base_url" not in file.values:
        return None, ""
    return file.values["base_url"], f"base-url in {file.path}"


def empty_target(source: str) -> str:
    """What a blank base URL means, said once for `pytest` and `graph-sync-conformance run` alike."""
    return (
        f"{source} is empty (a missing secret or variable?): give the target's service root, e.g. "
        "https://graph.microsoft.com/beta; leave it out altogether to run against the embedded reference server"
    )


def _target(config: pytest.Config, file: ConfigFile | None) -> tuple[str | None, str, str]:
    """The base URL, where a message says it was given, and its source: the command line (with
    PYTEST_ADDOPTS) or PYTEST_BASE_URL (`given_target`), the configuration file, the `base_url` ini value."""
    args = config.invocation_params.args
    value, given = given_target(args, os.environ)
    if value is not None:
        parsed = config.getoption("base_url")
        source = f"env:{BASE_URL_ENV}" if given == BASE_URL_ENV else "cli" if given_in(args, ("--base-url",)) else f"env:{ADDOPTS}"
        return (value if parsed is None else parsed), given, source
    if file is not None and "base_url" in file.values:
        return file.values["base_url"], f"base-url in {file.path}", file.source
    if _in_ini_file(config, "base_url"):
        return str(config.getini("base_url")), f"the base_url ini value ({config.inipath})", f"file:{config.inipath}"
    return None, "", "default"


def _in_ini_file(config: pytest.Config, name: str) -> bool:
    """Whether the ini file sets `name` at all, empty or not (`getini` gives "" for both). pytest 9.1
    deprecates `inicfg`, which is still the one public way to ask (pytest is pinned below 9.2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return name in config.inicfg


def _report_paths(config: pytest.Config, settings: Settings) -> ReportPaths:
    """Where the reports go: the user's choices, and reports/ for the rest when the session runs the suite."""
    runs = runs_suite(config.args, pyargs=config.option.pyargs, invocation_dir=config.invocation_params.dir)
    default = ReportPaths.in_folder(DEFAULT_REPORTS_DIR) if runs else ReportPaths()
    pytest_html = hasattr(config.option, "htmlpath")  # the plugin can be left out with -p no:html
    verdict = settings.get("verdict") or default.verdict
    beside_verdict = str(Path(verdict).with_name("summary.md")) if verdict else None
    return ReportPaths(
        html=(settings.get("htmlpath") or default.html) if pytest_html else None,
        junit=settings.get("xmlpath") or default.junit,
        verdict=verdict,
        evidence=settings.get("evidence") or default.evidence,
        summary=settings.get("summary") or beside_verdict,
    )


def _strict_ini(config: pytest.Config) -> bool:
    """pytest's `strict = true` ini value (its --strict, or the file's `strict`, come first)."""
    try:
        return bool(config.getini("strict"))
    except ValueError:  # a pytest without the strict ini option
        return False

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
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .collection import narrowing, runs_suite
from .config import (
    DEFAULT_AUTHORITY_HOST,
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
from .errors import UsageError, WaiverError
from .throttling import rate_limit
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
MAX_BODY_BYTES = 1024**3
"""The largest body the suite reads (or the reference server accepts) is held in memory whole: 1 GiB."""

example_count = _within(int, "a whole number", MAX_EXAMPLES, "a million generated cases a probe is days of sending")
answer_seconds = _within(float, "a number of seconds", MAX_SECONDS_AN_ANSWER, "an hour for one answer")
run_seconds = _within(float, "a number of seconds", MAX_SECONDS_A_RUN, "a week for a run")
throttled_seconds = _within(float, "a number of seconds", MAX_SECONDS_THROTTLED, "a day of waiting")
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


def declare(parser: pytest.Parser) -> None:
    """Every option of the suite, in one group of pytest's --help."""
    group = parser.getgroup("graph-sync-conformance", "Create synchronization conformance")
    option = group.addoption
    option(
        "--token",
        help=f"bearer token sent as Authorization (default: ${TOKEN_ENV}). Ignored without --base-url: "
        "the embedded reference server gets a random one.",
    )
    option(
        "--application-id",
        dest="application_ids",
        action="append",
        type=guid,
        default=[],
        metavar="GUID",
        help="application object id to create under; repeatable (default: a GUID derived from the seed)",
    )
    option(
        "--max-examples",
        type=example_count,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"generated cases per requirement, besides the explicit corpus (default: {DEFAULT_MAX_EXAMPLES})",
    )
    option(
        "--seed",
        type=seed,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"seed for case generation; the same seed sends the same cases (default: {DEFAULT_SEED})",
    )
    option(
        "--request-timeout",
        type=answer_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help=f"longest wait for one answer, to its last byte (default: {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    option(
        "--run-timeout",
        type=run_seconds,
        default=DEFAULT_RUN_TIMEOUT,
        metavar="SECONDS",
        help=f"deadline for the whole run; past it nothing more is sent (default: {DEFAULT_RUN_TIMEOUT:g})",
    )
    option(
        "--max-body-bytes",
        type=byte_count,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help=f"largest answer body read; a larger one fails as too large (default: {DEFAULT_MAX_BODY_BYTES})",
    )
    option(
        "--follow-redirects",
        action="store_true",
        help="follow 307/308 redirects (never sending Authorization to another origin); by default a redirect is the answer",
    )
    option(
        "--waivers",
        type=existing_file,
        metavar="FILE",
        help="YAML list of waivers (id, reason, expires): a failed SHOULD they name shows as waived",
    )
    option("--ca-bundle", type=existing_file, metavar="FILE", help="PEM file of CAs to trust for TLS")
    option("--tenant-id", help=f"with --client-id: get tokens by client credentials (secret from ${SECRET_ENV})")
    option("--client-id", help="the application (client) id for client credentials")
    option(
        "--authority-host",
        type=base_url,
        default=DEFAULT_AUTHORITY_HOST,
        metavar="URL",
        help=f"where tokens come from (default: {DEFAULT_AUTHORITY_HOST})",
    )
    option(
        "--verdict",
        metavar="FILE",
        help=f"where verdict.json goes (default: {DEFAULT_REPORTS_DIR}/verdict.json when the suite runs)",
    )
    option(
        "--evidence",
        metavar="FILE",
        help=f"where the redacted exchanges go, one JSON line per case (default: {DEFAULT_REPORTS_DIR}/evidence.jsonl when the suite runs)",
    )
    option(
        "--summary",
        metavar="FILE",
        help=f"where the verdict goes as Markdown, for CI step summaries (default: {DEFAULT_REPORTS_DIR}/summary.md when the suite runs)",
    )
    option("--scope", default=DEFAULT_SCOPE, help=f"the scope tokens are asked for (default: {DEFAULT_SCOPE})")
    option("--insecure", action="store_true", help="do not verify TLS certificates (the reports say so)")
    option(
        "--rate-limit",
        type=rate_limit,
        metavar="RATE",
        help="send at most RATE requests: per second (5) or per s/m/h/d (100/m), as `st run --rate-limit` takes (default: no limit)",
    )
    option(
        "--throttle-wait",
        type=throttled_seconds,
        default=DEFAULT_THROTTLE_WAIT,
        metavar="SECONDS",
        help=f"longest a throttled request (429, 503 with Retry-After) waits in all (default: {DEFAULT_THROTTLE_WAIT:g})",
    )


FILE_OPTIONS = ("--waivers", "--ca-bundle", "--html", "--junitxml", "--junit-xml", "--verdict", "--evidence", "--summary")
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
    """The run's configuration from pytest's parsed options, its ini values and the environment: the one
    place that reads them. Raises UsageError for what cannot be used."""
    if spaced := file_options_in_space_form(config.invocation_params.args):
        flag = spaced[0]
        raise UsageError(
            f"{flag}: write {flag}=FILE, with '=' (given as two arguments, pytest takes FILE for a test path "
            "before it knows this option, and would run the wrong tests)"
        )
    target, source = _target(config)
    if target is not None:
        if not target.strip():
            raise UsageError(empty_target(source))
        try:
            base_url(target)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"{source}: {exc}") from None
    waivers_file = config.getoption("waivers")
    try:
        waivers = load_waivers(Path(waivers_file), date.today()) if waivers_file else Waivers.none()
    except WaiverError as exc:
        raise UsageError(f"--waivers: {exc}") from None
    return build(
        config.getoption,
        base_url=target,
        env=os.environ,
        waivers=waivers,
        reports=_report_paths(config),
        strict=_strict(config),
        narrowed=narrowing(config),
        quiet=config.get_verbosity() < 0,
        now=now,
    )


BASE_URL_ENV = "PYTEST_BASE_URL"


def given_target(args: Sequence[str], env: Mapping[str, str]) -> tuple[str | None, str]:
    """The base URL the command line (with PYTEST_ADDOPTS) or the environment gives, and where: the
    last --base-url, as argparse takes it, else PYTEST_BASE_URL (pytest-base-url's default for the
    option). None when neither gives one at all: an empty value is a value, and never means the
    embedded server (it is what a missing CI secret gives)."""
    value: str | None = None
    for arg, following in itertools.pairwise([*args, *shlex.split(env.get("PYTEST_ADDOPTS", "")), ""]):
        if arg == "--base-url":
            value = following
        elif arg.startswith("--base-url="):
            value = arg.partition("=")[2]
    if value is not None:
        return value, "--base-url"
    if BASE_URL_ENV in env:
        return env[BASE_URL_ENV], BASE_URL_ENV
    return None, ""


def empty_target(source: str) -> str:
    """What a blank base URL means, said once for `pytest` and `graph-sync-conformance run` alike."""
    return (
        f"{source} is empty (a missing secret or variable?): give the target's service root, e.g. "
        "https://graph.microsoft.com/beta; leave it out altogether to run against the embedded reference server"
    )


def _target(config: pytest.Config) -> tuple[str | None, str]:
    """The base URL and where it was given (`given_target`), or the `base_url` ini value."""
    value, source = given_target(config.invocation_params.args, os.environ)
    if value is not None:
        parsed = config.getoption("base_url")
        return (value if parsed is None else parsed), source
    if _in_ini_file(config, "base_url"):
        return str(config.getini("base_url")), f"the base_url ini value ({config.inipath})"
    return None, ""


def _in_ini_file(config: pytest.Config, name: str) -> bool:
    """Whether the ini file sets `name` at all, empty or not (`getini` gives "" for both). pytest 9.1
    deprecates `inicfg`, which is still the one public way to ask (pytest is pinned below 9.2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return name in config.inicfg


def _report_paths(config: pytest.Config) -> ReportPaths:
    """Where the reports go: the user's choices, and reports/ for the rest when the session runs the suite."""
    runs = runs_suite(config.args, pyargs=config.option.pyargs, invocation_dir=config.invocation_params.dir)
    default = ReportPaths.in_folder(DEFAULT_REPORTS_DIR) if runs else ReportPaths()
    pytest_html = hasattr(config.option, "htmlpath")  # the plugin can be left out with -p no:html
    verdict = config.getoption("verdict") or default.verdict
    beside_verdict = str(Path(verdict).with_name("summary.md")) if verdict else None
    return ReportPaths(
        html=(config.option.htmlpath or default.html) if pytest_html else None,
        junit=config.option.xmlpath or default.junit,
        verdict=verdict,
        evidence=config.getoption("evidence") or default.evidence,
        summary=config.getoption("summary") or beside_verdict,
    )


def _strict(config: pytest.Config) -> bool:
    """pytest's own --strict (or `strict = true`) also makes a failed SHOULD fail the run."""
    try:
        return bool(config.getoption("strict") or config.getini("strict"))
    except ValueError:  # a pytest without the strict ini option
        return bool(config.getoption("strict", False))

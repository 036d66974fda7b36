"""The run's configuration: one frozen value, built once at configure time from the options and the
environment, and passed down. Nothing else reads pytest's options.

The defaults live here and nowhere else: the plugin's options, the HTTP client, the credentials and
the CLI all take them from this module. A setting that the reports show or that a rerun repeats says
so in its field's metadata (`setting(...)`), so that verdict.json, the HTML report's environment table
and the rerun command are drawn from the fields themselves: adding an option touches its declaration
(conformance/options.py), its field here, and the code that uses it.
"""

from __future__ import annotations

import math
import random
import secrets
import shlex
import uuid
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import UsageError
from .redaction import ANYWHERE_FROM
from .throttling import RateLimit
from .waivers import Waivers

DEFAULT_MAX_EXAMPLES = 40
DEFAULT_CONCURRENCY = 4
"""Creates sent together in each burst (conformance/bursts.py)."""
DEFAULT_SEED = 20260206  # fixed, so that a default run is reproducible and comparable across runs
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_RUN_TIMEOUT = 900.0
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_THROTTLE_WAIT = 120.0
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_REPORTS_DIR = "reports"
TOKEN_ENV = "GRAPH_TOKEN"
SECRET_ENV = "GRAPH_CLIENT_SECRET"


def setting(*, report: str | None = None, rerun: str | None = None, default: Any = MISSING) -> Any:
    """A field of RunConfig: `report` is its key in verdict.json's configuration (and a row of the HTML
    report's environment table); `rerun` is the option that repeats it in a rerun command."""
    return field(default=default, metadata={"report": report, "rerun": rerun})


@dataclass(frozen=True, kw_only=True)
class ReportPaths:
    """Where this run's reports go; None: not written."""

    html: str | None = None
    junit: str | None = None
    verdict: str | None = None
    evidence: str | None = None
    summary: str | None = None
    """The verdict as Markdown (conformance/summary.py)."""

    @classmethod
    def in_folder(cls, folder: str) -> ReportPaths:
        """The default names, in one folder: what `make suite` and `graph-sync-conformance run` write."""
        return cls(
            html=f"{folder}/report.html",
            junit=f"{folder}/junit.xml",
            verdict=f"{folder}/verdict.json",
            evidence=f"{folder}/evidence.jsonl",
            summary=f"{folder}/summary.md",
        )

    @property
    def har(self) -> str | None:
        """The evidence again as HAR 1.2, beside it: evidence.jsonl -> evidence.har."""
        return str(Path(self.evidence).with_suffix(".har")) if self.evidence else None

    def files(self) -> list[Path]:
        """Every report file a run writes here (the evidence: one file, or one per pytest-xdist worker, beside it)."""
        return [Path(p) for p in (self.html, self.junit, self.verdict, self.summary, self.har, self.evidence) if p]


@dataclass(frozen=True, kw_only=True)
class ClientCredentialsConfig:
    """Tokens by the client-credentials grant instead of a fixed token."""

    tenant_id: str
    client_id: str
    secret: str = field(repr=False)
    authority_host: str = DEFAULT_AUTHORITY_HOST
    scope: str = DEFAULT_SCOPE


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    base_url: str | None
    """The target's service root; None: the embedded reference server."""
    token: str | None = field(repr=False)
    """The bearer token sent; None: no Authorization header (or tokens come from `credentials`)."""
    credentials: ClientCredentialsConfig | None = None
    seed: int = setting(rerun="--seed", default=DEFAULT_SEED)
    max_examples: int = setting(report="max_examples", rerun="--max-examples", default=DEFAULT_MAX_EXAMPLES)
    application_ids: tuple[str, ...] = setting(report="application_ids", rerun="--application-id")
    request_timeout: float = setting(report="request_timeout_seconds", rerun="--request-timeout", default=DEFAULT_REQUEST_TIMEOUT)
    run_timeout: float = setting(report="run_timeout_seconds", default=DEFAULT_RUN_TIMEOUT)
    max_body_bytes: int = setting(report="max_body_bytes", rerun="--max-body-bytes", default=DEFAULT_MAX_BODY_BYTES)
    follow_redirects: bool = setting(report="follow_redirects", rerun="--follow-redirects", default=False)
    rate_limit: RateLimit | None = setting(report="rate_limit", rerun="--rate-limit", default=None)
    concurrency: int = setting(report="concurrency", rerun="--concurrency", default=DEFAULT_CONCURRENCY)
    """Creates sent together in each burst; 1: none sent together."""
    throttle_wait: float = setting(report="throttle_wait_seconds", rerun="--throttle-wait", default=DEFAULT_THROTTLE_WAIT)
    """The longest a throttled request may wait in all (the waits its Retry-After answers ask for)."""
    """At most this many requests per second, minute, ... (--rate-limit)."""
    ca_bundle: str | None = None
    insecure: bool = False
    strict: bool = setting(report="strict", rerun="--strict", default=False)
    """pytest's --strict: a failed SHOULD fails the run too."""
    waivers: Waivers = field(default_factory=Waivers.none)
    reports: ReportPaths = field(default_factory=ReportPaths)
    narrowed: str | None = None
    """How the run leaves part of the suite out (-k, --deselect, a test id, -x, ...): then it is never
    conformant, whatever it judged."""
    quiet: bool = False
    """-q: no live progress."""
    cache: str | None = None
    """Where hypothesis keeps what it builds once (its Unicode tables): the user's cache, not the
    working folder; None when HYPOTHESIS_STORAGE_DIRECTORY says where."""
    deadline: float = math.inf
    """time.monotonic() after which nothing more is sent (--run-timeout from the start of the run)."""
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """verdict.json's `settings`: every option's resolved value and where it came from (cli, env:NAME,
    file:PATH, default); a credential by its source alone (conformance/options.py, `Settings`)."""

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def verify(self) -> bool | str:
        """TLS: True verifies against the system's CAs, a path trusts that CA bundle, False does not verify."""
        if self.insecure:
            return False
        return self.ca_bundle or True

    @property
    def tls_description(self) -> str:
        if self.insecure:
            return "OFF (--insecure): certificates were not verified"
        return f"on, trusting {self.ca_bundle}" if self.ca_bundle else "on (system CAs)"

    @property
    def authentication(self) -> str:
        if self.credentials is not None:
            return "client credentials"
        return "bearer token" if self.token else "none"

    def reported(self) -> dict[str, Any]:
        """The configuration as verdict.json and the HTML report state it: never a credential."""
        shown = {f.metadata["report"]: _plain(getattr(self, f.name)) for f in fields(self) if f.metadata.get("report")}
        shown["application_ids"] = list(self.application_ids)
        return {**shown, "authentication": self.authentication, "tls_verification": self.tls_description}

    def rerun_options(self) -> list[str]:
        """The options that make a rerun send the same cases and judge them alike: every setting marked
        `rerun`, as given (a flag when on), then the run's credentials and TLS trust. Credentials go as
        references to environment variables (`rerun_exports` names them), never as values."""
        options: list[str] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if not (flag := f.metadata.get("rerun")) or value is None or value is False:
                continue
            if value is True:
                options.append(flag)
            else:
                options += [f"{flag} {shlex.quote(str(v))}" for v in (value if isinstance(value, tuple) else (value,))]
        if self.credentials is not None:
            c = self.credentials
            options += [f"--tenant-id {shlex.quote(c.tenant_id)}", f"--client-id {shlex.quote(c.client_id)}"]
            options += [f"--authority-host {shlex.quote(c.authority_host)}", f"--scope {shlex.quote(c.scope)}"]
        elif self.token and not self.embedded:
            options.append(f'--token "${TOKEN_ENV}"')
        options += ["--insecure"] if self.insecure else [f"--ca-bundle {shlex.quote(self.ca_bundle)}"] if self.ca_bundle else []
        return options

    def rerun_exports(self) -> str | None:
        """What a rerun needs in its environment, in words: the variable its credential comes from."""
        if self.credentials is not None:
            return f"{SECRET_ENV} (the client secret this run used)"
        return f"{TOKEN_ENV} (the token this run used)" if self.token and not self.embedded else None


def _plain(value: Any) -> Any:
    """A setting as JSON states it: a rate limit as it was written (`100/m`)."""
    return str(value) if isinstance(value, RateLimit) else value


def build(
    option: Callable[[str], Any],
    *,
    base_url: str | None,
    env: Mapping[str, str],
    waivers: Waivers,
    reports: ReportPaths,
    strict: bool,
    narrowed: str | None,
    quiet: bool,
    now: float,
) -> RunConfig:
    """The run's configuration from pytest's parsed options (`option(dest)`) and the environment.

    With no base URL the embedded reference server is the target and gets a random token of its own,
    never the user's.
    """
    if option("token") and (option("tenant_id") or option("client_id")):
        raise UsageError("--token and --tenant-id/--client-id are two ways to authenticate: give one")
    credentials = None
    if base_url is None:
        token: str | None = secrets.token_urlsafe(24)
    elif credentials := _credentials(option, env, option("secret_env")):
        token = None
    else:
        token = _token(option("token"), env, option("token_env"))
    seed = option("seed")
    ids = tuple(option("application_ids")) or default_application_ids(seed)
    return RunConfig(
        base_url=base_url,
        token=token,
        credentials=credentials,
        application_ids=ids,
        max_examples=option("max_examples"),
        seed=seed,
        request_timeout=option("request_timeout"),
        run_timeout=option("run_timeout"),
        max_body_bytes=option("max_body_bytes"),
        follow_redirects=option("follow_redirects"),
        rate_limit=option("rate_limit"),
        throttle_wait=option("throttle_wait"),
        concurrency=option("concurrency"),
        ca_bundle=option("ca_bundle"),
        insecure=option("insecure"),
        strict=strict,
        narrowed=narrowed,
        waivers=waivers,
        reports=reports,
        quiet=quiet,
        cache=None if env.get("HYPOTHESIS_STORAGE_DIRECTORY") else str(user_cache(env) / "hypothesis"),
        deadline=now + option("run_timeout"),
    )


def _token(given: str | None, env: Mapping[str, str], variable: str = TOKEN_ENV) -> str:
    """The bearer token for a target of the user's, checked before anything is sent: there must be one
    (a run without credentials is a setup mistake that would read as a finding: every create refused
    with 401), and it must be the token alone: a newline or space pasted with it would make every
    request fail (and requests' error would carry it into the reports)."""
    source = "--token" if given is not None else variable
    token = given if given is not None else env.get(variable, "")
    if not token.strip():
        raise UsageError(
            f"a target of yours needs credentials ({source} is empty or not set): pass --token TOKEN or set "
            f"{variable}, or --tenant-id and --client-id with {SECRET_ENV} for client credentials"
        )
    if token != token.strip():
        raise UsageError(f"{source} has a space or a line break before or after the token (pasted with it?): give the token alone")
    if not token.isascii() or not token.isprintable():
        raise UsageError(f"{source} has characters a header cannot carry: a bearer token is printable ASCII (RFC 6750 § 2.1)")
    return token


def user_cache(env: Mapping[str, str]) -> Path:
    """The suite's folder in the user's cache (XDG): what a run builds once and keeps."""
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graph-sync-conformance"


def default_application_ids(seed: int) -> tuple[str, ...]:
    """Fresh for each seed and the same for the same seed, so that a rerun with --seed sends the same
    requests; a GUID no tenant has, which a real tenant refuses."""
    return (str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4)),)


def _credentials(option: Callable[[str], Any], env: Mapping[str, str], variable: str = SECRET_ENV) -> ClientCredentialsConfig | None:
    tenant, client = option("tenant_id"), option("client_id")
    if not (tenant or client):
        return None
    if not (tenant and client):
        raise UsageError("client credentials need both --tenant-id and --client-id")
    secret = env.get(variable, "")
    if not secret.strip():
        raise UsageError(f"client credentials need the client secret in the environment variable {variable}")
    if secret != secret.strip():
        raise UsageError(f"{variable} has a space or a line break before or after the secret (pasted with it?): give the secret alone")
    return ClientCredentialsConfig(
        tenant_id=tenant, client_id=client, secret=secret, authority_host=option("authority_host"), scope=option("scope")
    )


def altered(token: str) -> str:
    """A credential the server must refuse: the token with its last character changed. It is as secret
    as the token (it gives most of it away), so it is redacted like the token. A short token (a test
    server's) gets a long tail instead, so that what is redacted is never an everyday word: `T` would
    otherwise become `A`, and every article in the reports would be masked."""
    if len(token) < ANYWHERE_FROM:
        return token + "." + "A" * ANYWHERE_FROM
    return token[:-1] + ("B" if token.endswith("A") else "A")


def refused_tokens(token: str) -> dict[str, str]:
    """The credentials made from the token that a server must refuse, each named for the loose
    comparison it catches: the token altered (one that checks a prefix or the length only), with a
    character more (one that checks the token sent starts with its own: `strncmp`), one fewer (its own
    starts with the token sent), and in the other case (a case-insensitive collation). Each gives most
    of the token away, so each is redacted like it. A short token (a test server's) gets only the
    altered one, a long tail: a one-letter cut or case change would be masked as an everyday word."""
    refused = {"altered-token": altered(token)}
    if len(token) >= ANYWHERE_FROM:
        refused |= {"token-extended": token + "A", "token-truncated": token[:-1]}
        if token.swapcase() != token:
            refused["token-case-swapped"] = token.swapcase()
    return refused

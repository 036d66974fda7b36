"""The only module that opens sockets: one HTTP session per run, one policy for every request.

Timeouts (for the whole answer: conformance/watchdog.py), the run deadline, the response size cap,
TLS, redirects, throttling (conformance/throttling.py) and the checks that tell a target that is down
from one that misbehaves live here, so that no check or test can forget them. A failure of one request
is recorded in its exchange, with why it got no complete answer (`Shortfall`): the requirements judge
it, and the run goes on. A failure that leaves no verdict to give (the target unreachable or no longer
answering even a known-good request, its TLS untrusted, the token refused on every request, throttling
that never ends, for a known-good request too, the deadline passed) raises `NoVerdict`.
"""

from __future__ import annotations

import copy
import http.client
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
from urllib3.exceptions import ProtocolError

from .config import DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_THROTTLE_WAIT
from .errors import NoVerdict
from .exchange import Exchange, Request, Response, Sent, Shortfall, header
from .shapes import LIVENESS_ORDER, Shape, a_request, shape_of
from .stats import RunStats
from .throttling import BACKOFF, THROTTLE_RETRIES, Pacer, Paid, RateLimit, retry_after
from .watchdog import Watch, WatchedAdapter, watched

USER_AGENT = "graph-sync-conformance"
PIECE_PAUSE = 0.02
"""Seconds between the two chunks of a chunked request body."""
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class ClientSettings:
    base_url: str
    token: str | None
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    """Seconds for one request, from sending it to the last byte of its answer."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    verify: bool | str = True
    """TLS: True verifies against the system's CAs, a path trusts that CA bundle, False does not verify."""
    follow_redirects: bool = False
    deadline: float | None = None
    """time.monotonic() after which no request is sent."""
    breaker: int = 3
    """Requests in a row with no answer after which a target that never answered in this run is
    declared unreachable."""
    refusals: int = 5
    """Consecutive 401s to the suite's own token after which the token is declared refused."""
    token_provider: Callable[[], str] | None = None
    """Where a fresh token comes from (client credentials), instead of the fixed `token`."""
    rate_limit: RateLimit | None = None
    throttle_wait: float = DEFAULT_THROTTLE_WAIT
    """The longest one throttled request may wait in all."""
    rate_share: int = 1
    """How many processes share the rate limit (pytest-xdist workers)."""
    known_good: dict[str, Any] | None = None
    """A body any correct target answers (the contract's own example), sent with one fresh secret each
    time (`known_good_body`) in the liveness requests that tell a target that stopped answering from one
    that ignores some requests, and one that throttles everything from one that throttles some
    requests (`Client._alive`); None: none are sent."""
    application_id: str | None = None
    """Where the liveness requests go."""


Recorder = Callable[[Sent, Exchange], None]
"""Where every exchange goes as it ends, with why it was sent: the evidence (conformance/evidence.py)."""


@dataclass
class _Streak:
    """Requests in a row that got nothing back, and the shapes of request the target has answered
    whole in this run (none: it has never answered)."""

    silent: int = 0
    answered: set[Shape] = field(default_factory=set)


class Client:
    def __init__(
        self, settings: ClientSettings, *, stats: RunStats | None = None, record: Recorder | None = None
    ) -> None:
        """`record` is given every request that went on the wire, once, as its exchange ends, with why
        it was sent (`sending`): the cases, the shrinking, the liveness requests, the throttled and
        dropped tries, the redirects followed, the request that stopped the run."""
        self.settings = settings
        self.stats = stats if stats is not None else RunStats()
        self._record = record
        self._recording = threading.Lock()
        """One recorder call and count at a time: the members of a burst share them from threads of their own."""
        self._sending = Sent("", "")
        self._session = _new_session(settings)
        self._pacer: Pacer | Paid | None = Pacer(settings.rate_limit, share=settings.rate_share) if settings.rate_limit else None
        self._streak = _Streak()
        self._refused = 0

    def close(self) -> None:
        self._session.close()

    def connection(self, *, paid: bool = False) -> Client:
        """This client on a connection of its own, for a request sent together with others
        (conformance/bursts.py): the same settings, counters, pace, token, liveness and recorder (and
        the case it is sending for), one policy for every request. `paid`: its first request's turn under --rate-limit was taken
        already (`pace`), with those of the requests it goes out with."""
        member = copy.copy(self)
        member._session = _new_session(self.settings)
        if paid and isinstance(self._pacer, Pacer):
            member._pacer = Paid(self._pacer)
        return member

    def pace(self, turns: int = 1) -> None:
        """Wait for `turns` turns under --rate-limit (none without one); counted, and the run stops past its deadline."""
        if self._pacer is None:
            return
        waited = self._pacer.wait(self.settings.deadline if self.settings.deadline is not None else float("inf"), turns)
        if waited is None:
            raise NoVerdict("run incomplete: the run deadline (--run-timeout) passed waiting for --rate-limit")
        self.stats.paced_seconds += waited

    def rate(self) -> float | None:
        """The requests per second this process may send under --rate-limit; None without one."""
        return self._pacer.per_second() if isinstance(self._pacer, Pacer) else None

    def url(self, application_id: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/applications/{quote(application_id, safe='')}/synchronization"

    def token(self) -> str | None:
        """The token to send now: a fresh one from the provider (client credentials), or the fixed one."""
        return self.settings.token_provider() if self.settings.token_provider else self.settings.token

    def bearer(self) -> str | None:
        token = self.token()
        return f"Bearer {token}" if token else None

    @contextmanager
    def sending(self, probe: str, case: str, purpose: str = "case") -> Iterator[None]:
        """The requests sent inside the block are recorded as this probe's case, sent for `purpose`."""
        outer, self._sending = self._sending, Sent(probe, case, purpose)
        try:
            yield
        finally:
            self._sending = outer

    def _again(self, purpose: str) -> AbstractContextManager[None]:
        """The requests sent inside the block are the current case's, sent again for `purpose`."""
        return self.sending(self._sending.probe, self._sending.case, purpose)

    def shape(self, request: Request) -> Shape:
        """The shape of a request as this client sends it (conformance/shapes.py)."""
        return shape_of(request, self.bearer())

    def request(self, application_id: str, body: bytes, payload: Any = None, headers: dict[str, str | None] | None = None) -> Request:
        """A create request as a client of the contract sends it; `headers` replaces defaults, None drops one."""
        merged: dict[str, str | None] = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Authorization": self.bearer(),
            **(headers or {}),
        }
        kept = tuple((name, value) for name, value in merged.items() if value is not None)
        return Request("POST", self.url(application_id), kept, body, payload)

    def create(self, application_id: str, payload: Any) -> Exchange:
        """POST one synchronization, exactly as a client of the contract would."""
        return self.send(self.request(application_id, serialize(payload), payload))

    # --- sending ------------------------------------------------------------------------------------

    def send(self, request: Request) -> Exchange:
        """Send one request under the run's policy; raise NoVerdict when the run cannot go on."""
        exchange = self._unthrottled(request)
        self._watch(exchange)
        return exchange

    def _unthrottled(self, request: Request) -> Exchange:
        """The answer once the target stops throttling: each throttled answer is waited out as the
        target asks (Retry-After), a bounded number of times and for a bounded total wait. Throttled
        every one of those times: `_throttled_without_end` decides. Asking for more than the wait left:
        the request was not waited out, so its answer is not judged, and the run has no verdict."""
        waited = 0.0
        for attempt in range(THROTTLE_RETRIES + 1):
            with self._again("retry") if attempt else nullcontext():
                exchange = self._followed(request)
            delay = retry_after(exchange)
            if delay is None:
                return exchange
            delay = BACKOFF * 2**attempt if delay < 0 else delay
            if attempt == THROTTLE_RETRIES or waited + delay > self.settings.throttle_wait:
                break
            self.stats.throttled += 1
            self._sleep(delay)
            waited += delay
            self.stats.throttled_seconds += delay
        assert exchange.response is not None
        how = f"{attempt + 1} answers {exchange.response.status} to one request (waited {waited:g} s; asked for {delay:g} s more)"
        if attempt < THROTTLE_RETRIES:
            self.stats.throttled += 1
            raise NoVerdict(f"throttled without end: {how}, past --throttle-wait {self.settings.throttle_wait:g} s; try later")
        return self._throttled_without_end(exchange, how)

    def _throttled_without_end(self, exchange: Exchange, how: str) -> Exchange:
        """The last answer to a request whose throttling did not end, judged as its answer when a
        known-good request sent at once is answered without throttling: the target is up and chose to
        refuse this request, and a target that is reachable and wrong is judged. Throttled too (or no
        known-good request to send): the target throttles everything, and the run has no verdict."""
        # Throttling counts what a caller with credentials may send (a tenant's quota): asked without
        # them, a target that throttles every request of the tenant would answer 401 at once.
        checks = self._alive(
            self.shape(exchange.request), lambda check: check.answered and retry_after(check) is None, AUTHENTICATED_LIVENESS
        )
        if checks and checks[-1][1].answered and retry_after(checks[-1][1]) is None:
            self.stats.throttled_without_end += 1
            return exchange
        self.stats.throttled += 1
        also = f", and {_said(checks)}" if checks else ""
        raise NoVerdict(f"throttled without end: {how}{also}; try a lower --rate-limit or later")

    def _sleep(self, seconds: float) -> None:
        if self.settings.deadline is not None and time.monotonic() + seconds > self.settings.deadline:
            raise NoVerdict(f"run incomplete: the run deadline (--run-timeout) comes before the {seconds:g} s a throttled answer asked for")
        time.sleep(seconds)

    def _followed(self, request: Request) -> Exchange:
        """One answer, after any redirects followed."""
        exchange = self._send_once(request)
        redirects = 0
        while self.settings.follow_redirects and redirects < MAX_REDIRECTS and _is_redirect(exchange):
            redirects += 1
            with self._again("redirect"):
                exchange = self._send_once(self._redirected(request, exchange))
        return exchange

    def _redirected(self, request: Request, exchange: Exchange) -> Request:
        """The same request to the Location of a 307/308; credentials only to the same origin."""
        assert exchange.response is not None
        target = urljoin(exchange.request.url, exchange.response.header("location") or "")
        same_origin = _origin(target) == _origin(request.url)
        headers = tuple((k, v) for k, v in request.headers if same_origin or k.lower() != "authorization")
        return Request(request.method, target, headers, request.body, request.payload)

    # --- is the target there? -----------------------------------------------------------------------

    def _watch(self, exchange: Exchange) -> None:
        """Tell a target that is down from one that ignores some requests, and notice a refused token."""
        streak = self._streak
        if exchange.answered:
            streak.answered.add(self.shape(exchange.request))
        if not _silent(exchange):
            streak.silent = 0
            self._watch_token(exchange)
        elif streak.answered:
            self._still_answering(exchange)
        else:
            streak.silent += 1
            if streak.silent >= self.settings.breaker:
                self._ever_answering(exchange)

    def _ever_answering(self, exchange: Exchange) -> None:
        """Requests in a row got nothing back and nothing has come back in this run yet: liveness
        requests of other shapes, sent at once, tell a target that is down from one that ignores the
        requests this process happened to send first (bodies another worker sent before, say, or every
        create). One answered: the target is up, and SYNC-ANSWERED judges the requests it ignored."""
        checks = self._alive(self.shape(exchange.request), lambda check: not _silent(check))
        if not checks or _silent(checks[-1][1]):
            last = exchange.error or _incomplete(exchange)
            also = f"; and {_said(checks)}" if checks else ""
            raise NoVerdict(f"target unreachable: {self._streak.silent} requests in a row got no answer (last: {last}){also}")
        self._streak.silent = 0

    def _still_answering(self, exchange: Exchange) -> None:
        """A request got nothing back from a target that has answered in this run: liveness requests,
        sent at once, decide whether the target ignores that kind of request (SYNC-ANSWERED judges it) or
        stopped answering altogether (the run stops). Deciding before the request is judged keeps a target
        that went away from being blamed for the answers it did not give."""
        checks = self._alive(self.shape(exchange.request), lambda check: not _silent(check))
        if checks and _silent(checks[-1][1]):
            raise NoVerdict(
                f"target stopped answering: {a_request(self.shape(exchange.request))} got no answer "
                f"({exchange.error or _incomplete(exchange)}), and {_said(checks)}"
            )

    def _alive(self, silent: Shape, answers: Callable[[Exchange], bool], shapes: tuple[Shape, ...] = LIVENESS_ORDER) -> Checked:
        """Liveness requests, sent one after another until one `answers`: of `shapes` but never the
        `silent` one (the shape that just got nothing), of the shapes the target has answered in this
        run first, with no side effect first (as `shapes` are ordered), at most LIVENESS_TRIES. The
        requests sent, the last the deciding one; none when the client has nothing to send."""
        if self.settings.known_good is None or self.settings.application_id is None:
            return []
        others = [shape for shape in shapes if shape != silent]
        ordered = sorted(others, key=lambda shape: shape not in self._streak.answered)[:LIVENESS_TRIES]
        sent: Checked = []
        for shape in ordered:
            with self.sending("liveness", f"liveness-{shape}", "liveness"):
                check = self._followed(self._liveness_request(shape))
            self.stats.liveness_checks += 1
            sent.append((shape, check))
            if check.answered:
                self._streak.answered.add(shape)
            if answers(check):
                break
        return sent

    def _liveness_request(self, shape: Shape) -> Request:
        """A request of `shape` any correct target answers at once: the contract's example with a fresh
        secret (`known_good_body`), never a body the target has had, sent as the shape needs (without
        credentials, or as a body that is not JSON). A throttled answer to it is not waited out, since
        whether the target throttles it too is one of the questions it answers."""
        assert self.settings.known_good is not None and self.settings.application_id is not None
        body = known_good_body(self.settings.known_good)
        request = self.request(self.settings.application_id, serialize(body), body)
        if shape is Shape.UNAUTHENTICATED:
            return replace(request, headers=tuple((k, v) for k, v in request.headers if k.lower() != "authorization"))
        if shape is Shape.NOT_JSON:
            return replace(request, body=serialize(body)[:-1], payload=None)
        return request

    def _watch_token(self, exchange: Exchange) -> None:
        bearer = self.bearer()
        if exchange.response is None or bearer is None or header(exchange.request.headers, "authorization") != bearer:
            return
        self._refused = self._refused + 1 if exchange.response.status == 401 else 0
        if self._refused >= self.settings.refusals:
            raise NoVerdict(
                f"the target refused the token on {self._refused} requests in a row (401): "
                "check --token or GRAPH_TOKEN, and that it is for this target"
            )

    # --- one request on the wire --------------------------------------------------------------------

    def _timeout(self) -> float:
        """This request's time: the request timeout, or what is left of the run if that is less;
        waiting its turn under --rate-limit first."""
        deadline = self.settings.deadline if self.settings.deadline is not None else float("inf")
        self.pace()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NoVerdict("run incomplete: the run deadline (--run-timeout) passed")
        return min(self.settings.timeout, remaining)

    def _send_once(self, request: Request) -> Exchange:
        """One answer to `request`, sent again once, on a new connection, when it went out on a kept-alive
        connection that had already carried an answer and closed before any answer to it: a server may
        close an idle connection just as a request goes out (RFC 9112 § 9.5), and a client cannot tell
        that from one that read the request and closed, so it does what browsers do. Every such re-send is
        counted and reported. A drop on a fresh connection is no answer: the target had the request, and
        a create sent again may be made twice (RFC 9112 § 9.3.1)."""
        exchange, reused = self._in_time(request)
        if exchange.shortfall is Shortfall.DROPPED and reused:
            self.stats.resent += 1
            with self._again("retry"):
                exchange, _ = self._in_time(request)
        return exchange

    def _in_time(self, request: Request) -> tuple[Exchange, bool]:
        """The exchange, and whether the request went out on a reused kept-alive connection; recorded
        as it ends, whatever comes of it (the evidence holds every request that went on the wire)."""
        timeout = self._timeout()
        with watched(timeout) as watch:
            exchange = self._on_the_wire(request, watch, timeout)
        cut_short = exchange.shortfall is Shortfall.TIMEOUT and timeout < self.settings.timeout
        self._recorded(exchange, watch.reused, "cut short by the run deadline" if cut_short else None)
        if cut_short:
            # Cut short by the run deadline, not by the request timeout: nothing to hold against the target.
            raise NoVerdict("run incomplete: the run deadline (--run-timeout) passed")
        return exchange, watch.reused

    def _recorded(self, exchange: Exchange, reused: bool, note: str | None) -> None:
        """One request that went on the wire, counted and handed to `record`, with what became of it."""
        if note is None and exchange.shortfall is Shortfall.DROPPED and reused:
            note = "dropped on a kept-alive connection before any answer: sent again on a new one"
        elif note is None and (delay := retry_after(exchange)) is not None:
            note = "throttled: not judged" + (f" (Retry-After {delay:g} s)" if delay >= 0 else "")
        elif note is None and self.settings.follow_redirects and _is_redirect(exchange):
            note = "a redirect: followed"
        sent = Sent(self._sending.probe, self._sending.case, self._sending.purpose, note)
        with self._recording:
            self.stats.requests[sent.purpose] += 1
            if self._record is not None:
                self._record(sent, exchange)

    def _on_the_wire(self, request: Request, watch: Watch, timeout: float) -> Exchange:
        started, shape = time.perf_counter(), self.shape(request)

        def failed(shortfall: Shortfall, error: str) -> Exchange:
            return Exchange(request, error=error, elapsed=time.perf_counter() - started, shortfall=shortfall, shape=shape)

        body = _in_pieces(request.body) if _chunked(request) else request.body
        prepared = self._session.prepare_request(requests.Request(request.method, request.url, headers=dict(request.headers), data=body))
        # What goes on the wire is what the exchange holds: the headers the session adds (Content-Length,
        # Accept-Encoding, Connection) with the suite's own; only Host is left to the connection, which
        # writes it from the URL as any client does.
        request = replace(request, url=prepared.url or request.url, headers=tuple(prepared.headers.items()))
        try:
            with self._session.send(prepared, timeout=timeout, allow_redirects=False, stream=True) as raw:
                response, shortfall = self._read(raw, watch, timeout)
        except requests.exceptions.SSLError as exc:
            raise NoVerdict(_tls_problem(request.url, exc, self.settings.verify)) from None
        except requests.Timeout:
            return failed(Shortfall.TIMEOUT, f"no answer within {timeout:g} s")
        except requests.ConnectionError as exc:
            if watch.fired:  # the watchdog ended an answer that came too slowly
                return failed(Shortfall.TIMEOUT, f"no answer within {timeout:g} s")
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, ProtocolError):
                kind = _protocol_shortfall(cause)
                what = "connection dropped before an answer" if kind is Shortfall.DROPPED else "not an HTTP answer"
                return failed(kind, f"{what}: {_protocol_reason(cause)}")
            _, host, port = _origin(request.url)
            return failed(Shortfall.REFUSED, f"cannot connect to {host}:{port} ({_reason(cause)})")
        except requests.RequestException as exc:
            return failed(Shortfall.MALFORMED, f"not an HTTP answer: {_one_line(exc)}")
        return Exchange(request, response, elapsed=time.perf_counter() - started, shortfall=shortfall, shape=shape)

    def _read(self, raw: requests.Response, watch: Watch, timeout: float) -> tuple[Response, Shortfall | None]:
        """The answer with at most the cap of its body, never the whole of an oversized one, and why
        the body is not whole when it is not."""
        cap = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        incomplete: tuple[Shortfall, str] | None = None
        try:
            for chunk in raw.iter_content(chunk_size=64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    incomplete = (Shortfall.TOO_LARGE, f"body too large: more than {cap:,} bytes")
                    break
        except (requests.RequestException, ProtocolError) as exc:
            if watch.fired:
                incomplete = (Shortfall.TIMEOUT, f"body not complete within {timeout:g} s")
            else:
                incomplete = (Shortfall.CUT_OFF, f"body cut off: {_one_line(exc)}")
        body = b"".join(chunks)[:cap]
        response = Response(
            status=raw.status_code,
            reason=raw.reason or "",
            headers=tuple(raw.headers.items()),
            body=body,
            incomplete=incomplete[1] if incomplete else None,
        )
        return response, incomplete[0] if incomplete else None


def _new_session(settings: ClientSettings) -> requests.Session:
    """One connection pool under the client's policy: the watchdog's adapter, TLS as set, nothing from the environment."""
    session = requests.Session()
    session.trust_env = False  # a proxy or netrc from the environment must not see the token
    session.verify = settings.verify
    adapter = WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def known_good_body(example: dict[str, Any]) -> dict[str, Any]:
    """The known-good body: `example` with one more secret, whose value is new each time. Still the
    plainest valid create, and never a body the target has seen, so that a target that refuses or
    holds a body it has already created is not taken for one that stopped answering."""
    fresh = {"key": "UserName", "value": f"known-good-{uuid.uuid4()}"}
    return {**example, "secrets": [*example.get("secrets", []), fresh]}


def serialize(payload: Any) -> bytes:
    """JSON as the suite sends it: compact, UTF-8, non-ASCII as is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _is_redirect(exchange: Exchange) -> bool:
    """Only 307 and 308 keep the method and body; 301/302/303 would turn the POST into a GET."""
    return exchange.response is not None and exchange.response.status in (307, 308) and bool(exchange.response.header("location"))


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _reason(cause: object) -> str:
    """The innermost reason urllib3 gives, without its wrapper's repr: 'Connection refused'."""
    reason = getattr(cause, "reason", cause)
    text = str(reason).splitlines()[0] if reason is not None else "no reason given"
    return text.split("): ", 1)[-1]


def _tls_reason(exc: BaseException) -> str:
    """'certificate verify failed: unable to get local issuer certificate', out of urllib3's wrapping."""
    found = re.search(r"\] ([^()]+?) \(_ssl", str(exc))
    return found.group(1) if found else _reason(exc.args[0] if exc.args else exc)


def _chunked(request: Request) -> bool:
    """A request whose headers say `Transfer-Encoding: chunked` is sent so: its body in pieces, no length."""
    return (header(request.headers, "transfer-encoding") or "").lower() == "chunked"


def _in_pieces(body: bytes) -> Iterator[bytes]:
    """The body in two chunks, with a pause between, so that they reach the server apart: a server that
    reads only the first part of a body, or wants a Content-Length, shows it."""
    middle = len(body) // 2
    yield body[:middle]
    time.sleep(PIECE_PAUSE)
    yield body[middle:]


LIVENESS_TRIES = 2
"""Liveness requests sent for one decision, at most: each may cost a request timeout."""


AUTHENTICATED_LIVENESS = tuple(shape for shape in LIVENESS_ORDER if shape is not Shape.UNAUTHENTICATED)
"""The liveness requests that ask whether the target throttles everything: with the run's credentials."""
Checked = list[tuple[Shape, Exchange]]
"""The liveness requests sent for one decision, by shape, the last the deciding one."""


def _said(checks: Checked) -> str:
    """What the liveness requests got, in a few words each: `an unauthenticated request sent to check got 401 Unauthorized`."""
    return "; ".join(f"{a_request(shape)} sent to check got {_outcome(check)}" for shape, check in checks)


def _outcome(exchange: Exchange) -> str:
    """What a request got, in a few words: `429 Too Many Requests`, or why nothing."""
    if exchange.response is None:
        return f"no answer ({exchange.error})"
    return f"{exchange.response.status} {exchange.response.reason}".rstrip()


def _silent(exchange: Exchange) -> bool:
    """Whether nothing came back to this request (`Shortfall.silent`: refused, dropped, timed out)."""
    return exchange.shortfall is not None and exchange.shortfall.silent


def _incomplete(exchange: Exchange) -> str:
    return exchange.response.incomplete or "" if exchange.response is not None else ""


def _protocol_shortfall(error: ProtocolError) -> Shortfall:
    """A connection closed before any answer (nothing came back), or bytes that are not HTTP (the
    target answered, badly): a broken status line, an overlong line, too many headers."""
    inner = error.args[1] if len(error.args) > 1 else None
    if isinstance(inner, http.client.RemoteDisconnected | OSError) or not isinstance(inner, http.client.HTTPException):
        return Shortfall.DROPPED
    return Shortfall.MALFORMED


def _protocol_reason(error: ProtocolError) -> str:
    inner = error.args[1] if len(error.args) > 1 else error
    return _one_line(inner) if isinstance(inner, BaseException) else str(inner)


def _tls_problem(url: str, exc: requests.exceptions.SSLError, verify: bool | str) -> str:
    """Why TLS failed, with the advice that fits: a certificate not trusted (--ca-bundle, --insecure),
    or no TLS at all on that port (an http:// URL), where turning verification off would not help."""
    scheme, host, port = _origin(url)
    if "certificate verify failed" in str(exc):
        return (
            f"TLS verification failed for {scheme}://{host}:{port}: {_tls_reason(exc)} "
            "(--ca-bundle=FILE trusts a private CA; --insecure turns verification off)"
        )
    hint = "; is it a plain-HTTP port? then the URL is http://" if "wrong version number" in str(exc).lower() else ""
    return f"TLS handshake with {host}:{port} failed: {_tls_reason(exc)}{hint}"


def _one_line(exc: BaseException) -> str:
    kind = type(exc).__name__
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return f"{kind}: {detail}" if detail else kind

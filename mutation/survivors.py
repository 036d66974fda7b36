"""Why each mutant the suite does not kill survives, as data matched against the mutants' keys.

A survivor is one of three kinds:
- equivalent: for every request the suite sends, the mutant answers exactly as the reference does
  (a log message, a default nothing uses, a path no request takes);
- outside the contract: it answers differently, but where the contract says nothing (the GET
  handler, the bounds on what one client may cost, paths and methods that are not the operation,
  the wording of error codes and messages);
- GAP: it breaks behaviour the contract covers and no check notices: a check (or a case) to add.

A pattern names mutants by their key (`file::function::before -> after`, see `Mutant.key`), with `*`
standing for any text; the first explanation with a matching pattern explains the mutant. Patterns
name what they mean (a string, a statement), not whole functions, except where everything a function
does is outside the contract (the GET handler, the request-head bounds), so that a new survivor is
unexplained until someone has looked at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .mutants import Mutant


class Kind(StrEnum):
    EQUIVALENT = "equivalent"
    OUTSIDE = "outside the contract"
    GAP = "GAP"


@dataclass(frozen=True)
class Why:
    kind: Kind
    reason: str
    patterns: tuple[str, ...]

    def matches(self, mutant: Mutant) -> bool:
        return any(mutant.matches(pattern) for pattern in self.patterns)


APP = "conformance/server/app.py::"
GRAPH = "conformance/server/graph.py::"
RUNNER = "conformance/server/runner.py::"
STORE = "conformance/server/store.py::"

WHY: tuple[Why, ...] = (
    # --- gaps: behaviour the contract covers that no check notices ---------------------------------
    # The four this tool found are closed: a valid create sent chunked, in two pieces (the valid-forms
    # probe), with media type parameters, and an absolute Location that must be http(s).
    # --- outside the contract ------------------------------------------------------------------------
    Why(
        Kind.OUTSIDE,
        "A valid create sent as `application/json; charset=utf8` gets 415. `utf8` is an alias no registry "
        "defines (the registered name is UTF-8); the suite sends `charset=utf-8`, which this mutant still "
        "accepts, and a server may refuse a charset it does not know.",
        (f"{APP}ReferenceServer.check_media_type::'utf8' -> 'XXutf8XX'",),
    ),
    # --- equivalent: the same answers to every request the suite sends ------------------------------
    Why(
        Kind.EQUIVALENT,
        "A type variable's name: read by type checkers, never by the running server.",
        (f"{APP}<module>::'T' -> *",),
    ),
    Why(
        Kind.EQUIVALENT,
        "Lifespan is off: only HTTP scopes ever reach the app.",
        (f"{APP}ReferenceServer.app.app::if scope['type'] != 'http': … -> pass", f"{APP}ReferenceServer.app.app::return -> pass"),
    ),
    Why(
        Kind.EQUIVALENT,
        "A client gone before its body is in: nobody is there to see what the server does next.",
        (
            f"{APP}ReferenceServer.app.app::return -> pass #2",
            f"{APP}ReferenceServer.read_body::if message['type'] == 'http.disconnect': … -> pass",
            f"{APP}ReferenceServer.read_body::'http.disconnect' -> *",
            f"{APP}ReferenceServer.read_body::raise ClientDisconnect -> pass",
        ),
    ),
    Why(
        Kind.EQUIVALENT,
        "The 500 path and its log: taken only when a decision raises, which none does for any request the "
        "suite sends (a 500 would fail SYNC-NO-5XX).",
        (
            f"{APP}ReferenceServer.app.app::logger.exception(*",
            f"{APP}ReferenceServer.app.app::'%s %s' -> *",
            f"{APP}ReferenceServer.app.app::'method' -> 'XXmethodXX' #2",
            f"{APP}ReferenceServer.app.app::'path' -> 'XXpathXX' #2",
            f"{APP}ReferenceServer.app.app::response = self.server_error(request, exc) -> pass",
            f"{APP}ReferenceServer.server_error::*",
        ),
    ),
    Why(
        Kind.EQUIVALENT,
        "A default uvicorn's messages never need: each carries `body` and `more_body`.",
        (f"{APP}ReferenceServer.read_body::b'' -> b'XXXX'", f"{APP}ReferenceServer.read_body::False -> True"),
    ),
    Why(
        Kind.EQUIVALENT,
        "Where a decision is made, on the event loop or in the worker thread (and how many workers there are): "
        "the same decision either way; only whether other clients wait for it differs.",
        (
            f"{APP}ReferenceServer::64 -> 65",
            f"{APP}ReferenceServer::1024 -> 1025",
            f"{APP}ReferenceServer.__init__::1 -> 2",
            f"{APP}ReferenceServer.__init__::'reference-server-worker' -> *",
            f"{APP}ReferenceServer.create::len(body) > self.inline_body_bytes -> *",
            f"{APP}ReferenceServer.create::not accepts(request_validator(), payload) -> *",
            f"{APP}ReferenceServer.decided::if not costly: … -> pass",
            f"{APP}ReferenceServer.decided::not costly -> costly",
        ),
    ),
    Why(
        Kind.EQUIVALENT,
        "A caller's client-request-id, echoed: the suite sends none, so there is nothing to echo.",
        (
            f"{APP}ReferenceServer.error_body::'client-request-id' -> *",
            f"{APP}ReferenceServer.standard_headers::'client-request-id' -> *",
            f"{GRAPH}tracing_headers::if client_request_id*",
            f"{GRAPH}tracing_headers::'client-request-id' -> *",
            f"{GRAPH}tracing_headers::headers['client-request-id'] = client_request_id -> pass",
        ),
    ),
    Why(
        Kind.EQUIVALENT,
        "The store in a file in the run's folder instead of in memory: the same answers.",
        (f"{STORE}Store.__init__::':memory:' -> *",),
    ),
    Why(
        Kind.EQUIVALENT,
        "A store that cannot be written, found when it is opened (and closed): the suite's is in memory, always writable.",
        (
            f"{STORE}Store.__init__::self._db.execute('DELETE FROM synchronization WHERE 0') -> pass",
            f"{STORE}Store.__init__::self._db.close() -> pass",
            f"{STORE}Store.__init__::raise -> pass",
        ),
    ),
    Why(
        Kind.EQUIVALENT,
        "How the runner waits for the server to start (the wait, its bound, its error): the server is "
        "listening before the suite's first request, and nothing reads start()'s return.",
        (f"{RUNNER}BackgroundServer.start::*",),
    ),
    Why(
        Kind.EQUIVALENT,
        "Stopping the server at the end of the run, after the last request (a daemon thread ends with the process anyway).",
        (f"{RUNNER}BackgroundServer.stop::*", f"{RUNNER}BackgroundServer.__exit__::*", f"{RUNNER}BackgroundServer.__enter__::*"),
    ),
    Why(
        Kind.EQUIVALENT,
        "Defaults and options of the runner the embedded server does not use: the port (it asks for any "
        "free one; port 1 binds too, as root here), address reuse, TLS, the base path (given), the loop "
        "name (serve() runs under asyncio.run), proxy headers trusted (the suite sends none), the access log (a log).",
        (
            f"{RUNNER}listening_socket::*",
            f"{RUNNER}BackgroundServer.__init__::'' -> 'XXXX'",
            f"{RUNNER}BackgroundServer.__init__::'https' -> *",
            f"{RUNNER}uvicorn_config::'asyncio' -> *",
            f"{RUNNER}uvicorn_config::False -> True",
            f"{RUNNER}uvicorn_config::False -> True #2",
        ),
    ),
    # --- outside the contract -------------------------------------------------------------------------
    Why(
        Kind.OUTSIDE,
        "The read-back (GET, HEAD, and the store behind it): not this operation, and the suite sends only POST.",
        (
            f"{APP}ReferenceServer.app::'GET' -> *",
            f"{APP}ReferenceServer.app::'HEAD' -> *",
            f"{APP}ReferenceServer.read::*",
            f"{APP}ReferenceServer.create::self.store.add(record) -> pass",
            f"{STORE}Store.add::*",
            f"{STORE}Store.latest::*",
            f"{STORE}Store.count::*",
            f"{STORE}Store.close::*",
        ),
    ),
    Why(
        Kind.OUTSIDE,
        "A path other than the operation's (404) or a method other than POST and the read-back's (405): the suite sends neither.",
        (
            f"{APP}ReferenceServer.app.app::response = self.http_error(request, 40*",
            f"{APP}ReferenceServer.app.app::404 -> 400",
            f"{APP}ReferenceServer.app.app::405 -> 400",
            f"{APP}ReferenceServer.app.app::'Not Found' -> *",
            f"{APP}ReferenceServer.app.app::'Method Not Allowed' -> *",
            f"{APP}ReferenceServer.app.app::'Allow' -> *",
            f"{APP}ReferenceServer.app.app::', ' -> *",
            f"{APP}ReferenceServer.http_error::*",
        ),
    ),
    Why(
        Kind.OUTSIDE,
        "The bounds on a request body (413 over the cap, 408 too slow, 400 nested too deep or with too many "
        "secrets) and the `Connection: close` sent with them: what a shared mock refuses to cost; the suite "
        "sends nothing near them.",
        (
            f"{APP}<module>::'Connection' -> *",
            f"{APP}<module>::'close' -> *",
            f"{APP}ReferenceServer.app.app::response = body -> pass",
            f"{APP}ReferenceServer.read_body::'content-length' -> *",
            f"{APP}ReferenceServer.read_body::if declared is not None and declared.isdigit() and *",
            f"{APP}ReferenceServer.read_body::int(declared) > cap -> *",
            f"{APP}ReferenceServer.read_body::if len(body) > cap: … -> pass",
            f"{APP}ReferenceServer.read_body::len(body) > cap -> *",
            f"{APP}ReferenceServer.read_body::return self.too_large(request) -> return None*",
            f"{APP}ReferenceServer.read_body::return self.error(request, 408, *",
            f"{APP}ReferenceServer.read_body::408 -> 400",
            f"{APP}ReferenceServer.read_body::'RequestTimeout' -> *",
            f"{APP}ReferenceServer.read_body::'The request body did not arrive within ' -> *",
            f"{APP}ReferenceServer.read_body::' s.' -> *",
            f"{APP}ReferenceServer.too_large::*",
            f"{APP}ReferenceServer.check_nesting::*",
            f"{APP}ReferenceServer.check_secret_count::*",
            "conformance/server/limits.py::*",
            "conformance/server/nesting.py::*",
        ),
    ),
    Why(
        Kind.OUTSIDE,
        "The HTTP layer's bounds on a request head (431 too large, 408 too slow) and its 400 for a request it "
        "cannot parse or that asks to switch protocols, with the bookkeeping behind them: the suite sends no such request.",
        ("conformance/server/protocol.py::BoundedHttpToolsProtocol.*",),
    ),
    Why(
        Kind.OUTSIDE,
        "The value of `error.code` and the text of `error.message`: the contract names no codes, and "
        "SYNC-ERROR-BODY asks for non-empty strings (a candidate SHOULD: Graph's usual codes).",
        (
            f"{APP}ReferenceServer.authenticate::'InvalidAuthenticationToken' -> *",
            f"{APP}ReferenceServer.authenticate::'The request has ' -> *",
            f"{APP}ReferenceServer.authenticate::' Authorization headers; send one.' -> *",
            f"{APP}ReferenceServer.authenticate::'Access token is empty.' -> *",
            f"{APP}ReferenceServer.authenticate::'Access token validation failure.' -> *",
            f"{APP}ReferenceServer.check_application_id::'Request_BadRequest' -> *",
            f'{APP}ReferenceServer.check_application_id::"Invalid object identifier \'" -> *',
            f'{APP}ReferenceServer.check_application_id::"\'." -> *',
            f"{APP}ReferenceServer.check_media_type::'UnsupportedMediaType' -> *",
            f"{APP}ReferenceServer.check_media_type::'Content-Type ' -> *",
            f"{APP}ReferenceServer.check_media_type::' is not application/json.' -> *",
            f"{APP}ReferenceServer.check_media_type::raw or '(none)' -> *",
            f"{APP}ReferenceServer.check_media_type::'(none)' -> *",
            f"{APP}ReferenceServer.decode::'BadRequest' -> *",
            f"{APP}ReferenceServer.decode::'Unable to read JSON request payload: ' -> *",
            f"{APP}ReferenceServer.validate::'Request_BadRequest' -> *",
            f"{APP}ReferenceServer.validate::'Invalid request body ' -> *",
        ),
    ),
    Why(
        Kind.OUTSIDE,
        "Two Authorization headers refused rather than one of them read: the suite sends one.",
        (
            f"{APP}ReferenceServer.authenticate::if len(sent) > 1: … -> pass",
            f"{APP}ReferenceServer.authenticate::1 -> 2",
            f"{APP}ReferenceServer.authenticate::return self.error(request, 401, 'InvalidAuthenticationToken', f'The req* -> return None",
            f"{APP}ReferenceServer.authenticate::401 -> 400",
        ),
    ),
    Why(
        Kind.OUTSIDE,
        "Which Bearer challenge a 401 carries, with `error=\"invalid_token\"` or without: SYNC-AUTH-CHALLENGE "
        "asks for the Bearer scheme (RFC 6750 § 3), and takes either, as the contract names no error code.",
        (f"{APP}ReferenceServer.challenge::*",),
    ),
    Why(
        Kind.OUTSIDE,
        "Malformed JSON is then refused by the schema instead: still 400 with a Graph error, only its code and message differ.",
        (f"{APP}ReferenceServer.decode::return self.error(request, 400, 'BadRequest', *",),
    ),
    Why(
        Kind.OUTSIDE,
        "The authority (host and port) of an absolute Location: SYNC-LOCATION accepts any, as a server behind "
        "a proxy names its public one; the path is what it checks.",
        (f"{APP}ReferenceServer.service_root::':' -> 'XX:XX'",),
    ),
    Why(
        Kind.OUTSIDE,
        "The charset parameter ignored, so `application/json; charset=iso-8859-1` is accepted: RFC 8259 § 11 "
        "defines no charset for application/json (it 'has no effect on compliant recipients').",
        (f"{APP}ReferenceServer.check_media_type::'charset' -> *",),
    ),
    Why(
        Kind.OUTSIDE,
        "innerError's `client-request-id`: a Graph convention no requirement names (SYNC-ERROR-INNER asks for "
        "`request-id` and `date`; a candidate SHOULD).",
        (f"{GRAPH}graph_error_body::'client-request-id' -> *", f"{GRAPH}graph_error_body::client_request_id or str(uuid.uuid4()) -> *"),
    ),
    Why(
        Kind.OUTSIDE,
        "The `OData-Version: 4.0` response header: no requirement names it (a candidate SHOULD: OData Protocol 4.01 § 8.1.5).",
        (f"{GRAPH}tracing_headers::'OData-Version' -> *", f"{GRAPH}tracing_headers::'4.0' -> *"),
    ),
    Why(Kind.OUTSIDE, "The `serve` command's foreground server: the suite runs the embedded one.", (f"{RUNNER}serve_forever::*",)),
)


def why(mutant: Mutant) -> Why | None:
    """The first explanation that matches the mutant, if any."""
    return next((w for w in WHY if w.matches(mutant)), None)

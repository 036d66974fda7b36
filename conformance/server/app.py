"""The reference implementation of "Create synchronization": a small ASGI core under one decision per method.

Every decision a server makes on the way to a response is one attribute or one method here, so that a
test server which breaks one requirement (or is correct in an unusual way) is a subclass that changes
exactly that one thing, and everything else it does is the reference behaviour. The decisions speak
Starlette's `Request` and `Response`; the core under them is not a Starlette application but one
function (route, read the body within bounds, decide, send): Starlette's router and middleware
stack were about a fifth of each request's cost (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..contract import CANONICAL_GUID, SYNCHRONIZATION_TYPE, accepts, request_validator, schema_problem
from ..exchange import parse_media_type, reject_constant
from .graph import graph_error_body, new_request_id, tracing_headers
from .limits import Limits
from .nesting import deeper_than
from .store import Record, Store

logger = logging.getLogger(__name__)

CLOSE = {"Connection": "close"}
"""On a refusal that leaves part of a request unread: uvicorn closes the connection after answering."""

T = TypeVar("T")


class ReferenceServer:
    """A correct server for the contract; subclasses change one behaviour each."""

    base_path = "/beta"
    created_status = 201
    media_type = "application/json"
    error_media_type = "application/json"
    inline_body_bytes = 64 * 1024
    """Largest body parsed on the event loop (about a millisecond's work); a larger one is parsed in the worker."""

    def __init__(self, token: str, store: Store | None = None, *, limits: Limits | None = None) -> None:
        self.token = token
        self.store = store if store is not None else Store()
        self.limits = limits or Limits()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference-server-worker")
        """Where costly work is done (decided): one thread, so that the event loop shares the interpreter
        with one thread however many costly bodies arrive at once, and they wait their turn there."""

    def app(self) -> ASGIApp:
        """The ASGI app: one path with POST (create) and GET or HEAD (read back); any other path or
        method gets a Graph error, and so does an exception a decision lets escape (500)."""
        route = re.compile(re.escape(self.base_path) + "/applications/([^/]+)/synchronization")
        handlers = {"POST": self.create, "GET": self.read, "HEAD": self.read}  # uvicorn sends no body for HEAD

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":  # lifespan is off; nothing else is served
                return
            matched = route.fullmatch(scope["path"])
            scope["path_params"] = {"applicationsId": matched.group(1)} if matched else {}
            request = Request(scope, receive)
            request.state.request_id = new_request_id()  # one per request: its header and an error's body name it
            try:
                body = await self.read_body(request)
                if isinstance(body, Response):
                    response = body
                elif matched is None:
                    response = self.http_error(request, 404, "Not Found")
                elif (handler := handlers.get(scope["method"])) is None:
                    response = self.http_error(request, 405, "Method Not Allowed", {"Allow": ", ".join(handlers)})
                else:
                    response = await handler(request, body)
            except ClientDisconnect:  # gone before its body was in: nobody to answer
                return
            except Exception as exc:
                logger.exception("%s %s", scope["method"], scope["path"])
                response = self.server_error(request, exc)
            await response(scope, receive, send)

        return app

    # --- the request body ---------------------------------------------------------------------------

    async def read_body(self, request: Request) -> bytes | Response:
        """The body, read before any decision (so every answer leaves the connection clean), as it
        arrives and never past the cap: memory stays flat whatever a client sends."""
        cap = self.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            return self.too_large(request)
        body = bytearray()
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                while True:
                    message = await request.receive()
                    if message["type"] == "http.disconnect":
                        raise ClientDisconnect
                    body += message.get("body", b"")
                    if len(body) > cap:
                        return self.too_large(request)
                    if not message.get("more_body", False):
                        return bytes(body)
        except TimeoutError:
            return self.error(
                request, 408, "RequestTimeout", f"The request body did not arrive within {self.limits.body_timeout:g} s.", CLOSE
            )

    def too_large(self, request: Request) -> Response:
        """413, as Graph answers a payload over its limit; the code is in the `Request_` family the
        directory's other refusals use. The connection is closed: the rest of the body is never read."""
        return self.error(
            request, 413, "Request_EntityTooLarge", f"The request body exceeds the limit of {self.limits.max_body_bytes} bytes.", CLOSE
        )

    # --- the create ---------------------------------------------------------------------------------

    async def create(self, request: Request, body: bytes) -> Response:
        application_id = request.path_params["applicationsId"]
        problem = self.authenticate(request) or self.check_application_id(request, application_id)
        problem = problem or self.check_media_type(request)
        if problem is not None:
            return problem
        payload = await self.decided(len(body) > self.inline_body_bytes, self.parse, request, body)
        if not isinstance(payload, Response):
            # What the compiled schema accepts costs microseconds; saying what is wrong with what it
            # refuses costs jsonschema 0.1 ms to 0.1 s (a thousand secrets each wrong four ways).
            payload = await self.decided(not accepts(request_validator(), payload), self.validate, request, payload)
        if isinstance(payload, Response):
            return payload
        record = Record(self.new_id(), application_id, [self.stored_secret(s) for s in payload["secrets"]])
        self.store.add(record)
        return self.created(request, record)

    async def decided(self, costly: bool, decision: Callable[..., T], *args: Any) -> T:
        """`decision(*args)`, made on the event loop when it is cheap and in the worker when it is
        `costly`: the loop goes on serving other clients meanwhile. The same decision either way; only
        where it is made differs."""
        if not costly:
            return decision(*args)
        return await asyncio.get_running_loop().run_in_executor(self._worker, decision, *args)

    def authenticate(self, request: Request) -> Response | None:
        sent = request.headers.getlist("authorization")
        if len(sent) > 1:  # which one counts is not for the server to guess (a proxy may add one, another read the first)
            return self.error(request, 401, "InvalidAuthenticationToken", f"The request has {len(sent)} Authorization headers; send one.")
        header = sent[0] if sent else None
        if not header:
            return self.error(request, 401, "InvalidAuthenticationToken", "Access token is empty.")
        scheme, _, credentials = header.partition(" ")
        # compare_digest: how long the comparison takes does not tell how much of a guess was right.
        # Header values arrive decoded as latin-1: encoding back gives the bytes sent.
        if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode("latin-1"), self.token.encode()):
            return self.error(request, 401, "InvalidAuthenticationToken", "Access token validation failure.")
        return None

    def check_application_id(self, request: Request, application_id: str) -> Response | None:
        if not CANONICAL_GUID.fullmatch(application_id):
            return self.error(request, 400, "Request_BadRequest", f"Invalid object identifier '{application_id}'.")
        return None

    def check_media_type(self, request: Request) -> Response | None:
        raw = request.headers.get("content-type")
        media, params = parse_media_type(raw) if raw else (None, ())
        charset = dict(params).get("charset") or "utf-8"
        if media != "application/json" or str(charset).lower() not in ("utf-8", "utf8"):
            return self.error(request, 415, "UnsupportedMediaType", f"Content-Type {raw or '(none)'!r} is not application/json.")
        return None

    def parse(self, request: Request, body: bytes) -> Any:
        """The body as JSON within the bounds on its shape, or the 400 that says why not: how deep it
        nests is read from the bytes before they are parsed, how many secrets it holds is counted
        before they are validated."""
        payload = self.check_nesting(request, body) or self.decode(request, body)
        return payload if isinstance(payload, Response) else self.check_secret_count(request, payload) or payload

    def check_nesting(self, request: Request, body: bytes) -> Response | None:
        if deeper_than(body, self.limits.max_depth):
            message = f"The request body nests arrays and objects more than {self.limits.max_depth} levels deep."
            return self.error(request, 400, "BadRequest", message)
        return None

    def check_secret_count(self, request: Request, payload: Any) -> Response | None:
        secrets = payload.get("secrets") if isinstance(payload, dict) else None
        if isinstance(secrets, list) and len(secrets) > self.limits.max_secrets:
            message = f"The request body holds {len(secrets)} secrets; at most {self.limits.max_secrets} are accepted."
            return self.error(request, 400, "Request_BadRequest", message)
        return None

    def decode(self, request: Request, body: bytes) -> Any:
        """The request body as JSON (UTF-8, no NaN/Infinity), or the 400 that says why not."""
        try:
            return json.loads(body.decode("utf-8"), parse_constant=reject_constant)
        except ValueError as exc:  # UnicodeDecodeError is a ValueError
            return self.error(request, 400, "BadRequest", f"Unable to read JSON request payload: {exc}")

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        """The payload as a valid SynchronizationCreate, or the 400 that says why not, worded as the
        checks word a schema error (one wording; the compiled schema decides, contract.py)."""
        if problem := schema_problem(request_validator(), payload):
            return self.error(request, 400, "Request_BadRequest", f"Invalid request body {problem}")
        return payload

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def stored_secret(self, secret: dict[str, Any]) -> dict[str, Any]:
        """What is kept of a secret: its key (when sent) and value; annotations are not data."""
        kept = {"key": secret["key"]} if "key" in secret else {}
        return {**kept, "value": secret.get("value")}

    def representation(self, request: Request, record: Record) -> dict[str, Any]:
        return {
            "@odata.type": SYNCHRONIZATION_TYPE,
            "id": record.id,
            "secrets": record.secrets,
        }

    def created(self, request: Request, record: Record) -> Response:
        location = f"{self.service_root(request)}/applications/{record.application_id}/synchronization"
        return self.respond(request, self.created_status, self.representation(request, record), {"Location": location})

    # --- reading back -------------------------------------------------------------------------------

    async def read(self, request: Request, body: bytes) -> Response:
        application_id = request.path_params["applicationsId"]
        problem = self.authenticate(request) or self.check_application_id(request, application_id)
        if problem is not None:
            return problem
        record = self.store.latest(application_id)
        if record is None:
            return self.error(request, 404, "Request_ResourceNotFound", f"No synchronization exists for application '{application_id}'.")
        return self.respond(request, 200, self.representation(request, record))

    # --- responses ----------------------------------------------------------------------------------

    def service_root(self, request: Request) -> str:
        """The root Location names: the address the request arrived at (the listening socket's, as the
        connection has it) and the scheme it is served with. Not the Host header, which is whatever a
        client writes: reflected, a Location would point whoever follows it where the sender chose."""
        host, port = request.scope["server"]
        return f"{request.scope['scheme']}://{host}:{port}{self.base_path}"

    def standard_headers(self, request: Request) -> dict[str, str]:
        """Graph's tracing headers, on every response."""
        return tracing_headers(request.state.request_id, request.headers.get("client-request-id"))

    def respond(
        self, request: Request, status: int, body: Any, headers: dict[str, str] | None = None, media_type: str | None = None
    ) -> Response:
        """Every response goes out here, with the standard headers."""
        return Response(
            self.encode(body),
            status_code=status,
            headers={**self.standard_headers(request), **(headers or {})},
            media_type=media_type or self.media_type,
        )

    def encode(self, body: Any) -> bytes:
        # ASCII escapes: a lone surrogate a client sent is echoed faithfully and can never fail to encode.
        return json.dumps(body, ensure_ascii=True).encode("ascii")

    def error_body(self, request: Request, code: str, message: str) -> Any:
        return graph_error_body(code, message, request.state.request_id, request.headers.get("client-request-id"))

    def error(self, request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
        if status == 401:
            headers = {"WWW-Authenticate": self.challenge(request), **(headers or {})}
        return self.respond(request, status, self.error_body(request, code, message), headers, media_type=self.error_media_type)

    def challenge(self, request: Request) -> str:
        """What every 401 carries in WWW-Authenticate (RFC 6750 § 3): the Bearer scheme, with
        `error="invalid_token"` where a bearer token was sent and refused, and no error code where none
        was (no Authorization, another scheme, no token), as § 3.1 asks."""
        sent = (value.partition(" ") for value in request.headers.getlist("authorization"))
        if any(scheme.lower() == "bearer" and token.strip() for scheme, _, token in sent):
            return 'Bearer error="invalid_token"'
        return "Bearer"

    def http_error(self, request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
        """A path that is not the operation's (404) or a method it does not have (405)."""
        codes = {404: "Request_ResourceNotFound", 405: "Request_BadRequest"}
        return self.error(request, status, codes.get(status, "BadRequest"), detail, headers)

    def server_error(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 500, "InternalServerError", f"Unexpected {type(exc).__name__}.")

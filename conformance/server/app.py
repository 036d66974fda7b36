"""The reference implementation of "Create synchronization", on Starlette.

Every decision a server makes on the way to a response is one attribute or one method here, so that a
test server which breaks one requirement (or is correct in an unusual way) is a subclass that changes
exactly that one thing, and everything else it does is the reference behaviour.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..contract import CANONICAL_GUID, SYNCHRONIZATION_TYPE, request_validator, schema_problem
from ..exchange import parse_media_type, reject_constant
from .store import Record, Store


class ReferenceServer:
    """A correct server for the contract; subclasses change one behaviour each."""

    base_path = "/beta"
    created_status = 201
    media_type = "application/json"

    def __init__(self, token: str, store: Store | None = None) -> None:
        self.token = token
        self.store = store if store is not None else Store()

    def app(self) -> Starlette:
        path = f"{self.base_path}/applications/{{applicationsId}}/synchronization"
        return Starlette(
            routes=[Route(path, self.create, methods=["POST"]), Route(path, self.read, methods=["GET"])],
            exception_handlers={HTTPException: self.http_error, Exception: self.server_error},
        )

    # --- the create ---------------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        application_id = request.path_params["applicationsId"]
        problem = self.authenticate(request) or self.check_application_id(request, application_id)
        problem = problem or self.check_media_type(request)
        if problem is not None:
            return problem
        payload = self.decode(request, await request.body())
        if not isinstance(payload, Response):
            payload = self.validate(request, payload)
        if isinstance(payload, Response):
            return payload
        record = Record(self.new_id(), application_id, [self.stored_secret(s) for s in payload["secrets"]])
        self.store.add(record)
        return self.created(request, record)

    def authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("authorization")
        if not header:
            return self.error(request, 401, "InvalidAuthenticationToken", "Access token is empty.")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or credentials.strip() != self.token:
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
            return self.error(
                request, 415, "UnsupportedMediaType", f"Content-Type {raw or '(none)'!r} is not application/json."
            )
        return None

    def decode(self, request: Request, body: bytes) -> Any:
        """The request body as JSON (UTF-8, no NaN/Infinity), or the 400 that says why not."""
        try:
            return json.loads(body.decode("utf-8"), parse_constant=reject_constant)
        except ValueError as exc:  # UnicodeDecodeError is a ValueError
            return self.error(request, 400, "BadRequest", f"Unable to read JSON request payload: {exc}")

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        """The payload as a valid SynchronizationCreate, or the 400 that says why not."""
        problem = schema_problem(request_validator(), payload)
        if problem:
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
        return self.respond(
            request, self.created_status, self.representation(request, record), {"Location": location}
        )

    # --- reading back -------------------------------------------------------------------------------

    async def read(self, request: Request) -> Response:
        application_id = request.path_params["applicationsId"]
        problem = self.authenticate(request) or self.check_application_id(request, application_id)
        if problem is not None:
            return problem
        record = self.store.latest(application_id)
        if record is None:
            return self.error(
                request, 404, "Request_ResourceNotFound", f"No synchronization exists for application '{application_id}'."
            )
        return self.respond(request, 200, self.representation(request, record))

    # --- responses ----------------------------------------------------------------------------------

    def service_root(self, request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}{self.base_path}"

    def respond(
        self, request: Request, status: int, body: Any, headers: dict[str, str] | None = None, media_type: str | None = None
    ) -> Response:
        """Every response goes out here, with Graph's tracing headers."""
        standard = {"request-id": str(uuid.uuid4()), "OData-Version": "4.0"}
        if client_request_id := request.headers.get("client-request-id"):
            standard["client-request-id"] = client_request_id
        return Response(
            self.encode(body),
            status_code=status,
            headers={**standard, **(headers or {})},
            media_type=media_type or self.media_type,
        )

    def encode(self, body: Any) -> bytes:
        # ASCII escapes: a lone surrogate a client sent is echoed faithfully and can never fail to encode.
        return json.dumps(body, ensure_ascii=True).encode("ascii")

    def error(self, request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
        inner = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": str(uuid.uuid4()),
            "client-request-id": request.headers.get("client-request-id", str(uuid.uuid4())),
        }
        body = {"error": {"code": code, "message": message, "innerError": inner}}
        return self.respond(request, status, body, headers, media_type="application/json")

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        codes = {404: "Request_ResourceNotFound", 405: "Request_BadRequest"}
        return self.error(request, exc.status_code, codes.get(exc.status_code, "BadRequest"), exc.detail, dict(exc.headers or {}))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 500, "InternalServerError", f"Unexpected {type(exc).__name__}.")

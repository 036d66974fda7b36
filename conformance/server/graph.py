"""What makes an answer Graph's: the tracing headers every response carries and the error body every
refusal carries, both naming one request id.

One source for the app and for the HTTP protocol under it, which refuses some requests before the
app is ever called (a head too large or too slow, a request it cannot parse, a switch of protocols):
a client reads every refusal the same way, and finds the request-id of its header in the body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def new_request_id() -> str:
    return str(uuid.uuid4())


def tracing_headers(request_id: str, client_request_id: str | None = None) -> dict[str, str]:
    """Graph's tracing headers: the request's id and the caller's own, echoed when it sent one."""
    headers = {"request-id": request_id, "OData-Version": "4.0"}
    if client_request_id:
        headers["client-request-id"] = client_request_id
    return headers


def graph_error_body(code: str, message: str, request_id: str, client_request_id: str | None = None) -> dict[str, Any]:
    """Graph's error body, whose innerError names the request-id its header does."""
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": client_request_id or str(uuid.uuid4()),
    }
    return {"error": {"code": code, "message": message, "innerError": inner}}

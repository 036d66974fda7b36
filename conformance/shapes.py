"""The shapes of request the suite sends, told apart by the kind of answer each calls for.

A target may answer one kind of request and not another (hang on every create, drop a connection
on a body it cannot store) while it is up and answers the rest: such a target is judged (SYNC-ANSWERED),
not called unreachable. So what the client asks to find out whether the target is still there is a
request of another shape than the one that just got nothing, and of a shape the target has answered
in this run (conformance/client.py); and a shape of request the target never answers costs a few
request timeouts, not one per request (conformance/prover.py).
"""

from __future__ import annotations

import json
from enum import StrEnum

from .contract import accepts, request_validator
from .exchange import Request, header, parse_media_type, reject_constant


class Shape(StrEnum):
    """A request's shape, named for the answer it calls for."""

    UNAUTHENTICATED = "unauthenticated"
    """No Authorization header, or not the run's bearer token: refused with 401, whatever else it
    carries, and so without a side effect on a correct server."""
    WRONG_MEDIA_TYPE = "wrong-media-type"
    """The run's token, a Content-Type that is not JSON: refused with 4xx."""
    NOT_JSON = "non-JSON"
    """The run's token, a JSON media type, a body that is not JSON: refused with 400."""
    INVALID_BODY = "invalid-body"
    """The run's token, a JSON media type, JSON the request schema refuses: refused with 4xx."""
    CREATE = "create"
    """The run's token, a JSON media type and a body the request schema accepts: created."""


LIVENESS_ORDER = (Shape.UNAUTHENTICATED, Shape.NOT_JSON, Shape.CREATE)
"""The shapes a liveness request may take, the first preferred: with no side effect first (a correct
server refuses the first two at once); a create last."""


def a_request(shape: str) -> str:
    """`an unauthenticated request`, `a create request`: a shape in a sentence."""
    return f"{'an' if shape[:1] in tuple('aeiou') else 'a'} {shape} request"


def shape_of(request: Request, bearer: str | None) -> Shape:
    """The shape of `request`, sent by a client whose own Authorization value is `bearer`."""
    if bearer is None or header(request.headers, "authorization") != bearer:
        return Shape.UNAUTHENTICATED
    media = header(request.headers, "content-type")
    media_type = parse_media_type(media)[0] if media else ""
    if media_type != "application/json" and not media_type.endswith("+json"):
        return Shape.WRONG_MEDIA_TYPE
    payload = request.payload
    if payload is None:  # not serialised from a JSON value by the suite: what does the body hold?
        try:
            payload = json.loads(request.body, parse_constant=reject_constant)
        except ValueError:
            return Shape.NOT_JSON
    return Shape.CREATE if accepts(request_validator(), payload) else Shape.INVALID_BODY

"""Named server behaviours for the suite's own tests, each built from the reference server by
changing exactly one thing.

A broken server names the one requirement it breaks (`breaks`); the suite must fail on that id and
on no other. A correct-but-unusual server has `breaks = None`; the suite must pass it.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from conformance.contract import secret_names
from conformance.exchange import reject_constant
from conformance.server import Record, ReferenceServer

FULL_ODATA_MEDIA_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
PAIR_TYPE = "microsoft.graph.synchronizationSecretKeyStringValuePair"


class Variant(ReferenceServer):
    breaks: ClassVar[str | None] = None
    """The requirement id this behaviour breaks, or None for a correct-but-unusual server."""


class Reshaped(Variant):
    """A variant that rewrites the created object's JSON; `reshape` is its one change."""

    def reshape(self, body: dict[str, Any]) -> None:
        raise NotImplementedError

    def representation(self, request: Request, record: Record) -> dict[str, Any]:
        body = super().representation(request, record)
        self.reshape(body)
        return body


# --- broken: each fails exactly the requirement it names --------------------------------------------


class Answers200(Variant):
    """Answers 200 OK instead of 201 Created."""

    breaks = "SYNC-CREATE-201"
    created_status = 200


class PlainTextBody(Variant):
    """Sends the created object as text/plain."""

    breaks = "SYNC-CREATE-JSON"
    media_type = "text/plain; charset=utf-8"


class SecretsTwice(Variant):
    """Writes `secrets` twice in the created object: first with every value left out, then as sent.
    A client that keeps the last member (Python's json) sees its secrets echoed, one that keeps the
    first sees them lost."""

    breaks = "SYNC-CREATE-JSON"

    def encode(self, body: Any) -> bytes:
        text = super().encode(body)
        if not isinstance(body, dict) or "secrets" not in body:
            return text
        altered = [{"key": secret.get("key")} for secret in body["secrets"]]
        return b'{"secrets": ' + json.dumps(altered).encode("ascii") + b", " + text[1:]


class IdNotAGuid(Variant):
    """Assigns ids like `sync-1a2b3c4d5e6f`."""

    breaks = "SYNC-ID-GUID"

    def new_id(self) -> str:
        return "sync-" + uuid.uuid4().hex[:12]


class IdInBraces(Variant):
    """Assigns ids in braces (Python's uuid.UUID() accepts them; the canonical text form does not)."""

    breaks = "SYNC-ID-GUID"

    def new_id(self) -> str:
        return "{" + str(uuid.uuid4()) + "}"


class IdUpperCase(Variant):
    """Assigns upper-case GUIDs."""

    breaks = "SYNC-ID-LOWERCASE"

    def new_id(self) -> str:
        return str(uuid.uuid4()).upper()


class DropsLastSecret(Reshaped):
    """Loses the last secret."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = body["secrets"][:-1]


class TrimsValues(Reshaped):
    """Trims whitespace from secret values."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        for secret in body["secrets"]:
            if isinstance(secret.get("value"), str):
                secret["value"] = secret["value"].strip()


class MasksValues(Reshaped):
    """Echoes secret values as `*`, as real Graph does on a GET of secrets (the contract says echo)."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        for secret in body["secrets"]:
            if secret.get("value"):
                secret["value"] = "*"


class ReversesSecrets(Reshaped):
    """Echoes the secrets in reverse order."""

    breaks = "SYNC-SECRETS-ORDER"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = body["secrets"][::-1]


class TypeWithoutHash(Reshaped):
    """Top-level `@odata.type` without the `#`."""

    breaks = "SYNC-ODATA-TYPE"

    def reshape(self, body: dict[str, Any]) -> None:
        body["@odata.type"] = "microsoft.graph.synchronization"


class NestedTypeWithoutHash(Reshaped):
    """Nested `@odata.type` without the `#`, as the stub's own example writes it."""

    breaks = "SYNC-ODATA-TYPE-HASH"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = [{"@odata.type": PAIR_TYPE, **secret} for secret in body["secrets"]]


class JobsNotAnArray(Reshaped):
    """Sends `jobs` as an object, not an array."""

    breaks = "SYNC-BODY-SCHEMA"

    def reshape(self, body: dict[str, Any]) -> None:
        body["jobs"] = {"value": []}


class SameIdEveryTime(Reshaped):
    """Gives every created object the same id."""

    breaks = "SYNC-ID-UNIQUE"

    def reshape(self, body: dict[str, Any]) -> None:
        body["id"] = "3f1c2b9a-0d4e-4f5a-8b6c-7d8e9f0a1b2c"


class IdsFromAPool(Reshaped):
    """Hands out ids from a pool of 16 made at start, round and round: two creates in a row never
    share one, the 17th create gets the first one's again."""

    breaks = "SYNC-ID-UNIQUE"
    POOL = 16

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool = [str(uuid.uuid4()) for _ in range(self.POOL)]
        self._handed = 0

    def reshape(self, body: dict[str, Any]) -> None:
        self._handed += 1
        body["id"] = self._pool[self._handed % self.POOL]


class IdsFromALargerPool(IdsFromAPool):
    """Hands out ids from a pool of 32, round and round: more than any one case creates (the corpus
    twice is 22, a burst 4), so only the run as a whole gets an id a second time."""

    POOL = 32


class NoLocation(Variant):
    """Sends no Location header with a 201."""

    breaks = "SYNC-LOCATION"

    def created(self, request: Request, record: Record) -> Response:
        response = super().created(request, record)
        del response.headers["location"]
        return response


class ODataContextLast(Reshaped):
    """Puts `@odata.context` last."""

    breaks = "SYNC-ODATA-CONTEXT-FIRST"

    def reshape(self, body: dict[str, Any]) -> None:
        body["@odata.context"] = "https://graph.microsoft.com/beta/$metadata#synchronization/$entity"


class AcceptsInvalidBodies(Variant):
    """Skips schema validation: whatever is JSON is created, keeping what looks like secrets."""

    breaks = "SYNC-REJECT-INVALID"

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        secrets = payload.get("secrets") if isinstance(payload, dict) else None
        return {"secrets": [s for s in secrets if isinstance(s, dict)] if isinstance(secrets, list) else []}


class KeysReadLeniently(Variant):
    """Reads a secret's key as .NET's enum converter does by default: in any case, around white space
    (`password`, ` UserName `), and stores the member's own name."""

    breaks = "SYNC-REJECT-INVALID"

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        members = {name.casefold(): name for name in secret_names()}
        secrets = payload.get("secrets") if isinstance(payload, dict) else None
        for secret in secrets if isinstance(secrets, list) else []:
            key = secret.get("key") if isinstance(secret, dict) else None
            if isinstance(key, str) and key.strip().casefold() in members:
                secret["key"] = members[key.strip().casefold()]
        return super().validate(request, payload)


class InvalidBodies422(Variant):
    """Refuses schema-invalid bodies with 422, not 400."""

    breaks = "SYNC-REJECT-INVALID-400"

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        valid = super().validate(request, payload)
        if isinstance(valid, Response):
            return self.error(request, 422, "UnprocessableEntity", "The body does not match the schema.")
        return valid


class MalformedJson422(Variant):
    """Refuses malformed JSON with 422, as some web frameworks do."""

    breaks = "SYNC-MALFORMED-JSON-400"

    def decode(self, request: Request, body: bytes) -> Any:
        decoded = super().decode(request, body)
        if isinstance(decoded, Response):
            return self.error(request, 422, "UnprocessableEntity", "Unable to read JSON request payload.")
        return decoded


class ControlCharactersInStrings(Variant):
    """Parses JSON with Python's `strict=False`: a raw TAB or line feed inside a string is let through."""

    breaks = "SYNC-MALFORMED-JSON-400"

    def decode(self, request: Request, body: bytes) -> Any:
        try:
            return json.loads(body.decode("utf-8"), strict=False, parse_constant=reject_constant)
        except ValueError:
            return super().decode(request, body)


class IgnoresContentType(Variant):
    """Accepts any Content-Type."""

    breaks = "SYNC-CONTENT-TYPE-4XX"

    def check_media_type(self, request: Request) -> Response | None:
        return None


class ContentType400(Variant):
    """Refuses a wrong Content-Type with 400, not 415."""

    breaks = "SYNC-CONTENT-TYPE-415"

    def check_media_type(self, request: Request) -> Response | None:
        refused = super().check_media_type(request)
        return None if refused is None else self.error(request, 400, "BadRequest", "Content-Type must be application/json.")


class IgnoresToken(Variant):
    """Accepts requests without checking credentials."""

    breaks = "SYNC-AUTH-401"

    def authenticate(self, request: Request) -> Response | None:
        return None


class AcceptsAnyBearer(Variant):
    """Checks that a bearer token is there, not that it is the right one."""

    breaks = "SYNC-AUTH-401"

    def authenticate(self, request: Request) -> Response | None:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return self.error(request, 401, "InvalidAuthenticationToken", "Access token is empty.")
        return None


class LooseTokenComparison(Variant):
    """A token check that lets some other credential through; `matches` is the one loose comparison."""

    breaks = "SYNC-AUTH-401"

    def matches(self, sent: str) -> bool:
        raise NotImplementedError

    def authenticate(self, request: Request) -> Response | None:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials and self.matches(credentials.strip()):
            return None
        return super().authenticate(request)


class AcceptsTokenWithMore(LooseTokenComparison):
    """Accepts any bearer value that starts with its token (a comparison over the token's length)."""

    def matches(self, sent: str) -> bool:
        return sent.startswith(self.token)


class AcceptsPartOfToken(LooseTokenComparison):
    """Accepts any bearer value its token starts with, cut short or not."""

    def matches(self, sent: str) -> bool:
        return len(sent) >= 8 and self.token.startswith(sent)


class TokenCaseInsensitive(LooseTokenComparison):
    """Compares tokens without regard to case, as a case-insensitive database collation does."""

    def matches(self, sent: str) -> bool:
        return sent.casefold() == self.token.casefold()


class WrongToken403(Variant):
    """Answers 403, not 401, to a wrong or malformed token."""

    breaks = "SYNC-AUTH-401"

    def authenticate(self, request: Request) -> Response | None:
        refused = super().authenticate(request)
        if refused is not None and request.headers.get("authorization"):
            return self.error(request, 403, "Authorization_RequestDenied", "Insufficient privileges.")
        return refused


class CutsOffAnswersToMalformedJson(Variant):
    """Promises more of its 400 body than it sends when the body is not JSON: the answer is cut off."""

    breaks = "SYNC-ANSWERED"

    def decode(self, request: Request, body: bytes) -> Any:
        decoded = super().decode(request, body)
        if isinstance(decoded, Response):
            decoded.headers["content-length"] = str(len(decoded.body) + 100)
        return decoded


class CrashesOnMalformedJson(Variant):
    """Lets the JSON decode error escape: the framework answers 500."""

    breaks = "SYNC-NO-5XX"

    def decode(self, request: Request, body: bytes) -> Any:
        decoded = super().decode(request, body)
        if isinstance(decoded, Response):
            raise ValueError("unreadable JSON")
        return decoded


class ErrorsAsMessageOnly(Variant):
    """Error bodies are `{"message": ...}`."""

    breaks = "SYNC-ERROR-BODY"

    def error_body(self, request: Request, code: str, message: str) -> Any:
        return {"message": message}


class ErrorDetailsNestedTooDeep(Variant):
    """Graph errors whose `details` nest arrays 2,000 levels deep: JSON, but deeper than parsers read
    (RFC 8259 § 9 lets them stop; Python's stops near 1,000), so no client can read the error."""

    breaks = "SYNC-ERROR-BODY"
    MARK = "@@nested@@"

    def error_body(self, request: Request, code: str, message: str) -> Any:
        body = super().error_body(request, code, message)
        body["error"]["details"] = self.MARK
        return body

    def encode(self, body: Any) -> bytes:
        return super().encode(body).replace(json.dumps(self.MARK).encode(), b"[" * 2000 + b"]" * 2000)


class ErrorsWithoutInnerError(Variant):
    """Graph errors without `innerError`."""

    breaks = "SYNC-ERROR-INNER"

    def error_body(self, request: Request, code: str, message: str) -> Any:
        return {"error": {"code": code, "message": message}}


class ErrorsAsTextPlain(Variant):
    """Graph error bodies sent as text/plain."""

    breaks = "SYNC-ERROR-BODY"
    error_media_type = "text/plain; charset=utf-8"


class InnerErrorDateNotADate(Variant):
    """`innerError.date` written as a Unix time, not a date-time."""

    breaks = "SYNC-ERROR-INNER"

    def error_body(self, request: Request, code: str, message: str) -> Any:
        body = super().error_body(request, code, message)
        body["error"]["innerError"]["date"] = "1764080000"
        return body


class LocationOfTheCollection(Variant):
    """Location names the applications collection, not the new object."""

    breaks = "SYNC-LOCATION"

    def created(self, request: Request, record: Record) -> Response:
        response = super().created(request, record)
        response.headers["location"] = f"{self.service_root(request)}/applications"
        return response


class WantsContentLength(Variant):
    """Refuses a body sent chunked, without Content-Length, with 411 Length Required, as RFC 9112 § 6.3 allows.

    A server MAY: correct, and must pass."""

    async def read_body(self, request: Request) -> bytes | Response:
        if "content-length" not in request.headers:
            return self.error(request, 411, "LengthRequired", "A Content-Length is required.")
        return await super().read_body(request)


class FrontEndWantsContentLength(Variant):
    """A front end's 411 to a chunked body: an HTML page of its own, as nginx answers one.

    No Graph error, no request-id: HTTP's own answer, not the API's; correct, and must pass."""

    async def read_body(self, request: Request) -> bytes | Response:
        if "content-length" not in request.headers:
            page = b"<html><head><title>411 Length Required</title></head><body><h1>411 Length Required</h1></body></html>"
            return Response(page, status_code=411, media_type="text/html", headers={"connection": "close"})
        return await super().read_body(request)


class ReadsChunkedBodiesAsEmpty(Variant):
    """Reads a chunked body as empty, and so refuses a valid create sent chunked as not JSON."""

    breaks = "SYNC-CREATE-201"

    async def read_body(self, request: Request) -> bytes | Response:
        body = await super().read_body(request)
        return b"" if "content-length" not in request.headers and isinstance(body, bytes) else body


class WantsContentLengthWhereThereIsOne(Variant):
    """Answers 411 Length Required to a valid create that does carry a Content-Length: not HTTP's allowance."""

    breaks = "SYNC-CREATE-201"

    def validate(self, request: Request, payload: Any) -> dict[str, Any] | Response:
        valid = super().validate(request, payload)
        if isinstance(valid, Response):
            return valid
        return self.error(request, 411, "LengthRequired", "A Content-Length is required.")


class NoBearerChallenge(Variant):
    """Refuses credentials with 401 and no WWW-Authenticate header."""

    breaks = "SYNC-AUTH-CHALLENGE"

    def error(self, request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
        response = super().error(request, status, code, message, headers)
        if "www-authenticate" in response.headers:
            del response.headers["www-authenticate"]
        return response


class ChallengesSeveralSchemes(Variant):
    """A 401's WWW-Authenticate offers Basic first, then Bearer with a realm and a quoted comma."""

    def challenge(self, request: Request) -> str:
        return 'Basic realm="graph, sync", Bearer realm="graph", error="invalid_token", error_description="expired, or not ours"'


class RefusesMediaTypeParameters(Variant):
    """Refuses `application/json` with any parameter (`; charset=utf-8`) with 415."""

    breaks = "SYNC-CREATE-201"

    def check_media_type(self, request: Request) -> Response | None:
        if ";" in request.headers.get("content-type", ""):
            return self.error(request, 415, "UnsupportedMediaType", "Parameters are not supported.")
        return super().check_media_type(request)


class LocationWithBogusScheme(Variant):
    """An absolute Location whose scheme is not http(s): `httpx://host/...`."""

    breaks = "SYNC-LOCATION"

    def service_root(self, request: Request) -> str:
        return super().service_root(request).replace("http://", "httpx://", 1)


class AcceptsAnyApplicationId(Variant):
    """Creates under any applicationsId, GUID or not."""

    breaks = "SYNC-APP-ID-REJECTED"

    def check_application_id(self, request: Request, application_id: str) -> Response | None:
        return None


class NoRequestId(Variant):
    """Sends no request-id header."""

    breaks = "SYNC-REQUEST-ID"

    def standard_headers(self, request: Request) -> dict[str, str]:
        return {name: value for name, value in super().standard_headers(request).items() if name != "request-id"}


# --- races: broken only when creates overlap (conformance/bursts.py) ---------------------------------


class Racy(Variant):
    """A server whose create reads shared state, waits `window` seconds (a database round trip: other
    requests are served meanwhile) and then writes it back; `race` is its one change. One request at a
    time it is correct; two that overlap within the window meet."""

    window: ClassVar[float] = 0.010
    """The race window, in seconds: the longer, the likelier two overlapping creates fall in it."""

    async def create(self, request: Request, body: bytes) -> Response:
        response = await super().create(request, body)
        if response.status_code != self.created_status:
            return response
        created = json.loads(bytes(response.body))
        refused = await self.race(request, created)
        if refused is not None:
            return refused
        response.body = self.encode(created)
        response.headers["content-length"] = str(len(response.body))
        return response

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        """Change the created object through shared state; a response instead refuses the create."""
        raise NotImplementedError

    async def meanwhile(self) -> None:
        await asyncio.sleep(self.window)


class CounterIdsWithoutLock(Racy):
    """Ids from a counter read and written back without a lock: unique one at a time, the same id
    for two creates that overlap."""

    breaks = "SYNC-ID-UNIQUE"
    count = 0

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        number = self.count
        await self.meanwhile()
        self.count = number + 1
        created["id"] = str(uuid.UUID(int=self.count))
        return None


class DatabaseIsLocked(Racy):
    """A store that refuses a write while another is open, as SQLite does ("database is locked"), and
    answers 500 to the create that overlapped."""

    breaks = "SYNC-NO-5XX"
    writing = False

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        if self.writing:
            return self.error(request, 500, "InternalServerError", "database is locked")
        self.writing = True
        try:
            await self.meanwhile()
        finally:
            self.writing = False
        return None


class SharedAnswerBuffer(Racy):
    """Builds each answer's secrets in one buffer shared between requests: a create that overlaps
    another is answered with the secrets of the request that wrote last."""

    breaks = "SYNC-SECRETS-ECHO"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffer: list[Any] = []

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        self.buffer = created["secrets"]
        await self.meanwhile()
        created["secrets"] = self.buffer
        return None


class LocksTheIdNotTheSecrets(Racy):
    """Takes a lock around the id counter but keeps the secrets being stored outside it: ids stay
    unique, and a create waiting for the lock is answered with the secrets of the one that came after."""

    breaks = "SYNC-SECRETS-ECHO"
    count = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = asyncio.Lock()
        self.pending: list[Any] = []

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        self.pending = created["secrets"]
        async with self._lock:
            number = self.count
            await self.meanwhile()
            self.count = number + 1
        created["secrets"] = self.pending
        return None


class CachePerApplication(Racy):
    """Keeps the synchronization being created in a per-process cache keyed by application, and
    answers from the cache: two creates for one application at once mix, the first answered with
    the second's secrets."""

    breaks = "SYNC-SECRETS-ECHO"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cache: dict[str, list[Any]] = {}

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        application = request.path_params["applicationsId"]
        self._cache[application] = created["secrets"]
        await self.meanwhile()
        created["secrets"] = self._cache[application]
        return None


class SerialisesEveryRequest(Variant):
    """Serialises every request with one global lock, each holding it for a race window: overlapping
    creates wait their turn. Correct, just slow."""

    window: ClassVar[float] = 0.010

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = asyncio.Lock()

    async def create(self, request: Request, body: bytes) -> Response:
        async with self._lock:
            await asyncio.sleep(self.window)
            return await super().create(request, body)


RACES: list[type[Racy]] = [CounterIdsWithoutLock, DatabaseIsLocked, SharedAnswerBuffer, LocksTheIdNotTheSecrets, CachePerApplication]
"""The race family: each broken only when creates overlap."""


# --- correct but unusual: each must pass ---------------------------------------------------------


class FullODataMediaType(Variant):
    """Content-Type with every OData parameter."""

    media_type = FULL_ODATA_MEDIA_TYPE


class MixedCaseMediaType(Variant):
    """`Application/JSON; Charset=UTF-8`: media types are case-insensitive (RFC 9110 § 8.3.1)."""

    media_type = "Application/JSON; Charset=UTF-8"


class ODataContextFirst(Reshaped):
    """`@odata.context` as the first member."""

    def reshape(self, body: dict[str, Any]) -> None:
        context = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#synchronization/$entity"}
        items = list(body.items())
        body.clear()
        body.update({**context, **dict(items)})


class ExtraMembersAtBothLevels(Reshaped):
    """Unknown properties and instance annotations at both levels, which OData receivers must tolerate."""

    def reshape(self, body: dict[str, Any]) -> None:
        body.update({"@contoso.audit": {"by": "test"}, "jobs": [], "templates": [], "vendorExtension": 42})
        for secret in body["secrets"]:
            secret.update({"@contoso.rotated": False, "value@contoso.note": "kept", "vendorFlag": True})


class AcceptsAPreviousTokenToo(Variant):
    """Accepts its token and the one it had before (a rotation window): refusing every other
    credential is what the contract asks, not accepting exactly one."""

    PREVIOUS = "previous-token-still-valid-for-an-hour"

    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("authorization") == f"Bearer {self.PREVIOUS}":
            return None
        return super().authenticate(request)


class SameNamesInNestedObjects(Reshaped):
    """Repeats the created object's member names inside a nested annotation (`id`, `secrets`,
    `@odata.type` again, one level down): each name once per object, which is what JSON asks."""

    def reshape(self, body: dict[str, Any]) -> None:
        body["@contoso.previous"] = {"id": body["id"], "secrets": [], "@odata.type": "#microsoft.graph.synchronization"}


class NestedTypeWithHash(Reshaped):
    """Nested `@odata.type` with the `#`."""

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = [{"@odata.type": "#" + PAIR_TYPE, **secret} for secret in body["secrets"]]


class NonAsciiVerbatim(Variant):
    """Non-ASCII sent as raw UTF-8 rather than `\\u` escapes: the same JSON text."""

    def encode(self, body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


class ChunkedTransferEncoding(Variant):
    """Bodies streamed with chunked transfer encoding, no Content-Length."""

    def respond(
        self, request: Request, status: int, body: Any, headers: dict[str, str] | None = None, media_type: str | None = None
    ) -> Response:
        plain = super().respond(request, status, body, headers, media_type)
        data = plain.body
        chunks = [data[: len(data) // 2], data[len(data) // 2 :]]
        kept = {k: v for k, v in plain.headers.items() if k.lower() not in ("content-length", "content-type")}
        return StreamingResponse(iter(chunks), status_code=status, headers=kept, media_type=media_type or self.media_type)


class ConnectionClose(Variant):
    """`Connection: close` on every response: the client must open a new connection for each request."""

    def respond(
        self, request: Request, status: int, body: Any, headers: dict[str, str] | None = None, media_type: str | None = None
    ) -> Response:
        return super().respond(request, status, body, {**(headers or {}), "Connection": "close"}, media_type)


class RelativeLocation(Variant):
    """A relative Location, which RFC 9110 § 10.2.2 allows."""

    def created(self, request: Request, record: Record) -> Response:
        response = super().created(request, record)
        response.headers["location"] = f"{self.base_path}/applications/{record.application_id}/synchronization"
        return response


class ODataInnerErrorSpelling(Variant):
    """OData spells Graph's `innerError` as `innererror`."""

    def error_body(self, request: Request, code: str, message: str) -> Any:
        body = super().error_body(request, code, message)
        body["error"]["innererror"] = body["error"].pop("innerError")
        return body


class ErrorsWithNestedDetails(Variant):
    """Graph errors with OData's `details` and an `innererror` chain twenty exceptions deep, as a
    .NET service may write its inner exceptions."""

    def error_body(self, request: Request, code: str, message: str) -> Any:
        body = super().error_body(request, code, message)
        chain: dict[str, Any] = {"message": "root cause"}
        for depth in range(20):
            chain = {"message": f"wrapped {depth}", "type": "System.Exception", "innererror": chain}
        body["error"]["details"] = [{"code": code, "message": message, "target": "secrets"}]
        body["error"]["innerError"]["innererror"] = chain
        return body


class SlowButInTime(Variant):
    """Takes half a second over a body that is not JSON: slow, but an answer well within the timeout."""

    def decode(self, request: Request, body: bytes) -> Any:
        decoded = super().decode(request, body)
        if isinstance(decoded, Response):
            time.sleep(0.5)  # the event loop waits too: every request behind it is slower still
        return decoded


class ErrorsWithODataMediaType(Variant):
    """Graph errors with every OData parameter in their Content-Type."""

    error_media_type = FULL_ODATA_MEDIA_TYPE


class InnerErrorDateInUtcWithFraction(Variant):
    """`innerError.date` as an RFC 3339 date-time with fractions and `Z`."""

    def error_body(self, request: Request, code: str, message: str) -> Any:
        body = super().error_body(request, code, message)
        body["error"]["innerError"]["date"] = "2026-11-25T14:10:23.1234567Z"
        return body


class AbsoluteLocationBehindAProxy(Variant):
    """An absolute https Location on the public host of a proxy in front of it."""

    def service_root(self, request: Request) -> str:
        return f"https://sync.contoso.example{self.base_path}"


BROKEN: list[type[Variant]] = [
    Answers200,
    PlainTextBody,
    SecretsTwice,
    IdNotAGuid,
    IdInBraces,
    IdUpperCase,
    DropsLastSecret,
    TrimsValues,
    MasksValues,
    ReversesSecrets,
    TypeWithoutHash,
    NestedTypeWithoutHash,
    JobsNotAnArray,
    SameIdEveryTime,
    IdsFromAPool,
    IdsFromALargerPool,
    NoLocation,
    ODataContextLast,
    AcceptsInvalidBodies,
    KeysReadLeniently,
    InvalidBodies422,
    MalformedJson422,
    ControlCharactersInStrings,
    IgnoresContentType,
    ContentType400,
    IgnoresToken,
    AcceptsAnyBearer,
    AcceptsTokenWithMore,
    AcceptsPartOfToken,
    TokenCaseInsensitive,
    WrongToken403,
    CutsOffAnswersToMalformedJson,
    CrashesOnMalformedJson,
    ErrorsAsMessageOnly,
    ErrorDetailsNestedTooDeep,
    ErrorsWithoutInnerError,
    ErrorsAsTextPlain,
    InnerErrorDateNotADate,
    LocationOfTheCollection,
    ReadsChunkedBodiesAsEmpty,
    WantsContentLengthWhereThereIsOne,
    NoBearerChallenge,
    RefusesMediaTypeParameters,
    LocationWithBogusScheme,
    AcceptsAnyApplicationId,
    NoRequestId,
    *RACES,
]
UNUSUAL: list[type[Variant]] = [
    FullODataMediaType,
    MixedCaseMediaType,
    ODataContextFirst,
    ExtraMembersAtBothLevels,
    SameNamesInNestedObjects,
    AcceptsAPreviousTokenToo,
    NestedTypeWithHash,
    NonAsciiVerbatim,
    ChunkedTransferEncoding,
    ConnectionClose,
    RelativeLocation,
    ODataInnerErrorSpelling,
    ErrorsWithNestedDetails,
    SlowButInTime,
    ErrorsWithODataMediaType,
    InnerErrorDateInUtcWithFraction,
    AbsoluteLocationBehindAProxy,
    WantsContentLength,
    FrontEndWantsContentLength,
    ChallengesSeveralSchemes,
    SerialisesEveryRequest,
]

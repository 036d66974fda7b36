"""Named server behaviours for the suite's own tests, each built from the reference server by
changing exactly one thing.

A broken server names the one requirement it breaks (`breaks`); the suite must fail on that id and
on no other. A correct-but-unusual server has `breaks = None`; the suite must pass it.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

from starlette.requests import Request

from conformance.server import Record, ReferenceServer

FULL_ODATA_MEDIA_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
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
    breaks = "SYNC-CREATE-201"
    created_status = 200


class PlainTextBody(Variant):
    breaks = "SYNC-CREATE-JSON"
    media_type = "text/plain; charset=utf-8"


class IdNotAGuid(Variant):
    breaks = "SYNC-ID-GUID"

    def new_id(self) -> str:
        return "sync-" + uuid.uuid4().hex[:12]


class IdInBraces(Variant):
    """Python's uuid.UUID() accepts this; the canonical text form does not."""

    breaks = "SYNC-ID-GUID"

    def new_id(self) -> str:
        return "{" + str(uuid.uuid4()) + "}"


class IdUpperCase(Variant):
    breaks = "SYNC-ID-LOWERCASE"

    def new_id(self) -> str:
        return str(uuid.uuid4()).upper()


class DropsLastSecret(Reshaped):
    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = body["secrets"][:-1]


class TrimsValues(Reshaped):
    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        for secret in body["secrets"]:
            if isinstance(secret.get("value"), str):
                secret["value"] = secret["value"].strip()


class MasksValues(Reshaped):
    """What real Graph does on a GET of secrets; the contract here says echo."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        for secret in body["secrets"]:
            if secret.get("value"):
                secret["value"] = "*"


class ReversesSecrets(Reshaped):
    breaks = "SYNC-SECRETS-ORDER"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = body["secrets"][::-1]


class TypeWithoutHash(Reshaped):
    breaks = "SYNC-ODATA-TYPE"

    def reshape(self, body: dict[str, Any]) -> None:
        body["@odata.type"] = "microsoft.graph.synchronization"


class NestedTypeWithoutHash(Reshaped):
    """As the stub's own example writes it."""

    breaks = "SYNC-ODATA-TYPE-HASH"

    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = [{"@odata.type": PAIR_TYPE, **secret} for secret in body["secrets"]]


class JobsNotAnArray(Reshaped):
    breaks = "SYNC-BODY-SCHEMA"

    def reshape(self, body: dict[str, Any]) -> None:
        body["jobs"] = {"value": []}


# --- correct but unusual: each must pass ---------------------------------------------------------


class FullODataMediaType(Variant):
    media_type = FULL_ODATA_MEDIA_TYPE


class MixedCaseMediaType(Variant):
    """Media types are case-insensitive (RFC 9110 § 8.3.1)."""

    media_type = "Application/JSON; Charset=UTF-8"


class ODataContextFirst(Reshaped):
    def reshape(self, body: dict[str, Any]) -> None:
        context = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#synchronization/$entity"}
        items = list(body.items())
        body.clear()
        body.update({**context, **dict(items)})


class ExtraMembersAtBothLevels(Reshaped):
    """OData receivers must tolerate unknown properties and instance annotations."""

    def reshape(self, body: dict[str, Any]) -> None:
        body.update({"@contoso.audit": {"by": "test"}, "jobs": [], "templates": [], "vendorExtension": 42})
        for secret in body["secrets"]:
            secret.update({"@contoso.rotated": False, "value@contoso.note": "kept", "vendorFlag": True})


class NestedTypeWithHash(Reshaped):
    def reshape(self, body: dict[str, Any]) -> None:
        body["secrets"] = [{"@odata.type": "#" + PAIR_TYPE, **secret} for secret in body["secrets"]]


class NonAsciiVerbatim(Variant):
    """UTF-8 characters sent raw instead of as \\u escapes: the same JSON text."""

    def encode(self, body: Any) -> bytes:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


BROKEN: list[type[Variant]] = [
    Answers200,
    PlainTextBody,
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
]
UNUSUAL: list[type[Variant]] = [
    FullODataMediaType,
    MixedCaseMediaType,
    ODataContextFirst,
    ExtraMembersAtBothLevels,
    NestedTypeWithHash,
    NonAsciiVerbatim,
]

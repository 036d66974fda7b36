"""The requirement catalogue: every requirement the suite certifies, defined once.

Levels: MUST is the contract as written in the "Create synchronization" documentation stub
(schemas/contract/create-synchronization.md). SHOULD is an OData or Microsoft Graph convention the stub
does not state, or contradicts, graded so that a server following the stub is not failed for it.
Everything else (the pytest tests, the README table, the report columns, JUnit properties) reads from
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from . import checks
from .exchange import Exchange


class Level(str, Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    clause: str
    statement: str
    check: Callable[[Exchange], checks.Result]

    def __str__(self) -> str:
        return self.id


SPEC = "create-synchronization.md"

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "SYNC-CREATE-201",
        Level.MUST,
        f'{SPEC} § Response: "If successful, this method returns a `201 Created` response code"',
        "A valid create request gets 201 Created.",
        checks.created_201,
    ),
    Requirement(
        "SYNC-CREATE-JSON",
        Level.MUST,
        f'{SPEC} § Response: "a synchronization object in the response body"; example `Content-Type: application/json`',
        "A success body is JSON, sent with a JSON media type (parameters allowed).",
        checks.json_media_type,
    ),
    Requirement(
        "SYNC-ID-GUID",
        Level.MUST,
        f"{SPEC} § Request body: `id` inherited from entity; § Response example: "
        '"id": "e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4"',
        "The body has an `id` that is a canonical GUID string (8-4-4-4-12 hex digits, no braces).",
        checks.id_canonical_guid,
    ),
    Requirement(
        "SYNC-ID-LOWERCASE",
        Level.SHOULD,
        "Microsoft Graph convention: ids are emitted in lower case",
        "The GUID `id` is lower case.",
        checks.id_lowercase,
    ),
    Requirement(
        "SYNC-SECRETS-ECHO",
        Level.MUST,
        f"{SPEC} § Request body `secrets` and § Response example: the created object carries the secrets sent",
        "`secrets` holds exactly the key/value pairs sent: none lost, none added, none altered.",
        checks.secrets_echoed,
    ),
    Requirement(
        "SYNC-SECRETS-ORDER",
        Level.SHOULD,
        "RFC 8259 § 5: a JSON array is an ordered sequence; the stub does not say whether order is kept",
        "`secrets` keeps the order in which they were sent.",
        checks.secrets_in_order,
    ),
    Requirement(
        "SYNC-ODATA-TYPE",
        Level.MUST,
        f'{SPEC} § Response example: "@odata.type": "#microsoft.graph.synchronization"',
        "The top-level `@odata.type` is `#microsoft.graph.synchronization`.",
        checks.odata_type,
    ),
    Requirement(
        "SYNC-ODATA-TYPE-HASH",
        Level.SHOULD,
        "OData JSON Format 4.01 § 4.5.3: a 4.0 type name is a URI fragment with a leading '#' "
        f"(the {SPEC} example's nested value omits it)",
        "Nested `@odata.type` values, where present, carry the leading '#'.",
        checks.nested_odata_type_hash,
    ),
    Requirement(
        "SYNC-BODY-SCHEMA",
        Level.MUST,
        f"{SPEC} § Response: a [synchronization] object; schemas/synchronization.json",
        "A success body validates against the synchronization schema (unknown annotations and properties allowed).",
        checks.body_schema,
    ),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in REQUIREMENTS}

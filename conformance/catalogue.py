"""The requirement catalogue: every requirement the suite certifies, defined once.

Levels: MUST is the contract as written in the "Create synchronization" documentation stub
(schemas/contract/create-synchronization.md), and the HTTP and Graph behaviour it relies on by naming
its headers (Authorization required, Content-Type application/json). SHOULD is an OData or Microsoft
Graph convention the stub does not state, or contradicts, graded so that a server following the stub
is not failed for it. Each requirement names the probes whose exchanges its check judges.
Everything else (the pytest tests, the README table, report columns, JUnit properties) reads from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from . import checks
from .exchange import Exchange


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


class Probe(StrEnum):
    """The kinds of request the suite sends (conformance/probes.py makes them)."""

    VALID = "valid"  # the corpus and generated valid bodies
    VALID_FORMS = "valid-forms"  # a valid body framed or labelled as clients also may: chunked, media type parameters
    VALID_TWICE = "valid-twice"  # the same valid body created twice; the check sees both exchanges
    INVALID_BODY = "invalid-body"  # JSON that breaks the request schema: negative generation and chosen cases
    MALFORMED_JSON = "malformed-json"  # bodies that are not JSON
    CONTENT_TYPE = "content-type"  # a valid body with a missing or non-JSON Content-Type
    CREDENTIALS = "credentials"  # a valid body with no, malformed or altered credentials
    APPLICATION_ID = "application-id"  # a valid body to an applicationsId that is not a GUID
    BURST = "burst"  # valid creates sent together, each on a connection of its own (conformance/bursts.py)


VALID_CREATES = (Probe.VALID, Probe.VALID_FORMS, Probe.BURST)
"""What every requirement on the created object judges: creates sent one at a time, and together."""

EVERY_REQUEST = (
    Probe.VALID,
    Probe.VALID_FORMS,
    Probe.VALID_TWICE,
    Probe.MALFORMED_JSON,
    Probe.CONTENT_TYPE,
    Probe.CREDENTIALS,
    Probe.APPLICATION_ID,
    Probe.INVALID_BODY,
    Probe.BURST,
)


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    clause: str
    statement: str
    check: checks.Check
    probes: tuple[Probe, ...] = VALID_CREATES
    shrink: bool = True
    """Shrink a generated failing case. Not where each attempt could wait out a request timeout."""
    whole_case: bool = False
    """The check compares a case's exchanges with each other; otherwise it judges one exchange, and a
    case of several is judged exchange by exchange."""
    across_run: bool = False
    """Also judged against the creates of the run before the case (conformance/prover.py): an id a
    case's create got is one no earlier create of the run got. A failure so found depends on what came
    before, not on the case alone, so it is shown as found, never shrunk."""

    def __str__(self) -> str:
        return self.id

    def judge(self, *exchanges: Exchange) -> checks.Result:
        """What this requirement makes of one case's exchanges."""
        if self.whole_case:
            return checks.judge(self.check, *exchanges)
        return checks.judge_each(self.check, exchanges)


SPEC = "create-synchronization.md"

REQUIREMENTS: tuple[Requirement, ...] = (
    # --- the created object -------------------------------------------------------------------------
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
        f'{SPEC} § Response: "a synchronization object in the response body"; example `Content-Type: application/json`; '
        "RFC 8259 § 4 and RFC 7493 § 2.3: an object whose member names are not unique means what each client decides",
        "A success body is JSON with no member name twice in one object, sent with a JSON media type (parameters allowed).",
        checks.json_media_type,
    ),
    Requirement(
        "SYNC-ID-GUID",
        Level.MUST,
        f'{SPEC} § Request body: `id` inherited from entity; § Response example: "id": "e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4"',
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
        "SYNC-ID-UNIQUE",
        Level.MUST,
        f"{SPEC} § Request body: `id` inherited from entity (an entity's key identifies it)",
        "Two creates get different ids: those of one case, and each create against every earlier one of the run.",
        checks.distinct_ids,
        (*VALID_CREATES, Probe.VALID_TWICE),
        whole_case=True,
        across_run=True,
    ),
    Requirement(
        "SYNC-SECRETS-ECHO",
        Level.MUST,
        f"{SPEC} § Request body `secrets` and § Response example: the created object carries the secrets sent",
        "`secrets` holds exactly the key/value pairs sent: none lost, none added, none altered.",
        checks.secrets_echoed,
        whole_case=True,
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
        "SYNC-ODATA-CONTEXT-FIRST",
        Level.SHOULD,
        "OData JSON Format 4.01 § 4.5.1: `@odata.context`, when present, is the first member",
        "`@odata.context`, when present, is the first member of the body.",
        checks.odata_context_first,
    ),
    Requirement(
        "SYNC-BODY-SCHEMA",
        Level.MUST,
        f"{SPEC} § Response: a [synchronization] object; schemas/synchronization.json",
        "A success body validates against the synchronization schema (unknown annotations and properties allowed).",
        checks.body_schema,
    ),
    Requirement(
        "SYNC-LOCATION",
        Level.SHOULD,
        "OData Protocol 4.01 § 11.4.2: a successful create returns the new entity's URL in Location",
        "A 201 carries a Location header with the new object's URL.",
        checks.location_header,
    ),
    # --- what must be refused -------------------------------------------------------------------------
    # The chosen defects first, the generated invalid bodies last: the campaign sends a probe when the
    # first requirement needing it is judged, so a target that falls over on some generated body has
    # already been judged on every chosen one.
    Requirement(
        "SYNC-MALFORMED-JSON-400",
        Level.MUST,
        f"{SPEC} § Request headers: Content-Type application/json; RFC 9110 § 15.5.1 (400 Bad Request)",
        "A body that is not JSON is refused with 400.",
        checks.rejected_as(400),
        (Probe.MALFORMED_JSON,),
    ),
    Requirement(
        "SYNC-CONTENT-TYPE-4XX",
        Level.MUST,
        f'{SPEC} § Request headers: "Content-Type | application/json. Required."',
        "A missing or non-JSON Content-Type gets a 4xx.",
        checks.rejected,
        (Probe.CONTENT_TYPE,),
    ),
    Requirement(
        "SYNC-CONTENT-TYPE-415",
        Level.SHOULD,
        "RFC 9110 § 15.5.16: 415 Unsupported Media Type",
        "A missing or non-JSON Content-Type is refused with 415.",
        checks.rejection_code(415),
        (Probe.CONTENT_TYPE,),
    ),
    Requirement(
        "SYNC-AUTH-401",
        Level.MUST,
        f'{SPEC} § Request headers: "Authorization | Bearer {{token}}. Required."; RFC 6750 § 3.1',
        "No Authorization, a malformed bearer value or an altered token gets 401.",
        checks.unauthorized,
        (Probe.CREDENTIALS,),
    ),
    Requirement(
        "SYNC-AUTH-CHALLENGE",
        Level.SHOULD,
        'RFC 6750 § 3: a refusal for want of a valid access token "MUST include the HTTP WWW-Authenticate response header", '
        "with the Bearer scheme; Microsoft Graph sends it",
        "Every 401 carries `WWW-Authenticate` with the `Bearer` scheme.",
        checks.bearer_challenge,
        EVERY_REQUEST,
    ),
    Requirement(
        "SYNC-APP-ID-REJECTED",
        Level.SHOULD,
        "Microsoft Graph convention: an object id that is not a GUID is 400 (or 404: no such application)",
        "An `applicationsId` that is not a GUID is refused with 400 or 404.",
        checks.rejected_as(400, 404),
        (Probe.APPLICATION_ID,),
    ),
    Requirement(
        "SYNC-REJECT-INVALID",
        Level.MUST,
        f"{SPEC} § Request body: a JSON representation of the synchronization object",
        "A body that breaks the request schema (wrong types, `secrets` not an array, a key not a member, …) gets a 4xx.",
        checks.rejected,
        (Probe.INVALID_BODY,),
    ),
    Requirement(
        "SYNC-REJECT-INVALID-400",
        Level.SHOULD,
        "Microsoft Graph convention: an invalid payload is 400 Bad Request",
        "A body that breaks the request schema is refused with 400.",
        checks.rejection_code(400),
        (Probe.INVALID_BODY,),
    ),
    # --- every answer ---------------------------------------------------------------------------------
    Requirement(
        "SYNC-ANSWERED",
        Level.MUST,
        f'{SPEC} § Response: the method "returns a `201 Created` response code" (or an error); '
        "RFC 9112 § 6 and RFC 9110 § 15: an answer is a complete HTTP message with a status code",
        "Every request gets a complete, well-formed HTTP answer within the request timeout.",
        checks.answered,
        EVERY_REQUEST,
        shrink=False,
    ),
    Requirement(
        "SYNC-NO-5XX",
        Level.MUST,
        "RFC 9110 § 15.6: a 5xx says the server failed; no request the suite sends is a server's fault",
        "No request the suite sends gets a 5xx.",
        checks.no_server_error,
        EVERY_REQUEST,
    ),
    Requirement(
        "SYNC-ERROR-BODY",
        Level.MUST,
        'Microsoft Graph error responses: `{"error": {"code", "message"}}` as `application/json`; schemas/graph-error.json',
        "Every 4xx body is a Graph error sent as JSON: a JSON media type, `error.code` and `error.message` non-empty strings.",
        checks.graph_error_body,
        EVERY_REQUEST,
    ),
    Requirement(
        "SYNC-ERROR-INNER",
        Level.SHOULD,
        "Microsoft Graph error responses: `innerError` carries `request-id` and `date` (OData: `innererror`)",
        "A Graph error carries `innerError` (or `innererror`) with `request-id` and a date-time `date`.",
        checks.graph_error_inner,
        EVERY_REQUEST,
    ),
    Requirement(
        "SYNC-REQUEST-ID",
        Level.SHOULD,
        "Microsoft Graph convention: every response carries a request-id header",
        "Every response carries a `request-id` header.",
        checks.request_id_header,
        EVERY_REQUEST,
    ),
)

BY_ID: dict[str, Requirement] = {r.id: r for r in REQUIREMENTS}

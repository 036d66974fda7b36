"""One pure function per requirement, judged by `judge(check, *exchanges) -> Result`.

No HTTP happens here, so every check is unit-tested on hand-made exchanges, and a broken server
variant proves it end to end. Each check fails only for the defect its requirement names and is
*not applicable* where another requirement already covers the defect (a non-JSON body is the JSON
requirement's failure, not the id requirement's), so one defect fails one requirement.

A check and the helpers it calls say "fails" and "not applicable" by raising (`fail`,
`not_applicable`), so a helper's verdict needs no inspecting by its caller; `judge` catches both, in
one place, and returns the Result the campaign tallies. Returning normally is a pass.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NoReturn
from urllib.parse import urljoin, urlsplit

from .contract import CANONICAL_GUID, SYNCHRONIZATION_TYPE, error_validator, response_validator, schema_problem
from .errors import CheckFailed, NotApplicable
from .exchange import Exchange, Response, header
from .shapes import a_request

Check = Callable[..., None]
"""A check: takes the exchange(s) of one case, returns on a pass, raises CheckFailed or NotApplicable."""


@dataclass(frozen=True)
class Result:
    outcome: Literal["pass", "fail", "n/a"]
    reason: str = ""


PASS = Result("pass")
SERVER_ERROR = "a 5xx answer (judged by SYNC-NO-5XX)"
NO_ANSWER = "no complete answer (judged by SYNC-ANSWERED)"
CREDENTIALS_REFUSED = "refused for its credentials, not for what is being checked"


def fail(reason: str) -> NoReturn:
    raise CheckFailed(reason)


def not_applicable(reason: str) -> NoReturn:
    raise NotApplicable(reason)


def http_allowance(exchange: Exchange) -> str | None:
    """Why HTTP itself permits this answer to the way the request was framed, whatever the contract
    says of the request's content; None when it does not. Such an answer is no finding on any
    requirement: what HTTP allows is never a failure (the answer is complete, so SYNC-ANSWERED has
    nothing against it either).

    A body sent chunked, without Content-Length, may be refused with 411 Length Required (RFC 9112
    § 6.3: "A server MAY reject a request that contains a message body but not a Content-Length by
    responding with 411"); front ends that want a length are common.
    """
    response = exchange.response
    request = exchange.request
    chunked = (header(request.headers, "transfer-encoding") or "").lower() == "chunked"
    if response is not None and response.status == 411 and chunked and header(request.headers, "content-length") is None:
        return "411 Length Required to a body sent without Content-Length: HTTP permits it (RFC 9112 § 6.3)"
    return None


def judge(check: Check, *exchanges: Exchange) -> Result:
    """The one place a check's verdict is caught: returned is a pass, raised is a failure or "not applicable".
    An answer HTTP permits for how its request was framed (`http_allowance`) is not applicable to any check."""
    allowed = [why for exchange in exchanges if (why := http_allowance(exchange))]
    if len(allowed) == len(exchanges):
        return Result("n/a", allowed[0])
    try:
        check(*exchanges)
    except CheckFailed as failed:
        return Result("fail", str(failed))
    except NotApplicable as aside:
        return Result("n/a", str(aside))
    return PASS


def judge_each(check: Check, exchanges: tuple[Exchange, ...]) -> Result:
    """A one-exchange check over a case of several (the same body created twice in a row, ...): the
    first exchange that fails it; a pass if any passes; otherwise not applicable, with the first reason."""
    results = [judge(check, exchange) for exchange in exchanges]
    return next((r for r in results if r.outcome == "fail"), None) or next((r for r in results if r.outcome == "pass"), results[0])


def _show(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _success_body(exchange: Exchange) -> Any:
    """The parsed body of a successful (2xx) response; not applicable to anything else."""
    response = exchange.response
    if response is None:
        not_applicable("no response")
    if not response.is_success:
        not_applicable(f"not a success response ({response.status})")
    parsed = response.json
    if not parsed.ok:
        not_applicable(parsed.error or "")
    return parsed.value


def _success_object(exchange: Exchange) -> dict[str, Any]:
    body = _success_body(exchange)
    if not isinstance(body, dict):
        not_applicable("body is not a JSON object")
    return body


def answered(exchange: Exchange) -> None:
    """The request got a complete, well-formed HTTP answer within the request timeout (a body larger
    than the suite reads counts: that is the suite's limit, and the body checks judge it)."""
    if not exchange.answered:
        response = exchange.response
        why = exchange.error or (response.incomplete if response is not None else None) or str(exchange.shortfall)
        fail(f"{why}, to {a_request(exchange.shape)}" if exchange.shape else why)


def _answer(exchange: Exchange) -> int:
    """The status of the answer, for a check on statuses: no answer is SYNC-ANSWERED's, a 5xx SYNC-NO-5XX's."""
    response = exchange.response
    if response is None:
        not_applicable(NO_ANSWER)
    if response.status >= 500:
        not_applicable(SERVER_ERROR)
    return response.status


def _status_line(exchange: Exchange) -> str:
    assert exchange.response is not None
    return f"{exchange.response.status} {exchange.response.reason}".rstrip()


def answered_with(code: int, phrase: str) -> Check:
    """The answer's status is exactly `code` (no answer fails; a 5xx is SYNC-NO-5XX's)."""

    def check(exchange: Exchange) -> None:
        if _answer(exchange) != code:
            fail(f"expected {code} {phrase}, got {_status_line(exchange)}")

    check.__name__ = check.__qualname__ = f"answered_with_{code}"
    return check


created_201 = answered_with(201, "Created")
unauthorized = answered_with(401, "Unauthorized")  # bad or missing credentials: 403 is not enough


def _json_media_type(response: Response, what: str = "") -> None:
    """The response says its body is JSON: application/json or a +json type, any parameters."""
    media = response.media_type
    if media is None:
        fail(f"{what}no Content-Type header")
    media_type, _ = media
    if media_type != "application/json" and not media_type.endswith("+json"):
        fail(f"{what}Content-Type media type is {media_type!r}, not a JSON media type")


def json_media_type(exchange: Exchange) -> None:
    response = exchange.response
    if response is None or not response.is_success:
        not_applicable("not a success response")
    if not exchange.answered:
        not_applicable(NO_ANSWER)
    _json_media_type(response)
    if not response.json.ok:
        fail(response.json.error or "")


def id_canonical_guid(exchange: Exchange) -> None:
    body = _success_object(exchange)
    if "id" not in body:
        fail("no `id` in the body")
    value = body["id"]
    if not isinstance(value, str) or not CANONICAL_GUID.fullmatch(value):
        fail(f"`id` is {_show(value)}, not a canonical GUID (8-4-4-4-12 hex digits, no braces)")


def _guid_id(exchange: Exchange) -> str:
    """The body's `id` where it is a canonical GUID; checks on it do not apply otherwise."""
    value = _success_object(exchange).get("id")
    if not isinstance(value, str) or not CANONICAL_GUID.fullmatch(value):
        not_applicable("`id` is not a canonical GUID (judged by SYNC-ID-GUID)")
    return value


def created_ids(exchanges: tuple[Exchange, ...]) -> list[str]:
    """The canonical GUID ids (in lower case: the same GUID either way) the successful creates of a
    case got, in order; a create that did not succeed with one is left out."""
    ids = []
    for exchange in exchanges:
        try:
            ids.append(_guid_id(exchange).lower())
        except (NotApplicable, CheckFailed):
            continue
    return ids


def id_lowercase(exchange: Exchange) -> None:
    value = _guid_id(exchange)
    if value != value.lower():
        fail(f"`id` {value!r} is not lower case")


_ABSENT = object()


def _pair(secret: Any) -> tuple[Any, Any]:
    """A secret as the (key, value) it carries; annotations are not part of it.

    An absent `value` reads as null (OData: a nullable property left out is null); an absent `key`
    stays absent, because the spec's own example sends a pair without one.
    """
    key = secret.get("key", _ABSENT)
    return ("<absent>" if key is _ABSENT else json.dumps(key, ensure_ascii=False), json.dumps(secret.get("value")))


def _sent_secrets(exchange: Exchange) -> list[Any]:
    payload = exchange.request.payload
    secrets = payload.get("secrets") if isinstance(payload, dict) else None
    return secrets if isinstance(secrets, list) else []


def _received_secrets(body: dict[str, Any], *, problem: Callable[[str], NoReturn]) -> list[Any]:
    """The response's secrets; `problem` (fail, or not applicable) when they cannot be compared."""
    secrets = body.get("secrets")
    if secrets is None:
        return []
    if not isinstance(secrets, list):
        problem(f"`secrets` is {_show(secrets)}, not an array")
    for index, secret in enumerate(secrets):
        if not isinstance(secret, dict):
            problem(f"secrets[{index}] is {_show(secret)}, not an object")
    return secrets


def _describe(pairs: Counter[tuple[Any, Any]]) -> str:
    shown = [f"{{key: {k}, value: {v}}}" + (f" ×{n}" if n > 1 else "") for (k, v), n in pairs.items()]
    text = ", ".join(shown)
    return text if len(text) <= 400 else text[:399] + "…"


def secrets_echoed(*exchanges: Exchange) -> None:
    """Each answer of the case holds the secrets its own request sent. Where one holds exactly the
    secrets another request of the case sent (requests sent together: a burst), the reason says whose:
    a server that builds answers in a buffer shared between requests answers one with another's."""
    results = [judge(_own_secrets_echoed, exchange) for exchange in exchanges]
    for number, result in enumerate(results):
        if result.outcome == "fail":
            fail(_answered_for_another(exchanges, number) or result.reason)
    if not any(result.outcome == "pass" for result in results):
        not_applicable(results[0].reason)


def _answered_for_another(exchanges: tuple[Exchange, ...], number: int) -> str | None:
    """Why answer `number` fails, when it holds exactly the secrets another request of the case sent."""
    exchange = exchanges[number]
    body = _success_object(exchange)
    received = Counter(_pair(s) for s in _received_secrets(body, problem=fail))
    for other, sender in enumerate(exchanges):
        sent = Counter(_pair(s) for s in _sent_secrets(sender))
        if other != number and sent and sent == received and sent != Counter(_pair(s) for s in _sent_secrets(exchange)):
            together = exchange.together is not None and sender.together is not None
            group = "of the same burst" if together else "of the same case"
            return (
                f"answered with the secrets of another request {group}: request {number + 1} of {len(exchanges)} "
                f"got exactly the {len(_sent_secrets(sender))} secret(s) request {other + 1} sent{_overlap(exchange, sender)}"
            )
    return None


def _overlap(*exchanges: Exchange) -> str:
    """When requests sent together were in flight: ` (in flight +0.4–12.1 ms and +0.5–11.8 ms)`."""
    spans = [f"+{e.together[0] * 1000:.1f}–{e.together[1] * 1000:.1f} ms" for e in exchanges if e.together is not None]
    return f" (in flight {' and '.join(spans)} from their release)" if spans else ""


def _own_secrets_echoed(exchange: Exchange) -> None:
    body = _success_object(exchange)
    sent = _sent_secrets(exchange)
    if sent and "secrets" not in body:
        fail(f"sent {len(sent)} secret(s); the body has no `secrets`")
    received = _received_secrets(body, problem=fail)
    sent_pairs = Counter(_pair(s) for s in sent)
    received_pairs = Counter(_pair(s) for s in received)
    if sent_pairs == received_pairs:
        return
    problems = []
    if lost := sent_pairs - received_pairs:
        problems.append(f"lost or altered: {_describe(lost)}")
    if added := received_pairs - sent_pairs:
        problems.append(f"added or altered: {_describe(added)}")
    fail(f"sent {len(sent)} secret(s), got {len(received)}; " + "; ".join(problems))


def secrets_in_order(exchange: Exchange) -> None:
    received = _received_secrets(_success_object(exchange), problem=not_applicable)
    sent = [_pair(s) for s in _sent_secrets(exchange)]
    got = [_pair(s) for s in received]
    if Counter(sent) != Counter(got):
        not_applicable("the secrets differ, not only their order (see the echo requirement)")
    if sent != got:
        first = next(i for i, (a, b) in enumerate(zip(sent, got, strict=True)) if a != b)
        fail(f"secrets echoed in another order: first difference at position {first}")


def odata_type(exchange: Exchange) -> None:
    body = _success_object(exchange)
    if "@odata.type" not in body:
        fail(f"no top-level `@odata.type`; expected {SYNCHRONIZATION_TYPE!r}")
    if body["@odata.type"] != SYNCHRONIZATION_TYPE:
        fail(f"top-level `@odata.type` is {_show(body['@odata.type'])}, expected {SYNCHRONIZATION_TYPE!r}")


def _nested_types(value: Any, path: str) -> list[tuple[str, Any]]:
    """Every `@odata.type` below the top level, with where it was found."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@odata.type" and path:
                found.append((path, item))
            found.extend(_nested_types(item, f"{path}/{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_nested_types(item, f"{path}/{index}"))
    return found


def nested_odata_type_hash(exchange: Exchange) -> None:
    for path, value in _nested_types(_success_object(exchange), ""):
        if not isinstance(value, str) or not value.startswith("#"):
            fail(f"`@odata.type` at {path} is {_show(value)}: OData 4.0 type names carry a leading '#'")


def body_schema(exchange: Exchange) -> None:
    if problem := schema_problem(response_validator(), _success_body(exchange)):
        fail(f"does not match synchronization.json {problem}")


# --- rejection: what a server must do with requests it cannot accept --------------------------------


def _rejection(exchange: Exchange) -> int:
    """The status of an answer to a request that carries valid credentials and one defect: as
    `_answer`, and a 401/403 says nothing about the defect."""
    status = _answer(exchange)
    if status in (401, 403):
        not_applicable(CREDENTIALS_REFUSED)
    return status


def rejected(exchange: Exchange) -> None:
    """A MUST that a defective request is refused with some 4xx."""
    if not 400 <= _rejection(exchange) < 500:
        fail(f"accepted with {_status_line(exchange)}; expected a 4xx rejection")


def rejected_as(*codes: int) -> Check:
    """The defective request is refused with one of `codes`; anything else fails."""
    wanted = " or ".join(map(str, codes))

    def check(exchange: Exchange) -> None:
        if _rejection(exchange) not in codes:
            fail(f"answered {_status_line(exchange)}; expected {wanted}")

    check.__name__ = check.__qualname__ = f"rejected_as_{'_'.join(map(str, codes))}"
    return check


def rejection_code(*codes: int) -> Check:
    """A SHOULD on *which* 4xx: applies only where the request was refused with some 4xx, so that a
    request not refused at all fails the MUST alone."""
    wanted = " or ".join(map(str, codes))

    def check(exchange: Exchange) -> None:
        status = _rejection(exchange)
        if not 400 <= status < 500:
            not_applicable("not refused at all (judged by the 4xx requirement)")
        if status not in codes:
            fail(f"refused with {_status_line(exchange)}; expected {wanted}")

    check.__name__ = check.__qualname__ = f"rejection_code_{'_'.join(map(str, codes))}"
    return check


def no_server_error(exchange: Exchange) -> None:
    response = exchange.response
    if response is None:
        not_applicable("no response (judged by the requirement on this request's status)")
    if response.status >= 500:
        together = f", to a request sent together with others{_overlap(exchange)}" if exchange.together else ""
        fail(f"answered {_status_line(exchange)}{together}")


def _client_error_body(exchange: Exchange) -> Any:
    response = exchange.response
    if response is None or not 400 <= response.status < 500:
        not_applicable("not a 4xx response")
    if not exchange.answered:
        not_applicable(NO_ANSWER)
    if not response.json.ok:
        fail(f"the {response.status} body is not a Graph error: {response.json.error}")
    return response.json.value


def graph_error_body(exchange: Exchange) -> None:
    body = _client_error_body(exchange)
    if problem := schema_problem(error_validator(), body):
        fail(f"the 4xx body is not a Graph error (graph-error.json {problem})")
    assert exchange.response is not None
    _json_media_type(exchange.response, f"the {exchange.response.status} Graph error: ")


def _graph_error(exchange: Exchange) -> dict[str, Any]:
    """The `error` object of a valid Graph error body; checks on it do not apply to anything else."""
    response = exchange.response
    is_4xx = response is not None and 400 <= response.status < 500
    body = response.json.value if response is not None and is_4xx and response.json.ok else None
    if body is None or not error_validator().is_valid(body):
        not_applicable("not a Graph error body (judged by SYNC-ERROR-BODY)")
    error: dict[str, Any] = body["error"]
    return error


def graph_error_inner(exchange: Exchange) -> None:
    error = _graph_error(exchange)
    inner = error.get("innerError", error.get("innererror"))
    if not isinstance(inner, dict):
        fail("the Graph error has no `innerError` object")
    missing = [name for name in ("request-id", "date") if not isinstance(inner.get(name), str) or not inner[name]]
    if missing:
        fail(f"`innerError` lacks {' and '.join(f'`{m}`' for m in missing)}")
    if not _is_date_time(inner["date"]):
        fail(f"`innerError.date` is {_show(inner['date'])}, not a date-time (e.g. 2026-11-25T14:10:23)")


DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
"""ISO 8601 / RFC 3339 date-time; Graph writes `innerError.date` without an offset (UTC)."""


def _is_date_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return DATE_TIME.fullmatch(text) is not None


# --- response conventions ------------------------------------------------------------------------


def location_header(exchange: Exchange) -> None:
    """Location is the new object's URL: for this single-valued navigation, the URL it was created at
    (relative or absolute, any host: a server behind a proxy names its public one), or that URL with
    the new id as a key segment."""
    response = exchange.response
    if response is None or response.status != 201:
        not_applicable("not a 201 response")
    location = (response.header("location") or "").strip()
    if not location:
        fail("the 201 has no Location header")
    if urlsplit(location).scheme not in ("", "http", "https"):
        fail(f"the Location {location!r} is not an http(s) URL")
    created = urlsplit(exchange.request.url).path.rstrip("/")
    points_to = urlsplit(urljoin(exchange.request.url, location)).path.rstrip("/")
    body = response.json.value if response.json.ok and isinstance(response.json.value, dict) else {}
    new_id = body.get("id")
    if points_to not in (created, f"{created}/{new_id}", f"{created}('{new_id}')"):
        fail(f"the Location {location!r} is not the new object's URL ({created})")


def odata_context_first(exchange: Exchange) -> None:
    members = list(_success_object(exchange))
    if "@odata.context" in members and members[0] != "@odata.context":
        fail(f"`@odata.context` is member {members.index('@odata.context') + 1}, not the first")


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def challenge_schemes(value: str) -> list[str]:
    """The auth-schemes of a WWW-Authenticate value (RFC 9110 § 11.6.1: challenges separated by commas,
    each a scheme and its parameters, which are `name=value` pairs or one token68), lower case."""
    schemes = []
    for item in _QUOTED.sub('""', value).split(","):
        first = item.strip().split(" ", 1)[0]
        if first and "=" not in first:
            schemes.append(first.lower())
    return schemes


def bearer_challenge(exchange: Exchange) -> None:
    response = exchange.response
    if response is None or response.status != 401:
        not_applicable("not a 401 response")
    values = [value for name, value in response.headers if name.lower() == "www-authenticate"]
    if not values:
        fail("the 401 has no WWW-Authenticate header")
    if "bearer" not in [scheme for value in values for scheme in challenge_schemes(value)]:
        fail(f"the 401's WWW-Authenticate offers no Bearer challenge: {_show(', '.join(values))}")


def request_id_header(exchange: Exchange) -> None:
    response = exchange.response
    if response is None:
        not_applicable("no response")
    if not (response.header("request-id") or "").strip():
        fail(f"the {response.status} response has no request-id header")


def distinct_ids(*creates: Exchange) -> None:
    """Every create of the case got an id no other create of it got (compared without case: a GUID
    in upper case is the same GUID). Creates that did not succeed are left out; fewer than two left,
    nothing to compare."""
    owners: dict[str, int] = {}
    for number, exchange in enumerate(creates, 1):
        try:
            guid = _guid_id(exchange).lower()
        except NotApplicable:
            continue
        if guid in owners:
            fail(f"creates {owners[guid]} and {number} of {len(creates)} both got id {guid}{_overlap(creates[owners[guid]-1], exchange)}")
        owners[guid] = number
    if len(owners) < 2:
        not_applicable(f"fewer than two of {len(creates)} creates succeeded with a GUID id")

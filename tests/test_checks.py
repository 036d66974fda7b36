"""Each check on hand-made exchanges: it passes what is right, fails what is wrong, and stands aside
(not applicable) where another requirement owns the defect."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import checks
from conformance.catalogue import REQUIREMENTS
from conformance.exchange import MAX_DEPTH, Exchange, Request, Response, Shortfall

GUID = "e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4"
SENT: dict[str, Any] = {"secrets": [{"key": "UserName", "value": "a"}, {"key": "Password", "value": None}]}


def exchange(
    body: Any = None,
    *,
    status: int = 201,
    content_type: str | None = "application/json",
    raw: bytes | None = None,
    sent: Any = SENT,
) -> Exchange:
    headers = (("Content-Type", content_type),) if content_type else ()
    payload = raw if raw is not None else json.dumps(body).encode()
    return Exchange(Request("POST", "http://x/beta/applications/a/synchronization", (), b"", sent), Response(status, "", headers, payload))


def created(**members: Any) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.synchronization", "id": GUID, "secrets": SENT["secrets"], **members}


def outcome(check, ex: Exchange) -> str:
    return checks.judge(check, ex).outcome


def test_created_201() -> None:
    assert outcome(checks.created_201, exchange(created())) == "pass"
    assert outcome(checks.created_201, exchange(created(), status=500)) == "n/a"
    assert checks.judge(checks.created_201, exchange(created(), status=200)).reason.startswith("expected 201 Created, got 200")
    no_answer = Exchange(Request("POST", "http://x", (), b""), error="cannot connect", shortfall=Shortfall.REFUSED)
    assert checks.judge(checks.created_201, no_answer) == checks.Result("n/a", checks.NO_ANSWER)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        "Application/JSON; Charset=UTF-8",
        "application/problem+json",
    ],
)
def test_json_media_type_accepts_json_media_types_with_parameters(content_type: str) -> None:
    assert outcome(checks.json_media_type, exchange(created(), content_type=content_type)) == "pass"


@pytest.mark.parametrize("content_type", [None, "text/plain", "text/json", "application/jsonx", "json"])
def test_json_media_type_fails_other_media_types(content_type: str | None) -> None:
    assert outcome(checks.json_media_type, exchange(created(), content_type=content_type)) == "fail"


def test_json_media_type_fails_a_body_that_is_not_json_and_ignores_errors() -> None:
    assert "not JSON" in checks.judge(checks.json_media_type, exchange(raw=b"{nope")).reason
    assert "not valid UTF-8" in checks.judge(checks.json_media_type, exchange(raw=b'{"id": "\xff"}')).reason
    assert outcome(checks.json_media_type, exchange(raw=b'{"x": NaN}')) == "fail"
    assert outcome(checks.json_media_type, exchange(raw=b"oops", status=400, content_type="text/plain")) == "n/a"


def _escaped(name: str, how: int) -> str:
    """`name` as a JSON string, spelled one of three ways that all decode to it."""
    if how == 0:
        return json.dumps(name)
    if how == 1:
        return json.dumps(name, ensure_ascii=False)
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in name) + '"'


@given(
    body=st.recursive(
        st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=3),
        lambda inner: st.dictionaries(st.text(max_size=4), inner, min_size=1, max_size=3),
        max_leaves=6,
    ),
    path=st.lists(st.integers(0, 5), max_size=3),
    how=st.integers(0, 2),
)
def test_a_member_name_twice_in_one_object_is_not_a_json_success_body(body: dict[str, Any], path: list[int], how: int) -> None:
    """Wherever an object repeats a name, however the second is escaped, the body fails SYNC-CREATE-JSON
    (a client that keeps the first and one that keeps the last read different objects); the same body
    with each name once per object passes, though names repeat across objects."""
    target = body
    for step in path:  # walk down to some nested object
        nested = [value for value in target.values() if isinstance(value, dict)]
        if not nested:
            break
        target = nested[step % len(nested)]
    name = next(iter(target))
    assert outcome(checks.json_media_type, exchange(raw=json.dumps(body).encode())) == "pass"
    text = json.dumps(body)
    marker = json.dumps(target)
    doubled = marker[:-1] + ", " + _escaped(name, how) + ": 0}"
    raw = text.replace(marker, doubled, 1).encode()
    result = checks.judge(checks.json_media_type, exchange(raw=raw))
    assert result.outcome == "fail" and "appears twice in one object" in result.reason, raw


@pytest.mark.parametrize("value", [GUID, GUID.upper(), "00000000-0000-0000-0000-000000000000"])
def test_id_canonical_guid_passes(value: str) -> None:
    assert outcome(checks.id_canonical_guid, exchange(created(id=value))) == "pass"


@pytest.mark.parametrize("value", ["{" + GUID + "}", "urn:uuid:" + GUID, GUID.replace("-", ""), GUID + " ", 42, None, "sync-1"])
def test_id_canonical_guid_fails_other_forms(value: Any) -> None:
    assert outcome(checks.id_canonical_guid, exchange(created(id=value))) == "fail"


def test_id_canonical_guid_fails_a_missing_id_and_stands_aside_for_non_objects() -> None:
    body = created()
    del body["id"]
    assert checks.judge(checks.id_canonical_guid, exchange(body)).reason == "no `id` in the body"
    assert outcome(checks.id_canonical_guid, exchange([1, 2])) == "n/a"
    assert outcome(checks.id_canonical_guid, exchange(raw=b"<html>", content_type="text/html")) == "n/a"


def test_id_lowercase() -> None:
    assert outcome(checks.id_lowercase, exchange(created())) == "pass"
    assert outcome(checks.id_lowercase, exchange(created(id=GUID.upper()))) == "fail"
    assert outcome(checks.id_lowercase, exchange(created(id="NOT-A-GUID"))) == "n/a"


@pytest.mark.parametrize(
    "secrets",
    [
        [{"key": "UserName", "value": "a"}, {"key": "Password", "value": None}],
        [{"key": "Password"}, {"key": "UserName", "value": "a", "@odata.type": "#x", "@a.b": 1}],
    ],
    ids=["same", "absent-value-is-null-order-and-annotations-ignored"],
)
def test_secrets_echoed_passes(secrets: list) -> None:
    assert outcome(checks.secrets_echoed, exchange(created(secrets=secrets))) == "pass"


@pytest.mark.parametrize(
    "secrets, reason",
    [
        ([{"key": "UserName", "value": "a"}], "lost or altered"),
        ([*SENT["secrets"], {"key": "Url", "value": "u"}], "added or altered"),
        ([{"key": "UserName", "value": "a "}, {"key": "Password", "value": None}], "lost or altered"),
        ([{"key": "UserName", "value": "*"}, {"key": "Password", "value": None}], "added or altered"),
        ([{"key": "username", "value": "a"}, {"key": "Password", "value": None}], "lost or altered"),
        ([{"value": "a"}, {"key": "Password", "value": None}], "lost or altered"),
        ("UserName=a", "not an array"),
        (["UserName", "Password"], "not an object"),
    ],
    ids=["lost", "added", "padded", "masked", "key-case", "key-dropped", "not-array", "not-objects"],
)
def test_secrets_echoed_fails(secrets: Any, reason: str) -> None:
    result = checks.judge(checks.secrets_echoed, exchange(created(secrets=secrets)))
    assert result.outcome == "fail" and reason in result.reason


def test_secrets_echoed_missing_or_null_secrets() -> None:
    body = created()
    del body["secrets"]
    assert outcome(checks.secrets_echoed, exchange(body)) == "fail"
    assert outcome(checks.secrets_echoed, exchange(body, sent={"secrets": []})) == "pass"
    assert outcome(checks.secrets_echoed, exchange(created(secrets=None), sent={"secrets": []})) == "pass"


def test_secrets_echo_tells_a_keyless_pair_from_one_keyed_with_the_text_absent() -> None:
    sent = {"secrets": [{"value": "v"}]}
    assert outcome(checks.secrets_echoed, exchange(created(secrets=[{"value": "v"}]), sent=sent)) == "pass"
    faked = created(secrets=[{"key": "<absent>", "value": "v"}])
    assert outcome(checks.secrets_echoed, exchange(faked, sent=sent)) == "fail"


def test_secrets_in_order() -> None:
    assert outcome(checks.secrets_in_order, exchange(created())) == "pass"
    assert outcome(checks.secrets_in_order, exchange(created(secrets=SENT["secrets"][::-1]))) == "fail"
    assert outcome(checks.secrets_in_order, exchange(created(secrets=SENT["secrets"][:1]))) == "n/a"


@pytest.mark.parametrize("value", ["microsoft.graph.synchronization", "#microsoft.graph.Synchronization", None, 1])
def test_odata_type_fails_anything_but_the_exact_fragment(value: Any) -> None:
    assert outcome(checks.odata_type, exchange(created(**{"@odata.type": value}))) == "fail"
    assert outcome(checks.odata_type, exchange(created())) == "pass"
    body = created()
    del body["@odata.type"]
    assert outcome(checks.odata_type, exchange(body)) == "fail"


def test_nested_odata_type_hash() -> None:
    with_hash = [{"@odata.type": "#microsoft.graph.synchronizationSecretKeyStringValuePair", **s} for s in SENT["secrets"]]
    without = [{"@odata.type": "microsoft.graph.synchronizationSecretKeyStringValuePair", **s} for s in SENT["secrets"]]
    assert outcome(checks.nested_odata_type_hash, exchange(created())) == "pass"
    assert outcome(checks.nested_odata_type_hash, exchange(created(secrets=with_hash))) == "pass"
    result = checks.judge(checks.nested_odata_type_hash, exchange(created(secrets=without)))
    assert result.outcome == "fail" and "/secrets/0" in result.reason
    assert outcome(checks.nested_odata_type_hash, exchange(created(**{"@odata.type": "x"}))) == "pass"


def test_body_schema() -> None:
    assert outcome(checks.body_schema, exchange(created(jobs=[], extra={"any": 1}, **{"@a.b": 2}))) == "pass"
    result = checks.judge(checks.body_schema, exchange(created(jobs={"value": []})))
    assert result.outcome == "fail" and "/jobs" in result.reason
    assert outcome(checks.body_schema, exchange([1])) == "fail"
    assert outcome(checks.body_schema, exchange(raw=b"not json")) == "n/a"


def test_an_incomplete_body_is_not_parsed() -> None:
    incomplete = "body too large: more than 10 bytes"
    ex = Exchange(Request("POST", "u", (), b""), Response(201, "", (("Content-Type", "application/json"),), b"{}", incomplete))
    assert checks.judge(checks.json_media_type, ex).reason == incomplete


# --- rejection, errors and conventions ------------------------------------------------------------


@pytest.mark.parametrize(
    "status, outcome",
    [(400, "pass"), (422, "pass"), (201, "fail"), (200, "fail"), (401, "n/a"), (403, "n/a"), (500, "n/a")],
)
def test_rejected(status: int, outcome: str) -> None:
    assert checks.judge(checks.rejected, exchange({}, status=status)).outcome == outcome


@pytest.mark.parametrize("status, outcome", [(400, "pass"), (422, "fail"), (201, "n/a"), (401, "n/a"), (503, "n/a")])
def test_rejection_code_judges_only_rejections(status: int, outcome: str) -> None:
    assert checks.judge(checks.rejection_code(400), exchange({}, status=status)).outcome == outcome


@pytest.mark.parametrize("status, outcome", [(400, "pass"), (404, "pass"), (422, "fail"), (201, "fail"), (500, "n/a")])
def test_rejected_as(status: int, outcome: str) -> None:
    assert checks.judge(checks.rejected_as(400, 404), exchange({}, status=status)).outcome == outcome


@pytest.mark.parametrize("status, outcome", [(401, "pass"), (403, "fail"), (201, "fail"), (400, "fail"), (500, "n/a")])
def test_unauthorized(status: int, outcome: str) -> None:
    assert checks.judge(checks.unauthorized, exchange({}, status=status)).outcome == outcome


def test_no_answer_is_the_answered_requirement_s_alone() -> None:
    dropped = Exchange(Request("POST", "u", (), b""), error="connection dropped before an answer", shortfall=Shortfall.DROPPED)
    for check in (checks.rejected, checks.rejection_code(415), checks.rejected_as(400), checks.unauthorized, checks.created_201):
        assert checks.judge(check, dropped) == checks.Result("n/a", checks.NO_ANSWER)
    assert checks.judge(checks.no_server_error, dropped).outcome == "n/a"
    assert checks.judge(checks.answered, dropped) == checks.Result("fail", "connection dropped before an answer")
    assert checks.judge(checks.no_server_error, exchange({}, status=502)).outcome == "fail"
    assert checks.judge(checks.no_server_error, exchange({}, status=404)).outcome == "pass"


INNER = {"request-id": "r", "date": "2026-11-25T14:10:23"}
GRAPH_ERROR = {"error": {"code": "BadRequest", "message": "m", "innerError": INNER}}


@pytest.mark.parametrize(
    "body, must, should",
    [
        (GRAPH_ERROR, "pass", "pass"),
        ({"error": {"code": "BadRequest", "message": "m", "innererror": INNER}}, "pass", "pass"),
        ({"error": {"code": "BadRequest", "message": "m"}}, "pass", "fail"),
        ({"error": {"code": "BadRequest", "message": "m", "innerError": {"date": "2026-11-25T14:10:23"}}}, "pass", "fail"),
        ({"error": {"code": "", "message": "m"}}, "fail", "n/a"),
        ({"message": "m"}, "fail", "n/a"),
        ({"error": "BadRequest"}, "fail", "n/a"),
    ],
    ids=["graph", "odata-spelling", "no-inner", "no-request-id", "empty-code", "message-only", "error-string"],
)
def test_graph_error_body_and_inner_error(body: Any, must: str, should: str) -> None:
    ex = exchange(body, status=400)
    assert (checks.judge(checks.graph_error_body, ex).outcome, checks.judge(checks.graph_error_inner, ex).outcome) == (must, should)


def test_graph_error_body_needs_json_and_applies_only_to_4xx() -> None:
    assert checks.judge(checks.graph_error_body, exchange(raw=b"Unauthorized", status=401, content_type="text/plain")).outcome == "fail"
    assert checks.judge(checks.graph_error_body, exchange(raw=b"", status=401)).outcome == "fail"
    assert checks.judge(checks.graph_error_body, exchange({"message": "m"}, status=500)).outcome == "n/a"
    assert checks.judge(checks.graph_error_body, exchange(created())).outcome == "n/a"


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 5_000, 200_000])
def test_a_body_is_read_to_a_fixed_depth_whatever_the_stack(depth: int) -> None:
    """A Graph error with deeply nested `details` is read up to MAX_DEPTH levels and failed past it with
    that reason, the same wherever it is parsed; never the suite's own RecursionError."""
    raw = b'{"error": {"code": "c", "message": "m", "details": ' + b"[" * (depth - 2) + b"]" * (depth - 2) + b"}}"
    result = checks.judge(checks.graph_error_body, exchange(raw=raw, status=400))
    if depth <= MAX_DEPTH:
        assert result.outcome == "pass", result
    else:
        assert result.outcome == "fail" and f"nested more than {MAX_DEPTH} levels deep" in result.reason, result


def test_location_request_id_and_context_position() -> None:
    headers = (("Location", "/beta/applications/a/synchronization"), ("request-id", "r"))
    with_location = Exchange(SENT_REQUEST, Response(201, "", headers, b"{}"))
    assert checks.judge(checks.location_header, with_location).outcome == "pass"
    assert checks.judge(checks.location_header, exchange(created())).outcome == "fail"
    assert checks.judge(checks.location_header, exchange(created(), status=200)).outcome == "n/a"
    assert checks.judge(checks.request_id_header, with_location).outcome == "pass"
    assert checks.judge(checks.request_id_header, exchange({}, status=400)).outcome == "fail"
    first = {"@odata.context": "c", **created()}
    assert checks.judge(checks.odata_context_first, exchange(first)).outcome == "pass"
    assert checks.judge(checks.odata_context_first, exchange(created(**{"@odata.context": "c"}))).outcome == "fail"
    assert checks.judge(checks.odata_context_first, exchange(created())).outcome == "pass"


def test_distinct_ids() -> None:
    other = created(id="0d6b4e0e-0000-4000-8000-000000000001")
    assert checks.judge(checks.distinct_ids, exchange(created()), exchange(other)).outcome == "pass"
    assert checks.judge(checks.distinct_ids, exchange(created()), exchange(created(id=GUID.upper()))).outcome == "fail"
    assert checks.judge(checks.distinct_ids, exchange(created()), exchange(created(id="x"))).outcome == "n/a"


@given(ids=st.lists(st.uuids(), min_size=2, max_size=30, unique=True), data=st.data())
def test_distinct_ids_compares_every_create_with_every_other(ids: list[Any], data: st.DataObject) -> None:
    """A server that hands out an id again after any number of creates (a recycled pool, a counter
    that wraps) is caught wherever the two creates stand in the case, however the id is cased."""
    creates = [exchange(created(id=str(guid))) for guid in ids]
    assert checks.judge(checks.distinct_ids, *creates).outcome == "pass"
    first = data.draw(st.integers(0, len(ids) - 2))
    again = data.draw(st.integers(first + 1, len(ids) - 1))
    repeated = str(ids[first]).upper() if data.draw(st.booleans()) else str(ids[first])
    creates[again] = exchange(created(id=repeated))
    result = checks.judge(checks.distinct_ids, *creates)
    assert result.outcome == "fail" and result.reason.startswith(f"creates {first + 1} and {again + 1} of {len(ids)}"), result


SENT_REQUEST = Request("POST", "http://x/beta/applications/a/synchronization", (), b"", SENT)


@pytest.mark.parametrize(
    "shortfall, answered",
    [(None, True), (Shortfall.TOO_LARGE, True), (Shortfall.CUT_OFF, False), (Shortfall.TIMEOUT, False)],
)
def test_an_answer_is_complete_unless_cut_off_or_too_slow(shortfall: Shortfall | None, answered: bool) -> None:
    """A body over the suite's cap is the suite's limit (the body checks judge it), not a broken answer;
    an answer cut off or too slow is judged by SYNC-ANSWERED alone."""
    base = exchange(created(), status=400)
    incomplete = {
        Shortfall.TOO_LARGE: "body too large",
        Shortfall.CUT_OFF: "body cut off: IncompleteRead",
        Shortfall.TIMEOUT: "body not complete within 1 s",
    }
    assert base.response is not None
    response = Response(400, "", base.response.headers, b'{"error', incomplete.get(shortfall) if shortfall else None)
    ex = Exchange(base.request, response if shortfall else base.response, shortfall=shortfall)
    assert checks.judge(checks.answered, ex).outcome == ("pass" if answered else "fail")
    if not answered:
        assert shortfall is not None and checks.judge(checks.answered, ex).reason == incomplete[shortfall]
        for check in (checks.graph_error_body, checks.json_media_type, checks.rejected):
            assert checks.judge(check, ex).outcome in ("n/a", "pass")
    if shortfall is Shortfall.TOO_LARGE:  # the body checks judge what the cap kept
        assert checks.judge(checks.graph_error_body, ex) == checks.Result("fail", "the 400 body is not a Graph error: body too large")


def test_a_malformed_answer_is_not_an_answer() -> None:
    error = "not an HTTP answer: BadStatusLine: HTTP/1.1 2x01"
    broken = Exchange(Request("POST", "u", (), b""), error=error, shortfall=Shortfall.MALFORMED)
    assert checks.judge(checks.answered, broken) == checks.Result("fail", error)
    assert not broken.answered and not Shortfall.MALFORMED.silent and Shortfall.TIMEOUT.silent


@pytest.mark.parametrize(
    "content_type, outcome",
    [("application/json", "pass"), ("application/json; odata.metadata=minimal; charset=utf-8", "pass"),
     ("application/problem+json", "pass"), ("text/plain; charset=utf-8", "fail"), (None, "fail")],
)  # fmt: skip
def test_a_graph_error_is_sent_as_json(content_type: str | None, outcome: str) -> None:
    result = checks.judge(checks.graph_error_body, exchange(GRAPH_ERROR, status=400, content_type=content_type))
    assert result.outcome == outcome, result
    if outcome == "fail":
        assert result.reason.startswith("the 400 Graph error: ")


def _created_at(location: str | None) -> Exchange:
    base = exchange(created(), status=201)
    assert base.response is not None
    headers = base.response.headers + ((("Location", location),) if location is not None else ())
    url = "https://graph.example/beta/applications/app-1/synchronization"
    return Exchange(replace(base.request, url=url), replace(base.response, headers=headers))


@pytest.mark.parametrize(
    "location",
    [
        "https://graph.example/beta/applications/app-1/synchronization",
        "https://proxy.example:8443/beta/applications/app-1/synchronization/",
        "/beta/applications/app-1/synchronization",
        "synchronization",
        f"https://graph.example/beta/applications/app-1/synchronization/{GUID}",
        f"/beta/applications/app-1/synchronization('{GUID}')",
    ],
)
def test_location_names_the_new_object(location: str) -> None:
    assert checks.judge(checks.location_header, _created_at(location)) == checks.PASS


@pytest.mark.parametrize(
    "location",
    ["https://graph.example/beta/applications", "/beta/applications/app-2/synchronization", f"/beta/{GUID}", "/"],
)
def test_a_location_elsewhere_fails(location: str) -> None:
    result = checks.judge(checks.location_header, _created_at(location))
    assert result.outcome == "fail" and "is not the new object's URL (/beta/applications/app-1/synchronization)" in result.reason


@pytest.mark.parametrize(
    "date, outcome",
    [("2026-11-25T14:10:23", "pass"), ("2026-11-25T14:10:23.1234567Z", "pass"), ("2026-11-25T14:10:23+01:00", "pass"),
     ("2026-11-25", "fail"), ("1764080000", "fail"), ("yesterday", "fail"), ("2026-13-45T25:61:61", "fail")],
)  # fmt: skip
def test_inner_error_date_is_a_date_time(date: str, outcome: str) -> None:
    body = {"error": {"code": "c", "message": "m", "innerError": {"request-id": "r", "date": date}}}
    assert checks.judge(checks.graph_error_inner, exchange(body, status=400)).outcome == outcome


def test_a_one_exchange_check_judges_each_exchange_of_a_case() -> None:
    """A case of several exchanges (every corpus body created twice) is judged exchange by exchange by
    the requirements on every request: one unanswered create among them fails SYNC-ANSWERED."""
    unanswered = Exchange(SENT_REQUEST, error="no answer within 10 s", shortfall=Shortfall.TIMEOUT)
    fine, refused = exchange(created()), exchange({"error": {"code": "c", "message": "m"}}, status=400)
    assert checks.judge_each(checks.answered, (fine, unanswered, fine)) == checks.Result("fail", "no answer within 10 s")
    assert checks.judge_each(checks.answered, (fine, fine)).outcome == "pass"
    assert checks.judge_each(checks.graph_error_body, (fine, refused)).outcome == "pass"
    assert checks.judge_each(checks.graph_error_body, (fine, fine)).outcome == "n/a"
    assert {r.id for r in REQUIREMENTS if r.whole_case} == {"SYNC-ID-UNIQUE", "SYNC-SECRETS-ECHO"}


def _with_challenge(*values: str, status: int = 401) -> Exchange:
    ex = exchange({"error": {"code": "InvalidAuthenticationToken", "message": "no"}}, status=status)
    assert ex.response is not None
    return replace(ex, response=replace(ex.response, headers=(*ex.response.headers, *(("WWW-Authenticate", v) for v in values))))


@pytest.mark.parametrize(
    ("values", "result"),
    [
        (("Bearer",), "pass"),
        (('Bearer error="invalid_token"',), "pass"),
        (('Basic realm="graph, Bearer sync"', 'bearer realm="x"'), "pass"),  # two headers, the scheme in either case
        (('Basic realm="graph", Bearer realm="graph", error_description="a, b"',), "pass"),
        ((), "fail"),
        (('Basic realm="Bearer"',), "fail"),  # "Bearer" only inside a quoted parameter
        (("Negotiate Ymvhcmvy",), "fail"),
        (('Basic realm="x", error="Bearer"',), "fail"),
    ],
)
def test_a_401_offers_the_bearer_scheme(values: tuple[str, ...], result: str) -> None:
    assert outcome(checks.bearer_challenge, _with_challenge(*values)) == result


def test_the_bearer_challenge_applies_to_401s_only() -> None:
    assert outcome(checks.bearer_challenge, _with_challenge(status=403)) == "n/a"
    assert outcome(checks.bearer_challenge, exchange(created())) == "n/a"


def _member(sent: list[dict[str, Any]], got: list[dict[str, Any]], window: tuple[float, float] | None = (0.0, 0.01)) -> Exchange:
    """A create of a burst: `sent` its secrets, `got` the secrets its answer holds."""
    return replace(exchange(created(secrets=got), sent={"secrets": sent}), together=window)


def test_an_answer_with_the_secrets_of_another_request_of_the_burst_says_whose() -> None:
    a, b, c = ([{"key": "UserName", "value": name}] for name in ("a", "b", "c"))
    mixed = checks.judge(checks.secrets_echoed, _member(a, a), _member(b, c, (0.001, 0.012)), _member(c, c, (0.0005, 0.011)))
    assert mixed.outcome == "fail"
    assert mixed.reason.startswith(
        "answered with the secrets of another request of the same burst: request 2 of 3 got exactly the 1 secret(s) request 3 sent"
    ), mixed.reason
    assert "+1.0–12.0 ms and +0.5–11.0 ms" in mixed.reason
    # Secrets nobody sent: the echo failure as for any create; not sent together: no burst is named.
    assert checks.judge(checks.secrets_echoed, _member(a, a), _member(b, [])).reason.startswith("sent 1 secret(s), got 0")
    alone = checks.judge(checks.secrets_echoed, _member(a, a, None), _member(b, a, None)).reason
    assert alone.startswith("answered with the secrets of another request of the same case"), alone
    assert checks.judge(checks.secrets_echoed, _member(a, a), _member(b, b)).outcome == "pass"


def test_duplicate_ids_in_a_burst_show_when_both_were_in_flight() -> None:
    first, second = _member([], [], (0.0, 0.011)), _member([], [], (0.0002, 0.0105))
    result = checks.judge(checks.distinct_ids, first, second)
    assert result.outcome == "fail" and result.reason.endswith("(in flight +0.0–11.0 ms and +0.2–10.5 ms from their release)"), result

"""The contract files: valid schemas, and the stub's own examples accepted as the stub shows them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from conformance import contract
from conformance.catalogue import REQUIREMENTS, VALID_CREATES
from conformance.contract import accepts, error_validator, request_validator, response_validator, schema_problem
from conformance.corpus import SPEC_EXAMPLE
from conformance.exchange import Exchange, Request, Response

JSON_SCHEMAS = sorted(p.name for p in contract.schemas_dir().glob("*.json"))


def spec_examples() -> tuple[dict, dict]:
    """The request and response JSON bodies of the stub's "Examples" section."""
    text = contract.spec_path().read_text(encoding="utf-8")
    blocks = re.findall(r"``` http\n(.*?)```", text, re.S)
    bodies = [json.loads(block.split("\n\n", 1)[1]) for block in blocks if "\n\n" in block]
    request, response = bodies
    return request, response


@pytest.mark.parametrize("name", JSON_SCHEMAS)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = contract.json_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_openapi_description_is_valid_openapi_3_1() -> None:
    document = contract.openapi()
    assert document["openapi"].startswith("3.1")
    validate_openapi(document, base_uri=contract.openapi_path().as_uri())


def test_the_enum_has_the_45_members_in_metadata_order() -> None:
    names = contract.secret_names()
    assert len(names) == len(set(names)) == 45
    assert (names[0], names[1], names[-1]) == ("None", "UserName", "ConnectionString")


def test_spec_example_request_is_a_valid_request_and_the_corpus_sends_it_verbatim() -> None:
    request, _ = spec_examples()
    assert request == SPEC_EXAMPLE
    assert contract.request_validator().is_valid(request)
    assert contract.response_validator().is_valid(request)


def test_spec_example_response_meets_every_must_and_only_shoulds_flag_it() -> None:
    """The stub's example breaks two conventions: a nested type without '#', and no Location."""
    request, response = spec_examples()
    exchange = Exchange(
        Request("POST", "https://graph.microsoft.com/beta/applications/x/synchronization", (), b"", request),
        Response(201, "Created", (("Content-Type", "application/json"),), json.dumps(response).encode()),
    )
    outcomes = {r.id: r.judge(exchange).outcome for r in REQUIREMENTS if r.probes == VALID_CREATES}
    assert {rid for rid, outcome in outcomes.items() if outcome != "pass"} == {"SYNC-ODATA-TYPE-HASH", "SYNC-LOCATION"}


def test_responses_may_carry_unknown_annotations_properties_and_enum_members() -> None:
    body = {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
        "@contoso.note": 1,
        "vendorExtension": {"a": [1]},
        "id": "e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4",
        "secrets": [{"key": "AMemberAddedNextYear", "value": None, "@contoso.x": True, "extra": 2}],
    }
    assert contract.response_validator().is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        {"secrets": "not-an-array"},
        {"secrets": [{"key": "UserName", "value": 5}]},
        {"secrets": [{"key": "NotAMember", "value": "x"}]},
        {"secrets": [{"key": "UserName", "value": "x", "extra": 1}]},
        {"secrets": []} | {"unknown": 1},
        {},
    ],
    ids=["secrets-not-array", "value-not-string", "key-not-member", "extra-in-secret", "extra-at-top", "no-secrets"],
)
def test_request_schema_rejects_what_a_client_may_not_send(body: dict) -> None:
    assert not contract.request_validator().is_valid(body)


def test_graph_error_schema_accepts_both_inner_error_spellings_and_needs_code_and_message() -> None:
    validator = contract.error_validator()
    assert validator.is_valid({"error": {"code": "BadRequest", "message": "m", "innerError": {"date": "d"}}})
    assert validator.is_valid({"error": {"code": "BadRequest", "message": "m", "innererror": {}}})
    assert not validator.is_valid({"message": "m"})
    assert not validator.is_valid({"error": {"code": "", "message": "m"}})


_NAMES = ["id", "secrets", "key", "value", "@odata.type", "@odata.context", "error", "code", "message", "innerError", "request-id", "date"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["UserName", "Password", "#microsoft.graph.synchronization", ""]) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_NAMES), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@pytest.mark.slow
@settings(max_examples=1500, database=None, deadline=None)
@given(instance=_JSON, which=st.sampled_from(["request", "response", "error"]))
def test_the_compiled_schemas_decide_as_jsonschema_does(instance: Any, which: str) -> None:
    """Every schema decides by its compiled form (contract.accepts) and is worded by jsonschema: on
    JSON made of the contract's own names and values, valid and not, the two always agree, and a
    refusal always has words."""
    validator = {"request": request_validator, "response": response_validator, "error": error_validator}[which]()
    assert accepts(validator, instance) == validator.is_valid(instance)
    assert (schema_problem(validator, instance) is None) == validator.is_valid(instance)

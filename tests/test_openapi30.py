"""The contract as OpenAPI 3.0.3 (conformance/openapi30.py): the committed rendition is what the command
writes, a 3.0-only mock server (connexion) takes it where it refuses the 3.1 source, it decides every
body as the 3.1 contract does, and each 2020-12 feature converts to a 3.0 spelling of the same meaning
or is refused by name."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import connexion
import pytest
import yaml
from connexion.exceptions import InvalidSpecification
from connexion.mock import MockResolver
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator
from openapi_spec_validator import validate as validate_openapi

from conformance import contract
from conformance.cli import main
from conformance.corpus import SPEC_EXAMPLE
from conformance.errors import ConversionError
from conformance.openapi30 import COMMAND, convert, render, rendition_path

OPERATION = "/beta/applications/e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4/synchronization"
TOKEN = "mock-token"


def rendition() -> dict[str, Any]:
    return yaml.safe_load(rendition_path().read_text(encoding="utf-8"))


def test_the_committed_rendition_is_what_the_command_writes(tmp_path, capsys) -> None:
    written = tmp_path / "openapi-3.0.yaml"
    assert main(["openapi", "--version", "3.0", "-o", str(written)]) == 0
    assert written.read_text(encoding="utf-8") == rendition_path().read_text(encoding="utf-8"), f"stale: run `{COMMAND}`"
    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == render()


def _references(node: Any) -> list[str]:
    """Every `$ref` in a document (none of its examples holds one)."""
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in _references(value)]
    return [ref for item in node for ref in _references(item)] if isinstance(node, list) else []


def test_the_rendition_is_valid_openapi_3_0_3_in_one_file() -> None:
    document = rendition()
    assert document["openapi"] == "3.0.3"
    validate_openapi(document, cls=OpenAPIV30SpecValidator)
    assert {ref.split("/")[1] for ref in _references(document)} == {"components"}
    assert rendition_path().parent == contract.schemas_dir()  # so the wheel ships it (force-included schemas/)


def _app(spec) -> connexion.AsyncApp:
    app = connexion.AsyncApp(__name__)
    app.add_api(spec, resolver=MockResolver(mock_all=True))
    return app


def test_connexion_refuses_the_3_1_contract() -> None:
    """Why the rendition exists: connexion 3 validates a spec against OpenAPI 3.0's own schema."""
    with pytest.raises(InvalidSpecification, match=re.escape("'3.1.0' does not match")):
        _app(contract.openapi_path())


def bearer_info(token: str) -> dict[str, str] | None:
    """The token check connexion asks for before it mocks an operation secured by a bearer scheme."""
    return {"sub": "mock"} if token == TOKEN else None


def test_connexion_mocks_the_operation_from_the_rendition(monkeypatch) -> None:
    """It answers the contract's example, and refuses what the rendition's request schema refuses."""
    monkeypatch.setenv("BEARERINFO_FUNC", f"{__name__}.bearer_info")
    client = _app(rendition_path()).test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    created = client.post(OPERATION, json=SPEC_EXAMPLE, headers=headers)
    assert created.status_code == 201, created.text
    example = contract.openapi()["paths"][contract.OPERATION_PATH]["post"]["responses"]["201"]["content"]["application/json"]["example"]
    assert created.json() == example
    refused = client.post(OPERATION, json={"secrets": [{"key": "NotAMember", "value": "x"}]}, headers=headers)
    assert refused.status_code == 400
    assert client.post(OPERATION, json=SPEC_EXAMPLE).status_code == 401


_NAMES = ["id", "secrets", "key", "value", "@odata.type", "@odata.context", "error", "code", "message", "target", "details"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["UserName", "#microsoft.graph.synchronization", "microsoft.graph.synchronizationSecretKeyStringValuePair", ""])
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_NAMES), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
_VALIDATORS = {
    "SynchronizationCreate": contract.request_validator,
    "synchronization": contract.response_validator,
    "graph-error": contract.error_validator,
}


@cache
def rendition_validator(component: str) -> OAS30Validator:
    """A component of the committed rendition, as a 3.0 tool validates with it."""
    return OAS30Validator({"$ref": f"#/components/schemas/{component}", "components": rendition()["components"]})


@settings(max_examples=300, database=None, deadline=None)
@given(instance=_JSON | st.just(SPEC_EXAMPLE), component=st.sampled_from(sorted(_VALIDATORS)))
def test_the_rendition_decides_every_body_as_the_3_1_contract_does(instance: Any, component: str) -> None:
    assert rendition_validator(component).is_valid(instance) == _VALIDATORS[component]().is_valid(instance)


# Each 2020-12 feature and its 3.0 spelling; a hypothesis test below shows the two decide alike.
CONVERSIONS = {
    "nullable": ({"type": ["string", "null"]}, {"type": "string", "nullable": True}),
    "types": ({"type": ["string", "integer"]}, {"allOf": [{"anyOf": [{"type": "string"}, {"type": "integer"}]}]}),
    "null-only": ({"type": "null"}, {"allOf": [{"type": "string", "nullable": True, "enum": [None]}]}),
    "const": ({"const": "a"}, {"enum": ["a"]}),
    "const-and-enum": ({"const": "a", "enum": ["a", "b"]}, {"enum": ["a"], "allOf": [{"enum": ["a", "b"]}]}),
    "examples": ({"type": "string", "examples": ["a", "b"]}, {"type": "string", "example": "a"}),
    "exclusive-minimum": ({"exclusiveMinimum": 0}, {"minimum": 0, "exclusiveMinimum": True}),
    "stricter-minimum": ({"minimum": 5, "exclusiveMinimum": 0}, {"minimum": 5}),
    "stricter-exclusive-maximum": ({"maximum": 10, "exclusiveMaximum": 10}, {"maximum": 10, "exclusiveMaximum": True}),
    "booleans": (
        {"type": "object", "properties": {"a": False, "b": True}},
        {"type": "object", "properties": {"a": {"not": {}}, "b": {}}},
    ),
    "array-items": ({"type": ["array", "null"]}, {"type": "array", "nullable": True, "items": {}}),
    "empty-required": ({"required": []}, {}),
    "dependent-required": (
        {"dependentRequired": {"a": ["b"]}},
        {"allOf": [{"anyOf": [{"not": {"type": "object", "required": ["a"]}}, {"required": ["b"]}]}]},
    ),
    "dependent-schemas": (  # a schema that refuses every object: only objects with `a` fail, anything else passes
        {"dependentSchemas": {"a": {"type": "integer"}}},
        {"allOf": [{"anyOf": [{"not": {"type": "object", "required": ["a"]}}, {"type": "integer"}]}]},
    ),
    "if-then-else": (
        {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"type": "integer"}},
        {"allOf": [{"anyOf": [
            {"allOf": [{"required": ["a"]}, {"required": ["b"]}]},
            {"allOf": [{"not": {"required": ["a"]}}, {"type": "integer"}]},
        ]}]},
    ),
    "contains": ({"contains": {"type": "integer"}}, {"allOf": [{"not": {"type": "array", "items": {"not": {"type": "integer"}}}}]}),
    "unevaluated-properties": (
        {"properties": {"a": {}}, "unevaluatedProperties": False},
        {"properties": {"a": {}}, "additionalProperties": False},
    ),
    "unevaluated-items": ({"unevaluatedItems": {"type": "integer"}}, {"items": {"type": "integer"}}),
    "dropped": ({"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "c", "title": "t"}, {"title": "t"}),
}  # fmt: skip


def _document(schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": schemas}}


def converted(schema: Any, files: dict[str, Any] | None = None) -> dict[str, Any]:
    """The components schema `S` becomes, `files` standing for schemas/'s JSON Schema files."""

    def load(name: str) -> Any:
        if name not in (files or {}):
            raise FileNotFoundError(name)  # as contract.json_schema does
        return (files or {})[name]

    return convert(_document({"S": schema}), load=load)["components"]["schemas"]


@pytest.mark.parametrize(("source", "expected"), CONVERSIONS.values(), ids=CONVERSIONS.keys())
def test_each_feature_converts_to_its_3_0_spelling(source: dict[str, Any], expected: dict[str, Any]) -> None:
    assert converted(source) == {"S": expected}


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 12) | st.sampled_from(["a", "b", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize(("source", "expected"), CONVERSIONS.values(), ids=CONVERSIONS.keys())
@settings(max_examples=60, database=None, deadline=None)
@given(instance=_ANY_JSON)
def test_each_conversion_decides_as_its_source_does(source: dict[str, Any], expected: dict[str, Any], instance: Any) -> None:
    assert OAS30Validator(expected).is_valid(instance) == Draft202012Validator(source).is_valid(instance)


def test_schema_files_become_components_and_their_defs_components_beside_them() -> None:
    files = {
        "thing.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": contract.BASE_URI + "thing.json",
            "properties": {"part": {"$ref": "#/$defs/part"}, "other": {"$ref": "other.json", "description": "d"}},
            "$defs": {"part": {"type": "string"}},
        },
        "other.json": {"$ref": "thing.json#/$defs/part"},
    }
    assert converted({"$ref": "thing.json"}, files) == {
        "S": {"$ref": "#/components/schemas/thing"},
        "other": {"$ref": "#/components/schemas/thing.part"},
        "thing": {
            "properties": {
                "part": {"$ref": "#/components/schemas/thing.part"},
                "other": {"description": "d", "allOf": [{"$ref": "#/components/schemas/other"}]},
            },
        },
        "thing.part": {"type": "string"},
    }


REFUSED = {
    "prefixItems": ({"prefixItems": [{"type": "string"}]}, "S/prefixItems: 3.0 has no item schemas by position"),
    "patternProperties": ({"patternProperties": {"^x": {}}}, "S/patternProperties: 3.0 has no properties named by a pattern"),
    "unknown keyword": ({"properties": {"a": {"minimumm": 1}}}, "S/properties/a/minimumm: minimumm is no JSON Schema 2020-12 keyword"),
    "null without a type": ({"enum": [None, "a"]}, "S/enum: 3.0 admits null only through nullable"),
    "unevaluated beside allOf": ({"allOf": [{}], "unevaluatedProperties": False}, "S/unevaluatedProperties: beside allOf"),
    "boolean exclusive bound": ({"exclusiveMinimum": True, "minimum": 0}, "S/exclusiveMinimum: 2020-12's exclusive bound is a number"),
    "nested $id": ({"properties": {"a": {"$id": "x.json"}}}, "S/properties/a/$id"),
    "remote $ref": ({"$ref": "https://example.com/x.json"}, "S/$ref: https://example.com/x.json is not a component"),
    "missing file": ({"$ref": "absent.json"}, "S/$ref: there is no absent.json in schemas/"),
}  # fmt: skip


@pytest.mark.parametrize(("source", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_what_3_0_cannot_say_is_refused_by_name_and_place(source: dict[str, Any], message: str) -> None:
    with pytest.raises(ConversionError, match=re.escape(f"openapi.yaml#/components/schemas/{message}")):
        converted(source)


def test_3_1_document_fields_are_refused_and_3_0_is_not_converted_again() -> None:
    with pytest.raises(ConversionError, match=re.escape("openapi.yaml#/webhooks: 3.0 has no webhooks")):
        convert(_document({}) | {"webhooks": {}})
    with pytest.raises(ConversionError, match=re.escape("openapi.yaml#/info/summary: 3.0's info has no summary")):
        convert(_document({}) | {"info": {"title": "t", "version": "1", "summary": "s"}})
    with pytest.raises(ConversionError, match=re.escape("'3.0.3' is not OpenAPI 3.1")):
        convert(rendition())

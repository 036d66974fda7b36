"""The request schema compiled once, for the reference server's hot path.

jsonschema interprets the schema on every call and resolves its `$ref`s (to the secret and the enum
schemas) each time: about 110 µs for a two-secret body, the largest single cost of a create. The same
schema compiled by jsonschema-rs (already installed: schemathesis depends on it) decides in under a
microsecond. It only decides: a refusal is still worded by jsonschema (`contract.schema_problem`), so
the server and the checks describe a schema error alike.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

import jsonschema_rs

from ..contract import BASE_URI, json_schema, request_validator, schemas_dir


@cache
def _compiled() -> jsonschema_rs.Validator:
    registry = jsonschema_rs.Registry([(BASE_URI + path.name, json_schema(path.name)) for path in sorted(schemas_dir().glob("*.json"))])
    # The very schema contract.request_validator() interprets (a dict: it is built there from openapi.yaml).
    return jsonschema_rs.validator_for(cast(dict[str, Any], request_validator().schema), registry=registry)


def request_schema_accepts(payload: Any) -> bool:
    """Whether `payload` is a valid SynchronizationCreate (openapi.yaml), by the compiled schema."""
    return _compiled().is_valid(payload)

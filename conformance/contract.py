"""The contract on disk: where the schemas are, their validators, and their fingerprints.

Schemas are read once per process (validators are cached) and the reference server, the checks and
the generator all read the same files, so the suite cannot disagree with itself about the contract.

Each schema is held twice: jsonschema interprets it and words what is wrong with an instance (the
one wording the checks, the reference server and the bundle share), and jsonschema-rs (already
installed: schemathesis depends on it) compiles it and decides whether anything is wrong at all, in
about a microsecond where jsonschema takes 0.1 to 2 ms and resolves its `$ref`s again on every call.
So a valid instance, by far the usual one on both the server's and the checks' hot paths, costs next
to nothing; tests/test_schemas.py shows the two agree.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

_HERE = Path(__file__).resolve().parent
BASE_URI = "https://graph-sync-conformance.invalid/schemas/"
OPERATION_PATH = "/applications/{applicationsId}/synchronization"
SPEC_NAME = "create-synchronization.md"
SYNCHRONIZATION_TYPE = "#microsoft.graph.synchronization"
PROVENANCE = (
    "The generated Microsoft Graph (beta) documentation stub 'Create synchronization', certified as written. "
    "Graph's metadata models synchronization as a single-valued containment navigation updated with PUT, so a "
    "pass certifies the contract as written, not that live Graph behaves so; OData and Graph conventions the "
    "stub omits or contradicts are graded SHOULD."
)
# Graph's Edm.Guid as text: 8-4-4-4-12 hex digits, no braces (an application id, a created id).
CANONICAL_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


def schemas_dir() -> Path:
    """schemas/ inside an installed wheel, or beside the package in a checkout."""
    packaged = _HERE / "schemas"
    return packaged if packaged.is_dir() else _HERE.parent / "schemas"


def openapi_path() -> Path:
    return schemas_dir() / "openapi.yaml"


def spec_path() -> Path:
    return schemas_dir() / "contract" / SPEC_NAME


@cache
def json_schema(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


@cache
def openapi() -> dict[str, Any]:
    return yaml.safe_load(openapi_path().read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resources = [(BASE_URI + path.name, Resource.from_contents(json_schema(path.name))) for path in sorted(schemas_dir().glob("*.json"))]
    return Registry().with_resources(resources)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=_registry())


@cache
def response_validator() -> Draft202012Validator:
    """synchronization.json: what a created synchronization must look like."""
    return _validator(json_schema("synchronization.json"))


@cache
def error_validator() -> Draft202012Validator:
    return _validator(json_schema("graph-error.json"))


@cache
def request_validator() -> Draft202012Validator:
    """The request body schema of openapi.yaml, its relative `$ref`s resolved beside it."""
    document = openapi()
    return _validator(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI + "openapi.yaml",
            "$ref": "#/components/schemas/SynchronizationCreate",
            "components": document["components"],
        }
    )


@cache
def secret_names() -> tuple[str, ...]:
    """The 45 synchronizationSecret members, in metadata order."""
    return tuple(json_schema("synchronizationSecret.json")["enum"])


@dataclass(frozen=True)
class SchemaError:
    where: str
    """A JSON pointer into the instance: "/" for the whole of it, "/secrets/0/key" below."""
    message: str

    def __str__(self) -> str:
        return f"at {self.where}: {self.message}"


def schema_errors(validator: Draft202012Validator, instance: Any) -> list[SchemaError]:
    """Every way `instance` breaks the validator's schema, in document order: the one wording of a
    schema error for the checks, the reference server and the bundle alike."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: [(isinstance(p, int), p) for p in e.absolute_path])
    return [SchemaError("/" + "/".join(str(p) for p in e.absolute_path), e.message) for e in errors]


@cache
def _rs_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(BASE_URI + path.name, json_schema(path.name)) for path in sorted(schemas_dir().glob("*.json"))])


_COMPILED: dict[int, tuple[Draft202012Validator, jsonschema_rs.Validator]] = {}
"""Each validator's compiled schema, by the validator's id, the validator kept with it: an id is
reused once its object is gone, and the identity check then tells the new one from the old."""


def accepts(validator: Draft202012Validator, instance: Any) -> bool:
    """Whether `instance` is valid against `validator`'s schema, decided by the schema compiled once
    (the validators are cached, so each is compiled once per process)."""
    entry = _COMPILED.get(id(validator))
    if entry is None or entry[0] is not validator:
        compiled = jsonschema_rs.validator_for(cast(dict[str, Any], validator.schema), registry=_rs_registry())
        entry = _COMPILED[id(validator)] = (validator, compiled)
    return entry[1].is_valid(instance)


def schema_problem(validator: Draft202012Validator, instance: Any) -> str | None:
    """The first schema error and how many more there are, in one line; None when the instance is
    valid. The compiled schema decides; jsonschema words a refusal (a property test in
    tests/test_schemas.py shows the two agree)."""
    if accepts(validator, instance):
        return None
    errors = schema_errors(validator, instance)
    if not errors:
        return None
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{errors[0]}{more}"


def fingerprints() -> dict[str, str]:
    """sha256 of every contract file, so a report names exactly what it certified against."""
    files = sorted(p for p in schemas_dir().rglob("*") if p.is_file())
    return {str(p.relative_to(schemas_dir())): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

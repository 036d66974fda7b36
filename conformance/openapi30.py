"""The contract as OpenAPI 3.0.3, for the tools that refuse 3.1 (connexion, openapi-backend, mockintosh).

schemas/openapi.yaml is OpenAPI 3.1: its schemas are JSON Schema 2020-12, and the ones it shares with
the checks live in files beside it. A 3.0 tool reads neither, so schemas/openapi-3.0.yaml is made
from it by `graph-sync-conformance openapi --version 3.0 -o schemas/openapi-3.0.yaml`, never by hand,
and tests/test_openapi30.py keeps the committed file equal to what the command writes.

The conversion is exact wherever 3.0 allows it:

- each JSON Schema file a `$ref` reaches becomes a component named after the file
  (`synchronization.json` → `#/components/schemas/synchronization`) and its `$defs` components beside
  it (`name.def`, as are a component's own), so the rendition is one file with local references only;
  `$schema`, `$id` and `$comment` go;
- `type: [X, "null"]` → `type: X, nullable: true`; several types → an `anyOf` of one type each;
  `type: "null"` alone → a nullable type whose one value is null;
- `const` → a one-value `enum`; `examples` → `example` (the first);
- numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` with 3.0's boolean form, the
  stricter bound kept when both forms are given;
- `$ref` beside other keywords (3.0 ignores a reference's siblings) → `allOf: [{$ref}]` beside them;
- boolean schemas → `{}` and `{not: {}}`; `type: array` without `items` gains `items: {}` (3.0 needs
  it); an empty `required` goes (3.0 wants at least one name);
- `dependentRequired`, `dependentSchemas`, `if`/`then`/`else` and `contains` → the same assertions
  spelt with `not`, `anyOf` and `allOf`;
- `unevaluatedProperties`/`unevaluatedItems` where only `properties`/`items` evaluate →
  `additionalProperties`/`items`.

What 3.0 cannot express is refused with a ConversionError naming the keyword and where it is, never
dropped: `prefixItems`, `patternProperties`, `propertyNames`, `minContains`/`maxContains`, anchors and
dynamic references, the `content*` keywords, `unevaluated*` beside other applicators, `null` in an
`enum` or `const` with no `type`, a `$ref` to anything but a component or a file in schemas/, and 3.1's
document-level additions (`webhooks`, `jsonSchemaDialect`, `info.summary`, `license.identifier`,
`components.pathItems`); so is any keyword it does not know. The one thing lost on the way is a
schema's `examples` after the first: 3.0 has room for one. The contract uses none of the refused
keywords, so its rendition says all that it says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from .contract import BASE_URI, json_schema, openapi, schemas_dir
from .errors import ConversionError

VERSION = "3.0.3"
RENDITION = "openapi-3.0.yaml"
COMMAND = f"graph-sync-conformance openapi --version 3.0 -o schemas/{RENDITION}"
SOURCE_URI = BASE_URI + "openapi.yaml"
"""Where openapi.yaml's relative references resolve from: beside the JSON Schema files, as
contract.request_validator resolves them."""

Schema = dict[str, Any]
Loader = Callable[[str], Any]
"""A JSON Schema file of schemas/ by name (contract.json_schema; a test gives its own)."""

_COMPONENTS = "#/components/schemas/"
_NAME = re.compile(r"[A-Za-z0-9.\-_]+")
"""What 3.0 allows as a component's name."""
_KEPT = frozenset({
    "title", "description", "default", "deprecated", "readOnly", "writeOnly", "format", "pattern", "multipleOf",
    "maxLength", "minLength", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required",
    "example", "discriminator", "xml", "externalDocs",
})  # fmt: skip
"""Keywords 3.0 has with 2020-12's meaning: copied as they are."""
_DROPPED = frozenset({"$schema", "$comment"})
"""Keywords that say nothing about an instance: the dialect (3.0 has one) and comments to maintainers."""
_INEXPRESSIBLE = {
    "prefixItems": "3.0 has no item schemas by position",
    "patternProperties": "3.0 has no properties named by a pattern",
    "propertyNames": "3.0 cannot constrain property names",
    "minContains": "3.0 cannot count the items that match",
    "maxContains": "3.0 cannot count the items that match",
    "$anchor": "3.0 references are JSON pointers only",
    "$dynamicRef": "3.0 has no dynamic references",
    "$dynamicAnchor": "3.0 has no dynamic references",
    "contentEncoding": "3.0 spells encoded content only as format: byte or binary",
    "contentMediaType": "3.0 cannot say what media type a string holds",
    "contentSchema": "3.0 cannot say what media type a string holds",
    "$vocabulary": "3.0 has one fixed vocabulary",
}
_ONLY_IN_31 = {
    ("webhooks",): "3.0 has no webhooks",
    ("jsonSchemaDialect",): "3.0 has one schema dialect",
    ("info", "summary"): "3.0's info has no summary",
    ("info", "license", "identifier"): "3.0's license has no SPDX identifier",
    ("components", "pathItems"): "3.0's components hold no path items",
}
_APPLICATORS = frozenset({"allOf", "anyOf", "oneOf", "if", "$ref", "dependentSchemas", "contains"})
"""Keywords whose subschemas evaluate properties or items too, so that what `unevaluated*` reaches
depends on which of them matched."""
_NULL_ONLY: Schema = {"type": "string", "nullable": True, "enum": [None]}
"""null and nothing else: 3.0 admits null only beside a type, and the enum leaves no value of the type."""


def _refused(where: str, why: str) -> ConversionError:
    return ConversionError(f"{where}: {why}; OpenAPI 3.0 cannot say this, so no 3.0 rendition is written")


@dataclass
class _Converter:
    """One conversion: the JSON Schema files it has imported, each converted once however often referenced."""

    load: Loader
    imported: dict[str, str] = field(default_factory=dict)
    """File name in schemas/ → the component it became."""
    schemas: dict[str, Schema] = field(default_factory=dict)
    """The components the imported files became."""

    def document(self, node: Any, path: tuple[str, ...]) -> Any:
        """An OpenAPI 3.1 object as 3.0: the same objects, with each schema converted."""
        if isinstance(node, list):
            return [self.document(item, (*path, str(index))) for index, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            at = (*path, key)
            where = "openapi.yaml#/" + "/".join(at)
            if at in _ONLY_IN_31:
                raise _refused(where, _ONLY_IN_31[at])
            if key in ("example", "examples") or key.startswith("x-"):
                out[key] = value  # data and extensions, whatever keys they hold
            elif key == "schema":
                out[key] = self.schema(value, SOURCE_URI, where)
            elif at == ("components", "schemas"):
                out[key] = {}
                for name, schema in value.items():
                    out[key].update(self._resource(name, schema, SOURCE_URI, where + "/" + name))
            elif key == "$ref" and not str(value).startswith("#/"):
                raise _refused(where, f"{value} is a reference to another document; only schemas are brought in from files")
            else:
                out[key] = self.document(value, at)
        return out

    def _resource(self, name: str, schema: Any, base: str, where: str) -> dict[str, Schema]:
        """A component and its `$defs`, each a component of its own named after it."""
        defs: dict[str, Any] = {}
        if isinstance(schema, dict):
            if urljoin(base, schema.get("$id", "")) != base:
                raise _refused(where + "/$id", "an $id other than the file's own place in schemas/ moves its references")
            defs = schema.get("$defs", {})
            schema = {key: value for key, value in schema.items() if key not in ("$id", "$defs")}
        if not _NAME.fullmatch(name):
            raise _refused(where, f"{name!r} is not a name 3.0 allows for a component")
        out = {name: self.schema(schema, base, where)}
        for sub, definition in defs.items():
            out.update(self._resource(f"{name}.{sub}", definition, base, f"{where}/$defs/{sub}"))
        return out

    def _import(self, file: str, where: str) -> str:
        """The component a JSON Schema file of schemas/ becomes."""
        if file not in self.imported:
            self.imported[file] = file.removesuffix(".json")
            try:
                schema = self.load(file)
            except FileNotFoundError:
                raise _refused(where, f"there is no {file} in schemas/") from None
            self.schemas.update(self._resource(self.imported[file], schema, BASE_URI + file, f"{file}#"))
        return self.imported[file]

    def _ref(self, ref: str, base: str, where: str) -> str:
        uri, _, fragment = urljoin(base, ref).partition("#")
        if uri == SOURCE_URI and (match := re.fullmatch(r"/components/schemas/([^/]+)((?:/\$defs/[^/]+)*)", fragment)):
            name, defs = match[1], match[2]
        elif uri.startswith(BASE_URI) and uri != SOURCE_URI and re.fullmatch(r"(?:/\$defs/[^/]+)*", fragment):
            name, defs = self._import(uri.removeprefix(BASE_URI), where), fragment
        else:
            raise _refused(where, f"{ref} is not a component, a JSON Schema file of schemas/ or one of their $defs")
        return _COMPONENTS + ".".join([name, *defs.split("/$defs/")[1:]])

    def schema(self, node: Any, base: str, where: str) -> Schema:
        """A JSON Schema 2020-12 schema as a 3.0 Schema Object of the same meaning."""
        if isinstance(node, bool):
            return {} if node else {"not": {}}
        if not isinstance(node, dict):
            raise _refused(where, "a schema is an object or a boolean")
        out: Schema = {}
        conjuncts: list[Schema] = []
        handled: set[str] = set()
        for key, value in node.items():
            at = f"{where}/{key}"
            if key in _KEPT or key.startswith("x-"):
                out[key] = value
            elif key in _DROPPED or key in handled:
                continue
            elif key in ("properties", "items", "not", "additionalProperties", "allOf", "anyOf", "oneOf"):
                out[key] = self._subschemas(key, value, base, at)
            elif key in _RULES:
                keywords, rule = _RULES[key]
                handled.update(keywords)
                fragment, more = rule(self, node, base, where)
                out.update(fragment)
                conjuncts += more
            elif key in ("$id", "$defs"):
                raise _refused(at, "only a file's or a component's own $id and $defs have a place in 3.0")
            else:
                raise _refused(at, _INEXPRESSIBLE.get(key, f"{key} is no JSON Schema 2020-12 keyword the conversion knows"))
        return _finished(out, conjuncts, where)

    def _subschemas(self, key: str, value: Any, base: str, at: str) -> Any:
        if key == "properties":
            return {name: self.schema(schema, base, f"{at}/{name}") for name, schema in value.items()}
        if key in ("allOf", "anyOf", "oneOf"):
            return [self.schema(schema, base, f"{at}/{index}") for index, schema in enumerate(value)]
        if key == "additionalProperties" and isinstance(value, bool):
            return value
        return self.schema(value, base, at)

    def _type(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        listed = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        nullable = {"nullable": True} if "null" in listed else {}
        others = [kind for kind in listed if kind != "null"]
        if not others:
            return {}, [dict(_NULL_ONLY, enum=[None])]
        if len(others) == 1:
            return {"type": others[0], **nullable}, []
        return {}, [{"anyOf": [_finished({"type": kind, **nullable}, [], where) for kind in others]}]

    def _enum(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        if "const" not in node:
            return {"enum": node["enum"]}, []
        return {"enum": [node["const"]]}, [{"enum": node["enum"]}] if "enum" in node else []

    def _examples(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return ({"example": node["examples"][0]} if node["examples"] and "example" not in node else {}), []

    def _minimum(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return _bound(node, "minimum", "exclusiveMinimum", lambda inclusive, exclusive: inclusive > exclusive, where), []

    def _maximum(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return _bound(node, "maximum", "exclusiveMaximum", lambda inclusive, exclusive: inclusive < exclusive, where), []

    def _reference(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return {"$ref": self._ref(node["$ref"], base, f"{where}/$ref")}, []

    def _condition(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        """if/then/else: (if and then) or (not if and else); then and else alone do nothing."""
        if "if" not in node:
            return {}, []
        condition = self.schema(node["if"], base, f"{where}/if")
        then, otherwise = (self.schema(node.get(key, True), base, f"{where}/{key}") for key in ("then", "else"))
        return {}, [{"anyOf": [{"allOf": [condition, then]}, {"allOf": [{"not": condition}, otherwise]}]}]

    def _dependent_required(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        required = node["dependentRequired"]
        return {}, [_when_present(name, {"required": names}) for name, names in required.items() if names]

    def _dependent_schemas(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        schemas = node["dependentSchemas"]
        return {}, [_when_present(name, self.schema(s, base, f"{where}/dependentSchemas/{name}")) for name, s in schemas.items()]

    def _contains(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        """Some item matches: not (an array all of whose items fail), which non-arrays pass as 2020-12's does."""
        return {}, [{"not": {"type": "array", "items": {"not": self.schema(node["contains"], base, f"{where}/contains")}}}]

    def _unevaluated_properties(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return self._unevaluated(node, "unevaluatedProperties", "additionalProperties", base, where)

    def _unevaluated_items(self, node: Schema, base: str, where: str) -> tuple[Schema, list[Schema]]:
        return self._unevaluated(node, "unevaluatedItems", "items", base, where)

    def _unevaluated(self, node: Schema, key: str, own: str, base: str, where: str) -> tuple[Schema, list[Schema]]:
        """`properties`/`items` alone evaluate: what they leave is what `additionalProperties`/`items` reach."""
        value = node[key]
        if value is True or own in node:
            return {}, []  # nothing asked of what is left, or nothing left
        if beside := sorted(_APPLICATORS & node.keys()):
            raise _refused(f"{where}/{key}", f"beside {', '.join(beside)} what is left unevaluated depends on which subschemas matched")
        return {own: value if own == "additionalProperties" and value is False else self.schema(value, base, f"{where}/{key}")}, []


_Rule = Callable[[_Converter, Schema, str, str], tuple[Schema, list[Schema]]]
_RULE_LIST: list[tuple[tuple[str, ...], _Rule]] = [
    (("type",), _Converter._type),
    (("const", "enum"), _Converter._enum),
    (("examples",), _Converter._examples),
    (("minimum", "exclusiveMinimum"), _Converter._minimum),
    (("maximum", "exclusiveMaximum"), _Converter._maximum),
    (("$ref",), _Converter._reference),
    (("if", "then", "else"), _Converter._condition),
    (("dependentRequired",), _Converter._dependent_required),
    (("dependentSchemas",), _Converter._dependent_schemas),
    (("contains",), _Converter._contains),
    (("unevaluatedProperties",), _Converter._unevaluated_properties),
    (("unevaluatedItems",), _Converter._unevaluated_items),
]
_RULES = {key: (keywords, rule) for keywords, rule in _RULE_LIST for key in keywords}
"""Keywords 3.0 spells differently, each group converted once, reading its siblings: it returns the
keywords of the converted schema and the schemas it must also match (its `allOf`)."""


def _bound(node: Schema, inclusive: str, exclusive: str, stricter: Callable[[Any, Any], bool], where: str) -> Schema:
    """One side of a number's range: 2020-12's exclusive bound is a number, 3.0's a flag on the inclusive one."""
    if exclusive not in node:
        return {inclusive: node[inclusive]}
    limit = node[exclusive]
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise _refused(f"{where}/{exclusive}", "2020-12's exclusive bound is a number (the boolean form is 3.0's)")
    if inclusive in node and stricter(node[inclusive], limit):
        return {inclusive: node[inclusive]}
    return {inclusive: limit, exclusive: True}


def _when_present(name: str, schema: Schema) -> Schema:
    """`schema` holds for an object that has `name`; anything else passes, as 2020-12's dependent* say."""
    return {"anyOf": [{"not": {"type": "object", "required": [name]}}, schema]}


def _finished(out: Schema, conjuncts: list[Schema], where: str) -> Schema:
    """The converted keywords made valid 3.0: what a schema must also match goes into its `allOf`."""
    if out.get("required") == []:
        del out["required"]
    if out.get("type") == "array":
        out.setdefault("items", {})
    if None in out.get("enum", []) and "type" not in out:
        raise _refused(f"{where}/enum", "3.0 admits null only through nullable, beside a type")
    if "$ref" in out and (len(out) > 1 or conjuncts):
        conjuncts.insert(0, {"$ref": out.pop("$ref")})
    if conjuncts:
        out["allOf"] = [*out.get("allOf", []), *conjuncts]
    return out


def convert(document: dict[str, Any], load: Loader = json_schema) -> dict[str, Any]:
    """An OpenAPI 3.1 document as 3.0.3: the same operations, every schema it reaches a local component."""
    if not str(document.get("openapi", "")).startswith("3.1."):
        raise ConversionError(f"openapi.yaml#/openapi: {document.get('openapi')!r} is not OpenAPI 3.1")
    converter = _Converter(load)
    out = converter.document(document, ())
    out["openapi"] = VERSION
    out.setdefault("paths", {})
    if converter.schemas:
        components = out.setdefault("components", {})
        own = components.setdefault("schemas", {})
        if clash := sorted(own.keys() & converter.schemas.keys()):
            raise ConversionError(f"openapi.yaml#/components/schemas: {', '.join(clash)} is also the name of a schema file's component")
        own.update(sorted(converter.schemas.items()))
    return out


class _Dumper(yaml.SafeDumper):
    """Writes a value met twice in full each time: a 3.0 tool need not know YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


HEADER = f"""\
# Generated from openapi.yaml (OpenAPI 3.1) by `{COMMAND}`: do not edit.
# What the conversion does, and what 3.0 cannot say: conformance/openapi30.py.
"""


def render() -> str:
    """schemas/openapi-3.0.yaml as it must be: the header, then the converted contract."""
    return HEADER + yaml.dump(convert(openapi()), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def rendition_path() -> Path:
    """schemas/openapi-3.0.yaml, in a checkout or inside the installed wheel (contract.schemas_dir)."""
    return schemas_dir() / RENDITION

"""Input coverage: the classes of request body where echo bugs hide, and how many sent bodies fell in each.

A server that mangles what it stores is only caught if a body it mangles was sent. The classes below
name, once, what a run must send for that to be likely: the families of conformance/inputs.py
(Unicode forms, line endings, case, white space, lookalike values, control characters, markup,
astral characters, length) and the shapes of the `secrets` list (0, 1, many, more than the 45
members, repeated keys and pairs, keys out of order). `classify` says which classes one body falls
in; a `Coverage` counts bodies per class, chosen and generated apart, adds up across units and
pytest-xdist workers, and names the classes a run did not reach.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from .contract import CANONICAL_GUID

Secrets = list[dict[str, Any]]


@dataclass(frozen=True)
class InputClass:
    name: str
    family: str
    description: str

    def reached_by(self, secrets: Secrets, values: list[str]) -> bool:
        """Whether a body with these secrets (and these string values among them) is in the class."""
        raise NotImplementedError


@dataclass(frozen=True)
class ValueClass(InputClass):
    """A body is in the class when one of its secrets' string values passes `test`."""

    test: Callable[[str], bool] = field(repr=False, compare=False)

    def reached_by(self, secrets: Secrets, values: list[str]) -> bool:
        return any(self.test(v) for v in values)


@dataclass(frozen=True)
class ListClass(InputClass):
    """A body is in the class when its list of secrets passes `test`."""

    test: Callable[[Secrets], bool] = field(repr=False, compare=False)

    def reached_by(self, secrets: Secrets, values: list[str]) -> bool:
        return self.test(secrets)


MEMBERS = 45
"""How many synchronizationSecret members there are: more secrets than this must repeat a key."""

OTHER_LINE_BREAKS = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"
"""Line boundaries other than CR and LF that some library splits on (str.splitlines' list)."""
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?0[xX][0-9a-fA-F]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off")
"""Booleans as YAML 1.1 reads them (in any case)."""
NULL_WORDS = ("null", "none", "nil", "undefined")
"""Null as JSON, Python, Ruby and JavaScript spell it (in any case)."""
ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9a-fA-F]+);")
INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
LEADING_ZERO = re.compile(r"0[0-9]+")
BRACED_GUID = re.compile(r"\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}")
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s]*")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
BASE64_PADDED = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)")
CONNECTION_STRING = re.compile(r"\s*[A-Za-z][A-Za-z ]*=[^;]*(?:;\s*[A-Za-z][A-Za-z ]*=[^;]*)+;?\s*")


def _keys(secrets: list[dict[str, Any]]) -> list[str]:
    return [s["key"] for s in secrets if isinstance(s.get("key"), str)]


def _pairs(secrets: list[dict[str, Any]]) -> list[str]:
    return [json.dumps([s.get("key"), s.get("value")]) for s in secrets]


def _repeats(items: list[str]) -> bool:
    return len(set(items)) < len(items)


def _interleaved(keys: list[str]) -> bool:
    """A key comes back after another key came between (A, B, A): grouping by key reorders these."""
    seen: set[str] = set()
    for previous, key in zip([None, *keys], keys, strict=False):
        if key in seen and key != previous:
            return True
        seen.add(key)
    return False


def _number_changes(value: str) -> bool:
    """Number-like text that a parse and print would not give back ("007", "+1", "1e3", "1.50")."""
    if NUMBER.fullmatch(value) is None:
        return False
    try:
        parsed: float = int(value, 0) if re.fullmatch(r"[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+)", value) else float(value)
    except ValueError:  # "007" is not a valid literal for int(value, 0)
        return True
    return str(parsed) != value


def _date_like(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _json_container(value: str) -> bool:
    try:
        return isinstance(json.loads(value), list | dict)
    except ValueError:
        return False


def _invisible(value: str) -> bool:
    return any(unicodedata.category(c) == "Cf" for c in value)


def _special_casing(value: str) -> bool:
    return any(len(c.upper()) > 1 or len(c.lower()) > 1 or c.casefold() != c.lower() for c in value)


def _space_beyond_ascii(value: str) -> bool:
    return any(c > "\x7f" and unicodedata.category(c) == "Zs" for c in value)


def _whitespace_run(value: str) -> bool:
    return any(a.isspace() and b.isspace() for a, b in itertools.pairwise(value))


def _changed_by(form: Literal["NFC", "NFD"]) -> Callable[[str], bool]:
    return lambda value: not unicodedata.is_normalized(form, value)


def _nfkc_only(value: str) -> bool:
    return unicodedata.normalize("NFKC", value) != unicodedata.normalize("NFC", value)


def _whole(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda value: pattern.fullmatch(value) is not None


def _word_spelled(spelling: Callable[[str], str]) -> Callable[[str], bool]:
    return lambda value: value.lower() in BOOLEAN_WORDS + NULL_WORDS and value == spelling(value.lower())


def _number_like(value: str) -> bool:
    return NUMBER.fullmatch(value) is not None


CLASSES: tuple[InputClass, ...] = (
    # The list: how many secrets, and in what arrangement.
    ListClass("secrets-0", "count", "no secrets", lambda s: not s),
    ListClass("secrets-1", "count", "one secret", lambda s: len(s) == 1),
    ListClass("secrets-many", "count", f"2 to {MEMBERS} secrets", lambda s: 2 <= len(s) <= MEMBERS),
    ListClass("secrets-over-45", "count", f"more than {MEMBERS} secrets (more than there are members)", lambda s: len(s) > MEMBERS),
    ListClass("keys-repeated", "list", "a key sent twice", lambda s: _repeats(_keys(s))),
    ListClass("keys-interleaved", "list", "a key sent again after another (A, B, A)", lambda s: _interleaved(_keys(s))),
    ListClass("pairs-repeated", "list", "the same key and value sent twice", lambda s: _repeats(_pairs(s))),
    ListClass("keys-unsorted", "list", "keys not in sorted order", lambda s: _keys(s) != sorted(_keys(s))),
    ListClass("key-absent", "list", "a secret without a key (as in the stub's example)", lambda s: any("key" not in x for x in s)),
    ListClass("value-null", "list", "a secret whose value is null or absent", lambda s: any(x.get("value") is None for x in s)),
    # Values: each class is a way a server changes stored text.
    ValueClass("value-empty", "length", "an empty value", lambda v: v == ""),
    ValueClass("length-over-255", "length", "a value longer than 255 characters", lambda v: len(v) > 255),
    ValueClass("length-over-2048", "length", "a value longer than 2,048 characters", lambda v: len(v) > 2048),
    ValueClass("unicode-not-nfc", "normalisation", "text NFC changes (combining marks, Å U+212B)", _changed_by("NFC")),
    ValueClass("unicode-not-nfd", "normalisation", "text NFD changes (é, Hangul syllables)", _changed_by("NFD")),
    ValueClass("unicode-compatibility", "normalisation", "text NFKC folds and NFC keeps (ﬁ, ①, full-width)", _nfkc_only),
    ValueClass("line-crlf", "line endings", "CR LF", lambda v: "\r\n" in v),
    ValueClass("line-cr", "line endings", "a CR alone", lambda v: re.search("\r(?!\n)", v) is not None),
    ValueClass("line-lf", "line endings", "an LF alone", lambda v: re.search("(?<!\r)\n", v) is not None),
    ValueClass("line-other", "line endings", "another line boundary (U+2028, NEL, FF)", lambda v: any(c in OTHER_LINE_BREAKS for c in v)),
    ValueClass("case-upper", "case", "a letter lower-casing changes", lambda v: v.lower() != v),
    ValueClass("case-lower", "case", "a letter upper-casing changes", lambda v: v.upper() != v),
    ValueClass("case-special", "case", "a letter whose case mapping changes length or folds apart (ß, İ, ﬀ, ς)", _special_casing),
    ValueClass("whitespace-edge", "whitespace", "white space at either end", lambda v: v != v.strip()),
    ValueClass("whitespace-run", "whitespace", "two white-space characters in a row", _whitespace_run),
    ValueClass("whitespace-non-ascii", "whitespace", "a space beyond ASCII (NBSP, ideographic space)", _space_beyond_ascii),
    ValueClass("invisible", "whitespace", "an invisible format character (ZWSP, BOM, bidi marks, soft hyphen)", _invisible),
    ValueClass("number-like", "coercion", "a value that reads as a number", _number_like),
    ValueClass("number-like-noncanonical", "coercion", "a number a parse and print changes (007, +1, 1e3)", _number_changes),
    ValueClass("number-integer", "coercion", "an integer as a parser prints it (42, -7)", _whole(INTEGER)),
    ValueClass("number-leading-zero", "coercion", "digits with a leading zero (007)", _whole(LEADING_ZERO)),
    ValueClass("boolean-like", "coercion", "true/false/yes/no/on/off in any case", lambda v: v.lower() in BOOLEAN_WORDS),
    ValueClass("null-like", "coercion", "null/none/nil/undefined in any case", lambda v: v.lower() in NULL_WORDS),
    ValueClass("word-capitalised", "coercion", "a boolean or null word as .NET prints it (True, None)", _word_spelled(str.capitalize)),
    ValueClass("word-upper", "coercion", "a boolean or null word in capitals (TRUE, NULL)", _word_spelled(str.upper)),
    ValueClass("url-like", "coercion", "a URL, which a server may normalise (scheme and host case, port, path)", _whole(URL)),
    ValueClass("guid-braced", "coercion", "a GUID in braces, as Windows writes it", _whole(BRACED_GUID)),
    ValueClass("base64-padded", "coercion", "base64 with = padding, which a server may strip", _whole(BASE64_PADDED)),
    ValueClass("connection-string", "coercion", "key=value pairs joined by ;, which a server may reformat", _whole(CONNECTION_STRING)),
    ValueClass("json-like", "coercion", "a JSON array or object as text", _json_container),
    ValueClass("date-like", "coercion", "an ISO 8601 date or date-time", _date_like),
    ValueClass("guid-like", "coercion", "a GUID, either case", lambda v: CANONICAL_GUID.fullmatch(v) is not None),
    ValueClass("email-like", "coercion", "an e-mail address", lambda v: EMAIL.fullmatch(v) is not None),
    ValueClass("control-c0", "control", "a C0 control other than TAB, LF, CR", lambda v: any(c < " " and c not in "\t\n\r" for c in v)),
    ValueClass("control-c1", "control", "DEL or a C1 control (U+007F–U+009F)", lambda v: any("\x7f" <= c <= "\x9f" for c in v)),
    ValueClass("html-special", "escaping", "a character HTML escapes (< > & \" ')", lambda v: any(c in "<>&\"'" for c in v)),
    ValueClass("html-entity", "escaping", "a character reference (&amp; &#39;)", lambda v: ENTITY.search(v) is not None),
    ValueClass("percent-encoded", "escaping", "a %XX escape, which a server may decode", lambda v: PERCENT_ESCAPE.search(v) is not None),
    ValueClass("formula-like", "escaping", "text that starts as a formula does (= + - @)", lambda v: v[:1] in ("=", "+", "-", "@")),
    ValueClass("json-escaped", "escaping", "a character JSON escapes (\" \\)", lambda v: '"' in v or "\\" in v),
    ValueClass("non-ascii", "encoding", "a character beyond ASCII", lambda v: not v.isascii()),
    ValueClass("beyond-latin-1", "encoding", "a character beyond Latin-1 (U+0100 and up)", lambda v: any(c > "\xff" for c in v)),
    ValueClass("astral", "encoding", "a character outside the BMP (emoji, U+10000 and up)", lambda v: any(c > "\uffff" for c in v)),
)


def _secrets(payload: Any) -> list[dict[str, Any]]:
    secrets = payload.get("secrets") if isinstance(payload, dict) else None
    return [s for s in secrets if isinstance(s, dict)] if isinstance(secrets, list) else []


def classify(payload: Any) -> frozenset[str]:
    """The names of the classes this request body is in (a body that is not a request's shape is in
    none, but `secrets-0`: it sends no secret)."""
    secrets = _secrets(payload)
    values = [v for v in (s.get("value") for s in secrets) if isinstance(v, str)]
    return frozenset(c.name for c in CLASSES if c.reached_by(secrets, values))


class Origin(StrEnum):
    CHOSEN = "chosen"
    """The explicit corpus (conformance/corpus.py)."""
    GENERATED = "generated"
    """Drawn by hypothesis through schemathesis."""


@dataclass
class Coverage:
    """How many sent bodies fell in each class, chosen and generated apart.

    Plain counters, so it pickles (the ledger hands unit results between pytest-xdist workers) and
    adds up: a run's coverage is the sum of its units', in any order.
    """

    bodies: Counter[str] = field(default_factory=Counter)
    """Bodies recorded, by origin."""
    reached: dict[str, Counter[str]] = field(default_factory=dict)
    """Per origin, bodies per class name."""

    def record(self, payload: Any, origin: Origin) -> None:
        self.bodies[origin.value] += 1
        self.reached.setdefault(origin.value, Counter()).update(classify(payload))

    def __add__(self, other: Coverage) -> Coverage:
        total = Coverage(self.bodies + other.bodies)
        for part in (self, other):
            for origin, counts in part.reached.items():
                total.reached.setdefault(origin, Counter()).update(counts)
        return total

    @classmethod
    def total(cls, parts: Iterable[Coverage]) -> Coverage:
        return sum(parts, cls())

    def count(self, name: str, origin: Origin | None = None) -> int:
        """Bodies in class `name`, of one origin or of both."""
        origins = [origin] if origin is not None else list(Origin)
        return sum(self.reached.get(o.value, Counter())[name] for o in origins)

    def missing(self, origin: Origin | None = None) -> list[InputClass]:
        """The classes no body reached (of this origin, or at all), in catalogue order."""
        return [c for c in CLASSES if not self.count(c.name, origin)]

    def as_dict(self) -> dict[str, Any]:
        """For verdict.json and the reports: every class with its counts, and what was not reached."""
        return {
            "bodies": {o.value: self.bodies[o.value] for o in Origin},
            "classes": [
                {"name": c.name, "family": c.family, "description": c.description, **{o.value: self.count(c.name, o) for o in Origin}}
                for c in CLASSES
            ],
            "not_reached": [c.name for c in self.missing()],
            "not_reached_by_generation": [c.name for c in self.missing(Origin.GENERATED)],
        }

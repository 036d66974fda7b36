"""Input coverage: the classes of request body where echo bugs hide, and how many sent bodies fell in each.

A server that mangles what it stores is only caught if a body it mangles was sent. The classes below
name, once, what a run must send for that to be likely: the families of conformance/inputs.py
(Unicode forms, line endings, case, white space and invisible characters at a value's edge,
typographic punctuation, lookalike values, credential-shaped values, control characters, markup,
astral characters, lengths up to past 65,535 UTF-8 bytes), a lookalike under a key whose name says
that type (a date under TokenExpiration), and the shapes of the `secrets` list (0, 1, many, more
than the 45 members, more than a page of 100, repeated keys and pairs, keys out of order).
`classify` says which classes one body falls in; a `Coverage` counts bodies per class, chosen and
generated apart, adds up across units and pytest-xdist workers, and names the classes a run did not
reach.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

from .contract import CANONICAL_GUID

Secrets = list[dict[str, Any]]


@dataclass(frozen=True)
class Sent:
    """One body's secrets as the classes look at them."""

    secrets: Secrets
    values: list[str]
    """The secrets' string values."""

    @cached_property
    def characters(self) -> frozenset[str]:
        """Every character of the values, once: a value of 65,536 characters holds a few dozen
        distinct ones, so the classes that test characters test each once (such a body is
        classified in 12 ms instead of 55)."""
        return frozenset("".join(self.values))


@dataclass(frozen=True)
class InputClass:
    name: str
    family: str
    description: str

    def reached_by(self, sent: Sent) -> bool:
        """Whether a body that sent these secrets is in the class."""
        raise NotImplementedError


@dataclass(frozen=True)
class ValueClass(InputClass):
    """A body is in the class when one of its secrets' string values passes `test`."""

    test: Callable[[str], bool] = field(repr=False, compare=False)

    def reached_by(self, sent: Sent) -> bool:
        return any(self.test(v) for v in sent.values)


@dataclass(frozen=True)
class CharacterClass(InputClass):
    """A body is in the class when a character of one of its string values passes `test`."""

    test: Callable[[str], bool] = field(repr=False, compare=False)

    def reached_by(self, sent: Sent) -> bool:
        return any(self.test(c) for c in sent.characters)


@dataclass(frozen=True)
class KeyedClass(InputClass):
    """A body is in the class when a secret whose key is one of `keys` has a string value that passes
    `test`: a server that knows what a member holds may coerce that member's value and no other."""

    keys: tuple[str, ...]
    test: Callable[[str], bool] = field(repr=False, compare=False)

    def reached_by(self, sent: Sent) -> bool:
        return any(s.get("key") in self.keys and isinstance(s.get("value"), str) and self.test(s["value"]) for s in sent.secrets)


@dataclass(frozen=True)
class ListClass(InputClass):
    """A body is in the class when its list of secrets passes `test`."""

    test: Callable[[Secrets], bool] = field(repr=False, compare=False)

    def reached_by(self, sent: Sent) -> bool:
        return self.test(sent.secrets)


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
WHITESPACE_RUN = re.compile(r"\s\s")
PAGE = 100
"""Graph's usual page size: a server that reads the secrets back as one page keeps this many."""

# What smart punctuation writes and a tidy-up turns back into ASCII (or into another space).
TYPOGRAPHIC_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u2034\u2039\u203a\u00ab\u00bb"
"""Curly quotes (single, double, low-9, reversed), primes and guillemets."""
TYPOGRAPHIC_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
"""Hyphen, non-breaking hyphen, figure, en and em dash, horizontal bar, minus sign."""
ELLIPSES = "\u2026\u2025"
NARROW_SPACES = "\u2007\u2008\u2009\u200a\u202f"
"""Figure, punctuation, thin, hair and narrow no-break space (French typography, CLDR's time formats)."""

# Values shaped like credentials, as response scrubbers and secret scanners find them.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----")
BEARER = re.compile(r"Bearer [A-Za-z0-9._~+/-]+=*")
AWS_KEY_ID = re.compile(r"(?<![A-Z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Z0-9])")
LONG_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])")
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{32,}")

TYPED_KEYS: dict[str, tuple[str, ...]] = {
    "date": ("TokenExpiration", "Oauth2AccessTokenCreationTime"),
    "url": ("BaseAddress", "Url", "Oauth2RedirectUri", "Oauth2TokenExchangeUri", "Oauth2AuthorizationUri"),
    "boolean": (
        "Sandbox", "SyncAll", "UpdateKeyOnSoftDelete", "EnforceDomain", "SkipOutOfScopeDeletions",
        "PerformInboundEntitlementGrants", "HardDeletesEnabled", "ValidateDomain", "TestReferences",
    ),
    "email": ("UserName",),
    "guid": ("ClientIdentifier", "Oauth2ClientId", "CompanyId", "ApplicationTemplateIdentifier"),
    "json": ("SyncNotificationSettings",),
    "connection string": ("ConnectionString",),
    "credential": (
        "Password", "SecretToken", "AppKey", "ClientSecret", "ConsumerKey", "ConsumerSecret", "TokenKey",
        "Oauth2AccessToken", "Oauth2RefreshToken", "Oauth2ClientSecret", "Oauth2AuthorizationCode",
    ),
}  # fmt: skip
"""The synchronizationSecret members whose name says what type of value they hold, by type: a server
that knows it may parse and reprint that member's value (a date under TokenExpiration) and no other.
No member is named for a number (a port, a count, a timeout)."""


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


def _invisible(c: str) -> bool:
    return unicodedata.category(c) == "Cf"


def _special_casing(c: str) -> bool:
    return len(c.upper()) > 1 or len(c.lower()) > 1 or c.casefold() != c.lower()


def _space_beyond_ascii(c: str) -> bool:
    return c > "\x7f" and unicodedata.category(c) == "Zs"


def _at_edge(index: int) -> Callable[[str], bool]:
    return lambda value: value != "" and _invisible(value[index])


def _utf8_over(limit: int) -> Callable[[str], bool]:
    # No character takes more than 4 bytes: a shorter value needs no encoding to be ruled out.
    return lambda value: len(value) * 4 > limit and len(value.encode("utf-8", "surrogatepass")) > limit


def _high_entropy(value: str) -> bool:
    """A long base64 run that mixes capitals, small letters and digits, as secret scanners look for."""
    return any(
        re.search("[A-Z]", run) and re.search("[a-z]", run) and re.search("[0-9]", run)
        for run in (match.group() for match in BASE64_RUN.finditer(value))
    )


CREDENTIAL_SHAPES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "jwt": ("a JWT (eyJ….….…)", lambda v: JWT.search(v) is not None),
    "pem": ("a PEM block (-----BEGIN …-----)", lambda v: PEM.search(v) is not None),
    "bearer": ("Bearer and a token", lambda v: BEARER.search(v) is not None),
    "aws-key": ("an AWS access key id (AKIA…)", lambda v: AWS_KEY_ID.search(v) is not None),
    "hex": ("32 or more hex digits in a row (an API key, a hash)", lambda v: LONG_HEX.search(v) is not None),
    "base64": ("a run of 32 or more base64 characters mixing capitals, small letters and digits", _high_entropy),
}
"""What response scrubbers and secret scanners rewrite, each as the test a value passes to hold one."""


def _credential_shaped(value: str) -> bool:
    return any(test(value) for _, test in CREDENTIAL_SHAPES.values())


def _among(characters: str) -> Callable[[str], bool]:
    return lambda c: c in characters


def _boolean_word(value: str) -> bool:
    return value.lower() in BOOLEAN_WORDS


def _starts_with_bom(value: str) -> bool:
    return value.startswith("\ufeff")


def _guid(value: str) -> bool:
    return CANONICAL_GUID.fullmatch(value) is not None or BRACED_GUID.fullmatch(value) is not None


def _whitespace_run(value: str) -> bool:
    # re's \s is str.isspace, and a search takes a tenth of the time a loop over pairs did.
    return WHITESPACE_RUN.search(value) is not None


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
    ListClass("secrets-over-100", "count", f"more than {PAGE} secrets (past a page, Graph's usual size)", lambda s: len(s) > PAGE),
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
    ValueClass("length-over-4000", "length", "a value longer than 4,000 characters (SQL Server's nvarchar(4000))", lambda v: len(v) > 4000),
    ValueClass("length-over-8000", "length", "a value longer than 8,000 characters (SQL Server's varchar(8000))", lambda v: len(v) > 8000),
    ValueClass("length-over-32767", "length", "a value longer than 32,767 characters (a signed 16-bit length)", lambda v: len(v) > 32767),
    ValueClass("utf8-over-65535", "length", "a value over 65,535 UTF-8 bytes (MySQL's TEXT)", _utf8_over(65535)),
    ValueClass(
        "utf8-over-65535-multibyte",
        "length",
        "over 65,535 UTF-8 bytes in at most 65,535 characters: a cut counted in characters keeps it whole, one in bytes does not",
        lambda v: len(v) <= 65535 and _utf8_over(65535)(v),
    ),
    ValueClass("unicode-not-nfc", "normalisation", "text NFC changes (combining marks, Å U+212B)", _changed_by("NFC")),
    ValueClass("unicode-not-nfd", "normalisation", "text NFD changes (é, Hangul syllables)", _changed_by("NFD")),
    ValueClass("unicode-compatibility", "normalisation", "text NFKC folds and NFC keeps (ﬁ, ①, full-width)", _nfkc_only),
    ValueClass("line-crlf", "line endings", "CR LF", lambda v: "\r\n" in v),
    ValueClass("line-cr", "line endings", "a CR alone", lambda v: re.search("\r(?!\n)", v) is not None),
    ValueClass("line-lf", "line endings", "an LF alone", lambda v: re.search("(?<!\r)\n", v) is not None),
    CharacterClass("line-other", "line endings", "another line boundary (U+2028, NEL, FF)", lambda c: c in OTHER_LINE_BREAKS),
    ValueClass("case-upper", "case", "a letter lower-casing changes", lambda v: v.lower() != v),
    ValueClass("case-lower", "case", "a letter upper-casing changes", lambda v: v.upper() != v),
    CharacterClass("case-special", "case", "a letter whose case mapping changes length or folds apart (ß, İ, ﬀ, ς)", _special_casing),
    ValueClass("whitespace-edge", "whitespace", "white space at either end", lambda v: v != v.strip()),
    ValueClass("whitespace-run", "whitespace", "two white-space characters in a row", _whitespace_run),
    CharacterClass("whitespace-non-ascii", "whitespace", "a space beyond ASCII (NBSP, ideographic space)", _space_beyond_ascii),
    CharacterClass("invisible", "whitespace", "an invisible format character (ZWSP, BOM, bidi marks, soft hyphen)", _invisible),
    ValueClass("invisible-first", "whitespace", "a format character first in a value (BOM, ZWSP, bidi mark)", _at_edge(0)),
    ValueClass("invisible-last", "whitespace", "a format character last in a value (ZWSP, word joiner, bidi mark)", _at_edge(-1)),
    ValueClass("bom-first", "whitespace", "a value that starts with U+FEFF, which a UTF-8-sig decode drops", _starts_with_bom),
    # What smart punctuation writes and a tidy-up turns back into ASCII or another space.
    CharacterClass("typographic-quotes", "typography", "a curly quote, prime or guillemet (tidied to ' or \")", _among(TYPOGRAPHIC_QUOTES)),
    CharacterClass("typographic-dashes", "typography", "a dash or minus sign beyond ASCII (tidied to -)", _among(TYPOGRAPHIC_DASHES)),
    CharacterClass("typographic-ellipsis", "typography", "an ellipsis (tidied to ...)", _among(ELLIPSES)),
    CharacterClass("typographic-spaces", "typography", "a thin, hair, figure or narrow no-break space", _among(NARROW_SPACES)),
    ValueClass("number-like", "coercion", "a value that reads as a number", _number_like),
    ValueClass("number-like-noncanonical", "coercion", "a number a parse and print changes (007, +1, 1e3)", _number_changes),
    ValueClass("number-integer", "coercion", "an integer as a parser prints it (42, -7)", _whole(INTEGER)),
    ValueClass("number-leading-zero", "coercion", "digits with a leading zero (007)", _whole(LEADING_ZERO)),
    ValueClass("boolean-like", "coercion", "true/false/yes/no/on/off in any case", _boolean_word),
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
    # Values a response scrubber takes for a credential: these secrets are credentials.
    *(ValueClass(f"credential-{name}", "credential", said, test) for name, (said, test) in CREDENTIAL_SHAPES.items()),
    # A lookalike under a member whose name says it holds that type.
    KeyedClass("date-under-date-key", "key type", "a date under a member named for a time", TYPED_KEYS["date"], _date_like),
    KeyedClass("url-under-url-key", "key type", "a URL under a member named for one (Url, *Uri)", TYPED_KEYS["url"], _whole(URL)),
    KeyedClass(
        "boolean-under-flag-key", "key type", "a boolean word under a member named for a switch", TYPED_KEYS["boolean"], _boolean_word
    ),
    KeyedClass("email-under-user-key", "key type", "an e-mail address under UserName", TYPED_KEYS["email"], _whole(EMAIL)),
    KeyedClass("guid-under-id-key", "key type", "a GUID, bare or braced, under a member named for an id", TYPED_KEYS["guid"], _guid),
    KeyedClass("json-under-settings-key", "key type", "JSON under SyncNotificationSettings", TYPED_KEYS["json"], _json_container),
    KeyedClass(
        "connection-string-under-its-key",
        "key type",
        "a connection string under ConnectionString",
        TYPED_KEYS["connection string"],
        _whole(CONNECTION_STRING),
    ),
    KeyedClass(
        "credential-under-secret-key", "key type", "a credential under a member named for one", TYPED_KEYS["credential"], _credential_shaped
    ),
    CharacterClass("control-c0", "control", "a C0 control other than TAB, LF, CR", lambda c: c < " " and c not in "\t\n\r"),
    CharacterClass("control-c1", "control", "DEL or a C1 control (U+007F–U+009F)", lambda c: "\x7f" <= c <= "\x9f"),
    CharacterClass("html-special", "escaping", "a character HTML escapes (< > & \" ')", lambda c: c in "<>&\"'"),
    ValueClass("html-entity", "escaping", "a character reference (&amp; &#39;)", lambda v: ENTITY.search(v) is not None),
    ValueClass("percent-encoded", "escaping", "a %XX escape, which a server may decode", lambda v: PERCENT_ESCAPE.search(v) is not None),
    ValueClass("formula-like", "escaping", "text that starts as a formula does (= + - @)", lambda v: v[:1] in ("=", "+", "-", "@")),
    CharacterClass("json-escaped", "escaping", 'a character JSON escapes (" \\)', lambda c: c in '"\\'),
    ValueClass("non-ascii", "encoding", "a character beyond ASCII", lambda v: not v.isascii()),
    CharacterClass("beyond-latin-1", "encoding", "a character beyond Latin-1 (U+0100 and up)", lambda c: c > "\xff"),
    CharacterClass("astral", "encoding", "a character outside the BMP (emoji, U+10000 and up)", lambda c: c > "\uffff"),
)


def _secrets(payload: Any) -> list[dict[str, Any]]:
    secrets = payload.get("secrets") if isinstance(payload, dict) else None
    return [s for s in secrets if isinstance(s, dict)] if isinstance(secrets, list) else []


def classify(payload: Any) -> frozenset[str]:
    """The names of the classes this request body is in (a body that is not a request's shape is in
    none, but `secrets-0`: it sends no secret)."""
    secrets = _secrets(payload)
    sent = Sent(secrets, [v for v in (s.get("value") for s in secrets) if isinstance(v, str)])
    return frozenset(c.name for c in CLASSES if c.reached_by(sent))


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

"""Secret values drawn from the kinds of text servers change when they store it.

Servers mangle stored strings in recurring ways: they normalise text (Unicode forms, line endings,
case, white space, typographic punctuation), coerce values that look like something else (a number, a
boolean, null, JSON, a date, a GUID, an e-mail address), strip or escape characters (controls, markup,
characters outside the BMP, a BOM at the start), mask what looks like a credential (a JWT, a PEM
block) and cut long values (at 255 characters, at 65,535 UTF-8 bytes). Each family below is a
hypothesis strategy that *generates* members of its class (any character NFC rewrites, any letter
with case in any script, any number spelled so that a parser would not give it back), so a variant
nobody listed is reached too, and each shrinks to the simplest member that still shows a bug.

`secret_values` is what schemathesis draws for a secret's value (generation.py registers it as a
string format); `value_pool` is the handful of values a tail of secrets takes its values from, and
`pool_keys` the members whose name says the type of each (generation.py). They are built so that
a default run of 40 bodies reaches every class of conformance/coverage.py (tests/test_generation.py
checks that it does).
"""

from __future__ import annotations

import base64
import html.entities
import json
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote
from uuid import UUID

from hypothesis import strategies as st

from .coverage import (
    BOOLEAN_WORDS,
    ELLIPSES,
    NARROW_SPACES,
    NULL_WORDS,
    OTHER_LINE_BREAKS,
    TYPED_KEYS,
    TYPOGRAPHIC_DASHES,
    TYPOGRAPHIC_QUOTES,
)

SECRET_VALUE_FORMAT = "graph-sync-secret-value"
"""The string format (schemathesis.openapi.format) under which `secret_values` is registered."""

# Surrogates cannot be sent as UTF-8; unassigned code points are not text anyone stores. Everything
# else (private use, controls, format characters) is fair: the contract says echo.
_TEXT = st.characters(exclude_categories=("Cs", "Cn"))

MARKUP = ("<", ">", "&", '"', "'", "`", "</script>", "<!--", "]]>", "${", "{{", "%s", "%00")
"""What HTML, XML, templates or format strings treat specially."""
JSON_SPECIAL = ('"', "\\", "/", '\\"', "\\u0000", "\\n", "\\\\")
"""What JSON escapes, and text that already looks escaped (a server may unescape it)."""
COMMON_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u200e\u200f\u061c\u00ad\u202a\u202c\u202e\u2066\u2069"
"""The format characters text carries most: BOM, ZWSP, ZWNJ, ZWJ, word joiner, the bidi marks,
soft hyphen, embeddings and isolates. Drawn as often as any of the ~170 format characters, among
which they would come up once in a while."""


# Where the tables below look: up to the end of plane 2. Past it no character is changed on its own by
# normalisation or case mapping (tests/test_generation.py checks this against Python's Unicode data).
TABLE_RANGE = range(0x30000)

TABLES: dict[str, Callable[[str], bool]] = {
    # Characters NFC rewrites on their own: Å U+212B, Ω U+2126, CJK compatibility ideographs, …
    "not-nfc": lambda c: not unicodedata.is_normalized("NFC", c),
    # Characters NFD decomposes: é, ü, Hangul syllables, …
    "not-nfd": lambda c: not unicodedata.is_normalized("NFD", c),
    # Characters NFKC folds and NFC keeps: ligatures, full-width forms, superscripts, ①, …
    "compatibility-only": lambda c: unicodedata.is_normalized("NFC", c) and not unicodedata.is_normalized("NFKC", c),
    # Characters whose case mappings change length or fold apart from lower case: ß, İ, ŉ, ﬀ, ς, …
    "special-casing": lambda c: len(c.upper()) > 1 or len(c.lower()) > 1 or c.casefold() != c.lower(),
}
"""The characters a class of text changes, each table as the test a character passes to be in it."""


@cache
def tables() -> dict[str, str]:
    """Every table as the string of its characters, built on the first draw in one pass over
    TABLE_RANGE (about 0.08 s here; a pass per table took 0.12 s)."""
    text = [c for c in map(chr, TABLE_RANGE) if unicodedata.category(c) not in ("Cs", "Cn")]
    return {name: "".join(filter(keep, text)) for name, keep in TABLES.items()}


def _one_of_table(name: str) -> st.SearchStrategy[str]:
    """One of a table's characters; the tables are built on the first draw, not at import (a run
    that draws no valid body need not build them)."""
    return st.deferred(lambda: st.sampled_from(tables()[name]))


# --- the families: each strategy draws one fragment of one class ----------------------------------


def _run(characters: st.SearchStrategy[str], longest: int = 3) -> st.SearchStrategy[str]:
    return st.text(characters, min_size=1, max_size=longest)


def _invisible() -> st.SearchStrategy[str]:
    """A format character: a BOM a third of the time (what a UTF-8-sig decode strips), another
    common one a third (COMMON_INVISIBLE), else any of them."""
    return st.one_of(st.just("\ufeff"), st.sampled_from(COMMON_INVISIBLE), st.characters(categories=["Cf"]))


def _entities() -> st.SearchStrategy[str]:
    named = st.sampled_from(sorted(html.entities.html5)).map(lambda name: "&" + name.rstrip(";") + ";")
    return st.one_of(named, st.integers(0x20, 0x10FFFF).map(lambda n: f"&#{n};"))


@cache
def families() -> dict[str, tuple[st.SearchStrategy[str], ...]]:
    """Each family's fragments, one per class it holds, in the cyclic order `composed` joins them.

    The order matters where fragments meet: a lone CR is followed by a letter, never by the LF
    fragment, so it stays a lone CR; white-space runs sit next to each other, so they can join.
    """
    return {
        "normalisation": (
            # A letter and combining marks: NFC composes or reorders them (e + U+0301 -> é).
            st.builds(str.__add__, st.characters(categories=["Ll", "Lu"]), _run(st.characters(categories=["Mn"]))),
            _one_of_table("not-nfc"),
            _one_of_table("not-nfd"),
            _one_of_table("compatibility-only"),
            # Hangul as conjoining jamo (NFC composes them into a syllable) and full-width ASCII (NFKC folds it):
            # each a small range a server may normalise on its own, and too few in the tables to be drawn often.
            st.integers(0xAC00, 0xD7A3).map(lambda n: unicodedata.normalize("NFD", chr(n))),
            _run(st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)),
        ),
        "line endings": (
            st.just("\r\n"),
            st.just("\n"),
            st.sampled_from(OTHER_LINE_BREAKS),
            st.just("\r"),
        ),
        "case": (
            _run(st.characters(categories=["Lu", "Ll", "Lt"])),
            _one_of_table("special-casing"),
        ),
        "whitespace": (
            _run(st.sampled_from(" \t")),
            # NBSP and the other spaces beyond ASCII; NBSP, the one servers replace most, half the time.
            _run(st.one_of(st.just("\u00a0"), st.characters(categories=["Zs"], min_codepoint=0x80))),
            _run(_invisible(), 2),  # ZWSP, BOM, bidi marks, soft hyphen
        ),
        "control": (
            st.characters(max_codepoint=0x1F),
            st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
        ),
        "escaping": (
            st.sampled_from(MARKUP),
            st.sampled_from(JSON_SPECIAL),
            _entities(),
        ),
        "typography": (
            _run(st.sampled_from(TYPOGRAPHIC_QUOTES)),
            _run(st.sampled_from(TYPOGRAPHIC_DASHES), 2),
            st.sampled_from(ELLIPSES),
            st.sampled_from(NARROW_SPACES),
        ),
        "astral": (st.characters(min_codepoint=0x10000, exclude_categories=("Cs", "Cn")),),
    }


EDGE_ODDS = 7
"""About four composed values in this many start with a format character (two with a BOM) or white
space, and as many end so."""


@cache
def composed() -> st.SearchStrategy[str]:
    """Ordinary text and every family's fragments, each present or not (about half of them), joined
    in their cyclic order from a drawn starting point: one value reaches many classes at once, and
    the rotation puts any fragment at either end. About four values in EDGE_ODDS then start with a
    format character (two with a BOM) or white space, and as many end so: the rotation puts the one
    fragment of format characters at an end too seldom for a BOM strip or a trim of ZWSP to be
    caught, and a format character at an edge would otherwise hide the white space a trim drops.

    Which fragments are present is a bit mask drawn as a few integers of at most 8 bits (hypothesis
    draws those uniformly; one wider integer favours its low bits): a few choices rather than one
    per fragment, which matters because this is the bulk of what a generated body costs. Shrinking
    clears the mask to the fewest bits and the rotation to the start, so a failing value shrinks to
    the one fragment that fails.
    """
    fragments = [fragment for group in families().values() for fragment in group]
    # Built once: a strategy made inside the composite would be built (and validated) on every draw.
    widths = [min(8, len(fragments) - low) for low in range(0, len(fragments), 8)]
    masks = st.tuples(*(st.integers(0, 2**width - 1) for width in widths))
    starts, plain = st.integers(0, len(fragments)), st.text(_TEXT, max_size=6)
    spaces = _run(st.sampled_from(" \t"))
    edge = _weighted((EDGE_ODDS - 4, st.just("")), (1, _invisible()), (2, st.just("\ufeff")), (1, spaces))

    @st.composite
    def join(draw: st.DrawFn) -> str:
        present = sum(part << 8 * i for i, part in enumerate(draw(masks)))
        start = draw(starts)
        parts = [draw(plain)]
        parts += [draw(fragment) if present >> bit & 1 else "" for bit, fragment in enumerate(fragments)]
        return draw(edge) + "".join(parts[start:] + parts[:start]) + draw(edge)

    return join()


# --- lookalikes: whole values that read as another type ------------------------------------------


def _cased_words(words: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The words as programs print them ("true", "True", "TRUE") three times in four, else in any mix
    of cases ("tRuE"): a server that coerces only the spellings it knows is reached either way."""

    def spell(word: str, style: int, mask: int) -> str:
        printed = (word, word.capitalize(), word.upper())
        return printed[style] if style < len(printed) else "".join(c.upper() if mask >> i & 1 else c for i, c in enumerate(word))

    return st.builds(spell, st.sampled_from(words), st.integers(0, 3), st.integers(0, 2**9 - 1))


@cache
def booleans() -> st.SearchStrategy[str]:
    return _cased_words(BOOLEAN_WORDS)


@cache
def nulls() -> st.SearchStrategy[str]:
    return _cased_words(NULL_WORDS)


# How a number may be written: canonically, or so that a parse and print changes it. `{}` is a natural number.
NUMBER_SPELLINGS = ("{}", "-{}", "0{}", "00{}", "+{}", "{}.0", "-{}.50", "{}.", ".{}", "{}e3", "{}E-2", "-{}e+00")


@cache
def numbers() -> st.SearchStrategy[str]:
    """Numbers as text, canonical or not: "42", "-7", "007", "+1", "1.50", "1e3", ".5", "0x1F"."""
    # Mostly numbers of a few digits, as IDs, ports and counts are, which a server may read as a number.
    naturals = st.one_of(st.integers(0, 999), st.integers(0, 10**9), st.integers(min_value=0))
    # As a parser prints it, or with leading zeros, most often: the spellings a server's "is it a number"
    # test is written for; then any spelling.
    spellings = _weighted((2, st.just("{}")), (2, st.just("0{}")), (3, st.sampled_from(NUMBER_SPELLINGS)))
    decimal = st.builds(str.format, spellings, naturals)
    hexadecimal = st.builds("0{}{:x}".format, st.sampled_from("xX"), st.integers(0, 2**32))
    return _weighted((4, decimal), (1, hexadecimal))


@cache
def json_texts() -> st.SearchStrategy[str]:
    """A JSON array or object as text, compact or spaced, that a server might parse instead of storing."""
    scalars = st.none() | st.booleans() | st.integers() | st.text(_TEXT, max_size=6)
    containers = st.lists(scalars, max_size=3) | st.dictionaries(st.text(_TEXT, max_size=6), scalars, max_size=3)
    separators = st.sampled_from([(",", ":"), (", ", ": ")])
    return st.builds(lambda value, seps: json.dumps(value, separators=seps, ensure_ascii=False), containers, separators)


# ISO 8601 as servers write it: a date, a date-time, with a fraction or a zone.
DATE_SPELLINGS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%d %H:%M")


@cache
def dates() -> st.SearchStrategy[str]:
    """ISO 8601 dates and date-times, which a server may store as a date and render its own way:
    a moment (one drawn number of microseconds from 1970 to 2100) and a spelling."""
    moments = st.integers(0, 130 * 365 * 86_400 * 10**6).map(lambda us: datetime(1970, 1, 1) + timedelta(microseconds=us))
    return st.builds(lambda moment, spelling: moment.strftime(spelling), moments, st.sampled_from(DATE_SPELLINGS))


@cache
def guids() -> st.SearchStrategy[str]:
    """GUIDs in either case, bare or in braces as Windows writes them, which a server may store as a
    GUID and render its own way."""

    def spell(guid: UUID, braced: bool, upper: bool) -> str:
        text = str(guid).upper() if upper else str(guid)
        return "{" + text + "}" if braced else text

    return st.builds(spell, st.uuids(), st.booleans(), st.booleans())


@cache
def emails() -> st.SearchStrategy[str]:
    """Addresses in mixed case ("Ab.C@Contoso.COM"), which identity systems treat as case-insensitive.

    Built from three draws: hypothesis' own `emails()` costs about three times as much."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    local = st.text(letters + "._%+-", min_size=1, max_size=10)
    label = st.text(letters + "-", min_size=1, max_size=10)
    return st.builds("{}@{}.{}".format, local, label, st.sampled_from(["com", "org", "example", "COM", "Net", "onmicrosoft.com"]))


@cache
def urls() -> st.SearchStrategy[str]:
    """URLs as secrets hold them (a tenant URL, a base address), spelled so a URL library would change
    them: scheme or host in capitals, a default port, no path, percent-escapes."""
    hosts = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
    ports = st.sampled_from(["", ":443", ":80", ":8443"])
    paths = st.sampled_from(["", "/", "/api/v1", "/a%2Fb", "/x?y=1&z=%20"])
    schemes = st.sampled_from(["https", "http", "HTTPS", "Https"])
    return st.builds("{}://{}.example.COM{}{}".format, schemes, hosts, ports, paths)


@cache
def encodings() -> st.SearchStrategy[str]:
    """Text in an encoding a server may undo or redo: base64 with its padding, percent-encoding.

    Base64 of four bytes or more (eight characters): what a server takes for base64 and strips the
    padding of, which it may not for "AA==" (a trial's server did not)."""
    raw = st.binary(min_size=4, max_size=24)
    padded = raw.filter(lambda b: len(b) % 3).map(lambda b: base64.b64encode(b).decode("ascii"))
    percent = st.text(_TEXT, min_size=1, max_size=6).map(lambda s: quote(s, safe=""))
    return st.one_of(padded, percent.filter(lambda s: "%" in s))


@cache
def formulas() -> st.SearchStrategy[str]:
    """Values that begin as a spreadsheet formula does (=, +, -, @), which export code may defuse."""
    return st.builds(str.__add__, st.sampled_from("=+-@"), st.sampled_from(["SUM(A1:A2)", "1+1", "cmd|' /C calc'!A0", "x"]))


@cache
def connection_strings() -> st.SearchStrategy[str]:
    """ADO-style connection strings (the ConnectionString member holds one), with the spacing and the
    trailing ';' a server may tidy."""
    parts = ["Server=tcp:db.example,1433", "Database=Contoso", "User ID=sync", "Encrypt = True"]
    pairs = st.lists(st.sampled_from(parts), min_size=2, max_size=4)
    return st.builds(lambda parts, sep, end: sep.join(parts) + end, pairs, st.sampled_from([";", "; "]), st.sampled_from(["", ";"]))


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _json_part(claims: dict[str, Any]) -> str:
    """A JWT's header or claims as the token carries them: JSON in base64url ("eyJ…")."""
    return _base64url(json.dumps(claims, separators=(",", ":")).encode("ascii"))


def _pem(label: str, der: bytes, newline: str) -> str:
    text = base64.b64encode(der).decode("ascii")
    return newline.join([f"-----BEGIN {label}-----", *(text[i : i + 64] for i in range(0, len(text), 64)), f"-----END {label}-----"])


PEM_LABELS = ("CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "PUBLIC KEY", "ENCRYPTED PRIVATE KEY")


@cache
def credentials() -> st.SearchStrategy[str]:
    """What these secrets hold (an OAuth access or refresh token, a client secret, a certificate, an
    API key) in the shapes response scrubbers and secret scanners mask: a JWT, a PEM block, a bearer
    token, an AWS access key id, a long hex or base64url key (coverage.CREDENTIAL_SHAPES); or up to
    three of them on their own lines, as a bundle holds a key and its certificates."""
    keys = st.binary(min_size=24, max_size=48)
    header: st.SearchStrategy[dict[str, Any]] = st.builds(dict, alg=st.sampled_from(["HS256", "RS256", "none"]), typ=st.just("JWT"))
    claims: st.SearchStrategy[dict[str, Any]] = st.builds(dict, sub=st.text(_TEXT, max_size=6), exp=st.integers(0, 2**32))
    jwt = st.builds("{}.{}.{}".format, header.map(_json_part), claims.map(_json_part), keys.map(_base64url))
    pem = st.builds(_pem, st.sampled_from(PEM_LABELS), keys, st.sampled_from(["\n", "\r\n"]))
    bearer = st.builds("Bearer {}".format, jwt | keys.map(_base64url))
    aws = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16).map("AKIA{}".format)
    hexadecimal = st.builds(lambda key, upper: key.hex().upper() if upper else key.hex(), keys, st.booleans())
    # Weighted: hypothesis favours some branches of a one_of (in 600 draws, a third as many PEM blocks
    # as JWTs), and a bearer token is a JWT half the time anyway.
    one = _weighted((1, jwt), (2, pem), (2, bearer), (2, aws), (2, hexadecimal), (1, keys.map(_base64url)))
    return st.lists(one, min_size=1, max_size=3).map("\n".join)


LOOKALIKES = (numbers, booleans, nulls, json_texts, dates, guids, emails, urls, encodings, formulas, connection_strings, credentials)

TYPED: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "date": dates,
    "url": urls,
    "boolean": booleans,
    "email": emails,
    "guid": guids,
    "json": json_texts,
    "connection string": connection_strings,
    "credential": credentials,
}
"""The lookalike of each type coverage.TYPED_KEYS names members for."""


@cache
def lookalikes() -> st.SearchStrategy[str]:
    """Whole values that read as another type: a server may store them as that type and render back
    something else (42 for "042", true for "True", null for "null", {"a":1} for '{"a": 1}')."""
    return st.one_of([kind() for kind in LOOKALIKES])


# --- long values -----------------------------------------------------------------------------------


class Limit(NamedTuple):
    characters: int
    utf8_bytes: int = 0
    """What a value must also be longer than in UTF-8 bytes."""


LIMITS = tuple(map(Limit, (0, 255, 1024, 2048, 4000, 4096, 8000, 8192)))
"""Common limits on a stored value's length in characters: a VARCHAR(255), 1 KiB to 8 KiB buffers
and columns, SQL Server's nvarchar(4000) and varchar(8000). The first is none: a long value found
to fail for what it holds, not its length, can then shrink to a short one."""
LARGEST = Limit(32_767, 65_535)
"""Past a signed 16-bit length in characters (Oracle's VARCHAR2(32767), an Excel cell) and past
MySQL's TEXT, 65,535 UTF-8 bytes, at once: a value of this length is tens of kilobytes, so one value
reaches both (and one of multi-byte characters is past 65,535 bytes in fewer than 65,536 characters,
which a cut counted in characters keeps whole). Only a tail's last value is ever this long."""
LARGEST_ODDS = 2
"""About one in this many of a tail's long values is past LARGEST; the rest, past one of LIMITS.
Not more: such a body costs a run about 40 ms (most of it redacting the evidence), so a run of
1,000 per probe sends about a hundred."""


def _past(piece: str, limit: Limit, past: int) -> str:
    """The piece repeated to `past` + 1 characters past the limit (on to as many bytes past its byte
    count, if the characters alone are not), ending with the whole piece: the last piece's length
    of a repetition holds the piece's characters in another order, so swapping it for the piece
    keeps the length in characters and bytes, and the value ends as it starts, as the piece does
    (a format character at the end, as often as at the start)."""
    characters, utf8_bytes = limit.characters + 1 + past, limit.utf8_bytes + 1 + past
    text = piece * (max(characters, utf8_bytes) // len(piece) + 1)
    value = text[:characters]
    if len(value) < utf8_bytes and len(value.encode("utf-8")) < utf8_bytes:
        encoded, end = text.encode("utf-8"), utf8_bytes
        while encoded[end] & 0xC0 == 0x80:  # not inside a character
            end += 1
        value = encoded[:end].decode("utf-8")
    return value[: len(value) - len(piece)] + piece if len(value) > len(piece) else value


@cache
def long_values(limits: tuple[Limit, ...] = LIMITS) -> st.SearchStrategy[str]:
    """A composed value repeated to a length just past one of the limits (by up to 500): a piece
    and a length, so 65,536 bytes cost hypothesis a few choices, and a value cut at one of the
    limits shrinks to one character (or byte) past it."""
    return st.builds(_past, composed().filter(bool), st.sampled_from(limits), st.integers(0, 500))


@cache
def last_values() -> st.SearchStrategy[str]:
    """A tail's one long value: past one of LIMITS, or once in LARGEST_ODDS past LARGEST. A body
    holds at most one value that long, so it stays far below the 1 MiB a server may take."""
    return _weighted((LARGEST_ODDS - 1, long_values()), (1, long_values((LARGEST,))))


# --- what generation draws ---------------------------------------------------------------------------


def _weighted(*choices: tuple[int, st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    """One of the strategies, about as often as its weight, shrinking towards the first.

    Nesting `one_of`s cannot weight them: hypothesis flattens nested `one_of`s into one uniform choice."""
    slots = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(slots) - 1).flatmap(slots.__getitem__)


@cache
def secret_values() -> st.SearchStrategy[str]:
    """The value of one secret: composed text half the time (it reaches the most classes), a long
    value a quarter, else a lookalike or the empty string (which every tail carries too)."""
    return _weighted((2, composed()), (1, long_values()), (1, st.one_of(lookalikes(), st.just(""))))


DOUBLED = (numbers, booleans, nulls, credentials)
"""The lookalikes a tail's pool holds two of: those servers coerce most (a number, a boolean, null),
so that their plain spellings ("42", "True", "None") come up in a default run, not once in a while;
and credentials, each of whose six shapes must come up."""
POOL_KINDS = (*LOOKALIKES, *DOUBLED)
"""What a tail's pool draws its values from, one value each: every lookalike, and those of DOUBLED again."""
POOL_SIZE = len(POOL_KINDS) + 1


@cache
def value_pool() -> st.SearchStrategy[list[str]]:
    """The POOL_SIZE values a tail takes its values from: one of each of POOL_KINDS, and the empty
    string, so each tail whose cycle is that long reaches every coercion class. None long: a tail
    repeats its values."""
    return st.tuples(*(kind() for kind in POOL_KINDS)).map(lambda values: [*values, ""])


@cache
def pool_keys() -> tuple[tuple[str, ...], ...]:
    """For each position of a `value_pool`, the members whose name says the type of the value there
    (coverage.TYPED_KEYS; none for the kinds no member is named for): an aimed tail puts each value
    under one of them."""
    named = {kind: TYPED_KEYS[name] for name, kind in TYPED.items()}
    return (*(named.get(kind, ()) for kind in POOL_KINDS), ())

"""Secret values drawn from the kinds of text servers change when they store it.

Servers mangle stored strings in recurring ways: they normalise text (Unicode forms, line endings,
case, white space), coerce values that look like something else (a number, a boolean, null, JSON, a
date, a GUID, an e-mail address), strip or escape characters (controls, markup, characters outside
the BMP) and cut long values. Each family below is a hypothesis strategy that *generates* members of
its class (any character NFC rewrites, any letter with case in any script, any number spelled so
that a parser would not give it back), so a variant nobody listed is reached too, and each shrinks
to the simplest member that still shows a bug.

`secret_values` is what schemathesis draws for a secret's value (generation.py registers it as a
string format); `value_pool` is the handful of values a tail of secrets takes its values from
(generation.py). Both are built so that a default run of 40 bodies reaches every class of
conformance/coverage.py (tests/test_generation.py checks that it does).
"""

from __future__ import annotations

import html.entities
import json
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from hypothesis import strategies as st

from .coverage import BOOLEAN_WORDS, NULL_WORDS, OTHER_LINE_BREAKS

SECRET_VALUE_FORMAT = "graph-sync-secret-value"
"""The string format (schemathesis.openapi.format) under which `secret_values` is registered."""

# Surrogates cannot be sent as UTF-8; unassigned code points are not text anyone stores. Everything
# else (private use, controls, format characters) is fair: the contract says echo.
_TEXT = st.characters(exclude_categories=("Cs", "Cn"))

MARKUP = ("<", ">", "&", '"', "'", "`", "</script>", "<!--", "]]>", "${", "{{", "%s", "%00")
"""What HTML, XML, templates or format strings treat specially."""
JSON_SPECIAL = ('"', "\\", "/", '\\"', "\\u0000", "\\n", "\\\\")
"""What JSON escapes, and text that already looks escaped (a server may unescape it)."""


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
            _run(st.characters(categories=["Zs"], min_codepoint=0x80)),  # NBSP, ideographic space
            _run(st.characters(categories=["Cf"]), 2),  # ZWSP, BOM, bidi marks, soft hyphen
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
        "astral": (st.characters(min_codepoint=0x10000, exclude_categories=("Cs", "Cn")),),
    }


@cache
def composed() -> st.SearchStrategy[str]:
    """Ordinary text and every family's fragments, each present or not (about half of them), joined
    in their cyclic order from a drawn starting point: one value reaches many classes at once, and
    the rotation puts any fragment at either end.

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

    @st.composite
    def join(draw: st.DrawFn) -> str:
        present = sum(part << 8 * i for i, part in enumerate(draw(masks)))
        start = draw(starts)
        parts = [draw(plain)]
        parts += [draw(fragment) if present >> bit & 1 else "" for bit, fragment in enumerate(fragments)]
        return "".join(parts[start:] + parts[:start])

    return join()


# --- lookalikes: whole values that read as another type ------------------------------------------


def _cased_words(words: tuple[str, ...]) -> st.SearchStrategy[str]:
    """The words in any mix of upper and lower case ("true", "TRUE", "tRuE"): two choices each."""

    def spell(word: str, mask: int) -> str:
        return "".join(c.upper() if mask >> i & 1 else c for i, c in enumerate(word))

    return st.builds(spell, st.sampled_from(words), st.integers(0, 2**9 - 1))


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
    decimal = st.builds(str.format, st.sampled_from(NUMBER_SPELLINGS), st.integers(min_value=0))
    hexadecimal = st.builds("0{}{:x}".format, st.sampled_from("xX"), st.integers(0, 2**32))
    return st.one_of(decimal, hexadecimal)


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
    """GUIDs in either case, which a server may store as a GUID and render in its own case."""
    return st.builds(lambda u, upper: str(u).upper() if upper else str(u), st.uuids(), st.booleans())


@cache
def emails() -> st.SearchStrategy[str]:
    """Addresses in mixed case ("Ab.C@Contoso.COM"), which identity systems treat as case-insensitive.

    Built from three draws: hypothesis' own `emails()` costs about three times as much."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    local = st.text(letters + "._%+-", min_size=1, max_size=10)
    label = st.text(letters + "-", min_size=1, max_size=10)
    return st.builds("{}@{}.{}".format, local, label, st.sampled_from(["com", "org", "example", "COM", "Net", "onmicrosoft.com"]))


LOOKALIKES = (numbers, booleans, nulls, json_texts, dates, guids, emails)


@cache
def lookalikes() -> st.SearchStrategy[str]:
    """Whole values that read as another type: a server may store them as that type and render back
    something else (42 for "042", true for "True", null for "null", {"a":1} for '{"a": 1}')."""
    return st.one_of([kind() for kind in LOOKALIKES])


# --- long values -----------------------------------------------------------------------------------

LIMITS = (0, 255, 1024, 2048, 4096, 8192)
"""Common limits on a stored value's length (a VARCHAR(255), 1 KiB to 8 KiB buffers and columns).
The first is none: a long value found to fail for what it holds, not its length, can then shrink
to a short one."""


@cache
def long_values() -> st.SearchStrategy[str]:
    """A composed value repeated to a length just past a common limit (by up to 500): a piece and a
    length, so 8,000 characters cost hypothesis a few choices, and a value cut at one of the limits
    shrinks to one character past it."""

    def repeat(piece: str, limit: int, past: int) -> str:
        length = limit + 1 + past
        return (piece * (length // len(piece) + 1))[:length]

    return st.builds(repeat, composed().filter(bool), st.sampled_from(LIMITS), st.integers(0, 500))


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


POOL_SIZE = len(LOOKALIKES) + 1


@cache
def value_pool() -> st.SearchStrategy[list[str]]:
    """The POOL_SIZE values a tail takes its values from: one lookalike of every kind and the empty
    string, so each tail whose cycle is that long reaches every coercion class (text of the other
    families comes from the secrets schemathesis draws). None long: a tail repeats its values."""
    return st.tuples(*(kind() for kind in LOOKALIKES)).map(lambda kinds: [*kinds, ""])

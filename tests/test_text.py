"""`shown`: text from a file, drawn as it reads and never acting on the terminal."""

from __future__ import annotations

import ast
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.text import UNSHOWN_CATEGORIES, shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("verdict.json", "verdict.json"),
        ("évidence-gw0.jsonl", "évidence-gw0.jsonl"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
        ("a\nb: every member matches", "a\\nb: every member matches"),
        ("cr\rtab\t", "cr\\rtab\\t"),
        ("nul\x00del\x7fc1\x9b", "nul\\x00del\\x7fc1\\x9b"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("bidi\u202etxt.exe\u2066\u200f", "bidi\\u202etxt.exe\\u2066\\u200f"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("lone \udcff surrogate", "lone \\udcff surrogate"),
        ("a\\x1b b", "a\\\\x1b b"),
        ("tag \U000e0041", "tag \\U000e0041"),
    ],
)
def test_controls_are_escaped_and_the_rest_is_kept(text: str, expected: str) -> None:
    assert shown(text) == expected


@given(st.text())
def test_what_is_shown_has_no_character_that_acts_and_reads_back_exactly(text: str) -> None:
    drawn = shown(text)
    assert not [c for c in drawn if unicodedata.category(c) in UNSHOWN_CATEGORIES]
    assert ast.literal_eval(f'"{drawn.replace(chr(34), chr(92) + chr(34))}"') == text

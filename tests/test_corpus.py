"""The explicit corpus reaches where echo bugs hide, on every run, whatever hypothesis draws."""

from __future__ import annotations

from conformance.contract import request_validator, secret_names
from conformance.corpus import SPEC_EXAMPLE, corpus

CASES = corpus()
VALUES = [s.get("value") for c in CASES for s in c.body["secrets"]]
STRINGS = [v for v in VALUES if isinstance(v, str)]


def test_every_case_is_a_valid_request_and_the_spec_example_comes_first() -> None:
    assert CASES[0].body == SPEC_EXAMPLE
    assert all(request_validator().is_valid(c.body) for c in CASES)
    assert len({c.name for c in CASES}) == len(CASES)


def test_every_enum_member_is_sent_as_a_key() -> None:
    keys = {s.get("key") for c in CASES for s in c.body["secrets"]}
    assert set(secret_names()) <= keys


def test_secret_counts_include_zero_one_and_many() -> None:
    counts = {len(c.body["secrets"]) for c in CASES}
    assert {0, 1} <= counts and max(counts) >= 45


def test_value_classes_are_all_sent() -> None:
    assert "" in STRINGS and None in VALUES
    assert any(len(v.encode()) >= 1024 for v in STRINGS), "long"
    assert any(any(0x7F < ord(ch) <= 0xFFFF for ch in v) for v in STRINGS), "non-ASCII"
    assert any(any(ord(ch) > 0xFFFF for ch in v) for v in STRINGS), "astral plane"
    assert any(v != v.strip() for v in STRINGS), "whitespace-padded"
    special = ['"', "\\", "\n", "\u0000", "\u2028", "</"]
    assert all(any(s in v for v in STRINGS) for s in special), "JSON-special"


def test_smallest_cases_come_first_so_a_failing_explicit_case_is_small() -> None:
    sizes = [len(c.body["secrets"]) for c in CASES]
    assert sizes[-1] == max(sizes) and all(n <= 1 for n in sizes[:-1])

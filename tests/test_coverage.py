"""Input coverage on hand-made bodies: which classes a body is in, and how a run's counts add up."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from conformance.contract import secret_names
from conformance.corpus import corpus
from conformance.coverage import CLASSES, TYPED_KEYS, Coverage, Origin, classify

from .conftest import REPO

NAMES = secret_names()
KEYED = {c.name for c in CLASSES if c.family == "key type"}
LONGER_THAN_32767 = {"length-over-255", "length-over-2048", "length-over-4000", "length-over-8000", "length-over-32767"}


def body(*values: str | None, keys: list[str] | None = None) -> dict:
    keys = keys or [NAMES[i % len(NAMES)] for i in range(len(values))]
    return {"secrets": [{"key": k, "value": v} for k, v in zip(keys, values, strict=True)]}


def test_class_names_are_unique_and_each_has_a_family_and_a_description() -> None:
    assert len({c.name for c in CLASSES}) == len(CLASSES)
    assert all(c.family and c.description for c in CLASSES)
    assert f"each of {len(CLASSES)} input classes" in (REPO / "README.md").read_text(encoding="utf-8"), "the README's count"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A\u0300", {"unicode-not-nfc", "case-upper", "non-ascii", "beyond-latin-1"}),  # NFC composes it: À
        ("é", {"unicode-not-nfd", "case-lower", "non-ascii"}),
        ("\u212b", {"unicode-not-nfc", "unicode-not-nfd", "case-upper", "non-ascii", "beyond-latin-1"}),
        ("ﬁ", {"unicode-compatibility", "case-lower", "case-special", "non-ascii", "beyond-latin-1"}),
        ("a\r\nb", {"line-crlf", "whitespace-run", "case-lower"}),
        ("\r", {"line-cr", "whitespace-edge"}),
        ("\n\r\n", {"line-lf", "line-crlf", "whitespace-edge", "whitespace-run"}),
        ("\u2028", {"line-other", "whitespace-edge", "non-ascii", "beyond-latin-1"}),
        ("a\u00a0b", {"whitespace-non-ascii", "unicode-compatibility", "case-lower", "non-ascii"}),  # NFKC: a space
        ("\u200b", {"invisible", "invisible-first", "invisible-last", "non-ascii", "beyond-latin-1"}),
        ("42", {"number-like", "number-integer"}),
        ("007", {"number-like", "number-like-noncanonical", "number-leading-zero"}),
        ("0x1F", {"number-like", "number-like-noncanonical", "case-lower", "case-upper"}),
        ("tRuE", {"boolean-like", "case-lower", "case-upper"}),
        ("null", {"null-like", "case-lower"}),
        ("None", {"null-like", "word-capitalised", "case-lower", "case-upper"}),
        ("TRUE", {"boolean-like", "word-upper", "case-upper"}),
        ("HTTPS://Contoso.example:443/a%2Fb", {"url-like", "percent-encoded", "case-lower", "case-upper"}),
        ("{6B7D1E4C-1B5E-4C8E-9A7F-3C2D1E0F9A8B}", {"guid-braced", "case-upper"}),
        ("c2VjcmV0", {"case-lower", "case-upper"}),  # base64 without padding: nothing to strip
        ("c2VjcmV0MQ==", {"base64-padded", "case-lower", "case-upper"}),
        ("Server=tcp:db,1433; Database=Contoso;", {"connection-string", "case-lower", "case-upper"}),
        ("=SUM(A1:A2)", {"formula-like", "case-upper"}),
        ('{"a": 1}', {"json-like", "case-lower", "json-escaped", "html-special"}),
        ("[]", {"json-like"}),
        ("2026-02-06", {"date-like"}),
        ("6b7d1e4c-1b5e-4c8e-9a7f-3c2d1e0f9a8b", {"guid-like", "case-lower"}),
        ("Ab@Contoso.COM", {"email-like", "case-lower", "case-upper"}),
        ("\x00", {"control-c0"}),
        ("\x85", {"control-c1", "line-other", "non-ascii", "whitespace-edge"}),
        ("<b>", {"html-special", "case-lower"}),
        ("&amp;", {"html-special", "html-entity", "case-lower"}),
        ("\\", {"json-escaped"}),
        ("🔐", {"astral", "non-ascii", "beyond-latin-1"}),
        ("", {"value-empty"}),
        ("x" * 256, {"length-over-255", "case-lower"}),
        ("x" * 2049, {"length-over-255", "length-over-2048", "case-lower"}),
        ("x" * 8001, {"length-over-255", "length-over-2048", "length-over-4000", "length-over-8000", "case-lower"}),
        # 65,536 bytes in 65,536 characters, and in 32,768: only the second is past a byte limit alone.
        ("x" * 65536, {*LONGER_THAN_32767, "utf8-over-65535", "case-lower"}),
        ("é" * 32768, {*LONGER_THAN_32767, "utf8-over-65535", "utf8-over-65535-multibyte", "unicode-not-nfd", "case-lower", "non-ascii"}),
        ("é" * 32767, {*LONGER_THAN_32767 - {"length-over-32767"}, "unicode-not-nfd", "case-lower", "non-ascii"}),
        ("\ufeffabc", {"bom-first", "invisible-first", "invisible", "case-lower", "non-ascii", "beyond-latin-1"}),
        ("a\u200b", {"invisible-last", "invisible", "case-lower", "non-ascii", "beyond-latin-1"}),
        ("a\u200bb", {"invisible", "case-lower", "non-ascii", "beyond-latin-1"}),  # inside: no trim reaches it
        ("\u2018x\u2019", {"typographic-quotes", "case-lower", "non-ascii", "beyond-latin-1"}),
        ("a\u2013b", {"typographic-dashes", "case-lower", "non-ascii", "beyond-latin-1"}),
        ("\u2026", {"typographic-ellipsis", "unicode-compatibility", "non-ascii", "beyond-latin-1"}),
        ("1\u202fh", {"typographic-spaces", "whitespace-non-ascii", "unicode-compatibility", "case-lower", "non-ascii", "beyond-latin-1"}),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", {"credential-jwt", "case-lower", "case-upper"}),
        ("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", {"credential-pem", "formula-like", "line-lf", "case-upper"}),
        ("Bearer abc.def", {"credential-bearer", "case-lower", "case-upper"}),
        ("AKIAIOSFODNN7EXAMPLE", {"credential-aws-key", "case-upper"}),
        ("0123456789abcdef0123456789abcdef", {"credential-hex", "case-lower"}),
        ("0123456789abcdef0123456789abcde", {"case-lower"}),  # 31 hex digits: a short id, not a key
        ("aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW", {"credential-base64", "case-lower", "case-upper"}),
        ("abcdefghijklmnopqrstuvwxyzabcdef", {"case-lower"}),  # as long, but one kind of character
    ],
)
def test_a_value_is_in_exactly_the_classes_it_shows(value: str, expected: set[str]) -> None:
    assert classify(body(value)) == {"secrets-1", *expected}


@pytest.mark.parametrize(
    ("key", "value", "keyed"),
    [
        ("TokenExpiration", "2026-02-06T10:00:00", "date-under-date-key"),
        ("Oauth2AccessTokenCreationTime", "2026-02-06", "date-under-date-key"),
        ("Oauth2RedirectUri", "https://a.example.COM/", "url-under-url-key"),
        ("SyncAll", "True", "boolean-under-flag-key"),
        ("UserName", "Ab@Contoso.COM", "email-under-user-key"),
        ("Oauth2ClientId", "{6B7D1E4C-1B5E-4C8E-9A7F-3C2D1E0F9A8B}", "guid-under-id-key"),
        ("SyncNotificationSettings", '{"Enabled":false}', "json-under-settings-key"),
        ("ConnectionString", "Server=db;Database=Contoso", "connection-string-under-its-key"),
        ("Oauth2AccessToken", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", "credential-under-secret-key"),
    ],
)
def test_a_lookalike_is_keyed_only_under_a_member_named_for_its_type(key: str, value: str, keyed: str) -> None:
    assert keyed in classify(body(value, keys=[key]))
    assert not classify(body(value, keys=["Domain"])) & KEYED, "under a member named for nothing"
    assert not classify(body("plain", keys=[key])) & KEYED, "a value not of the member's type"


def test_members_named_for_a_type_are_members() -> None:
    typed = [key for keys in TYPED_KEYS.values() for key in keys]
    assert set(typed) <= set(NAMES) and len(set(typed)) == len(typed)


def test_counts_and_list_shapes() -> None:
    assert classify({"secrets": []}) == {"secrets-0"}
    assert classify({"secrets": [{}]}) == {"secrets-1", "key-absent", "value-null"}
    assert {"secrets-many"} <= classify(body("a", "b"))
    every = body(*["a"] * len(NAMES))
    assert "secrets-many" in classify(every) and "keys-repeated" not in classify(every)
    over = body(*["a"] * (len(NAMES) + 1))
    assert {"secrets-over-45", "keys-repeated", "keys-interleaved", "pairs-repeated", "keys-unsorted"} <= classify(over)
    assert "secrets-over-100" not in classify(body(*["a"] * 100)) and "secrets-over-100" in classify(body(*["a"] * 101))
    assert "keys-interleaved" not in classify(body("a", "b", keys=["Url", "Url"]))
    assert "keys-interleaved" in classify(body("a", "b", "c", keys=["Url", "Domain", "Url"]))
    assert "pairs-repeated" not in classify(body("a", "b", keys=["Url", "Url"]))
    assert "keys-unsorted" not in classify(body("a", "b", keys=["Domain", "Url"]))


def test_a_body_that_is_not_a_request_s_shape_sends_no_secret() -> None:
    payloads: list[Any] = [None, "secrets", [], {"secrets": None}, {"secrets": "a"}]
    for payload in payloads:
        assert classify(payload) == {"secrets-0"}


def test_coverage_counts_bodies_by_origin_and_adds_up_across_units() -> None:
    first, second = Coverage(), Coverage()
    first.record(body("42"), Origin.CHOSEN)
    first.record({"secrets": []}, Origin.GENERATED)
    second.record(body("null", "42"), Origin.GENERATED)
    total = Coverage.total([first, second])
    assert total.bodies == {"chosen": 1, "generated": 2}
    assert (total.count("number-like", Origin.CHOSEN), total.count("number-like", Origin.GENERATED)) == (1, 1)
    assert total.count("number-like") == 2
    assert total == second + first  # the order of units does not matter
    missing = {c.name for c in total.missing(Origin.GENERATED)}
    assert "null-like" not in missing and "astral" in missing and "number-like" not in missing
    assert {c.name for c in total.missing(Origin.CHOSEN)} >= {"null-like", "secrets-0"}


def test_coverage_survives_pickling_and_reads_as_json() -> None:
    coverage = Coverage()
    coverage.record(body("🔐"), Origin.GENERATED)
    assert pickle.loads(pickle.dumps(coverage)) == coverage
    shown = json.loads(json.dumps(coverage.as_dict()))
    assert shown["bodies"] == {"chosen": 0, "generated": 1}
    astral = next(c for c in shown["classes"] if c["name"] == "astral")
    assert astral == {"name": "astral", "family": "encoding", "description": astral["description"], "chosen": 0, "generated": 1}
    assert "astral" not in shown["not_reached"] and "null-like" in shown["not_reached_by_generation"]
    assert len(shown["classes"]) == len(CLASSES)


def test_the_corpus_alone_leaves_classes_that_only_generation_reaches() -> None:
    """What the explicit cases reach on their own: the rest is generation's to reach (test_generation)."""
    coverage = Coverage.total(_one(case.body) for case in corpus())
    missing = {c.name for c in coverage.missing()}
    assert missing >= {"secrets-over-45", "keys-repeated", "number-like", "null-like", "json-like"}
    assert missing >= {"secrets-over-100", "bom-first", "typographic-quotes", "credential-jwt", "utf8-over-65535"}
    assert KEYED - missing == {"email-under-user-key"}  # the one-secret case: admin@contoso.example under UserName


def _one(payload: dict) -> Coverage:
    coverage = Coverage()
    coverage.record(payload, Origin.CHOSEN)
    return coverage

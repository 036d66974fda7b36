"""The explicit cases: request bodies chosen on purpose, sent on every run before anything generated.

Random generation rarely produces what breaks an echo: a kilobyte value, an astral-plane character,
padding a server trims, a quote it forgets to escape. These bodies reach them deterministically:
across the corpus every synchronizationSecret member is sent as a key, every value class below is
sent, and secret counts include 0, 1 and many. They are ordered smallest first, because an explicit
case is reported as it is (it is not shrunk), so the first one to fail should be the smallest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .contract import secret_names

# Verbatim from the stub's "Request" example: always one of the cases.
SPEC_EXAMPLE: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.synchronization",
    "secrets": [{"@odata.type": "microsoft.graph.synchronizationSecretKeyStringValuePair"}],
}

# The value classes where echo bugs hide, each named for the defect it exposes.
VALUE_CLASSES: dict[str, str | None] = {
    "empty": "",
    "null": None,
    "non-ascii": "Grüße aus Zürich – 東京 – Ελληνικά – עברית",
    # Letters that look like ASCII ones are the point here: a server that folds them to ASCII is caught.
    "astral-plane": "🔐 key 𝔊𝔯𝔞𝔭𝔥 𠜎 🏳️‍🌈",  # noqa: RUF001
    "whitespace-padded": "  \t padded value \n ",
    "json-special": 'quote " backslash \\ slash / </script> \b\f\n\r\t \u0000 \u001f \u2028\u2029',
    "long": "".join(f"{i:04d}-long-secret-value;" for i in range(64)),  # 1,472 characters
}


@dataclass(frozen=True)
class CorpusCase:
    name: str
    body: dict[str, Any]


def corpus() -> list[CorpusCase]:
    names = secret_names()
    values = list(VALUE_CLASSES.values())
    cases = [
        CorpusCase("spec-example", SPEC_EXAMPLE),
        CorpusCase("no-secrets", {"secrets": []}),
        CorpusCase("one-secret", {"secrets": [{"key": "UserName", "value": "admin@contoso.example"}]}),
    ]
    cases += [CorpusCase(f"value-{label}", {"secrets": [{"key": "Password", "value": value}]}) for label, value in VALUE_CLASSES.items()]
    # Many: every member once, in metadata order, the value classes dealt round-robin.
    sweep = [{"key": name, "value": values[i % len(values)]} for i, name in enumerate(names)]
    cases.append(CorpusCase("all-members", {"secrets": sweep}))
    return cases


# --- requests the server must refuse -------------------------------------------------------------
# Each is a valid request but for one named defect, smallest and most common first.

# JSON that breaks the request schema (schemathesis' negative generation adds more).
INVALID_BODIES: dict[str, Any] = {
    "missing-secrets": {},
    "secrets-null": {"secrets": None},
    "secrets-not-array": {"secrets": {"key": "UserName", "value": "a"}},
    "secret-not-object": {"secrets": ["UserName"]},
    "key-null": {"secrets": [{"key": None, "value": "a"}]},
    "key-not-string": {"secrets": [{"key": 1, "value": "a"}]},
    "key-not-member": {"secrets": [{"key": "NotASynchronizationSecret", "value": "a"}]},
    # Keys a lenient reader maps to a member (a case-insensitive enum converter, a trim, an enum's
    # number): the contract's enum is the names exactly as written.
    "key-lower-case": {"secrets": [{"key": "password", "value": "a"}]},
    "key-upper-case": {"secrets": [{"key": "USERNAME", "value": "a"}]},
    "key-padded": {"secrets": [{"key": "Password ", "value": "a"}]},
    "key-numeric-text": {"secrets": [{"key": "3", "value": "a"}]},
    "value-not-string": {"secrets": [{"key": "UserName", "value": 42}]},
    "value-object": {"secrets": [{"key": "UserName", "value": {"nested": "a"}}]},
    "unknown-property": {"secrets": [], "notAProperty": 1},
    "wrong-odata-type": {"@odata.type": "#microsoft.graph.user", "secrets": []},
    "body-null": None,
    "body-string": "secrets",
    "body-array": [{"key": "UserName", "value": "a"}],
}

# Bodies that are not JSON at all (RFC 8259), sent with Content-Type: application/json.
MALFORMED_BODIES: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"secrets": [',
    "trailing-garbage": b'{"secrets": []} x',
    "trailing-comma": b'{"secrets": [],}',
    "single-quotes": b"{'secrets': []}",
    "unquoted-name": b"{secrets: []}",
    "comment": b'{"secrets": [] /* comment */}',
    "nan": b'{"secrets": [{"key": "UserName", "value": NaN}]}',
    # What lenient parsers let through inside a string: a raw control character, an unknown escape.
    "raw-control-character": b'{"secrets": [{"key": "UserName", "value": "a\tb\nc"}]}',
    "unknown-escape": b'{"secrets": [{"key": "UserName", "value": "\\x41"}]}',
    "invalid-utf8": b'{"secrets": [{"key": "UserName", "value": "\xff\xfe"}]}',
}

# Content-Type values other than JSON; None sends no Content-Type header at all.
WRONG_CONTENT_TYPES: dict[str, str | None] = {
    "missing": None,
    "text-plain": "text/plain",
    "xml": "application/xml",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=graph-sync-conformance",
}

# applicationsId values that are not GUIDs.
BAD_APPLICATION_IDS: dict[str, str] = {
    "word": "not-a-guid",
    "number": "12345",
    "non-hex": "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
}


def bad_authorizations(token: str, refused: Mapping[str, str]) -> dict[str, str | None]:
    """Authorization values that must get 401; None sends no Authorization header at all. `refused`
    are the credentials made from the token that a loose comparison would let through
    (conformance/config.py, `refused_tokens`)."""
    return {
        "missing": None,
        "empty-bearer": "Bearer ",
        "scheme-only": "Bearer",
        "not-bearer": "Basic Z3JhcGg6c3luYw==",
        "token-without-scheme": token,
        "not-a-token": "Bearer not-a-real-token",
        **{name: f"Bearer {credential}" for name, credential in refused.items()},
    }

"""The explicit cases: request bodies chosen on purpose, sent on every run before anything generated.

Random generation rarely produces what breaks an echo: a kilobyte value, an astral-plane character,
padding a server trims, a quote it forgets to escape. These bodies reach them deterministically:
across the corpus every synchronizationSecret member is sent as a key, every value class below is
sent, and secret counts include 0, 1 and many. They are ordered smallest first, because an explicit
case is reported as it is (it is not shrunk), so the first one to fail should be the smallest.
"""

from __future__ import annotations

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
    "astral-plane": "🔐 key 𝔊𝔯𝔞𝔭𝔥 𠜎 🏳️‍🌈",
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
    cases += [
        CorpusCase(f"value-{label}", {"secrets": [{"key": "Password", "value": value}]})
        for label, value in VALUE_CLASSES.items()
    ]
    # Many: every member once, in metadata order, the value classes dealt round-robin.
    sweep = [{"key": name, "value": values[i % len(values)]} for i, name in enumerate(names)]
    cases.append(CorpusCase("all-members", {"secrets": sweep}))
    return cases

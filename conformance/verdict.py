"""The run's verdict: one row per requirement, the certification rule, and verdict.json.

Rows are assembled from the pytest reports' properties (so a run split across pytest-xdist workers
assembles them the same way), and every view (terminal, HTML, JUnit, verdict.json) is drawn from them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .catalogue import BY_ID, REQUIREMENTS, Level

OUTCOMES = ("pass", "fail", "warn", "skip", "error", "waived")
RULE = (
    "conformant only if every requirement was judged, no MUST failed and no MUST was skipped; "
    "a failed SHOULD is a warning (a failure under --strict)"
)


@dataclass
class Row:
    id: str
    outcome: str
    reason: str = ""
    cases: int = 0
    first_failure: dict[str, Any] | None = None

    @property
    def level(self) -> Level:
        return BY_ID[self.id].level


@dataclass
class Verdict:
    verdict: str
    """conformant, not conformant, or incomplete."""
    reason: str
    rows: dict[str, Row] = field(default_factory=dict)


def decide(rows: dict[str, Row], no_verdict: str | None) -> Verdict:
    """Apply the rule. A run that stopped, or judged only part of the catalogue, is incomplete."""
    if no_verdict:
        return Verdict("incomplete", no_verdict, rows)
    missing = [r.id for r in REQUIREMENTS if r.id not in rows]
    if missing:
        return Verdict("incomplete", f"not judged: {', '.join(missing)}", rows)
    failed = [row.id for row in rows.values() if row.level is Level.MUST and row.outcome in ("fail", "error")]
    if failed:
        return Verdict("not conformant", f"MUST failed: {', '.join(failed)}", rows)
    skipped = [row.id for row in rows.values() if row.level is Level.MUST and row.outcome == "skip"]
    if skipped:
        return Verdict("not conformant", f"MUST not checked: {', '.join(skipped)}", rows)
    should = [row.id for row in rows.values() if row.outcome == "fail"]
    if should:
        return Verdict("not conformant", f"SHOULD failed under --strict: {', '.join(should)}", rows)
    notes = [
        f"{label}: {', '.join(ids)}"
        for label, ids in (
            ("with warnings", [row.id for row in rows.values() if row.outcome == "warn"]),
            ("with waivers", [row.id for row in rows.values() if row.outcome == "waived"]),
        )
        if ids
    ]
    return Verdict("conformant", "; ".join(notes) or "every requirement passed", rows)


def public_url(url: str) -> str:
    """The URL without credentials or query: what may be written down about the target."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def document(verdict: Verdict, header: dict[str, Any]) -> dict[str, Any]:
    """verdict.json: the header (suite, contract, target, times, configuration) and the rows."""
    requirements = []
    for requirement in REQUIREMENTS:
        row = verdict.rows.get(requirement.id)
        not_run = {"id": requirement.id, "outcome": "skip", "reason": "not run", "cases": 0, "first_failure": None}
        requirements.append(
            {
                **(asdict(row) if row else not_run),
                "level": str(requirement.level),
                "clause": requirement.clause,
                "statement": requirement.statement,
            }
        )
    return {**header, "rule": RULE, "verdict": verdict.verdict, "reason": verdict.reason, "requirements": requirements}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

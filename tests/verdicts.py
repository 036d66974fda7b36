"""verdict.json documents made without a run, whole as a run writes them (schemas/verdict.schema.json):
for the tests of what reads a verdict back (`diff`, the nightly templates)."""

from __future__ import annotations

import json
from typing import Any

from conformance.catalogue import REQUIREMENTS
from conformance.config import RunConfig
from conformance.grading import Outcome, Row, decide
from conformance.stats import RunStats
from conformance.verdict import document, header

TARGET = "https://sync.example.com/beta"


def verdict(outcomes: dict[str, str] | None = None, judged: list[str] | None = None, *, target: str = TARGET) -> dict[str, Any]:
    """A verdict of `target`: every requirement in `judged` (default all) passing unless `outcomes`
    says otherwise; the others not run, as a run cut short lists them (and is incomplete)."""
    ids = judged if judged is not None else [r.id for r in REQUIREMENTS]
    rows = {rid: Row(rid, Outcome((outcomes or {}).get(rid, "pass")), reason=f"why {rid}") for rid in ids}
    stats = RunStats()
    settings: dict[str, dict[str, Any]] = {
        "base-url": {"value": target, "source": "cli"},
        "max-examples": {"value": 40, "source": "default"},
        "seed": {"value": 20260206, "source": "default"},
        "token-env": {"value": "GRAPH_TOKEN", "source": "default"},
        "token": {"source": "env:GRAPH_TOKEN"},
    }
    run = RunConfig(base_url=target, token=None, application_ids=("00000000-0000-0000-0000-000000000001",), settings=settings)
    times = {"started": "2026-11-25T02:17:00Z", "finished": "2026-11-25T02:19:30Z", "stopped": None}
    data = document(decide(rows, None), {**header(run, target), **times, "traffic": stats.as_dict(), "coverage": stats.coverage.as_dict()})
    return json.loads(json.dumps(data))  # as read back from the file: plain JSON values, no enums

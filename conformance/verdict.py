"""verdict.json: the run's verdict as a document (its shape is `schemas/verdict.schema.json`).

The rows and the rule that decides the verdict are conformance/grading.py's; this module only lays
them out, beside what the run was (conformance/reporting.py gives the header).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import __version__
from .catalogue import REQUIREMENTS
from .config import RunConfig
from .contract import PROVENANCE, SPEC_NAME, fingerprints
from .grading import RULE, Outcome, Verdict


def public_url(url: str) -> str:
    """The URL without credentials or query: what may be written down about the target."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def header(run: RunConfig, target: str) -> dict[str, Any]:
    """What verdict.json says about the run besides its rows and times: never a credential."""
    files = fingerprints()
    return {
        "suite": {"name": "graph-sync-conformance", "version": __version__},
        "contract": {
            "source": SPEC_NAME,
            "sha256": files[f"contract/{SPEC_NAME}"],
            "provenance": PROVENANCE,
            "schemas": {name: digest for name, digest in files.items() if "/" not in name},
        },
        "target": {"base_url": public_url(target), "embedded": run.embedded},
        "seed": run.seed,
        "configuration": run.reported(),
        "settings": dict(run.settings),
    }


def document(verdict: Verdict, header: dict[str, Any]) -> dict[str, Any]:
    """verdict.json: the header (suite, contract, target, times, configuration) and the rows."""
    requirements = []
    for requirement in REQUIREMENTS:
        row = verdict.rows.get(requirement.id)
        not_run = {"id": requirement.id, "outcome": Outcome.SKIP, "reason": "not run", "cases": 0, "first_failure": None, "judged": 0}
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

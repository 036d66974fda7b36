"""Waivers: a vendor's recorded, dated acceptance of a failed SHOULD.

A waived SHOULD shows as "waived" everywhere. A MUST cannot be waived for certification, and an
expired waiver is ignored: both with a note. A waiver whose requirement now passes is reported as no
longer needed, so waivers do not outlive their reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .catalogue import BY_ID, Level
from .errors import WaiverError


@dataclass(frozen=True)
class Waiver:
    id: str
    reason: str
    expires: date


@dataclass
class Waivers:
    waivers: list[Waiver]
    today: date

    def ignored_because(self, waiver: Waiver) -> str | None:
        if BY_ID[waiver.id].level is Level.MUST:
            return "ignored: a MUST cannot be waived for certification"
        if waiver.expires < self.today:
            return f"ignored: expired on {waiver.expires.isoformat()}"
        return None

    @classmethod
    def none(cls) -> Waivers:
        return cls([], date.today())

    def applies(self, rid: str) -> Waiver | None:
        """The waiver in force for this requirement, if any (a MUST's and an expired one never are)."""
        return next((w for w in self.waivers if w.id == rid and self.ignored_because(w) is None), None)

    def report(self, outcomes: Mapping[str, str]) -> list[dict[str, str]]:
        """Each waiver and what became of it in this run."""
        rows = []
        for waiver in self.waivers:
            status = self.ignored_because(waiver)
            if status is None:
                outcome = outcomes.get(waiver.id)
                status = {"waived": "applied", "pass": "no longer needed: the requirement passes"}.get(
                    outcome or "", "not used in this run"
                )
            rows.append({"id": waiver.id, "reason": waiver.reason, "expires": waiver.expires.isoformat(), "status": status})
        return rows


def load(path: Path, today: date) -> Waivers:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WaiverError(f"{path}: {str(exc).splitlines()[0]}") from None
    entries = data.get("waivers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise WaiverError(f"{path}: expected a list of waivers (id, reason, expires)")
    waivers = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not {"id", "reason", "expires"} <= set(entry):
            raise WaiverError(f"{path}: waiver {number} needs id, reason and expires")
        if entry["id"] not in BY_ID:
            raise WaiverError(f"{path}: waiver {number} names unknown requirement {entry['id']}")
        expires = entry["expires"]
        if not isinstance(expires, date):
            try:
                expires = date.fromisoformat(str(expires))
            except ValueError:
                raise WaiverError(f"{path}: waiver {number}: expires {expires!r} is not a date (YYYY-MM-DD)") from None
        waivers.append(Waiver(str(entry["id"]), str(entry["reason"]), expires))
    return Waivers(waivers, today)

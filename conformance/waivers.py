"""Waivers: a vendor's recorded, dated acceptance of a failed SHOULD.

A waived SHOULD shows as "waived" everywhere. A MUST cannot be waived for certification, and an
expired waiver is ignored: both with a note. A waiver whose requirement now passes is reported as no
longer needed, so waivers do not outlive their reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .catalogue import BY_ID, Level
from .errors import UnusableFile, WaiverError
from .files import load_yaml, named
from .text import shown


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
    """The waivers of a YAML file (a list, or a mapping with `waivers:`), read within bounds
    (conformance/files.py); WaiverError, one line naming the file, for anything it cannot use."""
    try:
        data: Any = load_yaml(path)
    except UnusableFile as exc:
        raise WaiverError(str(exc)) from None
    where = named(path)
    entries = data.get("waivers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise WaiverError(f"{where}: expected a list of waivers (id, reason, expires)")
    return Waivers([_waiver(entry, f"{where}: waiver {number}") for number, entry in enumerate(entries, 1)], today)


def _waiver(entry: Any, where: str) -> Waiver:
    if not isinstance(entry, dict) or not {"id", "reason", "expires"} <= set(entry):
        raise WaiverError(f"{where} needs id, reason and expires")
    rid, reason = entry["id"], entry["reason"]
    if not isinstance(rid, str) or rid not in BY_ID:
        raise WaiverError(f"{where} names unknown requirement {shown(repr(rid))}")
    if not isinstance(reason, str):
        raise WaiverError(f"{where}: reason is {shown(repr(reason))}, not text saying why")
    return Waiver(rid, reason, expiry(entry["expires"], where))


def expiry(value: Any, where: str) -> date:
    """The day a waiver expires on: a date, or a date-time (written `2030-01-01 10:00:00`, with a `T`,
    or with a time zone), of which the day counts: a waiver is in force through the day it names,
    as a run is judged by its day."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise WaiverError(f"{where}: expires {shown(repr(value))} is not a date (YYYY-MM-DD) or a date-time") from None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise WaiverError(f"{where}: expires {shown(repr(value))} is not a date (YYYY-MM-DD) or a date-time")

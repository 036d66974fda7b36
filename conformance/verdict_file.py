"""Reading a verdict.json back (`diff`, `summary`): a one-line error for a file that is not one.

Only the parts every version of the file has are required (the verdict, and each requirement's id,
level and outcome), so that tonight's run can be compared with one written by an older suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import UnusableFile, VerdictFileError
from .files import load_json, named

ROW = ("id", "level", "outcome")
"""What every row has, in every version of the file."""
Kinds = Mapping[str, type | tuple[type, ...]]

OPTIONAL: Kinds = {
    "reason": str,
    "seed": (int, str),
    "finished": str,
    "target": dict,
    "suite": dict,
    "configuration": dict,
    "contract": dict,
}
"""The other parts `diff` and `summary` read, and what each must be where it is given."""
OPTIONAL_IN_A_ROW: Kinds = {"reason": str, "statement": str, "cases": int, "judged": int}


def load(path: Path) -> dict[str, Any]:
    """The verdict in `path`, read within bounds (conformance/files.py) and of the shape the readers
    expect; VerdictFileError, one line naming the file and the part, for anything else."""
    where = named(path)
    try:
        data = load_json(path)
    except UnusableFile as exc:
        raise VerdictFileError(str(exc)) from None
    rows = data.get("requirements") if isinstance(data, dict) else None
    if not (isinstance(rows, list) and all(isinstance(row, dict) and all(isinstance(row.get(k), str) for k in ROW) for row in rows)):
        rows = None
    if rows is None or not isinstance(data.get("verdict"), str):
        raise VerdictFileError(f"{where}: not a verdict.json (no verdict, or requirements without id, level and outcome)")
    if problem := _misshapen(data, OPTIONAL) or next(
        (f"requirement {number}: {p}" for number, row in enumerate(rows, 1) if (p := _misshapen(row, OPTIONAL_IN_A_ROW))), None
    ):
        raise VerdictFileError(f"{where}: not a verdict.json ({problem})")
    return data


def _misshapen(data: dict[str, Any], expected: Kinds) -> str | None:
    """The first part of `data` given as something else than `expected` says (a bool is no number)."""
    for key, kind in expected.items():
        value = data.get(key)
        if key in data and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
            return f"{key} is {type(value).__name__}"
    return None

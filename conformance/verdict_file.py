"""Reading a verdict.json back (`diff`, `summary`): a one-line error for a file that is not one.

Only the parts every version of the file has are required (the verdict, and each requirement's id,
level and outcome), so that tonight's run can be compared with one written by an older suite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import VerdictFileError


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VerdictFileError(f"{path}: not a readable JSON file ({exc})") from None
    rows = data.get("requirements") if isinstance(data, dict) else None
    well_formed = isinstance(rows, list) and all(
        isinstance(row, dict) and all(isinstance(row.get(key), str) for key in ("id", "level", "outcome")) for row in rows
    )
    if not (well_formed and isinstance(data.get("verdict"), str)):
        raise VerdictFileError(f"{path}: not a verdict.json (no verdict, or requirements without id, level and outcome)")
    return data

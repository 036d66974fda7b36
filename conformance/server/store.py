"""Created synchronizations, in SQLite: in memory by default, a file with --db.

One connection behind a lock: the server's event loop and any test thread may write at once, and
SQLite's own locking is per connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

# No index on `id`: ids are random GUIDs (uuid4), and nothing looks one up; an index kept unique on
# every insert was about a twentieth of a create's cost under the benchmark's load (docs/performance.md).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS synchronization (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    secrets TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS synchronization_by_application ON synchronization (application_id, seq);
"""


@dataclass(frozen=True)
class Record:
    id: str
    application_id: str
    secrets: list[dict[str, Any]]


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        """Raises sqlite3.Error when `path` cannot be kept as a store: a folder, a file that is not a
        database, or one that cannot be written (found here rather than on every create)."""
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._db.executescript(_SCHEMA)
            self._db.execute("DELETE FROM synchronization WHERE 0")  # a write that changes nothing
        except sqlite3.Error:
            self._db.close()
            raise

    def add(self, record: Record) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO synchronization (id, application_id, secrets) VALUES (?, ?, ?)",
                (record.id, record.application_id, json.dumps(record.secrets)),
            )

    def latest(self, application_id: str) -> Record | None:
        """`synchronization` is single-valued per application: the most recent create is the one."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, application_id, secrets FROM synchronization WHERE application_id = ? ORDER BY seq DESC LIMIT 1",
                (application_id,),
            ).fetchone()
        return None if row is None else Record(row[0], row[1], json.loads(row[2]))

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM synchronization").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""Common mistakes, recognised from what a run saw, each with what to do about it.

A run against the wrong URL is not a conformance finding about the server, but its report reads
like one: every requirement fails. A hint says what the answers suggest, beside the verdict, so the
fix is one rerun away. (A run without credentials does not start at all: conformance/config.py.)
"""

from __future__ import annotations

from collections import Counter

from .config import RunConfig
from .stats import RunStats


def hints(run: RunConfig, stats: RunStats) -> list[str]:
    by_status: Counter[int] = Counter()
    for key, count in stats.statuses.items():
        by_status[int(key.rpartition(" ")[2])] += count
    found = []
    if by_status and set(by_status) == {404}:
        root = (run.base_url or "").rstrip("/")
        example = root if root.rsplit("/", 1)[-1] in ("beta", "v1.0") else f"{root}/beta"
        found.append(
            "every request was answered 404: --base-url is the service root with its version, "
            f"e.g. {example} (the suite appends /applications/{{id}}/synchronization)"
        )
    return found

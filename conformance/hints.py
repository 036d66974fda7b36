"""Common mistakes, recognised from what a run saw, each with what to do about it.

A run against the wrong URL or without a token is not a conformance finding about the server, but
its report reads like one: every requirement fails. A hint says what the answers suggest, beside the
verdict, so the fix is one rerun away.
"""

from __future__ import annotations

from collections import Counter

from .catalogue import Probe
from .config import RunConfig
from .stats import RunStats


def hints(run: RunConfig, stats: RunStats) -> list[str]:
    by_status: Counter[int] = Counter()
    valid: Counter[int] = Counter()
    for key, count in stats.statuses.items():
        probe, _, status = key.rpartition(" ")
        by_status[int(status)] += count
        if probe == Probe.VALID:
            valid[int(status)] += count
    found = []
    if by_status and set(by_status) == {404}:
        root = (run.base_url or "").rstrip("/")
        example = root if root.rsplit("/", 1)[-1] in ("beta", "v1.0") else f"{root}/beta"
        found.append(
            "every request was answered 404: --base-url is the service root with its version, "
            f"e.g. {example} (the suite appends /applications/{{id}}/synchronization)"
        )
    if valid and set(valid) == {401} and run.token is None and run.credentials is None:
        found.append("every valid request was answered 401 and no token was given: pass --token TOKEN or set GRAPH_TOKEN")
    return found

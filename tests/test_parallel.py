"""`-n` (pytest-xdist): the workers split one run instead of each repeating it, and reach the
verdict, the case counts and the first failures that a single process reaches."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import pytest

from conformance.catalogue import BY_ID
from conformance.server import ReferenceServer

from .servers import CrashesOnMalformedJson, IgnoresToken, Variant
from .test_prover import LosesOneOfSeveralKeylessSecrets


def _summary_rows(run) -> dict[str, str]:
    """Requirement id -> verdict of its row in the HTML report's summary table."""
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text(encoding="utf-8")))
    rows = re.findall(r'<td>(?:<a href="[^"]*">)?(SYNC-[A-Z0-9-]+)(?:</a>)?</td><td>(?:MUST|SHOULD)</td><td class="verdict-(\w+)">', shown)
    return dict(rows)


def _cases(run) -> dict[str, int]:
    return {row["id"]: row["cases"] for row in run.verdict["requirements"]}


def _sent(run, pattern: str) -> list[Counter[tuple[str, str]]]:
    """(probe, case) of every line of each evidence file matching `pattern`."""
    return [
        Counter((line["probe"], line["case"]) for line in map(json.loads, path.read_text().splitlines()))
        for path in sorted(run.reports.glob(pattern))
    ]


def test_workers_split_the_cases_and_reach_the_same_verdict(serve, run_suite) -> None:
    served = serve(ReferenceServer)
    alone = run_suite("--base-url", served.url, "--token", served.token)
    split = run_suite("--base-url", served.url, "--token", served.token, "-n", "2")
    assert (alone.exit_code, split.exit_code) == (0, 0), split.output
    assert split.outcomes == alone.outcomes
    assert _cases(split) == _cases(alone)
    assert _summary_rows(split) == _summary_rows(alone) == {rid: "pass" for rid in BY_ID}, "the merged HTML report"
    per_worker = _sent(split, "evidence-gw*.jsonl")
    assert len(per_worker) == 2 and all(per_worker), "both workers sent a share"
    # Together they sent exactly what one process sends: nothing twice, nothing missing.
    assert sum(per_worker, Counter()) == _sent(alone, "evidence.jsonl")[0]


@pytest.mark.parametrize("behaviour", [LosesOneOfSeveralKeylessSecrets, IgnoresToken, CrashesOnMalformedJson], ids=lambda b: b.__name__)
def test_workers_catch_a_broken_server_as_one_process_does(behaviour: type[Variant], serve, run_suite) -> None:
    """A bug only generation reaches (shrunk in the worker whose test failed), and two found by
    chosen cases of probes the other worker may have sent."""
    served = serve(behaviour)
    alone = run_suite("--base-url", served.url, "--token", served.token)
    split = run_suite("--base-url", served.url, "--token", served.token, "-n", "2")
    assert split.exit_code == alone.exit_code == 1, split.output
    assert split.caught() == alone.caught() == {behaviour.breaks}
    assert _summary_rows(split) == _summary_rows(alone) and _summary_rows(split)[str(behaviour.breaks)] == "fail"
    first = [next(r["first_failure"] for r in run.verdict["requirements"] if r["id"] == behaviour.breaks) for run in (alone, split)]
    assert first[0]["found_after"] == first[1]["found_after"]
    bodies = [[e["request"]["body"]["text"] for e in f["exchanges"]] for f in first]
    assert bodies[0] == bodies[1]
    assert not [path for path, text in split.artifacts().items() if served.token in text]


def test_no_evidence_file_of_an_earlier_run_is_left_beside_this_one(serve, run_suite, tmp_path) -> None:
    served = serve(ReferenceServer)
    evidence = tmp_path / "shared" / "evidence.jsonl"
    run_suite("--base-url", served.url, "--token", served.token, "-n", "2", f"--evidence={evidence}")
    assert sorted(p.name for p in evidence.parent.glob("*.jsonl")) == ["evidence-gw0.jsonl", "evidence-gw1.jsonl"]
    run_suite("--base-url", served.url, "--token", served.token, f"--evidence={evidence}")
    assert sorted(p.name for p in evidence.parent.glob("*.jsonl")) == ["evidence.jsonl"]

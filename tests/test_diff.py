"""`diff`: a regression is any change that makes the verdict worse under the certification rule."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.catalogue import REQUIREMENTS, Level
from conformance.cli import main
from conformance.diff import RANKS, compare
from conformance.grading import Outcome, Row, decide
from conformance.verdict import document

MUST = next(r.id for r in REQUIREMENTS if r.level is Level.MUST)
SHOULD = next(r.id for r in REQUIREMENTS if r.level is Level.SHOULD)
OUTCOMES = {"MUST": ["pass", "skip", "fail", "error"], "SHOULD": ["pass", "warn", "waived", "skip", "fail", "error"]}

# The rule, written out transition by transition rather than computed from the ranks under test. An
# error (the suite could not judge) takes the whole verdict at either level: the worst outcome.
REGRESSED = {
    ("MUST", "pass", "skip"), ("MUST", "pass", "fail"), ("MUST", "pass", "error"),
    ("MUST", "skip", "fail"), ("MUST", "skip", "error"), ("MUST", "fail", "error"),
    *(("SHOULD", was, "fail") for was in ("pass", "warn", "waived", "skip")),
    *(("SHOULD", was, "error") for was in ("pass", "warn", "waived", "skip", "fail")),
}  # fmt: skip
IMPROVED = {
    ("MUST", "skip", "pass"), ("MUST", "fail", "pass"), ("MUST", "error", "pass"),
    *(("SHOULD", was, now) for was in ("fail", "error") for now in ("pass", "warn", "waived", "skip")),
}  # fmt: skip


def verdict(outcomes: dict[str, str] | None = None, judged: list[str] | None = None) -> dict[str, Any]:
    """A verdict.json document as a run writes it: every requirement passing unless `outcomes` says otherwise."""
    ids = judged if judged is not None else [r.id for r in REQUIREMENTS]
    rows = {rid: Row(rid, Outcome((outcomes or {}).get(rid, "pass")), reason=f"why {rid}") for rid in ids}
    return document(decide(rows, None), {"seed": 1})


@pytest.mark.parametrize(
    ("level", "was", "now"),
    [(level, was, now) for level, outcomes in OUTCOMES.items() for was, now in itertools.permutations(outcomes, 2)],
)
def test_every_transition_is_classified_by_the_rule(level: str, was: str, now: str) -> None:
    rid = MUST if level == "MUST" else SHOULD
    difference = compare(verdict({rid: was}), verdict({rid: now}))
    [change] = difference.regressed + difference.improved + difference.changed
    assert (change.id, change.level, change.was, change.now) == (rid, level, was, now)
    expected = "regressed" if (level, was, now) in REGRESSED else "improved" if (level, was, now) in IMPROVED else "changed"
    assert change in getattr(difference, expected)
    assert difference.regression == (expected == "regressed")


@pytest.mark.parametrize(("level", "outcome"), [(level, outcome) for level, outcomes in OUTCOMES.items() for outcome in outcomes])
def test_an_outcome_counts_against_the_verdict_exactly_when_decide_says_so(level: str, outcome: str) -> None:
    """The ranks are the certification rule's: rank 0 is what `decide` still calls conformant."""
    rid = MUST if level == "MUST" else SHOULD
    assert (verdict({rid: outcome})["verdict"] == "conformant") == (RANKS[level][outcome] == 0)


def test_a_must_going_from_pass_to_skip_is_a_regression() -> None:
    """The night the token stopped working: the credential checks skip, the verdict is not conformant."""
    difference = compare(verdict(), verdict({"SYNC-AUTH-401": "skip"}))
    assert difference.regression and difference.verdict == ("conformant", "not conformant")
    assert difference.lines() == [
        "verdict regressed: conformant -> not conformant: MUST not checked: SYNC-AUTH-401",
        "regressed: SYNC-AUTH-401 (MUST): pass -> skip: why SYNC-AUTH-401",
    ]


def test_a_new_warning_is_a_change_not_a_regression() -> None:
    difference = compare(verdict(), verdict({SHOULD: "warn"}))
    assert not difference.regression and difference.verdict == ("conformant", "conformant")
    assert difference.lines() == [f"changed: {SHOULD} (SHOULD): pass -> warn: why {SHOULD}"]


@pytest.mark.parametrize(
    ("old", "new", "worse"),
    [
        ("conformant", "not conformant", True),
        ("conformant", "incomplete", True),
        ("not conformant", "incomplete", True),
        ("incomplete", "conformant", False),
        ("not conformant", "conformant", False),
    ],
)
def test_the_verdict_getting_worse_is_a_regression_on_its_own(old: str, new: str, worse: bool) -> None:
    """Even with no requirement's outcome changed (here: only the overall verdict differs)."""
    before, after = verdict(), verdict()
    before["verdict"], after["verdict"] = old, new
    difference = compare(before, after)
    assert difference.regression is worse
    assert difference.lines()[0].startswith(f"verdict {'regressed' if worse else 'improved'}: {old} -> {new}")


def test_a_run_that_judged_less_is_a_regression() -> None:
    """A run cut short lists the requirements it did not reach as skipped ("not run"), and is incomplete."""
    difference = compare(verdict(), verdict(judged=[r.id for r in REQUIREMENTS[:3]]))
    assert difference.verdict == ("conformant", "incomplete") and difference.regression
    assert {c.id for c in difference.regressed} == {r.id for r in REQUIREMENTS[3:] if r.level is Level.MUST}


def test_a_requirement_one_catalogue_lacks_is_compared_as_absent() -> None:
    old, new = verdict(), verdict({MUST: "fail"})
    old["requirements"] = [r for r in old["requirements"] if r["id"] != MUST]  # an older catalogue
    assert [str(c) for c in compare(old, new).regressed] == [f"{MUST} (MUST): absent -> fail: why {MUST}"]
    dropped = compare(new, old)
    assert [str(c) for c in dropped.changed] == [f"{MUST} (MUST): fail -> absent"] and not dropped.improved


def _files(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return str(tmp_path / "old.json"), str(tmp_path / "new.json")


def test_the_cli_exits_1_on_a_regression_and_0_otherwise(tmp_path: Path, capsys) -> None:
    worse = _files(tmp_path, verdict(), verdict({"SYNC-AUTH-401": "skip"}))
    assert main(["diff", *worse]) == 1
    assert "regressed: SYNC-AUTH-401 (MUST): pass -> skip" in capsys.readouterr().out
    assert main(["diff", *reversed(worse)]) == 0
    assert "improved: SYNC-AUTH-401 (MUST): skip -> pass" in capsys.readouterr().out
    assert main(["diff", *_files(tmp_path, verdict(), verdict())]) == 0
    assert capsys.readouterr().out == "nothing changed\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not a readable JSON file"), ('{"verdict": "conformant"}', "not a verdict.json"), ("[1, 2]", "not a verdict.json")],
)
def test_a_file_that_is_not_a_verdict_is_a_one_line_usage_error(tmp_path: Path, capsys, content: str, message: str) -> None:
    good, _ = _files(tmp_path, verdict(), verdict())
    (tmp_path / "bad.json").write_text(content)
    assert main(["diff", good, str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graph-sync-conformance diff: ") and message in err and err.count("\n") == 1

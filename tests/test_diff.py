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

from .verdicts import verdict

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
    [("{not json", "not JSON"), ('{"verdict": "conformant"}', "not a verdict.json"), ("[1, 2]", "not a verdict.json")],
)
def test_a_file_that_is_not_a_verdict_is_a_one_line_usage_error(tmp_path: Path, capsys, content: str, message: str) -> None:
    good, _ = _files(tmp_path, verdict(), verdict())
    (tmp_path / "bad.json").write_text(content)
    assert main(["diff", good, str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graph-sync-conformance diff: ") and message in err and err.count("\n") == 1


def _embedded(port: int) -> dict[str, Any]:
    """A verdict of the embedded reference server, which listens on a new port each run."""
    return verdict(target=f"http://127.0.0.1:{port}/beta") | {"target": {"base_url": f"http://127.0.0.1:{port}/beta", "embedded": True}}


def _other_suite(document: dict[str, Any]) -> dict[str, Any]:
    return document | {"suite": {"name": "graph-sync-conformance", "version": "0.2.0"}}


def _other_schema(document: dict[str, Any]) -> dict[str, Any]:
    contract = document["contract"]
    return document | {"contract": contract | {"schemas": contract["schemas"] | {"synchronization.json": "0" * 64}}}


def _other_source(document: dict[str, Any]) -> dict[str, Any]:
    return document | {"contract": document["contract"] | {"source": "create-synchronization-v2.md", "sha256": "1" * 64}}


@pytest.mark.parametrize(
    ("old", "new", "warning"),
    [
        (verdict(), verdict(target="https://staging.example.com/beta"),
         "warning: different targets: https://sync.example.com/beta -> https://staging.example.com/beta: "
         "a change may be the target's, not the server's"),
        (_embedded(41000), verdict(),
         "warning: different targets: the embedded reference server -> https://sync.example.com/beta: "
         "a change may be the target's, not the server's"),
        (verdict(), _other_schema(verdict()),
         "warning: different contracts (schemas/synchronization.json): a change may be the contract's, not the server's"),
        (verdict(), _other_source(verdict()),
         "warning: different contracts (contract/create-synchronization-v2.md, contract/create-synchronization.md): "
         "a change may be the contract's, not the server's"),
        (verdict(), _other_suite(verdict()),
         "warning: different suite versions: 0.1.0 -> 0.2.0: a change may be the suite's, not the server's"),
    ],
    ids=["base-url", "embedded", "schema", "contract-source", "suite-version"],
)  # fmt: skip
@pytest.mark.parametrize("regression", [False, True])
def test_runs_that_are_not_alike_are_compared_under_a_warning_that_leaves_the_exit_code(
    tmp_path: Path, capsys, old: dict[str, Any], new: dict[str, Any], warning: str, regression: bool
) -> None:
    if regression:
        new = new | {"verdict": "not conformant", "requirements": verdict({MUST: "fail"})["requirements"]}
    assert main(["diff", *_files(tmp_path, old, new)]) == int(regression)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == warning and not [line for line in out[1:] if line.startswith("warning:")]
    assert out[1:] == (compare(old, new).lines() or ["nothing changed"])


def test_every_difference_has_its_own_warning_in_order(tmp_path: Path, capsys) -> None:
    new = _other_suite(_other_schema(verdict(target="https://staging.example.com/beta")))
    assert main(["diff", *_files(tmp_path, verdict(), new)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[:2] for line in out[:3]] == [
        ["warning", " different targets"],
        ["warning", " different contracts (schemas/synchronization.json)"],
        ["warning", " different suite versions"],
    ]
    assert out[3:] == ["nothing changed"]


@pytest.mark.parametrize(
    ("old", "new"),
    [(verdict(), verdict({MUST: "fail"})), (_embedded(41000), _embedded(41001) | {"started": "2026-11-26T02:17:00Z"})],
    ids=["same-target", "embedded-on-another-port"],
)
def test_runs_alike_are_compared_without_a_warning(tmp_path: Path, capsys, old: dict[str, Any], new: dict[str, Any]) -> None:
    main(["diff", *_files(tmp_path, old, new)])
    assert "warning" not in capsys.readouterr().out


def test_a_section_an_older_verdict_lacks_is_named_as_not_recorded(tmp_path: Path, capsys) -> None:
    """verdict_file.load asks only for the verdict and the rows: a file written before these sections was is still read."""
    older = {key: value for key, value in verdict().items() if key not in ("target", "contract", "suite")}
    assert main(["diff", *_files(tmp_path, older, verdict())]) == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "warning: different targets: not recorded -> https://sync.example.com/beta: a change may be the target's, not the server's",
        "warning: different contracts (not recorded in the older verdict): a change may be the contract's, not the server's",
        "warning: different suite versions: not recorded -> 0.1.0: a change may be the suite's, not the server's",
    ]
    assert main(["diff", *_files(tmp_path, older, older)]) == 0
    assert capsys.readouterr().out == "nothing changed\n"


HOSTILE = "\x1b]0;owned\x07\x1b[2J\r\nregressed: nothing\u2028\x7f\x9b31m\x85\ud800"
ESCAPED = "\\x1b]0;owned\\x07\\x1b[2J\\r\\nregressed: nothing\\u2028\\x7f\\x9b31m\\x85\\ud800"  # as text.shown writes it


def test_text_from_the_files_cannot_write_on_the_terminal(tmp_path: Path, capsys) -> None:
    """A value is shown with its controls (C0, DEL, C1), line separators and lone surrogates escaped:
    on one line, commanding nothing, in a warning and in the comparison alike."""
    old = verdict() | {"suite": {"name": "graph-sync-conformance", "version": HOSTILE}}
    new = verdict({MUST: "fail"}) | {"target": {"base_url": HOSTILE, "embedded": False}}
    new["requirements"] = [row | {"reason": HOSTILE} if row["id"] == MUST else row for row in new["requirements"]]
    assert main(["diff", *_files(tmp_path, old, new)]) == 1
    out = capsys.readouterr().out
    assert all(line.isprintable() for line in out.splitlines())
    assert out.splitlines() == [
        f"warning: different targets: https://sync.example.com/beta -> {ESCAPED}: a change may be the target's, not the server's",
        f"warning: different suite versions: {ESCAPED} -> 0.1.0: a change may be the suite's, not the server's",
        f"verdict regressed: conformant -> not conformant: MUST failed: {MUST}",
        f"regressed: {MUST} (MUST): pass -> fail: {ESCAPED}",
    ]

"""The grading policy on its own, without pytest around it: what a broken requirement becomes, the
certification rule, the exit code, and the properties a report carries there and back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conformance.catalogue import BY_ID, REQUIREMENTS, Level
from conformance.grading import (
    EXIT_NO_VERDICT,
    SUITE_ERROR,
    Judged,
    Outcome,
    Row,
    decide,
    exit_code,
    graded,
    judged_in,
    record,
    requirement_properties,
    requirements_in,
)
from conformance.waivers import Waiver, Waivers

TODAY = date(2026, 11, 25)
MUST = BY_ID["SYNC-SECRETS-ECHO"]
SHOULD = BY_ID["SYNC-LOCATION"]


def waivers(*entries: Waiver) -> Waivers:
    return Waivers(list(entries), TODAY)


@pytest.mark.parametrize(
    "requirement, strict, expected",
    [(MUST, False, Outcome.FAIL), (MUST, True, Outcome.FAIL), (SHOULD, False, Outcome.WARN), (SHOULD, True, Outcome.FAIL)],
    ids=["must", "must-strict", "should", "should-strict"],
)
def test_a_broken_must_fails_and_a_broken_should_warns_unless_strict(requirement, strict: bool, expected: Outcome) -> None:
    assert graded(requirement, "why", strict=strict, waivers=waivers()) == Judged(expected, "why")


@pytest.mark.parametrize("strict", [False, True])
def test_a_waiver_in_force_turns_a_broken_should_into_waived(strict: bool) -> None:
    in_force = Waiver(SHOULD.id, "no Location until v2", TODAY + timedelta(days=1))
    judged = graded(SHOULD, "the 201 has no Location header", strict=strict, waivers=waivers(in_force))
    assert judged.outcome is Outcome.WAIVED
    assert judged.reason == "waived until 2026-11-26 (no Location until v2): the 201 has no Location header"


def test_a_waiver_for_a_must_or_an_expired_one_changes_nothing() -> None:
    for_must = Waiver(MUST.id, "not allowed", TODAY + timedelta(days=1))
    expired = Waiver(SHOULD.id, "old", TODAY - timedelta(days=1))
    assert graded(MUST, "r", strict=False, waivers=waivers(for_must)).outcome is Outcome.FAIL
    assert graded(SHOULD, "r", strict=False, waivers=waivers(expired)).outcome is Outcome.WARN


def rows(**outcomes: Outcome) -> dict[str, Row]:
    """Every requirement passing, but those named (by id with - as _)."""
    named = {rid.replace("_", "-"): outcome for rid, outcome in outcomes.items()}
    return {r.id: Row(r.id, named.get(r.id, Outcome.PASS)) for r in REQUIREMENTS}


@pytest.mark.parametrize(
    "outcomes, verdict, reason",
    [
        ({}, "conformant", "every requirement passed"),
        ({"SYNC_LOCATION": Outcome.WARN}, "conformant", "with warnings: SYNC-LOCATION"),
        ({"SYNC_LOCATION": Outcome.WAIVED}, "conformant", "with waivers: SYNC-LOCATION"),
        ({"SYNC_LOCATION": Outcome.SKIP}, "conformant", "SHOULD not checked: SYNC-LOCATION"),
        (
            {"SYNC_LOCATION": Outcome.SKIP, "SYNC_REQUEST_ID": Outcome.WARN},
            "conformant",
            "with warnings: SYNC-REQUEST-ID; SHOULD not checked: SYNC-LOCATION",
        ),
        ({"SYNC_SECRETS_ECHO": Outcome.FAIL}, "not conformant", "MUST failed: SYNC-SECRETS-ECHO"),
        (
            {"SYNC_SECRETS_ECHO": Outcome.ERROR},
            "incomplete",
            "the suite could not judge: SYNC-SECRETS-ECHO (an error in the suite; its report has the traceback)",
        ),
        ({"SYNC_SECRETS_ECHO": Outcome.ERROR, "SYNC_ID_GUID": Outcome.FAIL}, "not conformant", "MUST failed: SYNC-ID-GUID"),
        (
            {"SYNC_LOCATION": Outcome.ERROR, "SYNC_AUTH_401": Outcome.SKIP},
            "incomplete",
            f"{SUITE_ERROR}: SYNC-LOCATION (an error in the suite; its report has the traceback)",
        ),
        ({"SYNC_AUTH_401": Outcome.SKIP}, "not conformant", "MUST not checked: SYNC-AUTH-401"),
        ({"SYNC_LOCATION": Outcome.FAIL}, "not conformant", "SHOULD failed under --strict: SYNC-LOCATION"),
        (
            {"SYNC_AUTH_401": Outcome.SKIP, "SYNC_SECRETS_ECHO": Outcome.FAIL, "SYNC_LOCATION": Outcome.WARN},
            "not conformant",
            "MUST failed: SYNC-SECRETS-ECHO",
        ),
    ],
)
def test_the_certification_rule(outcomes: dict[str, Outcome], verdict: str, reason: str) -> None:
    decided = decide(rows(**outcomes), None)
    assert (decided.verdict, decided.reason) == (verdict, reason)


def test_a_run_that_stopped_or_judged_part_of_the_catalogue_is_incomplete() -> None:
    assert (decide(rows(), "target unreachable").verdict, decide(rows(), "target unreachable").reason) == (
        "incomplete",
        "target unreachable",
    )
    partial = {rid: row for rid, row in rows().items() if rid != "SYNC-ID-GUID"}
    narrowed = decide(partial, None, "-k")
    assert (narrowed.verdict, narrowed.reason) == ("incomplete", "the run was narrowed (-k): not judged: SYNC-ID-GUID")
    # Rows missing however it came about (a test that did not report): still no verdict.
    assert decide(partial, None).verdict == "incomplete"
    # -x that met no failure judged everything, and still certifies nothing.
    whole = decide(rows(), None, "-x")
    assert (whole.verdict, whole.reason) == ("incomplete", "the run was narrowed (-x): every requirement judged, but not as a whole run")


def test_a_must_failure_in_a_run_that_left_requirements_out_still_makes_it_not_conformant() -> None:
    partial = {rid: row for rid, row in rows(SYNC_SECRETS_ECHO=Outcome.FAIL).items() if rid != "SYNC-ID-GUID"}
    decided = decide(partial, None, "--deselect")
    assert decided.verdict == "not conformant"
    assert decided.reason == "MUST failed: SYNC-SECRETS-ECHO; the run was narrowed (--deselect): not judged: SYNC-ID-GUID"


def test_the_exit_code_follows_the_verdict_and_a_run_that_left_requirements_out_is_never_0() -> None:
    conformant, broken = decide(rows(), None), decide(rows(SYNC_SECRETS_ECHO=Outcome.FAIL), None)
    assert exit_code(conformant) == 0
    assert exit_code(broken) == 1
    only_passes = {rid: row for rid, row in rows().items() if rid == "SYNC-ID-GUID"}
    assert exit_code(decide(only_passes, None, "-k")) == EXIT_NO_VERDICT  # a -k run of one requirement that passes
    assert exit_code(decide(rows(), None, "-x")) == EXIT_NO_VERDICT
    assert exit_code(decide({rid: r for rid, r in rows(SYNC_SECRETS_ECHO=Outcome.FAIL).items() if rid == "SYNC-SECRETS-ECHO"}, None)) == 1
    assert exit_code(decide(rows(), "target unreachable")) == EXIT_NO_VERDICT
    assert exit_code(decide(rows(SYNC_SECRETS_ECHO=Outcome.FAIL), "target unreachable")) == 1
    # The suite's own error is no finding about the target: no verdict.
    assert exit_code(decide(rows(SYNC_SECRETS_ECHO=Outcome.ERROR), None)) == EXIT_NO_VERDICT


def test_only_fail_and_error_fail_a_run() -> None:
    assert {o for o in Outcome if o.fails_run} == {Outcome.FAIL, Outcome.ERROR}


def test_what_a_report_carries_is_read_back_as_it_was_written() -> None:
    properties: list[tuple[str, object]] = [*requirement_properties(MUST)]
    junit: list[tuple[str, object]] = []
    judged = Judged(Outcome.FAIL, 'lost: {key: "Password"} – ü', 12, {"origin": "case 'x'", "exchanges": [{"ü": 1}]})
    record(judged, properties, junit)
    assert judged_in(properties) == judged_in(junit) == judged
    assert requirements_in(properties) == [MUST] and requirements_in(junit) == []
    assert ("level", "MUST") in properties and MUST.level is Level.MUST


def test_a_report_without_an_outcome_reads_as_none_and_the_last_outcome_wins() -> None:
    assert judged_in([("requirement", MUST.id)]) is None
    properties: list[tuple[str, object]] = []
    record(Judged(Outcome.PASS), properties)
    record(Judged(Outcome.ERROR, "stopped", no_verdict="stopped"), properties)
    assert judged_in(properties) == Judged(Outcome.ERROR, "stopped", no_verdict="stopped")

"""The valid probe's generation: every body valid against the contract and aimed at the echo
property, and a default run's generated bodies reaching every input class. That what generation
finds is shrunk to the smallest failing body is shown end to end by test_mangling.py."""

from __future__ import annotations

import html
import json
import unicodedata
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings

from conformance.catalogue import Probe
from conformance.client import Client, ClientSettings, serialize
from conformance.config import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, default_application_ids
from conformance.contract import request_validator, secret_names
from conformance.coverage import CLASSES, PAGE, TYPED_KEYS, Coverage, Origin, classify
from conformance.generation import TAIL_COUNTS, Generator, Tail
from conformance.inputs import LARGEST, POOL_SIZE, TABLE_RANGE, TYPED, long_values, value_pool
from conformance.probes import GeneratedProbe, make_probes
from conformance.prover import Campaign, ProofSettings

TOKEN = "generation-test-token"


def generated(max_examples: int, seed: int) -> list[Any]:
    """The valid bodies a run with this budget and seed would generate, drawn here (nothing is sent)."""
    probe = make_probes(Generator(default_application_ids(seed)), TOKEN, None)[Probe.VALID]
    assert isinstance(probe, GeneratedProbe)
    proof = ProofSettings(max_examples, seed)
    campaign = Campaign(Client(ClientSettings("http://127.0.0.1:9", TOKEN)), {Probe.VALID: probe}, proof)
    return [
        case.body for batch_seed, size in map(proof.batch, range(proof.batch_count)) for case in campaign.generated(probe, batch_seed, size)
    ]


@pytest.fixture(scope="module")
def many() -> list[Any]:
    return generated(400, 1) + generated(400, 2)


def test_every_generated_body_is_a_valid_request(many: list[Any]) -> None:
    validator = request_validator()
    invalid = [body for body in many if not validator.is_valid(body)]
    assert not invalid, invalid[:1]
    assert len(many) == 800


def test_bodies_carry_many_secrets_under_real_member_names(many: list[Any]) -> None:
    counts = [len(body["secrets"]) for body in many]
    assert sum(n > 45 for n in counts) >= len(many) // 20
    assert sum(n > PAGE for n in counts) >= len(many) // 40
    keys = Counter(s["key"] for body in many for s in body["secrets"] if "key" in s)
    assert set(keys) == set(secret_names())
    assert sum("keys-repeated" in classify(body) for body in many) >= len(many) // 10


def test_the_default_run_reaches_every_input_class_with_generated_bodies(run_suite) -> None:
    """What a default run (`make suite`: the embedded server, default budget and seed) sends reaches
    every class without the corpus, and its reports say so; if a class stops being reached, this names it.

    The counts are checked against the bodies the evidence shows were sent. The evidence keeps the
    first 64 KiB of a body, and the run sends longer ones, so each is matched to the body drawn here
    for the same seed (what a run draws follows from the seed alone: generation.py), and the bodies
    drawn here are counted."""
    run = run_suite()
    assert run.exit_code == 0, run.output
    assert run.verdict is not None
    coverage = run.verdict["coverage"]
    assert coverage["bodies"] == {"chosen": 11, "generated": DEFAULT_MAX_EXAMPLES}
    assert coverage["not_reached_by_generation"] == []
    assert {c["name"] for c in coverage["classes"] if c["generated"]} == {c.name for c in CLASSES}
    # The same from the evidence itself: the counts are the bodies that were sent.
    records = [json.loads(line) for line in (run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()]
    sent = [r["request"]["body"] for r in records if r["probe"] == Probe.VALID and r["case"] == "generated" and r["purpose"] == "case"]
    drawn = generated(DEFAULT_MAX_EXAMPLES, DEFAULT_SEED)
    assert [body["bytes"] for body in sent] == [len(serialize(body)) for body in drawn]
    for body, again in zip(sent, drawn, strict=True):
        assert serialize(again).decode("utf-8").startswith(body["text"].removesuffix("\ufffd")), body["text"][:200]
        assert body["truncated"] or body["text"] == serialize(again).decode("utf-8")
    counted = Coverage()
    for body in drawn:
        counted.record(body, Origin.GENERATED)
    counts = {c["name"]: c["generated"] for c in coverage["classes"]}
    assert {c["name"]: c["generated"] for c in counted.as_dict()["classes"]} == counts
    assert "input coverage" not in run.output
    assert "Every class reached by generated bodies." in html.unescape((run.reports / "report.html").read_text())


def test_a_small_budget_says_which_classes_it_did_not_reach(run_suite) -> None:
    run = run_suite("--max-examples", "5")
    assert run.exit_code == 0 and run.verdict is not None
    missing = run.verdict["coverage"]["not_reached_by_generation"]
    assert missing, "five bodies reach every class: raise what this test asks"
    line = f"input coverage: {len(missing)} class(es) not reached by generated bodies: {', '.join(missing)} (--max-examples 5"
    assert line in run.output
    assert f"Not reached by generated bodies: {', '.join(missing)}." in html.unescape((run.reports / "report.html").read_text())


def test_no_character_past_the_tables_is_changed_on_its_own_by_normalisation_or_case_mapping() -> None:
    """inputs.py builds its tables of such characters up to the end of plane 2 only."""
    changed = [
        hex(cp)
        for cp in range(TABLE_RANGE.stop, 0x110000)
        if unicodedata.category(c := chr(cp)) not in ("Cs", "Cn")
        and (not unicodedata.is_normalized("NFKD", c) or len(c.upper()) > 1 or len(c.lower()) > 1 or c.casefold() != c.lower())
    ]
    assert changed == []


def test_tail_lengths_shrink_through_every_length_a_smallest_failure_needs() -> None:
    """Shrinking lowers the drawn number, so the lengths must not fall as it rises, and every length
    a smallest failing tail has must be one (tests/mangling.py: 1 to 3 secrets, 51, 101)."""
    assert list(TAIL_COUNTS) == sorted(TAIL_COUNTS)
    assert set(range(POOL_SIZE + 1)) | {46, 51, PAGE + 1} <= set(TAIL_COUNTS) and max(TAIL_COUNTS) > PAGE


@settings(max_examples=20, deadline=None)
@given(value_pool())
def test_an_aimed_tail_puts_each_typed_value_under_a_member_named_for_its_type(values: list[str]) -> None:
    assert set(TYPED) == set(TYPED_KEYS)
    aimed, plain = (Tail(POOL_SIZE, len(secret_names()), 0, 0, aim, values, None).applied({"secrets": []}) for aim in (True, False))
    keyed = {c.name for c in CLASSES if c.family == "key type"}
    assert keyed <= classify(aimed)
    assert sorted(s["value"] for s in aimed["secrets"]) == sorted(s["value"] for s in plain["secrets"]) == sorted(values)


@settings(max_examples=20, deadline=None)
@given(long_values((LARGEST,)))
def test_a_largest_value_is_past_both_limits_and_no_further_than_it_must(value: str) -> None:
    size = len(value.encode("utf-8"))
    assert len(value) > LARGEST.characters and size > LARGEST.utf8_bytes
    assert len(value) <= LARGEST.characters + 501 or size <= LARGEST.utf8_bytes + 504

"""The valid probe's generation: every body valid against the contract and aimed at the echo
property, and a default run's generated bodies reaching every input class. That what generation
finds is shrunk to the smallest failing body is shown end to end by test_mangling.py."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from typing import Any

import pytest

from conformance.catalogue import Probe
from conformance.client import Client, ClientSettings
from conformance.contract import request_validator, secret_names
from conformance.coverage import Coverage, Origin, classify
from conformance.generation import Generator
from conformance.inputs import TABLE_RANGE
from conformance.probes import GeneratedProbe, make_probes
from conformance.prover import Campaign, ProofSettings
from conformance.settings import DEFAULT_MAX_EXAMPLES, RunSettings

TOKEN = "generation-test-token"


def generated(max_examples: int, seed: int) -> list[Any]:
    """The valid bodies a run with this budget and seed would generate, drawn here (nothing is sent)."""
    settings = RunSettings.build("http://127.0.0.1:9", TOKEN, [], max_examples, seed)
    probe = make_probes(Generator(settings.application_ids), TOKEN, None)[Probe.VALID]
    assert isinstance(probe, GeneratedProbe)
    proof = ProofSettings(max_examples, seed)
    campaign = Campaign(Client(ClientSettings("http://127.0.0.1:9", TOKEN)), {Probe.VALID: probe}, proof)
    return [case.body for batch_seed, size in proof.batches() for case in campaign.generated(probe, batch_seed, size)]


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
    assert max(counts) >= 100
    assert sum(n > 45 for n in counts) >= len(many) // 20
    keys = Counter(s["key"] for body in many for s in body["secrets"] if "key" in s)
    assert set(keys) == set(secret_names())
    assert sum("keys-repeated" in classify(body) for body in many) >= len(many) // 10


def test_the_default_run_reaches_every_input_class_with_generated_bodies(run_suite) -> None:
    """What a default run (`make suite`: the embedded server, default budget and seed) sends reaches
    every class without the corpus; if a class stops being reached, this names it.

    Read from the run's own evidence rather than drawn again here: hypothesis mixes constants from
    the local modules a process has imported into about one draw in twenty, so the bodies this test
    process would draw for the same seed drift from the run's after a few."""
    run = run_suite()
    assert run.exit_code == 0, run.output
    coverage = Coverage()
    for line in (run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["probe"] == Probe.VALID and record["case"] == "generated":
            body = record["exchanges"][0]["request"]["body"]
            assert not body["truncated"]
            coverage.record(json.loads(body["text"]), Origin.GENERATED)
    assert coverage.bodies[Origin.GENERATED] == DEFAULT_MAX_EXAMPLES
    assert [c.name for c in coverage.missing(Origin.GENERATED)] == []


def test_no_character_past_the_tables_is_changed_on_its_own_by_normalisation_or_case_mapping() -> None:
    """inputs.py builds its tables of such characters up to the end of plane 2 only."""
    changed = [
        hex(cp)
        for cp in range(TABLE_RANGE.stop, 0x110000)
        if unicodedata.category(c := chr(cp)) not in ("Cs", "Cn")
        and (not unicodedata.is_normalized("NFKD", c) or len(c.upper()) > 1 or len(c.lower()) > 1 or c.casefold() != c.lower())
    ]
    assert changed == []

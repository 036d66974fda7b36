"""The prover on its own, without pytest around it: generation reaches past the corpus, and a
failure found by generation is shrunk to the smallest case that still fails."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.catalogue import BY_ID, Probe
from conformance.client import Client, ClientSettings
from conformance.config import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED
from conformance.failure import RequirementFailed
from conformance.generation import Generator
from conformance.probes import GeneratedProbe, make_probes
from conformance.prover import Campaign, ProofSettings, Prover

from .servers import Reshaped

APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"


class LosesOneOfSeveralKeylessSecrets(Reshaped):
    """A bug no explicit case reaches: the corpus never sends two secrets without a key."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        keyless = [i for i, s in enumerate(body["secrets"]) if "key" not in s]
        if len(keyless) >= 2:
            del body["secrets"][keyless[-1]]


def campaign_for(url: str, token: str) -> Campaign:
    probes = make_probes(Generator((APP,)), token, {"altered-token": token + "x"})
    return Campaign(Client(ClientSettings(url, token)), probes, ProofSettings(DEFAULT_MAX_EXAMPLES, DEFAULT_SEED))


def test_a_bug_only_generation_reaches_is_found_and_shrunk(serve) -> None:
    served = serve(LosesOneOfSeveralKeylessSecrets)
    with pytest.raises(RequirementFailed) as failed:
        Prover(campaign_for(served.url, served.token)).prove(BY_ID["SYNC-SECRETS-ECHO"])
    assert failed.value.origin.startswith("generated, shrunk")
    assert failed.value.exchanges[0].request.payload == {"secrets": [{}, {}]}
    assert failed.value.found_after > 11  # after every explicit case passed


def test_each_case_is_sent_once_and_judged_by_every_requirement(serve) -> None:
    served = serve(LosesOneOfSeveralKeylessSecrets)
    campaign = campaign_for(served.url, served.token)
    prover = Prover(campaign)
    first = prover.prove(BY_ID["SYNC-ID-GUID"])
    sent = campaign.sent[Probe.VALID] + campaign.sent[Probe.VALID_FORMS] + campaign.sent[Probe.BURST]
    assert prover.prove(BY_ID["SYNC-ID-LOWERCASE"]).judged == first.judged == first.applicable == sent
    assert campaign.sent[Probe.VALID] + campaign.sent[Probe.VALID_FORMS] + campaign.sent[Probe.BURST] == sent
    assert campaign.sent[Probe.BURST] == 5  # each burst one case, judged exchange by exchange
    assert campaign.sent[Probe.VALID] > 11 + DEFAULT_MAX_EXAMPLES // 2 and campaign.sent[Probe.VALID_FORMS] > 0


def test_generation_is_the_same_for_the_same_seed(serve) -> None:
    served = serve(LosesOneOfSeveralKeylessSecrets)
    probe = make_probes(Generator((APP,)), served.token, None)[Probe.VALID]
    assert isinstance(probe, GeneratedProbe)
    bodies = [[case.body for case in campaign_for(served.url, served.token).generated(probe, 7, 30)] for _ in range(2)]
    assert bodies[0] == bodies[1]


def test_a_large_budget_is_generated_in_batches_each_with_its_own_seed() -> None:
    assert ProofSettings(40, 5).batch_count == 1 and ProofSettings(40, 5).batch(0) == (5, 40)
    proof = ProofSettings(1200, 5)
    batches = [proof.batch(index) for index in range(proof.batch_count)]
    assert [size for _, size in batches] == [500, 500, 200]
    assert batches[0][0] == 5 and len({s for s, _ in batches}) == 3


def test_a_failure_in_a_later_batch_is_shrunk_with_that_batch_s_seed(serve, monkeypatch) -> None:
    """Batches of 10 here: the failing case of the second batch is drawn again from its own seed."""
    monkeypatch.setattr("conformance.prover.GENERATION_BATCH", 10)
    served = serve(LosesOneOfSeveralKeylessSecrets)
    campaign = campaign_for(served.url, served.token)
    probe = campaign.probes[Probe.VALID]
    assert isinstance(probe, GeneratedProbe)
    second_seed, size = campaign.proof.batch(1)
    assert second_seed != DEFAULT_SEED and size == 10
    failure = campaign.shrink(BY_ID["SYNC-SECRETS-ECHO"], Probe.VALID, 1)
    assert failure is not None and failure.origin.startswith("generated, shrunk")
    assert failure.exchanges[0].request.payload == {"secrets": [{}, {}]}

"""The prover on its own, without pytest around it: generation reaches past the corpus, and a
failure found by generation is shrunk to the smallest case that still fails."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.catalogue import BY_ID
from conformance.client import Client, ClientSettings
from conformance.generation import Generator
from conformance.prover import ProofSettings, Prover, RequirementFailed
from conformance.settings import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED

from .servers import Reshaped

APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"


class LosesOneOfSeveralKeylessSecrets(Reshaped):
    """A bug no explicit case reaches: the corpus never sends two secrets without a key."""

    breaks = "SYNC-SECRETS-ECHO"

    def reshape(self, body: dict[str, Any]) -> None:
        keyless = [i for i, s in enumerate(body["secrets"]) if "key" not in s]
        if len(keyless) >= 2:
            del body["secrets"][keyless[-1]]


def prover_for(url: str, token: str) -> Prover:
    client = Client(ClientSettings(url, token))
    return Prover(client, Generator((APP,)), ProofSettings(max_examples=DEFAULT_MAX_EXAMPLES, seed=DEFAULT_SEED))


def test_a_bug_only_generation_reaches_is_found_and_shrunk(serve) -> None:
    served = serve(LosesOneOfSeveralKeylessSecrets)
    with pytest.raises(RequirementFailed) as failed:
        prover_for(served.url, served.token).prove(BY_ID["SYNC-SECRETS-ECHO"])
    assert failed.value.origin.startswith("generated, shrunk")
    assert failed.value.exchange.request.payload == {"secrets": [{}, {}]}


def test_a_passing_requirement_reports_what_it_checked(serve) -> None:
    served = serve(LosesOneOfSeveralKeylessSecrets)
    tally = prover_for(served.url, served.token).prove(BY_ID["SYNC-ID-GUID"])
    assert tally.sent == tally.applicable >= 11 + DEFAULT_MAX_EXAMPLES // 2

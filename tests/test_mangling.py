"""The suite against servers that change the secrets they store (tests/mangling.py): each is caught
by the requirement its defect breaks, and by generation where the corpus cannot catch it, with the
case shrunk to the smallest body that shows the defect; the corpus alone misses most of them; and
servers that store secrets in unusual ways but give every one back exactly pass."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conformance.catalogue import BY_ID, Level
from conformance.client import Client, ClientSettings
from conformance.config import DEFAULT_SEED, default_application_ids, refused_tokens
from conformance.failure import RequirementFailed
from conformance.generation import Generator
from conformance.probes import make_probes
from conformance.prover import Campaign, ProofSettings, Prover
from conformance.server import BackgroundServer, ReferenceServer

from .mangling import MANGLERS, ORDER, UNUSUAL, Mangler

FAMILIES = {
    "normalisation", "line endings", "case", "whitespace", "typography", "coercion", "key type", "credential", "list", "order",
    "length", "control", "escaping", "astral",
}  # fmt: skip


def _echo_or_order(behaviour: type[Mangler]) -> str:
    return "SYNC-SECRETS-ORDER" if behaviour.breaks == ORDER else "SYNC-SECRETS-ECHO"


def _secrets_sent(failure: dict[str, Any]) -> int:
    """How many secrets the failing case sent: the echo check says so in its reason; otherwise the
    request body as recorded (whole for a body this small)."""
    said = re.match(r"sent (\d+) secret", failure["reason"])
    if said:
        return int(said.group(1))
    body = failure["exchanges"][0]["request"]["body"]
    assert not body["truncated"], failure["origin"]
    return len(json.loads(body["text"])["secrets"])


@pytest.mark.parametrize("behaviour", MANGLERS, ids=lambda b: b.__name__)
def test_a_mangling_server_fails_the_default_run_on_its_requirement_with_the_smallest_case(
    behaviour: type[Mangler], serve, run_suite
) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.caught() == set(behaviour.breaks), run.output
    must = any(BY_ID[rid].level is Level.MUST for rid in behaviour.breaks)
    assert run.exit_code == (1 if must else 0), run.output
    assert run.verdict is not None
    rid = _echo_or_order(behaviour)
    failure = next(r["first_failure"] for r in run.verdict["requirements"] if r["id"] == rid)
    if behaviour.corpus_catches:
        assert failure["origin"].startswith("case '"), failure["origin"]
    else:
        # Found by generation, and shown shrunk: the fewest secrets that still show the defect.
        assert failure["origin"].startswith("generated, shrunk"), failure["origin"]
        assert _secrets_sent(failure) == behaviour.smallest, failure


@pytest.mark.parametrize("behaviour", UNUSUAL, ids=lambda b: b.__name__)
def test_a_server_that_stores_secrets_unusually_but_gives_them_back_exactly_passes(
    behaviour: type[ReferenceServer], serve, run_suite
) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "pass" for rid in BY_ID}, run.output


def _caught_by_the_corpus(behaviour: type[Mangler]) -> bool:
    """The explicit cases alone, as a run with no generated batch would send them."""
    token = "mangling-test-token"
    server = behaviour(token=token)
    with BackgroundServer(server.app(), server.base_path) as background:
        client = Client(ClientSettings(background.url, token))
        probes = make_probes(Generator(default_application_ids(DEFAULT_SEED)), token, refused_tokens(token))
        prover = Prover(Campaign(client, probes, ProofSettings(0, DEFAULT_SEED)))
        try:
            for rid in sorted(behaviour.breaks):
                prover.prove(BY_ID[rid])
        except RequirementFailed:
            return True
        finally:
            client.close()
    return False


@pytest.mark.slow
def test_the_corpus_alone_would_miss_at_least_half_of_them() -> None:
    caught = {b.__name__: _caught_by_the_corpus(b) for b in MANGLERS}
    assert caught == {b.__name__: b.corpus_catches for b in MANGLERS}
    missed = [name for name, hit in caught.items() if not hit]
    assert len(missed) >= len(MANGLERS) / 2, missed


def test_every_family_has_a_server_only_generation_catches() -> None:
    assert {b.family for b in MANGLERS} == FAMILIES
    assert {b.family for b in MANGLERS if not b.corpus_catches} == FAMILIES

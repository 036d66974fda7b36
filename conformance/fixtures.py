"""The suite's fixtures: the HTTP client for the run's target, and the prover the requirement tests ask.

Both are session-scoped: one client (one connection pool, one circuit breaker) and one campaign per
run, so each case is sent once however many requirements judge it. Registered by the plugin.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from .bursts import plan
from .catalogue import REQUIREMENTS, Requirement
from .client import Client, ClientSettings
from .collection import requirement_ids
from .config import RunConfig, refused_tokens
from .corpus import SPEC_EXAMPLE
from .evidence import EvidenceLog, evidence_file
from .failure import RequirementFailed
from .generation import Generator
from .ledger import Ledger, LocalLedger, SharedLedger
from .probes import make_probes
from .progress import Progress
from .prover import Campaign, ProofSettings, Prover, settled
from .stash import CREDENTIALS, EMBEDDED, LEDGER_DIR, LEDGER_INPUT, PROGRESS, PROVER, REDACTOR, RUN, STATS


def target_url(config: pytest.Config) -> str:
    """The service root under test: the user's, or the embedded reference server's."""
    run = config.stash[RUN]
    return run.base_url or config.stash[EMBEDDED].url


@pytest.fixture(scope="session")
def conformance_evidence(pytestconfig: pytest.Config) -> Iterator[EvidenceLog | None]:
    """Where every exchange of the run goes, redacted, as it is made: the evidence a bundle carries."""
    target = pytestconfig.stash[RUN].reports.evidence
    if not target:
        yield None
        return
    worker = getattr(pytestconfig, "workerinput", {}).get("workerid")
    log = EvidenceLog(evidence_file(Path(target), worker), pytestconfig.stash[REDACTOR])
    yield log
    log.close()


@pytest.fixture(scope="session")
def conformance_client(pytestconfig: pytest.Config, conformance_evidence: EvidenceLog | None) -> Iterator[Client]:
    run: RunConfig = pytestconfig.stash[RUN]
    if run.embedded:
        pytestconfig.stash[EMBEDDED].start()
    credentials = pytestconfig.stash.get(CREDENTIALS, None)
    workers = getattr(pytestconfig, "workerinput", {}).get("workercount", 1)
    client = Client(
        ClientSettings(
            target_url(pytestconfig),
            run.token,
            token_provider=credentials.token if credentials else None,
            timeout=run.request_timeout,
            max_body_bytes=run.max_body_bytes,
            verify=run.verify,
            follow_redirects=run.follow_redirects,
            deadline=run.deadline,
            rate_limit=run.rate_limit,
            throttle_wait=run.throttle_wait,
            rate_share=workers,
            known_good=SPEC_EXAMPLE,
            application_id=run.application_ids[0],
        ),
        stats=pytestconfig.stash[STATS],
        record=conformance_evidence.write if conformance_evidence else None,
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def prover(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config, conformance_client: Client
) -> Prover:
    run: RunConfig = pytestconfig.stash[RUN]
    # The collected requirements, not the whole catalogue: `-k SYNC-AUTH-401` sends only its probe.
    collected = {rid for item in request.session.items for rid in requirement_ids(item)}
    token = conformance_client.token()
    assert token is not None, "a run has a token: the embedded server's, the user's, or one by client credentials"
    refused = refused_tokens(token)
    for credential in refused.values():
        pytestconfig.stash[REDACTOR].add(credential)
    campaign = Campaign(
        conformance_client,
        make_probes(Generator(run.application_ids), token, refused, plan(run.concurrency, run.max_examples, conformance_client.rate())),
        ProofSettings(max_examples=run.max_examples, seed=run.seed),
        requirements=[r for r in REQUIREMENTS if r.id in collected],
        ledger=ledger(pytestconfig),
        progress=Progress(show) if (show := pytestconfig.stash.get(PROGRESS, None)) else None,
    )
    prover = pytestconfig.stash[PROVER] = Prover(campaign)
    return prover


def settled_so_far(config: pytest.Config, requirement: Requirement) -> RequirementFailed | None:
    """What the cases this run sent before an interrupt prove about a requirement whose test had no
    turn: read from this process's campaign, or, on the pytest-xdist controller, from the ledger
    directory its workers share."""
    run = config.stash[RUN]
    if LEDGER_DIR in config.stash:
        shared = SharedLedger(config.stash[LEDGER_DIR], math.inf, prepare=lambda result: result)
        return settled(requirement, shared, ProofSettings(max_examples=run.max_examples, seed=run.seed))
    prover = config.stash.get(PROVER, None)
    return prover.settled(requirement) if prover is not None else None


def ledger(config: pytest.Config) -> Ledger:
    """Under pytest-xdist, the directory the controller gave every worker of this run; else this process."""
    shared = getattr(config, "workerinput", {}).get(LEDGER_INPUT)
    if not shared:
        return LocalLedger()
    redactor = config.stash[REDACTOR]
    return SharedLedger(
        Path(shared),
        config.stash[RUN].deadline,
        prepare=lambda judgements: {rid: judgement.redacted(redactor) for rid, judgement in judgements.items()},
    )

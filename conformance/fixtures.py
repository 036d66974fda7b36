"""The suite's fixtures: the HTTP client for the run's target, and the prover the requirement tests ask.

Both are session-scoped: one client (one connection pool, one circuit breaker) and one campaign per
run, so each case is sent once however many requirements judge it. Registered by the plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .catalogue import REQUIREMENTS
from .client import Client, ClientSettings
from .collection import requirement_ids
from .config import RunConfig, altered
from .evidence import EvidenceLog, evidence_file
from .generation import Generator
from .ledger import Ledger, LocalLedger, SharedLedger
from .probes import make_probes
from .prover import Campaign, ProofSettings, Prover
from .stash import CREDENTIALS, EMBEDDED, LEDGER_INPUT, REDACTOR, RUN


def target_url(config: pytest.Config) -> str:
    """The service root under test: the user's, or the embedded reference server's."""
    run = config.stash[RUN]
    return run.base_url or config.stash[EMBEDDED].url


@pytest.fixture(scope="session")
def conformance_client(pytestconfig: pytest.Config) -> Iterator[Client]:
    run: RunConfig = pytestconfig.stash[RUN]
    if run.embedded:
        pytestconfig.stash[EMBEDDED].start()
    credentials = pytestconfig.stash.get(CREDENTIALS, None)
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
        )
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def prover(request: pytest.FixtureRequest, pytestconfig: pytest.Config, conformance_client: Client) -> Iterator[Prover]:
    run: RunConfig = pytestconfig.stash[RUN]
    # The collected requirements, not the whole catalogue: `-k SYNC-AUTH-401` sends only its probe.
    collected = {rid for item in request.session.items for rid in requirement_ids(item)}
    token = conformance_client.token()
    altered_token = altered(token) if token else None
    if altered_token:
        pytestconfig.stash[REDACTOR].add(altered_token)
    log = evidence_log(pytestconfig)
    campaign = Campaign(
        conformance_client,
        make_probes(Generator(run.application_ids), token, altered_token),
        ProofSettings(max_examples=run.max_examples, seed=run.seed),
        requirements=[r for r in REQUIREMENTS if r.id in collected],
        record=(lambda kind, seen: log.write(str(kind), seen.name or "generated", seen.exchanges)) if log else None,
        ledger=ledger(pytestconfig),
    )
    yield Prover(campaign)
    if log:
        log.close()


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


def evidence_log(config: pytest.Config) -> EvidenceLog | None:
    """Where every exchange of the run goes, redacted, as it is made: the evidence a bundle carries."""
    target = config.stash[RUN].reports.evidence
    if not target:
        return None
    worker = getattr(config, "workerinput", {}).get("workerid")
    return EvidenceLog(evidence_file(Path(target), worker), config.stash[REDACTOR])

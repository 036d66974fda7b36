"""The conformance suite for POST /applications/{applicationsId}/synchronization.

One test per catalogue requirement, each a property over the explicit corpus and generated cases:
every response is checked against the requirement, and a failure shows the smallest case that
breaks it.
"""

from __future__ import annotations

import pytest

from conformance.catalogue import REQUIREMENTS, Requirement
from conformance.prover import Prover


@pytest.mark.parametrize(
    "requirement", [pytest.param(r, id=r.id, marks=pytest.mark.requirement(r.id)) for r in REQUIREMENTS]
)
def test_requirement(requirement: Requirement, prover: Prover) -> None:
    tally = prover.prove(requirement)
    if tally.applicable == 0:
        reasons = "; ".join(f"{reason} ({n}×)" for reason, n in tally.not_applicable.most_common(3))
        pytest.skip(f"{requirement.id} not checked: no response it applies to in {tally.sent} sent ({reasons})")

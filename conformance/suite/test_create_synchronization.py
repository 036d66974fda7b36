"""The conformance suite for POST /applications/{applicationsId}/synchronization.

One test per catalogue requirement, each a property over the cases of the probes the requirement
names (explicit cases first, then generated ones): every answer is checked against the requirement,
and a failure shows the smallest case that breaks it.
"""

from __future__ import annotations

import pytest

from conformance.catalogue import REQUIREMENTS, Requirement
from conformance.prover import Prover


@pytest.mark.parametrize("requirement", [pytest.param(r, id=r.id, marks=pytest.mark.requirement(r.id)) for r in REQUIREMENTS])
def test_requirement(requirement: Requirement, prover: Prover) -> None:
    tally = prover.prove(requirement)
    if tally.applicable == 0:
        pytest.skip(f"{requirement.id} not checked: no answer it applies to in {tally.judged} case(s): {tally.why_unchecked()}")

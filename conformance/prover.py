"""Proving requirements: each probe's cases are sent once, every requirement judges what came back.

The `Campaign` sends a probe's cases the first time a requirement needs them (explicit cases first,
then what schemathesis generates with the run's seed) and keeps the exchanges, so every response is
checked against every requirement that applies to it, and a live tenant gets each request once.
When a *generated* case fails a requirement, hypothesis runs that probe again for that requirement
alone, with the same seed, to shrink the case to the smallest that still fails it. Chosen cases are
reported as they are: they are small by design.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from .catalogue import Probe, Requirement
from .client import Client
from .evidence import describe
from .exchange import Exchange
from .probes import AnyProbe, FixedProbe, GeneratedProbe
from .redaction import Redactor


class RequirementFailed(AssertionError):
    """A response broke a requirement; carries what is needed to show it."""

    def __init__(self, requirement: Requirement, reason: str, exchanges: tuple[Exchange, ...], origin: str) -> None:
        super().__init__(f"{requirement.id} ({requirement.level}) failed: {reason}")
        self.requirement = requirement
        self.reason = reason
        self.exchanges = exchanges
        self.origin = origin
        self.found_after = 0
        """How many cases this requirement had judged when the first failure appeared."""

    @property
    def headline(self) -> str:
        return str(self)

    def render(self, redactor: Redactor, rerun: str) -> str:
        r = self.requirement
        lines = [
            self.headline,
            f"  requirement: {r.statement}",
            f"  clause: {r.clause}",
            f"  case: {self.origin} (first failure after {self.found_after} case(s))",
            f"  rerun: {rerun}",
        ]
        for number, exchange in enumerate(self.exchanges, 1):
            if len(self.exchanges) > 1:
                lines += ["", f"Exchange {number} of {len(self.exchanges)}:"]
            lines += ["", describe(exchange, redactor)]
        return redactor.text("\n".join(lines))


@dataclass(frozen=True)
class Observation:
    """One case and what came of sending it."""

    name: str | None
    """The explicit case's name; None for a generated case."""
    exchanges: tuple[Exchange, ...]


@dataclass
class Tally:
    """How many cases a requirement judged, and why the others did not count."""

    judged: int = 0
    applicable: int = 0
    not_applicable: Counter[str] = field(default_factory=Counter)
    unavailable: list[str] = field(default_factory=list)

    def why_unchecked(self) -> str:
        reasons = [*self.unavailable, *(f"{reason} ({n}×)" for reason, n in self.not_applicable.most_common(3))]
        return "; ".join(reasons) or "no case was sent"


@dataclass(frozen=True)
class ProofSettings:
    max_examples: int
    seed: int


def _settings(proof: ProofSettings, phases: list[Phase]) -> settings:
    return settings(
        max_examples=proof.max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=phases,
    )


class Campaign:
    """Sends each probe's cases once, on first need, and keeps the exchanges."""

    def __init__(self, client: Client, probes: dict[Probe, AnyProbe], proof: ProofSettings) -> None:
        self.client = client
        self.probes = probes
        self.proof = proof
        self._observed: dict[Probe, list[Observation]] = {}

    def observations(self, kind: Probe) -> list[Observation]:
        if kind not in self._observed:
            probe = self.probes[kind]
            cases: list[tuple[str | None, Any]] = list(probe.explicit)
            if isinstance(probe, GeneratedProbe):
                cases += [(None, case) for case in self.generated(probe)]
            self._observed[kind] = [Observation(name, probe.send(self.client, case)) for name, case in cases]
        return self._observed[kind]

    def observed(self) -> dict[Probe, list[Observation]]:
        """What has been sent so far, by probe."""
        return dict(self._observed)

    def generated(self, probe: GeneratedProbe) -> list[Any]:
        """The cases hypothesis generates for this probe with the run's seed, in order."""
        drawn: list[Any] = []

        def collect(case: Any) -> None:
            drawn.append(case)

        _settings(self.proof, [Phase.generate])(seed(self.proof.seed)(given(case=probe.strategy)(collect)))()
        return drawn

    def shrink(self, requirement: Requirement, probe: GeneratedProbe) -> RequirementFailed | None:
        """Generate again with the same seed, sending and judging live, and let hypothesis shrink the
        first failure. None if the failure does not happen again (a server that is not deterministic)."""

        def holds_for(case: Any) -> None:
            exchanges = probe.send(self.client, case)
            result = requirement.check(*exchanges)
            if result.outcome == "fail":
                raise RequirementFailed(requirement, result.reason, exchanges, "generated, shrunk to the smallest that fails")

        test = given(case=probe.strategy)(holds_for)
        try:
            _settings(self.proof, [Phase.generate, Phase.shrink])(seed(self.proof.seed)(test))()
        except RequirementFailed as failure:
            return failure
        return None


class Prover:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.tallies: dict[str, Tally] = {}
        """What each requirement proven so far judged, whether it passed or failed."""

    def prove(self, requirement: Requirement) -> Tally:
        """Raise RequirementFailed for the first failing case (shrunk if generated), or return what was judged."""
        tally = self.tallies[requirement.id] = Tally()
        for kind in requirement.probes:
            probe = self.campaign.probes[kind]
            if isinstance(probe, FixedProbe) and probe.unavailable:
                tally.unavailable.append(probe.unavailable)
            for observation in self.campaign.observations(kind):
                result = requirement.check(*observation.exchanges)
                tally.judged += 1
                if result.outcome == "n/a":
                    tally.not_applicable[result.reason] += 1
                    continue
                tally.applicable += 1
                if result.outcome == "fail":
                    raise self._failure(requirement, probe, observation, result.reason, tally.judged)
        return tally

    def _failure(
        self, requirement: Requirement, probe: AnyProbe, observation: Observation, reason: str, judged: int
    ) -> RequirementFailed:
        if observation.name is not None:
            failure = RequirementFailed(requirement, reason, observation.exchanges, f"case {observation.name!r}")
        else:
            assert isinstance(probe, GeneratedProbe)
            failure = self.campaign.shrink(requirement, probe) or RequirementFailed(
                requirement, reason, observation.exchanges, "generated (it did not fail again when re-sent, so it is shown unshrunk)"
            )
        failure.found_after = judged
        return failure

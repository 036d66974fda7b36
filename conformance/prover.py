"""Proving one requirement: send cases, check every response against it, shrink what fails.

Each requirement gets its own hypothesis run over the same seed, so a failure on one requirement
never hides a failure on another (a hypothesis test stops at its first failing example), and each
failure is shrunk to the smallest case that still breaks *that* requirement. The explicit corpus runs
first, then generated cases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, example, given, seed, settings
from schemathesis import Case

from .catalogue import Requirement
from .client import Client
from .evidence import describe
from .exchange import Exchange
from .generation import Generator
from .redaction import Redactor


class RequirementFailed(AssertionError):
    """A response broke a requirement; carries what is needed to show it."""

    def __init__(self, requirement: Requirement, reason: str, exchange: Exchange, origin: str) -> None:
        super().__init__(f"{requirement.id} ({requirement.level}) failed: {reason}")
        self.requirement = requirement
        self.reason = reason
        self.exchange = exchange
        self.origin = origin

    @property
    def headline(self) -> str:
        return str(self)

    def render(self, redactor: Redactor, rerun: str) -> str:
        r = self.requirement
        return redactor.text(
            "\n".join(
                [
                    self.headline,
                    f"  requirement: {r.statement}",
                    f"  clause: {r.clause}",
                    f"  case: {self.origin}",
                    f"  rerun: {rerun}",
                    "",
                    describe(self.exchange, redactor),
                ]
            )
        )


@dataclass
class Tally:
    """How many responses a requirement was checked against, and why the others did not apply."""

    sent: int = 0
    applicable: int = 0
    not_applicable: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class ProofSettings:
    max_examples: int
    seed: int


class Prover:
    def __init__(self, client: Client, generator: Generator, proof: ProofSettings) -> None:
        self.client = client
        self.generator = generator
        self.proof = proof

    def send(self, case: Case) -> Exchange:
        return self.client.create(case.path_parameters["applicationsId"], case.body)

    def prove(self, requirement: Requirement) -> Tally:
        """Raise RequirementFailed with the minimal failing case, or return what was checked."""
        tally = Tally()
        names = {id(case): name for name, case in self.generator.explicit}

        def holds_for(case: Case) -> None:
            exchange = self.send(case)
            result = requirement.check(exchange)
            tally.sent += 1
            if result.outcome == "n/a":
                tally.not_applicable[result.reason] += 1
                return
            tally.applicable += 1
            if result.outcome == "fail":
                origin = f"corpus case {names[id(case)]!r}" if id(case) in names else "generated, shrunk to the smallest that fails"
                raise RequirementFailed(requirement, result.reason, exchange, origin)

        test = given(case=self.generator.strategy)(holds_for)
        # hypothesis runs explicit examples in decoration order reversed; decorate last-first.
        for _, case in reversed(self.generator.explicit):
            test = example(case=case)(test)
        test = settings(
            max_examples=self.proof.max_examples,
            database=None,
            deadline=None,
            derandomize=False,
            print_blob=False,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
        )(seed(self.proof.seed)(test))
        test()
        return tally

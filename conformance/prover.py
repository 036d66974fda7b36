"""Proving requirements: each probe's cases are sent once, every requirement judges what came back.

The `Campaign` sends a probe's cases the first time a requirement needs them (explicit cases first,
then what schemathesis generates with the run's seed) and every requirement that applies judges each
answer as it arrives, so a live tenant gets each request once and memory does not grow with the
number of cases. When a *generated* case fails a requirement, hypothesis runs that case's batch
again for that requirement alone, with the same seed, to shrink the case to the smallest that still
fails it. Chosen cases are reported as they are: they are small by design.

A target that gives no answer to several requests of one probe (it hangs on that kind of input)
costs a few request timeouts, not one per case: the rest of the probe is not sent, and the tallies
say so. A run that stops (the target gone, the deadline, no token) sends nothing more, and every
requirement is then judged on the units that finished: a failure already proven stands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from .catalogue import REQUIREMENTS, Level, Probe, Requirement
from .checks import PASS, Result, created_ids
from .client import Client
from .coverage import Origin
from .errors import NoVerdict
from .exchange import Exchange, Request, Shortfall
from .failure import RequirementFailed
from .ledger import Ledger, LocalLedger, Unit
from .probes import AnyProbe, GeneratedProbe
from .progress import Progress
from .redaction import Redactor
from .shapes import Shape


@dataclass(frozen=True)
class Observation:
    """One case and what came of sending it."""

    name: str | None
    """The explicit case's name; None for a generated case."""
    exchanges: tuple[Exchange, ...]
    batch: int | None = None
    """For a generated case, the hypothesis run (batch) that drew it."""


@dataclass
class Tally:
    """How many cases a requirement judged, and why the others did not count."""

    judged: int = 0
    applicable: int = 0
    not_applicable: Counter[str] = field(default_factory=Counter)
    not_sent: Counter[str] = field(default_factory=Counter)
    """Cases not sent, by why."""

    def why_unchecked(self) -> str:
        reasons = [f"{reason} ({n}×)" for reason, n in self.not_applicable.most_common(3)]
        reasons += [f"{n} case(s) not sent: {why}" for why, n in self.not_sent.items()]
        return "; ".join(reasons) or "no case was sent"


@dataclass
class Judgement:
    """What a requirement made of every case it judged: the tally, and the first case that failed it."""

    tally: Tally = field(default_factory=Tally)
    failed: Observation | None = None
    probe: Probe | None = None
    reason: str = ""
    found_after: int = 0

    def redacted(self, redactor: Redactor) -> Judgement:
        """This judgement fit to leave the process: the failing case's exchanges and reason redacted."""
        if self.failed is None:
            return self
        failed = replace(self.failed, exchanges=tuple(redactor.exchange(e) for e in self.failed.exchanges))
        return replace(self, failed=failed, reason=redactor.text(self.reason))


def merged(parts: Sequence[Judgement]) -> Judgement:
    """One requirement's judgements of consecutive units as one: as if judged in a single pass."""
    total = Judgement()
    for part in parts:
        if part.failed is not None and total.failed is None:
            total.failed, total.probe, total.reason = part.failed, part.probe, part.reason
            total.found_after = total.tally.judged + part.found_after
        total.tally.judged += part.tally.judged
        total.tally.applicable += part.tally.applicable
        total.tally.not_applicable.update(part.tally.not_applicable)
        total.tally.not_sent.update(part.tally.not_sent)
    return total


@dataclass(frozen=True)
class ProofSettings:
    max_examples: int
    seed: int

    @property
    def batch_count(self) -> int:
        """How many hypothesis runs together generate `max_examples` cases.

        Hypothesis remembers every case of a run to avoid repeating one, so a single run of 10,000
        cases needs three times the memory of 1,000; runs of at most GENERATION_BATCH, each with a
        seed derived from the run's, keep it flat, and are units pytest-xdist workers can share.
        """
        return -(-self.max_examples // GENERATION_BATCH)

    def batch(self, index: int) -> tuple[int, int]:
        """(seed, size) of the hypothesis run `index`, worked out when it is needed: the plan is
        never listed whole, whatever the budget. The first batch uses the run's seed itself."""
        if not 0 <= index < self.batch_count:
            raise IndexError(f"batch {index} of {self.batch_count}")
        return self.seed + (index << 32), min(GENERATION_BATCH, self.max_examples - index * GENERATION_BATCH)


GENERATION_BATCH = 500
NO_ANSWER_BUDGET = 3
"""Requests of one shape (conformance/shapes.py) that may go unanswered within the timeout before no
more of that shape is sent: a target that never answers creates costs three timeouts, not one a create."""


def _settings(max_examples: int, phases: list[Phase]) -> settings:
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=phases,
    )


class Campaign:
    """Sends each probe's cases once, on first need, and judges each answer as it arrives.

    A probe's cases come in units: its chosen cases, then each batch of generated ones. Every
    requirement that names the probe judges each exchange at once; a unit's result is one
    `Judgement` per requirement (a tally and the first failing case); each request itself goes to the
    client's recorder (the evidence file) as it ends, marked with its probe and case (`Client.sending`),
    so memory does not grow with the number of cases. The ledger
    does each unit once per run: in this process, or once across pytest-xdist workers.
    `requirements` are those this run proves: they judge, and only their probes are ever sent.
    """

    def __init__(
        self,
        client: Client,
        probes: dict[Probe, AnyProbe],
        proof: ProofSettings,
        requirements: Sequence[Requirement] = REQUIREMENTS,
        ledger: Ledger | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.probes = probes
        self.proof = proof
        self.ledger = ledger if ledger is not None else LocalLedger()
        self.progress = progress
        self._judges = {kind: [r for r in requirements if kind in r.probes] for kind in probes}
        self.sent: Counter[Probe] = Counter()
        """Cases this process sent, by probe."""
        self.unanswered: Counter[Shape] = Counter()
        """Requests of each shape that got no answer within the timeout, in this process."""
        self.stopped: str | None = None
        """Why the run stopped, once it has: nothing more is sent."""
        self.ids: dict[str, str] = {}
        """Every id a create got in this process, with the case it went to first: what a requirement
        judged `across_run` compares a case's ids with (each pytest-xdist worker keeps its own)."""

    def run(self, kind: Probe) -> list[dict[str, Judgement]]:
        """Every unit's judgements for this probe, in order; raises NoVerdict if a unit could not finish."""
        later = [unit for other in self._judges if other != kind and self._judges[other] for unit in self._units(other)]
        try:
            judgements = self.ledger.settle(self._units(kind), meanwhile=later)
        except NoVerdict as stop:
            self.stopped = self.stopped or str(stop)
            raise
        if self.progress is not None:
            self.progress.ended(str(kind))
        return judgements

    def finished(self, kind: Probe) -> list[dict[str, Judgement]]:
        """The judgements of this probe's units that finished (all of them, unless the run stopped)."""
        return self.ledger.finished(self._units(kind))

    def _units(self, kind: Probe) -> list[Unit]:
        probe = self.probes[kind]
        units: list[Unit] = [(unit_name(kind), partial(self._judge, kind, [(name, case, None) for name, case in probe.explicit]))]
        if isinstance(probe, GeneratedProbe):
            units += [(unit_name(kind, batch), partial(self._judge_batch, kind, probe, batch)) for batch in range(self.proof.batch_count)]
        return units

    def _judge_batch(self, kind: Probe, probe: GeneratedProbe, batch: int) -> dict[str, Judgement]:
        batch_seed, size = self.proof.batch(batch)
        if self.unanswered[probe.shape] >= NO_ANSWER_BUDGET:  # not even drawn: none of it would be sent
            return self._not_sent(probe.shape, {r.id: Judgement() for r in self._judges[kind]}, size)
        return self._judge(kind, [(None, case, batch) for case in self.generated(probe, batch_seed, size)])

    def _judge(self, kind: Probe, cases: list[tuple[str | None, Any, int | None]]) -> dict[str, Judgement]:
        if self.stopped:
            raise NoVerdict(self.stopped)
        probe = self.probes[kind]
        judgements = {r.id: Judgement() for r in self._judges[kind]}
        for name, case, batch in cases:
            with self.client.sending(str(kind), name or "generated"):
                exchanges, muted = self._send(probe, case)
            if exchanges:
                self._observe(kind, Observation(name, exchanges, batch), judgements)
            elif muted is not None:
                self._not_sent(muted, judgements, 1)
        if self.progress is not None:
            self.progress.flush()
        return judgements

    def _send(self, probe: AnyProbe, case: Any) -> tuple[tuple[Exchange, ...], Shape | None]:
        """The case's exchanges, up to its first request of a shape the target has given no answer to
        NO_ANSWER_BUDGET times (none of that is sent), and that shape if there was one."""
        muted: list[Shape] = []

        def mute(request: Request) -> bool:
            shape = self.client.shape(request)
            if self.unanswered[shape] >= NO_ANSWER_BUDGET:
                muted.append(shape)
            return bool(muted)

        try:
            return probe.send(self.client, case, mute), (muted[0] if muted else None)
        except NoVerdict as stop:
            self.stopped = self.stopped or str(stop)
            raise

    def _observe(self, kind: Probe, observation: Observation, judgements: dict[str, Judgement]) -> None:
        """Record one case and let every requirement of its probe judge it."""
        self.sent[kind] += 1
        self.unanswered.update(self.client.shape(e.request) for e in observation.exchanges if e.shortfall is Shortfall.TIMEOUT)
        self.client.stats.statuses.update(f"{kind} {e.response.status}" for e in observation.exchanges if e.response is not None)
        if kind is Probe.VALID:
            origin = Origin.CHOSEN if observation.batch is None else Origin.GENERATED
            self.client.stats.coverage.record(observation.exchanges[0].request.payload, origin)
        given = created_ids(observation.exchanges)
        earlier = next(((guid, self.ids[guid]) for guid in given if guid in self.ids), None)
        failed: set[Level] = set()
        for requirement in self._judges[kind]:
            judgement = judgements[requirement.id]
            result = requirement.judge(*observation.exchanges)
            if requirement.across_run:
                result = _across_run(result, given, earlier, compared=bool(self.ids))
            judgement.tally.judged += 1
            if result.outcome == "n/a":
                judgement.tally.not_applicable[result.reason] += 1
                continue
            judgement.tally.applicable += 1
            if result.outcome == "fail":
                failed.add(requirement.level)
            if result.outcome == "fail" and judgement.failed is None:
                judgement.failed, judgement.probe = observation, kind
                judgement.reason, judgement.found_after = result.reason, judgement.tally.judged
        for guid in given:
            self.ids.setdefault(guid, f"{kind} case {observation.name or 'generated'}")
        if self.progress is not None:
            self.progress.sent(str(kind), must=Level.MUST in failed, should=Level.SHOULD in failed)

    def _not_sent(self, shape: Shape, judgements: dict[str, Judgement], count: int) -> dict[str, Judgement]:
        """Cases of a shape of request the target does not answer: not sent, and said so in every tally."""
        why = f"the target gave no answer within the request timeout to {NO_ANSWER_BUDGET} {shape} requests"
        self.client.stats.not_sent[str(shape)] += count
        for judgement in judgements.values():
            judgement.tally.not_sent[why] += count
        return judgements

    def generated(self, probe: GeneratedProbe, batch_seed: int, size: int) -> list[Any]:
        """The cases one hypothesis run draws for this probe with this seed, in order."""
        drawn: list[Any] = []

        def collect(case: Any) -> None:
            drawn.append(case)

        _settings(size, [Phase.generate])(seed(batch_seed)(given(case=probe.strategy)(collect)))()
        return drawn

    def shrink(self, requirement: Requirement, kind: Probe, batch: int) -> RequirementFailed | None:
        """Run the failing case's batch again (same seed), sending and judging live, and let hypothesis
        shrink the first failure. None if it does not happen again (a server that is not deterministic).
        Every request sent for it is in the evidence, marked `shrink`."""
        probe = self.probes[kind]
        assert isinstance(probe, GeneratedProbe)

        def holds_for(case: Any) -> None:
            with self.client.sending(str(kind), "generated", "shrink"):
                exchanges = probe.send(self.client, case)
            result = requirement.judge(*exchanges)
            if result.outcome == "fail":
                raise RequirementFailed(requirement, result.reason, exchanges, "generated, shrunk to the smallest that fails")

        batch_seed, size = self.proof.batch(batch)
        test = given(case=probe.strategy)(holds_for)
        try:
            _settings(size, [Phase.generate, Phase.shrink])(seed(batch_seed)(test))()
        except RequirementFailed as failure:
            return failure
        return None


class Prover:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.tallies: dict[str, Tally] = {}
        """What each requirement proven so far judged, whether it passed or failed."""

    def prove(self, requirement: Requirement) -> Tally:
        """Raise RequirementFailed for the first failing case (shrunk if generated), or return what was judged.

        If the run stops before the requirement's cases are all sent, it is judged on the units that
        finished: a failure there is raised (it stands), otherwise the NoVerdict that stopped the run.
        """
        stopped: NoVerdict | None = None
        try:
            units = [unit for kind in requirement.probes for unit in self.campaign.run(kind)]
        except NoVerdict as stop:
            stopped = stop
            units = [unit for kind in requirement.probes for unit in self.campaign.finished(kind)]
        judgement = merged([unit[requirement.id] for unit in units])
        self.tallies[requirement.id] = judgement.tally
        if judgement.failed is not None:
            raise self._failure(requirement, judgement, live=stopped is None)
        if stopped is not None:
            raise stopped
        return judgement.tally

    def settled(self, requirement: Requirement) -> RequirementFailed | None:
        """The requirement judged on the units that finished, sending nothing (the run was interrupted):
        the failure they prove, or None."""
        return settled(requirement, self.campaign.ledger, self.campaign.proof)

    def _failure(self, requirement: Requirement, judgement: Judgement, *, live: bool) -> RequirementFailed:
        """The first failing case; a generated one shrunk (re-sent) unless the run stopped or the
        requirement is not worth shrinking."""
        observation = judgement.failed
        assert observation is not None
        if observation.batch is None or not (live and requirement.shrink) or requirement.across_run:
            if not live:
                why = "the run stopped before it could be shrunk"
            elif requirement.across_run:
                why = "not shrunk: it fails for the creates the run made before it, not for its body"
            else:
                why = "not shrunk: each attempt could wait out a timeout"
            failure = as_found(requirement, judgement, why)
        else:
            assert judgement.probe is not None
            unshrunk = "generated (it did not fail again when re-sent, so it is shown unshrunk)"
            try:
                shrunk = self.campaign.shrink(requirement, judgement.probe, observation.batch)
            except NoVerdict as stop:  # the failure stands; the run has stopped
                self.campaign.stopped = self.campaign.stopped or str(stop)
                shrunk, unshrunk = None, "generated (the run stopped while it was being shrunk)"
            failure = shrunk or RequirementFailed(requirement, judgement.reason, observation.exchanges, unshrunk)
        failure.found_after = judgement.found_after
        failure.stopped = self.campaign.stopped
        return failure


def _across_run(result: Result, given: list[str], earlier: tuple[str, str] | None, *, compared: bool) -> Result:
    """A case's result once its ids are held against the run's earlier creates: a failure when one of
    them was given before; a pass where the case alone had nothing to compare (one create) but the run
    had ids to compare it with."""
    if result.outcome == "fail":
        return result
    if earlier is not None:
        guid, where = earlier
        return Result("fail", f"id {guid} was given before in this run, to {where}")
    if result.outcome == "n/a" and given and compared:
        return PASS
    return result


def unit_name(kind: Probe, batch: int | None = None) -> str:
    """A unit's name in the ledger: a probe's chosen cases, or one batch of its generated ones."""
    return f"{kind}-chosen" if batch is None else f"{kind}-batch-{batch}"


def as_found(requirement: Requirement, judgement: Judgement, unshrunk: str) -> RequirementFailed:
    """The first failing case as it was sent: a chosen one by name, a generated one with why it is not shrunk."""
    observation = judgement.failed
    assert observation is not None
    origin = f"case {observation.name!r}" if observation.batch is None else f"generated ({unshrunk})"
    failure = RequirementFailed(requirement, judgement.reason, observation.exchanges, origin)
    failure.found_after = judgement.found_after
    return failure


def settled(requirement: Requirement, ledger: Ledger, proof: ProofSettings) -> RequirementFailed | None:
    """A requirement judged on the units of a run that finished, sending nothing: the failure they prove,
    or None. Works from the ledger alone, so the pytest-xdist controller of an interrupted run can
    judge what its workers had sent (unit names are the same for every probe kind; a fixed probe's
    batches simply do not exist)."""
    names = [unit_name(kind, batch) for kind in requirement.probes for batch in (None, *range(proof.batch_count))]
    units = ledger.finished([(name, _nothing) for name in names])
    judgement = merged([unit[requirement.id] for unit in units if requirement.id in unit])
    return as_found(requirement, judgement, "the run stopped before it could be shrunk") if judgement.failed is not None else None


def _nothing() -> None:
    """The work of a unit that is only read, never done."""

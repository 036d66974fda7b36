"""The probes: each kind of request the suite sends, how its cases are made and how one is sent.

A generated probe is driven by hypothesis (explicit cases first, then schemathesis' strategy, shrunk
on failure); a fixed probe sends a short list of chosen requests, each already minimal. Every probe
sends only POST to the operation under test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from schemathesis import Case

from .bursts import Plan, plan, send_together
from .catalogue import Probe
from .client import Client, serialize
from .config import DEFAULT_CONCURRENCY, DEFAULT_MAX_EXAMPLES, refused_tokens
from .corpus import BAD_APPLICATION_IDS, MALFORMED_BODIES, WRONG_CONTENT_TYPES, bad_authorizations, corpus
from .exchange import Exchange, Request
from .generation import Generator
from .shapes import Shape

VALID_BODY = {"secrets": [{"key": "UserName", "value": "admin@contoso.example"}]}
DEFAULT_PLAN = plan(DEFAULT_CONCURRENCY, DEFAULT_MAX_EXAMPLES)


Muted = Callable[[Request], bool]
"""Whether a request is not to be sent: it has a shape the target gives no answer to (conformance/prover.py)."""


def _never(request: Request) -> bool:
    return False


@dataclass(frozen=True)
class GeneratedProbe:
    explicit: list[tuple[str, Case]]
    strategy: st.SearchStrategy[Case]
    shape: Shape
    """The shape of every request it sends (conformance/shapes.py)."""

    def send(self, client: Client, case: Case, muted: Muted = _never) -> tuple[Exchange, ...]:
        """The case's exchange; none when its request is `muted`."""
        request = client.request(case.path_parameters["applicationsId"], serialize(case.body), case.body)
        return () if muted(request) else (client.send(request),)


Build = Callable[[Client], Request]
"""One request, built when it is sent (the token may have been renewed since the probe was made)."""


@dataclass(frozen=True)
class FixedProbe:
    explicit: list[tuple[str, tuple[Build, ...]]]
    """Each case by name: the requests it sends, in order; the check sees every exchange of a case."""

    def send(self, client: Client, case: tuple[Build, ...], muted: Muted = _never) -> tuple[Exchange, ...]:
        """The case's exchanges, in order, up to the first request that is `muted` (none sent from there)."""
        sent: list[Exchange] = []
        for build in case:
            request = build(client)
            if muted(request):
                break
            sent.append(client.send(request))
        return tuple(sent)


@dataclass(frozen=True)
class BurstProbe:
    explicit: list[tuple[str, tuple[Build, ...]]]
    """Each burst by name: the requests it sends together, each on a connection of its own
    (conformance/bursts.py); the checks see every exchange of a burst, with when it was in flight."""

    def send(self, client: Client, case: tuple[Build, ...], muted: Muted = _never) -> tuple[Exchange, ...]:
        """The burst's exchanges; none when one of its requests is `muted` (a burst short of a member is
        not the burst asked for)."""
        requests = [build(client) for build in case]
        if any(muted(request) for request in requests):
            return ()
        burst = send_together(client, requests)
        client.stats.bursts.add(len(requests), burst.overlap)
        return burst.exchanges


AnyProbe = GeneratedProbe | FixedProbe | BurstProbe


def _post(application_id: str, body: bytes, headers: Mapping[str, str | None] | None = None, payload: Any = None) -> tuple[Build]:
    """A case of one request."""
    return (lambda client: client.request(application_id, body, payload, dict(headers or {})),)


def burst_body(round_: int, member: int, salt: str) -> dict[str, Any]:
    """A create whose secrets no other request of the run carries (`salt` sets them apart from another
    run's), so that an answer holding another request's secrets shows whose they are."""
    tag = f"burst-{round_}-{member}-{salt}"
    return {"secrets": [{"key": "UserName", "value": f"{tag}@contoso.example"}, {"key": "Password", "value": tag}]}


def bursts(application_ids: tuple[str, ...], plan: Plan) -> BurstProbe:
    """`plan.rounds` bursts of `plan.size` creates, each to the run's applications in turn (with one
    application, all to the same one: what a cache keyed by application mixes)."""
    salt = application_ids[0][:8]

    def create(round_: int, member: int) -> Build:
        body = burst_body(round_, member, salt)
        (build,) = _post(application_ids[(member - 1) % len(application_ids)], serialize(body), payload=body)
        return build

    return BurstProbe([(f"burst-{r}", tuple(create(r, m) for m in range(1, plan.size + 1))) for r in range(1, plan.rounds + 1)])


def make_probes(
    generator: Generator, token: str, refused: Mapping[str, str] | None = None, burst_plan: Plan = DEFAULT_PLAN
) -> dict[Probe, AnyProbe]:
    """Every probe; `refused` are the credentials made from the token that the target must refuse
    (config.refused_tokens, by default); `burst_plan` the bursts of creates sent together."""
    app = generator.application_ids[0]
    valid = serialize(VALID_BODY)
    credentials = FixedProbe(
        [
            (f"authorization-{name}", _post(app, valid, {"Authorization": value}, VALID_BODY))
            for name, value in bad_authorizations(token, refused_tokens(token) if refused is None else refused).items()
        ]
    )
    return {
        Probe.VALID: GeneratedProbe(generator.valid_explicit, generator.valid, Shape.CREATE),
        # The same create as a client may also send it: every valid request must be created.
        Probe.VALID_FORMS: FixedProbe(
            [
                (f"valid-{name}", _post(app, valid, headers, VALID_BODY))
                for name, headers in (
                    ("chunked", {"Transfer-Encoding": "chunked"}),  # no Content-Length: the body in two pieces
                    ("charset-utf-8", {"Content-Type": "application/json; charset=utf-8"}),
                    ("odata-metadata", {"Content-Type": "application/json;odata.metadata=minimal"}),
                )
            ]
        ),
        # Uniqueness needs no generated bodies: one case, every corpus body created twice in a row, so
        # that every id is compared with every other (a server that reuses ids after a while shows it).
        Probe.VALID_TWICE: FixedProbe(
            [("corpus-twice", tuple(build for c in corpus() for build in 2 * _post(app, serialize(c.body), payload=c.body)))]
        ),
        Probe.MALFORMED_JSON: FixedProbe([(f"malformed-{name}", _post(app, body)) for name, body in MALFORMED_BODIES.items()]),
        Probe.CONTENT_TYPE: FixedProbe(
            [
                (f"content-type-{name}", _post(app, valid, {"Content-Type": value}, VALID_BODY))
                for name, value in WRONG_CONTENT_TYPES.items()
            ]
        ),
        Probe.CREDENTIALS: credentials,
        Probe.APPLICATION_ID: FixedProbe(
            [(f"application-id-{name}", _post(bad, valid, payload=VALID_BODY)) for name, bad in BAD_APPLICATION_IDS.items()]
        ),
        Probe.BURST: bursts(generator.application_ids, burst_plan),
        # Generated invalid bodies last (see the catalogue): every chosen defect is judged first.
        Probe.INVALID_BODY: GeneratedProbe(generator.invalid_explicit, generator.invalid, Shape.INVALID_BODY),
    }

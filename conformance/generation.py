"""Cases to send: schemathesis generates from schemas/openapi.yaml (valid bodies, and bodies that break
the schema), the corpus adds the chosen ones.

Both kinds are schemathesis `Case`s for the one operation under test, so hypothesis can run the
explicit ones first and shrink the generated ones, and a report shows either the same way.

Valid bodies are drawn from an *echo profile* of the contract, aimed at the property the suite exists
for (a server keeps the secrets it is sent and gives them back unchanged): the same operation and
request schema, with each secret's value drawn from the adversarial string classes of
conformance/inputs.py (registered as a schemathesis string format), and about one body in TAIL_ODDS
given a tail of secrets by a schemathesis hook, so that bodies reach past the 45 members and past a
page of 100, repeat keys and pairs, carry a lookalike value of every kind (under a member whose name
says its type, in an aimed tail) and, once in a while, a value tens of kilobytes long. Every
profile body is valid against the contract (tests/test_generation.py draws hundreds); the contract, not the profile, is what bodies
and answers are judged by. conformance/coverage.py names the classes a default run reaches.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import schemathesis
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants
from schemathesis import Case
from schemathesis.generation import GenerationMode
from schemathesis.hooks import HookContext

from .contract import OPERATION_PATH, openapi, openapi_path, request_validator, secret_names
from .corpus import INVALID_BODIES, corpus
from .inputs import POOL_SIZE, SECRET_VALUE_FORMAT, last_values, pool_keys, secret_values, value_pool


def _cases_from_the_seed_alone() -> None:
    """Hypothesis (6.131 on) mixes constants found in the *local* modules a process has imported (any
    outside site-packages: a checkout's conformance/ is, an installed wheel's is not) into about one
    draw in twenty. The same seed then drew other cases from a checkout than from the installed suite
    (5 of 40 valid bodies alike), and after any edit to the suite's code. A certification run's cases
    must follow from the seed (and the suite's version) alone; hypothesis has no setting for this, so
    its one lookup of those constants finds none. Pinned hypothesis<7; tests/test_generation.py checks it."""
    providers._get_local_constants = Constants  # an empty pool: the global constants still apply


_cases_from_the_seed_alone()

schemathesis.openapi.format(SECRET_VALUE_FORMAT, secret_values())

# Explicit, so that no schemathesis.toml in the user's directory changes what a certification run does.
SCHEMATHESIS_CONFIG: dict[str, Any] = {
    # Each strategy names its mode (positive or negative) itself; this is the default for anything else.
    "generation": {"mode": "positive"},
    # The coverage phase would otherwise probe GET/PUT/PATCH/DELETE/TRACE on the path: on a live
    # tenant that can delete data. The suite sends only the operation under test.
    "phases": {"coverage": {"unexpected-methods": []}},
    # The default markers mask any field named like "secret" or "key", which hides the very secrets
    # being checked. Credentials stay masked; the suite's own Redactor masks the token everywhere.
    "output": {
        "sanitization": {
            "keys-to-sanitize": ["authorization", "proxy-authorization", "cookie", "set-cookie"],
            "sensitive-markers": ["authorization"],
        }
    },
}


# What the generated case says about headers; the client sends its own (with the real token).
CLIENT_HEADERS = {"Authorization": "Bearer (set by the client)"}


SMALL = 6
"""The most secrets schemathesis itself draws for one profile body; a tail adds more."""
TAIL_ODDS = 2
"""About one body in this many gets a tail."""
TAIL_LENGTHS = ((0, POOL_SIZE - 1, 20), (POOL_SIZE, POOL_SIZE, 80), (46, 55, 10), (101, 128, 12))
"""A tail's lengths, as ranges (shortest, longest, how many drawn numbers give one of them): fewer
secrets than the pool has values, down to none, for a failure to shrink to; most often exactly as
many (hypothesis repeats much of a tail across the bodies of a run, so a run of 40 holds a handful
of different tails, and each should carry every value); past the 45 members; past a page of 100
(Graph's usual page size), 101 to 126. The lengths between cost as much to send and judge, and reach
no class these do not. With TAIL_ODDS, about one body in eleven sends more than 45 secrets and one in
twenty more than 100: enough that a default run of 40 sends a few such bodies, few enough that long
bodies (whose validation costs about 0.1 ms a secret, on each side) do not dominate a large run (one
in nine past 100 cost a 1,000-per-probe run 6 %)."""
TAIL_COUNTS = tuple(shortest + i * (longest - shortest + 1) // slots for shortest, longest, slots in TAIL_LENGTHS for i in range(slots))
"""A tail's length for each drawn number, the ranges of TAIL_LENGTHS in turn. One drawn number, not
a choice between ranges, because hypothesis shrinks a number (from 101 to 55, on to 46 and straight
to POOL_SIZE) but cannot carry a count from one range over to another."""


def echo_profile(contract: dict[str, Any]) -> dict[str, Any]:
    """The contract's OpenAPI document narrowed for the valid probe: each secret's value, when it
    is a string, is one of SECRET_VALUE_FORMAT, and schemathesis draws at most SMALL secrets (it
    draws each object at about 0.4 ms; a tail adds long lists cheaply).

    Nothing else changes: secrets still come with or without a key, value or annotation, as the
    contract allows. Splitting them into branches (`anyOf`) was tried, to send fewer `{}`: hypothesis
    then often cannot delete a secret when shrinking, and a failure is shown with several.
    """
    profile = copy.deepcopy(contract)
    # schemathesis mixes the request example into what it draws, as the simplest body of all: a
    # failure found in a tail would shrink to the example plus the tail. The corpus sends it anyway.
    del profile["paths"][OPERATION_PATH]["post"]["requestBody"]["content"]["application/json"]["example"]
    schemas = profile["components"]["schemas"]
    value = schemas["SecretCreate"]["properties"]["value"]
    schemas["SecretCreate"]["properties"]["value"] = {**value, "format": SECRET_VALUE_FORMAT}
    schemas["SynchronizationCreate"]["properties"]["secrets"]["maxItems"] = SMALL
    return profile


@dataclass(frozen=True)
class Tail:
    """Secrets appended to a drawn body: `count` of them, in a cycle of `period` pairs that starts
    over (so that past the `period`th secret keys and whole pairs repeat, and a key comes back after
    others: A, B, …, A), keys from the `start`th member, values from the `turn`th of `values`, each
    key with the next value (a drawn offset, so that any value can meet any key); but in an `aimed`
    tail (two in three) a value of a type some members are named for goes under one of them (a date
    under TokenExpiration, a URL under Url): the values are the same either way. Then, if there is one, a
    secret with a `long` value (once: a tail repeats its other values)."""

    count: int
    period: int
    start: int
    turn: int
    aimed: bool
    values: list[str]
    long: str | None

    def applied(self, body: dict[str, Any]) -> dict[str, Any]:
        names, values = secret_names(), self.values
        cycle = []
        for i in range(min(self.period, self.count)):
            value = (self.turn + i) % len(values)
            keys = (pool_keys()[value] if self.aimed else ()) or names
            cycle.append({"key": keys[(self.start + i) % len(keys)], "value": values[value]})
        added = [dict(cycle[i % len(cycle)]) for i in range(self.count)]
        if self.long is not None:
            added.append({"key": names[(self.start + self.count) % len(names)], "value": self.long})
        return {**body, "secrets": [*body["secrets"], *added]}


@cache
def tails() -> st.SearchStrategy[Tail | None]:
    """None (the body as drawn), or a Tail for about one body in TAIL_ODDS.

    A tail is a handful of choices, not one per secret, so 100 secrets cost hypothesis little. Every
    part shrinks: to no tail whenever the body alone still fails; else to the fewest secrets, the
    shortest cycle (two secrets for a repeated key, three for A, B, A), no aim and no long value
    unless it is what fails, and the start and turn that put the failing pair first, so one secret
    with one value can be what is shown.
    """
    tail = st.builds(
        Tail,
        count=st.integers(0, len(TAIL_COUNTS) - 1).map(TAIL_COUNTS.__getitem__),
        period=st.integers(1, len(secret_names())),
        start=st.integers(0, len(secret_names()) - 1),
        turn=st.integers(0, POOL_SIZE - 1),
        aimed=st.integers(0, 2).map(bool),
        values=value_pool(),
        long=st.one_of(st.none(), last_values()),
    )
    return st.integers(0, TAIL_ODDS - 1).flatmap(lambda n: tail if n == TAIL_ODDS - 1 else st.none())


def with_tails(context: HookContext, bodies: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """schemathesis `before_generate_body` hook of the echo profile: about one body in TAIL_ODDS gets a tail.

    The body and its tail are drawn side by side rather than the tail from the body (`flatmap_body`),
    so that hypothesis shrinks each on its own: with `flatmap_body`, failures were often shown with
    secrets the shrinker could not drop.
    """
    return st.tuples(bodies, tails()).map(_appended)


def _appended(drawn: tuple[Any, Tail | None]) -> Any:
    body, tail = drawn
    return body if tail is None or not isinstance(body, dict) else tail.applied(body)


def _load(document: dict[str, Any]) -> Any:
    """The operation under test in `document`, its relative `$ref`s resolved beside openapi.yaml
    (as schemathesis.openapi.from_path would, which reads the document from the file itself)."""
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG))
    schema.location = openapi_path().absolute().as_uri()
    return schema


class Generator:
    def __init__(self, application_ids: tuple[str, ...]) -> None:
        self.application_ids = application_ids

    @cached_property
    def operation(self) -> Any:
        """The operation as the contract has it: what negative generation breaks."""
        schema = schemathesis.openapi.from_path(str(openapi_path()), config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG))
        return schema[OPERATION_PATH]["POST"]

    @cached_property
    def echo_operation(self) -> Any:
        """The operation under the echo profile, with the tail hook on this schema alone."""
        schema = _load(echo_profile(openapi()))
        schema.hook("before_generate_body")(with_tails)
        return schema[OPERATION_PATH]["POST"]

    def _generated(self, operation: Any, mode: GenerationMode) -> st.SearchStrategy[Case]:
        """Bodies only: the path, the headers and the media type are fixed, as the client sets them.

        Left free, schemathesis would also generate (and in negative mode, break) the Authorization
        header and the media type; the suite sends its own, so those draws were thrown away: fixing
        them makes negative generation about twice as fast (docs/performance.md).
        """
        return st.one_of(
            [
                operation.as_strategy(
                    generation_mode=mode,
                    path_parameters={"applicationsId": app_id},
                    headers=CLIENT_HEADERS,
                    media_type="application/json",
                )
                for app_id in self.application_ids
            ]
        )

    def _cases(self, bodies: list[tuple[str, Any]]) -> list[tuple[str, Case]]:
        ids = self.application_ids
        return [
            (name, self.operation.Case(body=body, path_parameters={"applicationsId": ids[i % len(ids)]}, media_type="application/json"))
            for i, (name, body) in enumerate(bodies)
        ]

    @cached_property
    def valid(self) -> st.SearchStrategy[Case]:
        """Valid bodies from the echo profile, posted to each application id in turn."""
        return self._generated(self.echo_operation, GenerationMode.POSITIVE)

    @cached_property
    def valid_explicit(self) -> list[tuple[str, Case]]:
        """The corpus, in order, by name, dealt across the application ids."""
        return self._cases([(case.name, case.body) for case in corpus()])

    @cached_property
    def invalid(self) -> st.SearchStrategy[Case]:
        """schemathesis' negative bodies, kept only where the body is JSON that breaks the request schema.

        About one draw in five is raw bytes, which are the malformed-JSON probe's business.
        """
        return self._generated(self.operation, GenerationMode.NEGATIVE).filter(lambda case: breaks_request_schema(case.body))

    @cached_property
    def invalid_explicit(self) -> list[tuple[str, Case]]:
        return self._cases(list(INVALID_BODIES.items()))


def breaks_request_schema(body: Any) -> bool:
    """A JSON value (one the client can send as such) that the request schema rejects."""
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return not request_validator().is_valid(body)

"""The suite judged by the servers it is pointed at: each broken server fails exactly the requirement
it breaks, each correct-but-unusual one passes, and the reference server passes."""

from __future__ import annotations

import re

import pytest

from conformance.catalogue import BY_ID
from conformance.server import ReferenceServer

from .servers import BROKEN, UNUSUAL, Variant


def test_reference_server_passes_every_requirement(serve, run_suite) -> None:
    served = serve(ReferenceServer)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 0, run.output
    assert run.outcomes == {rid: "passed" for rid in BY_ID}


@pytest.mark.parametrize("behaviour", BROKEN, ids=lambda b: f"{b.__name__}-{b.breaks}")
def test_broken_server_fails_exactly_its_requirement(behaviour: type[Variant], serve, run_suite) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 1, run.output
    assert run.failed() == {behaviour.breaks}, run.output
    assert set(run.outcomes) == set(BY_ID)
    assert re.search(rf"^FAILED \S+::test_requirement\[{behaviour.breaks}\]", run.output, re.M), run.output
    assert f"{behaviour.breaks} ({BY_ID[behaviour.breaks].level}) failed:" in (run.reports / "report.html").read_text()
    assert not [path for path, text in run.artifacts().items() if served.token in text]


@pytest.mark.parametrize("behaviour", UNUSUAL, ids=lambda b: b.__name__)
def test_unusual_but_correct_server_passes(behaviour: type[Variant], serve, run_suite) -> None:
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token)
    assert run.exit_code == 0, run.output
    assert run.failed() == set(), run.output

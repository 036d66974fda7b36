"""Creates sent together (conformance/bursts.py): the overlap they reach, the races they catch, and a
target that serialises, takes one connection at a time or throttles what overlaps left to pass."""

from __future__ import annotations

import asyncio
import html
import json
import re
import shlex
import time
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response

from conformance.bursts import in_flight, plan, send_together
from conformance.client import Client, ClientSettings, serialize
from conformance.errors import NoVerdict
from conformance.probes import burst_body
from conformance.throttling import rate_limit

from .hostile import RawServer, Relay, closes_at_once
from .servers import RACES, ConnectionClose, Racy, SerialisesEveryRequest, Variant

APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=12))
def test_in_flight_is_the_most_windows_open_at_one_instant(spans: list[tuple[int, int]]) -> None:
    windows = [(start, start + length) for start, length in spans]
    # Every instant where the count can change is a start; windows are half open (one ending as another starts: not both).
    most = max((sum(1 for s, e in windows if s <= t < e) for t, _ in windows), default=0)
    assert in_flight(windows) == most


def test_a_rate_below_the_burst_size_makes_smaller_bursts_and_concurrency_one_none() -> None:
    assert plan(4, 40) == plan(4, 40, rate=100.0)
    assert (plan(4, 40).size, plan(4, 40).rounds) == (4, 5)
    limited = plan(4, 40, rate=2.5)
    assert (limited.size, limited.limited) == (2, True)
    assert plan(4, 40, rate=1.5).rounds == 0 and plan(1, 40).rounds == 0
    assert plan(4, 1000).rounds == 125  # more generated cases asked, more rounds


class CountsInFlight(Racy):
    """The reference server that notes how many creates it holds at once (each for a race window)."""

    window: ClassVar[float] = 0.01

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = self.most = 0

    async def race(self, request: Request, created: dict[str, Any]) -> Response | None:
        self.now += 1
        self.most = max(self.most, self.now)
        await self.meanwhile()
        self.now -= 1
        return None


class HoldsLonger(CountsInFlight):
    window: ClassVar[float] = 0.05


def _requests(client: Client, size: int) -> list[Any]:
    return [client.request(APP, serialize(body := burst_body(1, m, "test")), body) for m in range(size)]


def test_a_burst_reaches_the_server_together_each_on_its_own_connection(serve) -> None:
    served = serve(HoldsLonger)
    client = Client(ClientSettings(served.url, served.token))
    burst = send_together(client, _requests(client, 5))
    client.close()
    assert isinstance(served.server, HoldsLonger)
    assert served.server.most == 5 == burst.overlap
    assert [e.response.status for e in burst.exchanges if e.response] == [201] * 5
    for exchange in burst.exchanges:
        assert exchange.together is not None and exchange.together[0] < 0.05 < exchange.together[1]


def test_a_burst_is_stopped_by_the_run_deadline(serve) -> None:
    served = serve()
    client = Client(ClientSettings(served.url, served.token, deadline=time.monotonic() - 1))
    with pytest.raises(NoVerdict, match="run deadline"):
        send_together(client, _requests(client, 3))


def test_a_burst_takes_its_turns_under_the_rate_limit_together(serve) -> None:
    """Four requests at 20 a second: the burst waits for its four turns (about 0.15 s), then goes out at once."""
    served = serve(CountsInFlight)
    client = Client(ClientSettings(served.url, served.token, rate_limit=rate_limit("20"), deadline=time.monotonic() + 30))
    started = time.monotonic()
    burst = send_together(client, _requests(client, 4))
    assert time.monotonic() - started >= 0.14 and client.stats.paced_seconds >= 0.14
    assert burst.overlap == 4


def _first_failure(verdict: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r["first_failure"] for r in verdict["requirements"] if r["id"] == rid)


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["alone", "two-workers"])
@pytest.mark.parametrize("behaviour", RACES, ids=lambda b: b.__name__)
def test_a_race_is_caught_on_its_requirement_with_the_overlapping_requests_as_evidence(
    behaviour: type[Racy], workers: tuple[str, ...], shared_runs
) -> None:
    shared = shared_runs(behaviour, *workers)
    run = shared.run
    rid = str(behaviour.breaks)
    assert (run.exit_code, run.caught()) == (1, {rid}), run.output
    assert run.verdict is not None
    failure = _first_failure(run.verdict, rid)
    # Alone, only a burst overlaps requests. Under -n 2 the two workers' requests overlap at the target
    # too, so the race may show first on another case: caught on its requirement all the same.
    if workers and not failure["origin"].startswith("case 'burst-"):
        assert failure["origin"].startswith(("generated", "case ")), failure["origin"]
    else:
        assert failure["origin"].startswith("case 'burst-"), failure["origin"]
        windows = [tuple(e["together_seconds"]) for e in failure["exchanges"]]
        assert len(windows) == 4 and in_flight(windows) >= 2, windows
        # Alone, the secrets a member got are another member's; under -n 2 they may be the other worker's
        # request's, which the reason then calls lost or altered.
        if rid == "SYNC-SECRETS-ECHO" and not workers:
            assert "answered with the secrets of another request of the same burst" in failure["reason"], failure["reason"]
    bursts = run.verdict["traffic"]["bursts"]
    assert bursts["sent"] == 5 and bursts["size"] == 4 and bursts["most_in_flight"] >= 2
    line = f"bursts: 5 of 4 creates sent together, each on a connection of its own: at most {bursts['most_in_flight']} in flight at once"
    assert line in run.output
    shown = html.unescape(html.unescape((run.reports / "report.html").read_text()))
    assert line in shown
    if failure["origin"].startswith("case 'burst-"):
        assert "Sent together with others: out at +" in shown
        # One command sends them together again, each transfer as the suite sent it, without the token.
        together = re.search(r"^ *(curl --parallel --parallel-immediate --parallel-max 4 .*)$", run.output, re.M)
        assert together, run.output
        words = shlex.split(together.group(1))
        assert words.count("--next") == 3 and words.count("--data-raw") == 4
    assert shared.token not in run.output
    # Under -n 2 the bursts were sent once, by whichever worker took their unit.
    sent = [json.loads(line) for path in run.reports.glob("evidence*.jsonl") for line in path.read_text().splitlines()]
    burst = sorted(record["case"] for record in sent if record["probe"] == "burst" and record["purpose"] == "case")
    assert burst == sorted(f"burst-{r}" for r in range(1, 6) for _ in range(4)), burst  # a record per request
    har = json.loads((run.reports / "evidence.har").read_text())
    assert sum(1 for entry in har["log"]["entries"] if entry.get("comment", "").startswith("burst:")) == 20


def test_a_server_that_takes_one_connection_at_a_time_passes(serve, run_suite) -> None:
    """Each connection served to its end before the next is accepted (and each closed after its
    answer): the bursts' members wait their turn in the listening queue, and are answered in time."""
    served = serve(ConnectionClose)
    parts = urlsplit(served.url)
    assert parts.hostname and parts.port
    front = RawServer(Relay((parts.hostname, parts.port), then=closes_at_once), serial=True)
    try:
        run = run_suite("--base-url", front.url, "--token", served.token, "--max-examples", "8")
    finally:
        front.stop()
    assert run.exit_code == 0, run.output
    assert set(run.outcomes.values()) == {"pass"}, run.output
    assert run.verdict and run.verdict["traffic"]["bursts"]["sent"] == 1


class ThrottlesWhatOverlaps(Variant):
    """Refuses a create that arrives while another is being made with 503 and Retry-After, as a front
    that limits connections does: throttling, not a failure."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy = False

    async def create(self, request: Request, body: bytes) -> Response:
        if self.busy:
            return self.error(request, 503, "ServiceUnavailable", "Too many requests at once.", {"Retry-After": "1"})
        self.busy = True
        try:
            await asyncio.sleep(0.01)
            return await super().create(request, body)
        finally:
            self.busy = False


def test_a_server_that_throttles_overlapping_creates_passes(serve, run_suite) -> None:
    served = serve(ThrottlesWhatOverlaps)
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "8")
    assert run.exit_code == 0, run.output
    assert run.verdict and run.verdict["traffic"]["throttled"] >= 1
    # Each member throttled was sent again on its own; the overlap its last sends reached is measured on
    # the client's clock (a loaded machine may see two windows touch) and the reports say what it was.
    bursts = run.verdict["traffic"]["bursts"]
    assert (bursts["sent"], bursts["size"]) == (1, 4) and bursts["most_in_flight"] < 4, bursts
    assert f"at most {bursts['most_in_flight']} in flight at once" in run.output


def test_a_server_that_serialises_every_request_passes_under_two_workers(shared_runs) -> None:
    run = shared_runs(SerialisesEveryRequest, "-n", "2").run
    assert run.exit_code == 0, run.output
    assert run.verdict and run.verdict["traffic"]["bursts"]["sent"] == 5


@pytest.mark.parametrize(
    ("options", "size", "said"),
    [
        (("--rate-limit", "100", "--concurrency", "8"), 8, None),
        # Narrowed to the one requirement (exit 3): at 20 requests a second the whole run would take long.
        (("--rate-limit", "20", "--concurrency", "30", "-k", "SYNC-ID-UNIQUE"), 20, "bursts of 20, not the 30 --concurrency asks for"),
        (("--concurrency", "1"), 0, "bursts: none sent (--concurrency 1)"),
    ],
    ids=["within", "smaller", "off"],
)
def test_a_rate_below_the_burst_size_gives_smaller_bursts_and_says_so(options, size, said, serve, run_suite) -> None:
    served = serve(CountsInFlight)
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "8", *options)
    assert run.exit_code == (3 if "-k" in options else 0), run.output
    assert run.verdict is not None
    bursts = run.verdict["traffic"]["bursts"]
    assert isinstance(served.server, CountsInFlight)
    # The client sees each request from its release to its answer, the server only while it handles it:
    # on a loaded machine the server may see fewer at once, never more.
    assert bursts["size"] == size and 1 <= served.server.most <= max(1, bursts["most_in_flight"]), (bursts, served.server.most)
    assert size < 2 or bursts["most_in_flight"] >= 2
    if said is not None:
        assert said in run.output, run.output
        assert said in html.unescape(html.unescape((run.reports / "report.html").read_text()))
    concurrency = dict(zip(options[::2], options[1::2], strict=True)).get("--concurrency", "4")
    assert run.verdict["configuration"]["concurrency"] == int(concurrency)

"""The ledger: each unit of a run is done once, in one process or across pytest-xdist workers, and
what a worker hands to another is redacted."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from conformance.catalogue import Probe
from conformance.errors import NoVerdict
from conformance.exchange import Exchange, Request, Response
from conformance.ledger import LocalLedger, SharedLedger
from conformance.prover import Judgement, Observation
from conformance.redaction import MASK, Redactor


def _same(value):
    return value


def test_a_unit_is_done_once_and_its_error_raised_for_every_reader() -> None:
    done: Counter[str] = Counter()

    def work(name: str):
        done[name] += 1
        return name.upper()

    def fails():
        raise NoVerdict("run incomplete: the target stopped answering")

    ledger = LocalLedger()
    assert ledger.settle([("a", lambda: work("a")), ("b", lambda: work("b"))]) == ["A", "B"]
    assert ledger.settle([("b", lambda: work("b"))]) == ["B"]
    with pytest.raises(NoVerdict):
        ledger.settle([("c", fails), ("d", lambda: work("d"))])
    with pytest.raises(NoVerdict):
        ledger.settle([("c", lambda: work("c"))])
    assert done == {"a": 1, "b": 1}, "a failed unit stops the probe and is not done again"


def test_workers_sharing_a_directory_do_each_unit_once(tmp_path: Path) -> None:
    done: Counter[str] = Counter()
    lock = threading.Lock()

    def work(name: str):
        time.sleep(0.05)
        with lock:
            done[name] += 1
        return name.upper()

    units = [(name, (lambda n=name: work(n))) for name in "abcdef"]
    results: list[list[str]] = []

    def worker() -> None:
        results.append(SharedLedger(tmp_path, time.monotonic() + 10, _same).settle(units))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [list("ABCDEF")] * 3
    assert done == {name: 1 for name in "abcdef"}


def test_an_error_in_another_worker_is_raised_here(tmp_path: Path) -> None:
    def fails():
        raise NoVerdict("run incomplete: the run deadline (--run-timeout) passed")

    with pytest.raises(NoVerdict):
        SharedLedger(tmp_path, time.monotonic() + 10, _same).settle([("a", fails)])
    with pytest.raises(NoVerdict, match="deadline"):
        SharedLedger(tmp_path, time.monotonic() + 10, _same).settle([("a", lambda: pytest.fail("done twice"))])


def test_a_unit_claimed_but_never_finished_ends_at_the_deadline(tmp_path: Path) -> None:
    (tmp_path / "a.claim").touch()  # a worker that died mid-unit
    started = time.monotonic()
    with pytest.raises(NoVerdict, match="run deadline"):
        SharedLedger(tmp_path, started + 0.3, _same).settle([("a", lambda: 1)])
    assert time.monotonic() - started < 5


def test_what_a_worker_publishes_is_redacted(tmp_path: Path) -> None:
    """Each worker holds its own token (client credentials, the embedded server's): a worker reading
    another's failing case could not mask that token, so it never leaves the worker unmasked."""
    token = "canary-worker-token-0123456789"
    headers = (("Authorization", f"Bearer {token}"), ("X-Echo", token))
    request = Request("POST", "http://127.0.0.1/beta/x", headers, f'{{"v":"{token}"}}'.encode())
    response = Response(201, "Created", (("X-Echo", token),), f'{{"v":"{token}","bad":"\\xff"}}'.encode() + b"\xff")
    judgement = Judgement(failed=Observation(None, (Exchange(request, response),), 0), probe=Probe.VALID, reason=f"echoed {token}")
    redactor = Redactor([token])

    def prepare(judgements: dict[str, Judgement]) -> dict[str, Judgement]:
        return {rid: j.redacted(redactor) for rid, j in judgements.items()}

    assert SharedLedger(tmp_path, time.monotonic() + 10, prepare).settle([("u", lambda: {"R": judgement})]) == [{"R": judgement}]
    assert not [p for p in tmp_path.iterdir() if token.encode() in p.read_bytes()]
    [read] = SharedLedger(tmp_path, time.monotonic() + 10, prepare).settle([("u", lambda: pytest.fail("done twice"))])
    shown = read["R"]
    assert shown.reason == f"echoed {MASK}"
    exchange = shown.failed.exchanges[0]
    assert exchange.request.headers == (("Authorization", MASK), ("X-Echo", MASK))
    assert exchange.response.headers == (("X-Echo", MASK),)
    assert exchange.response.body.endswith(b"\xff") and token.encode() not in exchange.response.body


def test_a_waiting_worker_does_what_the_run_needs_later(tmp_path: Path) -> None:
    done: list[tuple[str, str]] = []
    started = threading.Event()

    def work(worker: str, name: str, seconds: float = 0.0):
        started.set()
        time.sleep(seconds)
        done.append((worker, name))
        return name.upper()

    first = SharedLedger(tmp_path, time.monotonic() + 10, _same)
    second = SharedLedger(tmp_path, time.monotonic() + 10, _same)
    slow = threading.Thread(target=lambda: first.settle([("a", lambda: work("first", "a", 0.5))]))
    slow.start()
    started.wait()
    later = [("b", lambda: work("second", "b")), ("c", lambda: work("second", "c"))]
    assert second.settle([("a", lambda: work("second", "a"))], meanwhile=later) == ["A"]
    slow.join()
    assert sorted(done) == [("first", "a"), ("second", "b"), ("second", "c")]
    assert first.settle([("b", lambda: work("first", "b"))]) == ["B"], "read, not done again"


def test_a_fault_in_another_worker_arrives_as_its_type_and_message(tmp_path: Path) -> None:
    class Unpicklable(Exception):
        def __init__(self, a: str, b: str) -> None:
            super().__init__(f"{a} {b}")

    def fails():
        raise Unpicklable("bad", "unit")

    with pytest.raises(Unpicklable):
        SharedLedger(tmp_path, time.monotonic() + 10, _same).settle([("a", fails)])
    with pytest.raises(RuntimeError, match="Unpicklable: bad unit"):
        SharedLedger(tmp_path, time.monotonic() + 10, _same).settle([("a", lambda: pytest.fail("done twice"))])

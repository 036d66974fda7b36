"""The suite in the field: a target that is up but misbehaves on some requests is judged, not called
unreachable, and the request that tells the two apart is one it has never seen; a slow answer ends at
the request timeout; throttling is waited out, never judged, unless it never ends for one request while
a known-good one is answered at once; a run that stops early keeps the failures it proved; an
interrupted run leaves this run's reports, saying so.

Each target runs against one process and against two pytest-xdist workers, and no token reaches any
artifact."""

from __future__ import annotations

import html
import json
import re
import signal
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from conformance.catalogue import Probe
from conformance.client import LIVENESS_TRIES, Client, ClientSettings, known_good_body, serialize
from conformance.config import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, default_application_ids
from conformance.contract import request_validator, schema_problem
from conformance.corpus import SPEC_EXAMPLE
from conformance.generation import Generator
from conformance.probes import VALID_BODY, GeneratedProbe, make_probes
from conformance.prover import NO_ANSWER_BUDGET, Campaign, ProofSettings

from .conftest import Served, SuiteRun
from .hostile import (
    DropsCreates,
    Misbehaving,
    NeverFinishes201,
    Repeats,
    broken_status_line,
    chunked_without_end,
    creates_with_several_secrets,
    drip_answer,
    drips,
    drops,
    hangs,
    head_only,
    interim_forever,
    json_object,
    shorter_than_its_length,
    too_many_headers,
)
from .servers import DropsLastSecret
from .test_hostile import ALONE_AND_SPLIT
from .test_prover import LosesOneOfSeveralKeylessSecrets
from .throttled import (
    AsksForAnHourOnMalformedJson,
    RecordsArrivals,
    ThrottlesEveryTenth,
    ThrottlesEverything,
    TooManyRequestsOnMalformedJson,
    Unavailable503OnMalformedJson,
    Unavailable503WithDate,
)


def backend(served: Served) -> tuple[str, int]:
    parts = urlsplit(served.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def report_text(run: SuiteRun) -> str:
    return html.unescape(html.unescape((run.reports / "report.html").read_text(encoding="utf-8")))


def assert_no_token(run: SuiteRun, token: str) -> None:
    assert token not in run.output
    assert not [path for path, text in run.artifacts().items() if token in text]
    assert "Traceback" not in run.output


def exchanges(run: SuiteRun) -> list[dict]:
    lines = [json.loads(line) for path in sorted(run.reports.glob("evidence*.jsonl")) for line in path.read_text().splitlines()]
    return lines  # one record per request


class AfterRequests:
    """Picks every request after the first `n` the target gets: a target that stops answering mid-run."""

    def __init__(self, n: int) -> None:
        self.n, self.seen = n, 0

    def __call__(self, body: bytes) -> bool:
        self.seen += 1
        return self.seen > self.n


class AfterTheValidBodies:
    """Picks every request once the target has had every valid body the default run generates (and
    `then` more requests): a target that stops answering after the valid probe, wherever the probes
    fall in the order it gets them (pytest-xdist's workers send them side by side)."""

    def __init__(self, then: int) -> None:
        probe = make_probes(Generator(default_application_ids(DEFAULT_SEED)), "t")[Probe.VALID]
        assert isinstance(probe, GeneratedProbe)
        campaign = Campaign(Client(ClientSettings("http://127.0.0.1:9", None)), {}, ProofSettings(DEFAULT_MAX_EXAMPLES, DEFAULT_SEED))
        self.waiting = Counter(serialize(case.body) for case in campaign.generated(probe, DEFAULT_SEED, DEFAULT_MAX_EXAMPLES))
        self.then = then

    def __call__(self, body: bytes) -> bool:
        if self.waiting[body]:
            self.waiting[body] -= 1
            return False
        if self.waiting.total():
            return False
        self.then -= 1
        return self.then < 0


# --- a target that answers some requests badly, or not at all --------------------------------------


@ALONE_AND_SPLIT
@pytest.mark.parametrize(
    "behaviour, reason",
    [
        (hangs, r"no answer within 0.5 s"),
        (drip_answer, r"no answer within 0.5 s"),
        (drops, r"connection dropped before an answer: RemoteDisconnected"),
        (broken_status_line, r"not an HTTP answer: BadStatusLine"),
        (too_many_headers, r"not an HTTP answer: HTTPException: got more than 100 headers"),
        (interim_forever, r"no answer within 0.5 s"),
    ],
    ids=["hangs", "drips", "drops", "broken-status-line", "too-many-headers", "interim-answers-without-end"],
)
def test_a_target_that_misbehaves_only_on_malformed_json_is_judged_not_unreachable(
    behaviour: Callable, reason: str, serve, raw, run_suite, workers
) -> None:
    served = serve()
    front = raw(Misbehaving(backend(served), behaviour))
    started = time.monotonic()
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "0.5", *workers)
    assert time.monotonic() - started < 60
    assert run.exit_code == 1, run.output
    assert run.caught() == {"SYNC-ANSWERED"}, run.output
    # What got no answer is SYNC-ANSWERED's alone (the NaN body, JSON to Python, is answered 400 when sent).
    assert run.outcomes["SYNC-MALFORMED-JSON-400"] in ("skip", "pass")
    assert re.search(rf"^SYNC-ANSWERED +MUST +FAIL +{reason}", run.output, re.M), run.output
    assert re.search(r"^FAILED \S+::test_requirement\[SYNC-ANSWERED\]", run.output, re.M), run.output
    assert "unreachable" not in run.output and run.verdict and run.verdict["stopped"] is None
    assert "SYNC-ANSWERED (MUST) failed: " in report_text(run)
    assert_no_token(run, served.token)
    unanswered = [e for e in exchanges(run) if "no answer within" in (e.get("error") or "")]
    # A target that hangs on a whole class of input costs a few timeouts, not one per case.
    assert len(unanswered) <= 3 + 1, [e["request"]["body"]["text"] for e in unanswered]
    if behaviour in (hangs, drip_answer, interim_forever):
        assert run.verdict["traffic"]["not_sent"].get("non-JSON", 0) >= 5
        assert re.search(r"^not sent: \d+ non-JSON case", run.output, re.M), run.output


@ALONE_AND_SPLIT
def test_a_dripped_answer_ends_each_request_at_the_request_timeout(raw, run_suite, workers) -> None:
    """A byte at a time, head and body, each well within the request timeout: every request ends at
    --request-timeout all the same (it bounds the whole answer), counts as no answer, and a target
    that never answered gives no verdict."""
    server = raw(drips)
    started = time.monotonic()
    run = run_suite("--base-url", server.url, "--token", "drip-canary-4471", "--request-timeout", "0.5", *workers)
    assert time.monotonic() - started < 40
    assert run.exit_code == 3, run.output
    assert "no verdict (exit 3): target unreachable: 3 requests in a row got no answer (last: no answer within 0.5 s)" in run.output
    assert_no_token(run, "drip-canary-4471")


def test_each_dripped_request_ends_at_the_timeout(raw) -> None:
    from conformance.client import Client, ClientSettings

    server = raw(drips)
    client = Client(ClientSettings(server.url, "t", timeout=0.5))
    for _ in range(2):
        started = time.monotonic()
        exchange = client.create("5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f", {"secrets": []})
        assert 0.45 < time.monotonic() - started < 1.2
        assert exchange.error == "no answer within 0.5 s" and not exchange.answered
    client.close()


# --- a target up and answering every refusal, that never answers one kind of create ---------------

UP_BUT_SILENT_ON_CREATES = {
    "drops-creates-of-two-secrets": (lambda to, token: DropsCreates(to, token, creates_with_several_secrets), "connection dropped"),
    "chunked-201-without-end": (lambda to, token: NeverFinishes201(to, chunked_without_end), "body not complete within 0.5 s"),
    "201-shorter-than-its-length": (lambda to, token: NeverFinishes201(to, shorter_than_its_length), "body not complete within 0.5 s"),
    "201-head-only": (lambda to, token: NeverFinishes201(to, head_only), "body not complete within 0.5 s"),
}


@ALONE_AND_SPLIT
@pytest.mark.parametrize("target", list(UP_BUT_SILENT_ON_CREATES))
def test_a_target_that_answers_refusals_and_not_some_creates_is_judged_not_stopped(target: str, serve, raw, run_suite, workers) -> None:
    """Whatever the liveness request would have looked like, it is never a create: a target that answers
    401 to a request without credentials is up, and what it did not answer is judged (SYNC-ANSWERED),
    each kind of create it never answers costing a few request timeouts (three a process), not one a case."""
    make, reason = UP_BUT_SILENT_ON_CREATES[target]
    served = serve()
    front = raw(make(backend(served), served.token))
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "0.5", *workers)
    assert run.exit_code == 1, run.output
    assert run.caught() == {"SYNC-ANSWERED"}, run.output
    assert re.search(rf"^SYNC-ANSWERED +MUST +FAIL +{reason}.*, to a create request", run.output, re.M), run.output
    assert run.verdict and run.verdict["stopped"] is None
    assert "unreachable" not in run.output and "stopped answering" not in run.output
    timed_out = [e for e in exchanges(run) if "within 0.5 s" in (e.get("error") or "") + str((e.get("response") or {}).get("incomplete"))]
    assert len(timed_out) <= NO_ANSWER_BUDGET * (2 if workers else 1), len(timed_out)
    cases = [json.loads(line) for path in sorted(run.reports.glob("evidence*.jsonl")) for line in path.read_text().splitlines()]
    checks = [line for line in cases if line["probe"] == "liveness"]
    assert checks and all(e["response"]["status"] in (400, 401) for e in checks), checks
    assert_no_token(run, served.token)


# --- a target that stops answering mid-run ---------------------------------------------------------


@ALONE_AND_SPLIT
@pytest.mark.parametrize(
    "behaviour, exit_code, verdict", [(DropsLastSecret, 1, "not conformant"), (None, 3, "incomplete")], ids=["proven", "nothing-proven"]
)
def test_a_run_whose_target_stops_answering_keeps_what_it_proved(behaviour, exit_code, verdict, serve, raw, run_suite, workers) -> None:
    served = serve(behaviour) if behaviour else serve()
    # Once every valid body is in (and the valid-forms requests after them), whichever worker sent it.
    front = raw(Misbehaving(backend(served), hangs, AfterTheValidBodies(then=3)))
    # No bursts (--concurrency 1): they judge SYNC-SECRETS-ECHO too, and would come after the silence.
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "0.5", "--concurrency", "1", *workers)
    assert run.exit_code == exit_code, run.output
    assert run.verdict and run.verdict["verdict"] == verdict
    stopped = run.verdict["stopped"]
    # Whichever request of the run met the silence first (under -n, another worker's may): a liveness
    # request of another shape was sent to check, and got nothing either.
    gone = r"target stopped answering: an? \S+ request got no answer \(no answer within 0.5 s\), "
    assert re.match(gone + "and an? (unauthenticated|non-JSON) request sent to check got no answer", stopped["reason"]), stopped["reason"]
    assert stopped["not_judged"] and "SYNC-SECRETS-ECHO" not in stopped["not_judged"]
    if exit_code == 1:
        assert run.verdict["reason"].startswith("MUST failed: SYNC-SECRETS-ECHO (the run stopped early: target stopped answering")
        assert run.outcomes["SYNC-SECRETS-ECHO"] == "fail"
        assert "the run stopped early: target stopped answering" in run.output
        assert "MUST failures it had proven stand (exit 1)" in run.output
    else:
        assert "no verdict (exit 3): target stopped answering" in run.output
    assert_no_token(run, served.token)


def test_a_target_that_stops_answering_while_a_failure_is_shrunk_has_the_run_stopped(serve, raw, run_suite) -> None:
    """The stop is the run's whatever requirement meets it: here the last one to run (-k), while its
    failure is being shrunk; under -n, whichever worker shrinks may have nothing after it either."""
    served = serve(LosesOneOfSeveralKeylessSecrets)  # a failure only generated bodies reach, to be shrunk
    # Every valid body and the three valid-forms requests answered (the requirement's cases), then nothing.
    front = raw(Misbehaving(backend(served), hangs, AfterTheValidBodies(then=3)))
    # No bursts (--concurrency 1): they judge SYNC-SECRETS-ECHO too, and would meet the silence before the shrinking.
    options = ("--request-timeout", "0.5", "--concurrency", "1", "-k", "SYNC-SECRETS-ECHO")
    run = run_suite("--base-url", front.url, "--token", served.token, *options)
    assert run.exit_code == 1, run.output
    assert run.outcomes == {"SYNC-SECRETS-ECHO": "fail"}, run.output
    assert run.verdict and run.verdict["stopped"] is not None, run.output
    assert run.verdict["stopped"]["reason"].startswith("target stopped answering")
    failure = next(r["first_failure"] for r in run.verdict["requirements"] if r["id"] == "SYNC-SECRETS-ECHO")
    assert failure["origin"] == "generated (the run stopped while it was being shrunk)"


def test_each_known_good_request_is_a_valid_body_never_sent_before() -> None:
    bodies = [known_good_body(SPEC_EXAMPLE) for _ in range(3)]
    assert len({serialize(body) for body in bodies}) == 3
    assert [schema_problem(request_validator(), body) for body in bodies] == [None] * 3
    assert all(body["secrets"][:1] == SPEC_EXAMPLE["secrets"] for body in bodies)  # the contract's example, and one more secret


def _plainest(body: bytes) -> bool:
    """The contract's example and the plainest create (one secret): the bodies most requests carry."""
    return body in (serialize(SPEC_EXAMPLE), serialize(VALID_BODY))


@pytest.mark.parametrize(
    "kept, workers",
    [(_plainest, ("-n", "2")), (json_object, ())],
    ids=["the-plainest-bodies-two-workers", "any-body-one-process"],
)
def test_a_target_that_holds_a_body_it_has_had_is_judged_not_stopped(kept, workers, serve, raw, run_suite) -> None:
    """Every liveness request is new (and of another shape than a create), so a target that never answers
    a body it has already had (the bodies most requests carry, or any) is told from one that stopped
    answering: it is judged (SYNC-ANSWERED)."""
    served = serve()
    front = raw(Misbehaving(backend(served), hangs, Repeats(kept)))
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "0.3", *workers)
    assert run.exit_code == 1, run.output
    assert run.outcomes["SYNC-ANSWERED"] == "fail", run.output
    assert re.search(r"^SYNC-ANSWERED +MUST +FAIL +no answer within 0.3 s", run.output, re.M), run.output
    assert run.verdict and run.verdict["stopped"] is None and "stopped answering" not in run.output
    cases = [json.loads(line) for path in sorted(run.reports.glob("evidence*.jsonl")) for line in path.read_text().splitlines()]
    checks = [line for line in cases if line["probe"] == "liveness"]
    # Answered, as a correct server answers each shape: 401 without credentials, 400 to a body that is not
    # JSON, 201 to a create (sent when the request that got nothing was itself one of the other shapes,
    # as under -n 2 when the unauthenticated probe's plainest body is held).
    answers = {"liveness-unauthenticated": 401, "liveness-non-JSON": 400, "liveness-create": 201}
    said = [(line["case"], line["response"]["status"]) for line in checks]
    assert said and all(answers[name] == status for name, status in said), said
    assert len({e["request"]["body"]["text"] for e in checks}) == len(checks) == run.verdict["traffic"]["liveness_checks"]
    assert_no_token(run, served.token)


class FirstRequests:
    """Picks the first `n` requests the target gets: a target that ignores whatever a run sends first."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, body: bytes) -> bool:
        self.n -= 1
        return self.n >= 0


@pytest.mark.parametrize(
    "n, exit_code",
    [(3, 1), (3 + LIVENESS_TRIES - 1, 1), (3 + LIVENESS_TRIES, 3)],
    ids=["then-answers-a-liveness-request", "answers-the-last-liveness-request", "ignores-those-too"],
)
def test_a_target_that_ignores_the_first_requests_of_a_run_is_judged_if_it_answers_a_liveness_request(
    n, exit_code, serve, raw, run_suite
) -> None:
    """No answer yet in this run, then as many silent requests in a row as mark a target unreachable:
    the liveness requests sent then (other shapes, at most LIVENESS_TRIES) tell a target that is up
    (it answers one: judged) from one that is down (it answers none: no verdict)."""
    served = serve()
    front = raw(Misbehaving(backend(served), hangs, FirstRequests(n)))
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "0.5")
    assert run.exit_code == exit_code, run.output
    assert run.verdict
    if exit_code == 1:
        assert run.caught() == {"SYNC-ANSWERED"}, run.output
        assert run.verdict["stopped"] is None and run.verdict["traffic"]["liveness_checks"] >= 1
        assert "unreachable" not in run.output
    else:
        assert run.verdict["verdict"] != "not conformant"
        unreachable = "no verdict (exit 3): target unreachable: 3 requests in a row got no answer (last: no answer within 0.5 s); "
        assert unreachable + "and an unauthenticated request sent to check got no answer" in run.output
    assert_no_token(run, served.token)


def test_a_run_past_its_deadline_keeps_what_it_proved(serve, raw, run_suite) -> None:
    served = serve(DropsLastSecret)
    front = raw(Misbehaving(backend(served), hangs, AfterRequests(90)))
    # The deadline comes long after the 90 requests (the first run in a process draws its cases: a
    # second or two) and long before the request timeout: the deadline is what ends the run.
    run = run_suite("--base-url", front.url, "--token", served.token, "--request-timeout", "60", "--run-timeout", "6")
    assert run.exit_code == 1, run.output
    deadline = "MUST failed: SYNC-SECRETS-ECHO (the run stopped early: run incomplete: the run deadline"
    assert run.verdict and run.verdict["reason"].startswith(deadline)


# --- throttling ------------------------------------------------------------------------------------


@ALONE_AND_SPLIT
def test_a_correct_server_that_throttles_every_tenth_request_passes_and_the_throttling_is_reported(serve, run_suite, workers) -> None:
    served = serve(ThrottlesEveryTenth)
    run = run_suite("--base-url", served.url, "--token", served.token, *workers)
    assert run.exit_code == 0, run.output
    assert set(run.outcomes.values()) == {"pass"}, run.output
    server = served.server
    assert isinstance(server, ThrottlesEveryTenth) and server.throttled >= 10
    assert run.verdict and run.verdict["traffic"]["throttled"] == server.throttled
    # Waited as asked: a second for each of the first throttled answers, none for the rest.
    assert server.asked == ThrottlesEveryTenth.WAITED
    assert server.asked * 0.99 <= run.verdict["traffic"]["throttled_seconds"] <= server.asked + 0.01
    line = f"throttled: {server.throttled} answer(s) 429 or 503 with Retry-After were not judged"
    assert line in run.output and line in report_text(run)
    assert "429" not in json.dumps([r["reason"] for r in run.verdict["requirements"]])
    assert_no_token(run, served.token)


def test_a_503_with_an_http_date_retry_after_is_waited_out(serve, run_suite) -> None:
    served = serve(Unavailable503WithDate)
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "3")
    assert run.exit_code == 0, run.output
    assert run.verdict and run.verdict["traffic"]["throttled"] >= 5


@ALONE_AND_SPLIT
def test_throttling_that_never_ends_gives_no_verdict(serve, run_suite, workers) -> None:
    served = serve(ThrottlesEverything)
    started = time.monotonic()
    run = run_suite("--base-url", served.url, "--token", served.token, *workers)
    assert time.monotonic() - started < 60
    assert run.exit_code == 3, run.output
    without_end = r"^no verdict \(exit 3\): throttled without end: 6 answers 429 to one request \(waited 0 s"
    checked = r"an? (non-JSON|create) request sent to check got 429 Too Many Requests"  # with credentials: a tenant's quota
    known_good = rf"; asked for 0 s more\), and {checked}(; {checked})?; try a lower --rate-limit"
    assert re.search(without_end + known_good, run.output, re.M), run.output
    assert run.verdict and run.verdict["traffic"]["throttled_without_end"] == 0
    assert_no_token(run, served.token)


def test_a_wait_longer_than_the_throttle_wait_is_not_judged_and_gives_no_verdict(serve, run_suite) -> None:
    """Asked to wait past --throttle-wait, the suite does not judge the answer it did not wait out,
    even though a known-good request would be answered: no verdict, with the reason."""
    served = serve(AsksForAnHourOnMalformedJson)
    started = time.monotonic()
    run = run_suite("--base-url", served.url, "--token", served.token, "--throttle-wait", "30")
    assert time.monotonic() - started < 60
    assert run.exit_code == 3, run.output
    line = r"^no verdict \(exit 3\): throttled without end: 1 answers 429 to one request "
    line += r"\(waited 0 s; asked for 3600 s more\), past --throttle-wait 30 s"
    assert re.search(line, run.output, re.M), run.output
    assert run.verdict and run.verdict["traffic"]["throttled_without_end"] == 0
    assert "SYNC-MALFORMED-JSON-400" not in run.caught()
    assert_no_token(run, served.token)


@pytest.mark.parametrize(
    "behaviour, rid, reason, workers",
    [
        (Unavailable503OnMalformedJson, "SYNC-NO-5XX", r"answered 503 Service Unavailable", ()),
        (Unavailable503OnMalformedJson, "SYNC-NO-5XX", r"answered 503 Service Unavailable", ("-n", "2")),
        (TooManyRequestsOnMalformedJson, "SYNC-MALFORMED-JSON-400", r"answered 429 Too Many Requests; expected 400", ()),
    ],
    ids=["503-one-process", "503-two-workers", "429-one-process"],
)
def test_throttling_without_end_of_one_kind_of_request_is_judged_when_a_known_good_one_is_answered(
    behaviour, rid: str, reason: str, workers, serve, run_suite
) -> None:
    """A target that is reachable and wrong is never "no verdict": it throttles malformed JSON for ever
    and answers a known-good request at once, so it chose to refuse that request, and its answer is judged."""
    served = serve(behaviour)
    run = run_suite("--base-url", served.url, "--token", served.token, *workers)
    assert run.exit_code == 1, run.output
    assert run.caught() == {rid}, run.output
    assert re.search(rf"^{rid} +MUST +FAIL +{reason}", run.output, re.M), run.output
    assert f"{rid} (MUST) failed: {reason}" in report_text(run)
    assert run.verdict and run.verdict["stopped"] is None and "no verdict" not in run.output
    traffic, server = run.verdict["traffic"], served.server
    assert isinstance(server, Unavailable503OnMalformedJson)
    judged = traffic["throttled_without_end"]
    assert judged >= 5 and server.throttled == 6 * judged and traffic["throttled"] == 5 * judged  # the 6th answer judged
    assert traffic["liveness_checks"] >= judged
    line = f"throttled without end: {judged} request(s) throttled every time while a known-good request was answered at once"
    assert line in run.output and line in report_text(run)
    assert_no_token(run, served.token)


@ALONE_AND_SPLIT
def test_rate_limit_keeps_the_run_under_the_rate_given(serve, run_suite, workers) -> None:
    served = serve(RecordsArrivals)
    run = run_suite("--base-url", served.url, "--token", served.token, "--max-examples", "5", "--rate-limit", "30/s", *workers)
    assert run.exit_code == 0, run.output
    server = served.server
    assert isinstance(server, RecordsArrivals) and len(server.times) > 60
    busiest = max(sum(1 for t in server.times if start <= t < start + 1) for start in server.times)
    assert busiest <= 30 + 1, busiest  # one second's window; the limiter's own clock may straddle ours by one
    assert run.verdict and run.verdict["configuration"]["rate_limit"] == "30/s"
    assert run.verdict["traffic"]["paced_seconds"] > 0


@pytest.mark.parametrize("rate", ["fast", "0", "10/w", "-5/s"])
def test_a_malformed_rate_limit_is_a_one_line_usage_error(rate: str, run_suite) -> None:
    run = run_suite(f"--rate-limit={rate}")
    assert run.exit_code == 4, run.output
    assert f"--rate-limit: {rate!r} is not a rate" in run.output and "Traceback" not in run.output


# --- interrupted runs ------------------------------------------------------------------------------


@ALONE_AND_SPLIT
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_this_run_s_reports_saying_so(how, serve, raw, run_suite, workers) -> None:
    served = serve(DropsLastSecret)
    picks = AfterRequests(90)
    front = raw(Misbehaving(backend(served), hangs, picks))
    process, reports = run_suite.start("--base-url", front.url, "--token", served.token, "--request-timeout", "30", *workers)
    stale = {name: f"stale {name} of an earlier run" for name in ("verdict.json", "report.html", "junit.xml", "evidence.jsonl")}
    for name, text in stale.items():
        (reports / name).write_text(text)
    started = time.time()
    deadline = time.monotonic() + 60
    while picks.seen <= picks.n and time.monotonic() < deadline:  # until the run hangs on the target
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(how)
    output, _ = process.communicate(timeout=60)
    run = run_suite.result(reports, process.returncode, output)
    assert run.exit_code == 1, output  # SYNC-SECRETS-ECHO was proven before the interrupt
    assert run.verdict and run.verdict["verdict"] == "not conformant"
    assert run.verdict["stopped"]["reason"] == f"the run was interrupted ({how.name})"
    assert run.verdict["started"] >= time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started - 2))  # this run's
    assert next(r for r in run.verdict["requirements"] if r["id"] == "SYNC-SECRETS-ECHO")["outcome"] == "fail"
    for name, text in stale.items():
        assert (reports / name).exists() is (name != "evidence.jsonl" or not workers), name
        if (reports / name).exists():
            assert (reports / name).read_text() != text, f"{name} is the earlier run's"
    assert "interrupted" in report_text(run)
    assert "Traceback" not in output and served.token not in output

"""The suite against hostile targets and mistaken input: it ends in time, with a documented exit code,
a clear reason, no traceback, and the token in no artifact."""

from __future__ import annotations

import html
import re
import time

import pytest

from .conftest import SUITE
from .hostile import cuts_off, never_answers, resets, sends_300_mb, sends_invalid_utf8
from .inprocess import run_pytest

TOKEN = "hostile-canary-0d5e3b8f"

# The targets that stop a run are met by one process and by two pytest-xdist workers alike: under
# -n, the worker that meets the failure publishes it and the other raises it instead of waiting.
ALONE_AND_SPLIT = pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "two-workers"])


def assert_clean(run, *, exit_code: int, reason: str) -> None:
    assert run.exit_code == exit_code, run.output
    assert re.search(reason, run.output), run.output
    report = html.unescape(html.unescape((run.reports / "report.html").read_text(encoding="utf-8")))
    assert re.search(reason.split(r"\(exit 3\): ")[-1], report), "the reason is not in the HTML report"
    assert "Traceback" not in run.output
    assert not [path for path, text in run.artifacts().items() if TOKEN in text]
    assert TOKEN not in run.output


@ALONE_AND_SPLIT
def test_a_target_that_never_answers_ends_as_unreachable(raw, run_suite, workers) -> None:
    server = raw(never_answers)
    started = time.monotonic()
    run = run_suite("--base-url", server.url, "--token", TOKEN, "--request-timeout", "0.5", "--run-timeout", "60", *workers)
    assert time.monotonic() - started < 30
    unreachable = r"no verdict \(exit 3\): target unreachable: 3 requests in a row got no answer \(last: no answer within 0.5 s\)"
    assert_clean(run, exit_code=3, reason=unreachable)


@ALONE_AND_SPLIT
def test_the_run_deadline_stops_a_run_in_time(raw, run_suite, workers) -> None:
    server = raw(never_answers)
    started = time.monotonic()
    run = run_suite("--base-url", server.url, "--token", TOKEN, "--request-timeout", "30", "--run-timeout", "2", *workers)
    assert time.monotonic() - started < 30  # not the request timeout (30 s) plus start-up: the deadline (2 s) ended it
    assert_clean(run, exit_code=3, reason=r"run incomplete: the run deadline \(--run-timeout\) passed")


def test_a_target_that_resets_every_connection_ends_as_unreachable(raw, run_suite) -> None:
    server = raw(resets)
    run = run_suite("--base-url", server.url, "--token", TOKEN)
    assert_clean(run, exit_code=3, reason=r"target unreachable: .*connection dropped before an answer")


def test_a_300_mb_answer_fails_as_too_large(raw, run_suite) -> None:
    server = raw(sends_300_mb)
    run = run_suite("--base-url", server.url, "--token", TOKEN, "--max-examples", "3")
    assert_clean(run, exit_code=1, reason=r"SYNC-CREATE-JSON \(MUST\) failed: body too large: more than 10,485,760 bytes")


def test_an_invalid_utf8_answer_fails_with_the_reason(raw, run_suite) -> None:
    server = raw(sends_invalid_utf8)
    run = run_suite("--base-url", server.url, "--token", TOKEN, "--max-examples", "3")
    assert_clean(run, exit_code=1, reason=r"SYNC-CREATE-JSON \(MUST\) failed: body is not valid UTF-8")


def test_a_body_cut_off_fails_with_the_reason(raw, run_suite) -> None:
    server = raw(cuts_off)
    run = run_suite("--base-url", server.url, "--token", TOKEN, "--max-examples", "3")
    assert_clean(run, exit_code=1, reason=r"SYNC-ANSWERED \(MUST\) failed: body cut off: ")


def test_a_token_refused_on_every_request_is_one_line(serve, run_suite) -> None:
    served = serve()
    run = run_suite("--base-url", served.url, "--token", TOKEN)
    assert_clean(run, exit_code=3, reason=r"the target refused the token on 5 requests in a row \(401\): check --token or GRAPH_TOKEN")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--base-url", "notaurl"], r"ERROR: --base-url: 'notaurl' is not an http\(s\) URL"),
        (["--base-url", "ftp://example.com/beta"], r"ERROR: --base-url: 'ftp://example.com/beta' is not an http\(s\) URL"),
        (["--application-id", "123"], r"--application-id: '123' is not a GUID"),
        (["--ca-bundle=/no/such/ca.pem"], r"--ca-bundle: no such file: '/no/such/ca.pem'"),
        (["--request-timeout", "soon"], r"--request-timeout: 'soon' is not a number of seconds"),
        (["--no-such-option"], r"unrecognized arguments: --no-such-option"),
    ],
    ids=["no-scheme", "unsupported-scheme", "application-id", "missing-file", "timeout", "unknown-option"],
)
def test_usage_errors_are_one_line_with_exit_4(args: list[str], message: str, tmp_path) -> None:
    started = time.monotonic()
    done = run_pytest([str(SUITE), *args], folder=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 4, output
    assert re.search(message, output), output
    assert "Traceback" not in output
    assert time.monotonic() - started < 30  # seconds, on a busy 2-core machine; not a timeout per request


@ALONE_AND_SPLIT
def test_an_unreachable_base_url_ends_in_seconds(run_suite, workers) -> None:
    started = time.monotonic()
    run = run_suite("--base-url", "http://127.0.0.1:9/beta", "--token", TOKEN, *workers)
    assert time.monotonic() - started < 30  # seconds, on a busy 2-core machine; not a timeout per request
    assert_clean(run, exit_code=3, reason=r"target unreachable: .*cannot connect to 127\.0\.0\.1:9 \(.*Connection refused\)")


def test_an_oversized_body_is_read_only_up_to_the_cap(raw) -> None:
    from conformance.client import Client, ClientSettings

    server = raw(sends_300_mb)
    client = Client(ClientSettings(server.url, TOKEN, max_body_bytes=1024 * 1024))
    started = time.monotonic()
    exchange = client.create("5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f", {"secrets": []})
    client.close()
    assert exchange.response is not None and exchange.response.status == 201
    assert len(exchange.response.body) == 1024 * 1024
    assert exchange.response.incomplete == "body too large: more than 1,048,576 bytes"
    assert time.monotonic() - started < 5

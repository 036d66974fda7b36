"""A run with no verdict says why once: whatever the cause (a wrong token, a target that is not there,
https to a plain-HTTP port, an authority that cannot be used), the cause is said when the run stops and
again as the verdict's reason at the end, each requirement it could not judge is one row (one line in
the terminal for all of them), and no requirement gets a failure block of its own repeating the cause."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

import pytest
from starlette.applications import Starlette

from conformance.catalogue import REQUIREMENTS
from conformance.server import BackgroundServer

pytestmark = pytest.mark.slow  # every test here runs the suite


@contextmanager
def wrong_token(serve: Any) -> Iterator[list[str]]:
    served = serve()
    yield ["--base-url", served.url, "--token", "not-" + served.token]


@contextmanager
def unreachable(serve: Any) -> Iterator[list[str]]:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    yield ["--base-url", f"http://127.0.0.1:{port}/beta", "--token", "t", "--request-timeout", "0.5"]


@contextmanager
def https_to_plain_http(serve: Any) -> Iterator[list[str]]:
    with BackgroundServer(Starlette()) as plain:
        yield ["--base-url", "https://" + plain.url.removeprefix("http://") + "/beta", "--token", "t"]


@contextmanager
def bad_authority_host(serve: Any) -> Iterator[list[str]]:
    served = serve()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    yield [
        "--base-url", served.url, "--tenant-id", "tenant", "--client-id", "client",
        "--authority-host", f"https://127.0.0.1:{port}", "--request-timeout", "0.5",
    ]  # fmt: skip


CAUSES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "wrong-token": (wrong_token, "the target refused the token"),
    "unreachable": (unreachable, "target unreachable"),
    "https-to-plain-http": (https_to_plain_http, "TLS handshake with 127.0.0.1:"),
    "bad-authority-host": (bad_authority_host, "https://127.0.0.1:"),
}


@pytest.mark.parametrize(
    ("cause", "workers"),
    [*((cause, ()) for cause in CAUSES), ("wrong-token", ("-n", "2"))],
    ids=[*CAUSES, "wrong-token-two-workers"],
)
def test_a_run_with_no_verdict_says_why_once(cause: str, workers: tuple[str, ...], serve, run_suite) -> None:
    given, said = CAUSES[cause]
    with given(serve) as args:
        run = run_suite(*args, "--max-examples", "5", *workers, env={"GRAPH_TOKEN": None, "GRAPH_CLIENT_SECRET": "s"})
    lines = run.output.splitlines()
    assert run.exit_code == 3, run.output
    assert len(lines) < 30, run.output
    # The JSON verdict keeps its no-verdict form, the cause in it.
    assert run.verdict is not None
    cause_text = run.verdict["stopped"]["reason"]
    assert said in cause_text and run.verdict["verdict"] == "incomplete" and run.verdict["reason"] == cause_text
    assert run.verdict["stopped"]["not_judged"] == [r.id for r in REQUIREMENTS]
    assert {r["outcome"] for r in run.verdict["requirements"]} == {"error"}
    # The cause at the top (as the run stops, before the results end) and at the bottom, and nowhere else.
    said_at = [n for n, line in enumerate(lines) if cause_text in line]
    results_end = next(n for n, line in enumerate(lines) if line.endswith("[100%]"))
    assert len(said_at) == 2 and said_at[0] <= results_end < said_at[1], run.output
    assert lines[said_at[1] - 1 : said_at[1] + 1] == [
        "verdict: INCOMPLETE (the run stopped before it could judge)",
        f"no verdict (exit 3): {cause_text}",
    ]
    assert "not judged: all 25 requirements" in lines
    assert "FAILURES" not in run.output and "ERRORS" not in run.output and "Traceback" not in run.output
    assert lines[-1].startswith("=") and f"{len(REQUIREMENTS)} not judged in " in lines[-1], lines[-1]
    # The report: the cause in its verdict, each requirement one short row.
    html = (run.reports / "report.html").read_text(encoding="utf-8")
    assert f"Verdict: <strong>INCOMPLETE</strong>, no verdict (exit 3): {escape(cause_text)}</p>" in html
    assert html.count("<td>not judged: the run stopped</td>") == len(REQUIREMENTS)

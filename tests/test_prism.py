"""The suite against an external mock it did not write: Stoplight Prism 5.16 mocking the suite's own
schemas/openapi.yaml. Prism answers from the examples (the same id every time, the example's
secrets whatever was sent), ignores credentials, and never answers a body that is not JSON: the run
must end NOT CONFORMANT naming what Prism breaks, including the request that gets no answer, in time."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from .conftest import REPO
from .npm import npm_package

pytestmark = pytest.mark.slow  # every test here starts a process (`make test-fast` leaves them out)

PRISM = "@stoplight/prism-cli@5.16"


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    binary = npm_package(PRISM) / "node_modules" / ".bin" / "prism"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(binary), "mock", "-p", str(port), "-h", "127.0.0.1", str(REPO / "schemas" / "openapi.yaml")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.skip(f"Prism did not start (exit {process.returncode})")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.skip("Prism did not listen within 60 s")
    yield f"http://127.0.0.1:{port}"
    process.kill()
    process.wait(timeout=10)


def test_prism_is_not_conformant_and_the_run_says_why_in_time(prism: str, run_suite) -> None:
    started = time.monotonic()
    run = run_suite("--base-url", prism, "--token", "prism-canary-5fd1", "--request-timeout", "1")
    assert time.monotonic() - started < 60
    assert run.exit_code == 1, run.output
    breaks = {"SYNC-ID-UNIQUE", "SYNC-SECRETS-ECHO", "SYNC-AUTH-401", "SYNC-ANSWERED"}
    assert breaks <= {rid for rid, outcome in run.outcomes.items() if outcome == "fail"}, run.output
    for rid in breaks:
        assert re.search(rf"^FAILED \S+::test_requirement\[{rid}\]", run.output, re.M), run.output
    assert re.search(r"^SYNC-ANSWERED +MUST +FAIL +no answer within 1 s, to a non-JSON request", run.output, re.M), run.output
    assert run.verdict and run.verdict["traffic"]["not_sent"].get("non-JSON", 0) > 0
    assert "unreachable" not in run.output
    # Prism 5.16 falls over on some generated invalid bodies (a property name it cannot put in its
    # sl-violations header): then the run stops, every chosen defect judged first, and what it proved stands.
    stopped = run.verdict["stopped"]
    assert stopped is None or stopped["reason"].startswith("target stopped answering"), stopped
    assert "prism-canary-5fd1" not in run.output

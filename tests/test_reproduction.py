"""Evidence that reproduces: every request that went on the wire is recorded (evidence, HAR, traffic
counts), and the curl a report prints re-sends it byte for byte, held against what a recording server
received, with a real curl. Nothing here can pass by accident: the server's log is the truth."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance.exchange import Request
from conformance.har import write as write_har
from conformance.reproduction import curl

from .hostile import RawServer, Recording
from .servers import AcceptsTokenWithMore
from .test_field import backend
from .test_prover import LosesOneOfSeveralKeylessSecrets
from .throttled import ThrottlesEveryTenth


@dataclass(frozen=True)
class Received:
    """One request as a server read it off the wire."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    chunked: bool

    def compared(self) -> tuple[str, str, list[tuple[str, str]], bytes, bool]:
        """What must be equal in a reproduction: all of it, but Host (the connection's own) and the
        framing headers' lengths (curl chunks in pieces of its own)."""
        headers = sorted((name.lower(), value) for name, value in self.headers if name.lower() not in ("host", "content-length"))
        return self.method, self.target, headers, self.body, self.chunked


def received(raw: bytes) -> Received:
    head, _, rest = raw.partition(b"\r\n\r\n")
    line, *fields = head.decode("latin-1").split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = tuple((name, value.strip()) for name, _, value in (f.partition(":") for f in fields))
    chunked = any(name.lower() == "transfer-encoding" and value.lower() == "chunked" for name, value in headers)
    body = b""
    if chunked:
        while True:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if not size:
                break
            body, rest = body + rest[:size], rest[size + 2 :]
    else:
        body = rest
    return Received(method, target, headers, body, chunked)


def sent_to(front: RawServer) -> list[bytes]:
    """What the recording front received, request by request."""
    assert isinstance(front.behaviour, Recording)
    return front.behaviour.requests


def records(run) -> list[dict]:
    return [json.loads(line) for path in sorted(run.reports.glob("evidence*.jsonl")) for line in path.read_text().splitlines()]


def same_body(record: dict, sent: bytes) -> bool:
    """The recorded body is the bytes sent: all of them, or their first part when the record was cut."""
    body = record["request"]["body"]
    kept = base64.b64decode(body["base64"]) if "base64" in body else body["text"].encode("utf-8")
    return body["bytes"] == len(sent) and (sent.startswith(kept) if body["truncated"] else kept == sent)


def replayed(lines: list[str], front: RawServer, token: str, tmp_path: Path) -> Received:
    """Run a reproduction as a user pastes it (bash, GRAPH_TOKEN exported) and what the server got."""
    before = len(sent_to(front))
    env = {"PATH": os.environ["PATH"], "GRAPH_TOKEN": token}
    done = subprocess.run(["bash", "-c", "\n".join(lines)], cwd=tmp_path, env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert len(sent_to(front)) == before + 1, lines
    return received(sent_to(front)[-1])


def assert_all_recorded(run, front: RawServer, tmp_path: Path) -> list[tuple[dict, Received]]:
    """The server's count = evidence records = HAR entries = verdict.json's traffic total, and each
    record holds what the server got (headers but Host, body byte for byte)."""
    kept = records(run)
    har_entries = write_har(run.reports / "evidence.jsonl", tmp_path / "run.har")
    assert run.verdict is not None
    counted = sum(run.verdict["traffic"]["requests"].values())
    assert len(sent_to(front)) == len(kept) == har_entries == counted, run.verdict["traffic"]
    # Matched by content, not order: the members of a burst arrive in whatever order they overlap.
    unmatched = [received(raw) for raw in sent_to(front)]
    pairs = []
    for record in kept:
        shown = [(n.lower(), v) for n, v in record["request"]["headers"] if n.lower() != "authorization"]
        got = next(
            (
                got
                for got in unmatched
                if (got.method, urlsplit(got.target).path) == (record["request"]["method"], urlsplit(record["request"]["url"]).path)
                and shown == [(n.lower(), v) for n, v in got.headers if n.lower() not in ("host", "authorization")]
                and same_body(record, got.body)
            ),
            None,
        )
        assert got is not None, (record["probe"], record["case"], record["purpose"])
        unmatched.remove(got)
        pairs.append((record, got))
    return pairs


def test_every_kind_of_request_is_recorded_and_its_curl_resends_it_exactly(serve, raw, run_suite, tmp_path) -> None:
    """A run that shrinks: every corpus case, every credential case, the valid-forms cases (chunked,
    no Content-Type), invalid UTF-8, generated and shrunk cases, each replayed by a real curl."""
    served = serve(LosesOneOfSeveralKeylessSecrets)
    front = raw(Recording(backend(served)))
    run = run_suite("--base-url", front.url, "--token", served.token)
    assert run.exit_code == 1, run.output
    pairs = assert_all_recorded(run, front, tmp_path)
    assert {"case", "shrink"} <= {record["purpose"] for record, _ in pairs}
    origin = f"{urlsplit(front.url).scheme}://{urlsplit(front.url).netloc}"
    kinds: dict[tuple[str, str, str], Received] = {}
    for record, got in pairs:
        kinds.setdefault((record["probe"], record["case"], record["purpose"]), got)
    assert len(kinds) > 40 and any(not r.chunked and "content-type" not in dict(r.compared()[2]) for r in kinds.values())
    assert any(r.chunked for r in kinds.values()) and any(b"\xff\xfe" in r.body for r in kinds.values())
    for kind, original in kinds.items():
        headers = tuple(h for h in original.headers if h[0].lower() != "host")
        request = Request(original.method, origin + original.target, headers, original.body)
        lines = curl(request, [served.token])
        assert not [line for line in lines if served.token in line], kind
        assert replayed(lines, front, served.token, tmp_path).compared() == original.compared(), kind


def test_the_printed_reproduction_of_a_credential_failure_resends_the_altered_value(serve, raw, run_suite, tmp_path) -> None:
    """The curl under "Reproduce:" as printed, pasted: it rebuilds the extended token from $GRAPH_TOKEN
    and says so in words, and the server gets the very request that failed."""
    served = serve(AcceptsTokenWithMore)
    front = raw(Recording(backend(served)))
    run = run_suite("--base-url", front.url, "--token", served.token, "-k", "SYNC-AUTH-401")
    assert run.exit_code == 1 and run.outcomes == {"SYNC-AUTH-401": "fail"}, run.output
    block = run.output.split("Reproduce:\n", 1)[1].splitlines()
    lines = [line.strip() for line in block[: next(i for i, line in enumerate(block) if not line.startswith("  "))]]
    assert lines[0].startswith("# Authorization: the token followed by 'A'") and served.token not in "\n".join(lines), lines
    failing = next(received(r) for r in sent_to(front) if f"Bearer {served.token}A".encode() in r)
    assert replayed(lines, front, served.token, tmp_path).compared() == failing.compared()


@pytest.mark.parametrize(
    "server, options, exit_code",
    [
        (ThrottlesEveryTenth, ("--max-examples", "30"), 0),
        (None, ("--token", "not-the-token-the-server-knows"), 3),
    ],
    ids=["throttled-and-retried", "stopped-on-refused-tokens"],
)
def test_a_run_that_throttles_or_stops_records_every_request(server, options, exit_code, serve, raw, run_suite, tmp_path) -> None:
    served = serve(server) if server else serve()
    front = raw(Recording(backend(served)))
    run = run_suite("--base-url", front.url, "--token", served.token, *options)
    assert run.exit_code == exit_code, run.output
    kept = [record for record, _ in assert_all_recorded(run, front, tmp_path)]
    if server:
        assert "retry" in {r["purpose"] for r in kept} and any("throttled" in r.get("note", "") for r in kept)
    else:  # the request that tripped the stop is there too
        refused = [r for r in kept if r["purpose"] == "case" and r["response"]["status"] == 401]
        assert len(refused) >= 5 and re.search(r"refused the token on \d+ requests", run.output)

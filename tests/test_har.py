"""The evidence as a HAR 1.2 file: valid against the HAR structure (checked here field by field from the
HAR 1.2 specification, and against the npm package har-schema where npm is at hand), one entry per
exchange, a request with no answer included, credentials masked as in every other artifact."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from referencing import Registry, Resource

from conformance.evidence import EvidenceLog, evidence_files
from conformance.exchange import Exchange, Request, Response, Sent
from conformance.har import write
from conformance.redaction import MASK, Redactor

from .hostile import resets
from .npm import npm_package
from .test_certification import cli

HAR_SCHEMA = "har-schema@2.0.0"

# HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): each object's fields, the required ones
# first. Any other field must be a custom one, named with a leading underscore.
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "log": ({"version", "creator", "entries"}, {"browser", "pages", "comment"}),
    "creator": ({"name", "version"}, {"comment"}),
    "browser": ({"name", "version"}, {"comment"}),
    "entry": (
        {"startedDateTime", "time", "request", "response", "cache", "timings"},
        {"pageref", "serverIPAddress", "connection", "comment"},
    ),
    "request": (
        {"method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"},
        {"postData", "comment"},
    ),
    "response": (
        {"status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"},
        {"comment"},
    ),
    "pair": ({"name", "value"}, {"comment"}),
    "postData": ({"mimeType"}, {"params", "text", "comment"}),
    "content": ({"size", "mimeType"}, {"compression", "text", "encoding", "comment"}),
    "cache": (set(), {"beforeRequest", "afterRequest", "comment"}),
    "timings": ({"send", "wait", "receive"}, {"blocked", "dns", "connect", "ssl", "comment"}),
}  # fmt: skip


def har_problems(har: dict[str, Any]) -> list[str]:
    """What breaks the HAR 1.2 structure, by the specification's own words."""
    problems: list[str] = []

    def check(kind: str, value: Any, where: str) -> None:
        required, optional = FIELDS[kind]
        if not isinstance(value, dict):
            problems.append(f"{where}: not an object")
            return
        problems.extend(f"{where}: no {name}" for name in sorted(required - set(value)))
        problems.extend(f"{where}: unknown field {name}" for name in sorted(set(value) - required - optional) if not name.startswith("_"))

    def strings(value: Any, where: str, *names: str) -> None:
        problems.extend(f"{where}.{name}: not a string" for name in names if not isinstance(value.get(name), str))

    if set(har) != {"log"}:
        return ["the document is not {log: ...}"]
    log = har["log"]
    check("log", log, "log")
    if log.get("version") != "1.2":
        problems.append("log.version is not 1.2")
    check("creator", log.get("creator"), "log.creator")
    for index, entry in enumerate(log.get("entries", [])):
        where = f"entries[{index}]"
        check("entry", entry, where)
        try:
            datetime.fromisoformat(entry["startedDateTime"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{where}.startedDateTime: not ISO 8601")
        request, response, timings = entry.get("request", {}), entry.get("response", {}), entry.get("timings", {})
        check("request", request, f"{where}.request")
        strings(request, f"{where}.request", "method", "url", "httpVersion")
        check("response", response, f"{where}.response")
        strings(response, f"{where}.response", "statusText", "httpVersion", "redirectURL")
        if not isinstance(response.get("status"), int):
            problems.append(f"{where}.response.status: not an integer")
        for part, side in (("request", request), ("response", response)):
            for field in ("headers", "cookies", *(("queryString",) if part == "request" else ())):
                for n, pair in enumerate(side.get(field, [])):
                    check("pair", pair, f"{where}.{part}.{field}[{n}]")
                    strings(pair, f"{where}.{part}.{field}[{n}]", "name", "value")
            if not (isinstance(side.get("headersSize"), int) and isinstance(side.get("bodySize"), int)):
                problems.append(f"{where}.{part}: headersSize and bodySize are integers (-1 when unknown)")
        if "postData" in request:
            check("postData", request["postData"], f"{where}.request.postData")
        check("content", response.get("content"), f"{where}.response.content")
        check("cache", entry.get("cache"), f"{where}.cache")
        check("timings", timings, f"{where}.timings")
        if any(not isinstance(timings.get(t), int | float) or timings[t] < 0 for t in ("send", "wait", "receive")):
            problems.append(f"{where}.timings: send, wait and receive are non-negative numbers")
        measured = sum(v for k, v in timings.items() if k != "comment" and not k.startswith("_") and v != -1)
        if abs(measured - entry.get("time", -1)) > 0.001:
            problems.append(f"{where}: time is not the sum of its timings")
    return problems


@pytest.fixture(scope="module")
def har_schema() -> Draft6Validator:
    """har-schema from npm (tests/npm.py)."""
    lib = npm_package(HAR_SCHEMA) / "node_modules" / "har-schema" / "lib"
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in lib.glob("*.json")]
    registry: Registry = Registry().with_resources((s["$id"].rstrip("#"), Resource.from_contents(s)) for s in schemas)
    return Draft6Validator(registry.contents("har.json"), registry=registry, format_checker=Draft6Validator.FORMAT_CHECKER)


def assert_valid_har(path: Path, schema: Draft6Validator | None) -> dict[str, Any]:
    har = json.loads(path.read_text(encoding="ascii"))
    assert har_problems(har) == []
    if schema is not None:
        assert [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(har)] == []
    return har


TOKEN = "canary-har-token-0123456789"


def _exchanges() -> Iterator[tuple[str, str, tuple[Exchange, ...]]]:
    auth = (("Authorization", f"Bearer {TOKEN}"), ("Content-Type", "application/json"))
    url = "http://127.0.0.1:9/beta/applications/e4a1fb12-fb12-e4a1-12fb-a1e412fba1e4/synchronization"
    echoed = b'{"id": "x", "echo": "' + TOKEN.encode() + b'"}'
    created = Response(201, "Created", (("Content-Type", "application/json"), ("X-Echo", TOKEN)), echoed)
    yield "valid", "spec-example", (Exchange(Request("POST", url, auth, b'{"secrets": []}'), created, elapsed=0.012),)
    twice = Exchange(Request("POST", url, auth, b"{}"), created, elapsed=0.004)
    yield "valid-twice", "spec-example", (twice, twice)
    yield "content-type", "none", (Exchange(Request("POST", url + "?a=1&b=", (), b"x"), Response(415, "", (), b""), elapsed=0.001),)
    redirect = Response(307, "Temporary Redirect", (("Location", "http://127.0.0.1:9/elsewhere"),), b"")
    yield "valid", "redirected", (Exchange(Request("POST", url, auth, b"{}"), redirect, elapsed=0.002),)
    big = Response(400, "Bad Request", (("Content-Type", "text/plain"),), b"y" * 70_000, incomplete=None)
    yield "invalid-body", "large-answer", (Exchange(Request("POST", url, auth, b"{}"), big, elapsed=0.003),)
    yield "valid", "unanswered", (Exchange(Request("POST", url, auth, b"{}"), None, "connection refused", elapsed=0.0005),)


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    path = tmp_path / "evidence.jsonl"
    log = EvidenceLog(path, Redactor([TOKEN]))
    for probe, case, exchanges in _exchanges():
        for exchange in exchanges:
            log.write(Sent(probe, case), exchange)
    log.close()
    return path


def test_every_exchange_becomes_a_valid_entry(evidence: Path, tmp_path: Path, har_schema: Draft6Validator) -> None:
    assert write(evidence, tmp_path / "run.har") == 7
    har = assert_valid_har(tmp_path / "run.har", har_schema)
    entries = har["log"]["entries"]
    assert har["log"]["creator"]["name"] == "graph-sync-conformance"
    # One entry per request, in the order the requests started (their records were written as they ended).
    assert sorted(e["comment"] for e in entries) == sorted([
        "valid: spec-example", "valid-twice: spec-example", "valid-twice: spec-example", "content-type: none",
        "valid: redirected", "invalid-body: large-answer", "valid: unanswered",
    ])  # fmt: skip
    assert [e["startedDateTime"] for e in entries] == sorted(e["startedDateTime"] for e in entries)
    by_comment = {e["comment"]: e for e in entries}
    first = by_comment["valid: spec-example"]
    assert first["request"]["postData"] == {"mimeType": "application/json", "text": '{"secrets": []}'}
    assert first["response"]["content"]["mimeType"] == "application/json" and first["time"] == 12.0
    assert by_comment["content-type: none"]["request"]["queryString"] == [{"name": "a", "value": "1"}, {"name": "b", "value": ""}]
    assert by_comment["valid: redirected"]["response"]["redirectURL"] == "http://127.0.0.1:9/elsewhere"
    large = by_comment["invalid-body: large-answer"]["response"]
    assert large["content"]["size"] == large["bodySize"] == 70_000 and "first part of the 70,000-byte body" in large["comment"]
    # Each request starts its elapsed time before the moment its record says it finished.
    records = sorted(
        (json.loads(line) for line in evidence.read_text().splitlines()),
        key=lambda r: datetime.fromisoformat(r["finished"]) - timedelta(seconds=r["elapsed_seconds"]),
    )
    starts = [datetime.fromisoformat(e["startedDateTime"]) for e in entries]
    ends = [datetime.fromisoformat(r["finished"]) for r in records]
    assert [(end - start).total_seconds() for start, end in zip(starts, ends, strict=True)] == pytest.approx(
        [r["elapsed_seconds"] for r in records], abs=0.0011
    )


def test_a_body_that_is_not_utf8_is_base64_of_its_exact_bytes(tmp_path: Path, har_schema: Draft6Validator) -> None:
    """HAR 1.2: a response's content says `encoding: base64`; postData has no encoding, so `_encoding`."""
    sent = b'{"secrets": [{"key": "\xff\xfe"}]}'
    url = "http://127.0.0.1:9/beta/applications/x/synchronization"
    answer = Response(400, "Bad Request", (("Content-Type", "text/plain"),), b"bad \xff byte")
    log = EvidenceLog(tmp_path / "evidence.jsonl", Redactor([TOKEN]))
    log.write(Sent("valid", "invalid-utf8"), Exchange(Request("POST", url, (), sent), answer, elapsed=0.001))
    log.close()
    record = json.loads((tmp_path / "evidence.jsonl").read_text())
    assert base64.b64decode(record["request"]["body"]["base64"]) == sent and "text" not in record["request"]["body"]
    write(tmp_path / "evidence.jsonl", tmp_path / "run.har")
    entry = assert_valid_har(tmp_path / "run.har", har_schema)["log"]["entries"][0]
    assert entry["request"]["postData"]["_encoding"] == "base64" and base64.b64decode(entry["request"]["postData"]["text"]) == sent
    assert entry["response"]["content"]["encoding"] == "base64"
    assert base64.b64decode(entry["response"]["content"]["text"]) == b"bad \xff byte"


def test_a_request_with_no_answer_is_status_0_with_its_error(evidence: Path, tmp_path: Path) -> None:
    write(evidence, tmp_path / "run.har")
    unanswered = json.loads((tmp_path / "run.har").read_text())["log"]["entries"][-1]["response"]
    assert unanswered["status"] == 0 and unanswered["_error"] == "connection refused"
    assert unanswered["comment"] == "no response: connection refused"


def test_credentials_are_masked_as_in_the_evidence(evidence: Path, tmp_path: Path) -> None:
    write(evidence, tmp_path / "run.har")
    text = (tmp_path / "run.har").read_text()
    assert TOKEN not in text
    entry = json.loads(text)["log"]["entries"][0]
    assert {"name": "Authorization", "value": MASK} in entry["request"]["headers"]
    assert {"name": "X-Echo", "value": MASK} in entry["response"]["headers"]


def test_a_run_split_over_workers_is_one_har_in_time_order(run_suite, har_schema: Draft6Validator) -> None:
    run = run_suite("-n", "2", "--max-examples", "10")
    assert run.exit_code == 0, run.output
    files = evidence_files(run.reports / "evidence.jsonl")
    assert [f.name for f in files] == ["evidence-gw0.jsonl", "evidence-gw1.jsonl"]
    done = cli(run.reports, "har", "evidence.jsonl")
    assert done.returncode == 0, done.stderr
    har = assert_valid_har(run.reports / "evidence.har", har_schema)
    exchanges = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    entries = har["log"]["entries"]
    assert len(entries) == len(exchanges) > 50 and done.stderr.strip().endswith(f"{len(entries)} entries")
    starts = [datetime.fromisoformat(e["startedDateTime"]) for e in entries]
    assert starts == sorted(starts)
    assert {h["value"] for e in entries for h in e["request"]["headers"] if h["name"] == "Authorization"} <= {MASK}


def test_a_run_whose_target_resets_every_connection_still_converts(run_suite, raw, har_schema: Draft6Validator) -> None:
    target = raw(resets)
    run = run_suite("--base-url", target.url, "--token", TOKEN)
    assert run.exit_code == 3, run.output
    done = cli(run.reports, "har", "evidence.jsonl", "-o", "traffic.har")
    assert done.returncode == 0, done.stderr
    har = assert_valid_har(run.reports / "traffic.har", har_schema)
    responses = [e["response"] for e in har["log"]["entries"]]
    assert responses and all(r["status"] == 0 and r["_error"] for r in responses)
    assert TOKEN not in (run.reports / "traffic.har").read_text()


def test_evidence_that_is_not_evidence_is_a_one_line_error_and_leaves_no_file(tmp_path: Path, evidence: Path) -> None:
    with evidence.open("a") as out:
        out.write('{"probe": "valid"}\n')
    done = cli(tmp_path, "har", str(evidence), "-o", "out.har")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"graph-sync-conformance har: {evidence}:8: not an evidence record")  # 7 requests, then it
    assert not (tmp_path / "out.har").exists()
    missing = cli(tmp_path, "har", "nowhere/evidence.jsonl")
    assert missing.returncode == 2 and "no evidence at nowhere/evidence.jsonl" in missing.stderr


@pytest.mark.parametrize("failure", ["disk-full", "bad-evidence"])
def test_a_har_that_cannot_be_written_whole_leaves_the_earlier_one(failure: str, tmp_path: Path, evidence: Path) -> None:
    """A full disk (a file-size limit in the command's process: each write past it fails as a full
    disk's does) or evidence that breaks off: one line, and the HAR written before is left as it was."""
    import resource
    import subprocess
    import sys

    earlier = tmp_path / "out.har"
    assert write(evidence, earlier) == 7
    good = earlier.read_bytes()
    if failure == "bad-evidence":
        with evidence.open("a") as out:
            out.write("[1]\n")

    def small_files() -> None:
        if failure == "disk-full":
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # Python ignores SIGXFSZ: the write fails instead

    command = [sys.executable, "-m", "conformance.cli", "har", str(evidence), "-o", str(earlier)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, preexec_fn=small_files)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert ("cannot be written (File too large)" if failure == "disk-full" else "not an evidence record") in done.stderr
    assert earlier.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

"""The reference server as a mock people share: what one client can cost it is bounded.

A body over the cap is refused with 413 as soon as that is known and never read whole (the server's
memory stays flat, the next create works); a request head is bounded in size and time below the app;
a body that trickles in is cut off; the token is compared in constant time.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from conformance.contract import error_validator
from conformance.server import BackgroundServer, Limits, ReferenceServer
from conformance.server import app as server_app
from conformance.server.nesting import deeper_than

TOKEN = "limits-token"
APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"
PATH = f"/beta/applications/{APP}/synchronization"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
MIB = 1 << 20


def valid_body_of(size: int) -> bytes:
    """A valid create of exactly `size` bytes (JSON allows the padding)."""
    body = b'{"secrets": []}'
    return body + b" " * (size - len(body))


@pytest.fixture(scope="module")
def small() -> Iterator[tuple[str, Limits]]:
    """A server with small limits, so that the bounds are reached in a test's time."""
    limits = Limits(max_body_bytes=1000, max_head_bytes=8 * 1024, head_timeout=0.5, body_timeout=0.5, max_depth=8, max_secrets=10)
    server = ReferenceServer(token=TOKEN, limits=limits)
    with BackgroundServer(server.app(), server.base_path, limits=limits) as background:
        yield background.url, limits


def create(
    url: str, body: bytes | Iterator[bytes] = b'{"secrets": []}', headers: dict | None = None, session: requests.Session | None = None
) -> requests.Response:
    """POST `body` to the operation under `url` (a service root), with the token unless `headers` say otherwise."""
    sender = session or requests
    return sender.post(f"{url}/applications/{APP}/synchronization", data=body, headers=HEADERS if headers is None else headers, timeout=10)


def raw_exchange(url: str, *parts: bytes) -> bytes:
    """Send `parts` on one connection, then read until the server closes it (never sending more, so
    that a refusal cannot race a later send)."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        for part in parts:
            conn.sendall(part)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
        return received


def graph_error(raw: bytes) -> tuple[int, dict]:
    """The status and Graph error of a raw answer, whose request-id header must be its body's."""
    head, _, body = raw.partition(b"\r\n\r\n")
    error = json.loads(body)
    assert error_validator().is_valid(error), error
    fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
    assert fields[b"request-id"].decode() == error["error"]["innerError"]["request-id"], raw
    return int(head.split()[1]), error


# --- the body -----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_up_to_the_cap_is_created_one_byte_more_is_413(small, chunked: bool) -> None:
    url, limits = small
    session = requests.Session()

    def post(body: bytes) -> requests.Response:
        data = iter([body[:500], body[500:]]) if chunked else body  # a generator is sent chunked
        return create(url, data, session=session)

    assert post(valid_body_of(limits.max_body_bytes)).status_code == 201
    refused = post(valid_body_of(limits.max_body_bytes + 1))
    assert refused.status_code == 413
    assert refused.headers["connection"] == "close"
    assert refused.json()["error"]["code"] == "Request_EntityTooLarge"
    assert error_validator().is_valid(refused.json())
    assert refused.headers["request-id"] == refused.json()["error"]["innerError"]["request-id"]
    assert post(valid_body_of(100)).status_code == 201  # the same session, on a new connection


def test_an_oversized_body_is_refused_before_its_credentials_are_looked_at(small) -> None:
    """Refused for its size even without a token: nothing of it is read, whoever sends it."""
    url, limits = small
    response = create(url, b" " * (limits.max_body_bytes + 1), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_body_that_trickles_in_is_cut_off_with_408(small) -> None:
    url, limits = small
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    head += "Content-Length: 100\r\n\r\n"
    started = time.monotonic()
    status, error = graph_error(raw_exchange(url, head.encode(), b'{"secrets"'))  # 10 of the 100 bytes, then nothing
    assert (status, error["error"]["code"]) == (408, "RequestTimeout")
    assert time.monotonic() - started >= limits.body_timeout


def test_a_client_gone_before_its_body_is_in_leaves_the_server_serving(small) -> None:
    url, _ = small
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head.encode() + b"Content-Length: 100\r\n\r\n" + b'{"secrets"')
    assert create(url).status_code == 201


# --- what a body costs to read --------------------------------------------------------------------


@pytest.fixture(scope="module")
def standard() -> Iterator[str]:
    """A server with the default limits."""
    server = ReferenceServer(token=TOKEN)
    with BackgroundServer(server.app(), server.base_path) as background:
        yield background.url


@pytest.mark.parametrize(
    "text, depth",
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [{"b": [1, {}]}]}', 5),
        (b'{"a": "[[[["}', 1),
        (b'[[["]"]]]', 3),
        (b'[[["\\"]"]]]', 3),
        (b'["[[[', 1),
        (b"[[[[", 4),
    ],
    ids=[
        "scalar",
        "empty-array",
        "objects-and-arrays",
        "brackets-in-a-string",
        "a-closing-one",
        "an-escaped-quote",
        "a-string-left-open",
        "never-closed",
    ],
)
def test_nesting_is_read_from_the_bytes_strings_set_aside(text: bytes, depth: int) -> None:
    assert [deeper_than(text, bound) for bound in range(6)] == [bound < depth for bound in range(6)]


def nested_value(levels: int) -> bytes:
    """A create whose one secret's value nests arrays `levels` deep: the body nests three levels more."""
    return b'{"secrets": [{"key": "UserName", "value": ' + b"[" * levels + b"]" * levels + b"}]}"


def test_a_body_nested_past_the_bound_gets_400_one_at_it_is_judged_as_usual(small) -> None:
    url, limits = small
    at = create(url, nested_value(limits.max_depth - 3))
    assert at.status_code == 400 and at.json()["error"]["message"].startswith("Invalid request body at /secrets/0/value")
    past = create(url, nested_value(limits.max_depth - 2))
    assert (past.status_code, past.json()["error"]["code"]) == (400, "BadRequest"), past.text
    assert past.json()["error"]["message"] == f"The request body nests arrays and objects more than {limits.max_depth} levels deep."
    # Brackets inside a string are text, not nesting.
    text = json.dumps({"secrets": [{"key": "UserName", "value": "[" * limits.max_depth * 2}]}).encode()
    assert create(url, text).status_code == 201


def test_a_body_nested_100_000_deep_gets_400_not_500(standard, caplog) -> None:
    """Python's parser gives up near 1,000 levels: the bound is read from the bytes first, so nothing is
    parsed, nothing raises, and nothing is logged."""
    with caplog.at_level(logging.ERROR, logger="conformance.server"):
        refused = create(standard, b"[" * 100_000 + b"]" * 100_000)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "BadRequest"), refused.text
    assert "levels deep" in refused.json()["error"]["message"]
    assert error_validator().is_valid(refused.json())
    assert caplog.records == []


def many_secrets(count: int, key: str = "UserName") -> bytes:
    return json.dumps({"secrets": [{"key": key, "value": "v"}] * count}).encode()


def test_more_secrets_than_the_bound_get_400_as_many_are_created(small) -> None:
    url, limits = small
    assert create(url, many_secrets(limits.max_secrets)).status_code == 201
    refused = create(url, many_secrets(limits.max_secrets + 1))
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "Request_BadRequest"), refused.text
    expected = f"The request body holds {limits.max_secrets + 1} secrets; at most {limits.max_secrets} are accepted."
    assert refused.json()["error"]["message"] == expected


def costly_body() -> bytes:
    """Just under 1 MB: 30,000 secrets whose keys are not members, each of them a schema error to word."""
    body = json.dumps({"secrets": [{"key": "Nope", "value": "1234567"}] * 30_000}, separators=(",", ":")).encode()
    assert len(body) < MIB
    return body


def wrong_four_ways() -> bytes:
    """As many secrets as the bound lets through, each wrong four ways: 4,000 schema errors to word."""
    return json.dumps({"secrets": [{"key": 1, "value": 2, "x": 3, "y": 4}] * Limits().max_secrets}).encode()


def test_30_000_invalid_secrets_are_refused_for_their_number(standard) -> None:
    refused = create(standard, costly_body())
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == f"The request body holds 30000 secrets; at most {Limits().max_secrets} are accepted."


@pytest.fixture
def serve_process(tmp_path) -> Iterator[tuple[int, subprocess.Popen]]:
    """`graph-sync-conformance serve` in its own process, with its default limits."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "serve", "--port", str(port), "--token", TOKEN],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
    yield port, process
    process.terminate()
    process.wait(timeout=10)


class Blocks:
    """`count` MiB of spaces, made as they are sent (the test stays small), counting what was taken.
    With `declared`, requests sends a Content-Length (it reads `len`); without, it sends the body chunked."""

    def __init__(self, count: int, declared: bool) -> None:
        self.count, self.sent = count, 0
        if declared:
            self.len = count * MIB

    def __iter__(self) -> Iterator[bytes]:
        block = b" " * MIB
        for _ in range(self.count):
            self.sent += len(block)
            yield block


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the most it has ever been resident), in KiB."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status")
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_300_mb_body_gets_413_and_the_server_memory_stays_flat(serve_process, declared: bool) -> None:
    port, process = serve_process
    url = f"http://127.0.0.1:{port}/beta/applications/{APP}/synchronization"
    session = requests.Session()
    # Warm up every path the measured request takes (a create, a 413), so that what is measured is the
    # 300 MB and not a first allocation.
    assert session.post(url, data=b'{"secrets": []}', headers=HEADERS, timeout=10).status_code == 201
    assert session.post(url, data=b" " * (2 * MIB), headers=HEADERS, timeout=10).status_code == 413
    before = memory_kib(process.pid)
    body = Blocks(300, declared)
    started = time.perf_counter()
    refused = session.post(url, data=body, headers=HEADERS, timeout=30)
    took = time.perf_counter() - started
    after = memory_kib(process.pid)
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["code"] == "Request_EntityTooLarge"
    framing = "content-length" if declared else "transfer-encoding"
    assert framing in {name.lower() for name in refused.request.headers}
    # The server stopped reading at the cap: the client got no further than the cap plus what the
    # loopback socket buffers hold (a few MiB) before the refusal ended its upload.
    assert body.sent < 32 * MIB, f"{body.sent / MIB:.0f} MiB sent before the 413"
    # Flat: the most the server was ever resident, during the 300 MB, is within 8 MiB of what it was
    # before (the 1 MiB cap, one 256 KiB socket read, allocator slack); held whole it would be 300 MiB more.
    growth = (after["VmHWM"] - before["VmRSS"]) / 1024
    assert growth < 8, f"peak resident memory grew by {growth:.1f} MiB"
    print(f"413 after {took:.3f} s, {body.sent / MIB:.0f} MiB sent, peak memory +{growth:.1f} MiB")
    assert session.post(url, data=b'{"secrets": []}', headers=HEADERS, timeout=10).status_code == 201


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/status")
@pytest.mark.parametrize("costly", [costly_body(), wrong_four_ways()], ids=["30000-invalid-secrets", "1000-secrets-wrong-four-ways"])
def test_costly_bodies_do_not_hold_up_other_clients(serve_process, costly: bytes) -> None:
    """Four clients send costly bodies over and over (1 MB of 30,000 invalid secrets, refused for their
    number; or as many secrets as are let through, each wrong four ways, and all worded): a small
    create sent meanwhile is answered as if they were not there (well within half a second), and the
    server's memory stays within a few tens of MiB of what it was."""
    port, process = serve_process
    url = f"http://127.0.0.1:{port}/beta/applications/{APP}/synchronization"
    session = requests.Session()
    assert session.post(url, data=costly, headers=HEADERS, timeout=30).status_code == 400  # every path warmed up
    assert session.post(url, data=b'{"secrets": []}', headers=HEADERS, timeout=30).status_code == 201
    before = memory_kib(process.pid)
    refused: list[int] = []

    def send_costly() -> None:
        with requests.Session() as own:
            refused.extend(own.post(url, data=costly, headers=HEADERS, timeout=60).status_code for _ in range(4))

    senders = [threading.Thread(target=send_costly) for _ in range(4)]
    for sender in senders:
        sender.start()
    waits: list[float] = []
    while any(sender.is_alive() for sender in senders):
        started = time.perf_counter()
        assert session.post(url, data=b'{"secrets": []}', headers=HEADERS, timeout=60).status_code == 201
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)
    for sender in senders:
        sender.join()
    growth = (memory_kib(process.pid)["VmHWM"] - before["VmRSS"]) / 1024
    print(f"{len(waits)} small creates during 16 costly bodies: slowest {max(waits):.3f} s; peak memory +{growth:.1f} MiB")
    assert refused == [400] * 16
    assert max(waits) < 0.5, sorted(waits)[-5:]
    assert growth < 64, f"peak resident memory grew by {growth:.1f} MiB"


# --- the request head ---------------------------------------------------------------------------


def test_a_head_over_the_limit_gets_431_and_the_connection_closed(small) -> None:
    url, limits = small
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\n".encode()
    oversized = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"a" * 1000) for n in range(4 * limits.max_head_bytes // 1000))
    status, error = graph_error(raw_exchange(url, head, oversized))
    assert (status, error["error"]["code"]) == (431, "RequestHeaderFieldsTooLarge")


def test_a_head_under_the_limit_is_served(small) -> None:
    url, limits = small
    filler = {f"X-Filler-{n}": "a" * 1000 for n in range(limits.max_head_bytes // 1000 - 2)}
    assert create(url, headers={**HEADERS, **filler}).status_code == 201


@pytest.mark.parametrize("requests_in_one_write", [1, 3])
def test_a_large_request_that_arrives_in_one_read_is_not_taken_for_a_head(requests_in_one_write: int) -> None:
    """A whole request larger than the head limit, in one read (head, body and all; several of them,
    pipelined), is served: only bytes that leave a head incomplete count against it."""
    limits = Limits(max_head_bytes=8 * 1024)
    server = ReferenceServer(token=TOKEN, limits=limits)
    body = valid_body_of(6 * limits.max_head_bytes)
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    request = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    closing = (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    with BackgroundServer(server.app(), server.base_path, limits=limits) as background:
        answers = raw_exchange(background.url, request * (requests_in_one_write - 1) + closing)
    assert answers.count(b"HTTP/1.1 201 Created") == requests_in_one_write, answers[:300]


def test_a_request_that_is_not_http_gets_a_graph_error_too(small) -> None:
    url, _ = small
    status, error = graph_error(raw_exchange(url, b"POST /beta HTTP/1.1\r\nContent-Length: x\r\n\r\n"))
    assert (status, error["error"]["code"]) == (400, "BadRequest")


@pytest.mark.parametrize(
    "upgrade",
    [
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
        "Upgrade: websocket\r\nConnection: Upgrade\r\n",
        "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n",
    ],
    ids=["websocket-handshake", "websocket-without-key", "h2c"],
)
def test_a_request_to_switch_protocols_gets_a_graph_error(small, upgrade: str, caplog) -> None:
    """The server speaks HTTP/1.1 only: asked to switch, it refuses with a Graph error and closes (uvicorn
    would hand a WebSocket handshake to a WebSocket library, or lose the request's body), and logs nothing."""
    url, _ = small
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    with caplog.at_level(logging.WARNING, logger="uvicorn"):
        raw = raw_exchange(url, (head + upgrade + "Content-Length: 15\r\n\r\n").encode() + b'{"secrets": []}')
    status, error = graph_error(raw)
    assert (status, error["error"]["code"]) == (400, "BadRequest")
    asked = upgrade.split("\r\n")[0]
    assert error["error"]["message"] == f"This server speaks HTTP/1.1 only: it does not switch protocols ({asked})."
    assert caplog.records == []
    assert create(url).status_code == 201


def test_a_head_that_does_not_arrive_in_time_gets_408(small) -> None:
    url, limits = small
    started = time.monotonic()
    status, error = graph_error(raw_exchange(url, f"POST {PATH} HTTP/1.1\r\nHost: x\r\n".encode()))  # never ended
    assert (status, error["error"]["code"]) == (408, "RequestTimeout")
    assert time.monotonic() - started >= limits.head_timeout


def test_a_connection_that_never_asks_is_closed_quietly(small) -> None:
    url, _ = small
    assert raw_exchange(url) == b""


def test_kept_alive_requests_each_get_the_whole_head_time(small) -> None:
    """The head deadline runs per request: a connection used longer than it is not cut off."""
    url, limits = small
    session = requests.Session()
    for _ in range(3):
        assert create(url, session=session).status_code == 201
        time.sleep(limits.head_timeout * 0.6)


# --- the token ----------------------------------------------------------------------------------


def test_the_token_is_compared_in_constant_time(small, monkeypatch) -> None:
    """The decision is hmac.compare_digest's (its time does not depend on how much of a guess matched)."""
    url, _ = small
    compared: list[tuple[bytes, bytes]] = []
    real = server_app.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(server_app.hmac, "compare_digest", spy)
    near_miss = TOKEN[:-1] + "X"
    assert create(url, headers={**HEADERS, "Authorization": f"Bearer {near_miss}"}).status_code == 401
    assert create(url).status_code == 201
    assert compared == [(near_miss.encode(), TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_a_non_ascii_token_is_accepted_as_sent() -> None:
    token = "jeton-é-🔐"
    server = ReferenceServer(token=token)
    with BackgroundServer(server.app(), server.base_path) as background:
        # As bytes: requests would send a str header as latin-1, which cannot hold the emoji.
        good = {"Authorization": f"Bearer {token}".encode(), "Content-Type": "application/json"}
        bad = {"Authorization": f"Bearer {token[:-1]}x".encode(), "Content-Type": "application/json"}
        assert create(background.url, headers=good).status_code == 201
        assert create(background.url, headers=bad).status_code == 401

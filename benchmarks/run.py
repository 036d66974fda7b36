"""Side-by-side performance of the suite, measured in one run on this machine.

    .venv/bin/python benchmarks/run.py [--quick] [--no-prism]

Against one reference server (`graph-sync-conformance serve`, its own process), it measures:
our full default run, alone and with `-n 2`; `st run` on schemas/openapi.yaml with about as many
generated cases; a raw `requests.Session` loop posting as many valid bodies; the reference server and
Prism (installed from npm into benchmarks/.prism, "skipped" with the reason if that fails) under the
same loopback load, from four requests.Session clients and from four raw-socket ones, with the figure
of a server that answers at once beside them (what the clients alone can drive); a scaling series
of generated cases (100, 1,000, 10,000; --quick stops at 1,000), and at 1,000 the `-n 2` run and
`st run` with as many cases. It prints each figure and the
ratios the targets in docs/performance.md are stated in. Timings include start-up; our runs use the
checkout's pytest configuration, as `make suite` does, after one warm-up run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Process
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOKEN = "benchmark-token"
BODY = b'{"secrets":[{"key":"UserName","value":"admin@contoso.example"},{"key":"Password","value":"s3cret"}]}'
APP = "5b0bb1a8-7e7c-4c1e-9a0e-3f3b1c2d4e5f"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB, and output of one child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, _, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode(errors="replace")


def our_run(url: str, work: Path, max_examples: int, workers: int = 0) -> dict[str, float]:
    """The suite as `make suite` runs it (the checkout's pytest configuration), against `url`."""
    reports = work / f"ours-{max_examples}-{workers}"
    command = [
        PYTHON, "-m", "pytest", str(REPO / "conformance" / "suite"), "-q", "-c", str(REPO / "pyproject.toml"),
        "--base-url", url, "--token", TOKEN, "--max-examples", str(max_examples), "--run-timeout", "3600",
        f"--html={reports / 'report.html'}", "--self-contained-html", f"--junitxml={reports / 'junit.xml'}",
        f"--verdict={reports / 'verdict.json'}", f"--evidence={reports / 'evidence.jsonl'}",
        *(["-n", str(workers)] if workers else []),
    ]  # fmt: skip
    wall, peak, output = measured(command, work)
    lines = [json.loads(line) for path in reports.glob("evidence*.jsonl") for line in path.read_text().split("\n") if line]
    generated = sum(1 for line in lines if line["case"] == "generated" and line["purpose"] == "case")
    requests_sent = len(lines)  # one record per request
    verdict = json.loads((reports / "verdict.json").read_text())["verdict"]
    assert verdict == "conformant", output[-2000:]
    return {
        "wall": wall,
        "peak_mib": peak,
        "generated": generated,
        "requests": requests_sent,
        "html_kib": (reports / "report.html").stat().st_size / 1024,
        "verdict_kib": (reports / "verdict.json").stat().st_size / 1024,
    }


def st_run(url: str, work: Path, generated_wanted: int, workers: int = 1) -> dict[str, float]:
    """`st run` (`-w workers`), its -n raised until it generates at least as many cases as our run did."""
    n = max(1, generated_wanted // 2)
    while True:
        command = [
            str(Path(PYTHON).parent / "st"), "run", str(REPO / "schemas" / "openapi.yaml"), "-u", url,
            "-H", f"Authorization: Bearer {TOKEN}", "-n", str(n), "--phases", "fuzzing", "--seed", "1",
            # Like the suite, no example database: with its default one, in a directory where it has
            # run before, st run replays and stores examples and gets several times slower.
            "--generation-database", "none", "-w", str(workers),
        ]  # fmt: skip
        wall, peak, output = measured(command, work)
        found = re.search(r"(\d+) generated", output)
        generated = int(found.group(1)) if found else 0
        if generated >= generated_wanted or n > generated_wanted * 4:
            return {"wall": wall, "peak_mib": peak, "generated": generated}
        n = int(n * generated_wanted / max(generated, 1)) + 1


def post_valid(args: tuple[str, int]) -> int:
    """POST the valid body `count` times on one kept-alive connection; how many got 201."""
    import requests

    target, count = args
    session = requests.Session()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    return sum(session.post(target, data=BODY, headers=headers).status_code == 201 for _ in range(count))


def post_raw(args: tuple[str, int]) -> int:
    """The same POST `count` times on one kept-alive socket, the answers framed by httptools (a
    Content-Length or chunked body alike): a client that costs microseconds per request where
    requests costs about 0.4 ms, so that on two shared cores the figure is the server's own."""
    import httptools

    target, count = args
    parts = urlsplit(target)
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    complete: list[bool] = []

    class Answer:
        def on_message_complete(self) -> None:
            complete.append(True)

    created = 0
    with socket.create_connection((parts.hostname, parts.port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            parser, complete[:] = httptools.HttpResponseParser(Answer()), []
            conn.sendall(request)
            while not complete:
                data = conn.recv(65536)
                if not data:
                    raise RuntimeError("the server closed the connection")
                parser.feed_data(data)
            created += parser.get_status_code() == 201
    return created


CLIENTS = {"requests": post_valid, "raw": post_raw}


def raw_loop(url: str, count: int) -> dict[str, float]:
    started = time.perf_counter()
    ok = post_valid((f"{url}/applications/{APP}/synchronization", count))
    wall = time.perf_counter() - started
    if ok != count:
        raise RuntimeError(f"only {ok} of {count} requests got 201")
    return {"wall": wall, "requests": count}


def load(url: str, client: str, connections: int = 4, each: int = 1500) -> float:
    """Requests per second from `connections` client processes, each on its own kept-alive connection."""
    target, post = f"{url}/applications/{APP}/synchronization", CLIENTS[client]
    each = each if client == "requests" else each * 4  # the raw clients are fast: a longer run for a steadier figure
    with ProcessPoolExecutor(connections) as pool:
        list(pool.map(post, [(target, 50)] * connections))  # warm up
        started = time.perf_counter()
        ok = sum(pool.map(post, [(target, each)] * connections))
        wall = time.perf_counter() - started
    if ok != connections * each:
        raise RuntimeError(f"only {ok} of {connections * each} requests got 201")
    return ok / wall


def instant_server(port: int) -> None:
    """Answers every request at once with a fixed 201: the most the load's clients can drive."""
    import asyncio

    import httptools

    answer = b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

    class Instant(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport, self.parser = transport, httptools.HttpRequestParser(self)

        def data_received(self, data: bytes) -> None:
            self.parser.feed_data(data)

        def on_message_complete(self) -> None:
            self.transport.write(answer)

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Instant, "127.0.0.1", port)
        await server.serve_forever()

    asyncio.run(serve())


def loads(url: str) -> dict[str, float]:
    return {client: load(url, client) for client in CLIENTS}


def prism(work: Path) -> tuple[subprocess.Popen | None, str]:
    """Prism mocking our openapi.yaml, installed from npm if it is not there yet."""
    home = REPO / "benchmarks" / ".prism"
    binary = home / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        if not shutil.which("npm"):
            return None, "skipped: npm is not installed"
        done = subprocess.run(
            ["npm", "install", "--prefix", str(home), "--no-audit", "--no-fund", "@stoplight/prism-cli@5.16"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode != 0 or not binary.exists():
            return None, f"skipped: npm install failed ({(done.stderr or done.stdout).strip().splitlines()[-1:]})"
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "mock", "-p", str(port), "-h", "127.0.0.1", str(REPO / "schemas" / "openapi.yaml")],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(port)
    except RuntimeError as exc:
        process.kill()
        return None, f"skipped: Prism did not start ({exc})"
    return process, f"http://127.0.0.1:{port}"


def speed_up(alone: float, split: float, digits: int) -> str:
    return f"{alone / split:.2f}× ({alone:.{digits}f} s -> {split:.{digits}f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scaling series up to 1,000 cases only")
    parser.add_argument("--no-prism", action="store_true", help="do not install or run Prism")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="graph-sync-bench-"))
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "conformance.cli", "serve", "--port", str(port), "--token", TOKEN],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rows: list[tuple[str, str]] = []
    ratios: list[tuple[str, str]] = []
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}/beta"
        our_run(url, work, 1)  # warm-up: hypothesis caches its Unicode tables in the working directory
        ours = our_run(url, work, 40)
        ours_rate = ours["requests"] / ours["wall"]
        rows.append(
            (
                "our default run",
                f"{ours['wall']:.2f} s wall, {ours['requests']:.0f} requests ({ours['generated']:.0f} generated cases), "
                f"{ours_rate:.0f} requests/s, peak {ours['peak_mib']:.0f} MiB",
            )
        )
        split = our_run(url, work, 40, workers=2)
        rows.append(("our default run, -n 2", f"{split['wall']:.2f} s wall, {split['requests']:.0f} requests"))
        st = st_run(url, work, int(ours["generated"]))
        rows.append(
            (
                "st run, as many generated cases",
                f"{st['wall']:.2f} s wall, {st['generated']:.0f} generated cases, {st['generated'] / st['wall']:.0f} cases/s, "
                f"peak {st['peak_mib']:.0f} MiB",
            )
        )
        raw = raw_loop(url, int(ours["requests"]))
        rows.append(
            (
                "raw requests.Session loop",
                f"{raw['wall']:.2f} s for {raw['requests']:.0f} valid POSTs, {raw['requests'] / raw['wall']:.0f} req/s",
            )
        )
        # Under load, each server alone with the four clients: the reference server, Prism, and a server
        # that answers at once, whose figure is the most the clients themselves can drive.
        reference = loads(url)
        instant_port = free_port()
        instant = Process(target=instant_server, args=(instant_port,), daemon=True)
        instant.start()
        try:
            wait_for(instant_port)
            ceiling = loads(f"http://127.0.0.1:{instant_port}/beta")
        finally:
            instant.kill()
        prism_rps: dict[str, float] = {}
        prism_note = "skipped: --no-prism"
        if not args.no_prism:
            process, where = prism(work)
            if process is None:
                prism_note = where
            else:
                try:
                    prism_rps = loads(where)
                except Exception as exc:  # reported, not raised: one missing baseline must not lose the rest
                    prism_note = f"skipped: {str(exc).splitlines()[0]}"
                finally:
                    process.kill()
        for client, clients in (("requests", "4 requests.Session clients"), ("raw", "4 raw-socket clients")):
            rows.append((f"reference server under load ({clients})", f"{reference[client]:.0f} req/s"))
            rows.append((f"Prism 5.16 under the same load ({clients})", f"{prism_rps[client]:.0f} req/s" if prism_rps else prism_note))
            rows.append((f"a server that answers at once ({clients})", f"{ceiling[client]:.0f} req/s: the clients' ceiling"))
        # The 1,000-case comparisons before the 10,000-case run, so that all three meet the server in
        # the same state.
        scaled = {n: our_run(url, work, n) for n in (100, 1000)}
        split_1000 = our_run(url, work, 1000, workers=2)
        st_1000 = st_run(url, work, int(scaled[1000]["generated"]))
        st_1000_w2 = st_run(url, work, int(scaled[1000]["generated"]), workers=2)
        if not args.quick:
            scaled[10000] = our_run(url, work, 10000)
        for n, figures in scaled.items():
            rows.append(
                (
                    f"{n:,} generated per probe",
                    f"{figures['wall']:.1f} s wall, {figures['generated']:.0f} generated cases, peak {figures['peak_mib']:.0f} MiB, "
                    f"report.html {figures['html_kib']:.0f} KiB, verdict.json {figures['verdict_kib']:.0f} KiB",
                )
            )
        rows.append(("1,000 generated per probe, -n 2", f"{split_1000['wall']:.1f} s wall"))
        for name, figures in (("st run, as many generated cases as our 1,000 run", st_1000), ("the same, st run -w 2", st_1000_w2)):
            rate = figures["generated"] / figures["wall"]
            rows.append((name, f"{figures['wall']:.1f} s wall, {figures['generated']:.0f} generated cases, {rate:.0f} cases/s"))

        def versus_prism(ours_rps: dict[str, float], prism_figures: dict[str, float], client: str) -> str:
            if not prism_figures:
                return "no Prism figure"
            mine, theirs = ours_rps[client], prism_figures[client]
            return f"{mine / theirs:.2f}× ({mine:.0f} vs {theirs:.0f} req/s)"

        def versus_st(ours_figures: dict[str, float], st_figures: dict[str, float]) -> str:
            mine, theirs = ours_figures["generated"] / ours_figures["wall"], st_figures["generated"] / st_figures["wall"]
            return f"{mine / theirs:.2f}× ({mine:.0f} vs {theirs:.0f} generated cases/s, start-up included)"

        ratios += [
            ("full default run ≤ 15 s", f"{ours['wall']:.2f} s"),
            ("generated cases/s vs st run ≥ 1.0×, default budget", versus_st(ours, st)),
            ("generated cases/s vs st run ≥ 1.0×, 1,000 per probe", versus_st(scaled[1000], st_1000)),
            ("the same, both on 2 cores (-n 2 vs st run -w 2)", versus_st(split_1000, st_1000_w2)),
            ("reference req/s vs Prism ≥ 3× (raw-socket clients)", versus_prism(reference, prism_rps, "raw")),
            ("the same, requests.Session clients", versus_prism(reference, prism_rps, "requests")),
            ("-n 2 speed-up, default budget", speed_up(ours["wall"], split["wall"], 2)),
            ("-n 2 speed-up, 1,000 per probe", speed_up(scaled[1000]["wall"], split_1000["wall"], 1)),
        ]
        largest = max(scaled)
        if largest > 1000:
            peak, base = scaled[largest]["peak_mib"], scaled[1000]["peak_mib"]
            ratios.append(("10,000-case peak memory vs 1,000 ≤ 1.5×", f"{peak / base:.2f}× ({peak:.0f} vs {base:.0f} MiB)"))
            ratios.append(("10,000-case report.html < 5 MB", f"{scaled[largest]['html_kib'] / 1024:.2f} MiB"))
    finally:
        server.kill()
    width = max(len(name) for name, _ in rows + ratios)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print()
    for name, value in ratios:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

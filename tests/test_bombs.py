"""Inputs made to exhaust: a YAML aliases bomb as waivers or as a product file, a number that would plan
more batches than a machine holds, /dev/zero, a FIFO, a file or a line past its bound. Each ends in
seconds with one line and in bounded memory (< 500 MB), measured on the command run alone in a fresh
interpreter: its peak resident size as the kernel counts it, under an address-space limit that keeps
a regression from taking the machine (a safety bound, not a performance test)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import SUITE

BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]" for n in range(9)]
    + ["waivers: *j", ""]
)
"""Billion laughs: nine aliases of nine aliases, nine deep: 9**10 strings once expanded."""
MEMORY = 500 * 1024 * 1024
SECONDS = 30.0
"""Generous for a loaded 2-core machine (an interpreter that imports the suite takes seconds there):
the inputs exhausted their machine in minutes, or never ended."""
ADDRESS_SPACE = 3 * 1024**3
"""The most the command may map: past it, allocation fails rather than the machine."""

MEASURE = """
import resource, subprocess, sys
limit = int(sys.argv[1])
def bound():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    done = subprocess.run(sys.argv[3:], preexec_fn=bound, capture_output=True, timeout=float(sys.argv[2]))
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as expired:
    code, out, err = "timeout", expired.stdout or b"", expired.stderr or b""
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, file=sys.stderr)
sys.stdout.buffer.write(out + err)
"""
"""The command as the only child of a fresh interpreter, whose children's peak resident size is then
the command's alone (RUSAGE_CHILDREN counts the children waited for)."""


@dataclass(frozen=True)
class Measured:
    code: int | str
    output: str
    peak: int
    seconds: float


def _measured(command: list[str], folder: Path) -> Measured:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ADDRESS_SPACE), str(SECONDS), *command],
        cwd=folder, capture_output=True, text=True, timeout=SECONDS + 30, env=ENV,
    )  # fmt: skip
    code, peak = done.stderr.split()[-2:]
    return Measured(int(code) if code != "timeout" else code, done.stdout, int(peak), time.monotonic() - started)


ENV = {name: value for name, value in os.environ.items() if name != "PYTEST_BASE_URL"}
"""No target from the environment: each case gives its own, or none."""
CLI = [sys.executable, "-m", "conformance.cli"]
PYTEST = [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider"]
TARGET = ["--base-url", "http://127.0.0.1:9/beta", "--token", "bomb-canary-0123456789"]


A_VERDICT = json.dumps({"verdict": "conformant", "requirements": []})


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo.jsonl")
    return folder / "fifo.jsonl"


CASES = {
    "waivers-aliases": (
        lambda f: [*PYTEST, f"--waivers={_put(f / 'w.yaml', BOMB)}"],
        4,
        "aliases are not accepted",
    ),
    "product-aliases": (
        lambda f: [*CLI, "run", "--bundle", "b.zip", "--product", _put(f / "P.yaml", BOMB.replace("waivers", "vendor")), *TARGET],
        4,
        "aliases are not accepted",
    ),
    "max-examples-huge": (
        lambda f: [*PYTEST, "--max-examples=99999999999999999999999", "--run-timeout=5", *TARGET],
        4,
        "at most 1,000,000",
    ),
    "request-timeout-inf": (lambda f: [*PYTEST, "--request-timeout=inf", *TARGET], 4, "at most 3,600"),
    "har-dev-zero": (lambda f: [*CLI, "har", "/dev/zero", "-o", str(f / "z.har")], 2, "not a regular file (a character device)"),
    "har-fifo": (lambda f: [*CLI, "har", str(_fifo(f)), "-o", str(f / "f.har")], 2, "not a regular file (a FIFO)"),
    "har-endless-line": (
        lambda f: [*CLI, "har", _put(f / "e.jsonl", "[" + " " * (17 * 1024 * 1024)), "-o", str(f / "e.har")],
        2,
        "a line longer than 16,777,216 bytes",
    ),
    "diff-too-large": (
        lambda f: [*CLI, "diff", _put(f / "a.json", A_VERDICT), _put(f / "b.json", " " * (17 * 1024 * 1024))],
        2,
        "larger than 16,777,216 bytes",
    ),
}


def _put(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("case", list(CASES))
def test_an_input_made_to_exhaust_ends_in_seconds_with_one_line(case: str, tmp_path: Path) -> None:
    make, code, said = CASES[case]
    measured = _measured(make(tmp_path), tmp_path)
    assert measured.code == code, measured
    assert said in measured.output and "Traceback" not in measured.output, measured.output
    assert measured.peak < MEMORY, f"{measured.peak / 2**20:.0f} MiB"
    assert measured.seconds < SECONDS


def test_the_batch_plan_of_any_budget_is_worked_out_a_batch_at_a_time() -> None:
    """The plan is never listed whole: the last batch of a trillion cases is as quick to find as the first."""
    from conformance.prover import GENERATION_BATCH, ProofSettings

    proof = ProofSettings(10**12, 7)
    started = time.monotonic()
    assert proof.batch_count == 10**12 // GENERATION_BATCH
    assert proof.batch(proof.batch_count - 1) == (7 + ((proof.batch_count - 1) << 32), GENERATION_BATCH)
    assert time.monotonic() - started < 1


NUMERALS = st.one_of(
    st.text(max_size=30), st.floats().map(repr), st.integers().map(str), st.sampled_from(["inf", "-inf", "nan", "1e309", "1_000", " 7 "])
)


@given(text=NUMERALS)
def test_a_numeric_option_is_a_finite_number_within_its_bound_or_a_one_line_refusal(text: str) -> None:
    """What --request-timeout=inf did (Infinity in verdict.json, which is not JSON) cannot happen for
    any value of any numeric option: each is refused by its type, or finite, above 0 and within its bound."""
    from conformance import options

    bounds = {
        options.example_count: options.MAX_EXAMPLES,
        options.answer_seconds: options.MAX_SECONDS_AN_ANSWER,
        options.run_seconds: options.MAX_SECONDS_A_RUN,
        options.throttled_seconds: options.MAX_SECONDS_THROTTLED,
        options.byte_count: options.MAX_BODY_BYTES,
    }
    for parse, most in bounds.items():
        try:
            value = parse(text)
        except argparse.ArgumentTypeError as refused:
            assert "\n" not in str(refused) and str(refused).startswith(repr(text))
            continue
        assert 0 < value <= most
        json.dumps(value, allow_nan=False)

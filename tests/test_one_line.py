"""Bad input gets one line, never a traceback: every command, each file or value it is given that it
cannot use (nested too deep, not UTF-8, the wrong types, not a regular file, a folder where a file is
written, a number out of range), one line naming what and why, and the documented exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SUITE
from .inprocess import Done, run_cli, run_pytest
from .verdicts import verdict

Make = Callable[[Path], list[str]]
"""Writes what a case needs into its folder and gives the command's arguments."""


def _write(path: Path, content: str | bytes) -> str:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _verdict(**changes: object) -> str:
    return json.dumps(verdict() | changes)


def _diff(content: str | bytes) -> Make:
    return lambda folder: ["diff", _write(folder / "old.json", _verdict()), _write(folder / "new.json", content)]


def _summary(content: str | bytes, *output: str) -> Make:
    return lambda folder: ["summary", _write(folder / "verdict.json", content), *output]


def _har(content: str | bytes, *output: str) -> Make:
    return lambda folder: ["har", _write(folder / "evidence.jsonl", content), *output]


def _fifo(folder: Path) -> list[str]:
    os.mkfifo(folder / "evidence.jsonl")
    return ["har", str(folder / "evidence.jsonl"), "-o", str(folder / "e.har")]


def _ec_key(folder: Path) -> list[str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ["verify", _write(folder / "b.zip", b"PK\x05\x06" + bytes(18)), "--public-key", _write(folder / "ec.pub", pem)]


DEEP = "[" * 100_000 + "]" * 100_000
A_RECORD = {"probe": "valid", "case": "c", "exchanges": [{"request": {}, "elapsed_seconds": 0.1}]}

CLI: dict[str, tuple[Make, str]] = {
    "diff-deep": (_diff(DEEP), r"new\.json: nested more than 64 levels deep"),
    "diff-not-utf8": (_diff(b'{"verdict": "\xff"}'), r"new\.json: not UTF-8 text \(byte 14 is 0xff\)"),
    "diff-target-a-list": (_diff(_verdict(target=[])), r"new\.json: not a verdict\.json \(target is list\)"),
    "diff-reason-a-number": (_diff(_verdict(reason=5)), r"not a verdict\.json \(reason is int\)"),
    "diff-huge-integer": (_diff('{"verdict": "x", "seed": ' + "9" * 5000 + "}"), r"new\.json: not JSON \(Exceeds the limit"),
    "summary-deep": (_summary(DEEP), r"verdict\.json: nested more than 64 levels deep"),
    "summary-not-utf8": (_summary(b"\xfe\xff{}"), r"verdict\.json: not UTF-8 text"),
    "summary-suite-a-string": (_summary(_verdict(suite="x")), r"not a verdict\.json \(suite is str\)"),
    "summary-row-cases-text": (
        _summary(json.dumps(verdict() | {"requirements": [{"id": "A", "level": "MUST", "outcome": "pass", "cases": "3"}]})),
        r"not a verdict\.json \(requirement 1: cases is str\)",
    ),
    "summary-output-a-folder": (lambda folder: _summary(_verdict(), "-o", str(folder))(folder), r": a folder; give the path of a file"),
    "har-deep": (_har(DEEP + "\n"), r"evidence\.jsonl:1: nested more than 64 levels deep"),
    "har-not-utf8": (_har(b'{"probe": "\xc3\x28"}\n'), r"evidence\.jsonl:1: not UTF-8 text \(byte 12 is 0xc3\)"),
    "har-a-list": (_har("[1, 2]\n"), r"evidence\.jsonl:1: not an evidence record \(TypeError"),
    "har-headers-a-number": (
        _har(json.dumps({**A_RECORD, "exchanges": [{"request": {"headers": 5}, "elapsed_seconds": 1}]}) + "\n"),
        r"evidence\.jsonl:1: not an evidence record",
    ),
    "har-output-a-folder": (lambda folder: _har(json.dumps(A_RECORD) + "\n", "-o", str(folder))(folder), r": a folder; give the path"),
    "har-a-fifo": (_fifo, r"evidence\.jsonl: not a regular file \(a FIFO\)"),
    "har-dev-zero": (lambda folder: ["har", "/dev/zero", "-o", str(folder / "z.har")], r"/dev/zero: not a regular file"),
    "openapi-output-a-folder": (lambda folder: ["openapi", "-o", str(folder)], r": a folder; give the path of a file"),
    "verify-an-ec-key": (_ec_key, r"--public-key .*ec\.pub: not an Ed25519 public key \(an EC key\)"),
}


def _one_line(done: Done, code: int, message: str) -> str:
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
    import re

    assert re.search(message, output), output
    return output


@pytest.mark.parametrize("case", list(CLI))
def test_a_command_given_a_file_it_cannot_use_says_why_in_one_line(case: str, tmp_path: Path) -> None:
    make, message = CLI[case]
    arguments = make(tmp_path)
    output = _one_line(run_cli(arguments, folder=tmp_path), 2, message)
    assert output.startswith(f"graph-sync-conformance {arguments[0]}: ")


WAIVERS: dict[str, tuple[str | bytes, str]] = {
    "not-utf8": (b"- {id: SYNC-LOCATION, reason: \xff, expires: 2030-01-01}\n", r"waivers\.yaml: not UTF-8 text"),
    "id-a-list": ("- {id: [1], reason: r, expires: 2030-01-01}\n", r"waiver 1 names unknown requirement \[1\]"),
    "reason-a-mapping": ("- {id: SYNC-LOCATION, reason: {a: 1}, expires: 2030-01-01}\n", r"waiver 1: reason is \{'a': 1\}"),
    "impossible-date": ("- {id: SYNC-LOCATION, reason: r, expires: 2030-02-30}\n", r"a value that cannot be read \(day is out of range"),
    "expires-a-list": ("- {id: SYNC-LOCATION, reason: r, expires: [1]}\n", r"expires \[1\] is not a date"),
    "an-alias": ("a: &a [1]\nwaivers: *a\n", r"aliases are not accepted at line 2"),
    "deep": ("[" * 1000, r"nested more than 64 levels deep"),
    "huge-integer": ("- " + "9" * 5000 + "\n", r"a value that cannot be read \(Exceeds the limit"),
    "too-large": ("# " + "x" * 70_000 + "\n[]\n", r"waivers\.yaml: larger than 65,536 bytes"),
}


@pytest.mark.parametrize("case", list(WAIVERS))
def test_a_waivers_file_the_suite_cannot_use_is_one_usage_error(case: str, tmp_path: Path) -> None:
    content, message = WAIVERS[case]
    path = _write(tmp_path / "waivers.yaml", content)
    done = run_pytest([str(SUITE), "-p", "no:cacheprovider", f"--waivers={path}"], folder=tmp_path)
    assert "ERROR: --waivers: " in _one_line(done, 4, message)


PRODUCTS: dict[str, tuple[str | bytes, str]] = {
    "not-utf8": (b"vendor: Contoso\xff\n", r"PRODUCT\.yaml: not UTF-8 text"),
    "an-alias": ("vendor: &v Contoso\nproduct: *v\nversion: '1'\ncontact: a@b.example\n", r"aliases are not accepted"),
    "a-list": ("- 1\n- 2\n", r"PRODUCT\.yaml: .*is not of type 'object'"),
    "impossible-date": ("vendor: 2030-13-01\n", r"a value that cannot be read \(month must be in 1\.\.12\)"),
}


@pytest.mark.parametrize("case", list(PRODUCTS))
def test_a_product_file_the_suite_cannot_use_is_one_usage_error(case: str, tmp_path: Path) -> None:
    content, message = PRODUCTS[case]
    product = _write(tmp_path / "PRODUCT.yaml", content)
    arguments = ["run", "--bundle", "b.zip", "--product", product, "--base-url", "http://127.0.0.1:9/beta", "--token", "t"]
    done = run_cli(arguments, folder=tmp_path, env={"PYTEST_BASE_URL": None})
    assert _one_line(done, 4, message).startswith("graph-sync-conformance run: PRODUCT.yaml is not valid: ")


NUMBERS = [
    ("--max-examples", "99999999999999999999999", "at most 1,000,000"),
    ("--max-examples", "1000001", "at most 1,000,000"),
    ("--max-examples", "1e12", "is not a whole number"),
    ("--max-examples", "0", "more than 0"),
    ("--max-examples", "-3", "more than 0"),
    ("--request-timeout", "inf", "at most 3,600"),
    ("--request-timeout", "nan", "more than 0 and at most"),
    ("--request-timeout", "-1", "more than 0"),
    ("--request-timeout", "1e400", "at most 3,600"),
    ("--run-timeout", "inf", "at most 604,800"),
    ("--run-timeout", "0", "more than 0"),
    ("--throttle-wait", "-inf", "more than 0"),
    ("--throttle-wait", "1e9", "at most 86,400"),
    ("--max-body-bytes", "99999999999999999999", "at most 1,073,741,824"),
    ("--max-body-bytes", "0", "more than 0"),
    ("--seed", "-1", "a seed from 0 to 2\\*\\*64 - 1"),
    ("--seed", "18446744073709551616", "a seed from 0 to 2\\*\\*64 - 1"),
]


@pytest.mark.parametrize(("option", "value", "said"), NUMBERS, ids=[f"{o}={v}" for o, v, _ in NUMBERS])
def test_a_number_out_of_range_is_a_usage_error(option: str, value: str, said: str, tmp_path: Path) -> None:
    """Said in one line, as argparse words a refused value, under pytest's name."""
    import re

    done = run_pytest([str(SUITE), "-p", "no:cacheprovider", f"{option}={value}"], folder=tmp_path)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 4, output
    assert output.splitlines() == [output], output
    assert re.fullmatch(rf"ERROR: pytest: argument {option}: '{re.escape(value)}' .*{said}.*; see pytest --help", output), output


def test_serve_refuses_a_body_bound_out_of_range(tmp_path: Path) -> None:
    done = run_cli(["serve", "--max-body-bytes", "99999999999999999999999999"], folder=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --max-body-bytes: '99999999999999999999999999' is not a whole number of bytes" in done.stderr

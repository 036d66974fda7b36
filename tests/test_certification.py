"""Certification deliverables: the bundle and its offline verification, run's exit codes, diffs
between runs, waivers, and determinism."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conformance.bundle import MANIFEST, SIGNATURE, SIGNER
from conformance.catalogue import BY_ID
from conformance.verification import verify

from .inprocess import Done, run_cli
from .servers import DropsLastSecret, NoLocation, ReversesSecrets

PRODUCT = "vendor: Contoso\nproduct: SyncMock\nversion: '1.2'\ncontact: certify@contoso.example\n"


def cli(cwd: Path, *args: str) -> Done:
    """`graph-sync-conformance ARGS` in `cwd`, in this process (tests/inprocess.py)."""
    return run_cli(args, folder=cwd)


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict[str, Path]:
    """A bundle from a run against the embedded server, signed, with what made it."""
    folder = tmp_path_factory.mktemp("bundle")
    key = Ed25519PrivateKey.generate()
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "key.pub").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    # From end to end, as a person runs it: `graph-sync-conformance run` in a fresh interpreter.
    command = [sys.executable, "-m", "conformance.cli", "run", "--bundle", "b.zip", "--sign-key", "key.pem", "-q"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return {"bundle": folder / "b.zip", "public": folder / "key.pub", "folder": folder}


def test_run_bundle_then_verify_passes(signed) -> None:
    names = set(zipfile.ZipFile(signed["bundle"]).namelist())
    assert names == {"verdict.json", "report.html", "junit.xml", "evidence.jsonl", "PRODUCT.yaml", MANIFEST, SIGNATURE, SIGNER}
    done = cli(signed["folder"], "verify", "b.zip", "--public-key", "key.pub")
    assert done.returncode == 0, done.stdout
    assert "every member matches its manifest; signed by SHA256:" in done.stdout


@pytest.mark.slow
def test_a_bundle_of_the_embedded_server_needs_no_product_file(tmp_path) -> None:
    done = cli(tmp_path, "run", "--bundle", "b.zip", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bundle of the embedded reference server: its PRODUCT.yaml is the suite's own" in done.stderr
    assert cli(tmp_path, "verify", "b.zip", "--allow-unpinned").returncode == 0  # not signed: intact, no more
    product = zipfile.ZipFile(tmp_path / "b.zip").read("PRODUCT.yaml").decode()
    assert "product: embedded reference server" in product


def test_a_product_file_without_a_target_of_yours_is_refused(tmp_path) -> None:
    """Your PRODUCT.yaml with no --base-url would certify the embedded reference server under your name."""
    (tmp_path / "PRODUCT.yaml").write_text(PRODUCT)
    done = cli(tmp_path, "run", "--bundle", "b.zip", "--product", "PRODUCT.yaml")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "--product describes your target, and no --base-url names one" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "b.zip").exists() and not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_bundle_of_a_run_split_over_workers_carries_every_worker_s_evidence(tmp_path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "evidence.jsonl").write_text("{}\n")  # an earlier one-process run's
    done = cli(tmp_path, "run", "--bundle", "b.zip", "-q", "-n", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    names = set(zipfile.ZipFile(tmp_path / "b.zip").namelist())
    assert {"evidence-gw0.jsonl", "evidence-gw1.jsonl"} <= names and "evidence.jsonl" not in names
    assert cli(tmp_path, "verify", "b.zip", "--allow-unpinned").returncode == 0  # not signed: intact, no more


def test_a_bundle_of_your_target_needs_a_product_file(tmp_path) -> None:
    done = cli(tmp_path, "run", "--bundle", "b.zip", "--base-url", "http://127.0.0.1:9/beta")
    assert done.returncode == 4
    assert "--bundle needs --product PRODUCT.yaml" in done.stderr


def _tampered(bundle: Path, member: str, out: Path) -> Path:
    with zipfile.ZipFile(bundle) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    data = bytearray(contents[member])
    data[len(data) // 2] ^= 0x01
    contents[member] = bytes(data)
    with zipfile.ZipFile(out, "w") as archive:
        for name, blob in contents.items():
            archive.writestr(name, blob)
    return out


@pytest.mark.parametrize(
    "member", ["verdict.json", "report.html", "junit.xml", "evidence.jsonl", "PRODUCT.yaml", MANIFEST, SIGNATURE, SIGNER]
)
def test_one_changed_byte_in_any_member_fails_verify_naming_it(signed, member: str, tmp_path) -> None:
    changed = _tampered(signed["bundle"], member, tmp_path / "changed.zip")
    done = cli(tmp_path, "verify", str(changed))
    assert done.returncode == 1, done.stdout
    assert member in done.stdout


def test_a_damaged_zip_names_the_damaged_member(signed, tmp_path) -> None:
    raw = bytearray(signed["bundle"].read_bytes())
    with zipfile.ZipFile(signed["bundle"]) as archive:
        info = archive.getinfo("verdict.json")
    raw[info.header_offset + 30 + len(info.filename) + 10] ^= 0xFF  # inside its compressed bytes
    (tmp_path / "damaged.zip").write_bytes(bytes(raw))
    result = verify(tmp_path / "damaged.zip")
    assert any(p.startswith("verdict.json:") for p in result.problems)


def test_a_bundle_signed_by_another_key_fails_against_the_expected_key(signed, tmp_path) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "other.pub").write_bytes(other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = verify(signed["bundle"], tmp_path / "other.pub")
    assert f"{SIGNER}: not the key given with --public-key" in result.problems


@pytest.mark.slow
def test_an_incomplete_run_refuses_to_bundle(tmp_path) -> None:
    (tmp_path / "PRODUCT.yaml").write_text(PRODUCT)
    unreachable = ["--base-url", "http://127.0.0.1:9/beta", "--token", "incomplete-run-token"]
    done = cli(tmp_path, "run", "--bundle", "b.zip", "--product", "PRODUCT.yaml", *unreachable)
    assert done.returncode == 3
    assert "no bundle: the run is incomplete (target unreachable" in done.stderr
    assert not (tmp_path / "b.zip").exists()


def test_an_invalid_product_file_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "PRODUCT.yaml").write_text("vendor: Contoso\nproduct: SyncMock\n")
    done = cli(tmp_path, "run", "--bundle", "b.zip", "--product", "PRODUCT.yaml", "--base-url", "http://127.0.0.1:9/beta")
    assert done.returncode == 4
    assert "PRODUCT.yaml is not valid" in done.stderr and "'version' is a required property" in done.stderr


def test_a_usage_error_exits_4_under_run_as_under_pytest(tmp_path) -> None:
    assert cli(tmp_path, "run", "--base-url", "notaurl", "--token", "t").returncode == 4


def test_diff_names_the_broken_requirement_and_exits_1(shared_runs, tmp_path) -> None:
    good, bad = shared_runs().run, shared_runs(DropsLastSecret).run
    old, new = good.reports / "verdict.json", bad.reports / "verdict.json"
    done = cli(tmp_path, "diff", str(old), str(new))
    assert done.returncode == 1, done.stdout
    # Two servers on two ports: diff says so first, then compares all the same.
    lines = done.stdout.splitlines()
    assert lines[0].startswith("warning: different targets: http://127.0.0.1:") and len(lines[0].split("->")) == 2
    assert lines[1] == "verdict regressed: conformant -> not conformant: MUST failed: SYNC-SECRETS-ECHO"
    assert "\nregressed: SYNC-SECRETS-ECHO (MUST): pass -> fail: " in done.stdout
    back = cli(tmp_path, "diff", str(new), str(old))
    assert back.returncode == 0 and "\nimproved: SYNC-SECRETS-ECHO (MUST): fail -> pass" in back.stdout


def test_waivers(serve, run_suite, tmp_path) -> None:
    today = date.today()
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        f"- {{id: SYNC-LOCATION, reason: 'no Location until v2', expires: {today + timedelta(days=30)}}}\n"
        f"- {{id: SYNC-SECRETS-ORDER, reason: old, expires: {today - timedelta(days=1)}}}\n"
        f"- {{id: SYNC-CREATE-201, reason: not allowed, expires: {today + timedelta(days=30)}}}\n"
        f"- {{id: SYNC-ID-LOWERCASE, reason: fixed since, expires: {today + timedelta(days=30)}}}\n"
    )

    class NoLocationReversed(NoLocation, ReversesSecrets):
        pass

    served = serve(NoLocationReversed)
    run = run_suite("--base-url", served.url, "--token", served.token, f"--waivers={waivers}")
    assert run.exit_code == 0, run.output
    assert run.outcomes["SYNC-LOCATION"] == "waived"
    assert run.outcomes["SYNC-SECRETS-ORDER"] == "warn"  # its waiver expired
    assert run.verdict is not None
    status = {w["id"]: w["status"] for w in run.verdict["waivers"]}
    assert status == {
        "SYNC-LOCATION": "applied",
        "SYNC-SECRETS-ORDER": f"ignored: expired on {today - timedelta(days=1)}",
        "SYNC-CREATE-201": "ignored: a MUST cannot be waived for certification",
        "SYNC-ID-LOWERCASE": "no longer needed: the requirement passes",
    }
    assert "waiver SYNC-ID-LOWERCASE" in run.output and "no longer needed" in run.output


def test_the_same_seed_sends_the_same_cases_and_reaches_the_same_verdict(serve, run_suite) -> None:
    served = serve(DropsLastSecret)
    first, second = (run_suite("--base-url", served.url, "--token", served.token, "--seed", "7", draw_anew=True) for _ in range(2))

    def sent(run) -> list[str]:
        """Every request, in the order sent but for a burst's members (they end in the order they overlap)."""
        lines = [json.loads(line) for line in (run.reports / "evidence.jsonl").read_text().splitlines()]
        kept = [json.dumps([line["probe"], line["case"], line["purpose"], line["request"]]) for line in lines]
        return [record for line, record in zip(lines, kept, strict=True) if line["probe"] != "burst"] + sorted(
            record for line, record in zip(lines, kept, strict=True) if line["probe"] == "burst"
        )

    def judged(run) -> list[tuple]:
        return [(r["id"], r["outcome"], r["reason"], r["cases"]) for r in run.verdict["requirements"]]

    assert sent(first) == sent(second) and len(sent(first)) > 100
    assert judged(first) == judged(second)
    assert {r["id"] for r in first.verdict["requirements"]} == set(BY_ID)

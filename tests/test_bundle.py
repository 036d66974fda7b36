"""`verify` cannot be fooled, and `build` never writes what it rejects.

Each crafted bundle below is made byte by byte (`raw_zip`), as an attacker makes one: two members of
one name, names that are not clean relative paths, encrypted members, other compression methods,
members and directories past the bounds, a bundle re-signed by someone else or not signed at all, and
keys that are not Ed25519. Every answer is one line per finding with what came from the file escaped,
and an exit code of its own; a property test mutates a good bundle at random and holds verify to that.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import struct
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import zipfile
import zlib
from base64 import b64encode
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import bundle, verification
from conformance.bundle import MANIFEST, PRODUCT, SIGNATURE, SIGNER
from conformance.errors import BundleError
from conformance.text import UNSHOWN_CATEGORIES

from .inprocess import Done, run_cli

PRODUCT_TEXT = "vendor: Contoso\nproduct: SyncMock\nversion: '1.2'\ncontact: certify@contoso.example\n"
REPORTS = {
    "verdict.json": json.dumps({"verdict": "conformant", "reason": "every MUST passed"}).encode(),
    "report.html": b"<!doctype html><title>report</title><p>conformant</p>",
    "junit.xml": b'<testsuites><testsuite name="conformance" tests="1"/></testsuites>',
    "evidence.jsonl": b'{"probe": "valid", "exchanges": []}\n' * 20,
}
MIB = 1 << 20


# --- bundles made byte by byte ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One member as the zip records it; every field an attacker controls."""

    name: str | bytes
    content: bytes
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0x800  # the name is UTF-8
    data: bytes | None = None
    """The bytes stored, when not `content` compressed by `method` (a stream made by hand)."""
    size: int | None = None
    """The uncompressed size declared, when not len(content)."""
    crc: int | None = None
    comment: bytes = b""

    def stored(self) -> bytes:
        if self.data is not None:
            return self.data
        return deflated(self.content) if self.method == zipfile.ZIP_DEFLATED else self.content


def deflated(content: bytes) -> bytes:
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
    return squeeze.compress(content) + squeeze.flush()


def raw_zip(entries: list[Entry]) -> bytes:
    """The zip file of `entries`, in that order, with exactly the names, flags, methods and sizes given."""
    body, directory = bytearray(), bytearray()
    for entry in entries:
        name = entry.name.encode() if isinstance(entry.name, str) else entry.name
        data = entry.stored()
        size = len(entry.content) if entry.size is None else entry.size
        crc = zlib.crc32(entry.content) if entry.crc is None else entry.crc
        common = (entry.flags, entry.method, 0, 0x21, crc, len(data), size, len(name))
        offset = len(body)
        body += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, *common, 0) + name + data
        directory += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, *common, 0, len(entry.comment), 0, 0, 0, offset)
        directory += name + entry.comment
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return bytes(body + directory + end)


def manifest_of(entries: list[Entry]) -> bytes:
    listed = sorted((e.name, e.content) for e in entries if e.name not in (MANIFEST, SIGNATURE, SIGNER))
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name!s}\n" for name, content in listed).encode()


def signed_by(key: Ed25519PrivateKey, entries: list[Entry], manifest: bytes | None = None) -> list[Entry]:
    """`entries` with their manifest (`manifest`, or one made anew) signed by `key`, as anyone holding a
    key can."""
    members = [e for e in entries if e.name not in (MANIFEST, SIGNATURE, SIGNER)]
    manifest = manifest_of(members) if manifest is None else manifest
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return [*members, Entry(MANIFEST, manifest), Entry(SIGNATURE, b64encode(key.sign(manifest)) + b"\n"), Entry(SIGNER, public)]


def unsigned(entries: list[Entry]) -> list[Entry]:
    """`entries` with the signature stripped and the manifest made anew."""
    members = [e for e in entries if e.name not in (MANIFEST, SIGNATURE, SIGNER)]
    return [*members, Entry(MANIFEST, manifest_of(members))]


def edited(entries: list[Entry], name: str, content: bytes) -> list[Entry]:
    return [replace(e, content=content) if e.name == name else e for e in entries]


FORGED_VERDICT = json.dumps({"verdict": "conformant", "reason": "forged"}).encode()


# --- a good bundle and its keys --------------------------------------------------------------------


@dataclass(frozen=True)
class Good:
    folder: Path
    path: Path
    public: Path
    key: Ed25519PrivateKey
    entries: list[Entry]

    def write(self, name: str, entries: list[Entry] | bytes) -> Path:
        path = self.folder / name
        path.write_bytes(entries if isinstance(entries, bytes) else raw_zip(entries))
        return path


def pem_public(key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def private_pem(key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def write_reports(folder: Path) -> tuple[dict[str, Path], Path]:
    members = {}
    for name, content in REPORTS.items():
        (folder / name).write_bytes(content)
        members[name] = folder / name
    (folder / "PRODUCT.yaml").write_text(PRODUCT_TEXT)
    return members, folder / "PRODUCT.yaml"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Good:
    """A bundle `build` wrote from small reports, signed; its members as entries to rebuild from."""
    folder = tmp_path_factory.mktemp("bundles")
    key = Ed25519PrivateKey.generate()
    (folder / "key.pem").write_bytes(private_pem(key))
    (folder / "key.pub").write_bytes(pem_public(key))
    members, product = write_reports(folder)
    bundle.build(folder / "good.zip", members, product, folder / "key.pem")
    with zipfile.ZipFile(folder / "good.zip") as archive:
        entries = [Entry(info.filename, archive.read(info)) for info in archive.infolist()]
    return Good(folder, folder / "good.zip", folder / "key.pub", key, entries)


def verify_cli(good: Good, bundle_path: Path | str, *options: str) -> Done:
    done = run_cli(["verify", str(bundle_path), *options], folder=good.folder)
    assert_shown_clean(done)
    return done


def pinned(good: Good, bundle_path: Path | str) -> Done:
    return verify_cli(good, bundle_path, "--public-key", str(good.public))


def assert_shown_clean(done: Done) -> None:
    """Output is one or more whole lines, none with a character that acts, and never a traceback."""
    text = done.stdout + done.stderr
    assert text.endswith("\n") and "Traceback" not in text, text
    assert not [c for c in text if c != "\n" and unicodedata.category(c) in UNSHOWN_CATEGORIES], repr(text)


# --- the good bundle, pinned and not ---------------------------------------------------------------


def test_the_written_bundle_verifies_with_the_pinned_key(good: Good) -> None:
    done = pinned(good, good.path)
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith(f"{good.path}: every member matches its manifest; signed by SHA256:")
    assert "--public-key" in done.stdout and done.stdout.count("\n") == 1


def test_without_a_key_the_signer_is_not_pinned_and_that_has_a_code_of_its_own(good: Good) -> None:
    done = verify_cli(good, good.path)
    assert done.returncode == 3, done.stdout
    assert "the signer is NOT pinned: signed by a key the bundle carries itself" in done.stdout
    assert "anyone can re-sign: pin the signer with --public-key KEY.pub" in done.stdout


def test_allow_unpinned_accepts_it_but_still_says_so(good: Good) -> None:
    done = verify_cli(good, good.path, "--allow-unpinned")
    assert done.returncode == 0
    assert "the signer is NOT pinned" in done.stdout


def test_a_written_unsigned_bundle_is_not_signed_and_not_accepted_by_default(good: Good, tmp_path: Path) -> None:
    members, product = write_reports(tmp_path)
    bundle.build(tmp_path / "unsigned.zip", members, product)
    done = verify_cli(good, tmp_path / "unsigned.zip")
    assert done.returncode == 3 and "not signed" in done.stdout
    assert verify_cli(good, tmp_path / "unsigned.zip", "--allow-unpinned").returncode == 0
    pinned_done = pinned(good, tmp_path / "unsigned.zip")
    assert pinned_done.returncode == 1 and "not signed" in pinned_done.stdout


# --- forged members ----------------------------------------------------------------------------------


@pytest.mark.parametrize("forged_first", [True, False], ids=["forged-first", "forged-last"])
def test_two_members_of_one_name_are_refused(good: Good, forged_first: bool) -> None:
    forged = Entry("verdict.json", FORGED_VERDICT)
    entries = [forged, *good.entries] if forged_first else [*good.entries, forged]
    done = pinned(good, good.write("twice.zip", entries))
    assert done.returncode == 1, done.stdout
    assert "verdict.json: more than one member has this name" in done.stdout


def test_two_members_whose_names_differ_only_in_case_are_refused(good: Good) -> None:
    done = pinned(good, good.write("case.zip", [Entry("VERDICT.json", FORGED_VERDICT), *good.entries]))
    assert done.returncode == 1, done.stdout
    assert "more than one member has this name" in done.stdout


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (b"verdict.json\x00x", "a NUL"),
        (b"../verdict.json", "a '.' or '..' segment"),
        (b"reports/../../etc/cron.d/x", "a '.' or '..' segment"),
        (b"./verdict.json", "a '.' or '..' segment"),
        (b"/etc/passwd", "absolute"),
        (b"C:verdict.json", "a drive"),
        (b"reports\\verdict.json", "a backslash"),
        (b"verdict\tjson", "a control or invisible character"),
        (b"verdict.json\xe2\x80\xae", "a control or invisible character"),
        (b"", "empty"),
        (b"reports//verdict.json", "an empty segment"),
        (b"reports/", "an empty segment"),
        (b"x" * 256, "longer than 255 bytes"),
    ],
    ids=[
        "nul",
        "dotdot",
        "dotdot-inside",
        "dot",
        "absolute",
        "drive",
        "backslash",
        "tab",
        "bidi",
        "empty",
        "double-slash",
        "directory",
        "long",
    ],
)
def test_a_name_that_is_not_a_clean_relative_path_is_refused(good: Good, name: bytes, reason: str) -> None:
    done = pinned(good, good.write("name.zip", [*good.entries, Entry(name, FORGED_VERDICT)]))
    assert done.returncode == 1, done.stdout
    assert f"not a clean relative path ({reason}" in done.stdout


def test_an_encrypted_member_is_refused_in_one_line(good: Good) -> None:
    entries = [replace(e, flags=e.flags | 0x1) if e.name == "verdict.json" else e for e in good.entries]
    done = pinned(good, good.write("encrypted.zip", entries))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "verdict.json: encrypted" in done.stdout


def compressed_by(method: int, content: bytes) -> bytes:
    """`content` compressed as zipfile does with `method`; as it is (unreadable) for a method zipfile lacks."""
    if method not in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m", content, compress_type=method)
        packed = archive.getinfo("m").compress_size
    return buffer.getvalue()[31 : 31 + packed]  # past the local header and the name "m"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, 93, 99], ids=["bzip2", "lzma", "zstd", "aes"])
def test_a_compression_method_other_than_stored_or_deflate_is_refused(good: Good, method: int) -> None:
    """zipfile reads bzip2 and lzma (not every unzip does) and raises on the rest."""
    entries = [replace(e, method=method, data=compressed_by(method, e.content)) if e.name == "verdict.json" else e for e in good.entries]
    done = pinned(good, good.write("method.zip", entries))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"verdict.json: compressed by method {method}" in done.stdout


@pytest.mark.parametrize(("offset", "value"), [(8, zipfile.ZIP_STORED), (6, 0x801), (22, 1)], ids=["method", "encrypted", "size"])
def test_a_local_header_that_disagrees_with_the_directory_is_refused(good: Good, offset: int, value: int) -> None:
    """zipfile reads a member as the zip's directory describes it; some tools go by the member's own
    header: where the two disagree, what is hashed need not be what is extracted."""
    raw = bytearray(raw_zip(good.entries))
    at = zipfile.ZipFile(io.BytesIO(raw)).getinfo("verdict.json").header_offset
    struct.pack_into("<H" if offset < 14 else "<L", raw, at + offset, value)
    done = pinned(good, good.write("local.zip", bytes(raw)))
    assert done.returncode == 1, done.stdout
    assert "verdict.json: its local header disagrees with the directory" in done.stdout


# --- bounds ------------------------------------------------------------------------------------------


def zeros_deflated(mib: int) -> bytes:
    """A deflate stream of `mib` MiB of zeros, made in milliseconds: after a full flush the compressor
    starts afresh, so every MiB compresses to the same bytes."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeeze.compress(bytes(MIB)) + squeeze.flush(zlib.Z_FULL_FLUSH)
    assert squeeze.compress(bytes(MIB)) + squeeze.flush(zlib.Z_FULL_FLUSH) == block
    return block * mib + squeeze.flush()


def zeros_crc(mib: int) -> int:
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(bytes(MIB), crc)
    return crc


def measured(bundle_path: Path, public: Path) -> tuple[list[str], float, int]:
    """verify's findings, the seconds it took and the most memory it held at once."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = verification.verify(bundle_path, public)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result.problems, time.monotonic() - started, peak


@pytest.mark.parametrize("declared", ["honestly", "as-1-MiB"])
def test_a_zip_bomb_member_is_refused_in_bounded_time_and_memory(good: Good, declared: str) -> None:
    """Just past the bound of zeros (about 0.5 MB compressed): its header declares the size or a lie,
    and either way verify neither inflates it whole nor reads past the bound."""
    mib = bundle.MAX_MEMBER_BYTES // MIB + 1
    size, crc = (mib * MIB, zeros_crc(mib)) if declared == "honestly" else (MIB, zlib.crc32(bytes(MIB)))
    bomb = Entry("evidence.jsonl", b"", data=zeros_deflated(mib), size=size, crc=crc)
    path = good.write("bomb.zip", [bomb if e.name == "evidence.jsonl" else e for e in good.entries])
    problems, seconds, peak = measured(path, good.public)
    assert [p for p in problems if p.startswith("evidence.jsonl: ")], problems
    assert seconds < 5 and peak < 64 * MIB, (seconds, peak)


def test_a_member_is_read_no_further_than_its_bound_whatever_it_declares(good: Good, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second line: were a declared size let through, reading itself stops at the bound (here 8 MiB)."""
    monkeypatch.setattr(verification, "_entry_problem", lambda info, alike: None)
    monkeypatch.setattr(verification, "MAX_MEMBER_BYTES", 8 * MIB)
    bomb = Entry("evidence.jsonl", b"", data=zeros_deflated(64), size=64 * MIB, crc=zeros_crc(64))
    path = good.write("bomb.zip", [bomb if e.name == "evidence.jsonl" else e for e in good.entries])
    problems, seconds, peak = measured(path, good.public)
    assert f"evidence.jsonl: more than {8 * MIB} bytes when inflated, past its bound" in problems
    assert seconds < 2 and peak < 16 * MIB, (seconds, peak)


def test_members_that_declare_more_than_the_total_bound_are_not_read(good: Good) -> None:
    count = bundle.MAX_TOTAL_BYTES // bundle.MAX_MEMBER_BYTES + 1
    padding = [Entry(f"pad-{i}", b"", size=bundle.MAX_MEMBER_BYTES, crc=0) for i in range(count)]
    problems, seconds, _ = measured(good.write("total.zip", [*good.entries, *padding]), good.public)
    assert [p for p in problems if "in all, past the bound" in p], problems
    assert seconds < 1


def test_a_manifest_past_its_bound_is_refused(good: Good) -> None:
    entries = signed_by(good.key, good.entries, manifest=b"#" * (bundle.MAX_MANIFEST_BYTES + 1))
    done = pinned(good, good.write("big-manifest.zip", entries))
    assert done.returncode == 1
    assert f"{MANIFEST}: declares {bundle.MAX_MANIFEST_BYTES + 1} bytes, past the bound" in done.stdout


def test_a_central_directory_past_its_bound_is_not_read_whole(good: Good) -> None:
    count = bundle.MAX_DIRECTORY_BYTES // 60_000 + 1
    padding = [Entry(f"pad-{i}", b"", comment=b"c" * 60_000) for i in range(count)]
    done = pinned(good, good.write("directory.zip", [*good.entries, *padding]))
    assert done.returncode == 1
    assert f"its central directory is larger than {bundle.MAX_DIRECTORY_BYTES} bytes" in done.stdout


def test_more_members_than_the_bound_are_refused(good: Good) -> None:
    padding = [Entry(f"p{i}", b"") for i in range(bundle.MAX_MEMBERS)]
    done = pinned(good, good.write("many.zip", [*good.entries, *padding]))
    assert done.returncode == 1
    assert f"more than {bundle.MAX_MEMBERS} members" in done.stdout


def test_the_bounds_leave_room_for_every_bundle_build_may_write() -> None:
    """build refuses more than MAX_MEMBERS members and names longer than MAX_NAME_BYTES: what it writes
    then always fits the directory and manifest bounds (a directory entry is 46 bytes and the name, a
    manifest line 64 + 2 + the name + 1)."""
    assert bundle.MAX_MEMBERS * (46 + bundle.MAX_NAME_BYTES) <= bundle.MAX_DIRECTORY_BYTES
    assert bundle.MAX_MEMBERS * (64 + 3 + bundle.MAX_NAME_BYTES) <= bundle.MAX_MANIFEST_BYTES
    assert bundle.MAX_MEMBER_BYTES <= bundle.MAX_TOTAL_BYTES


# --- the manifest ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (b"", "empty"),
        (b"\n", "line 1 is not"),
        (b"nothex  verdict.json\n", "line 1 is not"),
        (b"%s  verdict.json\r\n" % (b"a" * 64), "line 1 is not"),
        (b"%s  verdict.json\n" % (b"A" * 64), "line 1 is not"),
        (b"%s verdict.json\n" % (b"a" * 64), "line 1 is not"),
        (b"\xff\xfe\n", "not UTF-8"),
    ],
    ids=["empty", "blank-line", "not-hex", "crlf", "upper-case", "one-space", "not-utf8"],
)
def test_a_malformed_manifest_is_refused(good: Good, manifest: bytes, reason: str) -> None:
    done = pinned(good, good.write("malformed.zip", signed_by(good.key, good.entries, manifest=manifest)))
    assert done.returncode == 1
    assert f"{MANIFEST}: {reason}" in done.stdout


def test_a_manifest_without_its_last_newline_is_refused(good: Good) -> None:
    manifest = manifest_of(good.entries).rstrip(b"\n")
    done = pinned(good, good.write("no-newline.zip", signed_by(good.key, good.entries, manifest=manifest)))
    assert done.returncode == 1
    assert f"{MANIFEST}: its last line does not end with a newline" in done.stdout


def test_a_manifest_listing_a_name_twice_or_the_signature_is_refused(good: Good) -> None:
    manifest = manifest_of(good.entries)
    twice = manifest + manifest.splitlines(keepends=True)[0]
    signature = manifest + f"{'0' * 64}  {SIGNER}\n".encode()
    for listed, reason in [(twice, f"lists {PRODUCT} twice"), (signature, f"lists {SIGNER}, which it cannot cover")]:
        done = pinned(good, good.write("listing.zip", signed_by(good.key, good.entries, manifest=listed)))
        assert done.returncode == 1
        assert f"{MANIFEST}: {reason}" in done.stdout


@pytest.mark.parametrize("required", ["verdict.json", PRODUCT])
def test_a_bundle_without_a_required_member_is_refused_though_consistent(good: Good, required: str) -> None:
    entries = signed_by(good.key, [e for e in good.entries if e.name != required])
    done = pinned(good, good.write("required.zip", entries))
    assert done.returncode == 1
    assert f"{required}: missing (every bundle has one)" in done.stdout


def test_a_zip_of_only_an_empty_manifest_is_refused_even_unpinned(good: Good) -> None:
    path = good.write("empty-manifest.zip", [Entry(MANIFEST, b"")])
    for options in [(), ("--allow-unpinned",)]:
        done = verify_cli(good, path, *options)
        assert done.returncode == 1, done.stdout
        assert f"{MANIFEST}: empty" in done.stdout and "verdict.json: missing" in done.stdout


def test_members_and_manifest_lines_must_match_one_to_one(good: Good) -> None:
    extra = [*good.entries, Entry("extra.txt", b"unlisted")]
    gone = signed_by(good.key, good.entries, manifest=manifest_of(good.entries) + f"{'0' * 64}  gone.txt\n".encode())
    assert "extra.txt: not in the manifest" in pinned(good, good.write("extra.zip", extra)).stdout
    assert "gone.txt: listed in the manifest but missing" in pinned(good, good.write("gone.zip", gone)).stdout


# --- signatures and keys -----------------------------------------------------------------------------


def test_a_tampered_bundle_re_signed_by_another_key_is_caught_only_by_pinning(good: Good) -> None:
    forged = good.write("resigned.zip", signed_by(Ed25519PrivateKey.generate(), edited(good.entries, "verdict.json", FORGED_VERDICT)))
    unpinned = verify_cli(good, forged)
    assert unpinned.returncode == 3 and "the signer is NOT pinned" in unpinned.stdout
    caught = pinned(good, forged)
    assert caught.returncode == 1 and f"{SIGNER}: not the key given with --public-key" in caught.stdout


def test_a_tampered_bundle_with_its_signature_stripped_is_not_signed(good: Good) -> None:
    stripped = good.write("stripped.zip", unsigned(edited(good.entries, "verdict.json", FORGED_VERDICT)))
    unpinned = verify_cli(good, stripped)
    assert unpinned.returncode == 3 and "not signed" in unpinned.stdout
    caught = pinned(good, stripped)
    assert caught.returncode == 1 and "not signed" in caught.stdout


@pytest.mark.parametrize("kept", [SIGNATURE, SIGNER])
def test_a_signature_without_its_key_or_a_key_without_a_signature_is_refused(good: Good, kept: str) -> None:
    dropped = SIGNER if kept == SIGNATURE else SIGNATURE
    done = pinned(good, good.write("half.zip", [e for e in good.entries if e.name != dropped]))
    assert done.returncode == 1
    assert f"{dropped}: missing beside {kept}" in done.stdout


def test_a_signature_that_is_not_base64_is_refused(good: Good) -> None:
    done = pinned(good, good.write("garbage-sig.zip", edited(good.entries, SIGNATURE, b"not base64!\n")))
    assert done.returncode == 1
    assert f"{SIGNATURE}: not a base64 Ed25519 signature" in done.stdout


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (pem_public(ec.generate_private_key(ec.SECP256R1())), "not an Ed25519 public key (an EC key)"),
        (pem_public(rsa.generate_private_key(65537, 2048)), "not an Ed25519 public key (an RSA key)"),
        (b"-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n", "not a PEM public key"),
        (b"\x00" * 100, "not a PEM public key"),
    ],
    ids=["ec", "rsa", "bad-pem", "binary"],
)
def test_a_public_key_that_is_not_ed25519_is_one_line_exit_2(good: Good, key: bytes, reason: str) -> None:
    (good.folder / "wrong.pub").write_bytes(key)
    done = verify_cli(good, good.path, "--public-key", str(good.folder / "wrong.pub"))
    assert done.returncode == 2
    assert done.stderr == f"graph-sync-conformance verify: --public-key {good.folder / 'wrong.pub'}: {reason}\n" and not done.stdout


def test_a_private_key_given_as_the_public_key_is_one_line_exit_2(good: Good) -> None:
    done = verify_cli(good, good.path, "--public-key", str(good.folder / "key.pem"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a PEM public key" in done.stderr


def test_a_public_key_path_that_is_not_a_regular_file_is_a_usage_error(good: Good) -> None:
    done = run_cli(["verify", str(good.path), "--public-key", "/dev/null"], folder=good.folder)
    assert done.returncode == 2
    assert "argument --public-key: not a regular file: '/dev/null'" in done.stderr


# --- what the path names -----------------------------------------------------------------------------


def limited_verify(*arguments: str) -> subprocess.CompletedProcess[str]:
    """`graph-sync-conformance verify ARGS` in a process of its own, allowed 2 GiB and 20 s: a verifier
    that reads without bound fails here instead of taking the machine."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, "-m", "conformance.cli", "verify", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=20, preexec_fn=limit)


def test_dev_zero_is_not_a_regular_file(good: Good) -> None:
    done = limited_verify("/dev/zero")
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr == "graph-sync-conformance verify: /dev/zero: not a regular file (a character device)\n" and not done.stdout


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.zip")
    started = time.monotonic()
    done = limited_verify(str(tmp_path / "fifo.zip"))
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr == f"graph-sync-conformance verify: {tmp_path / 'fifo.zip'}: not a regular file (a FIFO)\n"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(("make", "reason"), [("directory", "not a regular file (a directory)"), ("nothing", "no such file")])
def test_a_directory_or_a_missing_path_is_one_line_exit_2(good: Good, tmp_path: Path, make: str, reason: str) -> None:
    path = tmp_path / "b.zip"
    if make == "directory":
        path.mkdir()
    done = verify_cli(good, path)
    assert done.returncode == 2
    assert done.stderr == f"graph-sync-conformance verify: {path}: {reason}\n"


def test_a_file_that_is_not_a_zip_is_refused(good: Good) -> None:
    done = pinned(good, good.write("not.zip", b"PK\x05\x06 but not a zip at all"))
    assert done.returncode == 1 and "not a readable zip file" in done.stdout


# --- what verify prints ------------------------------------------------------------------------------


def test_a_name_with_an_escape_sequence_and_a_newline_cannot_forge_a_line(good: Good) -> None:
    name = "\x1b[2J\x1b[Hx\nforged.zip: every member matches its manifest; signed by SHA256:0"
    done = pinned(good, good.write("ansi.zip", [*good.entries, Entry(name, b"")]))
    assert done.returncode == 1
    assert "\\x1b[2J\\x1b[Hx\\nforged.zip: every member matches its manifest" in done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("forged.zip")]


def test_a_name_standard_output_cannot_encode_is_escaped_not_a_traceback(good: Good) -> None:
    path = good.write("script.zip", [*good.entries, Entry("证据.txt", b"")])
    command = [sys.executable, "-m", "conformance.cli", "verify", str(path), "--public-key", str(good.public)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1 and not done.stderr
    assert done.stdout == f"{path}: \\u8bc1\\u636e.txt: not in the manifest\n"


# --- the writer --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../verdict.json", "not a clean relative path"),
        (MANIFEST, "a name the bundle keeps for itself"),
        ("a\nb", "not a clean relative path"),
    ],
)
def test_build_refuses_a_name_verify_would_refuse_and_leaves_no_file(tmp_path: Path, name: str, reason: str) -> None:
    members, product = write_reports(tmp_path)
    with pytest.raises(BundleError, match=reason):
        bundle.build(tmp_path / "out.zip", {**members, name: members["report.html"]}, product)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*REPORTS, "PRODUCT.yaml"])


def test_build_needs_the_verdict(tmp_path: Path) -> None:
    members, product = write_reports(tmp_path)
    del members["verdict.json"]
    with pytest.raises(BundleError, match=r"verdict\.json"):
        bundle.build(tmp_path / "out.zip", members, product)
    assert not (tmp_path / "out.zip").exists()


def test_build_refuses_a_member_past_the_bound_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members, product = write_reports(tmp_path)
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", len(REPORTS["evidence.jsonl"]) - 1)
    with pytest.raises(BundleError, match=r"evidence\.jsonl: more than \d+ bytes"):
        bundle.build(tmp_path / "out.zip", members, product)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*REPORTS, "PRODUCT.yaml"])


def test_build_with_a_key_that_is_not_ed25519_leaves_no_file(tmp_path: Path) -> None:
    members, product = write_reports(tmp_path)
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pem").write_bytes(private_pem(key))
    with pytest.raises(BundleError, match="not an Ed25519 key"):
        bundle.build(tmp_path / "out.zip", members, product, tmp_path / "ec.pem")
    assert not (tmp_path / "out.zip").exists()


NAME_CHARACTERS = st.characters(codec="utf-8") | st.sampled_from("/.\\:\x00\n\x1b\u202e")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(NAME_CHARACTERS, max_size=12), st.binary(max_size=64), max_size=4))
def test_whatever_build_writes_verify_accepts(good: Good, tmp_path: Path, extra: dict[str, bytes]) -> None:
    members, product = write_reports(tmp_path)
    for index, (name, content) in enumerate(extra.items()):
        (tmp_path / f"extra-{index}").write_bytes(content)
        members[name] = tmp_path / f"extra-{index}"
    out = tmp_path / "out.zip"
    out.unlink(missing_ok=True)
    try:
        bundle.build(out, members, product, good.folder / "key.pem")
    except BundleError:
        assert not out.exists() and not (tmp_path / ".out.zip.partial").exists()
        return
    result = verification.verify(out, good.public)
    assert not result.problems and result.pinned, result.problems


# --- random damage -----------------------------------------------------------------------------------

TRICKY_NAMES = ["verdict.json", "VERDICT.JSON", "verdict.json\x00", "../verdict.json", "/verdict.json", "a\\b", "x\n", MANIFEST, SIGNER, ""]


@st.composite
def mutants(draw: st.DrawFn, entries: list[Entry], original: bytes) -> bytes:
    """A good bundle rebuilt with members duplicated, renamed, dropped or changed, then damaged byte by
    byte: flipped, cut short, added to."""
    rebuilt = list(entries)
    for _ in range(draw(st.integers(0, 2))):
        index = draw(st.integers(0, len(rebuilt) - 1))
        action = draw(st.sampled_from(["duplicate", "rename", "drop", "change", "store"]))
        entry = rebuilt[index]
        if action == "duplicate":
            copy = replace(entry, content=draw(st.sampled_from([entry.content, FORGED_VERDICT])))
            rebuilt.insert(draw(st.integers(0, len(rebuilt))), copy)
        elif action == "rename":
            rebuilt[index] = replace(entry, name=draw(st.sampled_from(TRICKY_NAMES) | st.text(NAME_CHARACTERS, max_size=8)))
        elif action == "drop":
            del rebuilt[index]
        elif action == "change":
            rebuilt[index] = replace(entry, content=entry.content + draw(st.binary(min_size=1, max_size=8)))
        else:
            rebuilt[index] = replace(entry, method=zipfile.ZIP_STORED)
    raw = bytearray(raw_zip(rebuilt) if rebuilt != entries else original)
    for _ in range(draw(st.integers(0 if rebuilt != entries else 1, 3))):
        action = draw(st.sampled_from(["flip", "truncate", "append"]))
        if action == "flip" and raw:
            raw[draw(st.integers(0, len(raw) - 1))] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del raw[draw(st.integers(0, len(raw))) :]
        else:
            raw += draw(st.binary(min_size=1, max_size=64))
    return bytes(raw)


def intact(raw: bytes, entries: list[Entry], but: tuple[str, ...] = ()) -> bool:
    """Whether `raw` holds exactly the good bundle's members (but those named), each name once, as
    zipfile reads them."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            held = [(info.orig_filename, archive.read(info)) for info in archive.infolist()]
    except Exception:
        return False
    return sorted(m for m in held if m[0] not in but) == sorted((str(e.name), e.content) for e in entries if e.name not in but)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_damage_never_passes_never_raises_and_prints_clean_lines(good: Good, data: st.DataObject) -> None:
    """Pinned, verify passes only the members and signature intact; unpinned, it never passes (3 at
    best: the members intact, the signature intact or stripped whole)."""
    raw = data.draw(mutants(good.entries, good.path.read_bytes()))
    path = good.write("mutant.zip", raw)
    with_key, without_key = pinned(good, path), verify_cli(good, path)
    assert with_key.returncode in (0, 1) and without_key.returncode in (1, 3), with_key.stdout + without_key.stdout
    if with_key.returncode == 0:
        assert intact(raw, good.entries), with_key.stdout
    if without_key.returncode == 3:
        assert intact(raw, good.entries, but=(SIGNATURE, SIGNER)), without_key.stdout

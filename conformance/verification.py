"""`verify`: whether a bundle holds exactly what `build` wrote, and who signed it, trusting nothing the
file says about itself.

- The path is opened only if it is a regular file (conformance/files.py: a FIFO would wait for a writer, /dev/zero never
  ends), without blocking, and checked on the open file.
- No read is unbounded: the zip's directory (bundle.MAX_DIRECTORY_BYTES), each member as it is
  inflated, whatever its header declares (MAX_MEMBER_BYTES), all of them (MAX_TOTAL_BYTES). Members
  are hashed a chunk at a time; only the manifest, the signature and the key are held, to be parsed.
- Each member is taken as zipfile and unzip would see it: a name held twice (unzip extracts one of
  them, not necessarily the one hashed), a name that is not a clean relative path (zipfile cuts a name
  at a NUL), an encrypted member or another compression method is refused before anything is read.
- A signature by the key the bundle carries proves only that someone signed it: anyone can change a
  member, rewrite the manifest and sign it with a key of theirs. `Verification.pinned` says whether it
  holds for the key the caller gave; the command line makes the difference an exit code.

Every finding is one line naming what it is about, anything that came from the file shown escaped
(text.shown), so no name can act on a terminal or forge a line.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .bundle import (
    COMPRESSIONS,
    MANIFEST,
    MAX_DIRECTORY_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    REQUIRED,
    SIGNATURE,
    SIGNER,
    UNLISTED,
    fingerprint,
    folded,
    name_problem,
    public_pem,
    streamed,
)
from .errors import PastBound, UsageError
from .files import regular_file
from .text import shown

ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, OverflowError, NotImplementedError, zlib.error)
"""What zipfile raises on bytes that are no zip it can read: a truncated or misplaced directory, a
bad CRC, a header that names another member, an offset past the file, a version it does not know."""
ENCRYPTED = 0x0001 | 0x0040 | 0x2000
"""The general-purpose flags of encryption: traditional, strong, and an encrypted directory."""
DATA_DESCRIPTOR = 0x0008
"""The flag of a member whose CRC and sizes follow its data (its local header holds zeros)."""
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LINE = re.compile(r"([0-9a-f]{64})  (.*)")
_KEY_KINDS = {rsa.RSAPublicKey: "an RSA key", ec.EllipticCurvePublicKey: "an EC key", dsa.DSAPublicKey: "a DSA key"}


@dataclass(frozen=True)
class Verification:
    problems: list[str]
    """Each finding, one line naming the member (or the file) it is about; none when all is intact."""
    signer: str | None
    """The signing key's fingerprint, when the bundle is signed and the signature holds."""
    pinned: bool = False
    """Whether the signature holds for the key the caller gave, not just for the one the bundle carries."""


def verify(bundle: Path, public_key: Path | None = None) -> Verification:
    """Every member's SHA-256 against the manifest, and the manifest's signature against `public_key`
    (which the bundle's SIGNER.pub must equal) or else against the key the bundle carries (unpinned).

    Raises UsageError for what was given rather than what it holds: a path that is not a regular
    file, a key that is not an Ed25519 public key."""
    given = _given_key(public_key) if public_key is not None else None
    with regular_file(bundle, shown(str(bundle))) as file:
        reads = _BoundedReads(file)
        try:
            archive = zipfile.ZipFile(reads)
        except ZIP_ERRORS as exc:
            return Verification([f"not a readable zip file ({_said(exc)})"], None)
        with archive:
            return _verified(archive, reads, given)


@dataclass
class _Findings:
    """What verify found so far, a line each."""

    lines: list[str] = field(default_factory=list)
    faulty: set[str] = field(default_factory=set)
    """The members already found wanting: one fault of a member is said once, not once per check."""

    def member(self, name: str, problem: str) -> None:
        if name not in self.faulty:
            self.faulty.add(name)
            self.lines.append(f"{shown(name)}: {problem}")


def _verified(archive: zipfile.ZipFile, reads: _BoundedReads, given: Ed25519PublicKey | None) -> Verification:
    found = _Findings()
    entries = _entries(archive, reads, found)
    if entries is None:
        return Verification(found.lines, None)
    digests, held = _read(archive, entries, found)
    for name in REQUIRED:
        if name not in entries:
            found.member(name, "missing (every bundle has one)")
    if MANIFEST in held:
        _compare(held[MANIFEST], digests, found)
    signer, pinned = _signature(held, given, found)
    return Verification(found.lines, signer, pinned)


def _entries(archive: zipfile.ZipFile, reads: _BoundedReads, found: _Findings) -> dict[str, zipfile.ZipInfo] | None:
    """The members to read, by name: those whose name, flags, method and declared size verify accepts
    (the others found wanting); None when the bundle is not to be read at all."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        found.lines.append(f"more than {MAX_MEMBERS} members ({len(infos)}): not read")
        return None
    names = Counter(folded(info.orig_filename) for info in infos)
    accepted = {}
    for info in infos:
        if problem := _entry_problem(info, names[folded(info.orig_filename)]):
            found.member(info.orig_filename, problem)
        elif _header_disagrees(reads, info):
            disagreeing = "its local header disagrees with the directory: unzip may extract other bytes than those hashed"
            found.member(info.orig_filename, disagreeing)
        else:
            accepted[info.orig_filename] = info
    declared = sum(info.file_size for info in accepted.values())
    if declared > MAX_TOTAL_BYTES:
        found.lines.append(f"the members declare {declared} bytes in all, past the bound of {MAX_TOTAL_BYTES}: not read")
        return None
    return accepted


def _entry_problem(info: zipfile.ZipInfo, alike: int) -> str | None:
    """Why a member is refused before it is read (`alike`: how many members fold to its name), or None.
    By its raw name, not zipfile's (cut at a NUL)."""
    name = info.orig_filename
    if problem := name_problem(name):
        return f"not a clean relative path ({problem}): unzip would write it elsewhere, or show another name"
    if alike > 1:
        return "more than one member has this name (or one differing from it only in case): unzip gives just one of them"
    if info.flag_bits & ENCRYPTED:
        return "encrypted: what cannot be read cannot be verified"
    if info.compress_type not in COMPRESSIONS:
        return f"compressed by method {info.compress_type}, neither stored (0) nor deflate (8)"
    bound = MAX_MANIFEST_BYTES if name in UNLISTED else MAX_MEMBER_BYTES
    if info.file_size > bound:
        return f"declares {info.file_size} bytes, past the bound of {bound}"
    return None


def _header_disagrees(reads: _BoundedReads, info: zipfile.ZipInfo) -> bool:
    """Whether a member's local header says otherwise than the zip's directory about how to read it
    (method, encryption, CRC and sizes): zipfile reads by the directory, some tools by the header."""
    try:
        reads.seek(info.header_offset)
        header = reads.read(_LOCAL_HEADER.size)
    except ZIP_ERRORS:
        return False  # said when the member is read
    if len(header) < _LOCAL_HEADER.size or not header.startswith(b"PK\x03\x04"):
        return False  # likewise
    _, _, _, flags, method, _, _, crc, packed, size, _, _ = _LOCAL_HEADER.unpack(header)
    if method != info.compress_type or (flags ^ info.flag_bits) & (ENCRYPTED | DATA_DESCRIPTOR):
        return True
    return not flags & DATA_DESCRIPTOR and (crc, packed, size) != (info.CRC, info.compress_size, info.file_size)


def _read(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], found: _Findings) -> tuple[dict[str, str], dict[str, bytes]]:
    """Each member's SHA-256, streamed; and the bytes of the manifest, the signature and the key."""
    digests: dict[str, str] = {}
    held: dict[str, bytes] = {}
    left = MAX_TOTAL_BYTES
    for name, info in entries.items():
        kept = bytearray() if name in UNLISTED else None
        bound = min(MAX_MEMBER_BYTES if kept is None else MAX_MANIFEST_BYTES, left)
        try:
            with archive.open(info) as stream:
                digests[name], size = streamed(stream, bound, None if kept is None else kept.extend)
        except PastBound as exc:
            found.member(name, f"{exc} when inflated, past its bound")
        except ZIP_ERRORS as exc:  # bytes the zip cannot give back
            found.member(name, f"damaged ({_said(exc)})")
        else:
            left -= size
            if kept is not None:
                held[name] = bytes(kept)
    return digests, held


def _compare(manifest: bytes, digests: dict[str, str], found: _Findings) -> None:
    """Each member against its manifest line: changed, listed but missing, or not listed."""
    listed = _listed(manifest, found)
    if listed is None:
        return
    for name, digest in listed.items():
        if name not in digests:
            found.member(name, "listed in the manifest but missing")
        elif digests[name] != digest:
            found.member(name, "changed (its SHA-256 does not match the manifest)")
    for name in sorted(set(digests) - set(listed) - set(UNLISTED)):
        found.member(name, "not in the manifest")


def _listed(manifest: bytes, found: _Findings) -> dict[str, str] | None:
    """The manifest's SHA-256 by name, when it is as build writes it: a line a member, each
    `SHA-256  NAME` and a newline; else None, and why not found."""
    try:
        listed, faults = _parsed(manifest.decode("utf-8"))
    except UnicodeDecodeError:
        listed, faults = {}, ["not UTF-8"]
    found.lines += [f"{MANIFEST}: {fault}" for fault in faults]
    return None if faults else listed


def _parsed(text: str) -> tuple[dict[str, str], list[str]]:
    if not text:
        return {}, ["empty: it vouches for nothing"]
    lines = text.split("\n")
    if lines.pop():
        return {}, ["its last line does not end with a newline"]
    listed: dict[str, str] = {}
    faults, malformed, seen = [], [], set()
    for number, line in enumerate(lines, 1):
        match = _LINE.fullmatch(line)
        if match is None or name_problem(match[2]):
            malformed.append(number)
        elif match[2] in UNLISTED:
            faults.append(f"lists {match[2]}, which it cannot cover")
        elif folded(match[2]) in seen:
            faults.append(f"lists {shown(match[2])} twice")
        else:
            seen.add(folded(match[2]))
            listed[match[2]] = match[1]
    if malformed:
        line = lines[malformed[0] - 1]
        excerpt = shown(line[:80]) + ("…" if len(line) > 80 else "")
        more = f" ({len(malformed) - 1} more like it)" if len(malformed) > 1 else ""
        faults.append(f"line {malformed[0]} is not 64 lower-case hex digits, two spaces and a clean relative name{more}: {excerpt}")
    return listed, faults


def _signature(held: dict[str, bytes], given: Ed25519PublicKey | None, found: _Findings) -> tuple[str | None, bool]:
    """The signer's fingerprint when the manifest's signature holds, and whether for the key given."""
    signature, carried = held.get(SIGNATURE), held.get(SIGNER)
    if MANIFEST not in held or {SIGNATURE, SIGNER} & found.faulty:
        return None, False  # what stands in the way is said already
    if signature is None and carried is None:
        if given is not None:
            found.member(SIGNATURE, "missing: the bundle is not signed, and --public-key asks for its signer")
        return None, False
    if signature is None or carried is None:
        present, absent = (SIGNATURE, SIGNER) if carried is None else (SIGNER, SIGNATURE)
        found.member(absent, f"missing beside {present}")
        return None, False
    try:
        own = _ed25519_public(carried)
    except ValueError as exc:
        found.member(SIGNER, str(exc))
        return None, False
    if public_pem(own) != carried:
        found.member(SIGNER, "not a key as build writes one (PEM, SubjectPublicKeyInfo)")
    elif given is not None and public_pem(given) != carried:
        found.member(SIGNER, "not the key given with --public-key")
    key = given or own
    try:
        key.verify(_signature_bytes(signature), held[MANIFEST])
    except ValueError:
        found.member(SIGNATURE, "not a base64 Ed25519 signature and a newline, as build writes one")
        return None, False
    except InvalidSignature:
        found.member(SIGNATURE, f"does not hold for {MANIFEST} with the key {'given with --public-key' if given else 'in ' + SIGNER}")
        return None, False
    return fingerprint(key), given is not None


def _signature_bytes(text: bytes) -> bytes:
    """The 64 bytes of a signature written as build writes it (base64 and a newline); ValueError else."""
    raw = base64.b64decode(text.removesuffix(b"\n"), validate=True)  # binascii.Error is a ValueError
    if len(raw) != 64 or base64.b64encode(raw) + b"\n" != text:
        raise binascii.Error("not one signature, written as build writes it")
    return raw


def _ed25519_public(pem: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key in `pem`; ValueError saying what else it is."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        kind = next((name for cls, name in _KEY_KINDS.items() if isinstance(key, cls)), "another kind of key")
        raise ValueError(f"not an Ed25519 public key ({kind})")
    return key


def _given_key(path: Path) -> Ed25519PublicKey:
    label = f"--public-key {shown(str(path))}"
    with regular_file(path, label) as file:
        pem = file.read(MAX_MANIFEST_BYTES + 1)
    try:
        return _ed25519_public(pem)
    except ValueError as exc:
        raise UsageError(f"{label}: {exc}") from None


class _BoundedReads:
    """The bundle as zipfile reads it, no one read larger than MAX_DIRECTORY_BYTES. zipfile reads a
    zip's central directory in one read of the size its end record declares, and members a chunk at
    a time: a directory past the bound is refused (as a BadZipFile) before it is read into memory."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._size = os.fstat(file.fileno()).st_size

    def read(self, size: int = -1) -> bytes:
        if (self._size - self._file.tell() if size < 0 else size) > MAX_DIRECTORY_BYTES:
            raise zipfile.BadZipFile(f"its central directory is larger than {MAX_DIRECTORY_BYTES} bytes")
        return self._file.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def seekable(self) -> bool:
        return True


def _said(exc: BaseException) -> str:
    return shown(str(exc) or type(exc).__name__)

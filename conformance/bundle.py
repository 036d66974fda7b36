"""The certification bundle: the run's reports and evidence, a vendor's PRODUCT.yaml, a SHA-256
manifest over all of them and, optionally, an Ed25519 signature of the manifest.

What a bundle may hold is written down once, here, and both sides keep to it: `build` writes only
what `verify` accepts, and `verify` (verification.py) refuses everything else. Names are clean
relative paths, each held once; a member is stored or deflated, never encrypted; sizes stay within the
bounds below; the manifest lists every member but itself and what signs it, one line each.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jsonschema import Draft202012Validator

from .contract import json_schema, schema_errors
from .errors import BundleError, PastBound, UnusableFile
from .files import load_yaml, named
from .text import shown

MANIFEST = "MANIFEST.sha256"
SIGNATURE = "MANIFEST.sha256.sig"
SIGNER = "SIGNER.pub"
PRODUCT = "PRODUCT.yaml"
VERDICT = "verdict.json"
REQUIRED = (VERDICT, PRODUCT, MANIFEST)
"""What makes a bundle a certification: the verdict, the product it is about, the hashes."""
UNLISTED = (MANIFEST, SIGNATURE, SIGNER)
"""The members the manifest cannot list: itself, and what signs it."""
COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The methods build writes and every unzip reads; zipfile reads others (bzip2, lzma) that some
tools cannot, and refuses the rest with a traceback."""

MAX_MEMBERS = 1000
"""A bundle holds a handful of members and one evidence file per pytest-xdist worker: a thousand
leaves room for any -n, and bounds the objects zipfile makes of a directory."""
MAX_NAME_BYTES = 255
"""The longest file name most file systems take (a name is written as one file when unzipped)."""
MAX_DIRECTORY_BYTES = 1 << 20
"""zipfile reads a zip's central directory in one read, whatever size its end record declares:
past 1 MiB the bundle is not read. MAX_MEMBERS entries of MAX_NAME_BYTES names take 301 KB."""
MAX_MANIFEST_BYTES = 1 << 20
"""The manifest, the signature and the key are held whole to be parsed: MAX_MEMBERS manifest lines of
MAX_NAME_BYTES names take 322 KB; a signature is 89 bytes, a key 113."""
MAX_MEMBER_BYTES = 512 << 20
"""The most one member may hold (read in chunks, never held whole; a zip bomb stops here). A default
run's evidence.jsonl takes 2.5 MB, some 60 KB a generated case: this is about 8,000 cases a probe in
one file (-n writes one file a worker); past it build refuses, saying so."""
MAX_TOTAL_BYTES = 2 << 30
"""The most all members together may hold: what bounds the time verify takes (a few seconds a GiB)."""
CHUNK_BYTES = 1 << 16
"""How much of a member is read at a time, to hash it and copy it."""

_DRIVE = re.compile(r"[A-Za-z]:")


def name_problem(name: str) -> str | None:
    """Why `name` is not a clean relative path a bundle may hold, or None. unzip writes a member where
    its name points and terminals draw it: a name must stay inside the folder it is unzipped into and
    show as what it is."""
    if not name:
        return "empty"
    if "\0" in name:
        return "a NUL"
    if "\\" in name:
        return "a backslash"
    if shown(name) != name:
        return "a control or invisible character"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    if name.startswith("/"):
        return "absolute"
    if _DRIVE.match(name):
        return "a drive"
    segments = name.split("/")
    if "" in segments:
        return "an empty segment"
    if {".", ".."} & set(segments):
        return "a '.' or '..' segment"
    return None


def folded(name: str) -> str:
    """What `name` becomes on a file system that ignores case or normalises Unicode (Windows, macOS):
    two members folded alike unzip into one file."""
    return unicodedata.normalize("NFC", name).casefold()


def streamed(source: IO[bytes], bound: int, sink: Callable[[bytes], object] | None = None) -> tuple[str, int]:
    """The SHA-256 of what `source` gives and its length, read a chunk at a time and each chunk handed
    to `sink`: memory stays flat whatever the size. Past `bound` bytes reading stops (PastBound), what
    any header declared notwithstanding."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > bound:
            raise PastBound(f"more than {bound} bytes")
        digest.update(chunk)
        if sink is not None:
            sink(chunk)
    return digest.hexdigest(), size


def fingerprint(key: Ed25519PublicKey) -> str:
    """How a signer is named: the SHA-256 of its PEM (without its last newline)."""
    return "SHA256:" + hashlib.sha256(public_pem(key).strip()).hexdigest()


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The key as build writes it into SIGNER.pub, and as verify requires it there."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def product_problems(path: Path) -> list[str]:
    """Why PRODUCT.yaml cannot describe a product, each in one line naming the file: read within
    bounds (conformance/files.py), then against schemas/product.schema.json."""
    try:
        data = load_yaml(path)
    except UnusableFile as exc:
        return [str(exc)]
    validator = Draft202012Validator(json_schema("product.schema.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{named(path)}: {shown(str(error))}" for error in schema_errors(validator, data)]


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"--sign-key {path}: not a readable unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"--sign-key {path}: not an Ed25519 key")
    return key


def _names_problem(names: list[str]) -> str | None:
    """Why build cannot write members of these names, or None: each must be one verify accepts."""
    if len(names) + len(UNLISTED) > MAX_MEMBERS:
        return f"{len(names)} members, more than a bundle may hold ({MAX_MEMBERS - len(UNLISTED)})"
    if VERDICT not in names:
        return f"no {VERDICT}: a bundle is the record of a verdict"
    seen: dict[str, str] = {}
    for name in names:
        if name in UNLISTED:
            return f"{name}: a name the bundle keeps for itself"
        if problem := name_problem(name):
            return f"{shown(name)}: not a clean relative path ({problem})"
        if (other := seen.setdefault(folded(name), name)) != name:
            return f"{shown(name)} and {shown(other)}: one file where case is ignored"
    return None


@contextmanager
def _written_whole(out: Path) -> Iterator[Path]:
    """A file beside `out` to write it in, put in its place only once written whole: a bundle that
    could not be finished leaves nothing behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        yield partial
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def _copied(archive: zipfile.ZipFile, name: str, path: Path, bound: int) -> tuple[str, int]:
    """Copy the file `path` into the bundle as `name`, deflated, with its time and mode, hashing it on
    the way: the manifest covers exactly the bytes written. Its SHA-256 and size."""
    try:
        info = zipfile.ZipInfo.from_file(path, name, strict_timestamps=False)
        source = path.open("rb")
    except OSError as exc:
        raise BundleError(f"{name}: cannot read {path} ({exc.strerror or exc})") from None
    info.compress_type = zipfile.ZIP_DEFLATED
    with source, archive.open(info, "w") as sink:
        try:
            return streamed(source, bound, sink.write)
        except PastBound as exc:
            past = f"past what verify reads ({MAX_MEMBER_BYTES} a member, {MAX_TOTAL_BYTES} in all)"
            raise BundleError(f"{name}: {exc}, {past}") from None


def build(out: Path, members: dict[str, Path], product: Path, sign_key: Path | None = None) -> None:
    """Write the bundle: `members` (name in the bundle -> file), PRODUCT.yaml, the manifest, a signature.
    A bundle build cannot finish leaves nothing behind (BundleError says why)."""
    problems = product_problems(product)
    if problems:
        raise BundleError(f"PRODUCT.yaml is not valid: {problems[0]}")
    sources = {**members, PRODUCT: product}
    if problem := _names_problem(list(sources)):
        raise BundleError(problem)
    key = _load_private_key(sign_key) if sign_key is not None else None
    try:
        with _written_whole(out) as partial, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            lines, left = [], MAX_TOTAL_BYTES
            for name, path in sorted(sources.items()):
                digest, size = _copied(archive, name, path, min(MAX_MEMBER_BYTES, left))
                lines.append(f"{digest}  {name}\n")
                left -= size
            manifest = "".join(lines).encode()
            archive.writestr(MANIFEST, manifest)
            if key is not None:
                archive.writestr(SIGNATURE, base64.b64encode(key.sign(manifest)) + b"\n")
                archive.writestr(SIGNER, public_pem(key.public_key()))
    except OSError as exc:
        raise BundleError(f"{out}: cannot be written ({exc.strerror or exc})") from None

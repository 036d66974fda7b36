"""The certification bundle: the run's reports and evidence, a vendor's PRODUCT.yaml, a SHA-256
manifest over all of them and, optionally, an Ed25519 signature of the manifest.

`verify` needs nothing but the bundle (and, to pin the signer, their public key): it recomputes every
hash and checks the signature offline, naming each member that does not match.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jsonschema import Draft202012Validator

from .contract import json_schema, schema_errors
from .errors import BundleError

MANIFEST = "MANIFEST.sha256"
SIGNATURE = "MANIFEST.sha256.sig"
SIGNER = "SIGNER.pub"
PRODUCT = "PRODUCT.yaml"


def product_problems(path: Path) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [f"{path}: {str(exc).splitlines()[0]}"]
    validator = Draft202012Validator(json_schema("product.schema.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{path}: {error}" for error in schema_errors(validator, data)]


def _manifest(members: dict[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(members.items())).encode()


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"--sign-key {path}: not a readable unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"--sign-key {path}: not an Ed25519 key")
    return key


def build(out: Path, members: dict[str, Path], product: Path, sign_key: Path | None = None) -> None:
    """Write the bundle: `members` (name in the bundle -> file), PRODUCT.yaml, the manifest, a signature."""
    problems = product_problems(product)
    if problems:
        raise BundleError(f"PRODUCT.yaml is not valid: {problems[0]}")
    contents = {name: path.read_bytes() for name, path in members.items()}
    contents[PRODUCT] = product.read_bytes()
    manifest = _manifest(contents)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(contents.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest)
        if sign_key is not None:
            key = _load_private_key(sign_key)
            archive.writestr(SIGNATURE, base64.b64encode(key.sign(manifest)) + b"\n")
            public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            archive.writestr(SIGNER, public)


@dataclass
class Verification:
    problems: list[str]
    signer: str | None
    """The signing key's SHA-256 fingerprint, when the bundle is signed and the signature holds."""


def _fingerprint(public_pem: bytes) -> str:
    return "SHA256:" + hashlib.sha256(public_pem.strip()).hexdigest()


def _read(archive: zipfile.ZipFile, problems: list[str]) -> dict[str, bytes]:
    """Every member the zip can give back; the others are named as damaged."""
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        try:
            files[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:  # bytes the zip cannot read back
            problems.append(f"{info.filename}: damaged ({exc})")
    return files


def _manifest_problems(files: dict[str, bytes], damaged: list[str]) -> list[str]:
    """Each member whose SHA-256 is not the manifest's, that is missing, or that the manifest does not list."""
    listed: dict[str, str] = {}
    for line in files[MANIFEST].decode("utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    problems = []
    for name, digest in listed.items():
        if name not in files:
            if not any(p.startswith(f"{name}:") for p in damaged):
                problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            problems.append(f"{name}: changed (its SHA-256 does not match the manifest)")
    problems += [f"{name}: not in the manifest" for name in sorted(set(files) - set(listed) - {MANIFEST, SIGNATURE, SIGNER})]
    return problems


def _signature_problems(files: dict[str, bytes], public_key: Path | None) -> tuple[list[str], str | None]:
    """Whether the manifest's signature holds (with the key given, which the included one must equal),
    and the signer's fingerprint when it does."""
    pem = public_key.read_bytes() if public_key is not None else files.get(SIGNER, b"")
    problems = []
    if public_key is not None and SIGNER in files and files[SIGNER].strip() != pem.strip():
        problems.append(f"{SIGNER}: not the key given with --public-key")
    try:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 key")
        key.verify(base64.b64decode(files.get(SIGNATURE, b"")), files[MANIFEST])
    except (InvalidSignature, ValueError, TypeError) as exc:
        where = "--public-key" if public_key is not None else SIGNER
        problems.append(f"{SIGNATURE}: the signature does not hold for {MANIFEST} with the key in {where} ({type(exc).__name__})")
        return problems, None
    return problems, _fingerprint(pem)


def verify(bundle: Path, public_key: Path | None = None) -> Verification:
    try:
        archive = zipfile.ZipFile(bundle)
    except (OSError, zipfile.BadZipFile) as exc:
        return Verification([f"{bundle}: not a readable zip file ({exc})"], None)
    problems: list[str] = []
    with archive:
        files = _read(archive, problems)
    if MANIFEST not in files:
        return Verification([*problems, f"{MANIFEST}: missing or damaged"], None)
    problems += _manifest_problems(files, problems)
    signer = None
    if SIGNATURE in files or public_key is not None:
        signed, signer = _signature_problems(files, public_key)
        problems += signed
    return Verification(problems, signer)

"""npm packages the tests compare the suite with (Stoplight Prism, the HAR 1.2 schema), installed once
into the user's cache, or the test skipped with the reason where npm or the registry is not at hand."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conformance.config import user_cache


def npm_package(spec: str) -> Path:
    """The folder `npm install spec` made (its node_modules inside), installed on first use."""
    cache = user_cache(os.environ) / spec.replace("/", "+")
    if (cache / "node_modules").is_dir():
        return cache
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, so {spec} cannot be")
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cache.parent, prefix=".npm-"))
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(staging), spec],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"npm could not install {spec}: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    try:
        staging.rename(cache)  # atomic: another worker may have got there first
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return cache

"""The run's configuration as one value, built once from the command line and the environment."""

from __future__ import annotations

import argparse
import os
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_MAX_EXAMPLES = 40
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_RUN_TIMEOUT = 900.0
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_SEED = 20260206  # fixed, so that a default run is reproducible and comparable across runs
TOKEN_ENV = "GRAPH_TOKEN"


def guid(text: str) -> str:
    """argparse type for --application-id: a canonical GUID, kept as the user wrote it."""
    try:
        uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a GUID (expected e.g. 8-4-4-4-12 hex digits)") from None
    if len(text) != 36:
        raise argparse.ArgumentTypeError(f"{text!r} is not a canonical GUID (8-4-4-4-12 hex digits, no braces)")
    return text


def base_url(text: str) -> str:
    """argparse type for --base-url: an absolute http(s) URL, the service root."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an http(s) URL: give the service root with its version, "
            "e.g. https://graph.microsoft.com/beta"
        )
    return text


def existing_file(text: str) -> str:
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return text


def _positive(convert: Callable[[str], float], what: str) -> Callable[[str], Any]:
    """An argparse type for a number above zero."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
        return value

    return parse


positive_float = _positive(float, "a number of seconds")
positive_int = _positive(int, "a whole number")


@dataclass(frozen=True)
class RunSettings:
    base_url: str | None
    """None: the embedded reference server is the target."""
    token: str | None
    """None: no Authorization header is sent."""
    application_ids: tuple[str, ...]
    max_examples: int
    seed: int

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @classmethod
    def build(
        cls,
        base_url: str | None,
        token: str | None,
        application_ids: list[str],
        max_examples: int,
        seed: int,
        token_from_env: bool = True,
    ) -> RunSettings:
        """`token_from_env`: fall back to $GRAPH_TOKEN (not when tokens come from client credentials)."""
        if base_url is None:
            token = secrets.token_urlsafe(24)  # the embedded server's own, never the user's
        elif token is None and token_from_env:
            token = os.environ.get(TOKEN_ENV) or None
        # Default application ids are fresh for each seed and the same for the same seed, so a rerun
        # with --seed sends the same requests.
        ids = tuple(application_ids) or (str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4)),)
        return cls(base_url, token, ids, max_examples, seed)


def altered(token: str) -> str:
    """The token with its last character changed: a credential the server must refuse. It is as
    secret as the token (it gives most of it away), so it is redacted like the token."""
    return token[:-1] + ("B" if token.endswith("A") else "A")

"""The configuration file: `graph-sync-conformance.toml` (its top level holds the settings) or the
`[tool.graph-sync-conformance]` table of `pyproject.toml`, found in the working folder or given with
`--config=FILE`. Each key is an option's name without its dashes (`max-examples = 10`); credentials
appear only as the names of the environment variables that hold them (`token-env = "GRAPH_TOKEN"`).

What a file holds is checked as the command line is, before anything is sent: an unknown key, a value
of the wrong type or one the option's own check refuses is a usage error naming the file and line.

Where a key stands: tomllib (the standard library's parser) reads the file but gives values no
positions, nor does tomlkit (its issue #55 asks for them); a scan of the text for `key =` would have to
know TOML's quoting, dotted keys and multi-line strings. So the parser itself is asked: the key is
defined once more where a definition cannot clash with anything but the user's own (the top of the
file, or just below the table's header), and TOML's rule that a key is defined once makes tomllib
report the user's definition, by line. One parser, so the line is right wherever TOML allows the key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .errors import UsageError
from .text import shown

STANDALONE = "graph-sync-conformance.toml"
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "graph-sync-conformance")
MAX_BYTES = 1024 * 1024
"""A configuration file is a few hundred bytes, a project's pyproject.toml a few KiB: a file past 1 MiB
(a log, a device given by mistake) is refused before it is read whole."""

CREDENTIALS = {"token": "token-env", "client-secret": "client-secret-env"}
"""Keys that would hold a credential, and the key that names its environment variable instead."""


@dataclass(frozen=True)
class Key:
    """A setting the file may hold: how TOML must give it, and the option's own check of its text."""

    name: str
    dest: str
    kind: str
    """integer, number, boolean, text, path or list of text (see KINDS)."""
    check: Callable[[str], Any] | None = None


KINDS: dict[str, tuple[tuple[type, ...], str]] = {
    "integer": ((int,), "a whole number"),
    "number": ((int, float), "a number"),
    "boolean": ((bool,), "true or false"),
    "text": ((str,), "a string"),
    "rate": ((str, int), 'a string such as "100/m", or a number of requests per second'),
    "path": ((str,), "a string: a file's path, relative to this file's folder"),
    "list": ((list,), "an array of strings"),
    "variable": ((str,), "a string: the name of an environment variable"),
}

VARIABLE = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
"""An environment variable's name as a configuration names one. Upper case only: a value in lower or
mixed case is more likely the credential itself than a variable's name."""


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    values: Mapping[str, Any]
    """dest -> value, checked and converted as the option's own type converts its text."""

    @property
    def source(self) -> str:
        return f"file:{self.path}"


def locate(given: str | None, folder: Path) -> Path | None:
    """The file a run reads: the one given, else graph-sync-conformance.toml in `folder`, else
    `folder`'s pyproject.toml when it has the suite's table. Only one is read: files are never merged."""
    if given is not None:
        return Path(given)
    if (folder / STANDALONE).is_file():
        return folder / STANDALONE
    pyproject = folder / PYPROJECT
    if pyproject.is_file():
        try:
            with pyproject.open("rb") as handle:
                head = handle.read(MAX_BYTES + 1)
        except OSError:
            return None
        if b"graph-sync-conformance" in head:  # loaded (and checked) only when it may hold the table
            return pyproject
    return None


def load(path: Path, keys: Sequence[Key]) -> ConfigFile:
    """The file's settings, every one checked; UsageError `FILE:LINE: what, and how to fix it`."""
    text = _read(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = _position(str(exc), text)
        raise UsageError(f"{shown(str(path))}:{line}: not valid TOML: {message}") from None
    pyproject = path.name == PYPROJECT
    table: Any = document
    for part in TABLE if pyproject else ():
        table = table.get(part, {}) if isinstance(table, dict) else None
    where = _Locator(path, text, pyproject)
    if not isinstance(table, dict):
        raise UsageError(f"{where.table_line()}: [{'.'.join(TABLE)}] is not a table")
    by_name = {key.name: key for key in keys}
    values: dict[str, Any] = {}
    for name, value in table.items():
        key = by_name.get(name)
        if name in CREDENTIALS:
            raise UsageError(
                f"{where.key_line(name)}: {name}: a credential is never kept in a file (files are committed, copied "
                f'and shown): put it in an environment variable and name that, e.g. {CREDENTIALS[name]} = "GRAPH_TOKEN"'
            )
        if key is None:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f"; the settings are: {', '.join(sorted(by_name))}"
            raise UsageError(f"{where.key_line(name)}: {shown(name)}: not a setting of the suite{hint}")
        values[key.dest] = _checked(key, value, path, partial(where.key_line, name))
    return ConfigFile(path, values)


def _read(path: Path) -> str:
    """The file's text, read at most MAX_BYTES + 1 bytes; a one-line UsageError for a file that is
    missing, not a regular file, too large or not UTF-8 (naming the line of the first bad byte)."""
    name = shown(str(path))
    if not path.exists():
        raise UsageError(f"--config: no such file: {name}")
    if not path.is_file():
        raise UsageError(f"--config: not a regular file: {name} (give a TOML file)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{name}: larger than {MAX_BYTES} bytes: not a configuration file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}): TOML files are UTF-8") from None


def _checked(key: Key, value: Any, path: Path, line: Callable[[], str]) -> Any:
    """The value as the option's type gives it; UsageError naming where it is and what it should be."""
    types, wanted = KINDS[key.kind]
    wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
    if key.kind == "list" and not wrong:
        wrong = not all(isinstance(item, str) for item in value)
    if wrong:
        raise UsageError(f"{line()}: {key.name}: expected {wanted}, got {_toml_type(value)}")
    if key.kind == "variable":
        if not VARIABLE.fullmatch(value):
            # The value is not shown: it may be the credential itself, written where its name belongs.
            raise UsageError(
                f"{line()}: {key.name}: not an environment variable's name (upper-case letters, digits and '_', "
                "at most 64): name the variable that holds the credential, never the credential"
            )
        return value
    if key.kind == "path":
        value = str(path.parent / value) if not Path(value).is_absolute() else value
    items = value if key.kind == "list" else [value]
    try:
        converted = [key.check(str(item)) if key.check else item for item in items]
    except Exception as exc:  # the option's own check (an argparse type): its message says what is wrong
        raise UsageError(f"{line()}: {key.name}: {exc}") from None
    return converted if key.kind == "list" else converted[0]


def _toml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date or time")


_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def _position(message: str, text: str) -> tuple[int, str]:
    """tomllib's error as (line, message without the position): it appends `(at line L, column C)`."""
    found = _AT.search(message)
    if found is None:
        return 1, message
    line = int(found.group(1)) if found.group(1) else max(1, len(text.splitlines()))
    return line, message[: found.start()]


def _quoted(name: str) -> str:
    """A key as a TOML basic string, whatever characters it has."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08X}" for c in name) + '"'


class _Locator:
    """Where the suite's table, and a key in it, stand in the file (see the module's docstring)."""

    def __init__(self, path: Path, text: str, pyproject: bool) -> None:
        self.path, self.lines, self.pyproject = shown(str(path)), text.splitlines(keepends=True), pyproject

    def _clash(self, inserted: str, at: int) -> int | None:
        """The line tomllib names when `inserted` is put before line `at` (0-based) of the file, in
        the file's numbering; None if it names none."""
        lines = [*self.lines[:at], inserted + "\n", *self.lines[at:]]
        if lines[at - 1 : at] and not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += "\n"
        try:
            tomllib.loads("".join(lines))
        except tomllib.TOMLDecodeError as exc:
            line, _ = _position(str(exc), "".join(lines))
            return line - 1 if line > at else line
        return None

    def _header(self) -> int:
        """The 1-based line of the table's header (or of what defines the table), 0 for a standalone file."""
        if not self.pyproject:
            return 0
        return self._clash("[" + ".".join(_quoted(part) for part in TABLE) + "]", 0) or 1

    def table_line(self) -> str:
        return f"{self.path}:{max(self._header(), 1)}"

    def key_line(self, name: str) -> str:
        header = self._header()
        line = self._clash(f"{_quoted(name)} = 0", header) or max(header, 1)
        return f"{self.path}:{line}"

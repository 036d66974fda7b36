"""Files from outside the suite, read within bounds; files the suite writes, written whole or not at all.

A file a command is given (a verdict.json to compare, the evidence to convert, waivers, a product
description) is whatever the path holds, and read naively it can hang the command or take the
machine's memory: a FIFO waits for a writer, /dev/zero never ends, a few lines of YAML anchors and
aliases expand to gigabytes ("billion laughs"), a text of 100,000 brackets exhausts the parser's
recursion. So each is read here, one way:

- only if it is a regular file (opened without blocking, checked on the open file, not by name);
- up to a size bound, never a byte more than the bound and one;
- as UTF-8, strictly;
- JSON nested at most MAX_DEPTH levels, read from the bytes before they are parsed (the reference
  server's `deeper_than`: one measure of nesting for the suite);
- YAML by a safe loader that refuses aliases (an anchor alone expands nothing) and nesting past
  MAX_DEPTH, and whose values are Python's plain ones (what `safe_load` gives).

Whatever cannot be read so raises `UnusableFile`, one line naming the file (escaped: a name is text
from outside). A file the suite writes goes to a temporary file in the same folder, renamed over the
target when complete (`os.replace`): a reader never sees half of it, and a write that fails (a full
disk, a folder where the file should be) leaves an earlier file as it was.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

import yaml

from .errors import UnusableFile
from .server.nesting import deeper_than
from .text import shown

MAX_DEPTH = 64
"""How deep a JSON or YAML file may nest: the suite's own files nest under ten levels."""
MAX_YAML_BYTES = 64 * 1024
"""A waivers or product file: a few lines (YAML is parsed in pure Python, about a second a MiB)."""
MAX_JSON_BYTES = 16 * 1024 * 1024
"""A verdict.json (tens of KiB; each failing case's bodies are kept to 2 KiB) or one evidence record
(a case's exchanges, each body kept to 64 KiB): far above either, and parsed in well under 500 MB."""

_KINDS = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}


def named(path: Path | str) -> str:
    """A path as a message shows it: escaped, as any text from outside."""
    return shown(str(path))


@contextmanager
def regular_file(path: Path, label: str | None = None) -> Iterator[BinaryIO]:
    """`path` open for reading, if it is a regular file; else UnusableFile, saying `label` (the path
    by default). Opened without blocking (a FIFO would wait for a writer) and checked on the open
    file, not by name (which may change meanwhile)."""
    label = label or named(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise UnusableFile(f"{label}: no such file") from None
    except OSError as exc:
        raise UnusableFile(f"{label}: cannot be opened ({shown(exc.strerror or str(exc))})") from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        kind = next((name for test, name in _KINDS.items() if test(mode)), "a socket or another kind")
        raise UnusableFile(f"{label}: not a regular file ({kind})")
    with os.fdopen(handle, "rb") as file:
        yield file


def read_bytes(path: Path, bound: int) -> bytes:
    """The whole of a regular file of at most `bound` bytes."""
    with regular_file(path) as file:
        data = _read(file, bound, path)
    if len(data) > bound:
        raise UnusableFile(f"{named(path)}: larger than {bound:,} bytes, more than such a file can be")
    return data


def _read(file: BinaryIO, size: int, path: Path) -> bytes:
    try:
        return file.read(size + 1)
    except OSError as exc:
        raise UnusableFile(f"{named(path)}: cannot be read ({shown(exc.strerror or str(exc))})") from None


def text_of(data: bytes, where: str) -> str:
    """`data` as UTF-8; UnusableFile at the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"{where}: not UTF-8 text (byte {exc.start + 1} is {data[exc.start]:#04x})") from None


def json_value(data: bytes, where: str) -> Any:
    """The JSON document `data` holds (UTF-8, nested at most MAX_DEPTH levels); `where` names it."""
    text = text_of(data, where)
    if deeper_than(data, MAX_DEPTH):
        raise UnusableFile(f"{where}: nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and an integer of more digits than Python converts
        raise UnusableFile(f"{where}: not JSON ({shown(str(exc))})") from None


def load_json(path: Path, bound: int = MAX_JSON_BYTES) -> Any:
    return json_value(read_bytes(path, bound), named(path))


def lines(path: Path, bound: int = MAX_JSON_BYTES) -> Iterator[tuple[int, bytes]]:
    """Each line of a regular file (numbered from 1, without its line break), none longer than
    `bound`: a file of any length is read a line at a time, and a line past the bound is refused
    after `bound` bytes, not read to its end."""
    with regular_file(path) as file:
        for number in range(1, 2**63):
            try:
                line = file.readline(bound + 2)
            except OSError as exc:
                raise UnusableFile(f"{named(path)}: cannot be read ({shown(exc.strerror or str(exc))})") from None
            if not line:
                return
            line = line.removesuffix(b"\n")
            if len(line) > bound:
                raise UnusableFile(f"{named(path)}:{number}: a line longer than {bound:,} bytes, more than such a file holds")
            yield number, line


class _BoundedLoader(yaml.SafeLoader):
    """safe_load's loader, composing no alias and no node deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "an alias (*name): aliases are not accepted", mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(path: Path, bound: int = MAX_YAML_BYTES) -> Any:
    """The YAML document of a small regular file: no aliases, no deep nesting, plain values only."""
    where = named(path)
    text = text_of(read_bytes(path, bound), where)
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise UnusableFile(f"{where}: not YAML the suite reads ({shown(_yaml_problem(exc))})") from None
    except (ValueError, OverflowError) as exc:  # a value its type refuses: a date 2030-02-30, a 5,000-digit integer
        raise UnusableFile(f"{where}: a value that cannot be read ({shown(str(exc))})") from None
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What a YAML error says, and where, without the lines of the file it quotes."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return f"{exc.problem or exc.context}{where}"
    return " ".join(str(exc).split())


@contextmanager
def replaced(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write `path`'s new content into: it replaces `path` when the block ends without an
    error, and is removed otherwise. UnusableFile when it cannot be written (a folder at `path`, no
    permission, a full disk): one line, and whatever `path` held before is left as it was."""
    where = named(path)
    if path.is_dir():
        raise UnusableFile(f"{where}: a folder; give the path of a file to write")
    # Beside the target (a rename across file systems is no rename), made as any file the suite
    # writes is (the umask applies), under a name no other writer has.
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise UnusableFile(f"{where}: cannot be written ({shown(exc.strerror or str(exc))})") from None
    try:
        # A lone surrogate (a file's bytes read with surrogateescape) is written as its escape, never a crash.
        with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace", newline="") as file:
            yield file
        os.replace(staging, path)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise UnusableFile(f"{where}: cannot be written ({shown(exc.strerror or str(exc))})") from None
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """`text` as the whole of `path`, in UTF-8: all of it, or the file as it was."""
    with replaced(path) as file:
        file.write(text)

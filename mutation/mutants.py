"""The mutants of a Python source file: one small change each, found on the syntax tree, in a fixed order.

A mutant is applied to the text, not by unparsing the whole tree: only the mutated expression or
statement is rewritten (by `ast.unparse`), so a mutant is the file as it was, comments and line
numbers included, but for that one place. Every mutated text is parsed back and compared with the
intended tree, so no rewrite can change more, or less, than the mutant says.

Not mutated: docstrings (and other bare string statements), annotations (under `from __future__
import annotations` they are never evaluated), decorators and the format specification of an
f-string field. Only statements inside functions are deleted: deleting a definition (an import, a
`def`, a module or class assignment) only stops the module importing, which says nothing about the
suite; the values those assignments hold are mutated like any other.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class Family(StrEnum):
    """What is mutated: the families issue 10 names, each with one fixed rule."""

    COMPARISON = "comparison"
    """A comparison negated (== and !=, < and >=, in and not in, is and is not), or its boundary moved (< and <=)."""
    BOOLEAN = "boolean"
    """`and` and `or` swapped, a `not` dropped, True and False swapped."""
    STATUS = "status"
    """An HTTP status code (an integer from 100 to 599) as another of its class: 2xx as 200 (200 as 201),
    4xx as 400 (400 as 422), 5xx as 500 (500 as 503)."""
    NUMBER = "number"
    """Any other number, plus one."""
    STRING = "string"
    """A string, header names and media types among them, or the text of an f-string, between XX and XX."""
    STATEMENT = "statement"
    """A statement in a function deleted (replaced by `pass`)."""
    RETURN = "return"
    """A returned value replaced by None."""


NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
SHOWN = 72
"""Longest `before` or `after` shown (and used in a key): a statement is named by its first line."""

Path_ = tuple[tuple[str, int | None], ...]
"""Where a node is in the tree: (field, index or None) from the module down."""


@dataclass(frozen=True)
class Mutant:
    file: str
    """The mutated file, relative to the checkout: conformance/server/app.py."""
    line: int
    function: str
    """The qualified name of the enclosing function or class; `<module>` at the top."""
    family: Family
    before: str
    """The original, as `ast.unparse` writes it: the expression, the statement's first line, the string."""
    after: str
    occurrence: int
    """1 for the first mutant of its file, function, before and after; 2 for the next, and so on."""
    span: tuple[int, int, int, int]
    """What is replaced: line, column (UTF-8 bytes, as ast counts them), end line, end column."""
    text: str
    """What replaces it."""

    @property
    def key(self) -> str:
        """The mutant's name without a line number, so that it survives edits elsewhere in the file."""
        again = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.file}::{self.function}::{self.before} -> {self.after}{again}"

    def matches(self, pattern: str) -> bool:
        """Whether the key matches `pattern`, in which `*` stands for any text and nothing else is special."""
        return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), self.key, re.DOTALL) is not None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def apply(self, source: str) -> str:
        """The mutated source: `source` (the file this mutant was found in) with its one place replaced."""
        data = source.encode("utf-8")
        line, col, end_line, end_col = self.span
        start, end = _offset(data, line, col), _offset(data, end_line, end_col)
        return (data[:start] + self.text.encode("utf-8") + data[end:]).decode("utf-8")


def _offset(data: bytes, line: int, col: int) -> int:
    """Where (line, column) is in the file's bytes: ast counts columns in UTF-8 bytes."""
    return sum(len(chunk) for chunk in data.splitlines(keepends=True)[: line - 1]) + col


def server_files(root: Path) -> list[Path]:
    """The reference server's modules (conformance/server/), in name order; its `__init__` only re-exports."""
    return sorted(p for p in (root / "conformance" / "server").glob("*.py") if p.name != "__init__.py")


def mutants_of(root: Path) -> list[Mutant]:
    """Every mutant of the reference server, in file and source order."""
    found: list[Mutant] = []
    for path in server_files(root):
        found += file_mutants(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())
    return found


def file_mutants(source: str, name: str) -> list[Mutant]:
    """The mutants of one file. Two places whose mutation gives the same program give one mutant."""
    tree, data = ast.parse(source), source.encode("utf-8")
    mutants: list[Mutant] = []
    seen: set[str] = set()
    counts: Counter[tuple[str, str, str]] = Counter()
    for site in sorted(_Finder(tree).sites, key=lambda s: (s.line, s.col, s.order)):
        original = _node(tree, site.anchor)
        span = (original.lineno, original.col_offset, original.end_lineno, original.end_col_offset)
        with _replaced(tree, site.path, site.replacement):
            text, intended = ast.unparse(_node(tree, site.anchor)), ast.dump(tree)
        before = site.before
        if site.family is Family.STATEMENT and data[_offset(data, span[0], span[1]) :].startswith(b"elif"):
            # An `elif` is an `if` alone in another's `orelse`, its text starting at the word `elif`.
            text, before = "else:\n" + " " * (span[1] + 4) + "pass", f"el{before}"
        counts[(site.function, before, site.after)] += 1
        mutant = Mutant(
            name, site.line, site.function, site.family, before, site.after,
            counts[(site.function, before, site.after)], span, text,
        )  # fmt: skip
        result = mutant.apply(source)
        if ast.dump(ast.parse(result)) != intended:
            raise AssertionError(f"{mutant.where}: the text of {mutant.key!r} does not parse to the mutant")
        digest = hashlib.sha256(result.encode("utf-8")).hexdigest()
        if digest not in seen:
            seen.add(digest)
            mutants.append(mutant)
    return mutants


@dataclass(frozen=True)
class _Site:
    path: Path_
    """The node that changes."""
    replacement: ast.AST
    anchor: Path_
    """The node whose text is rewritten: the changed node, or the f-string around it (in Python 3.11 the
    parts of an f-string carry the f-string's position, not their own)."""
    family: Family
    function: str
    line: int
    col: int
    order: int
    """When it was found: the tie-break between sites at one position."""
    before: str
    after: str


def _shown(node: ast.AST) -> str:
    """One line: a statement by its first line (with … when there is more), a long expression cut."""
    text = ast.unparse(node)
    first, _, rest = text.partition("\n")
    first = " ".join(first.split())
    if len(first) > SHOWN:
        return first[: SHOWN - 1] + "…"
    return f"{first} …" if rest.strip() else first


def _status(code: int) -> int:
    """Another status of the same class: the generic one, or, for the generic one, its nearest kin."""
    generic = code // 100 * 100
    if code != generic:
        return generic
    return {200: 201, 400: 422, 500: 503}.get(code, generic + 1)


def _deletable(statement: ast.stmt) -> bool:
    """A statement whose deletion is a mutant of behaviour: not a definition, not `pass`, and not a
    `return` of a value (the return family replaces the value instead)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Pass | ast.Global | ast.Nonlocal):
        return False
    return not (isinstance(statement, ast.Return) and statement.value is not None)


class _Finder(ast.NodeVisitor):
    """Walks a module once, recording where each family applies."""

    def __init__(self, tree: ast.Module) -> None:
        self.sites: list[_Site] = []
        self._tree = tree
        self._scope: list[str] = []
        self._functions = 0
        self._path: list[tuple[str, int | None]] = []
        self._fstring: Path_ | None = None
        self._visit_body(tree, "body")

    # --- walking: every field, except what is not mutated ------------------------------------------

    def _child(self, node: ast.AST, field: str, index: int | None) -> None:
        self._path.append((field, index))
        try:
            self.visit(node)
        finally:
            self._path.pop()

    def _visit_fields(self, node: ast.AST, skip: tuple[str, ...] = ()) -> None:
        for field, value in ast.iter_fields(node):
            if field in skip:
                continue
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        self._child(item, field, index)
            elif isinstance(value, ast.AST):
                self._child(value, field, None)

    def generic_visit(self, node: ast.AST) -> None:
        bodies = ("body", "orelse", "finalbody")
        self._visit_fields(node, skip=bodies if isinstance(node, ast.stmt | ast.excepthandler) else ())
        for field in bodies:
            if isinstance(node, ast.stmt | ast.excepthandler) and isinstance(getattr(node, field, None), list):
                self._visit_body(node, field)

    def _visit_body(self, node: ast.AST, field: str) -> None:
        """A list of statements: each may be deleted (inside a function), then is walked."""
        for index, statement in enumerate(getattr(node, field)):
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str):
                continue  # a docstring, or a bare string: documentation
            self._path.append((field, index))
            try:
                if self._functions and _deletable(statement):
                    self._delete(statement)
                self.visit(statement)
            finally:
                self._path.pop()

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._scope.append(node.name)
        self._functions += 1
        try:
            self._child(node.args, "args", None)  # the defaults; not the decorators, not the annotations
            self._visit_body(node, "body")
        finally:
            self._functions -= 1
            self._scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._scope.append(node.name)
        try:
            self._visit_body(node, "body")
        finally:
            self._scope.pop()

    def visit_arg(self, node: ast.arg) -> None:
        """An argument's name and annotation: nothing to mutate."""

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._child(node.value, "value", None)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        outermost = self._fstring is None
        if outermost:
            self._fstring = tuple(self._path)
        try:
            for index, value in enumerate(node.values):
                if isinstance(value, ast.FormattedValue):
                    self._path.append(("values", index))
                    try:
                        self._child(value.value, "value", None)  # not its format_spec: a format, not text
                    finally:
                        self._path.pop()
                else:
                    self._child(value, "values", index)
        finally:
            if outermost:
                self._fstring = None

    # --- the families -------------------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            for table in (NEGATED, BOUNDARY):
                if (other := table.get(type(op))) is not None:
                    ops = [*node.ops[:index], other(), *node.ops[index + 1 :]]
                    self._add(node, ast.Compare(node.left, ops, node.comparators), Family.COMPARISON)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        self._add(node, ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values), Family.BOOLEAN)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self._add(node, node.operand, Family.BOOLEAN)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(node, ast.Constant(not value), Family.BOOLEAN)
        elif isinstance(value, int) and 100 <= value <= 599:
            self._add(node, ast.Constant(_status(value)), Family.STATUS)
        elif isinstance(value, int | float):
            self._add(node, ast.Constant(value + 1), Family.NUMBER)
        elif isinstance(value, str):
            self._add(node, ast.Constant(f"XX{value}XX"), Family.STRING)
        elif isinstance(value, bytes):
            self._add(node, ast.Constant(b"XX" + value + b"XX"), Family.STRING)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self._add(node, ast.Return(ast.Constant(None)), Family.RETURN)
            self._child(node.value, "value", None)

    def _delete(self, statement: ast.stmt) -> None:
        self._add(statement, ast.Pass(), Family.STATEMENT)

    def _add(self, node: ast.expr | ast.stmt, replacement: ast.AST, family: Family) -> None:
        path = tuple(self._path)
        anchor = self._fstring if self._fstring is not None and isinstance(node, ast.expr) else path
        self.sites.append(
            _Site(
                path, replacement, anchor, family, ".".join(self._scope) or "<module>",
                node.lineno, node.col_offset, len(self.sites), _shown(node), _shown(replacement),
            )
        )  # fmt: skip


def _node(tree: ast.AST, path: Path_) -> Any:
    node: Any = tree
    for field, index in path:
        node = getattr(node, field)
        if index is not None:
            node = node[index]
    return node


@contextmanager
def _replaced(tree: ast.Module, path: Path_, replacement: ast.AST) -> Iterator[None]:
    """`tree` with the node at `path` replaced, for as long as the block lasts (a copy of the whole tree
    per mutant was most of the time it took to find them)."""
    *parents, (field, index) = path
    parent = _node(tree, tuple(parents))
    original = getattr(parent, field) if index is None else getattr(parent, field)[index]
    _put(parent, field, index, replacement)
    try:
        yield
    finally:
        _put(parent, field, index, original)


def _put(parent: ast.AST, field: str, index: int | None, node: ast.AST) -> None:
    if index is None:
        setattr(parent, field, node)
    else:
        getattr(parent, field)[index] = node

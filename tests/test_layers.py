"""The package's modules import one another in layers: no module reaches, however indirectly, back to
itself (ARCHITECTURE.md draws the flow one way), and errors.py, which every layer raises from,
imports nothing of the suite's."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package's modules this one imports, TYPE_CHECKING-only imports included: a cycle that only
    the type checker follows still makes two modules one unit to understand."""
    here = _name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".") if node.level else node.module or ""
            candidates = [f"{module}.{alias.name}" for alias in node.names] + [module]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c.startswith("conformance") and _module_exists(c)}
    return found - {_name(path)}


def _module_exists(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {_name(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def test_no_module_imports_itself_through_others() -> None:
    try:
        TopologicalSorter(graph()).prepare()
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_errors_depend_on_nothing_of_the_suite() -> None:
    assert graph()["conformance.errors"] == set()


def test_the_graph_has_the_imports_of_every_form() -> None:
    """Relative imports of a module and of a package are each seen, so that no cycle hides in one."""
    edges = graph()
    assert {"conformance.catalogue", "conformance.exchange"} <= edges["conformance.failure"]  # `from .catalogue import …`
    assert "conformance.server" in edges["conformance.plugin"]  # a package

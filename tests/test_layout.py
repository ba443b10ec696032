"""The house's rules, read from the source: no import cycle between santamerge's modules
(imports inside functions included), and the model stack only where a model is used."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "santamerge"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, known: set[str]) -> set[str]:
    """The santamerge modules ``path`` imports anywhere in its text (``from a import b``
    counts as ``a.b`` when that is a module, else as ``a``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {module_name(p): imported(p, known) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_santamerge_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 40 and graph["santamerge.merge.workspace.driver"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


# The parts, lowest first: a module may import its own part and the parts before it.
LAYERS = (
    ("santamerge", "santamerge.errors"),
    (
        "santamerge.git",
        "santamerge.files",
        "santamerge.config",
        "santamerge.treesitter",
        "santamerge.languages",
    ),
    ("santamerge.syntax",),  # what santamerge knows of parsed code, for merge/ and stubs/
    ("santamerge.model",),
    ("santamerge.merge.types",),  # the values that pass between the merge's stages
    ("santamerge.merge.structured", "santamerge.merge.ranking"),  # side by side (below)
    ("santamerge.merge",),  # the pipeline's core: candidates, gates, pipeline, record
    ("santamerge.merge.workspace",),  # above the pipeline: the driver, a repository's files
    ("santamerge.stubs",),
    ("santamerge.ui",),
    ("santamerge.bench",),
    ("santamerge.training",),
    ("santamerge.commands",),
    ("santamerge.cli", "santamerge.entry", "santamerge.__main__"),
)


def layer(module: str) -> int:
    """The index in LAYERS of the longest prefix that names ``module`` or its package."""
    best, found = -1, -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), i
    assert found >= 0, f"{module} belongs to no part in LAYERS"
    return found


def test_a_part_imports_only_the_parts_below_it() -> None:
    upward = sorted(
        f"{m} -> {d}" for m, deps in import_graph().items() for d in deps if layer(d) > layer(m)
    )
    assert upward == []
    assert (
        layer("santamerge.merge.workspace.driver")
        > layer("santamerge.merge.pipeline")
        > layer("santamerge.model.fim")
        > layer("santamerge.git")
    )


# Parts that stand side by side in one picture: neither imports the other.
BESIDE = (
    ("santamerge.merge.structured", "santamerge.merge.ranking"),
    ("santamerge.merge", "santamerge.stubs"),
)


def test_parts_side_by_side_import_neither_way() -> None:
    def part(module: str, name: str) -> bool:
        return module == name or module.startswith(name + ".")

    graph = import_graph()
    across = sorted(
        f"{m} -> {d}"
        for a, b in BESIDE
        for m, deps in graph.items()
        for d in deps
        if (part(m, a) and part(d, b)) or (part(m, b) and part(d, a))
    )
    assert across == []
    assert any(part(m, "santamerge.stubs") for m in graph)
    assert layer("santamerge.merge.structured.tree") == layer("santamerge.merge.ranking.rank")
    assert (
        layer("santamerge.merge.pipeline")
        > layer("santamerge.merge.structured.tree")
        > (layer("santamerge.merge.types"))
        > layer("santamerge.syntax.nodes")
    )

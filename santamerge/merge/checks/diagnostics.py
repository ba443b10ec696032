"""The diagnostics gate (issue 24, item 3): a written merge may not bring in a
diagnostic that neither side has.

- **Python**: pyflakes on the file with the choices, and on each side (the whole files
  where known, else each side spliced into git's merge). Its messages are compared by
  kind and name, not by line: a new undefined name, a new unused import (one outside
  the choices; the unused-import gate, santamerge.merge.structured.unused, reads those
  inside them), a name redefined before it is used, an undefined name in ``__all__``.
  pyflakes runs on the written file first, and on the sides only when it reports one of
  these; a file that does not compile is left to the compile gate.
- **JavaScript, TypeScript, Java, Go, Rust** (tree-sitter, queries kept as data):
  - a name that a written region uses (``grammars/<lang>/uses.scm``) that one side
    defines or imports and the other does not (``definitions.scm``, ``imports.scm``:
    the other removed or renamed it, or this one added it), and that nothing in the
    merged file defines or imports;
  - JavaScript and TypeScript: ``require(...)`` (or ``module.exports``) written into an
    ES module, or an ``import``/``export`` statement written into a CommonJS module
    (``modules.scm``), where neither side mixes the two.
- One name defined twice is the gates' own check (:mod:`santamerge.merge.gates`).

The gate reads only written merges: where every choice is one side's text as it is,
it does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.checks.rewrites import is_written
from santamerge.merge.types import BOTH_SIDES, Candidate, ParsedMerge, Side
from santamerge.syntax.bindings import bound_names

if TYPE_CHECKING:
    from tree_sitter import Tree

# pyflakes' messages that a merge must not bring in, and how each reads
_PYFLAKES = {
    "UndefinedName": "uses the undefined name `{}`",
    "UndefinedExport": "exports the undefined name `{}` in `__all__`",
    "UndefinedLocal": "uses the local `{}` before it is assigned",
    "UnusedImport": "imports `{}`, which nothing uses",
    "RedefinedWhileUnused": "redefines `{}` before it is used",
}
_TREE_LANGUAGES = frozenset({"javascript", "typescript", "java", "go", "rust"})
_SIGNATURE = re.compile(r"\(.*")

Message = tuple[str, str]  # (kind, name)


class _Baseline(Protocol):
    @property
    def parsed(self) -> ParsedMerge: ...
    @property
    def profile(self) -> LanguageProfile | None: ...
    @property
    def path(self) -> str: ...
    @property
    def sides(self) -> tuple[str, str] | None: ...
    @property
    def memo(self) -> dict[str, Any] | None: ...


def new_diagnostics(
    baseline: _Baseline,
    chosen: Mapping[int, Candidate],
    data: bytes,
    tree: Tree,
    regions: Iterable[tuple[int, int, int]],
) -> list[tuple[int, str]]:
    """(hunk, reason) for each diagnostic of the file with the choices (``data``, parsed
    as ``tree``; ``regions``: (hunk, start byte, end byte) of each choice) that neither
    side has. Nothing when no choice is a written merge."""
    profile = baseline.profile
    if profile is None or not any(is_written(c, baseline.parsed) for c in chosen.values()):
        return []
    spans = [r for r in regions if r[0] in chosen]
    undecided = _Undecided(baseline.parsed, chosen)
    if profile.queries == "python":
        return _python(baseline, data, spans, undecided)
    if profile.queries not in _TREE_LANGUAGES:
        return []
    found = _removed_names(baseline, profile, data, tree, spans, undecided)
    if profile.queries in ("javascript", "typescript"):
        found += _module_mix(baseline, profile, tree, spans)
    return found


class _Undecided:
    """The texts of the hunks not chosen (every side of each): they may yet be resolved
    either way, so a name in them may yet be defined or used, and is not counted."""

    def __init__(self, parsed: ParsedMerge, chosen: Mapping[int, Candidate]) -> None:
        self.text = "".join(
            h.ours + (h.base or "") + h.theirs for h in parsed.hunks if h.index not in chosen
        )

    def __contains__(self, name: object) -> bool:
        return (
            isinstance(name, str)
            and bool(self.text)
            and re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", self.text) is not None
        )


def _side_text(baseline: _Baseline, side: Side) -> str:
    if baseline.sides is not None:
        return baseline.sides[BOTH_SIDES.index(side)]
    return baseline.parsed.side(side)


def _memo(baseline: _Baseline) -> dict[str, Any]:
    return baseline.memo if baseline.memo is not None else {}


def _blame(line_start: int, line_end: int, spans: list[tuple[int, int, int]]) -> list[int]:
    """The choices a diagnostic at [line_start, line_end) is blamed on: the one it lies
    in, else the nearest before it, else every choice."""
    inside = [h for h, a, b in spans if a < line_end and line_start < b]
    if inside:
        return inside
    before = [h for h, _, b in spans if b <= line_start]
    return before[-1:] or [h for h, _, _ in spans]


# --- Python: pyflakes ---------------------------------------------------------------


def pyflakes_messages(text: str, path: str) -> list[tuple[str, str, int]] | None:
    """(kind, name, line) of pyflakes' messages that the gate reads; None when the text
    does not compile."""
    import ast

    from pyflakes import checker

    try:
        module = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return None
    found = []
    for message in checker.Checker(module, filename=path).messages:
        kind = type(message).__name__
        if kind in _PYFLAKES and message.message_args:
            found.append((kind, str(message.message_args[0]), message.lineno))
    return found


def _python_sides(baseline: _Baseline) -> set[Message] | None:
    memo = _memo(baseline)
    if "pyflakes sides" not in memo:
        known: set[Message] | None = set()
        for side in BOTH_SIDES:
            messages = pyflakes_messages(_side_text(baseline, side), baseline.path)
            if messages is None or known is None:
                known = None
                continue
            known |= {(kind, name) for kind, name, _ in messages}
        memo["pyflakes sides"] = known
    sides: set[Message] | None = memo["pyflakes sides"]
    return sides


def _python(
    baseline: _Baseline, data: bytes, spans: list[tuple[int, int, int]], undecided: _Undecided
) -> list[tuple[int, str]]:
    text = data.decode("utf-8", errors="replace")
    messages = pyflakes_messages(text, baseline.path)
    if not messages:
        return []
    name = baseline.path.replace("\\", "/").rpartition("/")[2]
    reexports = name == "__init__.py" or name.endswith(".pyi")
    starts = _line_starts(data)
    found: list[tuple[int, str]] = []
    sides: set[Message] | None = None
    for kind, what, line in messages:
        if kind == "UnusedImport" and reexports:
            continue
        a = starts[min(line - 1, len(starts) - 1)]
        b = starts[line] if line < len(starts) else len(data)
        inside = any(s < b and a < e for _, s, e in spans)
        if (kind == "UnusedImport" and inside) or what in undecided:
            continue  # the unused-import gate reads the imports inside the choices
        if sides is None:
            sides = _python_sides(baseline)
            if sides is None:  # a side does not compile: whose fault cannot be told
                return []
        if (kind, what) in sides:
            continue
        why = _PYFLAKES[kind].format(what) + ", which neither side does (pyflakes)"
        found += [(i, why) for i in _blame(a, b, spans)]
    return found


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    at = data.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    return starts


# --- other languages: tree-sitter ----------------------------------------------------


def _defined(profile: LanguageProfile, tree: Tree) -> set[str]:
    """The names a file defines or imports (``definitions.scm``, ``imports.scm``)."""
    return {_SIGNATURE.sub("", key[1]) for key in bound_names(profile, tree).values()}


def _side_definitions(baseline: _Baseline, profile: LanguageProfile, side: Side) -> set[str]:
    memo = _memo(baseline)
    key = f"defined:{side}"
    if key not in memo:
        memo[key] = _defined(profile, treesitter.parse(profile, _side_text(baseline, side)))
    names: set[str] = memo[key]
    return names


def _removed_names(
    baseline: _Baseline,
    profile: LanguageProfile,
    data: bytes,
    tree: Tree,
    spans: list[tuple[int, int, int]],
    undecided: _Undecided,
) -> list[tuple[int, str]]:
    query = treesitter.query(profile, "uses")
    if query is None:
        return []
    used: dict[str, list[int]] = {}
    for hunk, start, end in spans:
        if start >= end:
            continue
        for node in treesitter.captures(query, tree.root_node, (start, end)).get("use", []):
            if start <= node.start_byte and node.end_byte <= end:
                used.setdefault(treesitter.node_text(node), []).append(hunk)
    if not used:
        return []
    ours, theirs = (_side_definitions(baseline, profile, s) for s in BOTH_SIDES)
    # a name one side defines and the other does not: the other removed or renamed it
    # (or this one added it); the merge must keep a definition of it if it uses it
    lost = {
        name: "ours" if name in theirs else "theirs"
        for name in used
        if (name in ours) != (name in theirs)
    }
    if not lost:
        return []
    written = _defined(profile, tree)
    found = []
    for name, who in lost.items():
        if name in written or name in undecided:
            continue
        why = (
            f"uses `{name}`, which {who} removed or renamed; nothing in the merged file "
            "defines or imports it"
        )
        found += [(i, why) for i in dict.fromkeys(used[name])]
    return found


def _module_kinds(profile: LanguageProfile, tree: Tree) -> tuple[list[tuple[int, int]], ...]:
    query = treesitter.query(profile, "modules")
    if query is None:
        return [], []
    captured = treesitter.captures(query, tree.root_node)
    return tuple(
        [(n.start_byte, n.end_byte) for n in captured.get(kind, [])] for kind in ("esm", "commonjs")
    )


def _module_mix(
    baseline: _Baseline, profile: LanguageProfile, tree: Tree, spans: list[tuple[int, int, int]]
) -> list[tuple[int, str]]:
    esm, commonjs = _module_kinds(profile, tree)
    if not esm or not commonjs:
        return []
    memo = _memo(baseline)
    if "module kinds" not in memo:
        memo["module kinds"] = [
            tuple(bool(found) for found in _module_kinds(profile, treesitter.parse(profile, t)))
            for t in (_side_text(baseline, s) for s in BOTH_SIDES)
        ]
    kinds: list[tuple[bool, bool]] = memo["module kinds"]
    if any(both for both in (e and c for e, c in kinds)):
        return []
    if any(e for e, _ in kinds):
        wrong, why = commonjs, "writes `require` into an ES module (the file imports with `import`)"
    elif any(c for _, c in kinds):
        wrong, why = (
            esm,
            "writes `import`/`export` into a CommonJS module (the file uses `require`)",
        )
    else:
        return []
    why += ", which neither side does"
    hunks: list[int] = []
    for a, b in wrong:
        hunks += [h for h, s, e in spans if s <= a and b <= e]
    if not hunks:
        hunks = [h for h, _, _ in spans]
    return [(i, why) for i in dict.fromkeys(hunks)]

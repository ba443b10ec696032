"""Gates: the checks a candidate must pass before it is ranked as acceptable.

A candidate is rejected when the file with it spliced in has more tree-sitter ERROR or
MISSING nodes than the sides had, when it contains conflict markers, or when it defines
the same name twice in one scope where neither side did. The sides are parsed once per
file (:func:`prepare_gates`); each candidate costs one parse of the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from santamerge import treesitter
from santamerge.languages import LanguageProfile
from santamerge.locate import has_markers
from santamerge.types import Candidate, ParsedMerge

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

DefinitionKey = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class GateContext:
    parsed: ParsedMerge
    profile: LanguageProfile | None
    allowed_errors: int
    allowed_duplicates: frozenset[DefinitionKey]
    ours_text: str = ""  # every hunk as ours: candidates are parsed as edits of it
    ours_tree: Tree | None = None


def prepare_gates(parsed: ParsedMerge, profile: LanguageProfile | None) -> GateContext:
    """Measure the sides: their parse errors and duplicated definitions are allowed."""
    if profile is None:
        return GateContext(parsed, None, 0, frozenset())
    texts = [parsed.splice({}, default=side) for side in ("ours", "theirs")]
    trees = [treesitter.parse(profile, text) for text in texts]
    sides = [_measure(profile, tree) for tree in trees]
    return GateContext(
        parsed,
        profile,
        allowed_errors=max(errors for errors, _ in sides),
        allowed_duplicates=frozenset().union(*(dups for _, dups in sides)),
        ours_text=texts[0],
        ours_tree=trees[0],
    )


def check_candidate(ctx: GateContext, candidate: Candidate) -> tuple[str, ...]:
    """The reasons to reject ``candidate``; empty when it passes every gate."""
    if has_markers(candidate.text):
        return ("contains conflict markers",)
    if ctx.profile is None or ctx.ours_tree is None:
        return ()
    errors, dups = _measure(ctx.profile, _candidate_tree(ctx, candidate))
    reasons = []
    if errors > ctx.allowed_errors:
        reasons.append(f"does not parse: {errors} syntax errors where the sides have "
                       f"at most {ctx.allowed_errors}")
    new = sorted(dups - ctx.allowed_duplicates)
    if new:
        names = ", ".join(".".join((*scope, name)) for scope, name in new)
        reasons.append(f"defines {names} twice, which neither side does")
    return tuple(reasons)


def _candidate_tree(ctx: GateContext, candidate: Candidate) -> Tree:
    """The file with the candidate spliced in (other hunks as ours), parsed as an edit."""
    assert ctx.profile is not None and ctx.ours_tree is not None
    hunk = ctx.parsed.hunks[candidate.hunk]
    offset = ctx.parsed.offset(hunk)
    before = ctx.ours_text[:offset].encode("utf-8")
    after = ctx.ours_text[offset + len(hunk.ours):].encode("utf-8")
    text = candidate.text.encode("utf-8")
    start, old_end = len(before), len(before) + len(hunk.ours.encode("utf-8"))
    old = before + hunk.ours.encode("utf-8") + after
    return treesitter.reparse(ctx.profile, ctx.ours_tree, old, before + text + after, start,
                              old_end, start + len(text))


def _measure(profile: LanguageProfile, tree: Tree) -> tuple[int, frozenset[DefinitionKey]]:
    return treesitter.count_errors(tree.root_node), _duplicates(profile, tree)


@dataclass(frozen=True)
class _Binding:
    node: Node  # the definition (or import) that binds the name
    name: str  # with its signature, for languages with overloading: "format(Locale)"
    scope: tuple[str, ...]  # extra scope from the query: a Go receiver, a Rust impl
    is_import: bool  # an import binds a name but opens no scope


def _duplicates(profile: LanguageProfile, tree: Tree) -> frozenset[DefinitionKey]:
    """(scope, name) pairs bound more than once, by definitions or imports. The scope is
    the enclosing definitions' names, plus the query's ``@scope`` captures."""
    bindings = _bindings(profile, tree)
    by_node = {(b.node.start_byte, b.node.end_byte): b.name for b in bindings.values()
               if not b.is_import}
    counts = Counter(((*_scope(b.node, by_node), *b.scope), b.name) for b in bindings.values())
    return frozenset(key for key, n in counts.items() if n > 1)


def _bindings(profile: LanguageProfile, tree: Tree) -> dict[tuple[int, int], _Binding]:
    """One binding per name node; where two matches share it, the outermost node wins and
    the scope and signature come from whichever match has them."""
    found: dict[tuple[int, int], _Binding] = {}
    for query_name, node_capture in (("definitions", "definition"), ("imports", "import")):
        query = treesitter.query(profile, query_name)
        if query is None:
            continue
        for match in treesitter.matches(query, tree.root_node):
            if not match.get("name") or not match.get(node_capture):
                continue
            node, name_node = match[node_capture][0], match["name"][0]
            new = _Binding(node, _signed(treesitter.node_text(name_node), match),
                           tuple(treesitter.node_text(n) for n in match.get("scope", [])),
                           is_import=node_capture == "import")
            key = (name_node.start_byte, name_node.end_byte)
            found[key] = _merge(found.get(key), new)
    return found


def _signed(name: str, match: dict[str, list[Node]]) -> str:
    if "params" not in match:
        return name
    types = ",".join(" ".join(treesitter.node_text(n).split()) for n in match.get("signature", []))
    return f"{name}({types})"


def _merge(held: _Binding | None, new: _Binding) -> _Binding:
    if held is None:
        return new
    outer = held.node if _contains(held.node, new.node) else new.node
    name = max(held.name, new.name, key=len)
    return _Binding(outer, name, held.scope or new.scope, held.is_import)


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _scope(node: Node, by_node: dict[tuple[int, int], str]) -> tuple[str, ...]:
    names = []
    parent = node.parent
    while parent is not None:
        name = by_node.get((parent.start_byte, parent.end_byte))
        if name is not None:
            names.append(name)
        parent = parent.parent
    return tuple(reversed(names))

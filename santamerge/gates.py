"""Gates: the checks a candidate must pass before it is ranked as acceptable.

A candidate is rejected when the file with it spliced in has more tree-sitter ERROR or
MISSING nodes than the sides had, when it contains conflict markers, or when it defines
the same name twice in one scope where neither side did. The sides are parsed once per
file (:func:`prepare_gates`); each candidate costs one parse of the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from santamerge import treesitter
from santamerge.languages import LanguageProfile
from santamerge.locate import has_markers
from santamerge.types import Candidate, ParsedMerge

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

DefinitionKey = tuple[tuple[str, ...], str]


class GateContext(NamedTuple):
    parsed: ParsedMerge
    profile: LanguageProfile | None
    allowed_errors: int
    allowed_duplicates: frozenset[DefinitionKey]
    ours_text: str = ""  # every hunk as ours: candidates are parsed as edits of it
    ours_tree: Tree | None = None
    ours_keys: dict[tuple[int, int], DefinitionKey] | None = None  # by name node's span


def prepare_gates(parsed: ParsedMerge, profile: LanguageProfile | None) -> GateContext:
    """Measure the sides: their parse errors and duplicated definitions are allowed."""
    if profile is None:
        return GateContext(parsed, None, 0, frozenset())
    texts = [parsed.splice({}, default=side) for side in ("ours", "theirs")]
    trees = [treesitter.parse(profile, text) for text in texts]
    keys = [_keys(profile, tree) for tree in trees]
    return GateContext(
        parsed,
        profile,
        allowed_errors=max(treesitter.count_errors(tree.root_node) for tree in trees),
        allowed_duplicates=frozenset().union(*(_repeated(k.values()) for k in keys)),
        ours_text=texts[0],
        ours_tree=trees[0],
        ours_keys=keys[0],
    )


def check_candidate(ctx: GateContext, candidate: Candidate) -> tuple[str, ...]:
    """The reasons to reject ``candidate``; empty when it passes every gate."""
    if has_markers(candidate.text):
        return ("contains conflict markers",)
    if ctx.profile is None or ctx.ours_tree is None:
        return ()
    tree, start, old_end, new_end = _candidate_tree(ctx, candidate)
    errors = treesitter.count_errors(tree.root_node)
    reasons = []
    if errors > ctx.allowed_errors:
        reasons.append(f"does not parse: {errors} syntax errors where the sides have "
                       f"at most {ctx.allowed_errors}")
    new = sorted(_new_duplicates(ctx, tree, start, old_end, new_end))
    if new:
        names = ", ".join(".".join((*scope, name)) for scope, name in new)
        reasons.append(f"defines {names} twice, which neither side does")
    return tuple(reasons)


def _new_duplicates(ctx: GateContext, tree: Tree, start: int, old_end: int,
                    new_end: int) -> set[DefinitionKey]:
    """Names bound twice in the candidate's file and not in a side's. Only a name bound
    inside the candidate can be new, so only that region is queried; the names outside it
    are the ours file's, already known."""
    assert ctx.profile is not None and ctx.ours_keys is not None
    inside = [key for (a, b), key in _keys(ctx.profile, tree, (start, new_end)).items()
              if start <= a and b <= new_end]
    counts = Counter(inside)
    counts.update(key for (a, _), key in ctx.ours_keys.items() if not start <= a < old_end)
    return {key for key in inside if counts[key] > 1} - ctx.allowed_duplicates


def _candidate_tree(ctx: GateContext, candidate: Candidate) -> tuple[Tree, int, int, int]:
    """The file with the candidate spliced in (other hunks as ours), parsed as an edit,
    and the candidate's byte span: start, end in the ours file, end in the new file."""
    assert ctx.profile is not None and ctx.ours_tree is not None
    hunk = ctx.parsed.hunks[candidate.hunk]
    offset = ctx.parsed.offset(hunk)
    before = ctx.ours_text[:offset].encode("utf-8")
    after = ctx.ours_text[offset + len(hunk.ours):].encode("utf-8")
    text = candidate.text.encode("utf-8")
    start, old_end = len(before), len(before) + len(hunk.ours.encode("utf-8"))
    old = before + hunk.ours.encode("utf-8") + after
    tree = treesitter.reparse(ctx.profile, ctx.ours_tree, old, before + text + after, start,
                              old_end, start + len(text))
    return tree, start, old_end, start + len(text)


def duplicates(profile: LanguageProfile, tree: Tree) -> frozenset[DefinitionKey]:
    """(scope, name) pairs bound more than once in the whole file."""
    return _repeated(_keys(profile, tree).values())


def _repeated(keys: Iterable[DefinitionKey]) -> frozenset[DefinitionKey]:
    return frozenset(key for key, n in Counter(keys).items() if n > 1)


class _Binding(NamedTuple):
    node: Node  # the definition (or import) that binds the name
    name: str  # with its signature, for languages with overloading: "format(Locale)"
    scope: tuple[str, ...]  # extra scope from the query: a Go receiver, a Rust impl
    is_import: bool  # an import binds a name but opens no scope


def _keys(profile: LanguageProfile, tree: Tree, byte_range: tuple[int, int] | None = None,
          ) -> dict[tuple[int, int], DefinitionKey]:
    """Each bound name's (scope, name), by the span of its name node. The scope is the
    enclosing definitions' names, plus the query's ``@scope`` captures. With
    ``byte_range``, only matches that intersect it (enclosing definitions included)."""
    bindings = _bindings(profile, tree, byte_range)
    by_node = {(b.node.start_byte, b.node.end_byte): b.name for b in bindings.values()
               if not b.is_import}
    return {span: ((*_scope(b.node, by_node), *b.scope), b.name)
            for span, b in bindings.items()}


def _bindings(profile: LanguageProfile, tree: Tree, byte_range: tuple[int, int] | None,
              ) -> dict[tuple[int, int], _Binding]:
    """One binding per name node; where two matches share it, the outermost node wins and
    the scope and signature come from whichever match has them."""
    found: dict[tuple[int, int], _Binding] = {}
    for query_name, node_capture in (("definitions", "definition"), ("imports", "import")):
        query = treesitter.query(profile, query_name)
        if query is None:
            continue
        for match in treesitter.matches(query, tree.root_node, byte_range):
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

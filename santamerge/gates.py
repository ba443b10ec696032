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


def _duplicates(profile: LanguageProfile, tree: Tree) -> frozenset[DefinitionKey]:
    """(scope, name) pairs defined more than once; the scope is the enclosing names."""
    query = treesitter.query(profile, "definitions")
    if query is None:
        return frozenset()
    owner: dict[tuple[int, int], tuple[Node, str]] = {}
    for match in treesitter.matches(query, tree.root_node):
        if not match.get("name") or not match.get("definition"):
            continue
        name, node = match["name"][0], match["definition"][0]
        key = (name.start_byte, name.end_byte)
        held = owner.get(key)
        if held is None or _contains(node, held[0]):
            owner[key] = (node, treesitter.node_text(name))
    by_node = {(n.start_byte, n.end_byte): text for n, text in owner.values()}
    counts = Counter((_scope(node, by_node), text) for node, text in owner.values())
    return frozenset(key for key, n in counts.items() if n > 1)


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

"""Two definitions of one name that git's clean line merge made: a wrong merge that
hides itself, left as a conflict instead.

When each side adds a definition of the same name in the same scope (``def f`` in one
class, at two different places), or the same key to one order-free parent (a dict's
key, a class's field: the ``@key`` captures of ``orderfree.scm``), git's line merge sees
no overlap and keeps both. The
file parses, and the second definition silently replaces the first (Python, JS) or does
not compile (Java, Go, Rust). After a clean merge the driver asks :func:`clashes`: a
name bound more often in the merged file than on either side, where at least one copy
comes from ours alone and one from theirs alone, and neither side binds it twice, is
such a clash. Each of those copies is wrapped in conflict markers of its own, ours' with
an empty theirs section and theirs' with an empty ours section, so that nothing moves
and no line is lost: a person (or ``resolve``/``preview``) keeps one. Only definitions
are compared, never imports; names a language binds twice on purpose (typing overloads,
property setters, JS accessors, TypeScript's merged interfaces) are never clashes.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Literal, NamedTuple

from santamerge.syntax.bindings import DefinitionKey, definitions, dotted
from santamerge.syntax.offsets import CharOffsets

if TYPE_CHECKING:
    from tree_sitter import Node

    from santamerge.languages.profiles import LanguageProfile
    from santamerge.merge.types import Side


class Clash(NamedTuple):
    start: int  # the copy's whole lines in the merged text, as character offsets
    end: int
    side: Side  # ours or theirs: the side that alone holds this copy
    name: str  # the name as a person reads it: "Config.load"


def clashes(profile: LanguageProfile, ours: str, theirs: str, merged: str) -> list[Clash]:
    """The copies to mark in ``merged``, in file order; empty when there is no clash."""
    return clash_report(profile, ours, theirs, merged)[0]


def clash_report(
    profile: LanguageProfile, ours: str, theirs: str, merged: str
) -> tuple[list[Clash], list[str]]:
    """The copies to mark in ``merged``, in file order, and the names of the clashes
    whose copies cannot be marked on lines of their own (a copy that shares a line with
    other code, or ends the file without a line end): those need each side's changes
    marked instead (santamerge.merge.loads.mark_changes)."""
    from santamerge import treesitter

    sides = [_bound(profile, text) for text in (ours, theirs)]
    counts = [Counter(key for key, _ in defs) for defs in sides]
    texts = [_texts(defs) for defs in sides]
    chars = CharOffsets(merged)
    by_key: dict[DefinitionKey, list[Node]] = {}
    for key, node in _bound(profile, merged):
        by_key.setdefault(key, []).append(node)
    found: list[Clash] = []
    unmarkable: list[str] = []
    for key, nodes in by_key.items():
        if len(nodes) < 2 or max(counts[0][key], counts[1][key]) > 1:
            continue  # a side that binds the name twice already: the language allows it
        copies = [treesitter.node_text(n) for n in nodes]
        if any(_may_repeat(text, profile) for text in copies):
            continue
        origins = [_origin(text, key, texts) for text in copies]
        spans = [_whole_lines(merged, chars, n) for n in nodes]
        if "ours" in origins and "theirs" in origins and not all(spans):
            unmarkable.append(_readable(key))
        elif "ours" in origins and "theirs" in origins:
            name = _readable(key)
            found += [
                Clash(span[0], span[1], side, name)
                for span, side in zip(spans, origins, strict=True)
                if side and span
            ]
    return _outermost(found), unmarkable


def _bound(profile: LanguageProfile, text: str) -> list[tuple[DefinitionKey, Node]]:
    """The definitions of ``text``, and the keyed children of its order-free parents (a
    dict's keys, a class's fields: santamerge.merge.structured.tree)."""
    from santamerge import treesitter
    from santamerge.merge.structured.tree import keyed_children

    tree = treesitter.parse(profile, text)
    found = definitions(profile, tree)
    known = {(n.start_byte, n.end_byte) for _, n in found}
    return [*found, *keyed_children(profile, tree, text, known)]


def mark(merged: str, found: list[Clash], labels: tuple[str, str, str], size: int) -> str:
    """``merged`` with each clash in its own diff3 conflict; every line stays."""
    parts, at = [], 0
    for clash in found:
        body = merged[clash.start : clash.end]
        newline = "\r\n" if body.endswith("\r\n") else "\n"
        ours, theirs = (body, "") if clash.side == "ours" else ("", body)
        parts += [
            merged[at : clash.start],
            f"{'<' * size} {labels[0]}{newline}",
            ours,
            f"{'|' * size} {labels[1]}{newline}",
            f"{'=' * size}{newline}",
            theirs,
            f"{'>' * size} {labels[2]}{newline}",
        ]
        at = clash.end
    return "".join([*parts, merged[at:]])


def _readable(key: DefinitionKey) -> str:
    """``Config.load``; a keyed child: ``"timeout" in DEFAULTS = {``."""
    scope, name = key
    if scope and scope[-1].startswith("@"):
        return f"{name} in {scope[-1][1:]}"
    return dotted(key)


def _texts(defs: list[tuple[DefinitionKey, Node]]) -> dict[DefinitionKey, set[str]]:
    from santamerge import treesitter

    found: dict[DefinitionKey, set[str]] = {}
    for key, node in defs:
        found.setdefault(key, set()).add(treesitter.node_text(node))
    return found


def _origin(
    text: str, key: DefinitionKey, texts: list[dict[DefinitionKey, set[str]]]
) -> Side | Literal[""]:
    """ "ours" or "theirs" when only that side defines ``key`` with this exact text."""
    in_ours, in_theirs = (text in t.get(key, set()) for t in texts)
    return "ours" if in_ours and not in_theirs else "theirs" if in_theirs and not in_ours else ""


# A name that a language lets a scope bind more than once on purpose: typing overloads,
# property setters and deleters, JS accessors. Such names are never called a clash.
_REPEATABLE = ("@overload", "@typing.overload", "get ", "set ", "static get ", "static set ")
_REPEATABLE_DECORATORS = (".setter", ".deleter", ".getter")


_TS_MERGED = ("interface ", "export interface ", "declare ", "export declare ")


def _may_repeat(text: str, profile: LanguageProfile) -> bool:
    """A copy the language lets a scope hold twice: TypeScript merges interfaces."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if profile.queries == "typescript" and first.startswith(_TS_MERGED):
        return True
    return first.startswith(_REPEATABLE) or (
        first.startswith("@") and first.endswith(_REPEATABLE_DECORATORS)
    )


def _whole_lines(text: str, chars: CharOffsets, node: Node) -> tuple[int, int] | None:
    """The character span of the lines ``node`` covers, their line ends included; None
    when it shares a line with other code (then markers around it would cut that code
    off from its side), or ends the file without a line end. A separator after it (a
    JSON pair's comma) goes with it."""
    start, end = chars(node.start_byte), chars(node.end_byte)
    line_start = text.rfind("\n", 0, start) + 1
    if end > start and text[end - 1] == "\n":
        end -= 1  # a node that ends with its line end (a TOML table)
    newline = text.find("\n", end)
    if newline < 0:
        return None  # the file's last line, without a line end: a marker cannot follow it
    line_end = newline + 1
    if text[line_start:start].strip() or text[end:line_end].strip() not in ("", ",", ";"):
        return None
    return line_start, line_end


def _outermost(found: list[Clash]) -> list[Clash]:
    """Clashes in file order, without those inside another (a duplicated class's
    methods are duplicated too) and without overlaps."""
    kept: list[Clash] = []
    for clash in sorted(found, key=lambda c: (c.start, -c.end)):
        if kept and clash.start < kept[-1].end:
            continue
        kept.append(clash)
    return kept

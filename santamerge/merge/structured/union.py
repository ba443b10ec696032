"""The structured rule for order-free regions: the union of disjoint additions.

When both sides only *added* imports, or whole functions, classes or methods, at the same
place, the order between the two sides' additions carries no meaning, and keeping both is
what people do. Items are found with the ``imports`` and ``definitions`` queries of the
file's language, in the full text of each side, so that methods inside a class are seen
in their class. The result keeps ours' additions, then theirs' that ours lacks, and keeps
one copy of what both sides added alike. Where both sides added different items at one
level and nothing shows their order, the union is ``structured:union-unordered``: offered,
but not written by the default policy (on public merge history people keep both in the
other order, or drop one, more often than not: docs/benchmarks.md). One-line imports (or, in
JSON, YAML and TOML, one-line keys) added into a group the file keeps sorted (each
side's group, with at least two lines it did not add, sorted by one rule) are put in
sorted order instead: people sort imports and dependency lists, and a union that
appends is a write they would not have made.

"Alike" means byte for byte: the item with the comments, blank lines, indentation and
line endings that come with it. Two additions of the same item that differ in anything
(a comment, a line ending, whitespace, which matters in Python, YAML and string
literals) are a real conflict, and so is a side that adds one item twice: the rule
does not apply, and git's conflict stays. The result is checked before it is offered:
it holds every line of both sides, byte for byte and as often as each side has it, and
no line that neither side has (:func:`keeps_every_line`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.structured.order import sort_key, sorted_by
from santamerge.merge.structured.words import normalise
from santamerge.merge.types import BOTH_SIDES, ConflictHunk, ParsedMerge, Side
from santamerge.syntax.offsets import byte_offset

if TYPE_CHECKING:
    from tree_sitter import Node

_COMMENT_PREFIXES = ("#", "//", "/*", "*", "*/", "--")


class _Addition(NamedTuple):
    text: str
    at_end: bool  # True when the side added after the base text, False when before


class _Item(NamedTuple):
    block: str  # the item with the blank lines and comments before it
    key: str  # the item alone, whitespace-normalised: equal keys are the same addition
    level: tuple[int, str]  # (column, parent node type): where in the tree it sits


class Union(NamedTuple):
    text: str
    ordered: bool  # False: both sides added items at one level, and nothing shows the order


def union_of_additions(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile
) -> Union | None:
    """The order-free union of the two sides' additions, or None when the rule does not apply."""
    if hunk.base is None:
        return None
    ours, theirs = _addition(hunk.base, hunk.ours), _addition(hunk.base, hunk.theirs)
    if ours is None or theirs is None or (ours.at_end != theirs.at_end and hunk.base):
        return None
    ours_items = _items(parsed, hunk, "ours", ours, profile)
    theirs_items = _items(parsed, hunk, "theirs", theirs, profile)
    if ours_items is None or theirs_items is None:
        return None
    if _repeats(ours_items) or _repeats(theirs_items):
        return None  # a side adds the same item twice: on purpose or not, a person decides
    first, second = _in_tree_order(ours_items, theirs_items, ours.at_end)
    if first is None or second is None:
        return None
    by_key = {item.key: item for item in first}
    extra = []
    for item in second:
        twin = by_key.get(item.key)
        if twin is None:
            extra.append(item.block)
        elif twin.block != item.block:
            return None  # the same item added differently by each side: a real conflict
    ordered = True
    if not extra:
        union = getattr(hunk, "ours" if first is ours_items else "theirs")
    else:
        blocks = [i.block for i in first] + extra
        groups = _groups(parsed, hunk, profile, ours, theirs) if _one_line(blocks) else None
        in_order = _in_sorted_order(blocks, groups)
        second_keys = {item.key for item in second}
        ordered = (
            in_order is not None
            or not _one_level(first, second)
            or all(item.key in second_keys for item in first)
        )
        added = "".join(in_order or blocks)
        union = hunk.base + added if ours.at_end else added + hunk.base
    return Union(union, ordered) if keeps_every_line(union, hunk) else None


def keeps_every_line(union: str, hunk: ConflictHunk) -> bool:
    """The union's promise, checked byte for byte: every line of each side is in
    ``union`` at least as often as in that side, and ``union`` holds no line, and no
    more copies of a line, than the two sides' additions to the base give."""
    have = Counter(union.splitlines(keepends=True))
    ours = Counter(hunk.ours.splitlines(keepends=True))
    theirs = Counter(hunk.theirs.splitlines(keepends=True))
    base = Counter((hunk.base or "").splitlines(keepends=True))
    if ours - have or theirs - have:
        return False
    return not have - ((ours + theirs) - base)


# -- order-aware insertion: a sorted group of imports (or keys) stays sorted -----------

NEIGHBOURS = 2  # lines of the group that neither side added: the evidence it is sorted


def _in_sorted_order(blocks: list[str], groups: list[list[str]] | None) -> list[str] | None:
    """The added one-line items in the order of the file's own convention: sorted, when
    each side's group (the run of one-line imports, or of a configuration file's keys,
    without a blank line, that holds its additions) is sorted by the same rule,
    case-sensitive or not (santamerge.merge.structured.order). None when there is no
    such evidence, or the two rules would disagree: ours-then-theirs stays."""
    if groups is None or not _one_line(blocks):
        return None
    orders = set()
    for rule in sorted_by(groups):
        key = sort_key(rule)
        ranked = sorted((key(b), i) for i, b in enumerate(blocks))
        orders.add(tuple(blocks[i] for _, i in ranked))
    return list(orders.pop()) if len(orders) == 1 else None


def _one_line(blocks: list[str]) -> bool:
    """Every block is one line, with its line end: no comment or blank line with it."""
    return all(b.count("\n") == 1 and b.endswith("\n") for b in blocks)


def _groups(
    parsed: ParsedMerge,
    hunk: ConflictHunk,
    profile: LanguageProfile,
    ours: _Addition,
    theirs: _Addition,
) -> list[list[str]] | None:
    """Each side's group around its additions, or None when either has fewer than
    NEIGHBOURS lines it did not add (too little to show a convention)."""
    found = [
        _group(parsed, hunk, side, addition, profile)
        for side, addition in zip(BOTH_SIDES, (ours, theirs), strict=True)
    ]
    return None if None in found else found  # type: ignore[return-value]


def _group(
    parsed: ParsedMerge,
    hunk: ConflictHunk,
    side: Side,
    addition: _Addition,
    profile: LanguageProfile,
) -> list[str] | None:
    text = parsed.splice({}, default=side)
    start = parsed.offset(hunk, side)
    if addition.at_end:
        start += len(getattr(hunk, side)) - len(addition.text)
    first = text.count("\n", 0, start)
    added = range(first, first + addition.text.count("\n"))
    lines = _item_lines(profile, text)
    if not all(n in lines for n in added):
        return None
    lo, hi = added.start, added.stop
    while lo - 1 in lines:
        lo -= 1
    while hi in lines:
        hi += 1
    if (hi - lo) - len(added) < NEIGHBOURS:
        return None
    return [lines[n] for n in range(lo, hi)]


def _item_lines(profile: LanguageProfile, text: str) -> dict[int, str]:
    """The items that may be kept sorted and fill exactly one whole line of ``text``, by
    line number: imports in code, keys in configuration files."""
    name, capture = (
        ("definitions", "definition") if profile.kind == "config" else ("imports", "import")
    )
    query = treesitter.query(profile, name)
    if query is None:
        return {}
    tree = treesitter.parse(profile, text)
    lines = text.split("\n")  # tree-sitter's rows: only "\n" ends a line
    found = {}
    for node in treesitter.captures(query, tree.root_node).get(capture, []):
        row = node.start_point[0]
        if node.end_point[0] == row and lines[row].strip() == treesitter.node_text(node).strip():
            found[row] = lines[row]
    return found


def _one_level(first: list[_Item], second: list[_Item]) -> bool:
    """Both sides' items sit at one level of the tree: their order is the file's choice
    (a deeper side's item closing a block first is not a choice)."""
    return len({item.level for item in first + second}) == 1


def _repeats(items: list[_Item]) -> bool:
    return len({item.key for item in items}) < len(items)


def _in_tree_order(
    ours: list[_Item], theirs: list[_Item], at_end: bool
) -> tuple[list[_Item], list[_Item]] | tuple[None, None]:
    """Ours then theirs when all items sit at one level. When each side sits at its own
    level at the end of a block (a method of the last class on one side, a top-level
    function on the other), the deeper side must come first: the shallower item closes
    the block. Anything else is not order-free."""
    levels = [{i.level for i in ours}, {i.level for i in theirs}]
    if levels[0] == levels[1] and len(levels[0]) == 1:
        return ours, theirs
    if not at_end or len(levels[0]) != 1 or len(levels[1]) != 1:
        return None, None
    (ours_col, _), (theirs_col, _) = next(iter(levels[0])), next(iter(levels[1]))
    if ours_col == theirs_col:
        return None, None
    return (ours, theirs) if ours_col > theirs_col else (theirs, ours)


def _addition(base: str, side: str) -> _Addition | None:
    """What ``side`` added to ``base``, in whole lines, before or after it; else None."""
    if len(side) <= len(base):
        return None
    if side.startswith(base) and (not base or base.endswith("\n")):
        return _Addition(side[len(base) :], at_end=True)
    if side.endswith(base) and side[: len(side) - len(base)].endswith("\n"):
        return _Addition(side[: len(side) - len(base)], at_end=False)
    return None


def _items(
    parsed: ParsedMerge,
    hunk: ConflictHunk,
    side: Side,
    addition: _Addition,
    profile: LanguageProfile,
) -> list[_Item] | None:
    """Split the added text into items, each with the comments and blank lines before it."""
    text = parsed.splice({}, default=side)
    start = parsed.offset(hunk, side)
    if addition.at_end:
        start += len(getattr(hunk, side)) - len(addition.text)
    data = text.encode("utf-8")
    lo = byte_offset(text, start)
    hi = lo + len(addition.text.encode("utf-8"))
    nodes = _item_nodes(profile, text, lo, hi)
    if not nodes:
        return None
    spans = [(n.start_byte, n.end_byte) for n in nodes]
    cuts = [lo] + [_line_end(data, end) for _, end in spans[:-1]] + [hi]
    if not all(_only_items(data, a, b, spans) for a, b in itertools.pairwise(cuts)):
        return None
    return [
        _Item(
            data[a:b].decode("utf-8"),
            normalise(treesitter.node_text(node)),
            (node.start_point[1], node.parent.type if node.parent else ""),
        )
        for (a, b), node in zip(itertools.pairwise(cuts), nodes, strict=True)
    ]


def _item_nodes(profile: LanguageProfile, text: str, lo: int, hi: int) -> list[Node]:
    """The outermost import or definition nodes that lie inside [lo, hi), in order."""
    tree = treesitter.parse(profile, text)
    found: dict[tuple[int, int], Node] = {}
    for name, capture in (("imports", "import"), ("definitions", "definition")):
        query = treesitter.query(profile, name)
        if query is None:
            continue
        for node in treesitter.captures(query, tree.root_node, (lo, hi)).get(capture, []):
            if lo <= node.start_byte and node.end_byte <= hi:
                found[(node.start_byte, node.end_byte)] = node
    outer = sorted(s for s in found if not any(_inside(s, o) for o in found))
    return [found[s] for s in outer]


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return inner != outer and outer[0] <= inner[0] and inner[1] <= outer[1]


def _only_items(data: bytes, a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    """True when [a, b) holds exactly one item, and otherwise only blanks and comments."""
    inside = [s for s in spans if a <= s[0] and s[1] <= b]
    if len(inside) != 1:
        return False
    ((s, e),) = inside
    rest = (data[a:s] + b"\n" + data[e:b]).decode("utf-8", errors="replace")
    return all(
        not line.strip() or line.strip().startswith(_COMMENT_PREFIXES) for line in rest.splitlines()
    )


def _line_end(data: bytes, pos: int) -> int:
    nl = data.find(b"\n", pos)
    return len(data) if nl < 0 else nl + 1

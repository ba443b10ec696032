"""The structured rule for order-free parents: a three-way merge of their children.

git's line merge leaves a conflict whenever the two sides change lines next to each
other, even when the lines are different children of a parent whose children may come
in any order: two entries of one dict, two members of one class, two keys of one
mapping, two imports. Here such a hunk is merged again as a tree (``structured:tree``):

1. The file is built three times, with this hunk as base, ours and theirs (every other
   hunk as ours), and parsed. The smallest *order-free parent* (a ``@parent`` capture of
   ``grammars/<lang>/orderfree.scm``) that holds the hunk in all three is found.
2. Its children (``@item`` captures; by default its named children that are not
   comments) are matched across the three by a signature: the name of a definition
   (``definitions.scm``), a ``@key`` capture of ``orderfree.scm`` (by its value:
   ``"a"`` and ``'a'`` are one key, santamerge.syntax.keys), or an import's text, else
   the child's own text. A child whose text changed (no name) is matched to
   the one it replaced when it sits in the same place and most of it is alike.
3. Each matched child is merged: taken from the side that changed it; deleted where one
   side deleted it and the other left it alone; merged again, one level down, where both
   changed it and it holds an order-free parent of its own. Additions go after the child
   that precedes them on their side. Where both sides add at one place, ours come first,
   or all in sorted order when the file keeps that place sorted.
4. It is refused (None, git's conflict stays) on a delete on one side and a change on
   the other, two different changes of one child that cannot be merged lower down, a
   child moved by a side, one signature twice, or two additions at one place of
   children whose order matters (statements).

The result is rendered from the sides' own text: each child with the blank lines,
comments and indentation before it, the separators (``,``) and the parent's delimiters
as the file has them. Nothing is pretty-printed. The end of a child's last line (blanks
and line end) is its own side's, whatever follows it; a line that would be one side's
text with the other's line end, or a child given tabs where its side has spaces (or the
reverse), is refused (issue 22). Only the hunk's part of the merged
parent is returned; the text around the hunk must come out unchanged, or nothing is.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.structured.order import sort_key, sorted_by
from santamerge.merge.structured.words import normalise
from santamerge.merge.types import (
    BOTH_SIDES,
    MARKER_ORDER,
    SIDES,
    ConflictHunk,
    ParsedMerge,
    Side,
    merge_memo,
)
from santamerge.syntax.bindings import definitions
from santamerge.syntax.keys import key_value

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

MATCH_SIMILARITY = 0.6  # a changed child without a name: how alike its old and new text
MAX_DEPTH = 8  # order-free parents inside order-free parents, followed this deep
UNORDERED = "in no order the file shows (ours first)"
INNER_DEPTH = 3  # how far inside a changed child its own order-free parent may sit


class Refused(Exception):
    """The tree merge does not apply to this hunk: git's conflict stays."""


class TreeMerge(NamedTuple):
    text: str  # the hunk's replacement
    note: str  # what was merged, for a person
    ordered: bool = True  # False: both sides added at one place, in no order the file shows


class Signature(NamedTuple):
    """What matches a child across the three sides: a definition by its name
    (``definitions.scm``), a keyed child by its key's value, an import by its text, any
    other child by its text (words normalised)."""

    kind: Literal["def", "key", "import", "text"]
    name: str

    @property
    def named(self) -> bool:
        """A definition or a key, matched by its name; an import or another child is
        matched by its text (a changed one may be paired by likeness: ``_paired``)."""
        return self.kind in ("def", "key")


class _Child(NamedTuple):
    sig: Signature
    lead: bytes  # the line ends and blank lines before it: they go with its place
    attached: bytes  # the comments before it, from their line's start: they go with it
    indent: bytes  # the blanks on its own line before it: they go with its place
    trail: bytes  # a comment after it on its line (after its separator): it goes with it
    body: bytes  # the child itself
    eol: bytes  # the blanks and line end after it, if it ends its line (compared only)
    first: bool  # first of its parent in its own side (its lead is the parent's)
    commutes: bool  # it may change places with its neighbours
    node: Node
    side: Side  # the side its text comes from


class _Parent(NamedTuple):
    opening: bytes
    closing: bytes  # after the last child, its separator and its comment
    trailing: bool  # the last child has a separator after it (a trailing comma)
    sep: bytes | None  # the separator between children (",") or None
    place0: tuple[bytes, bytes]  # the lead and indent of whichever child comes first
    children: tuple[_Child, ...]
    node: Node


class _View:
    """One side's file, parsed, with what the queries say about it. The queries run only
    over the byte ranges asked for (the hunk, then the parent it lies in), not over the
    whole file: a hunk deep in a large JSON file costs its object, not the file."""

    def __init__(self, profile: LanguageProfile, data: bytes, tree: Tree) -> None:
        self.profile, self.data, self.tree = profile, data, tree
        self.parents: dict[int, tuple[Node, str]] = {}  # by node id: "parent" or "set"
        self.items: dict[tuple[int, int], list[Node]] = {}  # a parent's children, if listed
        self.keys: dict[tuple[int, int], Signature] = {}  # signatures by node span
        self.skip: set[tuple[int, int]] = set()  # key nodes: never children (a table's name)
        self._scanned: list[tuple[int, int]] = []
        self.window = False  # parsed around the hunk only: its root is not the file's

    def scan(self, start: int, end: int) -> None:
        """Run the queries over [start, end), unless a scanned range holds it."""
        if any(a <= start and end <= b for a, b in self._scanned):
            return
        self._scanned.append((start, end))
        query = treesitter.query(self.profile, "orderfree")
        assert query is not None
        for match in treesitter.matches(query, self.tree.root_node, (start, end)):
            self._add(match)
        self.keys.update(_definition_keys(self.profile, self.tree, (start, end)))

    def _add(self, match: dict[str, list[Node]]) -> None:
        for kind in ("parent", "set"):
            for node in match.get(kind, []):
                self.parents[node.id] = (node, kind)
        for node in match.get("item", []):
            if node.parent is not None:
                listed = self.items.setdefault(_span(node.parent), [])
                if node not in listed:
                    listed.append(node)
        for node in match.get("item", []) + match.get("keyed", []):
            for key in match.get("key", []):
                # by value: "timeout" and 'timeout' are one key (santamerge.syntax.keys)
                self.keys[_span(node)] = Signature("key", key_value(self.profile, key))
                self.skip.add(_span(key))


# -- entry -------------------------------------------------------------------------------


def tree_merge(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile
) -> TreeMerge | None:
    """The hunk merged as a tree, or None when the rule does not apply."""
    if hunk.base is None or treesitter.query(profile, "orderfree") is None:
        return None
    try:
        return _merge_hunk(parsed, hunk, profile)
    except Refused:
        return None


def _merge_hunk(parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile) -> TreeMerge:
    shared = _shared(parsed, profile)
    start = shared.starts[hunk.index]
    ends = {side: start + len(getattr(hunk, side).encode("utf-8")) for side in SIDES}
    ours = _view(profile, shared.data, shared.tree, start, ends["ours"])
    smallest = _enclosing(ours, start, ends["ours"])
    if not smallest:
        raise Refused("no order-free parent holds the hunk in all three sides")
    # Any parent the three sides share holds the smallest one of ours: if that holds
    # another hunk, so does every one, and the other sides need not be parsed at all.
    _alone_in_parent(shared, hunk, smallest[0])
    try:
        views = _views(shared, hunk, profile, start, ends, ours, window=True)
        nodes = _common_parent(views, start, ends)
    except _Wider:  # the root: refused at once where it holds another hunk
        _alone_in_parent(shared, hunk, shared.tree.root_node)
        views = _views(shared, hunk, profile, start, ends, ours, window=False)
        nodes = _common_parent(views, start, ends)
    _alone_in_parent(shared, hunk, nodes["ours"])
    notes: list[str] = []
    merged = _merge_parents(views, nodes, notes, 0)
    data = views["ours"].data
    pre, post = data[nodes["ours"].start_byte : start], data[ends["ours"] : nodes["ours"].end_byte]
    if not (
        merged.startswith(pre) and merged.endswith(post) and len(merged) >= len(pre) + len(post)
    ):
        raise Refused("the merge would change text outside the hunk")
    middle = merged[len(pre) : len(merged) - len(post)]
    parents = {side: views[side].data[n.start_byte : n.end_byte] for side, n in nodes.items()}
    _no_line_more_often(merged, parents)
    _keeps_changed_lines(merged, parents)
    _keeps_needed_imports(views, start, ends, middle)
    return TreeMerge(
        middle.decode("utf-8"), "; ".join(dict.fromkeys(notes)), UNORDERED not in notes
    )


class _Shared(NamedTuple):
    """What the tree merges of one file's hunks share, built once per merge: the file
    with every hunk as ours, its parse, and where each hunk starts and ends in it."""

    data: bytes
    tree: Tree
    starts: tuple[int, ...]  # by hunk index, in bytes
    ends: tuple[int, ...]


def _shared(parsed: ParsedMerge, profile: LanguageProfile) -> _Shared:
    memo = merge_memo(parsed)
    key = ("tree", profile)
    if key not in memo:
        text = parsed.side("ours")
        starts, ends, at = [], [], 0
        for chunk in parsed.chunks:
            size = len((chunk if isinstance(chunk, str) else chunk.ours).encode("utf-8"))
            if not isinstance(chunk, str):
                starts.append(at)
                ends.append(at + size)
            at += size
        memo[key] = _Shared(
            text.encode("utf-8"), treesitter.parse(profile, text), tuple(starts), tuple(ends)
        )
    shared: _Shared = memo[key]
    return shared


class _Wider(Exception):
    """The parent to merge may be the whole file: the other sides must be parsed whole."""


def _alone_in_parent(shared: _Shared, hunk: ConflictHunk, parent: Node) -> None:
    """Refuse a parent that holds another conflict hunk: each hunk is merged with the
    others as ours, and two merges of one parent need not agree (found by the long run:
    a child one hunk's merge kept, the other's removed). The hunks lie in file order,
    so only those that start before the parent's end are looked at, last first, until
    one ends before the parent starts."""
    other = bisect.bisect_left(shared.starts, parent.end_byte)
    while other > 0:
        other -= 1
        start, end = shared.starts[other], shared.ends[other]
        if other != hunk.index and parent.start_byte < max(end, start + 1):
            raise Refused("another conflict lies in the same parent")
        if end <= parent.start_byte and start < parent.start_byte:
            return


def _views(
    shared: _Shared,
    hunk: ConflictHunk,
    profile: LanguageProfile,
    start: int,
    ends: dict[Side, int],
    ours: _View,
    window: bool,
) -> dict[Side, _View]:
    """The file with this hunk as base, ours and theirs (every other hunk as ours). The
    ours view is the same for every hunk of the file (parsed once); the others differ
    from it in this hunk only. With ``window``, only the top-level nodes around the hunk
    are parsed (``treesitter.parse_window``; ``_common_parent`` asks for the whole file
    when it reaches the root), else the whole file, incrementally from ours."""
    views: dict[Side, _View] = {"ours": ours}
    for side in (s for s in SIDES if s != "ours"):
        text = getattr(hunk, side).encode("utf-8")
        data = shared.data[:start] + text + shared.data[ends["ours"] :]
        edit = (start, ends["ours"], len(text))
        part = (
            treesitter.parse_window(profile, shared.tree, shared.data, data, edit)
            if window
            else None
        )
        tree = (
            part
            if part is not None
            else treesitter.reparse(profile, shared.tree, shared.data, data, [edit])
        )
        views[side] = _view(profile, data, tree, start, ends[side])
        views[side].window = part is not None
    return {side: views[side] for side in SIDES}


def _line_counts(data: bytes) -> Counter[bytes]:
    """Each non-blank line of ``data``, without the blanks that end it and a trailing
    ``,`` (a merged list moves its separators), and how often it occurs."""
    return Counter(line.rstrip().rstrip(b",") for line in data.splitlines() if line.strip())


def _no_line_more_often(merged: bytes, parents: dict[Side, bytes]) -> None:
    """No line (blank lines aside; a trailing ``,`` moves with the list) more often than
    the base has it plus what each side added of it: a comment both sides moved onto
    their own new child is not doubled. Lines no side has (a one-line list merged) are
    not counted."""
    base, ours, theirs = (_line_counts(parents[s]) for s in SIDES)
    bound = base + (ours - base) + (theirs - base)
    if any(n > bound[line] for line, n in _line_counts(merged).items() if line in bound):
        raise Refused("the merge would hold a line more often than the sides give")


def _keeps_changed_lines(merged: bytes, parents: dict[Side, bytes]) -> None:
    """Every line a side added or changed (its indentation included; blank lines aside,
    a trailing ``,`` moving with the list) is in the merge, unless the merge joined two
    sides' edits into one line (a one-line list merged): a side whose only change was to
    re-indent a child the other side removed must not lose it (the no-lost-line long run
    of 2026-12-06, case 7073202)."""
    have = _line_counts(merged)
    base, ours, theirs = (_line_counts(parents[s]) for s in SIDES)
    if any(line not in ours and line not in theirs for line in have):
        return  # lines merged within: judged by the gates and by the other checks
    if ((ours - base) - have) or ((theirs - base) - have):
        raise Refused("the merge would lose a line a side changed")


def _keeps_needed_imports(
    views: dict[Side, _View], start: int, ends: dict[Side, int], middle: bytes
) -> None:
    """Refuse a merge that drops an import whose names the merged file still uses."""
    from santamerge.merge.structured.unused import lost_imports

    ours = views["ours"].data
    merged = (ours[:start] + middle + ours[ends["ours"] :]).decode("utf-8")
    lost = lost_imports(views["base"].profile, views["base"].tree, start, ends["base"], merged)
    if lost:
        raise Refused(f"drops the import of {', '.join(lost)}, which the merge still uses")


def _view(profile: LanguageProfile, data: bytes, tree: Tree, start: int, end: int) -> _View:
    if tree.root_node.has_error:
        raise Refused("a side does not parse")
    view = _View(profile, data, tree)
    view.scan(max(start - 1, 0), end + 1)  # an empty hunk: the nodes around its place
    return view


def keyed_children(
    profile: LanguageProfile, tree: Tree, text: str, known: set[tuple[int, int]]
) -> list[tuple[tuple[tuple[str, ...], str], Node]]:
    """The children of order-free parents that a ``@key`` capture names (a dict's keys, a
    class's fields, a struct's fields), each with a key for the clean-merge clash check:
    (the names of the definitions around it and the line its parent starts on, its key).
    Nodes in ``known`` (already definitions) are left out."""
    query = treesitter.query(profile, "orderfree")
    if query is None:
        return []
    lines = text.split("\n")
    found: list[tuple[tuple[tuple[str, ...], str], Node]] = []
    for match in treesitter.matches(query, tree.root_node):
        for node in match.get("keyed", []) + match.get("item", []):
            keys, parent = match.get("key", []), node.parent
            if not keys or parent is None or _span(node) in known:
                continue
            where = " ".join(lines[parent.start_point[0]].split())
            found.append(((("@" + where,), key_value(profile, keys[0])), node))
    return found


def _definition_keys(
    profile: LanguageProfile, tree: Tree, byte_range: tuple[int, int]
) -> dict[tuple[int, int], Signature]:
    """Signatures of definitions (by name) and imports (by text) that meet
    ``byte_range``, by node span."""
    found: dict[tuple[int, int], Signature] = {}
    if profile.kind == "code":  # a configuration file's keys are orderfree.scm's @key
        found = {
            _span(node): Signature("def", key[1])
            for key, node in definitions(profile, tree, byte_range)
        }
    query = treesitter.query(profile, "imports")
    if query is not None:
        for node in treesitter.captures(query, tree.root_node, byte_range).get("import", []):
            found.setdefault(
                _span(node), Signature("import", normalise(treesitter.node_text(node)))
            )
    return found


def _span(node: Node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def _common_parent(views: dict[Side, _View], start: int, ends: dict[Side, int]) -> dict[Side, Node]:
    """The smallest order-free parent around the hunk that all three sides have, at the
    same place: the same start, the same type and the same text after it."""
    ours = views["ours"]
    for node in _enclosing(ours, start, ends["ours"]):
        if node.parent is None and any(v.window for v in views.values()):
            raise _Wider
        tail = len(ours.data) - node.end_byte
        found: dict[Side, Node] = {"ours": node}
        for side in (s for s in SIDES if s != "ours"):
            view = views[side]
            twin = _parent_at(view, node.start_byte, len(view.data) - tail, node.type)
            if twin is None or not (twin.start_byte <= start and ends[side] <= twin.end_byte):
                break
            found[side] = twin
        else:
            return found
    raise Refused("no order-free parent holds the hunk in all three sides")


def _enclosing(view: _View, start: int, end: int) -> list[Node]:
    """The order-free parents that hold [start, end), smallest (then deepest) first."""
    found = [
        node
        for node, _ in view.parents.values()
        if node.start_byte <= start and end <= node.end_byte
    ]
    return sorted(found, key=lambda n: (n.end_byte - n.start_byte, -_depth(n)))


def _depth(node: Node) -> int:
    depth, current = 0, node.parent
    while current is not None:
        depth, current = depth + 1, current.parent
    return depth


def _parent_at(view: _View, start: int, end: int, kind: str) -> Node | None:
    found = [
        node
        for node, _ in view.parents.values()
        if _span(node) == (start, end) and node.type == kind
    ]
    return found[0] if len(found) == 1 else None


# -- splitting a parent into its children --------------------------------------------------


def _split(view: _View, node: Node, side: Side) -> _Parent:
    items = _items(view, node)
    if not items:
        raise Refused("an order-free parent without children")
    data, commutes_all = view.data, view.parents[node.id][1] == "set"
    sep = _separator(data, node, items)
    comments = [c for c in node.children if c.type in view.profile.comments]
    gap_start = first_gap_start = _gap_start(view.profile, node, items[0])
    children, trailing = [], False
    for i, item in enumerate(items):
        limit = items[i + 1].start_byte if i + 1 < len(items) else node.end_byte
        after, trailing = _past_separator(data, item.end_byte, limit, sep)
        trail_end = _trail_end(comments, item, after, limit)
        key = _key(view, item)
        body = data[item.start_byte : item.end_byte]
        sig = key or Signature("text", normalise(body.decode("utf-8")))
        lead, attached, indent = _split_gap(data[gap_start : item.start_byte])
        children.append(
            _Child(
                sig,
                lead,
                attached,
                indent,
                data[after:trail_end],
                body,
                _eol(data, trail_end),
                i == 0,
                commutes_all or key is not None,
                item,
                side,
            )
        )
        gap_start = trail_end
    return _Parent(
        data[node.start_byte : first_gap_start],
        data[gap_start : node.end_byte],
        trailing,
        sep,
        (children[0].lead, children[0].indent),
        tuple(children),
        node,
    )


def _past_separator(data: bytes, end: int, limit: int, sep: bytes | None) -> tuple[int, bool]:
    """Where the text after a child's separator starts, and whether it has one."""
    if sep is None:
        return end, False
    at = data.find(sep, end, limit)
    if at < 0 or data[end:at].strip():
        return end, False
    return at + len(sep), True


def _trail_end(comments: list[Node], item: Node, after: int, limit: int) -> int:
    """The end of the comments that follow a child on its own last line."""
    end = after
    for comment in comments:
        if after <= comment.start_byte < limit and comment.start_point[0] == item.end_point[0]:
            end = max(end, comment.end_byte)
    return end


def _eol(data: bytes, at: int) -> bytes:
    """The blanks and line end after ``at`` when nothing else follows on its line."""
    end = data.find(b"\n", at)
    rest = data[at:] if end < 0 else data[at : end + 1]
    return rest if not rest.strip() else b""


def _split_gap(gap: bytes) -> tuple[bytes, bytes, bytes]:
    """A child's gap in three: the line ends and blank lines before it, the comment
    lines (from their line's start), and the blanks on the child's own line."""
    cut = gap.rfind(b"\n") + 1
    indent = gap[cut:]
    if indent.strip():  # a comment on the child's own line: it goes with the child
        cut, indent = len(gap), b""
    at = 0
    for line in gap[:cut].splitlines(keepends=True):
        if line.strip():
            break
        at += len(line)
    return gap[:at], gap[at:cut], indent


def _items(view: _View, node: Node) -> list[Node]:
    listed = view.items.get(_span(node))
    if listed is not None:
        return sorted({_span(n): n for n in listed}.values(), key=lambda n: n.start_byte)
    return [
        c
        for c in node.named_children
        if c.type not in view.profile.comments and _span(c) not in view.skip
    ]


def _gap_start(profile: LanguageProfile, node: Node, first: Node) -> int:
    """Where the gap before the first child starts: after the last token before it that
    is not a comment (an opening ``{``), else at the parent's start."""
    start = node.start_byte
    for child in node.children:
        if child.start_byte >= first.start_byte:
            break
        if child.type not in profile.comments:
            start = child.end_byte
    return start


def _separator(data: bytes, node: Node, items: list[Node]) -> bytes | None:
    """The one token between each two children (``,``), or None where they have none.
    Anything but blanks before a separator, or two kinds of separator, is refused."""
    seps: set[bytes | None] = set()
    for a, b in itertools.pairwise(items):
        between = [
            c for c in node.children if a.end_byte <= c.start_byte < b.start_byte and not c.is_named
        ]
        if not between:
            seps.add(None)
            continue
        token = data[between[0].start_byte : between[0].end_byte]
        if data[a.end_byte : between[0].start_byte].strip() or len(between) > 1:
            raise Refused("text between a child and its separator")
        seps.add(token)
    if len(seps) > 1:
        raise Refused("children with and without separators")
    return seps.pop() if seps else _trailing_separator(data, node, items)


def _trailing_separator(data: bytes, node: Node, items: list[Node]) -> bytes | None:
    """One child: its separator is the token after it, if one comes before the end."""
    after = [c for c in node.children if c.start_byte >= items[-1].end_byte and not c.is_named]
    if len(after) > 1 and data[after[0].start_byte : after[0].end_byte] in (b",", b";"):
        return data[after[0].start_byte : after[0].end_byte]
    return None


def _key(view: _View, item: Node) -> Signature | None:
    """The item's signature: its own, or that of the definition it wraps (``export``,
    decorators)."""
    found = view.keys.get(_span(item))
    if found is not None:
        return found
    for child in item.named_children:
        if child.end_byte >= item.end_byte - 1:
            inner = view.keys.get(_span(child))
            if inner is not None:
                return inner
    return None


# -- merging -------------------------------------------------------------------------------


def _merge_parents(
    views: dict[Side, _View], nodes: dict[Side, Node], notes: list[str], depth: int
) -> bytes:
    if depth > MAX_DEPTH:
        raise Refused("nested too deep")
    for side in SIDES:
        views[side].scan(nodes[side].start_byte, nodes[side].end_byte)
    parts = {side: _split(views[side], nodes[side], side) for side in SIDES}
    base = parts["base"]
    for side in BOTH_SIDES:
        paired = _paired(base.children, parts[side].children)
        _check_order(base.children, paired)
        parts[side] = parts[side]._replace(children=paired)
    _statements_change_on_one_side(parts)
    opening = _pick(base.opening, parts["ours"].opening, parts["theirs"].opening, "opening")
    closing = _pick(base.closing, parts["ours"].closing, parts["theirs"].closing, "closing")
    _ends_agree(parts)
    _opening_line_end(parts, opening)
    merged = _merge_children(views, parts, notes, depth)
    if not merged:
        raise Refused("no child left")
    seps = {p.sep for p in parts.values() if len(p.children) > 1}
    if len(seps) > 1:
        raise Refused("separators disagree")
    sep = seps.pop() if seps else parts["ours"].sep
    end = (sep or b"") * _trailing(parts) + merged[-1].trail + _own_line_end(merged[-1], closing)
    return opening + _render(merged, parts, sep) + end


def _ends_agree(parts: dict[Side, _Parent]) -> None:
    """Where both sides changed which child comes last (or first), the text after it
    (before it) must be the same on both: whose blank lines, whose trailing blanks?"""
    base, ours, theirs = (parts[s] for s in SIDES)
    for end, text in ((-1, lambda p: p.closing), (0, lambda p: p.place0)):
        changed = [p.children[end].sig != base.children[end].sig for p in (ours, theirs)]
        if all(changed) and text(ours) != text(theirs):
            raise Refused("both sides changed an end of the parent, differently")


def _opening_line_end(parts: dict[Side, _Parent], opening: bytes) -> None:
    """The opening's line ends where the first child's blank lines start: refuse where
    the merged opening and that line end are not one side's (ours' CRLF after theirs'
    changed ``{`` line)."""

    def first_line(lead: bytes) -> bytes:
        return lead[: lead.find(b"\n") + 1]

    end = first_line(_pick_place0(parts)[0])
    if end and not any(
        p.opening == opening and first_line(p.place0[0]) == end for p in parts.values()
    ):
        raise Refused("the opening's line and its line end come from different sides")


def _trailing(parts: dict[Side, _Parent]) -> bool:
    """Whether the merged list ends with a separator: a side's change counts only where
    its last child is the base's (deleting or adding the last child moves the comma)."""
    base = parts["base"]
    last = base.children[-1].sig
    ours, theirs = (
        p.trailing if p.children[-1].sig == last else base.trailing
        for p in (parts["ours"], parts["theirs"])
    )
    if ours != base.trailing and theirs != base.trailing and ours != theirs:
        raise Refused("both sides changed the trailing separator")
    return ours if ours != base.trailing else theirs


def _pick(base: bytes, ours: bytes, theirs: bytes, what: str) -> bytes:
    """The trivial three-way merge of one piece of text."""
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    raise Refused(f"both sides changed the {what}")


def _paired(base: Sequence[_Child], side: Sequence[_Child]) -> tuple[_Child, ...]:
    """Children without a name that a side changed look deleted and added: give the new
    one the old one's signature where it sits in its place and is the one most alike
    (ties are left unpaired)."""
    from rapidfuzz.fuzz import ratio

    base_sigs = [c.sig for c in base]
    children = list(side)
    present = {c.sig for c in children}
    for i, old in enumerate(base):
        if old.sig in present or old.sig.named:
            continue
        before = next((s for s in reversed(base_sigs[:i]) if s in present), None)
        scored = sorted(
            (
                (ratio(children[j].body, old.body), j)
                for j in _slot(children, before, set(base_sigs))
                if not children[j].sig.named and children[j].node.type == old.node.type
            ),
            reverse=True,
        )
        if (
            scored
            and scored[0][0] >= MATCH_SIMILARITY * 100
            and (len(scored) == 1 or scored[1][0] < scored[0][0])
        ):
            j = scored[0][1]
            children[j] = children[j]._replace(sig=old.sig)
            present.add(old.sig)
    return tuple(children)


def _slot(children: list[_Child], before: Signature | None, base_sigs: set[Signature]) -> list[int]:
    """The positions of the children a side added right after ``before`` (or first)."""
    start = (
        0
        if before is None
        else next((i + 1 for i, c in enumerate(children) if c.sig == before), len(children))
    )
    slot = []
    for j in range(start, len(children)):
        if children[j].sig in base_sigs:
            break
        slot.append(j)
    return slot


def _check_order(base: Sequence[_Child], side: Sequence[_Child]) -> None:
    position = {c.sig: i for i, c in enumerate(base)}
    if len(position) < len(base) or len({c.sig for c in side}) < len(side):
        raise Refused("one signature twice")
    order = [position[c.sig] for c in side if c.sig in position]
    if order != sorted(order):
        raise Refused("a side moved a child")


def _changed(base: Sequence[_Child], side: Sequence[_Child], commuting: bool) -> bool:
    """Whether a side added, removed or changed a child that commutes (or that does not)."""
    old = {c.sig: c for c in base if c.commutes == commuting}
    new = {c.sig: c for c in side if c.commutes == commuting}
    return old.keys() != new.keys() or any(not _same(old[k], new[k]) for k in old)


def _statements_change_on_one_side(parts: dict[Side, _Parent]) -> None:
    """Children whose order matters (statements) may change on one side only: two sides'
    changes among them are left to a person, as git leaves them."""
    base = parts["base"].children
    if all(_changed(base, parts[s].children, commuting=False) for s in BOTH_SIDES):
        raise Refused("both sides changed statements whose order matters")


def _same(a: _Child, b: _Child) -> bool:
    """Alike, with the blanks before it where both are first, or both are not (a first
    child's blanks are its parent's: a Python block starts at its first statement). Where
    one is first and the other not, an indentation both have still counts: a side that
    re-indented the first child and put another before it changed it."""
    if (a.body, a.attached, a.trail, a.eol) != (b.body, b.attached, b.trail, b.eol):
        return False
    if (a.lead, a.indent) == (b.lead, b.indent):
        return True
    return a.first != b.first and (not a.indent or not b.indent or a.indent == b.indent)


def _merge_children(
    views: dict[Side, _View], parts: dict[Side, _Parent], notes: list[str], depth: int
) -> list[_Child]:
    base, ours, theirs = (parts[s].children for s in SIDES)
    by_sig = [{c.sig: c for c in children} for children in (ours, theirs)]
    for side, present in zip(BOTH_SIDES, by_sig, strict=True):
        _no_moves(views[side].data, parts[side].node, [c for c in base if c.sig not in present])
    added = [_insertions(base, children) for children in (ours, theirs)]
    merged = _both(added[0].get(None, []), added[1].get(None, []), parts, notes)
    for child in base:
        kept = _merge_child(
            views, child, by_sig[0].get(child.sig), by_sig[1].get(child.sig), notes, depth
        )
        if kept is not None:
            merged.append(kept)
        merged += _both(added[0].get(child.sig, []), added[1].get(child.sig, []), parts, notes)
    if len({c.sig for c in merged}) < len(merged):
        raise Refused("one signature twice after the merge")
    return merged


def _no_moves(data: bytes, parent: Node, removed: list[_Child]) -> None:
    """A child a side removed from the parent but has elsewhere in its file was moved,
    not removed: the merge cannot tell where it belongs."""
    outside = data[: parent.start_byte] + b"\0" + data[parent.end_byte :]
    for child in removed:
        if child.body.strip() and child.body in outside:
            raise Refused(f"a side moved {_name(child.sig)} out of its place")


def _insertions(
    base: Sequence[_Child], side: Sequence[_Child]
) -> dict[Signature | None, list[_Child]]:
    """The side's new children, by the base child they follow (None: at the start)."""
    known = {c.sig for c in base}
    found: dict[Signature | None, list[_Child]] = {}
    anchor = None
    for child in side:
        if child.sig in known:
            anchor = child.sig
        else:
            found.setdefault(anchor, []).append(child)
    return found


def _merge_child(
    views: dict[Side, _View],
    base: _Child,
    ours: _Child | None,
    theirs: _Child | None,
    notes: list[str],
    depth: int,
) -> _Child | None:
    name = _name(base.sig)
    if ours is None or theirs is None:
        other = theirs if ours is None else ours
        if other is None or _same(other, base):
            if other is not None:
                notes.append(f"{'ours' if ours is None else 'theirs'} removed {name}")
            return None
        raise Refused(f"one side removed {name}, the other changed it")
    ours_changed, theirs_changed = not _same(ours, base), not _same(theirs, base)
    if not ours_changed:
        if theirs_changed:
            notes.append(f"theirs changed {name}")
        return theirs
    if not theirs_changed:
        notes.append(f"ours changed {name}")
        return ours
    if _same(ours, theirs) and (ours.lead, ours.indent) == (theirs.lead, theirs.indent):
        return ours  # both made the same change
    return _merge_nested(views, base, ours, theirs, notes, depth)


def _merge_nested(
    views: dict[Side, _View],
    base: _Child,
    ours: _Child,
    theirs: _Child,
    notes: list[str],
    depth: int,
) -> _Child:
    """Both sides changed one child: merge the order-free parent inside it, if it has one
    and the text around that parent merges trivially."""
    children: dict[Side, _Child] = {"base": base, "ours": ours, "theirs": theirs}
    inner = {side: _inner_parent(views[side], c.node) for side, c in children.items()}
    kinds = {n.type if n is not None else None for n in inner.values()}
    if None in kinds or len(kinds) != 1:
        raise Refused(f"both sides changed {_name(base.sig)}")
    found = {side: node for side, node in inner.items() if node is not None}
    heads = [views[s].data[children[s].node.start_byte : found[s].start_byte] for s in SIDES]
    tails = [views[s].data[found[s].end_byte : children[s].node.end_byte] for s in SIDES]
    head = _pick(heads[0], heads[1], heads[2], "text before the parent")
    tail = _pick(tails[0], tails[1], tails[2], "text after the parent")
    attached = _pick(base.attached, ours.attached, theirs.attached, "comments before it")
    trail = _pick(base.trail, ours.trail, theirs.trail, "comment after it")
    eol = _pick(base.eol, ours.eol, theirs.eol, "end of its line")
    lead, indent = ours.lead, ours.indent
    if not (base.first or ours.first or theirs.first):
        lead = _pick(base.lead, ours.lead, theirs.lead, "blank lines before it")
        indent = _pick(base.indent, ours.indent, theirs.indent, "indentation")
    body = head + _merge_parents(views, found, notes, depth + 1) + tail
    last = body[body.rfind(b"\n") + 1 :] + trail + eol
    if ours.eol != theirs.eol and not any(
        c.body[c.body.rfind(b"\n") + 1 :] + c.trail + c.eol == last for c in children.values()
    ):
        raise Refused(
            f"one side changed the end of {_name(base.sig)}'s last line, the other its text"
        )
    notes.append(f"both sides changed {_name(base.sig)}, merged inside it")
    return ours._replace(
        body=body, lead=lead, attached=attached, indent=indent, trail=trail, eol=eol
    )


def _inner_parent(view: _View, node: Node) -> Node | None:
    """The first order-free parent at or inside ``node``, breadth first, at most
    INNER_DEPTH levels down (a class's body, a key's object; not a dict deep in the
    statements of a function, whose order matters)."""
    queue = [(node, 0)]
    while queue:
        current, depth = queue.pop(0)
        if current.id in view.parents:
            return current
        if depth < INNER_DEPTH:
            queue.extend((child, depth + 1) for child in current.named_children)
    return None


def _both(
    ours: list[_Child], theirs: list[_Child], parts: dict[Side, _Parent], notes: list[str]
) -> list[_Child]:
    """Both sides' additions at one place: each once; ours first, or sorted where the
    parent is sorted. Additions whose order matters on both sides are refused."""
    if not ours or not theirs:
        for side, added in (("ours", ours), ("theirs", theirs)):
            notes += [f"{side} added {_name(c.sig)}" for c in added]
        return list(ours or theirs)
    mine = {c.sig: c for c in ours}
    extra = [c for c in theirs if c.sig not in mine]
    for child in theirs:
        twin = mine.get(child.sig)
        if twin is not None and not (_same(twin, child) and twin.indent == child.indent):
            raise Refused(f"both sides added {_name(child.sig)}, differently")
    if not all(c.commutes for c in ours + extra):
        raise Refused("both sides added statements at one place")
    out = ours + extra
    notes.append("both sides added at one place")
    rule = _sorted_rule(parts)
    if rule is not None:
        notes.append("sorted insertion")
        key = sort_key(rule)
        return sorted(out, key=lambda c: key(c.body.decode("utf-8")))
    theirs_sigs = {c.sig for c in theirs}
    if extra and any(c.sig not in theirs_sigs for c in ours):
        notes.append(UNORDERED)
    return out


def _sorted_rule(parts: dict[Side, _Parent]) -> Callable[[str], str] | None:
    """The first rule (exact, then case-blind: santamerge.merge.structured.order) by
    which every side keeps the parent's one-line children sorted, where the base has at
    least two (the evidence that the file keeps them sorted); else None."""
    if len(parts["base"].children) < 2:
        return None
    if any(b"\n" in c.body for part in parts.values() for c in part.children):
        return None
    rules = sorted_by([c.body.decode("utf-8") for c in part.children] for part in parts.values())
    return rules[0] if rules else None


def _name(sig: Signature) -> str:
    """A child's signature as a person reads it: its name, or the start of its text."""
    name = " ".join(sig.name.split())
    return f"`{name[:40]}`"


def _render(children: list[_Child], parts: dict[Side, _Parent], sep: bytes | None) -> bytes:
    out = []
    place0 = _pick_place0(parts)
    for i, child in enumerate(children):
        if i == 0:
            # the blank lines are the parent's; the indentation is the child's own where
            # its side has it first (a new first field keeps its side's indentation)
            lead, indent = place0[0], child.indent if child.first else place0[1]
        elif child.first:
            lead, indent = _place_elsewhere(child, parts)
        else:
            lead, indent = child.lead, child.indent
        if i:
            lead = _own_line_end(children[i - 1], lead)
        between = (sep or b"") + children[i - 1].trail if i else b""
        out.append(between + lead + child.attached + _own_indent(child, indent) + child.body)
    return b"".join(out)


def _own_line_end(child: _Child, after: bytes) -> bytes:
    """``after`` (the blank lines before the next child, or the parent's closing) with the
    end of ``child``'s line as ``child``'s side has it: a line's ending, and the blanks
    before it, go with the line, not with the side of what follows it (issue 22: ours'
    CRLF was lost, and theirs' LF line got a CR)."""
    cut = after.find(b"\n") + 1
    if not child.eol.endswith(b"\n") or not cut or after[:cut].strip():
        return after
    return child.eol + after[cut:]


def _own_indent(child: _Child, indent: bytes) -> bytes:
    """The indentation chosen for a child's place, refused where it is tabs and the
    child's own is spaces (or the reverse): which one the file wants, nothing says."""
    if indent[:1] != child.indent[:1] and indent and child.indent:
        raise Refused("the sides indent with tabs and with spaces")
    return indent


def _pick_place0(parts: dict[Side, _Parent]) -> tuple[bytes, bytes]:
    """The blanks before the first child: the parent's, merged three-way."""
    base, ours, theirs = (parts[s].place0 for s in SIDES)
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    raise Refused("both sides changed the blanks before the first child")


def _place_elsewhere(child: _Child, parts: dict[Side, _Parent]) -> tuple[bytes, bytes]:
    """The blanks before a child that its side has first, placed after another: those
    it has where another side has it after another, else the side's usual ones."""
    lead, indent = _typical_place(parts, child.side)
    for name in MARKER_ORDER:
        twin = next((c for c in parts[name].children if c.sig == child.sig), None)
        if twin is not None and not twin.first:
            lead, indent = twin.lead, twin.indent
            break
    old = next((c for c in parts["base"].children if c.sig == child.sig), None)
    if old is not None and old.first and old.indent != child.indent:
        indent = child.indent  # its side indented it anew: keep its indentation
    return lead, indent


def _typical_place(parts: dict[Side, _Parent], side: Side) -> tuple[bytes, bytes]:
    for name in (side, *BOTH_SIDES, "base"):
        children = parts[name].children
        if len(children) > 1:
            return children[1].lead, children[1].indent
    raise Refused("no gap to copy between two children")

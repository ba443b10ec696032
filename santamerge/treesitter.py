"""The one adapter around the tree-sitter Python bindings (0.25 and later).

The bindings changed their API in 0.21, 0.22, 0.23 and 0.25 (``Query.captures`` moved to
``QueryCursor``, ``Language`` took a pointer). Everything else in santamerge goes through
the functions here, so that the next change is mended in one place.
"""

from __future__ import annotations

import bisect
import functools
import importlib
from typing import TYPE_CHECKING

from santamerge.languages.profiles import LanguageProfile

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Query, Tree


@functools.cache
def language(profile: LanguageProfile) -> Language:
    from tree_sitter import Language

    module = importlib.import_module(profile.grammar)
    return Language(getattr(module, profile.entry)())


@functools.cache
def _parser(profile: LanguageProfile) -> Parser:
    from tree_sitter import Parser

    return Parser(language(profile))


@functools.lru_cache(maxsize=8)
def parse(profile: LanguageProfile, text: str) -> Tree:
    """Parse ``text``; the same text is parsed once (the sides are asked for often)."""
    return _parser(profile).parse(text.encode("utf-8"))


def reparse(
    profile: LanguageProfile, tree: Tree, old: bytes, new: bytes, edits: list[tuple[int, int, int]]
) -> Tree:
    """Parse ``new``, which is ``old`` with each byte span [start, end) replaced by a text
    of the given length (``edits``: in file order, not overlapping), reusing ``tree`` (the
    parse of ``old``) incrementally."""
    edited = tree.copy()
    shift = 0
    points = _Points(new)
    for start, end, length in edits:  # in file order: each edit in the coordinates so far
        at = start + shift
        begin = points.at(at)
        edited.edit(
            start_byte=at,
            old_end_byte=at + (end - start),
            new_end_byte=at + length,
            start_point=begin,
            old_end_point=_after(begin, old[start:end]),
            new_end_point=points.at(at + length),
        )
        shift += length - (end - start)
    return _parser(profile).parse(new, edited)


@functools.cache
def _window_parser(profile: LanguageProfile) -> Parser:
    """A second parser, for :func:`parse_window`: its included ranges change per call."""
    from tree_sitter import Parser

    return Parser(language(profile))


def parse_window(
    profile: LanguageProfile, tree: Tree, old: bytes, new: bytes, edit: tuple[int, int, int]
) -> Tree | None:
    """Parse only the part of ``new`` around one edit: ``new`` is ``old`` with the byte
    span [start, end) replaced by a text of the given length (``edit``), and ``tree`` is
    the parse of ``old``. In Python an incremental re-parse (:func:`reparse`) of a
    one-line edit still costs about 40 % of a whole parse (20 of 54 ms for 6,400
    top-level statements), so a file with a hunk per top-level node costs the square of
    its hunks; this costs the few top-level nodes around the edit.

    The window is the top-level nodes of ``tree`` that the edit touches, with one
    untouched node on each side (none at the file's start or end). The nodes of the
    result lie where they lie in ``new``; below the root they are those of a parse of
    the whole of ``new`` when both untouched nodes come out as they were (checked: same
    type and place) and nothing in the window is an error. None when that does not
    hold, when ``tree`` has an error, or when the window would be more than an eighth of
    the file (a hunk inside one large class): re-parse the whole file then. The root is
    the window's, not the file's."""
    from tree_sitter import Range

    start, end, length = edit
    if tree.root_node.has_error:
        return None
    top, starts, ends = _top_level(tree)
    first_touched = bisect.bisect_left(ends, start)  # the first node that ends at or after
    before = top[first_touched - 1] if first_touched else None
    first_after = bisect.bisect_right(starts, end)
    following = top[first_after] if first_after < len(top) else None
    if before is None and following is None:
        return None
    shift = length - (end - start)
    low = before.start_byte if before is not None else 0
    high = following.end_byte + shift if following is not None else len(new)
    if 8 * (high - low) > len(new):  # a large part of the file: a re-parse costs no more
        return None
    parser = _window_parser(profile)
    begin = before.start_point if before is not None else (0, 0)
    parser.included_ranges = [Range(begin, _after(begin, new[low:high]), low, high)]
    parsed = parser.parse(new)
    window = parsed.root_node
    if window.has_error or not window.child_count:
        return None
    first, final = window.child(0), window.child(window.child_count - 1)
    if before is not None and not _same_node(first, before, 0):
        return None
    if following is not None and not _same_node(final, following, shift):
        return None
    return parsed


_TOP: list[tuple[Tree, list[Node], list[int], list[int]]] = []


def _top_level(tree: Tree) -> tuple[list[Node], list[int], list[int]]:
    """The root's children of ``tree``, with their starts and ends, listed once per tree
    (the last tree asked for is kept). ``Node.first_child_for_byte`` would save the list,
    but it crashes the bindings (0.26.1) where it finds no child."""
    entry = _TOP[0] if _TOP else None
    if entry is None or entry[0] is not tree:
        top = tree.root_node.children
        entry = (tree, top, [n.start_byte for n in top], [n.end_byte for n in top])
        _TOP[:] = [entry]
    return entry[1], entry[2], entry[3]


def _same_node(node: Node | None, twin: Node, shift: int) -> bool:
    return (
        node is not None
        and node.type == twin.type
        and (node.start_byte, node.end_byte) == (twin.start_byte + shift, twin.end_byte + shift)
    )


class _Points:
    """Row and column of byte offsets asked for in increasing order, in one pass."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset, self.row = data, 0, 0

    def at(self, offset: int) -> tuple[int, int]:
        self.row += self.data.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.row, offset - (self.data.rfind(b"\n", 0, offset) + 1)


def _after(begin: tuple[int, int], text: bytes) -> tuple[int, int]:
    """The point just past ``text`` when it starts at ``begin``."""
    lines = text.count(b"\n")
    if not lines:
        return begin[0], begin[1] + len(text)
    return begin[0] + lines, len(text) - (text.rfind(b"\n") + 1)


def query_names(profile: LanguageProfile) -> list[str]:
    """The query files that exist for this language, without their ``.scm``."""
    from santamerge.languages import queries_folder

    folder = queries_folder() / profile.queries
    return sorted(f.name[:-4] for f in folder.iterdir() if f.name.endswith(".scm"))


def query_source(profile: LanguageProfile, name: str) -> str | None:
    from santamerge.languages import queries_folder

    path = queries_folder() / profile.queries / f"{name}.scm"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@functools.cache
def query(profile: LanguageProfile, name: str) -> Query | None:
    """The compiled ``grammars/<lang>/<name>.scm``, or None when the file does not exist."""
    from tree_sitter import Query

    source = query_source(profile, name)
    return None if source is None else Query(language(profile), source)


def captures(
    q: Query,
    node: Node,
    byte_range: tuple[int, int] | None = None,
) -> dict[str, list[Node]]:
    """Captures under ``node``; with ``byte_range``, only of matches that intersect it."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(q)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    return cursor.captures(node)


def matches(
    q: Query,
    node: Node,
    byte_range: tuple[int, int] | None = None,
) -> list[dict[str, list[Node]]]:
    """Matches under ``node``; with ``byte_range``, only those that intersect it."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(q)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    return [m for _, m in cursor.matches(node)]


def node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")

"""The one adapter around the tree-sitter Python bindings (0.25 and later).

The bindings changed their API in 0.21, 0.22, 0.23 and 0.25 (``Query.captures`` moved to
``QueryCursor``, ``Language`` took a pointer). Everything else in santamerge goes through
the functions here, so that the next change is mended in one place.
"""

from __future__ import annotations

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


def reparse(profile: LanguageProfile, tree: Tree, old: bytes, new: bytes,
                 edits: list[tuple[int, int, int]]) -> Tree:
    """Parse ``new``, which is ``old`` with each byte span [start, end) replaced by a text
    of the given length (``edits``: in file order, not overlapping), reusing ``tree`` (the
    parse of ``old``) incrementally."""
    edited = tree.copy()
    shift = 0
    points = _Points(new)
    for start, end, length in edits:  # in file order: each edit in the coordinates so far
        at = start + shift
        begin = points.at(at)
        edited.edit(start_byte=at, old_end_byte=at + (end - start), new_end_byte=at + length,
                    start_point=begin, old_end_point=_after(begin, old[start:end]),
                    new_end_point=points.at(at + length))
        shift += length - (end - start)
    return _parser(profile).parse(new, edited)


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


def captures(q: Query, node: Node, byte_range: tuple[int, int] | None = None,
             ) -> dict[str, list[Node]]:
    """Captures under ``node``; with ``byte_range``, only of matches that intersect it."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(q)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    return cursor.captures(node)


def matches(q: Query, node: Node, byte_range: tuple[int, int] | None = None,
            ) -> list[dict[str, list[Node]]]:
    """Matches under ``node``; with ``byte_range``, only those that intersect it."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(q)
    if byte_range is not None:
        cursor.set_byte_range(*byte_range)
    return [m for _, m in cursor.matches(node)]


def count_errors(node: Node) -> int:
    """The number of ERROR and MISSING nodes under ``node`` (iteratively: real files nest
    deeper than Python's recursion limit)."""
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        if not current.has_error:
            continue
        count += current.is_error or current.is_missing
        stack.extend(current.children)
    return count


def node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")

"""Deterministic candidates for a conflict hunk.

``ours``, ``theirs``, ``base``, both concatenations, the word-level 3-way merge of the
hunk, the structured union of order-free additions and the tree merge of an order-free
parent's children. A merged candidate that would put one side's indentation or line
ending on another side's line is not offered (santamerge.merge.whitespace). Candidates
with the same text are kept once, under the most specific method (the order of
santamerge.merge.ranking.methods), with the others named in its note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.ranking.methods import DETERMINISTIC
from santamerge.merge.structured.words import merge_words
from santamerge.merge.types import Candidate, ConflictHunk, ParsedMerge
from santamerge.merge.whitespace import keeps_whitespace

if TYPE_CHECKING:
    from santamerge.merge.structured.tree import TreeMerge
    from santamerge.merge.structured.union import Union

# The candidates built from pieces of the sides: each must keep every line's own
# indentation and line ending (santamerge.merge.whitespace), or it is not offered.
MERGED = (
    "structured:union",
    "structured:union-unordered",
    "structured:tree",
    "structured:tree-unordered",
    "merged:words",
)


def build_candidates(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile | None
) -> tuple[Candidate, ...]:
    """Every deterministic candidate for ``hunk``, without duplicates, most specific
    method first."""
    union = _union(parsed, hunk, profile)
    tree = _tree(parsed, hunk, profile) if union is None else None
    texts: dict[str, str | None] = {
        "structured:union": union.text if union is not None and union.ordered else None,
        "structured:union-unordered": union.text
        if union is not None and not union.ordered
        else None,
        "structured:tree": tree.text if tree is not None and tree.ordered else None,
        "structured:tree-unordered": tree.text if tree is not None and not tree.ordered else None,
        "merged:words": merge_words(hunk.base, hunk.ours, hunk.theirs) if hunk.base else None,
        **side_texts(hunk, parsed.newline),
    }
    for method in MERGED:
        if texts[method] is not None and not keeps_whitespace(
            texts[method] or "", hunk.base, hunk.ours, hunk.theirs
        ):
            texts[method] = None  # a line with another side's ending or indentation
    note = tree.note if tree else ""
    return _dedupe(hunk.index, texts, {"structured:tree": note, "structured:tree-unordered": note})


def side_texts(hunk: ConflictHunk, newline: str = "\n") -> dict[str, str | None]:
    """The texts made of the sides alone: each side, both concatenations (a side without
    a final line ending gets the file's), and the base (None in the ``merge`` style)."""
    return {
        "ours": hunk.ours,
        "theirs": hunk.theirs,
        "ours+theirs": _concat(hunk.ours, hunk.theirs, newline),
        "theirs+ours": _concat(hunk.theirs, hunk.ours, newline),
        "base": hunk.base,
    }


def _union(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile | None
) -> Union | None:
    if profile is None:
        return None
    from santamerge.merge.structured.union import union_of_additions

    return union_of_additions(parsed, hunk, profile)


def _tree(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile | None
) -> TreeMerge | None:
    """The hunk merged as a tree (santamerge.merge.structured.tree); not tried where the union
    applies, since the tree merge gives the union's text there, at three parses' cost."""
    if profile is None:
        return None
    from santamerge.merge.structured.tree import tree_merge

    return tree_merge(parsed, hunk, profile)


def _concat(first: str, second: str, newline: str) -> str:
    if first and not first.endswith("\n"):
        first += newline
    return first + second


def _dedupe(
    index: int, texts: dict[str, str | None], reasons: dict[str, str]
) -> tuple[Candidate, ...]:
    first_for: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    for method in DETERMINISTIC:
        text = texts[method]
        if text is None:
            continue
        if text in first_for:
            aliases[first_for[text]].append(method)
        else:
            first_for[text] = method
            aliases[method] = []
    return tuple(
        Candidate(
            index,
            text,
            method,
            note="; ".join(filter(None, [reasons.get(method, ""), _note(aliases[method])])),
        )
        for text, method in first_for.items()
    )


def _note(others: list[str]) -> str:
    return f"same text as {', '.join(others)}" if others else ""

"""Ours, base and theirs side by side: rows of lines with fillers, as meld and kdiff3
draw a three-way merge. Pure functions, no screen (santamerge.ui.panes draws them).

A row holds one line index per side, or None where that side has no line there (a
filler). Outside a conflict the three sides of a merge are the same text (git's merge
outside its hunks), so those lines stand side by side by construction; inside a hunk
ours and theirs are each aligned to base by a line diff, and lines that a side
replaced are paired with the base line they resemble most, so that an insertion on
one side shifts nothing after it.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from santamerge.merge.types import ParsedMerge

Kind = Literal["same", "changed", "added", "removed", "none"]
Pair = tuple[int | None, int | None]
Row = tuple[int | None, int | None, int | None]  # ours, base, theirs line indexes
PAIR_LIMIT = 2_500  # a replaced block with more line pairs than this is paired in order
SIMILAR = 0.4  # two lines less alike than this are not paired (rapidfuzz ratio / 100)


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` without their ending (CRLF too); none for ""."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def align2(a: list[str], b: list[str]) -> list[Pair]:
    """Rows (index in ``a``, index in ``b``) in order of both: equal lines side by side,
    an inserted line beside None, and the lines of a replaced block paired by how alike
    they are (in order), the rest beside None."""
    out: list[Pair] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out += [(a0 + k, b0 + k) for k in range(a1 - a0)]
        elif op == "delete":
            out += [(i, None) for i in range(a0, a1)]
        elif op == "insert":
            out += [(None, j) for j in range(b0, b1)]
        else:
            out += _pair(a, b, a0, a1, b0, b1)
    return out


def _pair(a: list[str], b: list[str], a0: int, a1: int, b0: int, b1: int) -> list[Pair]:
    """A replaced block: the in-order pairing with the greatest total likeness (a
    small dynamic programme); pairs below SIMILAR are not made."""
    n, m = a1 - a0, b1 - b0
    if n * m > PAIR_LIMIT or n == m:
        common = min(n, m)
        return (
            [(a0 + k, b0 + k) for k in range(common)]
            + [(a0 + k, None) for k in range(common, n)]
            + [(None, b0 + k) for k in range(common, m)]
        )
    from rapidfuzz.fuzz import ratio

    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            like = ratio(a[a0 + i], b[b0 + j]) / 100
            paired = score[i + 1][j + 1] + like if like >= SIMILAR else -1.0
            score[i][j] = max(paired, score[i + 1][j], score[i][j + 1])
    out: list[Pair] = []
    i = j = 0
    while i < n and j < m:
        like = ratio(a[a0 + i], b[b0 + j]) / 100
        if like >= SIMILAR and score[i][j] == score[i + 1][j + 1] + like:
            out.append((a0 + i, b0 + j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            out.append((a0 + i, None))
            i += 1
        else:
            out.append((None, b0 + j))
            j += 1
    out += [(a0 + k, None) for k in range(i, n)] + [(None, b0 + k) for k in range(j, m)]
    return out


def align3(ours: list[str], base: list[str] | None, theirs: list[str]) -> list[Row]:
    """Rows (ours, base, theirs): each side aligned to base, and the two alignments
    joined on base's lines; lines both sides added at one place share rows. Without a
    base, ours and theirs are aligned to each other."""
    if base is None:
        return [(o, None, t) for o, t in align2(ours, theirs)]
    left = align2(base, ours)  # (base, ours)
    right = align2(base, theirs)  # (base, theirs)
    rows: list[Row] = []
    i = j = 0
    while i < len(left) or j < len(right):
        lb, lo = left[i] if i < len(left) else (-1, None)
        rb, rt = right[j] if j < len(right) else (-1, None)
        if lb is None and rb is None:  # both add lines here: side by side
            rows.append((lo, None, rt))
            i, j = i + 1, j + 1
        elif lb is None:
            rows.append((lo, None, None))
            i += 1
        elif rb is None:
            rows.append((None, None, rt))
            j += 1
        else:  # the same base line (both alignments hold every base line, in order)
            rows.append((lo, lb, rt))
            i, j = i + 1, j + 1
    return rows


class Aligned(NamedTuple):
    """A merge as aligned rows: ``rows`` over each side's whole text (the lines of
    ``parsed.side(name)``); ``hunks[k]`` is the (first row, end row) of the k-th
    hunk."""

    rows: list[Row]
    hunks: list[tuple[int, int]]
    has_base: bool


def align_merge(parsed: ParsedMerge) -> Aligned:
    """Rows for a whole merge: its common text line for line, each hunk by align3."""
    has_base = all(h.base is not None for h in parsed.hunks)
    rows: list[Row] = []
    hunks: list[tuple[int, int]] = []
    at = [0, 0, 0]  # lines so far in ours, base, theirs
    for chunk in parsed.chunks:
        if isinstance(chunk, str):
            n = len(lines_of(chunk))
            rows += [(at[0] + k, at[1] + k if has_base else None, at[2] + k) for k in range(n)]
            at = [at[0] + n, at[1] + n, at[2] + n]
            continue
        ours, theirs = lines_of(chunk.ours), lines_of(chunk.theirs)
        base = lines_of(chunk.base or "") if has_base else None
        start = len(rows)
        for o, b, t in align3(ours, base, theirs):
            rows.append(
                (
                    None if o is None else at[0] + o,
                    None if b is None else at[1] + b,
                    None if t is None else at[2] + t,
                )
            )
        if len(rows) == start:  # every side empty: one filler row marks the hunk
            rows.append((None, None, None))
        hunks.append((start, len(rows)))
        at = [at[0] + len(ours), at[1] + len(base or []), at[2] + len(theirs)]
    return Aligned(rows, hunks, has_base)


def kind(line: str | None, other: str | None, present: bool) -> Kind:
    """What a side did to a line, against ``other`` (base's line in the same row, or
    the other side's without a base): ``present`` says whether the row's reference
    side has a line there at all."""
    if line is None:
        return "removed" if present else "none"
    if not present:
        return "added"
    return "same" if line == other else "changed"


def word_spans(line: str, other: str) -> list[tuple[int, int]]:
    """Character ranges of ``line`` whose words differ from ``other`` (the word diff of
    santamerge.merge.structured.words' tokens)."""
    from santamerge.merge.structured.words import tokenize

    mine, theirs = tokenize(line), tokenize(other)
    starts = [0]
    for token in mine:
        starts.append(starts[-1] + len(token))
    spans: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
    for op, a0, a1, _, _ in matcher.get_opcodes():
        if op in ("replace", "delete") and a1 > a0:
            start, end = starts[a0], starts[a1]
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return spans

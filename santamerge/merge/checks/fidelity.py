"""Rendering fidelity (issue 24, item 5): a written region keeps the sides' layout.

A multi-line list, import or argument list keeps its side's line breaks and
trailing-comma style; a merge never joins lines and never drops brackets. A written
region (a choice's text, where it is neither side's text) is refused when:

- two tokens that follow each other in it and in both sides are parted by a line break
  where neither side parts them, or joined where both sides part them (a multi-line
  list written on one line); pairs that one side lacks are free, so that ours' new
  item in theirs' re-formatted list is no fault;
- it holds fewer brackets of a kind than both sides, and fewer than the base with both
  sides' changes (a parenthesised ``from x import (...)`` written without them);
- it holds fewer non-blank lines than both sides, and fewer than the base with both
  sides' changes: lines were joined;
- the last item of a multi-line list (a line before a closing bracket) has a trailing
  comma where the side it came from has none there, or the reverse.

Only the region's text and the hunk's three texts are read: no parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from santamerge.merge.types import ConflictHunk, ParsedMerge

_TOKEN = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|\w+|\S""")
_CLOSING = ")]}"
_BRACKETS = "([{"


class Baseline(Protocol):
    @property
    def parsed(self) -> ParsedMerge: ...


def _lines(text: str) -> list[tuple[str, ...]]:
    """The non-blank lines as tokens."""
    return [tuple(toks) for line in text.splitlines() if (toks := _TOKEN.findall(line))]


def _breaks(layout: list[tuple[str, ...]]) -> dict[tuple[str, str], set[bool]]:
    """Each pair of tokens that follow each other, with whether a line break parts them."""
    found: dict[tuple[str, str], set[bool]] = {}
    previous: str | None = None
    for line in layout:
        for k, tok in enumerate(line):
            if previous is not None:
                found.setdefault((previous, tok), set()).add(k == 0)
            previous = tok
    return found


def _brackets(layout: list[tuple[str, ...]]) -> dict[str, int]:
    counts = dict.fromkeys(_BRACKETS, 0)
    for line in layout:
        for tok in line:
            if tok in counts:
                counts[tok] += 1
    return counts


def _fewer(written: int, ours: int, theirs: int, base: int | None) -> bool:
    if written >= min(ours, theirs):
        return False
    return base is None or written < ours + theirs - base


def _last_items(layout: list[tuple[str, ...]], after: tuple[str, ...]) -> set[bool]:
    """Whether each line that ends a multi-line list (the next non-blank line opens
    with a closing bracket) has a trailing comma: the region's trailing-comma style."""
    found: set[bool] = set()
    for k, line in enumerate(layout):
        following = layout[k + 1] if k + 1 < len(layout) else after
        if not following or following[0] not in _CLOSING or line[-1] in _BRACKETS:
            continue
        if line[0] in _CLOSING and all(tok in _CLOSING + ",;" for tok in line):
            continue
        found.add(line[-1] == ",")
    return found


def _style(ours: set[bool], theirs: set[bool], base: set[bool] | None) -> bool | None:
    """The trailing-comma style a merge keeps: the sides' where they agree, else the
    one side's that changed the base's; None where that is not one style."""
    if len(ours) != 1 or len(theirs) != 1:
        return None
    if ours == theirs:
        return next(iter(ours))
    if base is not None and base == ours:
        return next(iter(theirs))
    if base is not None and base == theirs:
        return next(iter(ours))
    return None


def rendering(hunk: ConflictHunk, written: str, after: str) -> str | None:
    """Why ``written`` (a choice for ``hunk``, followed in the file by ``after``, a line)
    does not keep the sides' layout, or None."""
    mine, ours, theirs = _lines(written), _lines(hunk.ours), _lines(hunk.theirs)
    base = _lines(hunk.base) if hunk.base is not None else None
    # a side's text as it is, or the base's: only its list ends are checked (the other
    # side may have changed the style, which a side's text then drops); the base's loss
    # of both changes is the ranking's to weigh, not a rendering fault
    as_is = written in (hunk.ours, hunk.theirs) or written == hunk.base
    why = None if as_is else _layout(mine, ours, theirs, base)
    return why or _trailing_commas(mine, ours, theirs, base, after)


def _layout(
    mine: list[tuple[str, ...]],
    ours: list[tuple[str, ...]],
    theirs: list[tuple[str, ...]],
    base: list[tuple[str, ...]] | None,
) -> str | None:
    counts = _brackets(mine)
    sides = _brackets(ours), _brackets(theirs)
    was = _brackets(base) if base is not None else None
    for bracket in _BRACKETS:
        if _fewer(
            counts[bracket],
            sides[0][bracket],
            sides[1][bracket],
            was[bracket] if was is not None else None,
        ):
            return f"drops a `{bracket}` that both sides keep"
    # only pairs both sides hold: next to a token one side added, that side's layout
    # (a side's new item in the other side's re-formatted list) is no fault
    mine_breaks, theirs_breaks = _breaks(ours), _breaks(theirs)
    for pair, broken in _breaks(mine).items():
        if pair not in mine_breaks or pair not in theirs_breaks:
            continue
        if not broken & (mine_breaks[pair] | theirs_breaks[pair]):
            what = "breaks a line" if True in broken else "joins lines"
            return f"{what} between `{pair[0]}` and `{pair[1]}`, which no side does"
    if _fewer(len(mine), len(ours), len(theirs), len(base) if base is not None else None):
        return "joins lines that both sides keep apart"
    return None


def _trailing_commas(
    mine: list[tuple[str, ...]],
    ours: list[tuple[str, ...]],
    theirs: list[tuple[str, ...]],
    base: list[tuple[str, ...]] | None,
    after: str,
) -> str | None:
    tail = _lines(after)
    follow = tail[0] if tail else ()
    written = _last_items(mine, follow)
    if written:
        style = _style(
            _last_items(ours, follow),
            _last_items(theirs, follow),
            _last_items(base, follow) if base is not None else None,
        )
        if style is not None and written != {style}:
            had = "a trailing comma" if style else "no trailing comma"
            return f"ends a multi-line list otherwise than the sides' style ({had})"
    return None


def rendering_faults(
    baseline: Baseline, data: bytes, regions: Iterable[tuple[int, int, int]]
) -> list[tuple[int, str]]:
    """(hunk, reason) for each choice in ``data`` (at ``regions``: hunk, start byte, end
    byte) that does not keep the sides' layout."""
    hunks = baseline.parsed.hunks
    found = []
    for i, start, end in regions:
        written = data[start:end].decode("utf-8", errors="replace")
        rest = data[end : end + 400].decode("utf-8", errors="replace")
        after = next((line for line in rest.splitlines() if line.strip()), "")
        why = rendering(hunks[i], written, after)
        if why is not None:
            found.append((i, why))
    return found

"""A 3-way merge of token sequences, used inside a conflict hunk.

git has already merged the file line by line; inside a hunk the lines conflict. Merging
the hunk again by word or punctuation token lets two edits to different words of the
same line both survive. Two edits to the same tokens, or two insertions at the same
place, are still a conflict (``None``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

_TOKEN = re.compile(r"\w+|[^\S\n]+|\n|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Words, runs of blanks, newlines (a CR stays with its blank run) and punctuation."""
    return _TOKEN.findall(text)


MAX_TOKENS = 20_000  # a side with more (a minified bundle's one line): no word merge


def merge_words(base: str, ours: str, theirs: str) -> str | None:
    """The token-level 3-way merge of a hunk, or None when the edits overlap, or when a
    side has more than MAX_TOKENS tokens (the matcher's time grows with their square: a
    hunk in a minified bundle took 77 s)."""
    tokens = [tokenize(text) for text in (base, ours, theirs)]
    if max(len(t) for t in tokens) > MAX_TOKENS:
        return None
    merged = merge3(*tokens)
    return None if merged is None else "".join(merged)


def merge3(base: Sequence[T], a: Sequence[T], b: Sequence[T]) -> list[T] | None:
    """Merge ``a`` and ``b``, both edited from ``base``; None on overlapping edits."""
    out: list[T] = []
    iz = ia = ib = 0
    for zs, ze, as_, ae, bs, be in _sync_regions(base, a, b):
        z, x, y = base[iz:zs], a[ia:as_], b[ib:bs]
        if x == z:
            out.extend(y)
        elif y == z or x == y:
            out.extend(x)
        else:
            return None
        out.extend(base[zs:ze])
        iz, ia, ib = ze, ae, be
    return out


def _sync_regions(
    base: Sequence[T], a: Sequence[T], b: Sequence[T]
) -> list[tuple[int, int, int, int, int, int]]:
    """Stretches of ``base`` that both sides kept, as (base, a, b) start/end triples."""
    ma = SequenceMatcher(None, base, a, autojunk=False).get_matching_blocks()
    mb = SequenceMatcher(None, base, b, autojunk=False).get_matching_blocks()
    regions = []
    i = j = 0
    while i < len(ma) and j < len(mb):
        (az, aa, an), (bz, bb, bn) = ma[i], mb[j]
        start, end = max(az, bz), min(az + an, bz + bn)
        if start < end:
            a0, b0 = aa + start - az, bb + start - bz
            regions.append((start, end, a0, a0 + end - start, b0, b0 + end - start))
        if az + an < bz + bn:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(a), len(a), len(b), len(b)))
    return regions


def normalise(text: str) -> str:
    """``text`` with every run of whitespace as one space, and none at either end."""
    return " ".join(text.split())

"""Signals of a hunk that tell people's resolutions apart (issue 14, docs/ranking.md).

Each names the misses it targets:

- **Both sides only added** (``both_added``, ``adds_overlap``, ``adds_same_kind``,
  ``sorted_fit``, ``at_end``): people concatenate two independent additions; the order
  follows the file (sorted, or newest last). Targets concatenations ranked below ours.
- **One side's edit holds the other's** (``extends``, ``reformat_other``): a side that
  extends the other's change, or whose rival only re-formatted, is what people keep.
  Targets "theirs" hunks ranked below ours.
- **Version-like lines** (``version_like``, ``newer_version``): where the sides differ
  only in numbers, the higher version usually wins.
- **History** (``ahead``, ``file_commits``, ``touched_later``, ``newer_side``), where a
  repository is at hand: the long-lived branch, and the side that worked on the file
  more and later. ``has_history`` says whether they were measured.

Candidate signals are signed by the side a candidate takes (+1 ours, -1 theirs, and for
a concatenation the side that comes first), so one weight serves both sides.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_NUMBERS = re.compile(r"\d+")
_VERSION = re.compile(r"\d+(?:\.\d+)+")

HUNK_SIGNALS = (
    "base_empty",
    "both_added",
    "adds_overlap",
    "adds_same_kind",
    "at_end",
    "at_start",
    "context_sorted",
    "version_like",
    "hunks_in_file",
    "has_history",
    "ahead",
    "file_commits",
    "touched_later",
    "newer_side",
)
# read from the merge's history; 0 where no repository is at hand (the merge driver)
HISTORY_SIGNALS = (
    "has_history",
    "ahead",
    "file_commits",
    "touched_later",
    "newer_side",
    "side_ahead",
    "side_file_commits",
    "side_touched_later",
    "side_newer",
)
CANDIDATE_SIGNALS = (
    "side",
    "concat_first",
    "m_unordered",
    "sorted_fit",
    "extends",
    "reformat_other",
    "newer_version",
    "side_ahead",
    "side_file_commits",
    "side_touched_later",
    "side_newer",
    "dup_lines",
)


CONTEXT_LINES = 12


def context_of(chunks: Sequence[object], position: int) -> tuple[str, str]:
    """Up to :data:`CONTEXT_LINES` lines of the file just before and after the hunk at
    ``chunks[position]`` (the resolved text around it; other hunks stop it)."""
    before = chunks[position - 1] if position > 0 else ""
    after = chunks[position + 1] if position + 1 < len(chunks) else ""
    before_lines = before.splitlines(keepends=True) if isinstance(before, str) else []
    after_lines = after.splitlines(keepends=True) if isinstance(after, str) else []
    return "".join(before_lines[-CONTEXT_LINES:]), "".join(after_lines[:CONTEXT_LINES])


class HunkView(NamedTuple):
    """What the signals read of one hunk."""

    base: str | None
    ours: str
    theirs: str
    before: str = ""  # the file's lines just before the hunk
    after: str = ""  # and just after it
    hunks_in_file: int = 1
    history: Mapping[str, Any] | None = None  # santamerge.training.hunkstore.merge_history


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def hunk_signals(view: HunkView) -> dict[str, float]:
    base, ours, theirs = lines(view.base), lines(view.ours), lines(view.theirs)
    cb, co, ct = Counter(base), Counter(ours), Counter(theirs)
    added_ours = list((co - cb).elements())
    added_theirs = list((ct - cb).elements())
    both_added = not (cb - co) and not (cb - ct) and bool(added_ours) and bool(added_theirs)
    tokens_o = {t for line in added_ours for t in _TOKEN.findall(line)}
    tokens_t = {t for line in added_theirs for t in _TOKEN.findall(line)}
    union = tokens_o | tokens_t
    overlap = len(tokens_o & tokens_t) / len(union) if union else 0.0
    heads_o = Counter(_head(line) for line in added_ours)
    heads_t = Counter(_head(line) for line in added_theirs)
    same_kind = sum((heads_o & heads_t).values()) / max(
        1, min(sum(heads_o.values()), sum(heads_t.values()))
    )
    around = lines(view.before)[-1:] + base + lines(view.after)[:1]
    context_sorted = len(around) >= 3 and around == sorted(around)
    history = view.history or {}
    out = {
        "base_empty": float(not base),
        "both_added": float(both_added),
        "adds_overlap": overlap,
        "adds_same_kind": same_kind,
        "at_end": float(not view.after.strip()),
        "at_start": float(not view.before.strip()),
        "context_sorted": float(context_sorted),
        "version_like": float(_version_like(ours, theirs)),
        "hunks_in_file": math.log1p(view.hunks_in_file),
        "has_history": float(bool(history)),
        "ahead": 0.0,
        "file_commits": 0.0,
        "touched_later": 0.0,
        "newer_side": 0.0,
    }
    if history:
        out["ahead"] = math.log1p(history.get("ahead_ours", 0)) - math.log1p(
            history.get("ahead_theirs", 0)
        )
        out["file_commits"] = math.log1p(history.get("commits_ours", 0)) - math.log1p(
            history.get("commits_theirs", 0)
        )
        out["touched_later"] = _sign(
            history.get("touched_ours", 0) - history.get("touched_theirs", 0)
        )
        out["newer_side"] = _sign(history.get("time_ours", 0) - history.get("time_theirs", 0))
    return out


class HunkFacts2(NamedTuple):
    """Per-hunk facts the candidate signals reuse (computed once per hunk)."""

    hunk: dict[str, float]
    extends: float  # +1 ours holds theirs' change, -1 theirs holds ours', 0 neither
    reformat_only: float  # +1 theirs only re-formats (so ours' change stands), -1 ours
    newer_version: float  # +1 ours carries the higher version numbers, -1 theirs


def facts_of(view: HunkView) -> HunkFacts2:
    base, ours, theirs = lines(view.base), lines(view.ours), lines(view.theirs)
    extends = 0.0
    if _holds(base, ours, theirs):
        extends = 1.0
    elif _holds(base, theirs, ours):
        extends = -1.0
    reformat = 0.0
    if view.base is not None:  # the same text but for whitespace
        nb, no, nt = ("".join(t.split()) for t in (view.base, view.ours, view.theirs))
        if nt == nb and no != nb:
            reformat = 1.0
        elif no == nb and nt != nb:
            reformat = -1.0
    newer = 0.0
    if _version_like(ours, theirs):
        vo, vt = _versions(ours), _versions(theirs)
        newer = _sign((vo > vt) - (vo < vt))
    return HunkFacts2(hunk_signals(view), extends, reformat, newer)


def candidate_signals(
    view: HunkView, facts: HunkFacts2, method: str, text: str
) -> dict[str, float]:
    side = {"ours": 1.0, "theirs": -1.0}.get(method, 0.0)
    first = {"ours+theirs": 1.0, "theirs+ours": -1.0}.get(method, 0.0)
    h = facts.hunk
    signed = side or first
    cand = lines(text)
    around = lines(view.before)[-1:] + cand + lines(view.after)[:1]
    available = Counter(lines(view.ours)) | Counter(lines(view.theirs))
    dup = sum((Counter(cand) - available).values())
    return {
        "side": side,
        "concat_first": first,
        "m_unordered": float(method.endswith("-unordered")),
        "sorted_fit": float(len(around) >= 3 and around == sorted(around)),
        "extends": facts.extends * side,
        "reformat_other": facts.reformat_only * side,
        "newer_version": facts.newer_version * side,
        "side_ahead": h["ahead"] * signed,
        "side_file_commits": h["file_commits"] * signed,
        "side_touched_later": h["touched_later"] * signed,
        "side_newer": h["newer_side"] * signed,
        "dup_lines": math.log1p(dup),
    }


def _holds(base: list[str], wider: list[str], narrower: list[str]) -> bool:
    """Whether ``wider``'s change from ``base`` contains ``narrower``'s: every line the
    narrower side added is in the wider one, every line it removed is gone from it, and
    the wider side changed more."""
    cb, cw, cn = Counter(base), Counter(wider), Counter(narrower)
    added, removed = cn - cb, cb - cn
    if not added and not removed:
        return False
    if added - cw:
        return False
    if any(cw[line] >= cb[line] for line in removed):
        return False
    return sum(((cw - cb) + (cb - cw)).values()) > sum((added + removed).values())


def _version_like(ours: list[str], theirs: list[str]) -> bool:
    """The sides differ, line for line, only in version numbers."""
    if len(ours) != len(theirs) or ours == theirs:
        return False
    changed = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
    return all(
        _NUMBERS.sub("0", a) == _NUMBERS.sub("0", b) and _VERSION.search(a) for a, b in changed
    )


def _versions(side: list[str]) -> tuple[tuple[int, ...], ...]:
    return tuple(
        tuple(int(n) for n in v.split(".")) for line in side for v in _VERSION.findall(line)
    )


def _head(line: str) -> str:
    found = _TOKEN.search(line)
    return (found.group(0) if found else line[:1]) + ("(" if "(" in line else "")


def _sign(value: float) -> float:
    return float((value > 0) - (value < 0))

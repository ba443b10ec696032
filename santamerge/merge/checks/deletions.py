"""A block one side deleted whole and the other side changed stays a conflict.

git calls it modify/delete when it happens to a file; inside a file the tree merge
already keeps a conflict where one side deletes a definition that the other side
changes, matched by signature (tests/examples/python/method_deleted_vs_modified). What
it cannot see is the same thing without a match: one side deletes a block of the base
(a hunk whose text on that side is blank), the other side rewrites the block into
something else (deprecated classes replaced by a shim, a test class rewritten beside new
tests). Each child then reads as deleted on both sides plus the other side's new code,
and the merge writes the new code. People usually side with the deletion or rework the
change: on the development set (docs/merge-errors.md, "lines people dropped") six of
seven such merged hunks with a deleted block of five lines or more were wrong, and of
the twelve such hunks with a smaller block, ten were right.

So a merged region (a method that merges, not a side or the base taken as it is) is
refused where one side's text is blank, the base holds at least :data:`MIN_LINES`
non-blank lines, and the other side's text is not blank. Only the hunk's three texts
are read: no parse, so files without a grammar are checked too.
"""

from __future__ import annotations

from collections.abc import Iterable

from santamerge.merge.checks import MERGING
from santamerge.merge.types import BOTH_SIDES, Candidate, ConflictHunk

MIN_LINES = 5  # a deleted block this long (non-blank base lines) is a decision, not noise


def _lines(text: str | None) -> int:
    return sum(bool(line.strip()) for line in (text or "").splitlines())


def deleted_and_changed(hunk: ConflictHunk) -> str | None:
    """Why no merge of ``hunk`` may be written unasked: one side deleted the block and
    the other changed it; None otherwise."""
    block = _lines(hunk.base)
    if hunk.base is None or block < MIN_LINES:
        return None
    for side in BOTH_SIDES:
        other = "theirs" if side == "ours" else "ours"
        if not getattr(hunk, side).strip() and getattr(hunk, other).strip():
            return (
                f"{side} deleted these {block} lines and {other} changed them: "
                f"whether {other}' change still belongs is a person's call"
            )
    return None


def deletion_conflicts(
    hunks: tuple[ConflictHunk, ...], chosen: Iterable[Candidate]
) -> list[tuple[int, str]]:
    """(hunk, reason) for each merged choice of a block one side deleted and the other
    changed."""
    found = []
    for candidate in chosen:
        if not candidate.method.startswith(MERGING):
            continue
        why = deleted_and_changed(hunks[candidate.hunk])
        if why is not None:
            found.append((candidate.hunk, why))
    return found

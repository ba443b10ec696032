"""Apply chosen candidates: an exact splice of the hunks' spans.

Hunks without a choice are written back exactly as they were read, markers, labels and
line endings included.
"""

from __future__ import annotations

from santamerge.merge.types import Candidate, Outcome, ParsedMerge


def apply_choices(parsed: ParsedMerge, choices: dict[int, Candidate]) -> Outcome:
    text = parsed.splice({i: c.text for i, c in choices.items()}, default="markers")
    hunks = [h.index for h in parsed.hunks]
    return Outcome(
        text=text,
        resolved=tuple(i for i in hunks if i in choices),
        unresolved=tuple(i for i in hunks if i not in choices),
        methods={i: c.method for i, c in choices.items()},
    )

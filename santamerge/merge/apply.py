"""Apply chosen candidates: an exact splice of the hunks' spans.

Hunks without a choice are written back exactly as they were read, markers, labels and
line endings included.
"""

from __future__ import annotations

from santamerge.merge.types import Candidate, Outcome, ParsedMerge


def apply_choices(parsed: ParsedMerge, choices: dict[int, Candidate]) -> Outcome:
    parts = []
    for chunk in parsed.chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif chunk.index in choices:
            parts.append(choices[chunk.index].text)
        else:
            parts.append(chunk.render())
    hunks = [h.index for h in parsed.hunks]
    return Outcome(
        text="".join(parts),
        resolved=tuple(i for i in hunks if i in choices),
        unresolved=tuple(i for i in hunks if i not in choices),
        methods={i: c.method for i, c in choices.items()},
    )

"""Context: fit the code around a gap into a model's token budget.

Whole lines are kept, nearest the gap first, on both sides in turn, so that what the model
sees is what matters most for the middle. The number of lines is found by binary search
on the token count, not by blind truncation.
"""

from __future__ import annotations

from collections.abc import Callable

CountTokens = Callable[[str], int]


def fit_around_gap(prefix: str, suffix: str, count: CountTokens, budget: int,
                   ) -> tuple[str, str]:
    """The longest tail of ``prefix`` and head of ``suffix`` (whole lines, balanced) whose
    tokens together fit ``budget``."""
    before = prefix.splitlines(keepends=True)
    after = suffix.splitlines(keepends=True)

    def take(n: int) -> tuple[str, str]:
        # n lines in all, alternating: the gap's own line first, then outwards
        k_before = min(len(before), (n + 1) // 2 + max(0, n // 2 - len(after)))
        k_after = min(len(after), n - k_before)
        return "".join(before[len(before) - k_before:]), "".join(after[:k_after])

    lo, hi = 0, len(before) + len(after)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        p, s = take(mid)
        if count(p) + count(s) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return take(lo)

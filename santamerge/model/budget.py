"""Token budgets: count a text's tokens for a backend, and fit the code around a gap
into a model's context window.

Tokens are counted with the backend's own tokenizer; where it has none (a server that
does not tokenize) they are estimated from characters, cautiously. Whole lines are kept
around a gap, nearest the gap first, on both sides in turn, so that what the model sees
is what matters most for the middle. The number of lines is found by binary search on the
token count, not by blind truncation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from santamerge.model.backends.base import TokenizerUnavailable

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend

CountTokens = Callable[[str], int]
CHARS_PER_TOKEN = 2.5  # a cautious guess where the backend has no tokenizer
DEFAULT_CONTEXT_LENGTH = 2048  # where the backend does not say


def token_counter(backend: Backend) -> CountTokens:
    """A function counting the tokens of a text with ``backend``'s tokenizer, or
    estimating them from characters where it cannot tokenize."""

    def count(text: str) -> int:
        try:
            return len(backend.encode(text))
        except TokenizerUnavailable:
            return math.ceil(len(text) / CHARS_PER_TOKEN)

    return count


def context_window(backend: Backend) -> int:
    """``backend``'s context length, or :data:`DEFAULT_CONTEXT_LENGTH` where it does not
    say."""
    return backend.context_length or DEFAULT_CONTEXT_LENGTH


def fit_around_gap(
    prefix: str,
    suffix: str,
    count: CountTokens,
    budget: int,
) -> tuple[str, str]:
    """The longest tail of ``prefix`` and head of ``suffix`` (whole lines, balanced) whose
    tokens together fit ``budget``."""
    before = prefix.splitlines(keepends=True)
    after = suffix.splitlines(keepends=True)

    def take(n: int) -> tuple[str, str]:
        # n lines in all, alternating: the gap's own line first, then outwards
        k_before = min(len(before), (n + 1) // 2 + max(0, n // 2 - len(after)))
        k_after = min(len(after), n - k_before)
        return "".join(before[len(before) - k_before :]), "".join(after[:k_after])

    lo, hi = 0, len(before) + len(after)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        p, s = take(mid)
        if count(p) + count(s) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return take(lo)

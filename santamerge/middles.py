"""Model middles for conflict hunks: the file around a hunk as the FIM prefix and suffix.

This is the plain strategy, ``model:fim``: the model sees the merged file around the
hunk (other hunks as our side), fitted to its context window, and writes the hunk.
The merge driver asks for it when ``driver_model`` is on and stores the middles with the
attempt; the conservative policy never writes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from santamerge.context import CountTokens, fit_around_gap
from santamerge.generate import Gap, fill_gaps
from santamerge.types import Candidate, ConflictHunk, ParsedMerge

if TYPE_CHECKING:
    from santamerge.backends import Backend

CHARS_PER_TOKEN = 2.5  # a cautious guess where the backend has no tokenizer here


def token_counter(backend: Backend) -> tuple[int, CountTokens]:
    """The backend's context length and a function counting tokens in a text."""
    encode = getattr(backend, "encode", None)
    context = backend.describe().get("context_length")
    length = context if isinstance(context, int) and context > 0 else 2048
    if callable(encode):
        return length, lambda text: len(encode(text))
    return length, lambda text: math.ceil(len(text) / CHARS_PER_TOKEN)


def hunk_gap(parsed: ParsedMerge, hunk: ConflictHunk) -> Gap:
    """The merged file before and after ``hunk``, other hunks taking our side."""
    text = parsed.splice({}, default="ours")
    start = parsed.offset(hunk, "ours")
    return Gap(text[:start], text[start + len(hunk.ours):])


def model_middles(backend: Backend, parsed: ParsedMerge, hunks: Sequence[ConflictHunk],
                  n: int = 1, temperature: float = 0.0) -> list[Candidate]:
    """One greedy middle per hunk (or ``n`` sampled), as candidates named ``model:fim``."""
    if not hunks:
        return []
    context, count = token_counter(backend)
    gaps, limits = [], []
    for hunk in hunks:
        longest = max(len(hunk.ours), len(hunk.theirs))
        limit = min(512, max(16, math.ceil(1.5 * longest / CHARS_PER_TOKEN)))
        prefix, suffix = hunk_gap(parsed, hunk)
        budget = max(0, context - limit - 16)
        gaps.append(Gap(*fit_around_gap(prefix, suffix, count, budget)))
        limits.append(limit)
    found = fill_gaps(backend, gaps, n=n, max_new_tokens=max(limits), temperature=temperature)
    out = []
    for hunk, completions in zip(hunks, found, strict=True):
        for c in completions:
            text = c.text if c.text.endswith("\n") or not c.text else c.text + "\n"
            out.append(Candidate(hunk.index, text, "model:fim",
                                 f"logprob {c.logprob:.2f} over {len(c.token_logprobs)} "
                                 f"tokens ({c.finish})"))
    return out

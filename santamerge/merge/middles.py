"""Model middles for conflict hunks, under three strategies (docs/model-middles.md).

The FIM prefix and suffix are always the merged file around the hunk (other hunks as
our side), fitted to the model's context window. What differs is the repository-level
context shown first, in the model family's own layout:

- ``model:ours``: our side of the hunk, with the lines around it, as a context file
  named ``<path> (ours)``;
- ``model:theirs``: their side, the same way;
- ``model:merged``: both, ours first, then theirs.

``model:fim`` (no side context) is the plain strategy the merge driver stores when
``driver_model`` is on. The model also scores every candidate of a hunk, as its middle
(:func:`likelihoods`), for the learned ranker.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from santamerge.merge.ranking.methods import METHODS
from santamerge.merge.types import BOTH_SIDES, Candidate, ConflictHunk, ParsedMerge, Side
from santamerge.model.budget import (
    CHARS_PER_TOKEN,
    context_window,
    fit_around_gap,
    token_counter,
)
from santamerge.model.fim import ContextFile
from santamerge.model.generate import Gap, fill_gaps

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend

SIDE_LINES = 6  # lines around a side's hunk shown with it
STRATEGIES = ("ours", "theirs", "merged")


def hunk_gap(parsed: ParsedMerge, hunk: ConflictHunk) -> Gap:
    """The merged file before and after ``hunk``, other hunks taking our side."""
    text = parsed.splice({}, default="ours")
    start = parsed.offset(hunk, "ours")
    return Gap(text[:start], text[start + len(hunk.ours) :])


def side_excerpt(
    parsed: ParsedMerge, hunk: ConflictHunk, side: Side, around: int = SIDE_LINES
) -> str:
    """``side``'s version of the hunk with ``around`` lines of that side's file on each
    side of it."""
    text = parsed.side(side)
    start = parsed.offset(hunk, side)
    body = getattr(hunk, side) or ""
    before = text[:start].splitlines(keepends=True)[-around:]
    after = text[start + len(body) :].splitlines(keepends=True)[:around]
    return "".join(before) + body + "".join(after)


def side_files(
    parsed: ParsedMerge, hunk: ConflictHunk, path: str, strategy: str
) -> tuple[ContextFile, ...]:
    """The sides that ``strategy`` shows the model, each as a context file."""
    shown: dict[str, tuple[Side, ...]] = {
        "ours": ("ours",),
        "theirs": ("theirs",),
        "merged": BOTH_SIDES,
        "fim": (),
    }
    return tuple(
        ContextFile(f"{path} ({side})", side_excerpt(parsed, hunk, side))
        for side in shown[strategy]
    )


def _limit(hunk: ConflictHunk) -> int:
    longest = max(len(hunk.ours), len(hunk.theirs))
    return min(512, max(16, math.ceil(1.5 * longest / CHARS_PER_TOKEN)))


def strategy_gap(
    backend: Backend,
    parsed: ParsedMerge,
    hunk: ConflictHunk,
    path: str,
    strategy: str,
    limit: int | None = None,
) -> Gap:
    """The gap of ``hunk`` under ``strategy``, fitted to the model's context window: the
    side context first (it is the point of the strategy), the file around it with what
    is left."""
    window, count = context_window(backend), token_counter(backend)
    files = side_files(parsed, hunk, path, strategy)
    budget = window - (limit or _limit(hunk)) - 16
    kept: list[ContextFile] = []
    for f in files:
        cost = count(f.path) + count(f.text) + 4
        if cost <= budget // 2:
            kept.append(f)
            budget -= cost
    around = hunk_gap(parsed, hunk)
    fitted = fit_around_gap(around.prefix, around.suffix, count, max(0, budget))
    return Gap(fitted[0], fitted[1], tuple(kept), path)


def model_middles(
    backend: Backend,
    parsed: ParsedMerge,
    hunks: Sequence[ConflictHunk],
    strategies: Sequence[str] = ("fim",),
    path: str = "",
    n: int = 1,
    temperature: float = 0.0,
) -> list[Candidate]:
    """One greedy middle (or ``n`` sampled) per hunk and strategy, as candidates named
    ``model:<strategy>`` (the samples numbered); all prompts go to the model in one
    batch."""
    if not hunks:
        return []
    jobs = [(h, s) for h in hunks for s in strategies]
    limit = max(_limit(h) for h in hunks)
    gaps = [strategy_gap(backend, parsed, h, path or "file", s, limit) for h, s in jobs]
    found = fill_gaps(backend, gaps, n=n, max_new_tokens=limit, temperature=temperature)
    out = []
    for (hunk, strategy), completions in zip(jobs, found, strict=True):
        method = f"model:{strategy}"
        for sample, c in enumerate(completions):
            text = c.text if c.text.endswith("\n") or not c.text else c.text + "\n"
            tokens = len(c.token_logprobs)
            cut = "" if c.finish == "stop" else ", cut at the length limit"
            out.append(
                Candidate(
                    hunk.index,
                    text,
                    method,
                    f"the model's middle with {METHODS[method].sees}; mean "
                    f"log-prob {c.logprob / max(1, tokens):.2f} over {tokens} "
                    f"tokens{cut}",
                    sample,
                )
            )
    return out


def likelihoods(
    backend: Backend, parsed: ParsedMerge, path: str, candidates: dict[int, tuple[Candidate, ...]]
) -> dict[int, dict[str, float]]:
    """By hunk, the model's mean log-probability per token of each candidate text as the
    hunk's middle (under the ``merged`` strategy's prompt); {} when the backend cannot
    score, and no entry for a hunk whose candidates are too long to score."""
    from santamerge.errors import SantamergeError
    from santamerge.model.backends.base import ScoringUnavailable

    count = token_counter(backend)
    found: dict[int, dict[str, float]] = {}
    for hunk in parsed.hunks:
        texts = list(dict.fromkeys(c.text for c in candidates[hunk.index]))
        gap = strategy_gap(backend, parsed, hunk, path, "merged")
        prompt = backend.template.render(gap.prefix, gap.suffix, gap.files, path=gap.path)
        try:
            scores = backend.score(prompt, texts)
        except ScoringUnavailable:
            return {}
        except SantamergeError:
            continue  # this hunk's candidates are too long to score: no likelihoods
        lengths = [max(1, count(t) + 1) for t in texts]
        found[hunk.index] = {t: lp / n for t, lp, n in zip(texts, scores, lengths, strict=True)}
    return found

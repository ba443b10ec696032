"""Rank the candidates of one hunk.

Each candidate is scored on how much of each side's change it keeps, measured line by
line with rapidfuzz edit similarity, weighed by a prior for its method. The priors are
hand-set until the learned ranker replaces them (see docs/ranking.md); every score
carries the reasons a person needs to judge it. Fuzzy matching ranks; it never applies.
"""

from __future__ import annotations

from collections import Counter

from santamerge.candidates import METHODS
from santamerge.types import Candidate, ConflictHunk, Scored

# How often each method is right when it applies, before looking at the text. From the
# public figures in DESIGN.md: always-ours matches ~41 % of hunks, word merges ~68 %
# of those they resolve; an order-free union passes the gates by construction.
PRIOR = {
    "structured:union": 1.0,
    "merged:words": 0.9,
    "ours": 0.8,
    "theirs": 0.7,
    "ours+theirs": 0.6,
    "theirs+ours": 0.55,
    "base": 0.2,
}

DESCRIPTION = {
    "structured:union": "order-free union of both sides' added imports or definitions",
    "merged:words": "word-level 3-way merge inside the hunk",
    "ours": "our side as it is",
    "theirs": "their side as it is",
    "ours+theirs": "our side, then theirs",
    "theirs+ours": "their side, then ours",
    "base": "the common ancestor: drops both changes",
}


def rank_candidates(
    hunk: ConflictHunk,
    candidates: tuple[Candidate, ...],
    rejections: dict[str, tuple[str, ...]],
) -> tuple[Scored, ...]:
    """Score and sort; ``rejections`` maps a method to the gates it failed."""
    scored = [_score(hunk, c, rejections.get(c.method, ())) for c in candidates]
    return tuple(sorted(scored, key=_sort_key))


def _sort_key(s: Scored) -> tuple[bool, float, int]:
    return (bool(s.rejected), -s.score, METHODS.index(s.candidate.method))


def _score(hunk: ConflictHunk, candidate: Candidate, rejected: tuple[str, ...]) -> Scored:
    ours = change_kept(hunk.base, hunk.ours, candidate.text)
    theirs = change_kept(hunk.base, hunk.theirs, candidate.text)
    prior = PRIOR.get(candidate.method, 0.5)
    score = 0.0 if rejected else round(prior * (0.5 + 0.25 * (ours + theirs)), 4)
    reasons = [
        DESCRIPTION.get(candidate.method, candidate.method),
        f"keeps {ours:.0%} of ours' change and {theirs:.0%} of theirs'",
    ]
    if candidate.note:
        reasons.append(candidate.note)
    reasons.extend(f"rejected: {r}" for r in rejected)
    return Scored(candidate, score, round(ours, 4), round(theirs, 4), tuple(reasons), rejected)


def change_kept(base: str | None, side: str, candidate: str) -> float:
    """The share of ``side``'s change from ``base`` that ``candidate`` keeps, 0..1.

    Lines the side added count by their best edit similarity to a candidate line; lines
    it deleted count as kept when the candidate lacks them. Weighted by line length.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    side_lines, base_lines = _lines(side), _lines(base or "")
    added = list((Counter(side_lines) - Counter(base_lines)).elements())
    deleted = list((Counter(base_lines) - Counter(side_lines)).elements())
    cand_lines = _lines(candidate)
    cand_set = set(cand_lines)
    total = kept = 0.0
    for line in added:
        best = process.extractOne(line, cand_lines, scorer=Levenshtein.normalized_similarity)
        kept += len(line) * (best[1] if best else 0.0)
        total += len(line)
    for line in deleted:
        kept += 0.0 if line in cand_set else len(line)
        total += len(line)
    return 1.0 if total == 0 else kept / total


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]

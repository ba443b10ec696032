"""Rank the candidates of one hunk.

Each candidate is scored on how much of each side's change it keeps, measured line by
line with rapidfuzz edit similarity, weighed by a prior for its method. The priors are
hand-set (santamerge.merge.ranking.methods) until the learned ranker replaces them (see
docs/ranking.md); every score carries the reasons a person needs to judge it. Fuzzy
matching ranks; it never applies.
"""

from __future__ import annotations

from collections import Counter

from santamerge.merge.ranking import methods
from santamerge.merge.types import Candidate, ConflictHunk, Scored

DOUBLED_PENALTY = 0.8  # per base line whose two rival edits the candidate both keeps


def rank_candidates(
    hunk: ConflictHunk,
    candidates: tuple[Candidate, ...],
    rejections: dict[str, tuple[str, ...]],
) -> tuple[Scored, ...]:
    """Score and sort; ``rejections`` maps a candidate's key to the gates it failed."""
    scored = [_score(hunk, c, rejections.get(c.key, ())) for c in candidates]
    return tuple(sorted(scored, key=_sort_key))


def _sort_key(s: Scored) -> tuple[bool, float, int]:
    return (bool(s.rejected), -s.score, methods.order(s.candidate.method))


def _score(hunk: ConflictHunk, candidate: Candidate, rejected: tuple[str, ...]) -> Scored:
    ours = change_kept(hunk.base, hunk.ours, candidate.text)
    theirs = change_kept(hunk.base, hunk.theirs, candidate.text)
    prior = methods.prior(candidate.method)
    doubled = doubled_lines(hunk, candidate.text)
    score = prior * (0.5 + 0.25 * (ours + theirs)) * DOUBLED_PENALTY**doubled
    reasons = [
        methods.description(candidate.method),
        f"keeps {ours:.0%} of ours' change and {theirs:.0%} of theirs'",
    ]
    if doubled:
        reasons.append(f"holds both sides' versions of {doubled} line(s) both edited")
    if candidate.note:
        reasons.append(candidate.note)
    reasons.extend(f"rejected: {r}" for r in rejected)
    score = 0.0 if rejected else round(score, 4)
    return Scored(candidate, score, round(ours, 4), round(theirs, 4), tuple(reasons), rejected)


def change_kept(base: str | None, side: str, candidate: str) -> float:
    """The share of ``side``'s change from ``base`` that ``candidate`` keeps, 0..1.

    Each line the side added or edited counts by how far the candidate's closest line
    moved from the base towards it (edit similarity, so a line with the side's edit and
    another one still counts mostly kept); each line the side deleted counts as kept when
    the candidate lacks it. Lines weigh by their length.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    side_lines, base_lines = _lines(side), _lines(base or "")
    added = list((Counter(side_lines) - Counter(base_lines)).elements())
    deleted = list((Counter(base_lines) - Counter(side_lines)).elements())
    cand_lines = _lines(candidate)
    cand_set = set(cand_lines)
    sim = Levenshtein.normalized_similarity
    total = kept = 0.0
    for line in added:
        # an edited line starts from the deleted base line it replaced; an added one from 0
        before = process.extractOne(line, deleted, scorer=sim, score_cutoff=0.5)
        if before is not None:
            deleted.remove(before[0])
        now = process.extractOne(line, cand_lines, scorer=sim) if cand_lines else None
        if now is None:
            share = 0.0
        elif before is None:
            share = now[1]
        else:
            share = _edits_kept(before[0], line, now[0])
        kept += len(line) * share
        total += len(line)
    for line in deleted:
        kept += 0.0 if line in cand_set else len(line)
        total += len(line)
    return 1.0 if total == 0 else kept / total


def doubled_lines(hunk: ConflictHunk, candidate: str) -> int:
    """How many base lines, edited differently by both sides, appear in ``candidate`` in
    both edited versions: the mark of a concatenation that keeps two rival edits."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    base, ours, theirs = (
        set(_lines(hunk.base or "")),
        set(_lines(hunk.ours)),
        set(_lines(hunk.theirs)),
    )
    ours_new, theirs_new = list(ours - base - theirs), list(theirs - base - ours)
    present = set(_lines(candidate))
    count = 0
    for line in base - ours - theirs:
        o = process.extractOne(
            line, ours_new, scorer=Levenshtein.normalized_similarity, score_cutoff=0.5
        )
        t = process.extractOne(
            line, theirs_new, scorer=Levenshtein.normalized_similarity, score_cutoff=0.5
        )
        count += bool(o and t and o[0] in present and t[0] in present)
    return count


def _edits_kept(base: str, side: str, candidate: str) -> float:
    """The share of the character edits from ``base`` to ``side`` that ``candidate`` has
    made too (the same span of ``base`` replaced by the same text), weighted by size."""
    wanted = _edits(base, side)
    made = set(_edits(base, candidate))
    total = sum(wanted.values())
    return 1.0 if total == 0 else sum(w for e, w in wanted.items() if e in made) / total


def _edits(before: str, after: str) -> dict[tuple[int, int, str], int]:
    from rapidfuzz.distance import Levenshtein

    return {
        (op.src_start, op.src_end, after[op.dest_start : op.dest_end]): max(
            op.src_end - op.src_start, op.dest_end - op.dest_start
        )
        for op in Levenshtein.opcodes(before, after)
        if op.tag != "equal"
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]

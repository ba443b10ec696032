"""Proposals as plain data: the versioned JSON of ``propose --json`` and of stored
attempts. The schema is documented in docs/propose-json.md; bump PROPOSAL_SCHEMA on any
change that is not a pure addition."""

from __future__ import annotations

from typing import Any

from santamerge.merge.types import Candidate, HunkProposal, MergeProposal, Outcome, Scored

PROPOSAL_SCHEMA = 1


def proposal_record(
    proposal: MergeProposal, outcome: Outcome, labels: tuple[str, str, str] | None = None
) -> dict[str, Any]:
    return {
        "schema": PROPOSAL_SCHEMA,
        "path": proposal.path,
        "language": proposal.language,
        "labels": dict(zip(("ours", "base", "theirs"), labels, strict=True)) if labels else None,
        "hunks": [hunk_record(h) for h in proposal.hunks],
        "outcome": {
            "clean": outcome.clean,
            "resolved": list(outcome.resolved),
            "unresolved": list(outcome.unresolved),
            "methods": {str(k): v for k, v in outcome.methods.items()},
        },
    }


def hunk_record(h: HunkProposal) -> dict[str, Any]:
    return {
        "index": h.hunk.index,
        "line": h.hunk.line,
        "ours": h.hunk.ours,
        "base": h.hunk.base,
        "theirs": h.hunk.theirs,
        "policy": h.policy,
        "auto_apply": h.chosen.method if h.chosen else None,
        "withdrawn": {key: list(reasons) for key, reasons in h.withdrawn.items()},
        "ranked": bool(h.ranked),
        "candidates": ([candidate_record(s, rank) for rank, s in enumerate(h.ranked, 1)]
                       if h.ranked else [unranked_record(c, h) for c in h.candidates]),
    }


def unranked_record(c: Candidate, h: HunkProposal) -> dict[str, Any]:
    """A candidate the merge driver did not rank; gated only if the policy considered it."""
    rejected = h.gated.get(c.key)
    return {
        "rank": None,
        "method": c.method,
        "text": c.text,
        "score": None,
        "keeps_ours": None,
        "keeps_theirs": None,
        "accepted": None if rejected is None else not rejected,
        "rejected": list(rejected or ()),
        "reasons": [c.note] if c.note else [],
    }


def candidate_record(s: Scored, rank: int) -> dict[str, Any]:
    return {
        "rank": rank,
        "method": s.candidate.method,
        "text": s.candidate.text,
        "score": s.score,
        "keeps_ours": s.keeps_ours,
        "keeps_theirs": s.keeps_theirs,
        "accepted": not s.rejected,
        "rejected": list(s.rejected),
        "reasons": list(s.reasons),
    }

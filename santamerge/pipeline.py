"""The order of the stages, and nothing else.

locate ──► candidates ──► gates ──► rank ──► policy ──► apply
"""

from __future__ import annotations

from santamerge.apply import apply_choices
from santamerge.candidates import build_candidates
from santamerge.gates import GateContext, check_candidate, prepare_gates
from santamerge.languages import LanguageProfile, language_for_path
from santamerge.locate import parse_conflicts
from santamerge.policy import DEFAULT_POLICY, AutoApplyPolicy
from santamerge.rank import rank_candidates
from santamerge.types import ConflictHunk, HunkProposal, MergeProposal, Outcome, ParsedMerge


def propose_merge(
    text: str,
    path: str,
    marker_size: int | None = None,
    policy: AutoApplyPolicy = DEFAULT_POLICY,
) -> MergeProposal:
    """Parse ``text`` (git's merge with diff3 markers) and rank candidates for each hunk."""
    parsed = parse_conflicts(text, marker_size)
    profile = language_for_path(path)
    gates = prepare_gates(parsed, profile)
    hunks = tuple(_propose_hunk(parsed, h, profile, gates, policy) for h in parsed.hunks)
    return MergeProposal(path, profile.name if profile else None, parsed, hunks)


def resolve_merge(proposal: MergeProposal) -> Outcome:
    """Write the policy's choices; every other hunk keeps its markers."""
    choices = {h.hunk.index: h.chosen.candidate for h in proposal.hunks if h.chosen}
    return apply_choices(proposal.parsed, choices)


def _propose_hunk(
    parsed: ParsedMerge,
    hunk: ConflictHunk,
    profile: LanguageProfile | None,
    gates: GateContext,
    policy: AutoApplyPolicy,
) -> HunkProposal:
    candidates = build_candidates(parsed, hunk, profile)
    rejections = {c.method: check_candidate(gates, c) for c in candidates}
    ranked = rank_candidates(hunk, candidates, rejections)
    return HunkProposal(hunk, ranked, policy.choose(ranked), policy.name)

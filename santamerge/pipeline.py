"""The order of the stages, and nothing else.

locate ──► candidates ──► gates ──► rank ──► policy ──► apply

``propose_merge`` runs every stage on every candidate, for people and benchmarks.
``decide_merge`` is the merge driver's path: it gates only the candidates the policy may
write and ranks nothing, because git waits for it once per file; everything it skips can
be recomputed from the stored attempt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from santamerge.apply import apply_choices
from santamerge.candidates import build_candidates
from santamerge.languages import LanguageProfile, language_for_path
from santamerge.locate import parse_conflicts
from santamerge.policy import DEFAULT_POLICY, AutoApplyPolicy
from santamerge.types import (
    Candidate,
    ConflictHunk,
    HunkProposal,
    MergeProposal,
    Outcome,
    ParsedMerge,
    Scored,
)

if TYPE_CHECKING:
    from santamerge.gates import GateContext


def propose_merge(
    text: str, path: str, marker_size: int | None = None,
    policy: AutoApplyPolicy = DEFAULT_POLICY,
) -> MergeProposal:
    """Parse ``text`` (git's merge with diff3 markers); gate and rank every candidate."""
    return _propose(text, path, marker_size, policy, rank=True)


def decide_merge(
    text: str, path: str, marker_size: int | None = None,
    policy: AutoApplyPolicy = DEFAULT_POLICY,
) -> MergeProposal:
    """What the policy writes, gating only what it may write, ranking nothing."""
    return _propose(text, path, marker_size, policy, rank=False)


def resolve_merge(proposal: MergeProposal) -> Outcome:
    """Write the policy's choices; every other hunk keeps its markers."""
    choices = {h.hunk.index: h.chosen for h in proposal.hunks if h.chosen}
    return apply_choices(proposal.parsed, choices)


def _propose(text: str, path: str, marker_size: int | None, policy: AutoApplyPolicy,
             rank: bool) -> MergeProposal:
    parsed = parse_conflicts(text, marker_size)
    profile = language_for_path(path)
    gates = _LazyGates(parsed, profile)
    hunks = tuple(_propose_hunk(h, build_candidates(parsed, h, profile), gates, policy, rank)
                  for h in parsed.hunks)
    return MergeProposal(path, profile.name if profile else None, parsed, hunks)


class _LazyGates:
    """Parses the sides (for the gates' baselines) on the first candidate gated, if any."""

    def __init__(self, parsed: ParsedMerge, profile: LanguageProfile | None) -> None:
        self.parsed, self.profile = parsed, profile
        self.context: GateContext | None = None

    def check(self, candidate: Candidate) -> tuple[str, ...]:
        from santamerge.gates import check_candidate, prepare_gates

        if self.context is None:
            self.context = prepare_gates(self.parsed, self.profile)
        return check_candidate(self.context, candidate)


def _propose_hunk(hunk: ConflictHunk, candidates: tuple[Candidate, ...], gates: _LazyGates,
                  policy: AutoApplyPolicy, rank: bool) -> HunkProposal:
    gated: dict[str, tuple[str, ...]] = {}

    def gate(candidate: Candidate) -> tuple[str, ...]:
        if candidate.method not in gated:
            gated[candidate.method] = gates.check(candidate)
        return gated[candidate.method]

    ranked: tuple[Scored, ...] = ()
    if rank:
        from santamerge.rank import rank_candidates

        ranked = rank_candidates(hunk, candidates, {c.method: gate(c) for c in candidates})
    chosen = policy.choose(candidates, gate)
    return HunkProposal(hunk, candidates, gated, ranked, chosen, policy.name)

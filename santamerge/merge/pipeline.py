"""The order of the stages, and nothing else.

locate ──► candidates (+ model middles) ──► gates ──► rank (+ learned ranker) ──► policy
       ──► gates on the whole file ──► apply (──► model middles for the hunks left open)

:func:`run_pipeline` is the one entry. By default it runs every stage on every
candidate, for people and benchmarks. With ``rank_all=False`` it takes the merge
driver's path: it gates only what the policy offers, all at once as the file it would
write, and ranks nothing (unless the policy decides by rank), because git waits for it
once per file; everything it skips can be recomputed from the stored attempt. Both
settle the policy's offers the same way (:func:`settle`), so they write the same.

The model is asked in one of two places: with ``backend``, before the gates, for middles
of every hunk that join the candidates, and to score every candidate; with
``ask_unresolved``, after the decision, for one plain middle of each hunk left open,
which is stored and never written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from santamerge.languages.profiles import LanguageProfile, language_for_path
from santamerge.merge.apply import apply_choices
from santamerge.merge.candidates import build_candidates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.ranking.policy import DEFAULT_POLICY, AutoApplyPolicy
from santamerge.merge.types import (
    Candidate,
    ConflictHunk,
    HunkProposal,
    Merged,
    MergeProposal,
    Outcome,
    ParsedMerge,
    Scored,
    StoredMiddles,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from santamerge.merge.gates import GateBaseline
    from santamerge.merge.ranking.learned import HunkFacts, Ranker
    from santamerge.merge.ranking.signals import HunkView
    from santamerge.model.backends.base import Backend

Candidates = dict[int, tuple[Candidate, ...]]


def run_pipeline(
    text: str,
    path: str,
    marker_size: int | None = None,
    *,
    policy: AutoApplyPolicy = DEFAULT_POLICY,
    rank_all: bool = True,
    learned: bool = True,
    backend: Backend | None = None,
    ask_unresolved: Callable[[], Backend] | None = None,
    merge_message: str | None = None,
    history: Mapping[str, Any] | None = None,
    git_dir: str | None = None,
    sides: tuple[str, str] | None = None,
) -> Merged:
    """Parse ``text`` (git's merge with diff3 markers), propose, decide and apply.

    ``rank_all``: gate and rank every candidate (else the driver's path, above). With
    ``learned`` (and a ranker shipped), the learned ranker orders the candidates and its
    probability is their score. ``backend``: the model adds its middles under the three
    strategies and scores every candidate. ``ask_unresolved`` opens a backend for the
    hunks left open, if any; what it gives, or why not, is ``Merged.stored``. ``history``:
    the merge's history facts for the ranker's signals (santamerge.git.history_facts),
    where a repository is at hand. ``git_dir``: the repository's, whose own ranker
    adjustment (``santamerge learn``) the learned ranker then applies, and whose methods
    measured by ``santamerge learn`` adjust the policy (santamerge.merge.ranking.proof).
    ``sides``: ours and theirs as whole files, where the caller has them, for the gates
    that ask whether a side loads or holds a key twice (santamerge.merge.gates.GateBaseline)."""
    parsed = parse_conflicts(text, marker_size)
    profile = language_for_path(path)
    policy = _proven(policy, git_dir, profile)
    candidates = {h.index: build_candidates(parsed, h, profile) for h in parsed.hunks}
    likelihoods: dict[int, dict[str, float]] = {}
    if backend is not None:
        candidates, likelihoods = _ask_model(backend, parsed, path, candidates)
    rank = rank_all or policy.needs_ranking
    rerank = _learned(profile, merge_message, git_dir) if rank and learned else None
    gates = _LazyGates(parsed, profile, path, sides)
    views = _views(parsed, history) if rerank is not None else {}
    hunks = [
        _propose_hunk(
            h,
            candidates[h.index],
            gates,
            policy,
            rank,
            likelihoods.get(h.index, {}),
            rerank,
            views.get(h.index),
        )
        for h in parsed.hunks
    ]
    proposal = MergeProposal(
        path, profile.name if profile else None, parsed, _decide(hunks, gates, policy)
    )
    outcome = apply_choices(parsed, {h.hunk.index: h.chosen for h in proposal.hunks if h.chosen})
    stored = None
    if ask_unresolved is not None and outcome.unresolved:
        stored = _stored_middles(ask_unresolved, parsed, outcome, path)
    return Merged(proposal, outcome, stored)


def _proven(
    policy: AutoApplyPolicy, git_dir: str | None, profile: LanguageProfile | None
) -> AutoApplyPolicy:
    """``policy`` as the repository's history proves it for the file's language."""
    if git_dir is None or not policy.learns:
        return policy
    from santamerge.merge.ranking.proof import in_repository, read_proof

    return in_repository(policy, read_proof(git_dir), profile.name if profile else None)


def _learned(
    profile: LanguageProfile | None, merge_message: str | None, git_dir: str | None
) -> tuple[Ranker, HunkFacts] | None:
    """The shipped ranker, with the repository's own adjustment if ``santamerge learn``
    stored one, and what it knows of the file's hunks; None without a ranker."""
    from santamerge.merge.ranking.learned import HunkFacts, local_adjustment, shipped_ranker

    ranker = shipped_ranker()
    if ranker is None:
        return None
    ranker = ranker._replace(local=local_adjustment(git_dir))
    return ranker, HunkFacts(profile.name if profile else None, merge_message)


def _views(parsed: ParsedMerge, history: Mapping[str, Any] | None) -> dict[int, HunkView]:
    """What the learned ranker's signals read of each hunk: its sides, the file's lines
    around it, and the merge's history where a repository is at hand."""
    from santamerge.merge.ranking.signals import HunkView, context_of

    count = len(parsed.hunks)
    views = {}
    for position, chunk in enumerate(parsed.chunks):
        if isinstance(chunk, ConflictHunk):
            before, after = context_of(parsed.chunks, position)
            views[chunk.index] = HunkView(
                chunk.base, chunk.ours, chunk.theirs, before, after, count, history
            )
    return views


def _decide(
    hunks: list[HunkProposal], gates: _LazyGates, policy: AutoApplyPolicy
) -> tuple[HunkProposal, ...]:
    """Each hunk with the policy's choice, settled on the whole file."""
    offers = {h.hunk.index: policy.offers(h.candidates, h.ranked) for h in hunks}
    chosen, withdrawn = settle(gates, offers)
    decided = []
    for h in hunks:
        i = h.hunk.index
        gated = h.gated
        if not h.ranked:  # the driver's path: what the whole-file gates said, and only that
            gated = dict(withdrawn.get(i, {}))
            if i in chosen:
                gated[chosen[i].key] = ()
        decided.append(
            h._replace(
                chosen=chosen.get(i),
                gated=gated,
                withdrawn=withdrawn.get(i, {}),
                evidence=_evidence(policy, h, chosen.get(i)),
            )
        )
    return tuple(decided)


def _evidence(policy: AutoApplyPolicy, h: HunkProposal, chosen: Candidate | None) -> str | None:
    """The repository's evidence for the method written, or, for a hunk left marked,
    against a method that gave a candidate and that this repository no longer writes."""
    if not policy.evidence:
        return None
    if chosen is not None:
        return policy.why(chosen.method)
    if policy.threshold is not None:  # the ranker's top candidate, if it was refused
        pool = [s.candidate for s in h.ranked if not s.rejected][:1]
    else:
        pool = list(h.candidates)
    refused = sorted({c.method for c in pool if c.method in policy.refused})
    lines = [line for m in refused if (line := policy.why(m)) is not None]
    return "; ".join(f"not written here: {line}" for line in lines) or None


def _ask_model(
    backend: Backend, parsed: ParsedMerge, path: str, candidates: Candidates
) -> tuple[Candidates, dict[int, dict[str, float]]]:
    """Every hunk's candidates with the model's middles after them, and the model's
    likelihood of every candidate text (none where the backend cannot score)."""
    from santamerge.merge.middles import STRATEGIES, likelihoods, model_middles

    joined = dict(candidates)
    for c in model_middles(backend, parsed, parsed.hunks, STRATEGIES, path=path):
        if c.text.strip():
            joined[c.hunk] = (*joined[c.hunk], c)
    return joined, likelihoods(backend, parsed, path, joined)


def _stored_middles(
    open_backend: Callable[[], Backend], parsed: ParsedMerge, outcome: Outcome, path: str
) -> StoredMiddles:
    """A plain middle for each hunk left open. A model that is missing, slow or still
    loading costs the file these middles, nothing else."""
    from santamerge.errors import SantamergeError
    from santamerge.merge.middles import model_middles

    try:
        backend = open_backend()
        hunks = [h for h in parsed.hunks if h.index in outcome.unresolved]
        middles = model_middles(backend, parsed, hunks, path=path)
    except SantamergeError as exc:
        return StoredMiddles("", error=str(exc))
    return StoredMiddles(backend.name, tuple(middles))


class _LazyGates:
    """Parses the sides (for the gates' baselines) on the first candidate gated, if any."""

    def __init__(
        self,
        parsed: ParsedMerge,
        profile: LanguageProfile | None,
        path: str,
        sides: tuple[str, str] | None = None,
    ) -> None:
        self.parsed, self.profile, self.path, self.sides = parsed, profile, path, sides
        self._baseline: GateBaseline | None = None

    @property
    def baseline(self) -> GateBaseline:
        from santamerge.merge.gates import prepare_gates

        if self._baseline is None:
            self._baseline = prepare_gates(self.parsed, self.profile, self.path, self.sides)
        return self._baseline

    def check(self, candidate: Candidate) -> tuple[str, ...]:
        from santamerge.merge.gates import check_candidate

        return check_candidate(self.baseline, candidate)


def settle(
    gates: _LazyGates, offers: Candidates
) -> tuple[dict[int, Candidate], dict[int, dict[str, tuple[str, ...]]]]:
    """Each hunk's first offer that passes the gates as part of the whole file: check
    the file with every hunk's current offer spliced in; a hunk blamed for a failure
    moves on to its next offer, or to none; repeat until the file passes. Each round
    costs one parse of the file, and each failing round moves at least one hunk on."""
    from santamerge.merge.gates import check_together

    position = {i: 0 for i, options in offers.items() if options}
    withdrawn: dict[int, dict[str, tuple[str, ...]]] = {}
    while position:
        chosen = {i: offers[i][k] for i, k in position.items()}
        blamed = check_together(gates.baseline, chosen)
        if not blamed:
            return chosen, withdrawn
        for i, reasons in blamed.items():
            withdrawn.setdefault(i, {})[chosen[i].key] = reasons
            position[i] += 1
            if position[i] >= len(offers[i]):
                del position[i]
    return {}, withdrawn


def _propose_hunk(
    hunk: ConflictHunk,
    candidates: tuple[Candidate, ...],
    gates: _LazyGates,
    policy: AutoApplyPolicy,
    rank: bool,
    likelihoods: dict[str, float],
    rerank: tuple[Ranker, HunkFacts] | None = None,
    view: HunkView | None = None,
) -> HunkProposal:
    ranked: tuple[Scored, ...] = ()
    gated: dict[str, tuple[str, ...]] = {}
    if rank:
        from santamerge.merge.ranking.rank import rank_candidates

        gated = {c.key: gates.check(c) for c in candidates}
        ranked = rank_candidates(hunk, candidates, gated)
    if rerank is not None:
        from santamerge.merge.ranking.learned import learned_order

        ranked = learned_order(hunk, ranked, rerank[0], rerank[1], likelihoods, view)
    return HunkProposal(hunk, candidates, gated, ranked, None, policy.name, likelihoods=likelihoods)

"""The order of the stages, and nothing else.

locate ──► candidates (+ model middles) ──► gates ──► rank (+ learned ranker) ──► policy
       ──► gates on the whole file ──► apply

``propose_merge`` runs every stage on every candidate, for people and benchmarks.
``decide_merge`` is the merge driver's path: it gates only what the policy offers, all
at once as the file it would write, and ranks nothing, because git waits for it once
per file; everything it skips can be recomputed from the stored attempt. Both settle
the policy's offers the same way (:func:`settle`), so they write the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from santamerge.languages.profiles import LanguageProfile, language_for_path
from santamerge.merge.apply import apply_choices
from santamerge.merge.candidates import build_candidates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.policy import DEFAULT_POLICY, AutoApplyPolicy
from santamerge.merge.types import (
    Candidate,
    ConflictHunk,
    HunkProposal,
    MergeProposal,
    Outcome,
    ParsedMerge,
    Scored,
)

if TYPE_CHECKING:
    from santamerge.merge.gates import GateContext
    from santamerge.merge.learned import HunkContext, Ranker
    from santamerge.model.backends.base import Backend


def learned_order(hunk: ConflictHunk, ranked: tuple[Scored, ...], ranker: Ranker,
                  context: HunkContext, logprobs: dict[str, float] | None
                  ) -> tuple[Scored, ...]:
    """``ranked`` re-scored by the learned ranker: the score becomes the probability that
    the candidate is what a person commits, and the reasons say so."""
    from santamerge.merge.learned import candidate_features

    name, weights = ranker.weights(with_model=bool(logprobs))
    rows = candidate_features(hunk, ranked, context, logprobs)
    rescored = []
    for s, row in zip(ranked, rows, strict=True):
        p = 0.0 if s.rejected else weights.probability(row)
        reasons = list(s.reasons)
        if logprobs and s.candidate.text in logprobs:
            reasons.insert(2, f"model: mean log-prob {logprobs[s.candidate.text]:.2f} per token")
        reasons.insert(2, f"learned ranker ({name}): {p:.0%} likely what a person commits")
        rescored.append(s._replace(score=round(p, 4), reasons=tuple(reasons)))
    return tuple(sorted(rescored, key=lambda s: (bool(s.rejected), -s.score)))


def propose_merge(
    text: str, path: str, marker_size: int | None = None,
    policy: AutoApplyPolicy = DEFAULT_POLICY, backend: Backend | None = None,
    merge_message: str | None = None, learned: bool = True,
) -> MergeProposal:
    """Parse ``text`` (git's merge with diff3 markers); gate and rank every candidate.

    With ``backend``, the model adds its middles under the three strategies and scores
    every candidate; with ``learned`` (and a ranker shipped), the learned ranker orders
    the candidates and its probability is their score."""
    return _propose(text, path, marker_size, policy, rank=True, backend=backend,
                    merge_message=merge_message, learned=learned)


def decide_merge(
    text: str, path: str, marker_size: int | None = None,
    policy: AutoApplyPolicy = DEFAULT_POLICY,
) -> MergeProposal:
    """What the policy writes, gating only what it may write, ranking nothing (unless
    the policy decides by the learned ranker's probability)."""
    return _propose(text, path, marker_size, policy, rank=policy.needs_ranking,
                    learned=policy.needs_ranking)


def resolve_merge(proposal: MergeProposal) -> Outcome:
    """Write the policy's choices; every other hunk keeps its markers."""
    choices = {h.hunk.index: h.chosen for h in proposal.hunks if h.chosen}
    return apply_choices(proposal.parsed, choices)


def _propose(text: str, path: str, marker_size: int | None, policy: AutoApplyPolicy,
             rank: bool, backend: Backend | None = None, merge_message: str | None = None,
             learned: bool = False) -> MergeProposal:
    parsed = parse_conflicts(text, marker_size)
    profile = language_for_path(path)
    gates = _LazyGates(parsed, profile, path)
    base = {h.index: build_candidates(parsed, h, profile) for h in parsed.hunks}
    extra, logprobs = _ask_model(backend, parsed, path, base) if backend else ({}, {})
    rerank = None
    if rank and learned:
        from santamerge.merge.learned import HunkContext, shipped_ranker

        ranker = shipped_ranker()
        if ranker is not None:
            context = HunkContext(profile.name if profile else None, merge_message)
            rerank = (ranker, context)
    hunks = [_propose_hunk(h, base[h.index] + extra.get(h.index, ()),
                           gates, policy, rank, logprobs.get(h.index), rerank)
             for h in parsed.hunks]
    offers = {h.hunk.index: policy.offers(h.candidates, h.ranked) for h in hunks}
    chosen, withdrawn = settle(gates, offers)
    for number, h in enumerate(hunks):
        i = h.hunk.index
        gated = h.gated
        if not h.ranked:  # the driver's path: what the whole-file gates said, and only that
            gated = dict(withdrawn.get(i, {}))
            if i in chosen:
                gated[chosen[i].method] = ()
        hunks[number] = h._replace(chosen=chosen.get(i), gated=gated,
                                   withdrawn=withdrawn.get(i, {}))
    return MergeProposal(path, profile.name if profile else None, parsed, tuple(hunks))


def _ask_model(backend: Backend, parsed: ParsedMerge, path: str,
               base: dict[int, tuple[Candidate, ...]]
               ) -> tuple[dict[int, tuple[Candidate, ...]], dict[int, dict[str, float]]]:
    """The model's middles for every hunk, and the model's mean log-probability per
    token of every candidate text as the hunk's middle (``merged`` strategy's prompt);
    no likelihoods where the backend cannot score."""
    from santamerge.errors import SantamergeError
    from santamerge.merge.middles import STRATEGIES, model_middles, strategy_gap
    from santamerge.model.backends.base import ScoringUnavailable

    middles = model_middles(backend, parsed, parsed.hunks, STRATEGIES, path=path)
    extra: dict[int, tuple[Candidate, ...]] = {}
    for c in middles:
        if c.text.strip():
            extra[c.hunk] = (*extra.get(c.hunk, ()), c)
    logprobs: dict[int, dict[str, float]] = {}
    for hunk in parsed.hunks:
        texts = list(dict.fromkeys(c.text for c in (*base[hunk.index],
                                                     *extra.get(hunk.index, ()))))
        gap = strategy_gap(backend, parsed, hunk, path, "merged")
        prompt = backend.template.render(gap.prefix, gap.suffix, gap.context, path=gap.path)
        try:
            scores = backend.score(prompt, texts)
        except ScoringUnavailable:
            return extra, {}
        except SantamergeError:
            continue  # this hunk's candidates are too long to score: no likelihoods
        lengths = [max(1, _token_count(backend, t)) for t in texts]
        logprobs[hunk.index] = {t: lp / n for t, lp, n in zip(texts, scores, lengths,
                                                                strict=True)}
    return extra, logprobs


def _token_count(backend: Backend, text: str) -> int:
    encode = getattr(backend, "encode", None)
    return len(encode(text)) + 1 if callable(encode) else len(text) // 3 + 1


class _LazyGates:
    """Parses the sides (for the gates' baselines) on the first candidate gated, if any."""

    def __init__(self, parsed: ParsedMerge, profile: LanguageProfile | None,
                 path: str) -> None:
        self.parsed, self.profile, self.path = parsed, profile, path
        self._context: GateContext | None = None

    @property
    def context(self) -> GateContext:
        from santamerge.merge.gates import prepare_gates

        if self._context is None:
            self._context = prepare_gates(self.parsed, self.profile, self.path)
        return self._context

    def check(self, candidate: Candidate) -> tuple[str, ...]:
        from santamerge.merge.gates import check_candidate

        return check_candidate(self.context, candidate)


def settle(gates: _LazyGates, offers: dict[int, tuple[Candidate, ...]]
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
        blamed = check_together(gates.context, chosen)
        if not blamed:
            return chosen, withdrawn
        for i, reasons in blamed.items():
            withdrawn.setdefault(i, {})[chosen[i].method] = reasons
            position[i] += 1
            if position[i] >= len(offers[i]):
                del position[i]
    return {}, withdrawn


def _propose_hunk(hunk: ConflictHunk, candidates: tuple[Candidate, ...], gates: _LazyGates,
                  policy: AutoApplyPolicy, rank: bool,
                  logprobs: dict[str, float] | None = None,
                  rerank: tuple[Ranker, HunkContext] | None = None) -> HunkProposal:
    ranked: tuple[Scored, ...] = ()
    gated: dict[str, tuple[str, ...]] = {}
    if rank:
        from santamerge.merge.rank import rank_candidates

        gated = {c.method: gates.check(c) for c in candidates}
        ranked = rank_candidates(hunk, candidates, gated)
        if rerank is not None:
            ranked = learned_order(hunk, ranked, rerank[0], rerank[1], logprobs)
    return HunkProposal(hunk, candidates, gated, ranked, None, policy.name)

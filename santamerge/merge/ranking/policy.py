"""The auto-apply policy: which candidate, if any, may be written without asking.

``calibrated`` is different in kind: it writes the learned ranker's top candidate when
its probability reaches the threshold calibrated on replayed merges for 99 % precision
(docs/ranking.md).

One small named piece, so that the benchmark can set it by numbers. A policy trusts a
set of methods (each method's ``policies`` in santamerge.merge.ranking.methods); for each hunk
it offers the candidates whose method it trusts, most specific method first, and the
pipeline writes the first offer of each hunk that passes the gates together with the
other hunks' choices (``gates.check_together``). The default trusts only the order-free
union of disjoint additions. The merge driver and ``propose`` ask the same policy and
the same check, so what ``propose`` says would be written is what the driver writes.

In a repository where ``santamerge learn`` measured each method
(santamerge.merge.ranking.proof), a policy that learns also writes the methods that
repository's history proves, and no longer writes those it contradicts; the evidence
goes with each hunk's record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from santamerge.merge.ranking.methods import DETERMINISTIC, order, written_by
from santamerge.merge.types import Candidate, Scored


class AutoApplyPolicy(NamedTuple):
    name: str
    methods: frozenset[str]
    threshold: float | None = None  # write the learned top-1 when its probability reaches it
    learns: bool = True  # adjusted to a repository's measured methods (ranking.proof)
    refused: frozenset[str] = frozenset()  # methods this repository's history contradicts
    evidence: tuple[tuple[str, str], ...] = ()  # (method, its figures here in words)

    def trusts(self, candidate: Candidate) -> bool:
        return candidate.method in self.methods

    def why(self, method: str) -> str | None:
        """The repository's evidence for (or against) ``method``, if any."""
        return next((line for m, line in self.evidence if m == method), None)

    @property
    def needs_ranking(self) -> bool:
        return self.threshold is not None

    def offers(
        self, candidates: tuple[Candidate, ...], ranked: tuple[Scored, ...] = ()
    ) -> tuple[Candidate, ...]:
        """What the policy would write for one hunk, most preferred first, before the
        whole-file gates; () when it would write nothing."""
        if self.threshold is not None:
            top = next((s for s in ranked if not s.rejected), None)
            if (
                top is not None
                and top.score >= self.threshold
                and top.candidate.method not in self.refused
            ):
                return (top.candidate,)
        trusted = [c for c in candidates if self.trusts(c) and c.method in DETERMINISTIC]
        return tuple(sorted(trusted, key=lambda c: order(c.method)))


CONSERVATIVE = AutoApplyPolicy("conservative", written_by("conservative"))
WORDS = AutoApplyPolicy("words", written_by("words"))
NEVER = AutoApplyPolicy("never", written_by("never"), learns=False)
# The default before the tree merge (issue 13): the union alone, kept to measure against.
UNION = AutoApplyPolicy("union", written_by("union"))


class _Policies(Mapping[str, AutoApplyPolicy]):
    """The named policies; ``calibrated`` reads its threshold from the shipped ranker
    when first asked for, so the merge driver's common path never loads it."""

    NAMES = ("conservative", "words", "union", "never", "calibrated")

    def __init__(self) -> None:
        self._known = {p.name: p for p in (CONSERVATIVE, WORDS, UNION, NEVER)}

    def __getitem__(self, name: str) -> AutoApplyPolicy:
        if name == "calibrated" and name not in self._known:
            from santamerge.merge.ranking.learned import shipped_ranker

            ranker = shipped_ranker()
            if ranker is None:
                raise KeyError(name)
            self._known[name] = AutoApplyPolicy(
                "calibrated", frozenset(), ranker.threshold["deterministic"]
            )
        return self._known[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


POLICIES = _Policies()
DEFAULT_POLICY = CONSERVATIVE

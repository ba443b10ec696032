"""The auto-apply policy: which ranked candidate, if any, may be written without asking.

One small named piece, so that the benchmark can set it by numbers. The default writes
only methods whose precision has been shown to be high: the order-free union of
disjoint additions, which passes every gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from santamerge.types import Scored


@dataclass(frozen=True)
class AutoApplyPolicy:
    name: str
    methods: frozenset[str]
    min_score: float = 0.0

    def choose(self, ranked: tuple[Scored, ...]) -> Scored | None:
        """The top-ranked candidate when it passes the gates and its method is trusted."""
        if not ranked:
            return None
        top = ranked[0]
        if top.rejected or top.candidate.method not in self.methods:
            return None
        return top if top.score >= self.min_score else None


CONSERVATIVE = AutoApplyPolicy("conservative", frozenset({"structured:union"}))
WORDS = AutoApplyPolicy("words", frozenset({"structured:union", "merged:words"}))
NEVER = AutoApplyPolicy("never", frozenset())

POLICIES = {p.name: p for p in (CONSERVATIVE, WORDS, NEVER)}
DEFAULT_POLICY = CONSERVATIVE

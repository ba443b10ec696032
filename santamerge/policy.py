"""The auto-apply policy: which candidate, if any, may be written without asking.

One small named piece, so that the benchmark can set it by numbers. A policy trusts a
set of methods; it writes the first candidate, most specific method first, whose method
it trusts and which passes every gate. The default trusts only the order-free union of
disjoint additions. The merge driver and ``propose`` ask the same policy, so what
``propose`` says would be written is what the driver writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from santamerge.candidates import METHODS
from santamerge.types import Candidate

Gate = Callable[[Candidate], tuple[str, ...]]


class AutoApplyPolicy(NamedTuple):
    name: str
    methods: frozenset[str]

    def trusts(self, candidate: Candidate) -> bool:
        return candidate.method in self.methods

    def choose(self, candidates: tuple[Candidate, ...], gate: Gate) -> Candidate | None:
        """The candidate to write, or None; ``gate`` returns a candidate's rejections."""
        trusted = sorted(filter(self.trusts, candidates), key=lambda c: METHODS.index(c.method))
        return next((c for c in trusted if not gate(c)), None)


CONSERVATIVE = AutoApplyPolicy("conservative", frozenset({"structured:union"}))
WORDS = AutoApplyPolicy("words", frozenset({"structured:union", "merged:words"}))
NEVER = AutoApplyPolicy("never", frozenset())

POLICIES = {p.name: p for p in (CONSERVATIVE, WORDS, NEVER)}
DEFAULT_POLICY = CONSERVATIVE

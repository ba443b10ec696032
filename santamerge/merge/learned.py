"""The learned ranker: one probability per candidate that it is what a person commits.

A logistic regression over signals of each candidate (how much of each side's change it
keeps, the model's likelihood of it as the middle, its agreement with the other
candidates, its method) and cheap signals of the hunk (which side changed more, the
language, whether the merge brings a maintenance branch forward, sizes). Its weights are
fitted on conflicts replayed from public merge histories (``santamerge bench ranker``,
split by repository) and ship in ``santamerge/data/ranker.json`` with the threshold
that the calibration chose. Inference is plain Python: a dot product per candidate.

Two weight sets ship: ``deterministic`` (no model signals), used when no model is
asked, and ``model``, used when every candidate has a likelihood.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from santamerge.merge import methods
from santamerge.merge.types import ConflictHunk, Scored

DETERMINISTIC = (
    "keeps_ours", "keeps_theirs", "keeps_both", "hand_score", "agreement", "rejected",
    "empty", "len_ratio", "m_ours", "m_theirs", "m_concat", "m_base", "m_words", "m_union",
    "m_model", "side_pick", "maint_ours", "maint_theirs", "lang_python", "lang_java",
    "lang_javascript", "lang_other", "hunk_size", "identical_sides_lines",
)
MODEL = (*DETERMINISTIC, "lp_mean", "lp_best")
MAINTENANCE = re.compile(r"(release|maint|stable|hotfix|backport|\d+\.\d+(\.x|\.\d+)?)",
                         re.IGNORECASE)


class HunkFacts(NamedTuple):
    """What the ranker knows of a hunk besides its text."""

    language: str | None
    merge_message: str | None = None


def maintenance_merge(message: str | None) -> bool:
    """Whether a merge message names a maintenance or release branch being merged."""
    if not message:
        return False
    head = message.splitlines()[0] if message.strip() else ""
    named = re.findall(r"(?:branch|from|of) '?([\w./-]+)'?", head) or [head]
    return any(MAINTENANCE.search(name) for name in named)


def candidate_features(hunk: ConflictHunk, scored: Sequence[Scored], facts: HunkFacts,
                       logprobs: dict[str, float] | None = None) -> list[dict[str, float]]:
    """The signals of every candidate of one hunk (``logprobs``: mean log-probability per
    token of each candidate text as the middle, when the model was asked)."""
    from rapidfuzz.distance import Levenshtein

    texts = [s.candidate.text for s in scored]
    distinct = list(dict.fromkeys(texts))
    changed_ours = _changed(hunk.base, hunk.ours)
    changed_theirs = _changed(hunk.base, hunk.theirs)
    bias = (changed_ours - changed_theirs) / (changed_ours + changed_theirs + 1)
    maintenance = float(maintenance_merge(facts.merge_message))
    language = facts.language if facts.language in ("python", "java", "javascript") \
        else "other"
    if language == "other" and facts.language == "typescript":
        language = "javascript"
    longest = max(len(hunk.ours), len(hunk.theirs), 1)
    shared = len(set(hunk.ours.splitlines()) & set(hunk.theirs.splitlines()))
    best_lp = max(logprobs.values()) if logprobs else 0.0
    rows = []
    for s in scored:
        text = s.candidate.text
        others = [t for t in distinct if t != text]
        agreement = (sum(Levenshtein.normalized_similarity(text, t) for t in others)
                     / len(others)) if others else 1.0
        method = s.candidate.method
        row = dict.fromkeys(MODEL, 0.0)
        row.update({
            "keeps_ours": s.keeps_ours, "keeps_theirs": s.keeps_theirs,
            "keeps_both": min(s.keeps_ours, s.keeps_theirs), "hand_score": s.score,
            "agreement": agreement, "rejected": float(bool(s.rejected)),
            "empty": float(not text.strip()), "len_ratio": min(3.0, len(text) / longest),
            "side_pick": bias if method == "ours" else (-bias if method == "theirs" else 0.0),
            "maint_ours": maintenance * (method == "ours"),
            "maint_theirs": maintenance * (method == "theirs"),
            f"lang_{language}": 1.0,
            "hunk_size": math.log1p(len(hunk.ours.splitlines()) + len(hunk.theirs.splitlines())),
            "identical_sides_lines": math.log1p(shared),
        })
        signal = methods.feature(method)
        if signal is not None:
            row[signal] = 1.0
        if logprobs is not None and text in logprobs:
            row["lp_mean"] = logprobs[text]
            row["lp_best"] = float(logprobs[text] >= best_lp - 1e-9)
        rows.append(row)
    return rows


def learned_order(hunk: ConflictHunk, ranked: tuple[Scored, ...], ranker: Ranker,
                  facts: HunkFacts, logprobs: dict[str, float] | None
                  ) -> tuple[Scored, ...]:
    """``ranked`` re-scored by the learned ranker: the score becomes the probability that
    the candidate is what a person commits, and the reasons say so."""
    name, weights = ranker.weights(with_model=bool(logprobs))
    rows = candidate_features(hunk, ranked, facts, logprobs)
    rescored = []
    for s, row in zip(ranked, rows, strict=True):
        p = 0.0 if s.rejected else weights.probability(row)
        reasons = list(s.reasons)
        if logprobs and s.candidate.text in logprobs:
            reasons.insert(2, f"model: mean log-prob {logprobs[s.candidate.text]:.2f} per token")
        reasons.insert(2, f"learned ranker ({name}): {p:.0%} likely what a person commits")
        rescored.append(s._replace(score=round(p, 4), reasons=tuple(reasons)))
    return tuple(sorted(rescored, key=lambda s: (bool(s.rejected), -s.score)))


def _changed(base: str | None, side: str) -> int:
    from collections import Counter

    a, b = Counter((base or "").splitlines()), Counter(side.splitlines())
    return sum(((a - b) + (b - a)).values())


class Weights(NamedTuple):
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, row: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (row.get(f, 0.0) - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Weights:
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]),
                   tuple(data["coef"]), float(data["intercept"]))


class Ranker(NamedTuple):
    variants: dict[str, Weights]  # "deterministic", "model"
    threshold: dict[str, float]  # the calibrated write threshold of each variant
    facts: dict[str, Any]  # what it was trained and calibrated on, and its figures

    def weights(self, with_model: bool) -> tuple[str, Weights]:
        name = "model" if with_model and "model" in self.variants else "deterministic"
        return name, self.variants[name]


@lru_cache(maxsize=1)
def shipped_ranker() -> Ranker | None:
    """The ranker in the package, or None if this installation has none."""
    from importlib import resources

    try:
        data = json.loads((resources.files("santamerge") / "data" / "ranker.json").read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Ranker({k: Weights.from_json(v) for k, v in data["variants"].items()},
                  {k: float(v) for k, v in data["threshold"].items()}, data.get("facts", {}))

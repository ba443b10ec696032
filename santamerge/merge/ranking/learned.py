"""The learned ranker: one probability per candidate that it is what a person commits.

Gradient-boosted trees (santamerge.merge.ranking.trees) rank a hunk's candidates by signals of
each candidate (how much of each side's change it keeps, the model's likelihood of it as
the middle, its agreement with the other candidates, its method) and of the hunk (which
side changed more and which one extends the other, whether both only added, the file's
order, version numbers, the merge's history where a repository is at hand: see
santamerge.merge.ranking.signals). A calibration turns the scores of a hunk's candidates into
probabilities (a softmax beside "none of them"). Both are fitted on conflicts replayed
from public merge histories (``santamerge bench ranker``, split by repository) and ship
in ``santamerge/data/ranker.json`` with the write threshold that the calibration chose.
A logistic regression (``Weights``) is the other learner the benchmark compares.
Inference is plain Python.

Two variants can ship: ``deterministic`` (no model signals), used when no model is
asked, and ``model``, used when every candidate has a likelihood. ``santamerge learn``
adds a repository's own adjustment (``LocalAdjustment``).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from santamerge.merge.ranking import methods
from santamerge.merge.ranking.signals import (
    CANDIDATE_SIGNALS,
    HUNK_SIGNALS,
    HunkView,
    candidate_signals,
    facts_of,
)
from santamerge.merge.types import ConflictHunk, Scored

DETERMINISTIC = (
    "keeps_ours",
    "keeps_theirs",
    "keeps_both",
    "hand_score",
    "agreement",
    "rejected",
    "empty",
    "len_ratio",
    "m_ours",
    "m_theirs",
    "m_concat",
    "m_base",
    "m_words",
    "m_union",
    "m_model",
    "side_pick",
    "maint_ours",
    "maint_theirs",
    "lang_python",
    "lang_java",
    "lang_javascript",
    "lang_other",
    "hunk_size",
    "identical_sides_lines",
)
MODEL = (*DETERMINISTIC, "lp_mean", "lp_best")
# The signals of issue 14 (santamerge.merge.ranking.signals) and every language on its own.
LANGUAGES = ("python", "java", "javascript", "typescript", "go", "rust", "json", "yaml", "toml")
RICH = (
    *DETERMINISTIC,
    *HUNK_SIGNALS,
    *CANDIDATE_SIGNALS,
    "m_tree",
    *(f"language_{name}" for name in LANGUAGES),
)
RICH_MODEL = (*RICH, "lp_mean", "lp_best")
MAINTENANCE = re.compile(
    r"(release|maint|stable|hotfix|backport|\d+\.\d+(\.x|\.\d+)?)", re.IGNORECASE
)


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


def candidate_features(
    hunk: ConflictHunk,
    scored: Sequence[Scored],
    facts: HunkFacts,
    logprobs: dict[str, float] | None = None,
    view: HunkView | None = None,
) -> list[dict[str, float]]:
    """The signals of every candidate of one hunk (``logprobs``: mean log-probability per
    token of each candidate text as the middle, when the model was asked). ``view``, the
    hunk with the lines around it and its history, adds the signals of issue 14."""
    from rapidfuzz.distance import Levenshtein

    texts = [s.candidate.text for s in scored]
    distinct = list(dict.fromkeys(texts))
    changed_ours = _changed(hunk.base, hunk.ours)
    changed_theirs = _changed(hunk.base, hunk.theirs)
    bias = (changed_ours - changed_theirs) / (changed_ours + changed_theirs + 1)
    maintenance = float(maintenance_merge(facts.merge_message))
    language = facts.language if facts.language in ("python", "java", "javascript") else "other"
    if language == "other" and facts.language == "typescript":
        language = "javascript"
    longest = max(len(hunk.ours), len(hunk.theirs), 1)
    shared = len(set(hunk.ours.splitlines()) & set(hunk.theirs.splitlines()))
    best_lp = max(logprobs.values()) if logprobs else 0.0
    if view is None:
        view = HunkView(hunk.base, hunk.ours, hunk.theirs)
    hunk_facts = facts_of(view)
    rows = []
    for s in scored:
        text = s.candidate.text
        others = [t for t in distinct if t != text]
        agreement = (
            (sum(Levenshtein.normalized_similarity(text, t) for t in others) / len(others))
            if others
            else 1.0
        )
        method = s.candidate.method
        row = dict.fromkeys(RICH_MODEL, 0.0)
        row.update(
            {
                "keeps_ours": s.keeps_ours,
                "keeps_theirs": s.keeps_theirs,
                "keeps_both": min(s.keeps_ours, s.keeps_theirs),
                "hand_score": s.score,
                "agreement": agreement,
                "rejected": float(bool(s.rejected)),
                "empty": float(not text.strip()),
                "len_ratio": min(3.0, len(text) / longest),
                "side_pick": bias if method == "ours" else (-bias if method == "theirs" else 0.0),
                "maint_ours": maintenance * (method == "ours"),
                "maint_theirs": maintenance * (method == "theirs"),
                f"lang_{language}": 1.0,
                "hunk_size": math.log1p(
                    len(hunk.ours.splitlines()) + len(hunk.theirs.splitlines())
                ),
                "identical_sides_lines": math.log1p(shared),
            }
        )
        signal = methods.feature(method)
        if signal is not None:
            row[signal] = 1.0
        row.update(hunk_facts.hunk)
        row.update(candidate_signals(view, hunk_facts, method, text))
        row["m_tree"] = float(method.startswith("structured:tree"))
        if facts.language in LANGUAGES:
            row[f"language_{facts.language}"] = 1.0
        if logprobs is not None and text in logprobs:
            row["lp_mean"] = logprobs[text]
            row["lp_best"] = float(logprobs[text] >= best_lp - 1e-9)
        rows.append(row)
    return rows


def learned_order(
    hunk: ConflictHunk,
    ranked: tuple[Scored, ...],
    ranker: Ranker,
    facts: HunkFacts,
    logprobs: dict[str, float] | None,
    view: HunkView | None = None,
) -> tuple[Scored, ...]:
    """``ranked`` re-scored by the learned ranker: the score becomes the probability that
    the candidate is what a person commits, and the reasons say so."""
    name, _ = ranker.weights(with_model=bool(logprobs))
    rows = candidate_features(hunk, ranked, facts, logprobs, view)
    probabilities = ranker.probabilities(name, rows)
    rescored = []
    for s, p in zip(ranked, probabilities, strict=True):
        reasons = list(s.reasons)
        if logprobs and s.candidate.text in logprobs:
            reasons.insert(2, f"model: mean log-prob {logprobs[s.candidate.text]:.2f} per token")
        label = f"{name}, {ranker.local.describe()}" if ranker.local else name
        reasons.insert(2, f"learned ranker ({label}): {p:.0%} likely what a person commits")
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

    def raw(self, row: dict[str, float]) -> float:
        return self.intercept + sum(
            c * (row.get(f, 0.0) - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )

    def probability(self, row: dict[str, float]) -> float:
        return sigmoid(self.raw(row))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Weights:
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["coef"]),
            float(data["intercept"]),
        )


class Scorer(Protocol):
    """A fitted ranker's form at run time: logistic weights, or trees."""

    @property
    def features(self) -> tuple[str, ...]: ...

    def raw(self, row: dict[str, float]) -> float: ...

    def probability(self, row: dict[str, float]) -> float: ...

    def to_json(self) -> dict[str, Any]: ...


def scorer_from_json(data: dict[str, Any]) -> Scorer:
    from santamerge.merge.ranking.trees import Trees

    return Trees.from_json(data) if data.get("kind") == "trees" else Weights.from_json(data)


class LocalAdjustment(NamedTuple):
    """A repository's own correction of the shipped ranker (``santamerge learn``): a
    logistic regression on a few signals whose offset is the shipped ranker's log-odds,
    fitted on the hunks of the repository's past merges."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    facts: dict[str, Any]  # hunks, merges, the held-out top-1 before and after

    def shift(self, row: dict[str, float]) -> float:
        return self.intercept + sum(
            c * row.get(f, 0.0) for f, c in zip(self.features, self.coef, strict=True)
        )

    def describe(self) -> str:
        return (
            f"adjusted to this repository by `santamerge learn`, {self.facts.get('hunks', 0)} hunks"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": LOCAL_SCHEMA,
            "features": list(self.features),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "facts": self.facts,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LocalAdjustment:
        made = cls(
            tuple(str(f) for f in data["features"]),
            tuple(float(c) for c in data["coef"]),
            float(data["intercept"]),
            dict(data.get("facts", {})),
        )
        if len(made.features) != len(made.coef) or not all(
            math.isfinite(c) for c in (*made.coef, made.intercept)
        ):
            raise ValueError("features and weights do not match")
        return made


LOCAL_SCHEMA = 1


def local_path(git_dir: str | os.PathLike[str]) -> Path:
    return Path(git_dir) / "santamerge" / "ranker.json"


def local_adjustment(git_dir: str | os.PathLike[str] | None) -> LocalAdjustment | None:
    """The adjustment ``santamerge learn`` stored in this repository, if any. One that
    cannot be read (a folder in its place, JSON nested too deep, the wrong shape) counts
    as none, with one warning line: the shipped ranker alone is in effect."""
    if git_dir is None:
        return None
    path = local_path(git_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != LOCAL_SCHEMA:
            return None
        return LocalAdjustment.from_json(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        warn_unusable(path, exc)
        return None


_warned: set[str] = set()


def warn_unusable(
    path: Path, exc: BaseException, effect: str = "the shipped ranker is in effect"
) -> None:
    """One ``santamerge: warning:`` line, once per process and file, for a file that
    ``santamerge learn`` stores (ranker.json, methods.json) that is ignored."""
    import sys

    if str(path) in _warned:
        return
    _warned.add(str(path))
    if os.path.isdir(path):
        why, hint = "a folder", "move it away"
    else:
        why = (
            "nested too deep"
            if isinstance(exc, RecursionError)
            else getattr(exc, "strerror", None) or "not what `santamerge learn` writes"
        )
        hint = "`santamerge learn --forget` removes it"
    print(f"santamerge: warning: ignored {path} ({why}); {effect} ({hint})", file=sys.stderr)


class Calibration(NamedTuple):
    """How a ranking score becomes a probability: the candidates of a hunk compete in a
    softmax of their scores over ``temperature``, with ``none`` the log-odds of "no
    candidate is what people commit". Fitted on out-of-sample scores."""

    temperature: float
    none: float

    def probabilities(self, logits: Sequence[float | None]) -> list[float]:
        """``logits`` (None: a rejected candidate, which gets 0) as probabilities."""
        live = [z for z in logits if z is not None]
        top = max([*live, self.none])
        denominator = math.exp(self.none - top) + sum(math.exp(z - top) for z in live)
        return [0.0 if z is None else math.exp(z - top) / denominator for z in logits]


def hunk_probabilities(
    scorer: Scorer,
    calibration: Calibration | None,
    rows: Sequence[dict[str, float]],
    local: LocalAdjustment | None = None,
) -> list[float]:
    """Each candidate's probability of being what people commit; 0 for a rejected one.
    With a calibration the candidates compete (a softmax); without one (the logistic
    ranker) each is scored alone."""
    shift = [local.shift(row) if local else 0.0 for row in rows]
    if calibration is None and local is None:
        return [0.0 if row.get("rejected") else scorer.probability(row) for row in rows]
    temperature, none = calibration if calibration else (1.0, 0.0)
    logits = [
        None if row.get("rejected") else scorer.raw(row) / temperature + s
        for row, s in zip(rows, shift, strict=True)
    ]
    return Calibration(temperature, none).probabilities(logits)


class Ranker(NamedTuple):
    variants: dict[str, Scorer]  # "deterministic", "model"
    threshold: dict[str, float]  # the calibrated write threshold of each variant
    facts: dict[str, Any]  # what it was trained and calibrated on, and its figures
    local: LocalAdjustment | None = None  # this repository's own, from `santamerge learn`
    calibration: dict[str, Calibration] = {}  # noqa: RUF012  # per variant (trees)

    def weights(self, with_model: bool) -> tuple[str, Scorer]:
        name = "model" if with_model and "model" in self.variants else "deterministic"
        return name, self.variants[name]

    def probabilities(self, name: str, rows: Sequence[dict[str, float]]) -> list[float]:
        return hunk_probabilities(self.variants[name], self.calibration.get(name), rows, self.local)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@lru_cache(maxsize=1)
def shipped_ranker() -> Ranker | None:
    """The ranker in the package, or None if this installation has none."""
    from importlib import resources

    try:
        data = json.loads(
            (resources.files("santamerge") / "data" / "ranker.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    return Ranker(
        {k: scorer_from_json(v) for k, v in data["variants"].items()},
        {k: float(v) for k, v in data["threshold"].items()},
        data.get("facts", {}),
        calibration={
            k: Calibration(float(v[0]), float(v[1])) for k, v in data.get("calibration", {}).items()
        },
    )

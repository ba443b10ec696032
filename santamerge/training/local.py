"""``santamerge learn``'s fitting: a repository's own adjustment of the shipped ranker.

The shipped ranker is fitted on many public repositories; each repository resolves in
its own way (one keeps the release branch's versions, another concatenates changelog
entries). The adjustment is a logistic regression with the shipped ranker's log-odds as
its offset, over a few signals that carry such habits (:data:`ADJUSTED`), fitted on the
hunks of the repository's past merges with a strong L2 penalty, so that with few hunks
it stays close to the shipped ranker. Plain Python: ``learn`` needs no numerical
library, and the fit is small (a dozen weights).

It is measured before it is trusted: fitted on the older merges, scored on the newest
ones held back, against the shipped ranker alone. It is stored only when it ranks the
held-back hunks better; then refitted on every hunk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

from santamerge.merge.ranking.learned import LocalAdjustment, Ranker

# The signals a repository's habits show in: which side, which order, which method.
ADJUSTED = (
    "side",
    "concat_first",
    "m_concat",
    "m_union",
    "m_tree",
    "m_words",
    "m_base",
    "m_unordered",
    "both_added",
    "base_empty",
    "version_like",
    "side_ahead",
)
L2 = 20.0  # chronological trials on 24 repositories: 4 hurt more (docs/ranking.md)
MIN_HUNKS = 20  # fewer, and learn stores nothing


class Hunk(NamedTuple):
    rows: tuple[dict[str, float], ...]
    labels: tuple[bool, ...]
    date: str
    merge: str


def fit_adjustment(
    hunks: Sequence[Hunk], ranker: Ranker, l2: float = L2, facts: dict[str, Any] | None = None
) -> LocalAdjustment:
    """Newton's method on the penalised likelihood of a conditional logit: in each hunk
    the candidates (not rejected) compete in a softmax of the shipped ranker's logits
    plus the adjustment, beside "none of them" (the calibration's); the people's choice
    is any right candidate, or none."""
    name, scorer = ranker.weights(with_model=False)
    temperature, none = ranker.calibration.get(name) or (1.0, 0.0)
    k = len(ADJUSTED) + 1
    data = []
    for h in hunks:
        live = [
            (row, label)
            for row, label in zip(h.rows, h.labels, strict=True)
            if not row.get("rejected")
        ]
        if live:
            data.append(
                (
                    [[1.0, *(row.get(f, 0.0) for f in ADJUSTED)] for row, _ in live],
                    [scorer.raw(row) / temperature for row, _ in live],
                    [label for _, label in live],
                )
            )
    w = [0.0] * k
    for _ in range(30):
        grad = [l2 * w[j] if j else 0.0 for j in range(k)]
        hess = [
            [(l2 if i == j and i else 0.0) + (1e-6 if i == j else 0.0) for j in range(k)]
            for i in range(k)
        ]
        for x, offset, labels in data:
            z = [
                o + sum(a * b for a, b in zip(w, xi, strict=True))
                for xi, o in zip(x, offset, strict=True)
            ]
            top = max([*z, none])
            e = [math.exp(v - top) for v in z]
            total = sum(e) + math.exp(none - top)
            p = [v / total for v in e]
            right = sum(pi for pi, ok in zip(p, labels, strict=True) if ok)
            mean = [sum(pi * xi[j] for pi, xi in zip(p, x, strict=True)) for j in range(k)]
            # the gradient of -log P(choice): E_p[x] - E_{p | choice}[x]
            if right > 0:
                chosen = [
                    sum(pi * xi[j] for pi, xi, ok in zip(p, x, labels, strict=True) if ok) / right
                    for j in range(k)
                ]
            else:
                chosen = [0.0] * k  # "none": its features are all zero
            for j in range(k):
                grad[j] += mean[j] - chosen[j]
            for i in range(k):  # the Fisher information: Cov_p[x]
                for j in range(i, k):
                    c = (
                        sum(pi * xi[i] * xi[j] for pi, xi in zip(p, x, strict=True))
                        - mean[i] * mean[j]
                    )
                    hess[i][j] += c
                    if i != j:
                        hess[j][i] += c
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return LocalAdjustment(ADJUSTED, tuple(w[1:]), w[0], dict(facts or {}))


def top1_right(hunks: Sequence[Hunk], ranker: Ranker) -> float:
    """The share of ``hunks`` whose top candidate under ``ranker`` is right."""
    if not hunks:
        return 0.0
    name, _ = ranker.weights(with_model=False)
    right = 0
    for h in hunks:
        p = ranker.probabilities(name, h.rows)
        live = [i for i, row in enumerate(h.rows) if not row.get("rejected")]
        if live:
            best = max(live, key=lambda i: p[i])
            right += h.labels[best]
    return right / len(hunks)


class _Dated(Protocol):
    @property
    def date(self) -> str: ...

    @property
    def merge(self) -> str: ...


D = TypeVar("D", bound=_Dated)


def split_by_date(hunks: Sequence[D], held: float) -> tuple[list[D], list[D]]:
    """(older, newest): the merges ordered by date, the newest ``held`` share of them
    (at least one) held back, all hunks of one merge on one side."""
    merges = sorted({(h.date, h.merge) for h in hunks})
    cut = max(1, math.ceil(len(merges) * held)) if merges else 0
    newest = {m for _, m in merges[len(merges) - cut :]}
    return ([h for h in hunks if h.merge not in newest], [h for h in hunks if h.merge in newest])


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``a x = b`` by Gaussian elimination with partial pivoting (a small, positive
    definite system)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x

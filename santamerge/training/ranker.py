"""Fit, calibrate and evaluate the learned ranker on replayed merge history.

Mining: every content-conflicted source file of every replayed merge
(:mod:`santamerge.bench.replay`), every hunk matched to its commit, every candidate (the
deterministic ones, and the model's middles when a model is given) with its signals
(:func:`santamerge.merge.learned.candidate_features`) and its label: equal to the committed
text after whitespace normalisation.

Fitting: L2-regularised logistic regression by Newton's method on standardised signals
(numpy; this module is for training only).

Calibration, split by repository: the write threshold is chosen on probabilities that
are out of sample for the repository they score (each repository of the calibration set
scored by a ranker fitted on the others), as the lowest threshold whose top-1 hunks keep
precision ≥ the target. Evaluation: leave one repository out; fit and calibrate on the
rest, measure on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.merge.learned import DETERMINISTIC, MODEL, HunkFacts, Weights, candidate_features
from santamerge.merge.words import normalise

if TYPE_CHECKING:
    from santamerge.bench.replay import ConflictedFile
    from santamerge.model.backends.base import Backend

TARGET_PRECISION = 0.99


class HunkSample(NamedTuple):
    repo: str
    language: str
    rows: tuple[dict[str, float], ...]
    labels: tuple[bool, ...]
    hand_top: int  # the index of the hand-ranked top-1 (the first not rejected)


def mine_file(repo: str, conflicted: ConflictedFile, backend: Backend | None
              ) -> list[HunkSample]:
    """One sample per hunk matched to its commit: the pipeline's hand-ranked candidates
    (the learned ranker off, no policy), their signals and labels."""
    from santamerge.bench.replay import match_hunks
    from santamerge.errors import MarkerError
    from santamerge.languages.profiles import language_for_path
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.policy import NEVER

    profile = language_for_path(conflicted.path)
    if profile is None:
        return []
    try:
        proposal = run_pipeline(conflicted.marked, conflicted.path, policy=NEVER,
                                learned=False, backend=backend).proposal
    except MarkerError:
        return []
    truths = match_hunks(proposal.parsed, conflicted.truth)
    facts = HunkFacts(profile.name, conflicted.subject)
    out = []
    for h, truth in zip(proposal.hunks, truths, strict=True):
        if truth is None:
            continue
        rows = candidate_features(h.hunk, h.ranked, facts, h.likelihoods)
        want = normalise(truth)
        labels = tuple(normalise(s.candidate.text) == want for s in h.ranked)
        top = next((i for i, s in enumerate(h.ranked) if not s.rejected), 0)
        out.append(HunkSample(repo, profile.name, tuple(rows), labels, top))
    return out


def mine_repositories(repos: Sequence[str], limit: int, backend: Backend | None,
                      progress: Callable[[str, int], Callable[[], None]]) -> list[HunkSample]:
    """Replay each repository's last ``limit`` merges and mine every conflicted file.
    ``progress(name, total)`` starts a bar and returns what advances it by one merge."""
    from pathlib import Path

    from santamerge.bench.replay import Replayer, default_cache, git_dir_of, list_merges

    samples: list[HunkSample] = []
    for repo in repos:
        git_dir = git_dir_of(repo)
        name = Path(repo).resolve().name
        name = Path(repo).resolve().parent.name if name == "repo" else name
        found = list_merges(git_dir, limit=limit)
        advance = progress(f"mining {name}", len(found))
        with Replayer(git_dir, default_cache()) as replayer:
            for merge in found:
                replay, _ = replayer.replay(merge)
                for f in replay.files:
                    samples.extend(mine_file(name, f, backend))
                advance()
    return samples


def fit(samples: Sequence[HunkSample], features: Sequence[str], l2: float = 1.0
        ) -> Weights:
    import numpy as np

    x = np.array([[row[f] for f in features] for s in samples for row in s.rows], dtype=float)
    y = np.array([label for s in samples for label in s.labels], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -60, 60)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return Weights(tuple(features), tuple(float(v) for v in mean),
                   tuple(float(v) for v in scale), tuple(float(v) for v in w[1:]), float(w[0]))


def top1(weights: Weights, sample: HunkSample) -> tuple[float, bool]:
    """The learned top-1's probability and whether it is right (rejected ones never
    come first)."""
    best, best_p = None, -1.0
    for i, row in enumerate(sample.rows):
        if row["rejected"]:
            continue
        p = weights.probability(row)
        if p > best_p:
            best, best_p = i, p
    if best is None:
        return 0.0, False
    return best_p, sample.labels[best]


def threshold_for(pairs: Sequence[tuple[float, bool]], target: float = TARGET_PRECISION
                  ) -> float:
    """The lowest threshold at which the hunks whose top-1 reaches it are right at least
    ``target`` of the time; above 1 (never write) if there is none."""
    ordered = sorted(pairs, key=lambda pair: -pair[0])
    chosen, right = 1.01, 0
    for i, (p, ok) in enumerate(ordered, 1):
        right += ok
        if right / i >= target and (i == len(ordered) or ordered[i][0] < p):
            chosen = p
    return chosen


def out_of_sample(samples: Sequence[HunkSample], features: Sequence[str]
                  ) -> list[tuple[float, bool]]:
    """Top-1 (probability, right) for every hunk, each repository scored by a ranker
    fitted on the other repositories."""
    repos = sorted({s.repo for s in samples})
    pairs: list[tuple[float, bool]] = []
    for repo in repos:
        rest = [s for s in samples if s.repo != repo]
        if not rest:
            continue
        weights = fit(rest, features)
        pairs.extend(top1(weights, s) for s in samples if s.repo == repo)
    return pairs


def leave_one_out(samples: Sequence[HunkSample], features: Sequence[str]
                  ) -> dict[str, dict[str, Any]]:
    """For each repository: fit and calibrate on the others, measure on it."""
    figures = {}
    for repo in sorted({s.repo for s in samples}):
        rest = [s for s in samples if s.repo != repo]
        held = [s for s in samples if s.repo == repo]
        if not rest or not held:
            continue
        weights = fit(rest, features)
        threshold = threshold_for(out_of_sample(rest, features))
        pairs = [top1(weights, s) for s in held]
        written = [ok for p, ok in pairs if p >= threshold]
        figures[repo] = {
            "hunks": len(held), "threshold": threshold,
            "top1": sum(ok for _, ok in pairs) / len(held),
            "hand_top1": sum(s.labels[s.hand_top] for s in held) / len(held),
            "oracle": sum(any(s.labels) for s in held) / len(held),
            "written": len(written), "right": sum(written),
            "precision": sum(written) / len(written) if written else None,
            "coverage": len(written) / len(held),
            "silent_wrong": (len(written) - sum(written)) / len(held),
        }
    return figures


def train_ranker(samples: Sequence[HunkSample], with_model: bool,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Both variants (the model one only if the samples carry likelihoods), their
    thresholds, and the leave-one-repository-out figures, as the JSON that ships."""
    variants: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    evaluation: dict[str, Any] = {}
    for name, features in (("deterministic", DETERMINISTIC), ("model", MODEL)):
        if name == "model" and not with_model:
            continue
        if progress:
            progress(f"fitting the {name} ranker")
        variants[name] = fit(samples, features).to_json()
        thresholds[name] = threshold_for(out_of_sample(samples, features))
        evaluation[name] = leave_one_out(samples, features)
    repos = sorted({s.repo for s in samples})
    return {"schema": 1, "variants": variants, "threshold": thresholds,
            "facts": {"target_precision": TARGET_PRECISION, "repositories": repos,
                      "hunks": {r: sum(s.repo == r for s in samples) for r in repos},
                      "candidates": sum(len(s.rows) for s in samples),
                      "leave_one_repository_out": evaluation}}

"""Fit, calibrate and evaluate the learned ranker on replayed merge history.

Mining: every content-conflicted source file of every replayed merge
(:mod:`santamerge.bench.replay`), every hunk matched to its commit, every candidate (the
deterministic ones, and the model's middles when a model is given) with its signals
(:func:`santamerge.merge.ranking.learned.candidate_features`) and its label: equal to the committed
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

from santamerge.merge.ranking.learned import HunkFacts, Weights, candidate_features
from santamerge.merge.structured.words import normalise

if TYPE_CHECKING:
    from santamerge.merge.ranking.learned import Calibration, Scorer
    from santamerge.merge.ranking.trees import Trees
    from santamerge.merge.record import MinedHunk
    from santamerge.model.backends.base import Backend

TARGET_PRECISION = 0.99


class HunkSample(NamedTuple):
    repo: str
    language: str
    rows: tuple[dict[str, float], ...]
    labels: tuple[bool, ...]
    hand_top: int  # the index of the hand-ranked top-1 (the first not rejected)
    methods: tuple[str, ...] = ()  # each candidate's method
    committed: str = ""  # what people committed, by class (committed_class)
    date: str = ""  # the merge's committer date, ISO 8601
    merge: str = ""


def committed_class(base: str | None, ours: str, theirs: str, truth: str) -> str:
    """What people committed in a hunk's place, after whitespace normalisation: ``ours``,
    ``theirs``, ``concat`` (one side then the other), ``combination`` (only lines of the
    sides and the base), or ``new`` (a line of neither)."""
    want = normalise(truth)
    if want == normalise(ours):
        return "ours"
    if want == normalise(theirs):
        return "theirs"
    if want in (normalise(ours + "\n" + theirs), normalise(theirs + "\n" + ours)):
        return "concat"
    known = {line.strip() for text in (base or "", ours, theirs) for line in text.splitlines()}
    if all(line.strip() in known for line in truth.splitlines()):
        return "combination"
    return "new"


def sample_of(repo: str, record: MinedHunk, drop_history: bool = False) -> HunkSample:
    """A hunk record of the store (santamerge.training.hunkstore) as a training sample,
    its signals computed now. ``drop_history`` computes them as the merge driver would,
    with no repository at hand."""
    from santamerge.merge.ranking.signals import HunkView
    from santamerge.merge.types import ConflictHunk

    hunk = ConflictHunk(
        record.index, 0, record.ours, record.base, record.theirs, "", None, "", "", 7
    )
    scored = record.candidates
    view = HunkView(
        record.base,
        record.ours,
        record.theirs,
        record.before,
        record.after,
        record.hunks_in_file,
        None if drop_history else record.history,
    )
    facts = HunkFacts(record.language, record.subject)
    rows = candidate_features(hunk, scored, facts, record.likelihoods, view)
    want = normalise(record.truth)
    labels = tuple(normalise(s.candidate.text) == want for s in scored)
    top = next((i for i, s in enumerate(scored) if not s.rejected), 0)
    return HunkSample(
        repo,
        record.language,
        tuple(rows),
        labels,
        top,
        tuple(s.candidate.method for s in scored),
        committed_class(record.base, record.ours, record.theirs, record.truth),
        record.date,
        record.merge,
    )


def load_samples(
    repos: Sequence[str],
    limit: int,
    budget: float | None,
    backend: Backend | None,
    progress: Callable[[str], Callable[[int], Callable[[], None]]],
) -> tuple[list[HunkSample], dict[str, Any]]:
    """Mine each repository's newest ``limit`` merges into its hunk store (only those
    not stored yet, for at most ``budget`` seconds each), then the samples of the stored
    hunks of those merges, and a manifest of what they were built from."""
    from santamerge.bench.replay import git_dir_of, list_merges
    from santamerge.training.hunkstore import (
        HUNKS_PER_FILE,
        default_store,
        mine_repository,
        read_store,
        repo_name,
        usable,
    )

    samples: list[HunkSample] = []
    manifest: dict[str, Any] = {
        "schema": 1,
        "limit": limit,
        "rules": "the newest `limit` merge commits of each repository's HEAD; every hunk "
        "of a content-conflicted file in a supported language matched to its "
        "commit; generated files (lock files, dist/ bundles, .min.js) left out; "
        f"at most {HUNKS_PER_FILE} hunks of one file of one merge",
        "repositories": [],
    }
    for repo in repos:
        name = repo_name(repo)
        store = default_store(name)
        mine_repository(repo, store, limit, budget, backend, progress(f"mining {name}"))
        merges = list_merges(git_dir_of(repo), limit=limit)
        wanted = {m.oid for m in merges}
        records = [r for r in usable(read_store(store, wanted)) if r.merge in wanted]
        advance = progress(f"signals of {name}")(len(records))
        for record in records:
            sample = sample_of(name, record)
            if sample.rows:
                samples.append(sample)
            advance()
        stored = [m for m in merges if (store / f"{m.oid}.json").is_file()]
        head = _head_of(repo)
        manifest["repositories"].append(
            {
                "repository": name.replace("+", "/"),
                "head": head,
                "merges": len(stored),
                "newest": stored[0].oid if stored else None,
                "newest_date": stored[0].date if stored else None,
                "oldest": stored[-1].oid if stored else None,
                "oldest_date": stored[-1].date if stored else None,
                "hunks": sum(1 for s in samples if s.repo == name),
            }
        )
    manifest["hunks"] = len(samples)
    return samples, manifest


def _head_of(repo: str) -> str | None:
    from santamerge import git
    from santamerge.bench.replay import git_dir_of

    proc = git.run_git("--git-dir", str(git_dir_of(repo)), "rev-parse", "HEAD", check=False)
    return proc.stdout.strip() or None


def fit(samples: Sequence[HunkSample], features: Sequence[str], l2: float = 1.0) -> Weights:
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
    return Weights(
        tuple(features),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w[1:]),
        float(w[0]),
    )


TREE_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 1,
    "seed": 1,
    "deterministic": True,
    "force_row_wise": True,
}
TREE_ROUNDS = 200


def without_history(sample: HunkSample) -> HunkSample:
    """``sample`` as the merge driver and ``propose`` see it: no repository at hand, so
    every history signal 0."""
    from santamerge.merge.ranking.signals import HISTORY_SIGNALS

    cleared = dict.fromkeys(HISTORY_SIGNALS, 0.0)
    return sample._replace(rows=tuple({**row, **cleared} for row in sample.rows))


def fit_trees(
    samples: Sequence[HunkSample],
    features: Sequence[str],
    params: dict[str, Any] | None = None,
    rounds: int = TREE_ROUNDS,
) -> Trees:
    """Gradient-boosted trees ranking each hunk's candidates (LightGBM, LambdaRank: the
    candidates of one hunk form a group), exported to the plain-Python form that ships
    (santamerge.merge.ranking.trees) and checked against LightGBM's own scores. Every hunk with
    history is also learnt without it, so that the trees rank well where no repository
    is at hand (52.8 % top-1 there without this, 69.2 % with it; docs/ranking.md)."""
    import lightgbm as lgb
    import numpy as np

    from santamerge.merge.ranking.trees import from_lightgbm

    samples = [
        *samples,
        *(without_history(s) for s in samples if any(row.get("has_history") for row in s.rows)),
    ]

    x = np.array([[row[f] for f in features] for s in samples for row in s.rows], dtype=float)
    y = np.array([label for s in samples for label in s.labels], dtype=float)
    booster = lgb.train(
        {**TREE_PARAMS, **(params or {})},
        lgb.Dataset(x, y, group=[len(s.rows) for s in samples]),
        num_boost_round=rounds,
    )
    trees = from_lightgbm(booster.dump_model(), features)
    check = x[:: max(1, len(x) // 500)]
    theirs = booster.predict(check, raw_score=True)
    mine = [trees.raw(dict(zip(features, row, strict=True))) for row in check.tolist()]
    worst = max((abs(a - b) for a, b in zip(theirs, mine, strict=True)), default=0.0)
    if worst > 1e-6:
        raise RuntimeError(f"the exported trees differ from LightGBM's by {worst}")
    return trees


Fitter = Callable[[Sequence[HunkSample], Sequence[str]], "Scorer"]
HunkScores = list[tuple[HunkSample, list[float]]]  # hunks with their candidates' raw scores


def raw_scores(scorer: Scorer, samples: Sequence[HunkSample]) -> HunkScores:
    return [(s, [scorer.raw(row) for row in s.rows]) for s in samples]


def calibrate(scored: HunkScores) -> Calibration:
    """The softmax temperature and "none" log-odds that make out-of-sample scores the
    likeliest probabilities of what people committed (a grid, then a finer one)."""
    import numpy as np

    from santamerge.merge.ranking.learned import Calibration

    width = max((len(scores) for _, scores in scored), default=1)
    z = np.full((len(scored), width), -np.inf)
    right = np.zeros((len(scored), width), dtype=bool)
    for i, (s, scores) in enumerate(scored):
        for j, (value, ok, row) in enumerate(zip(scores, s.labels, s.rows, strict=True)):
            if not row["rejected"]:
                z[i, j], right[i, j] = value, ok
    none_right = np.logical_not(right.any(axis=1)).reshape(-1, 1)

    def loss(t: float, b: float) -> float:
        logits = np.concatenate([z / t, np.full((len(z), 1), b)], axis=1)
        top = logits.max(axis=1, keepdims=True)
        log_total = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        chosen = np.where(np.concatenate([right, none_right], axis=1), logits, -np.inf)
        ctop = chosen.max(axis=1, keepdims=True)
        log_chosen = ctop[:, 0] + np.log(np.exp(chosen - ctop).sum(axis=1))
        return float((log_total - log_chosen).sum())

    best = (loss(1.0, 0.0), 1.0, 0.0)
    for step_t, step_b, span in ((0.25, 0.5, 6), (0.05, 0.1, 5)):
        _, t0, b0 = best
        for i in range(-span, span + 1):
            t = t0 + i * step_t
            if t <= 0.05:
                continue
            for j in range(-span, span + 1):
                b = b0 + j * step_b
                value = loss(t, b)
                if value < best[0]:
                    best = (value, t, b)
    return Calibration(round(best[1], 4), round(best[2], 4))


def probabilities(
    scorer: Scorer, calibration: Calibration | None, sample: HunkSample
) -> list[float]:
    from santamerge.merge.ranking.learned import hunk_probabilities

    return hunk_probabilities(scorer, calibration, sample.rows)


def threshold_for(pairs: Sequence[tuple[float, bool]], target: float = TARGET_PRECISION) -> float:
    """The lowest threshold at which the hunks whose top-1 reaches it are right at least
    ``target`` of the time; above 1 (never write) if there is none."""
    ordered = sorted(pairs, key=lambda pair: -pair[0])
    chosen, right = 1.01, 0
    for i, (p, ok) in enumerate(ordered, 1):
        right += ok
        if right / i >= target and (i == len(ordered) or ordered[i][0] < p):
            chosen = p
    return chosen


FOLDS = 5  # calibration folds of repositories


def folds_of(repos: Sequence[str], k: int) -> list[list[str]]:
    """``repos`` in ``k`` groups (sorted by name, dealt round robin), none empty."""
    ordered = sorted(repos)
    groups = [ordered[i::k] for i in range(min(k, len(ordered)))]
    return [g for g in groups if g]


def out_of_fold(
    samples: Sequence[HunkSample], features: Sequence[str], fitter: Fitter, k: int = FOLDS
) -> HunkScores:
    """Every hunk's candidates scored by a ranker fitted on other repositories (``k``
    folds of them)."""
    scored: HunkScores = []
    for group in folds_of(list({s.repo for s in samples}), k):
        rest = [s for s in samples if s.repo not in group]
        if rest:
            scored.extend(
                raw_scores(fitter(rest, features), [s for s in samples if s.repo in group])
            )
    return scored


def calibrated(scored: HunkScores, learner: str) -> tuple[Calibration | None, float]:
    """The calibration (trees only) and the 99 % write threshold chosen on out-of-fold
    scores."""
    from santamerge.merge.ranking.learned import Calibration, sigmoid

    calibration = calibrate(scored) if learner == "trees" else None
    pairs = []
    for s, scores in scored:
        live = [i for i, row in enumerate(s.rows) if not row["rejected"]]
        if not live:
            pairs.append((0.0, False))
            continue
        best = max(live, key=lambda i: scores[i])
        if calibration is None:
            pairs.append((sigmoid(scores[best]), s.labels[best]))
        else:
            logits: list[float | None] = [
                None if row["rejected"] else z / calibration[0]
                for z, row in zip(scores, s.rows, strict=True)
            ]
            pairs.append((Calibration(*calibration).probabilities(logits)[best], s.labels[best]))
    return calibration, threshold_for(pairs)


def ranked_indices(scorer: Scorer, sample: HunkSample) -> list[int]:
    """The candidates not rejected, best first (ties: the hand-set order)."""
    scores = [scorer.raw(row) for row in sample.rows]
    return sorted(
        (i for i, row in enumerate(sample.rows) if not row["rejected"]), key=lambda i: -scores[i]
    )


def leave_one_out(
    samples: Sequence[HunkSample],
    features: Sequence[str],
    fitter: Fitter = fit,
    learner: str = "logistic",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """For each repository: fit on the others; calibrate the probabilities and the
    threshold on the others' out-of-fold scores; measure on it. Then the same pooled over
    every held-out hunk: top-1 and top-3 by what people committed, the misses by the
    candidate picked instead, and precision against coverage over the threshold."""
    figures: dict[str, Any] = {}
    pooled: list[tuple[HunkSample, list[int], float, float]] = []
    no_history: list[tuple[HunkSample, list[int], float, float]] = []
    for repo in sorted({s.repo for s in samples}):
        rest = [s for s in samples if s.repo != repo]
        held = [s for s in samples if s.repo == repo]
        if not rest or not held:
            continue
        if progress:
            progress(f"leaving out {repo}")
        scorer = fitter(rest, features)
        calibration, threshold = calibrated(out_of_fold(rest, features, fitter, FOLDS - 1), learner)
        rows = []
        for s in held:
            order = ranked_indices(scorer, s)
            p = probabilities(scorer, calibration, s)[order[0]] if order else 0.0
            rows.append((s, order, p, threshold))
            bare = without_history(s)
            order = ranked_indices(scorer, bare)
            p = probabilities(scorer, calibration, bare)[order[0]] if order else 0.0
            no_history.append((bare, order, p, threshold))
        pooled.extend(rows)
        figures[repo] = _figures(rows)
    return {
        "by_repository": figures,
        "all": _figures(pooled),
        "all_without_history": _figures(no_history),
        "by_committed": {
            c: _figures([r for r in pooled if r[0].committed == c]) for c in COMMITTED
        },
        "misses": _misses(pooled),
        "curve": _curve(pooled),
    }


COMMITTED = ("ours", "theirs", "concat", "combination", "new")


def _figures(rows: Sequence[tuple[HunkSample, list[int], float, float]]) -> dict[str, Any]:
    n = len(rows)
    if not n:
        return {"hunks": 0}
    right = [bool(o) and s.labels[o[0]] for s, o, _, _ in rows]
    written = [ok for (_, _, p, t), ok in zip(rows, right, strict=True) if p >= t]
    return {
        "hunks": n,
        "threshold": rows[0][3] if len({r[3] for r in rows}) == 1 else None,
        "top1": sum(right) / n,
        "top3": sum(any(s.labels[i] for i in o[:3]) for s, o, _, _ in rows) / n,
        "hand_top1": sum(s.labels[s.hand_top] for s, _, _, _ in rows) / n,
        "oracle": sum(any(s.labels) for s, _, _, _ in rows) / n,
        "written": len(written),
        "right": sum(written),
        "precision": sum(written) / len(written) if written else None,
        "coverage": len(written) / n,
        "silent_wrong": (len(written) - sum(written)) / n,
    }


def _misses(
    rows: Sequence[tuple[HunkSample, list[int], float, float]],
) -> dict[str, dict[str, int]]:
    """For each committed class, how often the top-1 was right, and which method it was
    when wrong."""
    out: dict[str, dict[str, int]] = {}
    for s, order, _, _ in rows:
        cell = out.setdefault(s.committed, {})
        key = (
            "right"
            if order and s.labels[order[0]]
            else (s.methods[order[0]] if order and s.methods else "nothing")
        )
        cell[key] = cell.get(key, 0) + 1
    return out


def _curve(rows: Sequence[tuple[HunkSample, list[int], float, float]]) -> list[dict[str, float]]:
    """Precision and coverage of the pooled held-out top-1 at each threshold."""
    ordered = sorted(
        ((p, bool(o) and s.labels[o[0]]) for s, o, p, _ in rows), key=lambda pair: -pair[0]
    )
    points: list[dict[str, float]] = []
    right = 0
    for i, (p, ok) in enumerate(ordered, 1):
        right += ok
        last = i == len(ordered)
        if last or ordered[i][0] < p:
            coverage = i / len(ordered)
            # at most one point per half percent of coverage, and every point below 5 %
            if last or coverage < 0.05 or not points or coverage - points[-1]["coverage"] >= 0.005:
                points.append(
                    {
                        "threshold": round(p, 4),
                        "precision": round(right / i, 4),
                        "coverage": round(coverage, 4),
                    }
                )
    return points


def train_ranker(
    samples: Sequence[HunkSample],
    with_model: bool,
    learner: str = "trees",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Both variants (the model one only if the samples carry likelihoods), their
    calibration and thresholds, and the leave-one-repository-out figures, as the JSON
    that ships."""
    from santamerge.merge.ranking.learned import RICH, RICH_MODEL

    fitter: Fitter = fit_trees if learner == "trees" else fit
    variants: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    calibrations: dict[str, Any] = {}
    evaluation: dict[str, Any] = {}
    for name, features in (("deterministic", RICH), ("model", RICH_MODEL)):
        if name == "model" and not with_model:
            continue
        if progress:
            progress(f"fitting the {name} ranker ({learner})")
        variants[name] = fitter(samples, features).to_json()
        calibration, thresholds[name] = calibrated(out_of_fold(samples, features, fitter), learner)
        if calibration is not None:
            calibrations[name] = list(calibration)
        evaluation[name] = leave_one_out(samples, features, fitter, learner, progress)
    repos = sorted({s.repo for s in samples})
    return {
        "schema": 2,
        "learner": learner,
        "variants": variants,
        "threshold": thresholds,
        "calibration": calibrations,
        "facts": {
            "target_precision": TARGET_PRECISION,
            "repositories": repos,
            "hunks": {r: sum(s.repo == r for s in samples) for r in repos},
            "candidates": sum(len(s.rows) for s in samples),
            "leave_one_repository_out": evaluation,
        },
    }

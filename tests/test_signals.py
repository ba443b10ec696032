"""The ranker's signals of issue 14, the trees it ships (evaluated without LightGBM), and
the plain-Python fit of a repository's adjustment."""

from __future__ import annotations

import random

import pytest

from santamerge.merge.ranking.learned import RICH, LocalAdjustment, Ranker, Weights
from santamerge.merge.ranking.signals import HunkView, candidate_signals, facts_of, hunk_signals
from santamerge.training.local import Hunk, fit_adjustment, split_by_date, top1_right
from santamerge.training.ranker import committed_class


def test_two_independent_additions_are_told_from_rival_edits() -> None:
    added = hunk_signals(
        HunkView("", "import os\n", "import sys\n", "import abc\n", "import zlib\n")
    )
    assert added["both_added"] == 1.0 and added["base_empty"] == 1.0
    assert added["adds_same_kind"] == 1.0 and added["adds_overlap"] == pytest.approx(1 / 3)
    assert added["context_sorted"] == 0.0  # the base is empty: abc, zlib only
    rival = hunk_signals(HunkView("x = 1\n", "x = 2\n", "x = 3\n"))
    assert rival["both_added"] == 0.0 and rival["base_empty"] == 0.0
    same = hunk_signals(HunkView("", "total = price * 2\n", "total = price * 3\n"))
    assert same["adds_overlap"] > added["adds_overlap"]


def test_a_concatenation_in_the_files_sorted_order_fits() -> None:
    view = HunkView("", "import os\n", "import sys\n", "import abc\n", "import zlib\n")
    facts = facts_of(view)
    fits = candidate_signals(view, facts, "ours+theirs", "import os\nimport sys\n")
    reversed_ = candidate_signals(view, facts, "theirs+ours", "import sys\nimport os\n")
    assert fits["sorted_fit"] == 1.0 and reversed_["sorted_fit"] == 0.0
    assert fits["concat_first"] == 1.0 and reversed_["concat_first"] == -1.0


def test_a_side_that_extends_the_others_change_is_signed_for_it() -> None:
    base = "a = 1\nb = 2\n"
    ours = "a = 1\nb = 2\nc = 3\n"
    theirs = "a = 1\nb = 2\nc = 3\nd = 4\n"
    view = HunkView(base, ours, theirs)
    facts = facts_of(view)
    assert facts.extends == -1.0  # theirs holds ours' change and more
    assert candidate_signals(view, facts, "theirs", theirs)["extends"] == 1.0
    assert candidate_signals(view, facts, "ours", ours)["extends"] == -1.0


def test_reformatting_only_and_version_numbers() -> None:
    view = HunkView("x = f(a,b)\n", "x  =  f(a, b)\n", "x = f(a, b, c)\n")
    assert facts_of(view).reformat_only == -1.0  # ours only re-formats: theirs stands
    version = HunkView('version = "1.2.0"\n', 'version = "1.2.1"\n', 'version = "1.3.0"\n')
    facts = facts_of(version)
    assert facts.hunk["version_like"] == 1.0 and facts.newer_version == -1.0
    assert candidate_signals(version, facts, "theirs", "")["newer_version"] == 1.0


def test_history_signals_are_signed_by_the_side_a_candidate_takes() -> None:
    history = {
        "ahead_ours": 200,
        "ahead_theirs": 3,
        "commits_ours": 5,
        "commits_theirs": 1,
        "touched_ours": 2000,
        "touched_theirs": 1000,
        "time_ours": 10,
        "time_theirs": 20,
    }
    view = HunkView("x = 1\n", "x = 2\n", "x = 3\n", history=history)
    facts = facts_of(view)
    assert facts.hunk["has_history"] == 1.0 and facts.hunk["ahead"] > 3
    ours = candidate_signals(view, facts, "ours", "x = 2\n")
    theirs = candidate_signals(view, facts, "theirs", "x = 3\n")
    assert ours["side_ahead"] == -theirs["side_ahead"] > 0
    assert ours["side_touched_later"] == 1.0 and ours["side_newer"] == -1.0
    assert hunk_signals(HunkView("x = 1\n", "x = 2\n", "x = 3\n"))["has_history"] == 0.0


def test_committed_classes() -> None:
    assert committed_class("a\n", "b\n", "c\n", " b\n") == "ours"
    assert committed_class("a\n", "b\n", "c\n", "c\n") == "theirs"
    assert committed_class("", "b\n", "c\n", "c\nb\n") == "concat"
    assert committed_class("a\n", "b\nx\n", "c\ny\n", "b\ny\n") == "combination"
    assert committed_class("a\n", "b\n", "c\n", "d\n") == "new"


def test_exported_trees_score_as_lightgbm_does() -> None:
    lgb = pytest.importorskip("lightgbm")
    np = pytest.importorskip("numpy")
    from santamerge.merge.ranking.trees import Trees, from_lightgbm

    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 4))
    x[:, 3] = np.round(x[:, 3])  # ties on a threshold go left, as LightGBM sends them
    y = ((x[:, 0] + x[:, 1] * x[:, 2] + 0.5 * x[:, 3]) > 0).astype(float)
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 7, "min_data_in_leaf": 5},
        lgb.Dataset(x, y),
        num_boost_round=30,
    )
    trees = Trees.from_json(from_lightgbm(booster.dump_model(), ["a", "b", "c", "d"]).to_json())
    probe = rng.normal(size=(200, 4))
    probe[:, 3] = np.round(probe[:, 3])
    ours = [trees.probability(dict(zip("abcd", row, strict=True))) for row in probe.tolist()]
    assert np.allclose(ours, booster.predict(probe), atol=1e-9)


def test_the_shipped_ranker_is_trees_over_the_new_signals() -> None:
    from santamerge.merge.ranking.learned import shipped_ranker
    from santamerge.merge.ranking.trees import Trees

    ranker = shipped_ranker()
    assert ranker is not None
    scorer = ranker.variants["deterministic"]
    assert isinstance(scorer, Trees) and set(scorer.features) <= set(RICH)
    assert {"both_added", "sorted_fit", "extends"} <= set(scorer.features)


def _hunks(n: int, seed: int) -> list[Hunk]:
    """Hunks where the shipped scorer leans to ours but this repository keeps theirs."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        rows = (
            {"side": 1.0, "rejected": 0.0, "keeps_ours": 1.0},
            {"side": -1.0, "rejected": 0.0, "keeps_ours": 0.0},
        )
        theirs_wins = rng.random() < 0.9
        out.append(Hunk(rows, (not theirs_wins, theirs_wins), f"2026-01-{i % 28 + 1:02d}", f"m{i}"))
    return out


def test_the_adjustment_learns_a_repositorys_habit_and_is_measured_on_newer_merges() -> None:
    scorer = Weights(("keeps_ours",), (0.0,), (1.0,), (1.0,), 0.0)  # prefers ours
    ranker = Ranker({"deterministic": scorer}, {"deterministic": 0.9}, {})
    older, newest = split_by_date(_hunks(60, 1), 0.2)
    assert len({h.merge for h in newest}) == 12
    assert max(h.date for h in older) <= min(h.date for h in newest)
    before = top1_right(newest, ranker)
    adjustment = fit_adjustment(older, ranker)
    after = top1_right(newest, ranker._replace(local=adjustment))
    assert before < 0.3 and after > 0.8
    weights = dict(zip(adjustment.features, adjustment.coef, strict=True))
    assert weights["side"] < 0  # towards theirs
    again = LocalAdjustment.from_json(adjustment.to_json())
    assert again == adjustment

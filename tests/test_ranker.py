"""The learned ranker: fitted on replayed history, shipped, used by propose; and the
model's middles under three strategies, ranked with everything else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Repo
from test_bench import _merge_history

from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.learned import maintenance_merge, shipped_ranker

MARKED = (
    "import os\n\n\ndef load(path):\n<<<<<<< ours\n    return open(path).read()\n"
    "||||||| base\n    return open(path).read()\n=======\n"
    "    return open(path, encoding='utf-8').read()\n>>>>>>> theirs\n\n\ndef main():\n"
    "    print(load('x'))\n"
)
TRUE_CONFLICT = (
    "def f():\n<<<<<<< ours\n    X = 2\n||||||| base\n    X = 1\n=======\n"
    "    X = 3\n>>>>>>> theirs\n    return X\n"
)


def test_the_shipped_ranker_orders_propose_and_says_so() -> None:
    ranker = shipped_ranker()
    assert ranker is not None and ranker.facts["target_precision"] == 0.99
    (hunk,) = run_pipeline(TRUE_CONFLICT, "app.py").proposal.hunks
    scores = [s.score for s in hunk.ranked]
    assert scores == sorted(scores, reverse=True) and all(0 <= p <= 1 for p in scores)
    assert any("learned ranker (deterministic)" in r for r in hunk.ranked[0].reasons)
    (plain,) = run_pipeline(TRUE_CONFLICT, "app.py", learned=False).proposal.hunks
    assert not any("learned ranker" in r for s in plain.ranked for r in s.reasons)


def test_the_calibrated_policy_abstains_below_its_threshold() -> None:
    from santamerge.merge.ranking.policy import POLICIES

    policy = POLICIES["calibrated"]
    assert policy.threshold is not None and policy.threshold > 0.5
    (hunk,) = run_pipeline(TRUE_CONFLICT, "app.py", policy=policy).proposal.hunks
    assert hunk.ranked[0].score < policy.threshold and hunk.chosen is None
    lower = policy._replace(threshold=0.0)
    (hunk,) = run_pipeline(TRUE_CONFLICT, "app.py", policy=lower).proposal.hunks
    assert hunk.chosen == hunk.ranked[0].candidate  # at 0 it writes the learned top-1


def test_maintenance_merges_are_recognised() -> None:
    assert maintenance_merge("Merge branch '3.1.x'")
    assert maintenance_merge("Merge branch 'release/2.0' into main")
    assert maintenance_merge("Merge branch 'stable'")
    assert not maintenance_merge("Merge pull request #12 from alice/fix-typo")
    assert not maintenance_merge(None)


def test_bench_ranker_fits_calibrates_and_evaluates_by_repository(
    make_repo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    first: Repo = make_repo("one")
    second: Repo = make_repo("two")
    _merge_history(first)
    _merge_history(second)
    out = tmp_path / "ranker.json"
    manifest = tmp_path / "data.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "ranker",
            "--repo",
            str(first.root),
            "--repo",
            str(second.root),
            "--out",
            str(out),
            "--data",
            str(manifest),
            "--plot",
            str(tmp_path / "curve.png"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["facts"]["hunks"] == {"one": 4, "two": 4}
    assert result["learner"] == "trees" and result["variants"]["deterministic"]["kind"] == "trees"
    held = result["facts"]["leave_one_repository_out"]["deterministic"]
    assert set(held["by_repository"]) == {"one", "two"}
    assert held["by_repository"]["one"]["oracle"] == 0.75
    assert held["all"]["hunks"] == 8 and held["by_committed"]["ours"]["hunks"] == 2
    assert sum(sum(cell.values()) for cell in held["misses"].values()) == 8
    assert held["curve"][-1]["coverage"] == 1.0
    assert set(result["variants"]) == {"deterministic"}  # no model asked
    assert "learned top-1" in done.stdout and "picked" in done.stdout
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"
    data = json.loads(manifest.read_text())
    assert [r["hunks"] for r in data["repositories"]] == [4, 4]
    assert data["repositories"][0]["merges"] == 4 and data["hunks"] == 8
    # a second run reads the hunk store, not the merges again
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "ranker",
            "--repo",
            str(first.root),
            "--repo",
            str(second.root),
            "--out",
            str(out),
            "--learner",
            "logistic",
        ],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert "coef" in json.loads(out.read_text())["variants"]["deterministic"]


@pytest.fixture(scope="module")
def embedded():  # type: ignore[no-untyped-def]
    from santamerge.model.backends.registry import load_backend

    return load_backend("embedded")


def test_model_middles_join_the_ranked_list_under_three_strategies(embedded) -> None:  # type: ignore[no-untyped-def]
    (hunk,) = run_pipeline(MARKED, "app.py", backend=embedded).proposal.hunks
    methods = {s.candidate.method for s in hunk.ranked}
    assert "ours" in methods
    model = [s for s in hunk.ranked if s.candidate.method.startswith("model:")]
    assert {s.candidate.method for s in model} <= {"model:ours", "model:theirs", "model:merged"}
    assert model, "the model proposed nothing"
    for s in hunk.ranked:  # every candidate, deterministic ones too, has the model's say
        assert any(r.startswith("model: mean log-prob") for r in s.reasons), s
    assert any("learned ranker (deterministic)" in r for r in hunk.ranked[0].reasons)


def test_the_merged_strategy_shows_both_sides_in_the_family_layout(embedded) -> None:  # type: ignore[no-untyped-def]
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.middles import strategy_gap

    parsed = parse_conflicts(MARKED)
    gap = strategy_gap(embedded, parsed, parsed.hunks[0], "app.py", "merged")
    prompt = embedded.template.render(gap.prefix, gap.suffix, gap.files, path=gap.path)
    assert prompt.startswith("<fim-prefix>app.py (ours)\n")
    assert "app.py (theirs)\n" in prompt and "encoding='utf-8'" in prompt
    assert prompt.endswith("<fim-suffix>\n\ndef main():\n    print(load('x'))\n<fim-middle>")

"""`santamerge learn`: a repository's own adjustment of the shipped ranker, fitted on
its replayed merges, used by resolve, and measured on its newest merges first."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import Repo

BASE = "def limit():\n    return {n}\n"


def _santamerge(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _conflict(repo: Repo, i: int) -> None:
    """A merge of topic-<i> into main where both sides changed one number: a conflict."""
    name = f"mod{i}.py"
    repo.commit({name: BASE.format(n=1)}, f"add {name}")
    repo.git("checkout", "-q", "-b", f"topic-{i}")
    repo.commit({name: BASE.format(n=100 + i)}, f"theirs {name}")
    repo.git("checkout", "-q", "main")
    repo.commit({name: BASE.format(n=200 + i)}, f"ours {name}")
    assert repo.git("merge", "--no-edit", f"topic-{i}", check=False).returncode != 0


@pytest.fixture
def habit(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    """A repository whose people always keep the merged branch's side."""
    repo: Repo = make_repo("habit")
    for i in range(30):
        _conflict(repo, i)
        repo.commit({f"mod{i}.py": BASE.format(n=100 + i)}, f"merge topic-{i}")
    return repo


def test_learn_fits_stores_and_resolve_uses_it(habit: Repo) -> None:
    head = habit.git("rev-parse", "HEAD").stdout
    done = _santamerge(habit, "learn", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["hunks"] == 30 and result["merges_read_now"] == 30
    held = result["held_out"]
    assert held["hunks"] == 6
    assert held["top1_adjusted"] == 1.0 and held["top1_adjusted"] > held["top1_shipped"]
    assert result["stored"] is True
    stored = habit.root / ".git" / "santamerge" / "ranker.json"
    assert json.loads(stored.read_text())["facts"]["hunks"] == 30
    # nothing of the repository itself changed
    assert habit.git("rev-parse", "HEAD").stdout == head
    assert habit.git("status", "--porcelain").stdout == ""

    again = json.loads(_santamerge(habit, "learn", "--json").stdout)
    assert again["merges_read_now"] == 0 and again["merges_stored"] == 30  # incremental

    _conflict(habit, 99)
    shown = _santamerge(habit, "resolve", "--no-model", "--json")
    (hunk,) = json.loads(shown.stdout)["files"][0]["hunks"]
    top = hunk["candidates"][0]
    assert top["method"] == "theirs", hunk["candidates"]
    assert any("adjusted to this repository" in r for r in top["reasons"])

    forgot = _santamerge(habit, "learn", "--forget")
    assert forgot.returncode == 0 and not stored.exists()
    plain = json.loads(_santamerge(habit, "resolve", "--no-model", "--json").stdout)
    reasons = plain["files"][0]["hunks"][0]["candidates"][0]["reasons"]
    assert not any("adjusted to this repository" in r for r in reasons)


def test_learn_with_too_few_conflicts_stores_nothing_and_says_why(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("few")
    for i in range(3):
        _conflict(repo, i)
        repo.commit({f"mod{i}.py": BASE.format(n=100 + i)}, f"merge topic-{i}")
    done = _santamerge(repo, "learn")
    assert done.returncode == 0, done.stderr
    assert "3 conflict hunks matched to their commits; learn needs 20" in done.stdout
    assert not (repo.root / ".git" / "santamerge" / "ranker.json").exists()


def test_learn_outside_a_repository_is_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "learn"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith("santamerge: ") and "Traceback" not in done.stderr
    assert "run santamerge learn in the repository" in done.stderr


def test_history_facts_of_a_merge_in_progress(make_repo) -> None:  # type: ignore[no-untyped-def]
    from santamerge import git

    repo: Repo = make_repo("hist")
    repo.commit({"a.py": BASE.format(n=1)}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"a.py": BASE.format(n=2)}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"other.py": "x = 1\n"}, "ours, elsewhere")
    repo.commit({"a.py": BASE.format(n=3)}, "ours")
    found = git.find_repository(repo.root)
    assert git.history_reader(found)("a.py") is None  # no merge yet
    assert repo.git("merge", "topic", check=False).returncode != 0
    facts = git.history_reader(found)("a.py")
    assert facts is not None
    assert facts["ahead_ours"] == 2 and facts["ahead_theirs"] == 1
    assert facts["commits_ours"] == 1 and facts["commits_theirs"] == 1
    assert facts["touched_ours"] > 0 and facts["touched_theirs"] > 0

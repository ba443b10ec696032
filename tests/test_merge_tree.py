"""`santamerge merge-tree A B`: an in-memory merge for CI jobs and bots, on real
commits, writing nothing in the repository."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import Repo

BASE = "import os\nimport sys\n\n\ndef limit():\n    return 1\n"
OURS = "import abc\nimport os\nimport sys\n\n\ndef limit():\n    return 1\n"
THEIRS = "import ast\nimport os\nimport sys\n\n\ndef limit():\n    return 1\n"


def _run(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-tree", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
    )


def _state(repo: Repo) -> tuple[str, ...]:
    return (
        repo.git("show-ref").stdout,
        repo.git("status", "--porcelain").stdout,
        repo.git("count-objects", "-v").stdout,
        repo.read(".git/index").hex(),
    )


@pytest.fixture
def branches(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("mt")
    repo.commit({"app.py": BASE, "rival.py": "X = 1\n"}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"app.py": THEIRS, "rival.py": "X = 3\n"}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS, "rival.py": "X = 2\n"}, "ours")
    return repo


def test_it_reports_what_santamerge_writes_and_what_stays_and_writes_nothing(
    branches: Repo,
) -> None:
    before = _state(branches)
    done = _run(branches, "main", "topic", "--json")
    assert done.returncode == 1, done.stderr  # rival.py stays conflicted
    result = json.loads(done.stdout)
    assert result["schema"] == 1 and result["git_clean"] is False
    files = {f["path"]: f for f in result["files"]}
    assert files["app.py"]["status"] == "resolved"
    assert files["app.py"]["outcome"]["methods"] == {"0": "structured:union"}
    assert files["rival.py"]["status"] == "conflicted"
    (hunk,) = files["rival.py"]["hunks"]
    assert {c["method"] for c in hunk["candidates"]} >= {"ours", "theirs"}
    assert result["conflicted_after"] == 1
    assert _state(branches) == before  # no ref, index, object or file written

    plain = _run(branches, "main", "topic")
    assert plain.returncode == 1
    assert "app.py: 1 conflict hunk(s); santamerge (conservative) writes 1" in plain.stdout
    assert "rival.py" in plain.stdout and "1 path(s) left conflicted" in plain.stdout


def test_a_merge_santamerge_completes_exits_0(branches: Repo) -> None:
    branches.git("checkout", "-q", "topic")
    branches.commit({"rival.py": "X = 2\n"}, "agree")
    done = _run(branches, "main", "topic")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "santamerge would resolve every conflict" in done.stdout


def test_clean_merges_and_bad_names(branches: Repo) -> None:
    branches.git("checkout", "-q", "-b", "side", "main~1")
    branches.commit({"other.py": "Y = 1\n"}, "elsewhere")
    assert _run(branches, "main", "side").returncode == 0
    bad = _run(branches, "main", "no-such-branch")
    assert bad.returncode == 2 and bad.stderr.startswith("santamerge: ")
    assert "'no-such-branch' names no commit" in bad.stderr and "Traceback" not in bad.stderr


def test_outside_a_repository_it_says_where_to_run_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-tree", "a", "b"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("santamerge: ") and len(done.stderr.splitlines()) == 1
    assert "run santamerge merge-tree in the repository that holds both commits" in done.stderr


# Ours and theirs share lines inside the conflict (git's default style moves them out of
# the hunk), and two conflicts four brace-only lines apart (two hunks for merge-ort).
SHAPES_BASE = (
    "def run(config):\n    start = 1\n    value = config.old\n    stop = 2\n    return value\n"
    "\n\nLIMITS = {\n    'a': {\n        'b': {\n            'c': 1,\n        },\n    },\n}\n"
    "\nTIMEOUT = 1\n"
)
SHAPES_OURS = (
    SHAPES_BASE.replace("    value = config.old\n", "    shared = True\n    value = config.mine\n")
    .replace("'c': 1", "'c': 2")
    .replace("TIMEOUT = 1", "TIMEOUT = 2")
)
SHAPES_THEIRS = (
    SHAPES_BASE.replace("    value = config.old\n", "    shared = True\n    value = config.yours\n")
    .replace("'c': 1", "'c': 3")
    .replace("TIMEOUT = 1", "TIMEOUT = 3")
)


@pytest.mark.parametrize("style", [None, "diff3", "zdiff3"])
def test_hunks_and_scores_are_those_of_git_merge_and_resolve(make_repo, style) -> None:  # type: ignore[no-untyped-def]
    """merge-tree reports the hunks `git merge` of the same commits leaves in the working
    tree (git's default style, or the repository's), and each candidate's score is the
    one `resolve` gives on that merge."""
    from santamerge.merge.locate import parse_conflicts

    repo: Repo = make_repo("shapes")
    if style:
        repo.git("config", "merge.conflictStyle", style)
    repo.commit({"shapes.py": SHAPES_BASE}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"shapes.py": SHAPES_THEIRS}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"shapes.py": SHAPES_OURS}, "ours")
    done = _run(repo, "main", "topic", "--json", "--policy", "conservative")
    assert done.returncode == 1, done.stderr
    (memory,) = json.loads(done.stdout)["files"]

    assert repo.git("merge", "--no-edit", "topic", check=False).returncode != 0
    gits = parse_conflicts(repo.read("shapes.py").decode()).hunks
    assert len(gits) == 3
    assert [(h["line"], h["ours"], h["theirs"]) for h in memory["hunks"]] == [
        (h.line, h.ours, h.theirs) for h in gits
    ]
    resolved = subprocess.run(
        [sys.executable, "-m", "santamerge", "resolve", "--json", "--no-model"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    (proposed,) = json.loads(resolved.stdout)["files"]

    def scores(record: dict) -> list[list[tuple[str, float]]]:  # type: ignore[type-arg]
        return [[(c["method"], c["score"]) for c in h["candidates"]] for h in record["hunks"]]

    assert scores(memory) == scores(proposed)
    assert [h["base"] for h in memory["hunks"]] == [h["base"] for h in proposed["hunks"]]

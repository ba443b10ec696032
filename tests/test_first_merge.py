"""The path around the driver, as a new user meets it, with real git: the driver outside a
merge (git merge-tree), every setting checked, closed pipes, quiet output."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo

from santamerge.merge.attempts import list_attempts

BASE = "import json\nimport os\n\nX = 1\n"
OURS = "import json\nimport os\nimport re\n\nX = 2\n"
THEIRS = "import json\nimport os\nimport sys\n\nX = 3\n"


def santamerge(cwd: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "santamerge", *args], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def branches(repo: Repo) -> None:
    """main and feature: each adds an import (the driver merges them) and changes X (a
    conflict it leaves)."""
    repo.commit({"app.py": BASE}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": THEIRS}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS}, "ours")


# -- the driver outside a merge ----------------------------------------------------------


def test_git_merge_tree_runs_the_driver_but_stores_no_attempt_and_gives_no_advice(
        repo: Repo) -> None:
    branches(repo)
    done = repo.git("merge-tree", "--write-tree", "main", "feature", check=False)
    assert done.returncode == 1, done.stdout + done.stderr  # X stays a conflict
    assert "santamerge" not in done.stderr, done.stderr
    tree = done.stdout.splitlines()[0]
    merged = repo.git("cat-file", "-p", f"{tree}:app.py").stdout
    assert merged.startswith("import json\nimport os\nimport re\nimport sys\n\n<<<<<<< ")
    assert list_attempts(repo.root / ".git") == []
    assert repo.git("status", "--porcelain").stdout == ""

    done = repo.git("merge", "--no-edit", "feature", check=False)  # into the working tree
    assert "santamerge: app.py: 1 conflict left marked" in done.stderr
    assert len(list_attempts(repo.root / ".git")) == 1
    assert repo.read("app.py").decode() == merged


def test_cherry_pick_and_rebase_still_store_attempts(make_repo: Callable[[str], Repo]
                                                      ) -> None:
    for how in ("cherry-pick", "rebase"):
        repo = make_repo(how)
        repo.install_driver()
        branches(repo)
        if how == "cherry-pick":
            done = repo.git("cherry-pick", "feature", check=False)
        else:
            repo.git("checkout", "-q", "feature")
            done = repo.git("rebase", "main", check=False)
        assert done.returncode != 0
        assert "santamerge: app.py: 1 conflict left marked" in done.stderr, how
        assert len(list_attempts(repo.root / ".git")) == 1, how


# -- every setting checked -----------------------------------------------------------------


def gits_own(tmp_path: Path, labels: tuple[str, str, str]) -> str:
    for name, text in (("b", BASE), ("o", OURS), ("t", THEIRS)):
        (tmp_path / name).write_text(text)
    return subprocess.run(["git", "merge-file", "-p", "--diff3", "-L", labels[0], "-L",
                           labels[1], "-L", labels[2], "o", "b", "t"], cwd=tmp_path,
                          capture_output=True, text=True, check=False).stdout


def test_a_bad_policy_is_one_line_and_the_driver_leaves_gits_merge(
        repo: Repo, tmp_path: Path) -> None:
    branches(repo)
    repo.git("config", "santamerge.policy", "bogus")
    done = repo.git("merge", "--no-edit", "feature", check=False)
    assert done.returncode == 1  # as git's own merge: a conflict
    said = [line for line in done.stderr.splitlines() if line.startswith("santamerge")]
    assert said == ["santamerge: setting 'policy' has the value 'bogus' (from git config "
                    "santamerge.policy), which is not a policy: give conservative, words, "
                    "union, calibrated or never; gave git's own merge of app.py"], done.stderr
    assert repo.read("app.py").decode() == gits_own(tmp_path, ("ours", "base", "theirs"))
    assert list_attempts(repo.root / ".git") == []

    done = santamerge(repo.root, "merge-tree", "main", "feature")  # no "(conservative)"
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "'bogus' (from git config santamerge.policy)" \
        in done.stderr


@pytest.mark.parametrize(("name", "value", "where"), [
    ("SANTAMERGE_POLICY", "wordz", "SANTAMERGE_POLICY"),
    ("SANTAMERGE_DEVICE", "gpu", "SANTAMERGE_DEVICE"),
    ("SANTAMERGE_SERVER", "localhost:8000", "SANTAMERGE_SERVER"),
    ("SANTAMERGE_FIM_FAMILY", "gpt", "SANTAMERGE_FIM_FAMILY"),
    ("SANTAMERGE_KEEP_ATTEMPTS", "-1", "SANTAMERGE_KEEP_ATTEMPTS"),
    ("SANTAMERGE_AUTOSTART", "maybe", "SANTAMERGE_AUTOSTART"),
    ("SANTAMERGE_MAX_BYTES", "lots", "SANTAMERGE_MAX_BYTES"),
    ("SANTAMERGE_MODEL", "", "SANTAMERGE_MODEL"),
])
def test_every_setting_is_checked_and_named_with_where_it_came_from(
        repo: Repo, name: str, value: str, where: str) -> None:
    branches(repo)
    result = subprocess.run(["git", "merge", "--no-edit", "feature"], cwd=repo.root,
                            capture_output=True, text=True, check=False,
                            env={**os.environ, name: value})
    said = [line for line in result.stderr.splitlines() if line.startswith("santamerge")]
    setting = name.removeprefix("SANTAMERGE_").lower()
    assert len(said) == 1, result.stderr
    assert said[0].startswith(f"santamerge: setting '{setting}' has the value {value!r} "
                              f"(from {where})"), said
    assert said[0].endswith("; gave git's own merge of app.py")
    assert "import os\n<<<<<<< ours\nimport re\n||||||| base\n=======\nimport sys\n" in \
        repo.read("app.py").decode()  # git's merge: the imports left marked


def test_a_bad_setting_in_pyproject_names_the_file(repo: Repo) -> None:
    (repo.root / "pyproject.toml").write_text("[tool.santamerge]\nkeep-attempts = 'many'\n")
    done = santamerge(repo.root, "resolve", "--no-model")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert (f"setting 'keep_attempts' has the value 'many' (from [tool.santamerge] "
            f"keep-attempts in {repo.root / 'pyproject.toml'})") in done.stderr

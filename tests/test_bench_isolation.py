"""`santamerge bench` replays with git's own merge and writes nothing in the repository,
whatever merge driver, attributes and config the repository or the user set up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo

from santamerge.commands.install import driver_command
from santamerge.git import version

BASE = "import os\n\n\ndef f():\n    a = 1\n    X = 1\n    return a\n"
# Two files the installed driver resolves (both sides add an import) and two it leaves
# marked (both sides change the same line), so a replay through the driver shows fewer
# hunks than git's own merge.
MERGES = {  # file: (ours, theirs, what the person committed)
    "imports_a.py": (
        BASE.replace("import os\n", "import os\nimport json\n"),
        BASE.replace("import os\n", "import os\nimport re\n"),
        BASE.replace("import os\n", "import os\nimport json\nimport re\n"),
    ),
    "imports_b.py": (
        BASE.replace("import os\n", "import os\nimport sys\n"),
        BASE.replace("import os\n", "import os\nimport time\n"),
        BASE.replace("import os\n", "import os\nimport sys\nimport time\n"),
    ),
    "ours.py": (
        BASE.replace("X = 1", "X = 2"),
        BASE.replace("X = 1", "X = 3"),
        BASE.replace("X = 1", "X = 2"),
    ),
    "both.py": (
        BASE.replace("X = 1", "X = 2"),
        BASE.replace("X = 1", "X = 3"),
        BASE.replace("    X = 1\n", "    X = 2\n    X = 3\n"),
    ),
}


def _merge_history(repo: Repo) -> None:
    for name, (ours, theirs, resolution) in MERGES.items():
        repo.commit({name: BASE}, f"base {name}")
        repo.git("checkout", "-q", "-b", f"topic-{name}")
        repo.commit({name: theirs}, f"theirs {name}")
        repo.git("checkout", "-q", "main")
        repo.commit({name: ours}, f"ours {name}")
        merged = repo.git("merge", "--no-edit", f"topic-{name}", check=False)
        assert merged.returncode != 0  # git's own merge conflicts
        repo.commit({name: resolution}, f"merge {name}")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every folder (None) and file (its bytes) under ``root``, .git included."""
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            found[os.path.relpath(os.path.join(folder, d), root)] = None
        for f in files:
            path = os.path.join(folder, f)
            found[os.path.relpath(path, root)] = Path(path).read_bytes()
    return found


def _bench(cwd: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "bench", "merges", "--json", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """What a replay measures: everything but names, paths and timings."""
    out = {k: v for k, v in report.items() if k not in ("repo", "name", "time_ms")}
    out["merges"] = {k: v for k, v in report["merges"].items() if k != "from_cache"}
    return out


def _install(how: str, repo: Repo, home: Path) -> dict[str, str]:
    """Route *.py away from git's own merge in one of the ways git allows; return the
    environment the bench must then run in."""
    command = driver_command(version())
    driver = f'[merge "santamerge"]\n\tdriver = {command}\n'
    if how == "worktree":  # what `santamerge install` does
        repo.install_driver(["*.py"])
        repo.git("config", "merge.conflictStyle", "merge")
        return {}
    if how == "committed":  # .gitattributes committed, as a team would
        repo.install_driver(["*.py"])
        repo.commit({}, "route *.py to santamerge")
        return {}
    if how == "info":
        repo.git("config", "merge.santamerge.driver", command)
        (repo.root / ".git" / "info").mkdir(exist_ok=True)
        (repo.root / ".git" / "info" / "attributes").write_text("*.py merge=santamerge\n")
        return {}
    if how == "union":  # git's built-in union merge: no conflict is left at all
        (repo.root / ".gitattributes").write_text("*.py merge=union\n")
        return {}
    if how == "global":
        (home / "attrs").write_text("*.py merge=santamerge\n")
        (home / ".gitconfig").write_text(
            f"{driver}[core]\n\tattributesFile = {home / 'attrs'}\n"
            "[merge]\n\tconflictStyle = zdiff3\n\trenormalize = true\n"
        )
        return {}
    if how == "xdg":  # the default attributes file, $XDG_CONFIG_HOME/git/attributes
        folder = home / ".config" / "git"
        folder.mkdir(parents=True)
        (folder / "attributes").write_text("*.py merge=santamerge\n")
        (folder / "config").write_text(driver)
        return {}
    if how == "system":
        (home / "attrs").write_text("*.py merge=santamerge\n")
        (home / "system.gitconfig").write_text(
            f"{driver}[core]\n\tattributesFile = {home / 'attrs'}\n"
        )
        return {"GIT_CONFIG_NOSYSTEM": "", "GIT_CONFIG_SYSTEM": str(home / "system.gitconfig")}
    if how == "parameters":  # `git -c` passed down, e.g. from a hook or an alias
        (repo.root / ".git" / "info").mkdir(exist_ok=True)
        (repo.root / ".git" / "info" / "attributes").write_text("*.py merge=santamerge\n")
        return {"GIT_CONFIG_PARAMETERS": f"'merge.santamerge.driver={command}'"}
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["worktree", "committed", "info", "union", "global", "xdg", "system", "parameters"]
)
def test_bench_replays_with_gits_own_merge_and_writes_nothing(
    make_repo: Callable[[str], Repo], isolated_git: Path, how: str
) -> None:
    history: Repo = make_repo("hist")
    _merge_history(history)
    clone = history.root.parent / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-local", str(history.root), str(clone)],
        check=True,
        capture_output=True,
    )
    fresh = _bench(clone)  # a fresh clone, nothing installed
    assert fresh["hunks"] == {"total": 4, "matched": 4, "unmatched": 0}
    assert fresh["merges"]["with_conflicted_files"] == 4

    env = _install(how, history, isolated_git)
    # the routing is in effect for git itself: a real merge goes through it
    attr = subprocess.run(
        ["git", "check-attr", "merge", "x.py"],
        cwd=history.root,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert attr.stdout.strip() in ("x.py: merge: santamerge", "x.py: merge: union")
    before = snapshot(history.root)
    # run from inside the working tree (as a user would), and from elsewhere with --repo
    inside = _bench(history.root, env=env)
    outside = _bench(history.root.parent, "--repo", str(history.root), env=env)
    assert snapshot(history.root) == before  # .git (attempts, objects, index, refs) and tree
    assert not (history.root / ".git" / "santamerge").exists()
    assert _figures(inside) == _figures(fresh)
    assert _figures(outside) == _figures(fresh)


def test_bench_ignores_a_git_dir_in_the_environment(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--repo names the repository; a GIT_DIR left in the environment (a hook, say)
    neither redirects the bench nor gets written."""
    history: Repo = make_repo("hist")
    _merge_history(history)
    other: Repo = make_repo("other")
    other.commit({"a.txt": "a\n"}, "one commit, no merge")
    before = snapshot(other.root)
    report = _bench(
        tmp_path,
        "--repo",
        str(history.root),
        env={
            "GIT_DIR": str(other.root / ".git"),
            "GIT_WORK_TREE": str(other.root),
            "GIT_INDEX_FILE": str(other.root / ".git" / "index"),
            "GIT_OBJECT_DIRECTORY": str(other.root / ".git" / "objects"),
        },
    )
    assert report["hunks"]["total"] == 4
    assert snapshot(other.root) == before


def test_bench_on_a_linked_worktree(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A linked worktree's git dir has no objects folder of its own."""
    history: Repo = make_repo("hist")
    _merge_history(history)
    history.git("worktree", "add", "-q", str(tmp_path / "wt"), "-b", "wt")
    before = snapshot(history.root)
    report = _bench(tmp_path / "wt")
    assert report["hunks"] == {"total": 4, "matched": 4, "unmatched": 0}
    assert snapshot(history.root) == before


def test_bench_stubs_writes_nothing_in_the_repository(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("lib")
    repo.install_driver(["*.py"])
    repo.commit(
        {
            "lib/shapes.py": (
                "import math\n\n\ndef area(r):\n"
                '    """The area of a circle."""\n'
                "    squared = r * r\n    return math.pi * squared\n"
            )
        },
        "code",
    )
    before = snapshot(repo.root)
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "bench", "stubs", "--limit", "1", "-n", "1", "--json"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "SANTAMERGE_AUTOSTART": "0"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stubs"] == 1
    assert snapshot(repo.root) == before

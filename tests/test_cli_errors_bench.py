"""User errors of `bench` and `install`: one `santamerge: …` line (or click's usage error),
the usage exit code, and no work done first; or a warning where the command goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Repo

MERGE_BASE = "def f():\n    X = 1\n"


@pytest.fixture
def history(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("hist")
    repo.commit({"a.py": MERGE_BASE}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"a.py": MERGE_BASE.replace("1", "3")}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"a.py": MERGE_BASE.replace("1", "2")}, "ours")
    assert repo.git("merge", "--no-edit", "topic", check=False).returncode != 0
    repo.commit({"a.py": MERGE_BASE.replace("1", "2")}, "merged")
    return repo


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "SANTAMERGE_AUTOSTART": "0"},
    )


def _no_replay(home: Path) -> bool:
    """The replay cache is written by the first replayed merge: absent, nothing ran."""
    return not (home / ".cache" / "santamerge" / "bench").exists()


def _one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("santamerge: ") and done.stderr.count("\n") == 1, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr


def test_bench_merges_output_into_a_missing_folder_fails_first(
    history: Repo, isolated_git: Path
) -> None:
    done = _run(history.root, "bench", "merges", "--output", "/nonexistent/dir/x.json")
    _one_line_error(done, "/nonexistent/dir", "does not exist")
    assert _no_replay(isolated_git)


def test_bench_merges_output_onto_a_folder_fails_first(
    history: Repo, isolated_git: Path, tmp_path: Path
) -> None:
    done = _run(history.root, "bench", "merges", "--output", str(tmp_path))
    _one_line_error(done, "is a folder")
    assert _no_replay(isolated_git)


def test_bench_merges_output_into_a_read_only_folder_fails_first(
    history: Repo, isolated_git: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        done = _run(history.root, "bench", "merges", "--output", str(folder / "x.json"))
    finally:
        folder.chmod(0o700)
    _one_line_error(done, "not writable")
    assert _no_replay(isolated_git)


def test_bench_merges_plot_path_and_format_are_checked_first(
    history: Repo, isolated_git: Path, tmp_path: Path
) -> None:
    done = _run(history.root, "bench", "merges", "--plot", "/nonexistent/dir/curve.png")
    _one_line_error(done, "--plot", "does not exist")
    done = _run(history.root, "bench", "merges", "--plot", str(tmp_path / "curve.docx"))
    _one_line_error(done, "--plot", ".docx", ".png")
    assert _no_replay(isolated_git)
    assert not (tmp_path / "curve.docx").exists()


def test_bench_merges_output_file_is_still_written(history: Repo, tmp_path: Path) -> None:
    done = _run(history.root, "bench", "merges", "--output", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["hunks"]["total"] == 1


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_bench_merges_limit_below_one_is_a_usage_error(
    history: Repo, isolated_git: Path, limit: str
) -> None:
    done = _run(history.root, "bench", "merges", "--limit", limit)
    assert done.returncode == 2, done.stderr
    assert "--limit" in done.stderr and "Traceback" not in done.stderr
    assert _no_replay(isolated_git)


@pytest.mark.parametrize(
    "args", [["--limit", "0"], ["-n", "0"], ["--output", "/nonexistent/dir/x.json"]]
)
def test_bench_stubs_refuses_before_loading_a_model(history: Repo, args: list[str]) -> None:
    done = _run(history.root, "bench", "stubs", *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    if args[0] == "--output":
        _one_line_error(done, "/nonexistent/dir")
    else:
        assert args[0] in done.stderr


def test_bench_ranker_limit_and_out_are_checked_first(
    history: Repo, isolated_git: Path, tmp_path: Path
) -> None:
    done = _run(history.root, "bench", "ranker", "--repo", ".", "--repo", ".", "--limit", "0")
    assert done.returncode == 2 and "--limit" in done.stderr, done.stderr
    (tmp_path / "file").write_text("a file, not a folder\n")
    done = _run(
        history.root,
        "bench",
        "ranker",
        "--repo",
        ".",
        "--repo",
        ".",
        "--out",
        str(tmp_path / "file" / "sub" / "ranker.json"),
    )
    _one_line_error(done, "--out", "is not a folder")
    assert _no_replay(isolated_git)


def test_install_warns_about_a_pattern_without_a_grammar(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("r")
    done = _run(repo.root, "install", "*.md", "docs/*.py", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("santamerge: warning: no grammar for '*.md'")
    assert done.stderr.count("\n") == 1 and "docs/*.py" not in done.stderr
    assert "santamerge languages" in done.stderr
    report = json.loads(done.stdout)
    assert report["added"] == ["*.md", "docs/*.py"] and report["no_grammar"] == ["*.md"]
    done = _run(repo.root, "install")  # the default patterns: all supported, no warning
    assert done.returncode == 0 and done.stderr == "", done.stderr

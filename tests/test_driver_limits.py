"""The merge driver's limits (issue 22): a time limit and a kill switch that cover every
path, a broken state folder, and a driver whose caller is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo
from test_driver_git import git_own_result

# -- item 1: the clean-merge path is inside the time limit, and the limit is bounded ----------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("env", [{}, {"SANTAMERGE_DISABLE": "1"}], ids=["on", "disabled"])
def test_a_clean_merge_with_a_very_long_line_does_not_hang(repo: Repo, env: dict[str, str]) -> None:
    """One line of 100,000 characters: a backtracking regex took minutes over it before
    the time limit started, and before SANTAMERGE_DISABLE was read."""
    long_line = "s = '" + "a" * 100_000 + "'\n"
    result = repo.merge_branches(
        {"app.py": "x = 1\n"},
        {"app.py": "x = 1\n" + long_line},
        {"app.py": "y = 2\nx = 1\n"},
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py").decode() == "y = 2\nx = 1\n" + long_line
    assert "santamerge" not in result.stderr


def test_a_huge_time_limit_is_lowered_to_the_maximum_with_one_warning(repo: Repo) -> None:
    """1e308 seconds overflowed the timer: santamerge silently gave git's conflict."""
    base = "import os\n"
    result = repo.merge_branches(
        {"app.py": base},
        {"app.py": base + "import json\n"},
        {"app.py": base + "import re\n"},
        env={"SANTAMERGE_POLICY": "union", "SANTAMERGE_TIMEOUT": "1e308"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py") == b"import os\nimport json\nimport re\n"
    assert result.stderr == (
        "santamerge: warning: setting 'timeout' has the value '1e308', "
        "above the maximum of 600 seconds; using 600\n"
    )


@pytest.mark.parametrize("value", ["1e9", "1e308", "86400.5"])
def test_every_time_limit_has_a_maximum(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    from santamerge import config

    monkeypatch.setattr(config, "_warned", set())
    for name in config.MAXIMUM:
        monkeypatch.setenv(f"SANTAMERGE_{name.upper()}", value)
    settings = config.load_settings(str(tmp_path))
    assert {name: getattr(settings, name) for name in config.MAXIMUM} == config.MAXIMUM
    config.load_settings(str(tmp_path))  # warned once per process
    assert capsys.readouterr().err.count("santamerge: warning: setting '") == len(config.MAXIMUM)


# -- item 7: a state folder that cannot be used ------------------------------------------------

CONFLICTED = (
    "import os\n\n\ndef load(path):\n    return 1\n",
    "import os\nimport json\n\n\ndef load(path):\n    return 1\n",
    "import os\nimport re\n\n\ndef load(path):\n    return 1\n",
)
CLEAN = ("A = 1\n\n\nB = 2\n", "A = 10\n\n\nB = 2\n", "A = 1\n\n\nB = 20\n")


@pytest.mark.parametrize("broken", ["santamerge", "santamerge/tmp"])
def test_a_state_folder_that_is_a_file_still_gives_gits_merge(repo: Repo, broken: str) -> None:
    """Before: no write could happen, each file kept ours without markers (theirs' change
    dropped from the work tree) and two "File exists" lines were printed."""
    (repo.root / ".git" / broken).parent.mkdir(parents=True, exist_ok=True)
    (repo.root / ".git" / broken).write_text("not a folder\n")
    result = repo.merge_branches(
        *({"app.py": c, "names.py": n} for c, n in zip(CONFLICTED, CLEAN, strict=True))
    )
    assert result.returncode == 1
    assert repo.read("app.py") == git_own_result(repo, "app.py")
    assert b"<<<<<<< ours\nimport json\n" in repo.read("app.py")
    assert repo.read("names.py") == b"A = 10\n\n\nB = 20\n"
    assert "could not write" not in result.stderr and "File exists" not in result.stderr
    status = repo.git("status", "--porcelain", "--ignored").stdout.splitlines()
    assert sorted(line for line in status if not line.endswith(".tmp")) == [  # no copy left
        "M  names.py",
        "UU app.py",
    ]


def conflicted(repo: Repo) -> None:
    repo.merge_branches(*({"app.py": c} for c in CONFLICTED))
    assert b"<<<<<<< ours" in repo.read("app.py")


def santamerge(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def deeply_nested(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def a_folder(path: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("{}\n")


@pytest.mark.parametrize("make", [deeply_nested, a_folder], ids=["nested", "folder"])
def test_an_unusable_ranker_file_is_ignored_with_one_warning(
    repo: Repo, make: Callable[[Path], None]
) -> None:
    """Before: resolve and preview stopped with an internal error on JSON nested too
    deep, and learn on a folder in the file's place."""
    conflicted(repo)
    ranker = repo.root / ".git" / "santamerge" / "ranker.json"
    make(ranker)
    for args in (["resolve", "--no-model"], ["preview"]):
        done = santamerge(repo, *args)
        # resolve proposes and exits 0; preview exits 1: the conflict it showed is left
        assert done.returncode == (1 if args == ["preview"] else 0), (args, done.stderr)
        assert "candidates, best first" in done.stdout  # it went on, and ranked
        assert done.stderr == f"santamerge: warning: ignored {ranker} (" + (
            "nested too deep); the shipped ranker is in effect (`santamerge learn --forget` "
            "removes it)\n"
            if make is deeply_nested
            else "a folder); the shipped ranker is in effect (move it away)\n"
        ), args
    done = santamerge(repo, "learn", "--limit", "5")  # too few merges: it removes its file
    assert done.returncode == 0 and "internal error" not in done.stderr, done.stderr
    if make is a_folder:  # never removed: one warning
        assert ranker.is_dir() and done.stderr.count("santamerge: warning: ignored") == 1
    else:
        assert not ranker.exists()


def test_learn_says_what_to_do_when_the_state_folder_is_a_file(repo: Repo) -> None:
    (repo.root / ".git" / "santamerge").write_text("not a folder\n")
    repo.commit({"app.py": "x = 1\n"}, "base")
    done = santamerge(repo, "learn", "--limit", "5")
    assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr
    assert done.stderr.startswith("santamerge: ") and "move it away" in done.stderr


# -- item 8: a driver whose caller is gone writes nothing --------------------------------------


def driver_under_sh(repo: Repo) -> tuple[subprocess.Popen[bytes], int, Path]:
    """The driver as git's wrapper runs it: a child of ``sh``, hanging in its guarded
    part (SANTAMERGE_FAULT=hang) until its time limit. Returns sh, the driver's pid and
    ``%A``."""
    names = {}
    for side, text in zip(("base", "ours", "theirs"), CONFLICTED, strict=True):
        names[side] = f".merge_file_{side}X"
        (repo.root / names[side]).write_text(text)
    pid_file = repo.root / ".git" / "driver.pid"
    pid_file.unlink(missing_ok=True)
    command = (
        f'"$0" -m santamerge merge-driver {names["base"]} {names["ours"]} '
        f"{names['theirs']} 7 app.py & echo $! > {pid_file}; wait $!"
    )
    sh = subprocess.Popen(
        ["sh", "-c", command, sys.executable],
        cwd=repo.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "SANTAMERGE_FAULT": "hang",
            "SANTAMERGE_TIMEOUT": "2",
            "SANTAMERGE_POLICY": "union",
        },
    )
    wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip().isdigit())
    driver = int(pid_file.read_text())
    wait_for(lambda: catches_sigalrm(driver))  # its time limit runs: the hang has begun
    return sh, driver, repo.root / names["ours"]


def catches_sigalrm(pid: int) -> bool:
    """Whether ``pid`` has a SIGALRM handler: the driver's time limit is armed."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGALRM - 1)))


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # exited; a zombie where nothing reaps it


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def visible(repo: Repo) -> list[str]:
    scratch = repo.root / ".git" / "santamerge" / "tmp"
    return sorted(
        [p.name for p in repo.root.iterdir() if p.name != ".git"]
        + [f"tmp/{p.name}" for p in (scratch.iterdir() if scratch.is_dir() else ())]
    )


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads /proc")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("git_removes", [True, False], ids=["removed", "kept"])
def test_a_driver_whose_caller_was_killed_writes_nothing(repo: Repo, git_removes: bool) -> None:
    """``kill -9`` of git's ``sh -c`` wrapper: git reads ``%A`` as it is and removes it.
    The driver, timing out later, re-created it as a stray ``.merge_file_*``."""
    repo.commit({"app.py": CONFLICTED[0]}, "base")
    for _ in range(3):
        sh, driver, ours = driver_under_sh(repo)
        before = visible(repo)
        sh.kill()
        sh.wait()
        if git_removes:
            ours.unlink()
        wait_for(lambda: gone(driver))  # noqa: B023
        if git_removes:
            assert not ours.exists()
            assert visible(repo) == [n for n in before if n != ours.name]
        else:
            assert ours.read_text() == CONFLICTED[1]  # not git's result: nobody reads it
            assert visible(repo) == before
        for path in repo.root.glob(".merge_file_*"):
            path.unlink()


def test_a_write_no_longer_wanted_writes_nothing(tmp_path: Path) -> None:
    from santamerge.files import WriteAbandoned, write_atomically

    (tmp_path / ".git").mkdir()
    target = tmp_path / "app.py"
    with pytest.raises(WriteAbandoned):
        write_atomically(
            str(target), b"merged\n", git_dir=str(tmp_path / ".git"), still_wanted=lambda: False
        )
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".git"]
    assert list((tmp_path / ".git" / "santamerge" / "tmp").iterdir()) == []

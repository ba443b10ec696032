"""Shared fixtures: isolated git configuration and scratch repositories."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from santamerge.commands.install import add_attribute_lines, driver_command
from santamerge.git import version


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME, so that no user or system git config leaks into a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # auto-started servers live here
    for name in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "SANTAMERGE_DISABLE",
        "SANTAMERGE_TIMEOUT",
        "SANTAMERGE_POLICY",
        "SANTAMERGE_FAULT",
        "SANTAMERGE_SERVER",
        "SANTAMERGE_AUTOSTART",
        "SANTAMERGE_API_KEY",
        "SANTAMERGE_DRIVER_MODEL",
        "SANTAMERGE_MODEL",
        "SANTAMERGE_FIM_FAMILY",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True, scope="session")
def no_server_left_behind() -> object:
    """Stop the local servers that tests made this process start (autostart keeps their
    Popen objects; one still running at exit would outlive the suite)."""
    yield
    import sys

    autostart = sys.modules.get("santamerge.model.serve.autostart")
    for child in getattr(autostart, "_CHILDREN", []):
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


MERGE_FILE_NAMES = ("base", "ours", "theirs")


def git_merge_file(
    folder: Path,
    texts: Sequence[str | bytes] | None = None,
    options: Sequence[str] = ("--diff3",),
    names: Sequence[str] = MERGE_FILE_NAMES,
) -> subprocess.CompletedProcess[bytes]:
    """git's own merge of three files in ``folder``, with the labels the driver gets:
    ``git merge-file -p OPTIONS -L ours -L base -L theirs OURS BASE THEIRS``. ``names``
    are the base, ours and theirs files; ``texts`` (base, ours, theirs), when given, are
    written to them first (str as UTF-8). The output is bytes and the status git's
    (the number of conflicts), never checked here."""
    base, ours, theirs = names
    if texts is not None:
        for name, text in zip(names, texts, strict=True):
            (folder / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return subprocess.run(
        [
            "git",
            "merge-file",
            "-p",
            *options,
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
            ours,
            base,
            theirs,
        ],
        cwd=folder,
        capture_output=True,
        check=False,
    )


class Repo:
    """A scratch repository driven through the real git command line."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=check
        )

    def write(self, name: str, data: str | bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_bytes(data.encode("utf-8"))

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def commit(self, files: dict[str, str | bytes], message: str) -> None:
        for name, data in files.items():
            self.write(name, data)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def install_driver(self, patterns: list[str] | None = None) -> None:
        self.git("config", "merge.santamerge.driver", driver_command(version()))
        add_attribute_lines(self.root / ".gitattributes", patterns or ["*.py", "*.java", "*.js"])

    def merge_branches(
        self,
        base: dict[str, str | bytes],
        ours: dict[str, str | bytes],
        theirs: dict[str, str | bytes],
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Commit base, then theirs on `feature` and ours on `main`, and merge feature."""
        self.commit(base, "base")
        self.git("checkout", "-q", "-b", "feature")
        self.commit(theirs, "theirs")
        self.git("checkout", "-q", "main")
        self.commit(ours, "ours")
        import os

        return subprocess.run(
            ["git", "merge", "--no-edit", "feature"],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        root = tmp_path / name
        root.mkdir()
        repo = Repo(root)
        repo.git("init", "-q", "-b", "main")
        for key, value in (
            ("user.name", "Test"),
            ("user.email", "test@example.invalid"),
            ("commit.gpgsign", "false"),
            ("core.autocrlf", "false"),
        ):
            repo.git("config", key, value)
        return repo

    return make


@pytest.fixture
def repo(make_repo: Callable[[str], Repo]) -> Repo:
    r = make_repo("repo")
    r.install_driver()
    return r

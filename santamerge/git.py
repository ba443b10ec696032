"""The one adapter around git: the ``git`` subprocess, and GitPython where a repository
object is worth its import (about 0.1 s, so never on the merge driver's path)."""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

from santamerge.errors import GitError

if TYPE_CHECKING:  # pathlib costs ~4 ms to import; the driver's path avoids it
    from pathlib import Path

MERGE_FILE_ERROR = -1


def run_git(*args: str, cwd: str | os.PathLike[str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise GitError("git was not found on PATH; install git and try again") from exc
    if check and proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise GitError(f"'git {' '.join(args)}' failed: {detail[0]}")
    return proc


def merge_file(
    ours: str, base: str, theirs: str, labels: tuple[str, str, str], marker_size: int = 7,
    style: str = "diff3",
) -> tuple[bytes, int]:
    """git's own 3-way merge of three files: (the merged bytes, git's exit status).

    The status is the number of conflicts, or MERGE_FILE_ERROR when git refused (a binary
    file, say). ``style`` is ``diff3``, ``zdiff3`` or ``merge``. Nothing is written to
    disk.
    """
    args = ["git", "merge-file", "-p", f"--marker-size={marker_size}"]
    if style != "merge":  # "merge", git's default style, has no flag
        args.append(f"--{style}")
    for label in labels:
        args += ["-L", label]
    proc = subprocess.run([*args, ours, base, theirs], capture_output=True, check=False)
    status = proc.returncode
    if status < 0 or status > 127:
        return proc.stdout, MERGE_FILE_ERROR
    return proc.stdout, status


def find_git_dir(start: str = ".") -> str | None:
    """The git directory for ``start``, found without running git (cheap)."""
    env = os.environ.get("GIT_DIR")
    if env:
        return os.path.abspath(env)
    folder = os.path.abspath(start)
    while True:
        dotgit = os.path.join(folder, ".git")
        if os.path.isdir(dotgit):
            return dotgit
        if os.path.isfile(dotgit):
            with open(dotgit, encoding="utf-8", errors="replace") as fh:
                text = fh.read().strip()
            if text.startswith("gitdir:"):
                return os.path.normpath(os.path.join(folder, text[len("gitdir:"):].strip()))
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def start_config_read(prefix: str, cwd: str | None = None) -> subprocess.Popen[str]:
    """Start reading git config ``prefix.*`` in the background; see finish_config_read."""
    return subprocess.Popen(
        ["git", "config", "--null", "--get-regexp", f"^{prefix}\\."],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def finish_config_read(proc: subprocess.Popen[str]) -> dict[str, str]:
    out, _ = proc.communicate()
    values = {}
    for entry in out.split("\0"):
        if "\n" in entry:
            key, value = entry.split("\n", 1)
            values[key.lower()] = value
    return values


def config_get_all(prefix: str, cwd: str | None = None) -> dict[str, str]:
    """Every git config value under ``prefix.`` (all scopes), lowercased keys."""
    return finish_config_read(start_config_read(prefix, cwd))


def config_set(key: str, value: str, *, global_: bool, cwd: str | None = None) -> None:
    run_git("config", "--global" if global_ else "--local", key, value, cwd=cwd)


def config_unset_section(section: str, *, global_: bool, cwd: str | None = None) -> bool:
    proc = run_git("config", "--global" if global_ else "--local", "--remove-section", section,
                   cwd=cwd, check=False)
    return proc.returncode == 0


def repo_root(cwd: str | os.PathLike[str] = ".") -> Path:
    """The working tree's top folder, or a clear error outside a repository."""
    from pathlib import Path

    import git  # GitPython

    try:
        repo = git.Repo(cwd, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GitError(f"{Path(cwd).resolve()} is not inside a git repository; "
                       "run this in a repository, or use --global") from exc
    if repo.working_tree_dir is None:
        raise GitError("this is a bare repository; run it in a working tree")
    return Path(repo.working_tree_dir)


def global_attributes_file() -> Path:
    """git's global attributes file: core.attributesFile, else $XDG_CONFIG_HOME/git/attributes."""
    from pathlib import Path

    proc = run_git("config", "--global", "--path", "core.attributesFile", check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return Path(proc.stdout.strip()).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(xdg) / "git" / "attributes"


def version() -> tuple[int, ...]:
    out = run_git("--version").stdout.split()[-1]
    return tuple(int(p) for p in out.split(".")[:3] if p.isdigit())

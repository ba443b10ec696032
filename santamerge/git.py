"""The one adapter around git: every git process santamerge starts is started here.

It runs plain ``git`` in a subprocess, never GitPython: the merge driver's start-up
cannot pay for GitPython's import (about 0.1 s), and what the rest reads (unmerged index
entries, a merge replayed with ``merge-tree``, blobs through one ``cat-file --batch``)
is git plumbing that GitPython itself hands to a ``git`` process. Keep module-level
imports cheap: the merge driver imports this module.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import GitError, SantamergeError

if TYPE_CHECKING:  # pathlib costs ~4 ms to import; the driver's path avoids it
    from collections.abc import Callable, Sequence
    from pathlib import Path

MERGE_FILE_ERROR = -1
NOT_A_REPOSITORY = "is not inside a git repository; run this in a repository, or use --global"


class Repository(NamedTuple):
    root: str  # the working tree's top folder (git rev-parse --show-toplevel)
    git_dir: str  # its git directory, absolute (per worktree)


class IndexEntry(NamedTuple):
    """One line of ``git ls-files -u``: an unmerged index entry."""

    mode: str
    oid: str
    stage: int
    path: str

    def line(self) -> str:
        return f"{self.mode} {self.oid} {self.stage}\t{self.path}"


# -- running git -----------------------------------------------------------------------


def run_git(
    *args: str,
    cwd: str | os.PathLike[str] | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd``, as text; a GitError when it fails and ``check``."""
    proc = _run(["git", *args], cwd, env, None, text=True)
    if check and proc.returncode != 0:
        raise GitError(f"'git {' '.join(args)}' failed: {last_line(proc.stderr)}")
    return proc


def git_bytes(root: str | os.PathLike[str], *args: str, data: bytes | None = None) -> bytes:
    """The standard output of ``git --literal-pathspecs ARGS`` run in ``root``."""
    proc = _run(["git", "--literal-pathspecs", *args], root, None, data, text=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        raise GitError(f"'git {' '.join(args)}' failed: {last_line(stderr)}")
    return proc.stdout


def run_bytes(
    *args: str, cwd: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` with bytes out, whatever its exit status."""
    return _run(["git", *args], cwd, env, None, text=False)


def _run(
    argv: list[str],
    cwd: str | os.PathLike[str] | None,
    env: dict[str, str] | None,
    data: bytes | None,
    text: bool,
) -> subprocess.CompletedProcess[Any]:
    try:
        return subprocess.run(
            argv, cwd=cwd, env=env, input=data, capture_output=True, text=text, check=False
        )
    except FileNotFoundError as exc:
        raise GitError("git was not found on PATH; install git and try again") from exc


def last_line(stderr: str) -> str:
    """The last line git wrote to stderr (its reason), or 'no output'."""
    return (stderr.strip().splitlines()[-1:] or ["no output"])[0]


def merge_file(
    ours: str,
    base: str,
    theirs: str,
    labels: tuple[str, str, str],
    marker_size: int = 7,
    style: str = "diff3",
    algorithm: str | None = None,
) -> tuple[bytes, int]:
    """git's own 3-way merge of three files: (the merged bytes, git's exit status).

    The status is the number of conflicts, or MERGE_FILE_ERROR when git refused (a binary
    file, say, or an ``algorithm`` it does not know: ``--diff-algorithm`` needs git 2.44).
    ``style`` is ``diff3``, ``zdiff3`` or ``merge``. Nothing is written to disk.
    """
    args = ["git", "merge-file", "-p", f"--marker-size={marker_size}"]
    if style != "merge":  # "merge", git's default style, has no flag
        args.append(f"--{style}")
    if algorithm is not None:
        args.append(f"--diff-algorithm={algorithm}")
    for label in labels:
        args += ["-L", label]
    proc = subprocess.run([*args, ours, base, theirs], capture_output=True, check=False)
    status = proc.returncode
    if status < 0 or status > 127:
        return proc.stdout, MERGE_FILE_ERROR
    return proc.stdout, status


class BlobReader:
    """One long-lived ``git cat-file --batch``: objects read one at a time, by name."""

    def __init__(
        self,
        *options: str,
        cwd: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self._proc = subprocess.Popen(
            ["git", *options, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )

    def read(self, spec: str) -> tuple[bytes, bytes] | None:
        """(the object's type, its bytes), or None when ``spec`` names no object."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(spec.encode("utf-8") + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) != 3:
            return None  # "<spec> missing" (or ambiguous)
        data = self._proc.stdout.read(int(header[2]))
        self._proc.stdout.read(1)
        return header[1], data

    def close(self) -> None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.close()
        self._proc.wait()
        self._proc.stdout.close()


def cat_blobs(root: str | os.PathLike[str], oids: Sequence[str]) -> list[bytes | None]:
    """The bytes of each object in ``oids`` (None when missing), in one git process."""
    out = git_bytes(root, "cat-file", "--batch", data="".join(f"{o}\n" for o in oids).encode())
    blobs: list[bytes | None] = []
    for _ in oids:
        header, _, out = out.partition(b"\n")
        fields = header.split()
        if len(fields) != 3:  # "<oid> missing": nothing follows
            blobs.append(None)
            continue
        size = int(fields[2])
        blobs.append(out[:size])
        out = out[size + 1 :]
    return blobs


# -- the repository --------------------------------------------------------------------


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
                return os.path.normpath(os.path.join(folder, text[len("gitdir:") :].strip()))
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def find_repository(
    cwd: str | os.PathLike[str] = ".", outside: str = NOT_A_REPOSITORY
) -> Repository:
    """The working tree and git directory around ``cwd``: the one way santamerge looks
    up a repository. Outside one, a SantamergeError: the folder, then ``outside``."""
    proc = run_git(
        "rev-parse",
        "--is-bare-repository",
        "--absolute-git-dir",
        "--show-toplevel",
        cwd=cwd,
        check=False,
    )
    lines = proc.stdout.splitlines()
    if proc.returncode == 0 and len(lines) == 3 and lines[2]:
        return Repository(lines[2], lines[1])
    if lines[:1] == ["true"]:
        raise GitError("this is a bare repository; run it in a working tree")
    raise SantamergeError(f"{os.path.abspath(cwd)} {outside}")


def repo_root(cwd: str | os.PathLike[str] = ".") -> Path:
    """The working tree's top folder, or a clear error outside a repository."""
    from pathlib import Path

    return Path(find_repository(cwd).root)


def root_of(path: str) -> str | None:
    """The working tree holding the file ``path``, or None outside one."""
    try:
        return find_repository(os.path.dirname(os.path.abspath(path))).root
    except SantamergeError:
        return None


def tracked_files(root: str) -> list[str]:
    """The paths git tracks in ``root`` (git ls-files); none when it cannot list them."""
    proc = run_bytes("-C", root, "ls-files", "-z")
    return [p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]


def staged_files() -> list[str]:
    """The files added, copied or changed in the index, relative to the current folder."""
    proc = run_bytes("diff", "--cached", "--name-only", "--diff-filter=ACM", "-z")
    if proc.returncode != 0:
        raise SantamergeError(
            "no FILES given and not inside a git repository; name the files to fill"
        )
    top = run_git("rev-parse", "--show-toplevel", check=False).stdout.strip()
    return [
        os.path.relpath(os.path.join(top, p))
        for p in proc.stdout.decode("utf-8", "replace").split("\0")
        if p
    ]


def head_from_files(git_dir: str) -> str | None:
    """HEAD's commit, read from the git directory's files without running git (the merge
    driver stores it with each attempt, to tell one merge's attempts from another's);
    None when it cannot be read that way."""

    def read(path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                return fh.read().strip()
        except OSError:
            return None

    head = read(os.path.join(git_dir, "HEAD"))
    if not head or not head.startswith("ref:"):
        return head or None
    ref = head[4:].strip()
    common = read(os.path.join(git_dir, "commondir"))
    folders = [git_dir] + ([os.path.normpath(os.path.join(git_dir, common))] if common else [])
    for folder in folders:
        if (oid := read(os.path.join(folder, ref))) is not None:
            return oid or None
    for folder in folders:
        for line in (read(os.path.join(folder, "packed-refs")) or "").splitlines():
            oid, _, name = line.partition(" ")
            if name == ref:
                return oid
    return None


def writes_working_tree(git_dir: str | None) -> bool:
    """Whether the git command running the merge driver merges into the working tree
    (merge, rebase, cherry-pick, revert, stash, checkout -m, am): each holds the index
    lock while it merges. ``git merge-tree`` holds none: it writes no index and no
    working tree. (``MERGE_HEAD`` and ``CHERRY_PICK_HEAD`` tell nothing here: git writes
    them after the merge, once it stops for a conflict.)"""
    if git_dir is None:
        return False
    given = os.environ.get("GIT_INDEX_FILE")  # relative: to the top folder, git's cwd
    index = os.path.abspath(given) if given else os.path.join(git_dir, "index")
    return os.path.exists(index + ".lock")


def operation_in_progress(repo: Repository) -> bool:
    """A merge, cherry-pick, revert or rebase has stopped and waits for the person."""
    names = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")
    return any(os.path.exists(os.path.join(repo.git_dir, n)) for n in names)


def index_entries(repo: Repository, path: str) -> list[IndexEntry]:
    """Every index entry of ``path`` (stage 0, or its unmerged stages)."""
    return _entries(git_bytes(repo.root, "ls-files", "-s", "-z", "--", path), path)


def write_blob(repo: Repository, data: bytes) -> str:
    """Store ``data`` as a blob, as it is (no filters); its id."""
    return (
        git_bytes(repo.root, "hash-object", "-w", "--no-filters", "--stdin", data=data)
        .decode()
        .strip()
    )


def head_commit(repo: Repository) -> str | None:
    return (
        run_git("rev-parse", "-q", "--verify", "HEAD", cwd=repo.root, check=False).stdout.strip()
        or None
    )


# -- a conflicted merge ----------------------------------------------------------------


def conflicted_paths(repo: Repository) -> list[str]:
    """The paths git lists as conflicted, in the repository, in git's order."""
    out = git_bytes(repo.root, "diff", "--name-only", "--diff-filter=U", "-z")
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def unmerged_entries(repo: Repository, path: str) -> list[IndexEntry]:
    return _entries(git_bytes(repo.root, "ls-files", "-u", "-z", "--", path), path)


def _entries(out: bytes, path: str) -> list[IndexEntry]:
    """``git ls-files -s -z`` (or ``-u``) output: the entries of ``path``."""
    entries = []
    for record in filter(None, out.split(b"\0")):
        head, _, name = record.decode("utf-8", "surrogateescape").partition("\t")
        mode, oid, stage = head.split()
        if name == path:
            entries.append(IndexEntry(mode, oid, int(stage), name))
    return entries


def merge_message(repo: Repository) -> str | None:
    """The first line of ``.git/MERGE_MSG``, for the ranker; None when there is none."""
    try:
        with open(
            os.path.join(repo.git_dir, "MERGE_MSG"), encoding="utf-8", errors="replace"
        ) as fh:
            first = fh.readline().strip()
    except OSError:
        return None
    return first or None


def marker_size_attribute(repo: Repository, path: str) -> int:
    """``conflict-marker-size`` from .gitattributes, else 7."""
    out = git_bytes(repo.root, "check-attr", "-z", "conflict-marker-size", "--", path)
    fields = out.split(b"\0")
    try:
        return max(1, int(fields[2]))
    except (IndexError, ValueError):
        return 7


def stage_bytes(repo: Repository, path: str, stage: int) -> bytes:
    """Index stage ``stage`` of ``path``, through the working tree's filters."""
    return git_bytes(repo.root, "cat-file", "--filters", f":{stage}:{path}")


def add(repo: Repository, path: str) -> None:
    git_bytes(repo.root, "add", "--", path)


def restore_unmerged(repo: Repository, path: str, entries: Sequence[IndexEntry]) -> None:
    """Put ``path`` back in the index as unmerged: drop its stage 0, add its stages."""
    zero = "0" * len(entries[0].oid)
    lines = [f"0 {zero}\t{path}", *(e.line() for e in sorted(entries, key=lambda e: e.stage))]
    data = "".join(line + "\0" for line in lines).encode("utf-8", "surrogateescape")
    git_bytes(repo.root, "update-index", "-z", "--index-info", data=data)


# -- config ----------------------------------------------------------------------------


def start_config_read(prefix: str, cwd: str | None = None) -> subprocess.Popen[str]:
    """Start reading git config ``prefix.*`` in the background; see finish_config_read."""
    return subprocess.Popen(
        ["git", "config", "--null", "--get-regexp", f"^{prefix}\\."],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
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
    proc = run_git(
        "config",
        "--global" if global_ else "--local",
        "--remove-section",
        section,
        cwd=cwd,
        check=False,
    )
    return proc.returncode == 0


def global_config_file() -> Path:
    """The file ``git config --global`` writes: $GIT_CONFIG_GLOBAL, else ~/.gitconfig,
    unless only $XDG_CONFIG_HOME/git/config exists."""
    from pathlib import Path

    if os.environ.get("GIT_CONFIG_GLOBAL"):
        return Path(os.environ["GIT_CONFIG_GLOBAL"]).expanduser()
    home = Path(os.path.expanduser("~")) / ".gitconfig"
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    if not home.exists() and (Path(xdg) / "git" / "config").exists():
        return Path(xdg) / "git" / "config"
    return home


def git_path(repo: Repository, name: str) -> Path:
    """``git rev-parse --git-path NAME``: where git keeps ``NAME`` for this working tree
    (``info/attributes`` and ``config`` are shared by every worktree of a clone)."""
    from pathlib import Path

    out = run_git("rev-parse", "--git-path", name, cwd=repo.root).stdout.strip()
    return Path(repo.root, out)


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


def history_reader(repo: Repository) -> Callable[[str], dict[str, Any] | None]:
    """During a merge (``MERGE_HEAD``), the learned ranker's history facts of a path
    (:func:`history_facts`), with HEAD as ours; outside a merge, None for every path."""
    try:
        with open(os.path.join(repo.git_dir, "MERGE_HEAD"), encoding="utf-8") as fh:
            heads = fh.read().split()
    except OSError:
        heads = []
    if len(heads) != 1:  # no merge, or an octopus
        return lambda path: None

    def run(*args: str) -> str | None:
        proc = run_git(*args, cwd=repo.root, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    return history_facts(run, "HEAD", heads[0])


HISTORY_MAX_COUNT = 5000  # commits counted per side; beyond this a side is "far ahead"


def history_facts(
    run: Callable[..., str | None], ours: str, theirs: str
) -> Callable[[str], dict[str, Any] | None]:
    """The history facts of a path in the merge of ``ours`` and ``theirs``: how many
    commits each side made since the merge base (at most :data:`HISTORY_MAX_COUNT`), the
    sides' commit times (these two read once per merge), when each side last touched the
    path since the base (0 if it did not) and how many of its commits did; None where git
    cannot say. ``run(*git_args)`` is git's output, or None when it failed."""
    found = run("merge-base", ours, theirs)
    if not found:
        return lambda path: None
    base = found.split()[0]

    def number(text: str | None) -> int:
        return int(text) if text and text.isdigit() else 0

    cap = f"--max-count={HISTORY_MAX_COUNT}"
    merge: dict[str, Any] = {}
    for side, rev in (("ours", ours), ("theirs", theirs)):
        merge[f"ahead_{side}"] = number(run("rev-list", "--count", cap, f"{base}..{rev}"))
        merge[f"time_{side}"] = number(run("log", "-1", "--format=%ct", rev))

    def of_path(path: str) -> dict[str, Any]:
        one = dict(merge)
        for side, rev in (("ours", ours), ("theirs", theirs)):
            one[f"touched_{side}"] = number(
                run("log", "-1", "--format=%ct", f"{base}..{rev}", "--", path)
            )
            one[f"commits_{side}"] = number(
                run("rev-list", "--count", cap, f"{base}..{rev}", "--", path)
            )
        return one

    return of_path

"""``santamerge resolve``: propose, and on request write, the learned ranker's choice for
every conflict hunk left by a conflicted ``git merge``, ``git rebase`` or
``git cherry-pick``; back up what it writes, and undo it.

It only ever reads for writing, and writes, paths that git lists as conflicted
(``git diff --name-only --diff-filter=U``). For each one the text proposed on is the
working-tree file when it holds diff3 markers, else git's diff3 merge rebuilt from the
index stages 1, 2 and 3. See docs/resolve.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import GitError, SantamergeError

if TYPE_CHECKING:
    from santamerge.config import Settings
    from santamerge.model.backends.base import Backend

LABELS = ("ours", "base", "theirs")
BACKUP_DIR = ("santamerge", "resolve-backup")
MANIFEST = "manifest.json"
MANIFEST_SCHEMA = 1
KEEP_BACKUPS = 20  # the newest backups kept; older ones are removed by the next --accept

Note = Callable[[str], None]


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


class Source(NamedTuple):
    """One conflicted file and the diff3 text to propose on."""

    path: str  # in the repository, with '/'
    full: str  # the working-tree file
    shown: str  # as shown to the person (relative to the current folder)
    original: bytes  # the working-tree bytes as read
    text: str  # git's diff3 merge: the working-tree text, or rebuilt from the index
    marker_size: int | None  # None: taken from the markers
    rebuilt: bool  # True: the text was rebuilt from the index stages
    labels: tuple[str, str, str]


# -- git -------------------------------------------------------------------------------


def git_bytes(root: str, *args: str, data: bytes | None = None) -> bytes:
    """The standard output of ``git --literal-pathspecs ARGS`` run in ``root``."""
    try:
        proc = subprocess.run(["git", "--literal-pathspecs", *args], cwd=root, input=data,
                              capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GitError("git was not found on PATH; install git and try again") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            "no output"]
        raise GitError(f"'git {' '.join(args)}' failed: {detail[0]}")
    return proc.stdout


def find_repository(cwd: str = ".") -> Repository:
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"],
                          cwd=cwd, capture_output=True, text=True, check=False)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != 2 or not lines[0]:
        raise SantamergeError(f"{os.path.abspath(cwd)} is not inside a git working tree; "
                              "run santamerge resolve in the repository with the conflicts")
    return Repository(lines[0], lines[1])


def conflicted_paths(repo: Repository) -> list[str]:
    """The paths git lists as conflicted, in the repository, in git's order."""
    out = git_bytes(repo.root, "diff", "--name-only", "--diff-filter=U", "-z")
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def unmerged_entries(repo: Repository, path: str) -> list[IndexEntry]:
    out = git_bytes(repo.root, "ls-files", "-u", "-z", "--", path)
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
        with open(os.path.join(repo.git_dir, "MERGE_MSG"), encoding="utf-8",
                  errors="replace") as fh:
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


# -- which files -----------------------------------------------------------------------


def select_paths(repo: Repository, conflicted: Sequence[str], given: Sequence[str],
                 cwd: str, note: Note) -> list[str]:
    """``conflicted``, restricted to ``given`` (files or folders, relative to ``cwd``);
    a given path that is not conflicted gets a note and is skipped."""
    if not given:
        return list(conflicted)
    root = os.path.realpath(repo.root)
    chosen: set[str] = set()
    for raw in dict.fromkeys(given):
        absolute = os.path.abspath(os.path.join(cwd, raw))
        real = os.path.join(os.path.realpath(os.path.dirname(absolute)),
                            os.path.basename(absolute))
        rel = os.path.relpath(real, root).replace(os.sep, "/")
        if rel == ".":
            rel = ""
        if rel.startswith("../") or rel == "..":
            note(f"{raw}: outside this repository; skipped")
            continue
        inside = [p for p in conflicted if p == rel or not rel or p.startswith(rel + "/")]
        if not inside:
            note(f"{raw}: not conflicted (git diff --diff-filter=U does not list it); skipped")
        chosen.update(inside)
    return [p for p in conflicted if p in chosen]


def shown_path(repo: Repository, path: str, cwd: str) -> str:
    full = os.path.join(repo.root, path)
    try:
        return os.path.relpath(full, os.path.realpath(cwd))
    except ValueError:
        return full


def load_source(repo: Repository, path: str, cwd: str, max_bytes: int,
                note: Note, force: bool = False) -> Source | None:
    """The diff3 text to propose on for the conflicted ``path``; None (with a note)
    when santamerge cannot propose on it, or must not write it.

    The working-tree file is the conflict only while it holds git's markers. A file
    without markers was resolved by a person (not yet ``git add``-ed); a file whose
    markers are not the ones git would write for its index stages was edited. Neither
    is proposed on, so that nothing writes over a person's work, unless ``force``: then
    git's diff3 merge is rebuilt from the index (and ``--accept`` backs the file up
    before it writes)."""
    from santamerge.merge.locate import has_markers

    full = os.path.join(repo.root, path)
    shown = shown_path(repo, path, cwd)
    if os.path.islink(full) or not os.path.isfile(full):
        note(f"{shown}: not a regular file in the working tree; skipped")
        return None
    if not os.path.realpath(full).startswith(os.path.realpath(repo.root) + os.sep):
        note(f"{shown}: outside the working tree; skipped")
        return None
    with open(full, "rb") as fh:
        original = fh.read(max_bytes + 1)
    if len(original) > max_bytes:
        note(f"{shown}: larger than {max_bytes} bytes; skipped")
        return None
    text = _text(original)
    if text is None:
        note(f"{shown}: binary or not UTF-8 text; skipped")
        return None
    entries = unmerged_entries(repo, path)
    if sides_hold_markers(repo, entries):
        note(f"{shown}: a side of the conflict already holds lines that look like conflict "
             "markers, which cannot be told from git's; not touched (resolve it by hand)")
        return None
    marked = has_markers(text)
    if marked and _diff3(text):
        first = _first_hunk_labels(text)
        return Source(path, full, shown, original, text, None, False, first)
    if not marked and not force:
        if _complete_stages(entries, shown, note):
            note(f"{shown}: no conflict markers in the working tree: resolved by hand? Not "
                 "touched; `git add` it when it is right (--force proposes on git's merge "
                 "rebuilt from the index, and --accept then backs the file up first)")
        return None
    rebuilt = _rebuild(repo, path, entries, shown, note)
    if rebuilt is None:
        return None
    merged, size, plain = rebuilt
    if marked and not force and not same_conflict(text, plain, size):
        note(f"{shown}: its conflict markers are not the ones git wrote (edited by hand?); "
             "not touched (--force proposes on git's merge rebuilt from the index, and "
             "--accept then backs the file up first)")
        return None
    why = ("its markers have no base section (merge.conflictStyle is not diff3)"
           if marked else "no conflict markers in the working tree (--force)")
    note(f"{shown}: {why}; proposing on git's diff3 merge rebuilt from the index "
         "(stages 1-3)")
    return Source(path, full, shown, original, merged, size, True, LABELS)


def sides_hold_markers(repo: Repository, entries: Sequence[IndexEntry]) -> bool:
    """True when a side of a conflict (its unmerged index ``entries``) already holds
    lines that look like conflict markers: git's markers in the working tree cannot then
    be told from the file's own, and a hunk read from them may be cut in the wrong place
    (the merge driver steps aside for the same reason). One ``git cat-file`` for all."""
    from santamerge.merge.locate import has_markers

    oids = [e.oid for e in entries if e.mode.startswith("100")]
    if not oids:
        return False
    out = git_bytes(repo.root, "cat-file", "--batch", data="".join(
        f"{oid}\n" for oid in oids).encode())
    for _ in oids:
        header, _, out = out.partition(b"\n")
        fields = header.split()
        if len(fields) != 3:  # "<oid> missing": nothing follows
            continue
        size = int(fields[2])
        text = _text(out[:size])
        out = out[size + 1:]
        if text is not None and has_markers(text):
            return True
    return False


def same_conflict(worktree: str, plain: str, marker_size: int) -> bool:
    """True when ``worktree`` is git's merge-style conflict ``plain`` (the same text
    outside the hunks, the same ours and theirs in each), whatever the labels."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    def shape(text: str) -> list[object]:
        return [c if isinstance(c, str) else (c.ours, c.theirs)
                for c in parse_conflicts(text, marker_size).chunks]

    try:
        return shape(worktree) == shape(plain)
    except MarkerError:
        return False


def _text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _diff3(text: str) -> bool:
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        hunks = parse_conflicts(text).hunks
    except MarkerError:
        return False
    return bool(hunks) and all(h.base is not None for h in hunks)


def _first_hunk_labels(text: str) -> tuple[str, str, str]:
    from santamerge.merge.locate import parse_conflicts

    first = parse_conflicts(text).hunks[0]
    return (first.ours_label, first.base_label, first.theirs_label)


def _complete_stages(entries: Sequence[IndexEntry], shown: str, note: Note) -> bool:
    """True when ``entries`` are the index stages 1, 2 and 3 of a file (a content
    conflict); else False, with a note saying what kind of conflict it is."""
    stages = {e.stage: e for e in entries}
    missing = [s for s in (1, 2, 3) if s not in stages]
    if missing:
        kinds: dict[tuple[int, ...], str] = {
            (1,): "added on both sides", (2,): "deleted on our side",
            (3,): "deleted on their side"}
        kind = kinds.get(tuple(missing), "not on every side")
        note(f"{shown}: {kind} (no index stage {', '.join(map(str, missing))}); "
             "santamerge merges content conflicts only; skipped")
        return False
    if any(not e.mode.startswith("100") for e in entries):
        note(f"{shown}: a symbolic link or submodule conflict; skipped")
        return False
    return True


def _rebuild(repo: Repository, path: str, entries: Sequence[IndexEntry], shown: str,
             note: Note) -> tuple[str, int, str] | None:
    """git's diff3 merge of the index stages 1, 2 and 3, through the working tree's
    filters, its marker size, and the same merge in the plain ``merge`` style (what
    ``git merge`` leaves in the working tree by default); None (with a note) when a
    stage is missing or it is not text."""
    from santamerge import git

    if not _complete_stages(entries, shown, note):
        return None
    size = marker_size_attribute(repo, path)
    with tempfile.TemporaryDirectory(prefix="santamerge-resolve-") as folder:
        files = {}
        for stage, name in ((1, "base"), (2, "ours"), (3, "theirs")):
            data = git_bytes(repo.root, "cat-file", "--filters", f":{stage}:{path}")
            if _text(data) is None:
                note(f"{shown}: binary or not UTF-8 text; skipped")
                return None
            files[name] = os.path.join(folder, name)
            with open(files[name], "wb") as fh:
                fh.write(data)
        merged, status = git.merge_file(files["ours"], files["base"], files["theirs"], LABELS,
                                        size)
        plain, _ = git.merge_file(files["ours"], files["base"], files["theirs"], LABELS,
                                  size, style="merge")
    text = _text(merged)
    if status == git.MERGE_FILE_ERROR or text is None:
        note(f"{shown}: git merge-file refused its stages (binary?); skipped")
        return None
    if status == 0:
        note(f"{shown}: git merge-file merges its stages cleanly (git's merge differed: a "
             "rename, or merge options); nothing to propose; skipped")
        return None
    return text, size, _text(plain) or ""


# -- the model -------------------------------------------------------------------------


def open_model(settings: Settings, note: Note) -> Backend | None:
    """One backend for every file: the configured server, else the auto-started local
    server when it already answers, else the model loaded in this process; None (with a
    note) when none can be had."""
    try:
        if settings.server:
            from santamerge.model.backends.choose import open_backend

            return open_backend(settings)
        running = running_local_server(settings)
        if running is not None:
            return running
        from santamerge.model.backends.base import load_backend

        return load_backend(settings.model, device=settings.device)
    except (SantamergeError, ImportError) as exc:
        message = str(exc) if isinstance(exc, SantamergeError) else (
            f"{type(exc).__name__}: {exc}")
        note(f"no model ({message}); proposing without it")
        return None


def running_local_server(settings: Settings) -> Backend | None:
    """The auto-started ``santamerge serve`` for the settings' model and device, if it
    already answers; nothing is started. None when ``autostart`` is off: that setting
    also means "use no server this process did not ask for"."""
    from santamerge.model.backends.base import BackendError
    from santamerge.model.backends.http import HttpBackend
    from santamerge.model.serve.autostart import local_server

    if not settings.autostart:
        return None
    server = local_server(settings.model, settings.device)
    if not server.socket.exists():
        return None
    backend = HttpBackend("unix://" + str(server.socket), name=settings.model,
                          timeout=settings.server_timeout, connect_timeout=1.0, retries=0)
    try:
        healthy = backend.health(timeout=2.0).get("status") == "ok"
    except BackendError:
        return None
    return backend if healthy else None


# -- backups and undo ------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def backup_root(repo: Repository) -> Path:
    return Path(repo.git_dir, *BACKUP_DIR)


class Backup:
    """A folder under ``.git/santamerge/resolve-backup/`` with every file about to be
    written, byte for byte, and ``manifest.json``."""

    def __init__(self, repo: Repository, files: Iterable[tuple[Source, bytes]],
                 threshold: float) -> None:
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}"
        self.folder = backup_root(repo) / f"{stamp}-{os.getpid()}"
        self.folder.mkdir(parents=True)
        self.entries: list[dict[str, Any]] = []
        for number, (source, written) in enumerate(files):
            copy = f"{number:04d}-{os.path.basename(source.path)}"
            with open(self.folder / copy, "wb") as fh:
                fh.write(source.original)
                fh.flush()
                os.fsync(fh.fileno())
            self.entries.append({
                "path": source.path, "copy": copy, "original_sha256": sha256(source.original),
                "written_sha256": sha256(written), "rebuilt": source.rebuilt,
                "staged": False, "unmerged": [],
            })
        self.body: dict[str, Any] = {"schema": MANIFEST_SCHEMA, "created": stamp,
                                     "head": head_commit(repo), "threshold": threshold,
                                     "files": self.entries}
        self.save()
        older = sorted(p for p in backup_root(repo).iterdir() if p.is_dir())[:-KEEP_BACKUPS]
        for folder in older:
            shutil.rmtree(folder, ignore_errors=True)

    def staged(self, path: str, entries: Sequence[IndexEntry]) -> None:
        for entry in self.entries:
            if entry["path"] == path:
                entry["staged"] = True
                entry["unmerged"] = [e._asdict() for e in entries]
        self.save()

    def save(self) -> None:
        tmp = self.folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.body, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.folder / MANIFEST)


class UndoResult(NamedTuple):
    folder: Path
    restored: tuple[str, ...]
    unstaged: tuple[str, ...]  # paths whose unmerged index entries came back


def head_commit(repo: Repository) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=repo.root,
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() or None


def latest_backup(repo: Repository) -> Path | None:
    root = backup_root(repo)
    if not root.is_dir():
        return None
    folders = sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())
    return folders[-1] if folders else None


def undo(repo: Repository, force: bool = False) -> UndoResult:
    """Restore the most recent backup: each file's bytes, and the unmerged index entries
    of the files that ``--add`` staged; then remove the backup."""
    from santamerge.files import write_atomically

    folder = latest_backup(repo)
    if folder is None:
        raise SantamergeError(f"nothing to undo: no backup under {backup_root(repo)} "
                              "(santamerge resolve --accept makes one before it writes)")
    try:
        body = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = list(body["files"])
        copies = {f["path"]: (folder / f["copy"]).read_bytes() for f in files}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SantamergeError(f"the backup {folder} cannot be read ({exc}); nothing was "
                              "restored") from None
    if not force and body.get("head") != head_commit(repo):
        raise SantamergeError("HEAD moved since santamerge resolve wrote its files (a commit, "
                              "or the merge was finished or aborted); nothing was restored "
                              "(--force restores them anyway)")
    for f in files:
        if sha256(copies[f["path"]]) != f["original_sha256"]:
            raise SantamergeError(f"the backup of {f['path']} in {folder} is damaged (its "
                                  "sha256 differs); nothing was restored")
        if force:
            continue
        full = os.path.join(repo.root, f["path"])
        try:
            current: bytes | None = Path(full).read_bytes()
        except OSError:
            current = None
        if current is None or sha256(current) != f["written_sha256"]:
            raise SantamergeError(f"{f['path']} changed since santamerge resolve wrote it; "
                                  "nothing was restored (--force restores it anyway and "
                                  "loses those changes)")
    restored, unstaged = [], []
    for f in files:
        full = os.path.join(repo.root, f["path"])
        if os.path.islink(full):
            os.unlink(full)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        write_atomically(full, copies[f["path"]])
        restored.append(f["path"])
        if f.get("staged") and f.get("unmerged"):
            entries = [IndexEntry(e["mode"], e["oid"], int(e["stage"]), e["path"])
                       for e in f["unmerged"]]
            restore_unmerged(repo, f["path"], entries)
            unstaged.append(f["path"])
    shutil.rmtree(folder)
    return UndoResult(folder, tuple(restored), tuple(unstaged))


def restore_unmerged(repo: Repository, path: str, entries: Sequence[IndexEntry]) -> None:
    """Put ``path`` back in the index as unmerged: drop its stage 0, add its stages."""
    zero = "0" * len(entries[0].oid)
    lines = [f"0 {zero}\t{path}", *(e.line() for e in sorted(entries, key=lambda e: e.stage))]
    data = "".join(line + "\0" for line in lines).encode("utf-8", "surrogateescape")
    git_bytes(repo.root, "update-index", "-z", "--index-info", data=data)

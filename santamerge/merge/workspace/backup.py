"""What ``santamerge resolve --accept`` writes, and how ``--undo`` puts it back.

Before it writes, resolve copies every file it will write, byte for byte, to
``.git/santamerge/resolve-backup/<time>-<pid>/`` with a ``manifest.json``; ``undo``
restores the newest such backup: each file's bytes and, for files it staged, their
unmerged index entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import git
from santamerge.errors import SantamergeError
from santamerge.git import IndexEntry, Repository

if TYPE_CHECKING:
    from santamerge.merge.workspace.sources import Source

BACKUP_DIR = ("santamerge", "resolve-backup")
MANIFEST = "manifest.json"
MANIFEST_SCHEMA = 1
KEEP_BACKUPS = 20  # the newest backups kept; older ones are removed by the next --accept

Note = Callable[[str], None]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def backup_root(repo: Repository) -> Path:
    return Path(repo.git_dir, *BACKUP_DIR)


class Backup:
    """A folder under ``.git/santamerge/resolve-backup/`` with every file about to be
    written, byte for byte, and ``manifest.json``."""

    def __init__(
        self, repo: Repository, files: Iterable[tuple[Source, bytes]], threshold: float | None
    ) -> None:
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}"
        self.folder = backup_root(repo) / f"{stamp}-{os.getpid()}"
        self.folder.mkdir(parents=True)
        self.entries = [
            self._copy(number, source, written) for number, (source, written) in enumerate(files)
        ]
        self.body: dict[str, Any] = {
            "schema": MANIFEST_SCHEMA,
            "created": stamp,
            "head": git.head_commit(repo),
            "threshold": threshold,
            "files": self.entries,
        }
        self.save()
        older = sorted(p for p in backup_root(repo).iterdir() if p.is_dir())[:-KEEP_BACKUPS]
        for folder in older:
            shutil.rmtree(folder, ignore_errors=True)

    def _copy(self, number: int, source: Source, written: bytes) -> dict[str, Any]:
        copy = f"{number:04d}-{os.path.basename(source.path)}"
        with open(self.folder / copy, "wb") as fh:
            fh.write(source.original)
            fh.flush()
            os.fsync(fh.fileno())
        return {
            "path": source.path,
            "copy": copy,
            "original_sha256": sha256(source.original),
            "written_sha256": sha256(written),
            "rebuilt": source.rebuilt,
            "staged": False,
            "unmerged": [],
        }

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


# -- writing ---------------------------------------------------------------------------


class Written(NamedTuple):
    folder: Path | None  # the backup; None when nothing was written
    paths: frozenset[str]  # the files written, in the repository
    staged: frozenset[str]  # those of them that were staged (git add)


def write_resolved(
    repo: Repository,
    files: Sequence[tuple[Source, str]],
    threshold: float | None,
    add: bool,
    note: Note,
) -> Written:
    """Back up, then write each file's new text; a file that changed since it was read
    is left alone (with a note). With ``add``, stage each written file that holds no
    conflict markers any more."""
    from santamerge.files import write_atomically

    planned = [(s, text) for s, text in files if _unchanged(s, note)]
    if not planned:
        return Written(None, frozenset(), frozenset())
    backup = Backup(repo, [(s, text.encode("utf-8")) for s, text in planned], threshold)
    for source, text in planned:
        write_atomically(source.full, text.encode("utf-8"))
    staged = _stage(repo, planned, backup) if add else frozenset()
    return Written(backup.folder, frozenset(s.path for s, _ in planned), staged)


def _unchanged(source: Source, note: Note) -> bool:
    with open(source.full, "rb") as fh:
        if fh.read() == source.original:
            return True
    note(f"{source.shown}: changed while santamerge was proposing; not written")
    return False


def _stage(
    repo: Repository, planned: Sequence[tuple[Source, str]], backup: Backup
) -> frozenset[str]:
    from santamerge.merge.locate import has_markers

    staged = set()
    for source, text in planned:
        if has_markers(text):
            continue
        entries = git.unmerged_entries(repo, source.path)
        git.add(repo, source.path)
        backup.staged(source.path, entries)
        staged.add(source.path)
    return frozenset(staged)


# -- undo ------------------------------------------------------------------------------


class UndoResult(NamedTuple):
    folder: Path
    restored: tuple[str, ...]
    unstaged: tuple[str, ...]  # paths whose unmerged index entries came back


def latest_backup(repo: Repository) -> Path | None:
    root = backup_root(repo)
    if not root.is_dir():
        return None
    folders = sorted(p for p in root.iterdir() if (p / MANIFEST).is_file())
    return folders[-1] if folders else None


def undo(repo: Repository, force: bool = False) -> UndoResult:
    """Restore the most recent backup: each file's bytes, and the unmerged index entries
    of the files that ``--add`` staged; then remove the backup."""
    folder = latest_backup(repo)
    if folder is None:
        raise SantamergeError(
            f"nothing to undo: no backup under {backup_root(repo)} "
            "(santamerge resolve --accept makes one before it writes)"
        )
    body, copies = _read_backup(folder)
    if not force and body.get("head") != git.head_commit(repo):
        raise SantamergeError(
            "HEAD moved since santamerge resolve wrote its files (a commit, "
            "or the merge was finished or aborted); nothing was restored "
            "(--force restores them anyway)"
        )
    files = list(body["files"])
    for f in files:
        _check(repo, folder, f, copies[f["path"]], force)
    restored, unstaged = [], []
    for f in files:
        _restore(repo, f["path"], copies[f["path"]])
        restored.append(f["path"])
        if f.get("staged") and f.get("unmerged"):
            entries = [
                IndexEntry(e["mode"], e["oid"], int(e["stage"]), e["path"]) for e in f["unmerged"]
            ]
            git.restore_unmerged(repo, f["path"], entries)
            unstaged.append(f["path"])
    shutil.rmtree(folder)
    return UndoResult(folder, tuple(restored), tuple(unstaged))


def _read_backup(folder: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and each file's backed-up bytes, by path."""
    try:
        body = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        copies = {f["path"]: (folder / f["copy"]).read_bytes() for f in list(body["files"])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SantamergeError(
            f"the backup {folder} cannot be read ({exc}); nothing was restored"
        ) from None
    return body, copies


def _check(repo: Repository, folder: Path, f: dict[str, Any], copy: bytes, force: bool) -> None:
    """Refuse a damaged copy, or (unless ``force``) a file changed since it was written."""
    if sha256(copy) != f["original_sha256"]:
        raise SantamergeError(
            f"the backup of {f['path']} in {folder} is damaged (its "
            "sha256 differs); nothing was restored"
        )
    if force:
        return
    try:
        current: bytes | None = Path(repo.root, f["path"]).read_bytes()
    except OSError:
        current = None
    if current is None or sha256(current) != f["written_sha256"]:
        raise SantamergeError(
            f"{f['path']} changed since santamerge resolve wrote it; "
            "nothing was restored (--force restores it anyway and "
            "loses those changes)"
        )


def _restore(repo: Repository, path: str, data: bytes) -> None:
    from santamerge.files import write_atomically

    full = os.path.join(repo.root, path)
    if os.path.islink(full):
        os.unlink(full)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    write_atomically(full, data)

"""Replay a repository's past merges, without touching it, and pair each conflict hunk
with what the people who made the merge committed.

For every two-parent merge commit, ``git merge-tree --write-tree`` (diff3 style) merges
its parents again, with git's own merge. It runs in a private scratch bare repository
(a temporary folder) that borrows the repository's objects as an alternate, with no
system, global or repository config and no attributes file in effect: whatever merge
driver (santamerge's included), ``merge=union`` attribute or ``merge.*`` setting the
repository has, the replay is the merge a fresh clone would get, and nothing in the
repository is written: no object, ref, index, working tree file or merge-driver
attempt. Each content-conflicted file (both sides have it, the merged
file holds markers, the merge commit kept it) is stored with the committed file as the
truth. Replays are cached per repository and merge commit, so a second run of the same
range reads JSON instead of merging.

:func:`match_hunks` finds each hunk's region in the committed file through the
unchanged lines around it (its anchors): up to three before and after, found in order.
A hunk whose anchors the merge commit changed, or that occurs ambiguously, is reported as
unmatched rather than guessed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import NamedTuple

from santamerge import git
from santamerge.errors import GitError, SantamergeError
from santamerge.merge.types import ConflictHunk, ParsedMerge
from santamerge.merge.workspace.scratch import repository_env as _repository_env
from santamerge.merge.workspace.scratch import scratch_repository

REPLAY_SCHEMA = 2  # 2: replayed in an isolated scratch repository (1 could use a driver)
ANCHOR_LINES = 3  # the unchanged lines on each side of a hunk that find it
MAX_FILE_BYTES = 1_000_000


class MergeCommit(NamedTuple):
    oid: str
    parents: tuple[str, str]
    date: str  # ISO 8601, committer date
    subject: str = ""  # the first line of its message ("Merge branch '3.1.x'")


class ConflictedFile(NamedTuple):
    merge: str  # the merge commit
    path: str
    marked: str  # git's merge of the parents, diff3 markers
    truth: str  # the file as committed in the merge
    subject: str = ""  # the merge commit's subject line


class Replay(NamedTuple):
    merge: MergeCommit
    files: tuple[ConflictedFile, ...]
    skipped: dict[str, int]  # why other conflicted paths were left out, counted


def git_dir_of(repo: str | os.PathLike[str]) -> Path:
    proc = git.run_git(
        "-C", str(repo), "rev-parse", "--absolute-git-dir", check=False, env=_repository_env()
    )
    if proc.returncode != 0:
        raise SantamergeError(f"{repo} is not a git repository; pass --repo with the path of one")
    return Path(proc.stdout.strip())


def list_merges(
    git_dir: Path, rev: str = "HEAD", limit: int | None = None, since: str | None = None
) -> list[MergeCommit]:
    """Two-parent merge commits reachable from ``rev``, newest first."""
    args = [
        "--git-dir",
        str(git_dir),
        "--no-replace-objects",
        "-c",
        "log.showSignature=false",
        "log",
        "--merges",
        "--format=%H %P|%cI|%s",
        rev,
    ]
    if since:
        args.append(f"--since={since}")
    proc = git.run_git(*args, check=False, env=_repository_env())
    if proc.returncode != 0:
        raise GitError(f"could not list the merges of {rev}: {git.last_line(proc.stderr)}")
    merges = []
    for line in proc.stdout.splitlines():
        ids, _, rest = line.partition("|")
        date, _, subject = rest.partition("|")
        oids = ids.split()
        if len(oids) == 3:
            merges.append(MergeCommit(oids[0], (oids[1], oids[2]), date, subject))
            if limit is not None and len(merges) >= limit:
                break
    return merges


class Replayer:
    """Replays merges of one repository in a private scratch repository, with a cache."""

    def __init__(self, git_dir: Path, cache: Path | None, paths: str | None = None) -> None:
        self.git_dir = git_dir
        self.cache = cache
        self.paths = paths
        self.scratch = Path(tempfile.mkdtemp(prefix="santamerge-replay-"))
        try:
            self.env = scratch_repository(git_dir, self.scratch)
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self._cat: git.BlobReader | None = None

    def close(self) -> None:
        if self._cat is not None:
            self._cat.close()
            self._cat = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Replayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replay(self, merge: MergeCommit) -> tuple[Replay, bool]:
        """The merge's conflicted files, and whether they came from the cache."""
        cached = self._cached(merge)
        if cached is not None:
            return self._filtered(cached), True
        replay = self._replay(merge)
        self._store(replay)
        return self._filtered(replay), False

    def _filtered(self, replay: Replay) -> Replay:
        if not self.paths:
            return replay
        kept = tuple(f for f in replay.files if fnmatch.fnmatch(f.path, self.paths))
        return replay._replace(files=kept)

    def _replay(self, merge: MergeCommit) -> Replay:
        ours, theirs = merge.parents
        proc = git.run_bytes(
            "--git-dir",
            str(self.scratch),
            "merge-tree",
            "--write-tree",
            "--name-only",
            "-z",
            "--no-messages",
            ours,
            theirs,
            cwd=self.scratch,
            env=self.env,
        )
        skipped: dict[str, int] = {}
        if proc.returncode not in (0, 1):
            skipped["merge-tree failed"] = 1
            return Replay(merge, (), skipped)
        fields = proc.stdout.split(b"\0")
        tree = fields[0].decode()
        paths = list(dict.fromkeys(p.decode("utf-8", "replace") for p in fields[1:] if p))
        files = []
        for path in paths:
            why, found = self._conflicted_file(merge, tree, path)
            if found is None:
                skipped[why] = skipped.get(why, 0) + 1
            else:
                files.append(found)
        return Replay(merge, tuple(files), skipped)

    def _conflicted_file(
        self, merge: MergeCommit, tree: str, path: str
    ) -> tuple[str, ConflictedFile | None]:
        from santamerge.merge.locate import has_markers

        ours, theirs = merge.parents
        sides = [self._blob(f"{rev}:{path}") for rev in (ours, theirs)]
        if any(s is None for s in sides):
            return "not on both sides (add/delete, rename)", None
        marked, truth = self._blob(f"{tree}:{path}"), self._blob(f"{merge.oid}:{path}")
        if marked is None:
            return "no merged file", None
        if truth is None:
            return "deleted by the merge", None
        if any(len(b) > MAX_FILE_BYTES or b"\0" in b for b in (marked, truth)):
            return "binary or too large", None
        try:
            marked_text, truth_text = marked.decode("utf-8"), truth.decode("utf-8")
        except UnicodeDecodeError:
            return "not UTF-8", None
        if not has_markers(marked_text):
            return "no conflict markers (mode or rename conflict)", None
        return "", ConflictedFile(merge.oid, path, marked_text, truth_text, merge.subject)

    def blob(self, spec: str) -> bytes | None:
        """The blob ``spec`` names in the scratch repository (the repository's objects and
        what was merged there), or None."""
        return self._blob(spec)

    def _blob(self, spec: str) -> bytes | None:
        if self._cat is None:
            self._cat = git.BlobReader(
                "--git-dir", str(self.scratch), cwd=self.scratch, env=self.env
            )
        found = self._cat.read(spec)
        return found[1] if found is not None and found[0] == b"blob" else None

    def _cache_path(self, merge: MergeCommit) -> Path | None:
        if self.cache is None:
            return None
        key = hashlib.sha256(str(self.git_dir.resolve()).encode()).hexdigest()[:16]
        return self.cache / key / f"{merge.oid}.json"

    def _cached(self, merge: MergeCommit) -> Replay | None:
        path = self._cache_path(merge)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("schema") != REPLAY_SCHEMA:
            return None
        files = tuple(
            ConflictedFile(merge.oid, f["path"], f["marked"], f["truth"], merge.subject)
            for f in data["files"]
        )
        return Replay(merge, files, dict(data["skipped"]))

    def _store(self, replay: Replay) -> None:
        path = self._cache_path(replay.merge)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(
                {
                    "schema": REPLAY_SCHEMA,
                    "skipped": replay.skipped,
                    "files": [
                        {"path": f.path, "marked": f.marked, "truth": f.truth} for f in replay.files
                    ],
                }
            ),
            encoding="utf-8",
        )
        os.replace(tmp, path)


def default_cache() -> Path:
    from santamerge.config import cache_folder

    return cache_folder("bench")


def match_hunks(parsed: ParsedMerge, truth: str) -> list[str | None]:
    """Each hunk's text in ``truth``, found through the unchanged lines around it; None
    where they are not found in order, or the region found is implausibly long."""
    lines = truth.splitlines(keepends=True)
    chunks = parsed.chunks
    out: list[str | None] = []
    cursor = 0
    for i, chunk in enumerate(chunks):
        if not isinstance(chunk, ConflictHunk):
            continue
        before = _lines(chunks[i - 1])[-ANCHOR_LINES:] if i > 0 else []
        after = _lines(chunks[i + 1])[:ANCHOR_LINES] if i + 1 < len(chunks) else []
        region = _find_region(lines, cursor, before, after)
        sides = len(chunk.ours.splitlines()) + len(chunk.theirs.splitlines())
        if region is None or region[1] - region[0] > 2 * sides + 20:
            out.append(None)
            continue
        start, end = region
        out.append("".join(lines[start:end]))
        cursor = end
    return out


def _lines(chunk: object) -> list[str]:
    return chunk.splitlines(keepends=True) if isinstance(chunk, str) else []


def _find_region(
    lines: list[str], cursor: int, before: list[str], after: list[str]
) -> tuple[int, int] | None:
    """(start, end) of the lines between ``before`` and ``after``, first found from
    ``cursor``; an empty ``before`` means the start of the file, an empty ``after`` its
    end."""
    if before:
        found = _first(lines, before, cursor)
        if found is None:
            return None
        start = found + len(before)
    elif cursor == 0:
        start = 0
    else:
        return None
    if not after:
        return start, len(lines)
    end = _first(lines, after, start)
    return None if end is None else (start, end)


def _first(lines: list[str], needle: list[str], start: int) -> int | None:
    width = len(needle)
    for j in range(start, len(lines) - width + 1):
        if lines[j : j + width] == needle:
            return j
    return None

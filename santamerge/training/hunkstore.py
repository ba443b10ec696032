"""A store of mined conflict hunks: what the learned ranker learns from.

Each replayed merge commit (:mod:`santamerge.bench.replay`) is mined once into one JSON
file named by the commit, under a store folder: the user's cache for ``santamerge bench
ranker``, ``.git/santamerge/learn/`` for ``santamerge learn``. A file holds every matched
hunk of every conflicted file of that merge:

- the hunk's three sides, and the lines before and after it (signals.context_of);
- every candidate the pipeline proposed (learned ranker off, no policy): its method,
  text, note, hand-set score, the share of each side's change it keeps, and the gates
  it failed;
- what the people committed in its place;
- the merge's history facts: how far each side moved from the merge base, and when each
  side last touched the file.

Each hunk is a santamerge.merge.record.MinedHunk, written and read by that codec. The
ranker's signals are computed from the store (:mod:`santamerge.merge.ranking.learned`), so a
new signal needs no new replay, and a second run reads only merges it has not stored.
The store holds the repositories' code, so it lives outside this repository and is never
committed; docs/ranking-data.json names what it was built from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from santamerge import git

if TYPE_CHECKING:
    from santamerge.bench.replay import ConflictedFile, MergeCommit, Replayer
    from santamerge.merge.record import MinedHunk
    from santamerge.model.backends.base import Backend

STORE_SCHEMA = 1


def store_path(store: Path, merge: str) -> Path:
    return store / f"{merge}.json"


def stored_merges(store: Path) -> set[str]:
    """The merge commits already mined into ``store``."""
    if not store.is_dir():
        return set()
    return {p.stem for p in store.glob("*.json")}


def mine_merge(
    replayer: Replayer, merge: MergeCommit, backend: Backend | None = None
) -> list[MinedHunk]:
    """Every matched hunk of ``merge`` as a store record (replaying it if need be)."""
    replay, _ = replayer.replay(merge)
    if not replay.files:
        return []
    history = merge_history(replayer, merge, [f.path for f in replay.files])
    records: list[MinedHunk] = []
    for f in replay.files:
        records.extend(mine_file(f, merge, history.get(f.path, {}), backend))
    return records


def mine_file(
    conflicted: ConflictedFile,
    merge: MergeCommit,
    history: dict[str, Any],
    backend: Backend | None = None,
) -> list[MinedHunk]:
    """The records of one conflicted file's hunks that are found in the commit."""
    from santamerge.bench.replay import match_hunks
    from santamerge.errors import MarkerError
    from santamerge.languages.profiles import language_for_path
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.ranking.policy import NEVER
    from santamerge.merge.ranking.signals import context_of
    from santamerge.merge.record import MinedHunk
    from santamerge.merge.types import ConflictHunk

    profile = language_for_path(conflicted.path)
    if profile is None:
        return []
    try:
        proposal = run_pipeline(
            conflicted.marked, conflicted.path, policy=NEVER, learned=False, backend=backend
        ).proposal
    except MarkerError:
        return []
    truths = match_hunks(proposal.parsed, conflicted.truth)
    chunks = proposal.parsed.chunks
    positions = {c.index: i for i, c in enumerate(chunks) if isinstance(c, ConflictHunk)}
    out = []
    for h, truth in zip(proposal.hunks, truths, strict=True):
        if truth is None:
            continue
        before, after = context_of(chunks, positions[h.hunk.index])
        out.append(
            MinedHunk(
                merge.oid,
                merge.date,
                merge.subject,
                conflicted.path,
                profile.name,
                h.hunk.index,
                len(proposal.hunks),
                h.hunk.base,
                h.hunk.ours,
                h.hunk.theirs,
                before,
                after,
                truth,
                h.ranked,
                h.likelihoods or None,
                history,
            )
        )
    return out


def merge_history(
    replayer: Replayer, merge: MergeCommit, paths: list[str]
) -> dict[str, dict[str, Any]]:
    """:func:`santamerge.git.history_facts` of a replayed merge, read in the replay's scratch
    repository."""

    def run(*args: str) -> str | None:
        proc = git.run_git(
            "--git-dir",
            str(replayer.scratch),
            *args,
            check=False,
            cwd=replayer.scratch,
            env=replayer.env,
        )
        return proc.stdout.strip() if proc.returncode == 0 else None

    facts = git.history_facts(run, merge.parents[0], merge.parents[1])
    found = {path: facts(path) for path in paths}
    return {path: one for path, one in found.items() if one is not None}


def write_merge(store: Path, merge: str, records: list[MinedHunk]) -> None:
    store.mkdir(parents=True, exist_ok=True)
    target = store_path(store, merge)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    hunks = [r.to_json() for r in records]
    tmp.write_text(json.dumps({"schema": STORE_SCHEMA, "hunks": hunks}), encoding="utf-8")
    os.replace(tmp, target)


def read_store(store: Path, merges: set[str] | None = None) -> Iterator[MinedHunk]:
    """Every hunk record in ``store``, or of those ``merges`` (files of another schema,
    or that cannot be read, are skipped)."""
    from santamerge.merge.record import read_mined

    if not store.is_dir():
        return
    paths = (
        sorted(store.glob("*.json"))
        if merges is None
        else [store_path(store, m) for m in sorted(merges) if store_path(store, m).is_file()]
    )
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") != STORE_SCHEMA:
                continue
            hunks = [read_mined(h) for h in data["hunks"]]
        except (OSError, ValueError, KeyError, AttributeError):  # RecordError: a ValueError
            continue
        yield from hunks


def default_store(repo_name: str) -> Path:
    from santamerge.bench.replay import default_cache

    return default_cache().parent / "hunks" / repo_name


def repo_name(repo: str | os.PathLike[str]) -> str:
    """A mirror's name: the folder, or its parent's for a ``<owner>+<name>/repo`` one."""
    path = Path(repo).resolve()
    return path.parent.name if path.name == "repo" else path.name


def mine_repository(
    repo: str | os.PathLike[str],
    store: Path,
    limit: int | None,
    budget_s: float | None = None,
    backend: Backend | None = None,
    progress: Any = None,
) -> tuple[int, int]:
    """Mine the newest ``limit`` merges of ``repo`` that ``store`` lacks, newest first,
    for at most ``budget_s`` seconds; (merges mined now, merges stored in all).
    ``progress(total)`` starts a bar and returns what advances it by one merge."""
    import time

    from santamerge.bench.replay import Replayer, default_cache, git_dir_of, list_merges

    git_dir = git_dir_of(repo)
    found = list_merges(git_dir, limit=limit)
    seen = stored_merges(store)
    todo = [m for m in found if m.oid not in seen]
    advance = progress(len(todo)) if progress else (lambda: None)
    start = time.monotonic()
    mined = 0
    with Replayer(git_dir, default_cache()) as replayer:
        for merge in todo:
            if budget_s is not None and time.monotonic() - start > budget_s:
                break
            write_merge(store, merge.oid, mine_merge(replayer, merge, backend))
            mined += 1
            advance()
    return mined, len(seen) + mined


# Files people regenerate rather than merge: what they commit there says nothing of how
# they resolve code. They are left out of the ranker's data, as is any hunk of a file
# past its first HUNKS_PER_FILE (one huge file must not outweigh a repository).
GENERATED_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "yarn.lock",
        "Cargo.lock",
        "poetry.lock",
        "Pipfile.lock",
        "composer.lock",
        "go.sum",
        "Gemfile.lock",
        "uv.lock",
    }
)
HUNKS_PER_FILE = 20


def generated(path: str) -> bool:
    """A lock file, a built bundle (under a ``dist`` folder) or a minified script."""
    parts = path.split("/")
    return parts[-1] in GENERATED_NAMES or "dist" in parts[:-1] or path.endswith(".min.js")


def usable(records: Iterator[MinedHunk] | list[MinedHunk]) -> Iterator[MinedHunk]:
    """The records a ranker learns from: no generated file, at most
    :data:`HUNKS_PER_FILE` hunks of one file of one merge."""
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        if generated(record.path):
            continue
        key = (record.merge, record.path)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= HUNKS_PER_FILE:
            yield record

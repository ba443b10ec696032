"""git's own merge of a conflicted file, made again: the hunks exactly as ``git merge``
wrote them, and a base section for each hunk of git's default (``merge``) style.

``git merge`` (merge-ort) and ``git merge-file`` do not split a file into the same
hunks: merge-ort diffs with the histogram algorithm and merges at XDL_MERGE_ZEALOUS,
merge-file diffs with myers and merges at XDL_MERGE_ZEALOUS_ALNUM (it also joins hunks
separated only by lines without a letter or digit, a lone ``}``). So the hunks of a
conflicted file are made again by merge-ort itself: :func:`reproduce` commits the
file's index stages 1, 2 and 3 as three one-file commits in a private scratch
repository that borrows the repository's objects (:func:`santamerge.merge.workspace.scratch.
scratch_repository`: no config, attributes or merge driver of the user's, nothing
written to the repository), merges them with ``git merge-tree --write-tree`` in each
``merge.conflictStyle`` asked for, and passes the merged blob through the working
tree's filters, as ``git merge`` checks it out.

A ``merge``-style hunk has no base: git's ZEALOUS merge refines a diff3 hunk into the
parts where ours and theirs differ, and joins hunks a few lines apart. :func:`with_bases`
gives each hunk of the file the base of the diff3 hunks it lies in (and of the
unchanged lines between them), as ``zdiff3`` shows a hunk whose common lines were moved
out of it; the file's own hunks, lines and bytes outside the hunks are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from santamerge import git
from santamerge.git import IndexEntry, Repository
from santamerge.merge.types import ConflictHunk, ParsedMerge

STYLES = ("merge", "diff3", "zdiff3")  # git's merge.conflictStyle values
_IDENTITY = {
    "GIT_AUTHOR_NAME": "santamerge",
    "GIT_AUTHOR_EMAIL": "santamerge@localhost",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_NAME": "santamerge",
    "GIT_COMMITTER_EMAIL": "santamerge@localhost",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
}


class Reproduced(NamedTuple):
    text: str  # git's merge of the stages, as the working tree would hold it
    clean: bool  # git merged them without a conflict


def reproduce(
    repo: Repository, path: str, entries: Sequence[IndexEntry], styles: Sequence[str]
) -> dict[str, Reproduced]:
    """merge-ort's merge of ``path``'s index stages (``entries``; stage 1 missing: an
    add/add, merged with an empty base), in each conflict style of ``styles``, through
    the working tree's filters; {} when it cannot be made (not regular files, not text,
    a git that cannot)."""
    stages = {e.stage: e for e in entries}
    if not {2, 3} <= stages.keys() or any(not e.mode.startswith("100") for e in entries):
        return {}
    scratch = Path(tempfile.mkdtemp(prefix="santamerge-hunks-"))
    try:
        return _reproduce(repo, path, stages, styles, scratch)
    except (OSError, git.GitError, ValueError):
        return {}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _reproduce(
    repo: Repository,
    path: str,
    stages: Mapping[int, IndexEntry],
    styles: Sequence[str],
    scratch: Path,
) -> dict[str, Reproduced]:
    from santamerge.merge.workspace.scratch import scratch_repository

    env = scratch_repository(Path(repo.git_dir), scratch)
    env.update(_IDENTITY)
    size = git.marker_size_attribute(repo, path)
    (scratch / "info").mkdir(exist_ok=True)  # the one file's marker size, and no driver
    (scratch / "info" / "attributes").write_text(
        f"* conflict-marker-size={size}\n", encoding="utf-8"
    )
    name = path.rsplit("/", 1)[-1]

    def run(*args: str, data: bytes | None = None) -> tuple[int, bytes]:
        proc = git._run(["git", "--git-dir", str(scratch), *args], scratch, env, data, text=False)
        return proc.returncode, proc.stdout

    commits: list[str] = []
    for stage in (1, 2, 3):
        entry = stages.get(stage)
        listing = (
            b""
            if entry is None
            else f"{entry.mode} blob {entry.oid}\t".encode()
            + (name.encode("utf-8", "surrogateescape") + b"\0")
        )
        rc, out = run("mktree", "-z", data=listing)
        if rc != 0:
            return {}
        parents = ["-p", commits[0]] if commits else []
        rc, out2 = run("commit-tree", *parents, "-m", SIDE_NAMES[stage - 1], out.decode().strip())
        if rc != 0:
            return {}
        commits.append(out2.decode().strip())
    found = {}
    for style in styles:
        merged, out = run(
            "-c",
            f"merge.conflictStyle={style}",
            "merge-tree",
            "--write-tree",
            "--name-only",
            "-z",
            "--no-messages",
            commits[1],
            commits[2],
        )
        if merged not in (0, 1):
            return {}
        tree = out.split(b"\0")[0].decode()
        rc, blob = run("rev-parse", "--verify", "-q", f"{tree}:{name}")
        if rc != 0:
            continue  # merged away (both sides deleted it): no text
        data = _checked_out(repo, path, blob.decode().strip(), scratch)
        if data is None or b"\0" in data:
            return {}
        try:
            found[style] = Reproduced(data.decode("utf-8"), merged == 0)
        except UnicodeDecodeError:
            return {}
    return found


SIDE_NAMES = ("base", "ours", "theirs")


def _checked_out(repo: Repository, path: str, oid: str, scratch: Path) -> bytes | None:
    """The blob ``oid`` (in the scratch repository) as the working tree holds ``path``:
    through its eol conversion and smudge filters, read by the repository itself with
    the scratch's objects as an alternate (nothing is written to it)."""
    env = dict(os.environ)
    env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = str(scratch / "objects")
    proc = git._run(
        ["git", "cat-file", "--filters", f"--path={path}", oid], repo.root, env, None, text=False
    )
    return proc.stdout if proc.returncode == 0 else None


# -- a base for each hunk of the merge style -------------------------------------------


class Based(NamedTuple):
    text: str  # the file with a base section in each hunk (diff3 markers)
    lines: tuple[int, ...]  # each hunk's line in the file as it is


def with_bases(worktree: str, plain: str, diff3: str, marker_size: int | None) -> Based | None:
    """``worktree`` (``merge``-style markers) with each hunk's base section inserted,
    when its hunks are, in order, hunks of ``plain`` (git's merge in the ``merge`` style)
    with the same ours and theirs (hunks the merge driver or rerere resolved are gone
    from the file); the base of each comes from ``diff3`` (the same merge in the diff3
    style). None when a hunk of ``worktree`` is not git's (a person's edit), or the
    two merges do not agree."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        mine = parse_conflicts(worktree, marker_size)
        made = parse_conflicts(plain, mine.marker_size)
        full = parse_conflicts(diff3, mine.marker_size)
    except MarkerError:
        return None
    if not mine.hunks or any(h.base is not None for h in mine.hunks + made.hunks):
        return None
    if any(h.base is None for h in full.hunks):
        return None
    try:
        if made.side("ours") != full.side("ours"):
            return None
    except ValueError:
        return None
    matched = _in_order(mine.hunks, made.hunks)
    if matched is None:
        return None
    made_spans, full_spans = _spans(made), _spans(full)
    parts: list[str] = []
    hunks = iter(zip(mine.hunks, matched, strict=True))
    for chunk in mine.chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        hunk, j = next(hunks)
        base = _base_of(made_spans[j], full_spans, full)
        if base is None:
            return None
        base_text, label = base
        newline = "\r\n" if hunk.open_marker.endswith("\r\n") else "\n"
        if base_text and not base_text.endswith("\n"):
            base_text += newline  # as git ends a section that lacks it
        marker = "|" * mine.marker_size + (f" {label}" if label else "") + newline
        parts.append(hunk._replace(base=base_text, base_marker=marker).render())
    return Based("".join(parts), tuple(h.line for h in mine.hunks))


def _in_order(mine: Sequence[ConflictHunk], made: Sequence[ConflictHunk]) -> list[int] | None:
    """For each hunk of ``mine``, the hunk of ``made`` with its ours and theirs, in
    order; None when one has none."""
    out, j = [], 0
    for h in mine:
        while j < len(made) and (made[j].ours, made[j].theirs) != (h.ours, h.theirs):
            j += 1
        if j == len(made):
            return None
        out.append(j)
        j += 1
    return out


def _count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _spans(parsed: ParsedMerge) -> list[tuple[int, int]]:
    """Each hunk's lines (start, end) in the file with every hunk as ours: the lines
    that the ``merge`` and ``diff3`` styles of one merge share."""
    spans, line = [], 0
    for chunk in parsed.chunks:
        if isinstance(chunk, str):
            line += _count(chunk)
        else:
            n = _count(chunk.ours)
            spans.append((line, line + n))
            line += n
    return spans


def _base_of(
    span: tuple[int, int], full_spans: Sequence[tuple[int, int]], full: ParsedMerge
) -> tuple[str, str] | None:
    """The base of the diff3 hunks that a ``merge``-style hunk (ours at ``span``) lies
    in, with the unchanged lines between them, and the base label; None when none."""
    s, e = span
    inside = []
    for k, (start, end) in enumerate(full_spans):
        if s < e and start < end:
            hit = start < e and s < end
        elif s == e:
            hit = start <= s <= end
        else:
            hit = s <= start <= e
        if hit:
            inside.append(k)
    if not inside:
        return None
    first, last = full.hunks[inside[0]], full.hunks[inside[-1]]
    parts, on = [], False
    for chunk in full.chunks:
        if chunk is first:
            on = True
        if on:
            parts.append(chunk if isinstance(chunk, str) else chunk.base or "")
        if chunk is last:
            break
    return "".join(parts), first.base_label

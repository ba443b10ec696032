"""``santamerge merge-tree``: merge two commits in memory, as ``git merge-tree
--write-tree`` does, then let santamerge's policy settle what it can.

git merges the two commits in a private scratch repository that borrows the
repository's objects (the replay machinery of :mod:`santamerge.bench.replay`): no ref,
index, working tree or object of the repository is written. For each file git leaves
with content conflicts, the pipeline runs on git's diff3 merge under the policy, as the
merge driver would: what it writes, by which method, and the ranked candidates of every
hunk it leaves. Paths that conflict in other ways (add/delete, renames, modes, binary
files) are listed as git leaves them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import git
from santamerge.errors import GitError, SantamergeError

if TYPE_CHECKING:
    from pathlib import Path

    from santamerge.bench.replay import Replayer
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.record import ProposalRecord

MERGE_TREE_SCHEMA = 1


class FileResult(NamedTuple):
    path: str
    status: str  # "resolved": santamerge wrote every hunk; "partial"; "conflicted"
    record: ProposalRecord  # docs/propose-json.md


class MemoryMerge(NamedTuple):
    ours: str
    theirs: str
    clean: bool  # git merged every path without a conflict
    files: tuple[FileResult, ...]  # content-conflicted files, santamerge's view
    other: tuple[str, ...]  # paths git leaves conflicted that santamerge cannot touch

    @property
    def left(self) -> int:
        """How many paths stay conflicted after santamerge."""
        return len(self.other) + sum(f.status != "resolved" for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": MERGE_TREE_SCHEMA,
            "ours": self.ours,
            "theirs": self.theirs,
            "git_clean": self.clean,
            "conflicted_after": self.left,
            "files": [
                {"path": f.path, "status": f.status, **f.record.to_json()} for f in self.files
            ],
            "other_conflicts": list(self.other),
        }


def resolve_commit(git_dir: Path, name: str) -> str:
    proc = git.run_git(
        "--git-dir", str(git_dir), "rev-parse", "--verify", "-q", f"{name}^{{commit}}", check=False
    )
    oid = proc.stdout.strip()
    if proc.returncode != 0 or not oid:
        raise SantamergeError(f"{name!r} names no commit here; give a branch, tag or commit id")
    return oid


def merge_in_memory(git_dir: Path, ours: str, theirs: str, policy: AutoApplyPolicy) -> MemoryMerge:
    """Merge the commits ``ours`` and ``theirs`` (names) of the repository at
    ``git_dir`` without writing to it.

    The hunks are the ones ``git merge`` of the same commits leaves in the working tree:
    merge-ort's, in the repository's ``merge.conflictStyle`` (git's default ``merge``
    style when it sets none; each hunk then gets its base from the same merge in the
    diff3 style, as ``resolve`` gives it: santamerge.merge.workspace.gitmerge). The
    pipeline gets what ``resolve`` gives it during that merge: the whole sides, the
    repository's ranker (``git_dir``), the merge's history facts and git's merge
    message, so that candidates and scores are ``resolve``'s."""
    from santamerge.bench.replay import Replayer
    from santamerge.merge.locate import has_markers
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record
    from santamerge.merge.workspace.gitmerge import with_bases
    from santamerge.merge.workspace.sources import at_lines

    a, b = resolve_commit(git_dir, ours), resolve_commit(git_dir, theirs)
    style = _conflict_style(git_dir)
    message = _merge_message(git_dir, theirs)
    history = git.history_facts(_reader(git_dir), a, b)
    with Replayer(git_dir, None) as replayer:
        proc, tree = _merge_tree(replayer, a, b, style)
        fields = proc.stdout.split(b"\0")
        paths = list(dict.fromkeys(p.decode("utf-8", "surrogateescape") for p in fields[1:] if p))
        full_tree = _merge_tree(replayer, a, b, "diff3")[1] if style == "merge" and paths else tree
        files, other = [], []
        for path in paths:
            text = _text(replayer.blob(f"{tree}:{path}"))
            sides = [_text(replayer.blob(f"{rev}:{path}")) for rev in (a, b)]
            if text is None or not has_markers(text) or any(s is None for s in sides):
                other.append(path)
                continue
            lines = None
            if style == "merge":
                full = _text(replayer.blob(f"{full_tree}:{path}"))
                based = None if full is None else with_bases(text, text, full, None)
                if based is None:  # no base to give it: propose on the diff3 merge
                    text = full if full is not None and has_markers(full) else text
                else:
                    text, lines = based.text, based.lines
            ours_text, theirs_text = sides
            assert ours_text is not None and theirs_text is not None
            merged = run_pipeline(
                text,
                path,
                policy=policy,
                git_dir=str(git_dir),
                merge_message=message,
                history=history(path),
                sides=(ours_text, theirs_text),
            )
            if lines is not None:
                merged = at_lines(merged, lines)
            record = proposal_record(merged.proposal, merged.outcome, (ours, "merge base", theirs))
            hunks = len(merged.proposal.hunks)
            left = len(merged.outcome.unresolved)
            status = "resolved" if left == 0 else "partial" if left < hunks else "conflicted"
            files.append(FileResult(path, status, record))
    return MemoryMerge(a, b, proc.returncode == 0, tuple(files), tuple(other))


def _merge_tree(
    replayer: Replayer, ours: str, theirs: str, style: str
) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """``git merge-tree --write-tree`` of two commits in the scratch repository, with
    conflict markers in ``style``: (the process, the merged tree)."""
    proc = git.run_bytes(
        "--git-dir",
        str(replayer.scratch),
        "-c",
        f"merge.conflictStyle={style}",
        "merge-tree",
        "--write-tree",
        "--name-only",
        "-z",
        "--no-messages",
        ours,
        theirs,
        cwd=replayer.scratch,
        env=replayer.env,
    )
    if proc.returncode not in (0, 1):
        raise GitError(
            f"git merge-tree failed: {git.last_line(proc.stderr.decode('utf-8', 'replace'))}"
        )
    return proc, proc.stdout.split(b"\0")[0].decode()


def _text(data: bytes | None) -> str | None:
    if data is None or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _reader(git_dir: Path) -> Callable[..., str | None]:
    def run(*args: str) -> str | None:
        proc = git.run_git("--git-dir", str(git_dir), *args, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    return run


def _conflict_style(git_dir: Path) -> str:
    """The repository's ``merge.conflictStyle`` (``git merge`` reads it), else git's
    default, ``merge``."""
    proc = git.run_git("--git-dir", str(git_dir), "config", "merge.conflictStyle", check=False)
    style = proc.stdout.strip().lower()
    return style if style in ("merge", "diff3", "zdiff3") else "merge"


def _merge_message(git_dir: Path, theirs: str) -> str:
    """The first line of the message ``git merge THEIRS`` would write."""
    for ref, kind in (
        (f"refs/heads/{theirs}", "branch"),
        (f"refs/tags/{theirs}", "tag"),
        (f"refs/remotes/{theirs}", "remote-tracking branch"),
    ):
        proc = git.run_git(
            "--git-dir", str(git_dir), "rev-parse", "--verify", "-q", ref, check=False
        )
        if proc.returncode == 0:
            return f"Merge {kind} '{theirs}'"
    return f"Merge commit '{theirs}'"

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

from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import git
from santamerge.errors import GitError, SantamergeError

if TYPE_CHECKING:
    from pathlib import Path

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
    ``git_dir`` without writing to it."""
    from santamerge.bench.replay import Replayer
    from santamerge.merge.locate import has_markers
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record

    a, b = resolve_commit(git_dir, ours), resolve_commit(git_dir, theirs)
    with Replayer(git_dir, None) as replayer:
        proc = git.run_bytes(
            "--git-dir",
            str(replayer.scratch),
            "merge-tree",
            "--write-tree",
            "--name-only",
            "-z",
            "--no-messages",
            a,
            b,
            cwd=replayer.scratch,
            env=replayer.env,
        )
        if proc.returncode not in (0, 1):
            raise GitError(
                f"git merge-tree failed: {git.last_line(proc.stderr.decode('utf-8', 'replace'))}"
            )
        fields = proc.stdout.split(b"\0")
        tree = fields[0].decode()
        paths = list(dict.fromkeys(p.decode("utf-8", "surrogateescape") for p in fields[1:] if p))
        files, other = [], []
        for path in paths:
            data = replayer.blob(f"{tree}:{path}")
            text = None
            if data is not None and b"\0" not in data:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = None
            if (
                text is None
                or not has_markers(text)
                or any(replayer.blob(f"{rev}:{path}") is None for rev in (a, b))
            ):
                other.append(path)
                continue
            merged = run_pipeline(
                text, path, policy=policy, git_dir=str(git_dir), sides=_sides(replayer, a, b, path)
            )
            record = proposal_record(merged.proposal, merged.outcome, (ours, "merge base", theirs))
            hunks = len(merged.proposal.hunks)
            left = len(merged.outcome.unresolved)
            status = "resolved" if left == 0 else "partial" if left < hunks else "conflicted"
            files.append(FileResult(path, status, record))
    return MemoryMerge(a, b, proc.returncode == 0, tuple(files), tuple(other))


def _sides(replayer: Any, a: str, b: str, path: str) -> tuple[str, str] | None:
    """Ours and theirs, whole, for the gates (santamerge.merge.gates.GateBaseline.sides),
    where both are text."""
    texts = []
    for rev in (a, b):
        data = replayer.blob(f"{rev}:{path}")
        try:
            texts.append(data.decode("utf-8") if data is not None else None)
        except UnicodeDecodeError:
            return None
    ours, theirs = texts
    return (ours, theirs) if ours is not None and theirs is not None else None

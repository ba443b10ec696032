"""``santamerge merge-tree``: an in-memory merge of two commits for CI jobs and bots."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from santamerge.commands.options import json_option, policy_option
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.bench.memory import MemoryMerge

WHERE = (
    "is not inside a git repository; run santamerge merge-tree in the repository "
    "that holds both commits"
)


@click.command(
    "merge-tree",
    short_help="Merge two commits in memory, as git merge-tree "
    "does, with santamerge's policy; write nothing.",
)
@click.argument("ours")
@click.argument("theirs")
@policy_option
@json_option
@report_errors
def merge_tree(ours: str, theirs: str, policy: str | None, as_json: bool) -> None:
    """Merge the commits OURS and THEIRS (branches, tags or ids) as `git merge-tree
    --write-tree` does, in a private scratch repository that reads this one's objects:
    no ref, index, working tree or object here is written. For every file git leaves
    with content conflicts, santamerge's policy (--policy, else the merge driver's:
    santamerge.policy) decides what the merge driver would write; every hunk it leaves
    gets its ranked candidates.

    It prints, per conflicted file, what santamerge would write and by which method,
    and the best candidates of each hunk left; --json prints the schema of
    docs/merge-tree.md, for bots that comment on pull requests.

    Exit status, as git merge-tree's: 0 when the merge would be clean (by git, or once
    santamerge wrote its hunks), 1 when conflicts remain, 2 on an error.

    \b
    Examples:
      santamerge merge-tree main feature            would this pull request merge?
      santamerge merge-tree HEAD origin/main --json
    """
    from santamerge.bench.memory import merge_in_memory
    from santamerge.config import load_settings
    from santamerge.git import find_git_dir
    from santamerge.merge.ranking.policy import POLICIES

    git_dir = find_git_dir(os.getcwd())
    if git_dir is None:
        raise SantamergeError(f"{os.getcwd()} {WHERE}")
    chosen = POLICIES[load_settings(policy=policy).policy]  # the merge driver's policy
    result = merge_in_memory(Path(git_dir), ours, theirs, chosen)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print(result, ours, theirs, chosen.name)
    if result.left:
        sys.exit(EXIT_CONFLICTS)


def _print(result: MemoryMerge, ours: str, theirs: str, policy: str) -> None:
    if result.clean:
        click.echo(f"{ours} and {theirs} merge cleanly (git's own merge)")
        return
    for f in result.files:
        outcome = f.record.outcome
        written = outcome.methods
        click.echo(
            f"{f.path}: {len(f.record.hunks)} conflict hunk(s); santamerge "
            f"({policy}) writes {len(written)}, leaves {len(outcome.unresolved)}"
        )
        evidence = {h.index: f" ({h.evidence})" for h in f.record.hunks if h.evidence}
        for i, method in sorted(written.items()):
            click.echo(f"  hunk {i + 1}: written, {method}{evidence.get(i, '')}")
        for hunk in f.record.hunks:
            if hunk.index in outcome.unresolved:
                best = ", ".join(f"{c.method} {c.score:.2f}" for c in hunk.candidates[:3])
                click.echo(
                    f"  hunk {hunk.index + 1} (line {hunk.line}): left; best "
                    f"candidates: {best or 'none'}{evidence.get(hunk.index, '')}"
                )
    for path in result.other:
        click.echo(
            f"{path}: conflicted in a way santamerge does not merge (add/delete, "
            "rename, mode or binary); git's conflict stays"
        )
    left = result.left
    click.echo(
        f"{left} path(s) left conflicted" if left else "santamerge would resolve every conflict"
    )

"""``santamerge attempts``: what the merge driver did to each file of the last merge."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import click

from santamerge.commands.options import json_option
from santamerge.errors import report_errors

if TYPE_CHECKING:
    from santamerge.merge.record import AttemptRecord

ATTEMPTS_SCHEMA = 1


@click.command(short_help="List what the merge driver did to each file of the last merge.")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every stored attempt (newest last), not only the last merge's.",
)
@json_option
@report_errors
def attempts(every: bool, as_json: bool) -> None:
    """List the merge driver's attempts: for each file of the last merge, the hunks it
    wrote (and by which method) and those it left to you.

    The merge driver stores one attempt per file it merges with conflicts, under
    .git/santamerge/attempts/. `santamerge preview --attempt last` reviews them
    full-screen, where `k` puts a hunk the driver wrote back to git's conflict.

    Where `santamerge learn` measured this repository's methods, each hunk's line names
    the evidence: for the method written ("structured:tree: 31/32 right in this
    repository's history (learn, 2026-12-05)"), or against one no longer written here.

    `--json` prints {"schema": 1, "attempts": [{"name", "path", "time", "head",
    "written": {"HUNK": "METHOD"}, "left": [HUNK, ...], "evidence": {"HUNK": "..."}}]},
    hunks numbered from 1.

    \b
    Examples:
      santamerge attempts                    the last merge's files
      santamerge preview --attempt last      review them; undo a written hunk
    """
    from santamerge import git
    from santamerge.merge.workspace.sources import last_merge, read_attempts

    repo = git.find_repository(
        outside="is not inside a git repository; the attempts are "
        "stored under its .git/santamerge/attempts/"
    )
    stored = read_attempts(repo.git_dir)
    chosen = stored if every else last_merge(stored)
    rows = [_row(a.name, a.record) for a in chosen]
    if as_json:
        click.echo(json.dumps({"schema": ATTEMPTS_SCHEMA, "attempts": rows}, indent=2))
        return
    if not rows:
        click.echo(
            "no stored attempts: the merge driver stores one for each file it merges "
            "with conflicts (`santamerge install` routes files to it)"
        )
        return
    cwd = os.getcwd()
    for row in rows:
        written = ", ".join(f"hunk {i}: {m}" for i, m in row["written"].items()) or "none"
        left = ", ".join(map(str, row["left"])) or "none"
        shown = os.path.relpath(os.path.join(repo.root, row["path"]), cwd)
        click.echo(
            f"{row['name']}  {shown}: wrote {len(row['written'])} hunk(s) ({written}); "
            f"left {len(row['left'])} ({'hunks ' + left if row['left'] else left})"
        )
        for hunk, line in row["evidence"].items():
            click.echo(f"  hunk {hunk}: {line}")
    click.echo(
        "`santamerge preview --attempt last` reviews them; `k` puts a written hunk "
        "back to git's conflict."
    )


def _row(name: str, record: AttemptRecord) -> dict[str, Any]:
    outcome = record.proposal.outcome
    written = {str(i + 1): m for i, m in sorted(outcome.methods.items())}
    left = [i + 1 for i in outcome.unresolved]
    evidence = {
        str(h.index + 1): h.evidence for h in record.proposal.hunks if h.evidence is not None
    }
    return {
        "name": name,
        "path": record.proposal.path,
        "time": record.time,
        "head": record.head,
        "written": written,
        "left": left,
        "evidence": evidence,
    }

"""``santamerge propose``: show the ranked candidates for each conflict hunk."""

from __future__ import annotations

import json
from pathlib import Path

import click

from santamerge import git
from santamerge.commands.options import json_option, policy_option
from santamerge.errors import SantamergeError, report_errors
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.policy import DEFAULT_POLICY, POLICIES
from santamerge.merge.record import proposal_record
from santamerge.merge.types import MARKER_ORDER


@click.command(short_help="Show the ranked candidates for each conflict hunk.")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--path",
    "repo_path",
    default=None,
    metavar="PATH",
    help="The file's path in the repository; its extension picks the language (default: OURS).",
)
@click.option("--marker-size", default=7, show_default=True, help="Conflict marker length.")
@json_option
@policy_option
@report_errors
def propose(
    base: str,
    ours: str,
    theirs: str,
    repo_path: str | None,
    marker_size: int,
    as_json: bool,
    policy: str | None,
) -> None:
    """Rank the candidates for each conflict hunk of a 3-way merge. Changes nothing.

    It merges BASE, OURS and THEIRS as `git merge-file --diff3` does, then, for each
    conflict hunk, prints the hunk and its ranked candidates (text, method, score,
    reasons) and which one the merge driver would write. `--json` prints the versioned
    schema of docs/propose-json.md.

    \b
    Example:
      santamerge propose base.py ours.py theirs.py --path src/app.py --json
    """
    merged = _baseline(base, ours, theirs, marker_size)
    chosen = POLICIES[policy] if policy else DEFAULT_POLICY
    proposal, outcome, _ = run_pipeline(
        merged,
        repo_path or ours,
        marker_size,
        policy=chosen,
        git_dir=git.find_git_dir(),
        sides=_sides(ours, theirs),
    )
    if as_json:
        record = proposal_record(proposal, outcome, MARKER_ORDER)
        click.echo(json.dumps(record.to_json(), indent=2))
    else:
        from santamerge.ui.render import render_proposal

        render_proposal(proposal, outcome)


def _sides(ours: str, theirs: str) -> tuple[str, str] | None:
    """OURS and THEIRS as text, as the merge driver reads them (for its gates)."""
    try:
        return Path(ours).read_bytes().decode("utf-8"), Path(theirs).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _baseline(base: str, ours: str, theirs: str, marker_size: int) -> str:
    data, conflicts = git.merge_file(ours, base, theirs, MARKER_ORDER, marker_size)
    if conflicts == git.MERGE_FILE_ERROR:
        raise SantamergeError(
            "git merge-file refused these files (binary?); santamerge merges text files only"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        names = ", ".join(Path(p).name for p in (base, ours, theirs))
        raise SantamergeError(
            f"{names}: not UTF-8 text; santamerge reads UTF-8 source "
            "files only (git's own merge still handles them)"
        ) from None

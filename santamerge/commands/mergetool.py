"""``santamerge mergetool``: what ``git mergetool --tool=santamerge`` runs for each
conflicted file (``santamerge install --mergetool`` configures it)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from santamerge.commands.options import policy_option
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge import git
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.workspace.sources import PreviewSource


@click.command(
    short_help="The full-screen review of one file, for `git mergetool` "
    "(santamerge install --mergetool sets it up)."
)
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("local", type=click.Path(exists=True, dir_okay=False))
@click.argument("remote", type=click.Path(exists=True, dir_okay=False))
@click.argument("merged", type=click.Path(exists=True, dir_okay=False))
@policy_option
@report_errors
def mergetool(base: str, local: str, remote: str, merged: str, policy: str | None) -> None:
    """Review MERGED's conflict hunks full-screen, as `santamerge preview` does.

    git mergetool runs it with $BASE $LOCAL $REMOTE $MERGED once
    `santamerge install --mergetool` has set mergetool.santamerge.cmd (and
    trustExitCode). The hunks are git's diff3 merge of BASE, LOCAL and REMOTE, numbered
    as `preview` and `resolve` number them. `w` writes MERGED (decided hunks take their
    text, the others keep their markers); it refuses when MERGED no longer holds the
    conflict git left in it, so a file already worked on by hand is never written over.

    Exit status, which git trusts: 0 when MERGED was written with no conflict left
    (git then stages it), 1 otherwise (git puts MERGED back as it was and reports the
    merge of that file as failed), 2 on an error.

    \b
    Example:
      santamerge install --mergetool && git mergetool --tool=santamerge
    """
    from santamerge import git
    from santamerge.merge.ranking.policy import DEFAULT_POLICY, POLICIES
    from santamerge.merge.types import MARKER_ORDER as LABELS  # the sides' names
    from santamerge.merge.workspace.sources import PreviewSource, same_conflict

    try:
        repo: git.Repository | None = git.find_repository(os.path.dirname(os.path.abspath(merged)))
    except SantamergeError:
        repo = None
    repo_path = (
        os.path.relpath(os.path.realpath(merged), os.path.realpath(repo.root)) if repo else merged
    )
    with open(merged, "rb") as fh:
        current = fh.read()
    own = _gits_own(repo, repo_path.replace(os.sep, "/"), current) if repo else None
    if own is not None:  # git's own hunks, exactly as the file holds them
        own_text, lines = own
        chosen = POLICIES[policy] if policy else DEFAULT_POLICY
        source = PreviewSource(
            merged,
            merged,
            merged,
            repo_path.replace(os.sep, "/"),
            None,
            None,
            own_text,
            None,
            current,
            lines=lines,
        )
        _review(source, chosen, merged, repo.git_dir if repo else None)
        return
    size = git.marker_size_attribute(repo, repo_path) if repo else 7
    diff3, status = git.merge_file(local, base, remote, LABELS, size)
    plain, _ = git.merge_file(local, base, remote, LABELS, size, style="merge")
    if status == git.MERGE_FILE_ERROR:
        raise SantamergeError(
            f"{merged}: git merge-file refused it (binary?); resolve it with another tool"
        )
    if status == 0:
        _stop(
            f"{merged}: git merge-file merges its sides cleanly (git's merge differed: "
            "a rename, or merge options); nothing to review, so it is left to you"
        )
    try:
        text, now = diff3.decode("utf-8"), current.decode("utf-8")
    except UnicodeDecodeError:
        raise SantamergeError(f"{merged}: not UTF-8 text; resolve it with another tool") from None
    zealous, _ = git.merge_file(local, base, remote, LABELS, size, style="zdiff3")
    styles = (plain, diff3, zealous)  # merge.conflictStyle: merge, diff3 or zdiff3
    if not any(same_conflict(now, s.decode("utf-8", "replace"), size) for s in styles):
        _stop(
            f"{merged} no longer holds the conflict git left in it (edited by hand?); "
            "santamerge does not write over it (`git checkout -m -- FILE` starts it "
            "again)"
        )
    chosen = POLICIES[policy] if policy else DEFAULT_POLICY
    source = PreviewSource(
        merged, merged, merged, repo_path.replace(os.sep, "/"), LABELS, None, text, size, current
    )
    _review(source, chosen, merged, repo.git_dir if repo else None)


def _gits_own(
    repo: git.Repository, path: str, current: bytes
) -> tuple[str, tuple[int, ...] | None] | None:
    """The text to review when MERGED holds git's own hunks for the index stages of
    ``path`` (any conflict style; merge-style hunks given their bases), and each hunk's
    line in it where the text is not MERGED's; None when it does not (or is not text)."""
    from santamerge import git
    from santamerge.merge.locate import has_markers
    from santamerge.merge.workspace.sources import (
        _diff3,
        gits_own_hunks,
        gits_own_plain_hunks,
    )

    try:
        now = current.decode("utf-8")
    except UnicodeDecodeError:
        return None
    entries = git.unmerged_entries(repo, path)
    if not entries or not has_markers(now):
        return None
    if _diff3(now):
        return (now, None) if gits_own_hunks(repo, path, entries, now) else None
    based = gits_own_plain_hunks(repo, path, entries, now)
    return None if based is None else (based.text, based.lines)


def _review(
    source: PreviewSource, chosen: AutoApplyPolicy, merged: str, git_dir: str | None
) -> None:
    from santamerge.ui.review import load_preview

    file = load_preview(source, chosen, _note, git_dir)
    if file is None or not file.proposal.hunks:
        _stop(f"{merged}: nothing to review")
    from santamerge.ui.render import full_screen

    if not full_screen():
        _stop(
            "git mergetool runs santamerge's full-screen review, and here is no terminal "
            "that can show it (none, TERM=dumb, or no colours): `santamerge preview` "
            "prints the hunks, `santamerge preview --json` for scripts"
        )
    from santamerge.commands.preview import finish_review

    (result,) = finish_review([file])
    if not result.clean:
        sys.exit(EXIT_CONFLICTS)


def _stop(message: str) -> NoReturn:
    """Leave the file to git: it is not resolved (exit 1)."""
    _note(message)
    sys.exit(EXIT_CONFLICTS)


def _note(message: str) -> None:
    click.echo(f"santamerge: {message}", err=True)

"""``santamerge preview``: review each conflict hunk and its candidates; accept with a key."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from santamerge.commands.options import json_option, policy_option
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from santamerge.merge.workspace.sources import PreviewSource
    from santamerge.ui.review import FileResult, PreviewFile

PREVIEW_SCHEMA = 1  # the wrapper {"schema", "files"}; docs/preview-schema.json


@click.command(
    short_help="Review each conflict hunk and its candidates, full-screen; accept with a key."
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--attempt",
    "attempt_id",
    default=None,
    metavar="ID",
    help="Review what the merge driver did: `last` for every file of the last "
    "merge, or one attempt by its folder name under .git/santamerge/attempts/ "
    "(or a unique prefix; `santamerge attempts` lists them).",
)
@json_option
@policy_option
@report_errors
def preview(
    paths: tuple[str, ...], attempt_id: str | None, as_json: bool, policy: str | None
) -> None:
    """Review each conflict hunk and its ranked candidates; accept one with a key.

    PATHS are conflicted files or folders of this repository (all of its conflicted
    files without PATHS), or files holding conflict markers. Every file is read as
    `resolve` reads it, so hunks are numbered alike: git's diff3 merge, rebuilt from
    the index when the markers have no base section.

    In a terminal it opens a full-screen review: ours, base and theirs side by side
    (base left out when the terminal is narrow), each scrolled to the hunk; the ranked
    candidates, each with its score, why, and its diff to the hunk's current result;
    and the file as it would be written, updated as hunks are decided.

    \b
      1-9   accept that candidate         e   edit the hunk in $VISUAL / $EDITOR
      k     keep git's conflict           u   undo this file's last decision
      n, →  next hunk (then next file)    p, ←  previous hunk
      w     write this file               q   quit (asks when decisions are unwritten)
      ?     help; ↑ ↓ PgUp PgDn and Tab scroll the panes

    `w` writes the file atomically: decided hunks take their text, the others keep
    git's markers. It refuses when the file no longer holds what was shown.

    `--attempt last` reviews what the merge driver did in the last merge: each file's
    hunks, those it wrote already decided ("the merge driver (method)"). `k` puts a
    written hunk back to git's conflict and `w` writes it; while the merge is still
    open, git then lists the file as conflicted again.

    Off a terminal (piped), on TERM=dumb or a terminal without colours, it prints every
    hunk and its candidates and writes nothing; piped, code lines are never wrapped.
    NO_COLOR turns colour off. `--json` prints {"schema": 1, "files": [...]}, one record
    of docs/propose-json.md per file; its JSON Schema is docs/preview-schema.json.

    Exit status, as `git mergetool`'s: 0 when no file shown is left with a conflict; 1
    when one is (always when it wrote nothing: piped, or --json), or when a conflicted
    file could not be shown (binary, too large); 2 on an error.

    \b
    Examples:
      santamerge preview                     every conflicted file, full-screen
      santamerge preview src/ --json         the candidates of src/'s files, as JSON
      santamerge preview --attempt last      what the merge driver did, to undo a hunk
    """
    from santamerge.merge.ranking.policy import DEFAULT_POLICY, POLICIES
    from santamerge.ui.render import full_screen
    from santamerge.ui.review import load_preview

    chosen = POLICIES[policy] if policy else DEFAULT_POLICY
    sources = _sources(paths, attempt_id)
    git_dir, history = _ranker_facts(attempt_id is None)
    files = [
        f
        for f in (load_preview(s, chosen, _note, git_dir, history) for s in sources)
        if f is not None and f.proposal.hunks
    ]
    unshown = [] if attempt_id is not None else _conflicted_not_shown(paths, files)
    for path in unshown:
        _note(f"{path}: still conflicted, and not shown here; resolve it with another tool")
    if as_json:
        document = {"schema": PREVIEW_SCHEMA, "files": [f.record.to_json() for f in files]}
        click.echo(json.dumps(document, indent=2))
        left = any(_conflicts_left(f) for f in files)
    elif not files:
        click.echo(
            "nothing to preview: no file holds conflict markers"
            if not unshown
            else "nothing santamerge can show"
        )
        left = False
    elif full_screen():
        left = not all(result.clean for result in finish_review(files))
    else:
        _report(files)
        left = any(_conflicts_left(f) for f in files)
    if left or unshown:
        sys.exit(EXIT_CONFLICTS)


def _conflicts_left(file: PreviewFile) -> bool:
    """Whether ``file`` still holds a conflict when nothing is decided here: a hunk that
    the merge driver did not write (every hunk, outside an attempt)."""
    return any(h.hunk.index not in file.written for h in file.proposal.hunks)


def _conflicted_not_shown(paths: tuple[str, ...], files: list[PreviewFile]) -> list[str]:
    """The files git lists as conflicted, among ``paths`` (all without), that are not
    among ``files``: binary, too large, a symbolic link... santamerge cannot show them,
    and they are left conflicted."""
    from santamerge import git

    try:
        repo = git.find_repository(os.getcwd())
    except SantamergeError:
        return []
    root = os.path.realpath(repo.root)
    wanted = [os.path.realpath(p) for p in paths]
    shown = {os.path.realpath(f.target) for f in files}
    out = []
    for path in git.conflicted_paths(repo):
        full = os.path.join(root, path)
        if wanted and not any(
            full == w or full.startswith(w.rstrip(os.sep) + os.sep) for w in wanted
        ):
            continue
        if full not in shown:
            out.append(os.path.relpath(full))
    return out


def _ranker_facts(live: bool) -> tuple[str | None, Callable[[str], Any] | None]:
    """The repository's git directory (for its `santamerge learn` adjustment) and, for a
    merge in progress (``live``), its history facts per path."""
    from santamerge import git

    try:
        repo = git.find_repository(os.getcwd())
    except SantamergeError:
        return None, None
    return repo.git_dir, git.history_reader(repo) if live else None


def _sources(paths: tuple[str, ...], attempt_id: str | None) -> list[PreviewSource]:
    from santamerge.merge.workspace.sources import attempt_source, find_attempts, preview_sources

    if attempt_id is None:
        return preview_sources(paths, _note)
    if paths:
        raise SantamergeError("give PATHS or --attempt, not both")
    repo, attempts = find_attempts(attempt_id)
    return [attempt_source(repo, a, os.getcwd()) for a in attempts]


def _report(files: list[PreviewFile]) -> None:
    from rich.text import Text

    from santamerge.ui.render import card_texts, render_report, report_console

    out = report_console(t for f in files for t in card_texts(f.proposal))
    for file in files:
        if file.header:
            out.print(Text(file.header, style="bold"))
        assert file.outcome is not None
        written = {i: (d.text, d.how) for i, d in file.written.items()} if file.header else None
        render_report(file.shown, file.proposal, file.outcome, file.record.labels, out, written)
    out.print(
        Text(
            "Nothing was written: run `santamerge preview` in a terminal to accept candidates.",
            style="dim",
        )
    )


def finish_review(files: list[PreviewFile]) -> list[FileResult]:
    """The full-screen review, then one line per file on what it wrote."""
    from santamerge.ui.tui import run_review

    results = run_review(files)
    for result in results:
        click.echo(result.summary)
    return results


def _note(message: str) -> None:
    click.echo(f"santamerge: {message}", err=True)

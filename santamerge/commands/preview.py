"""``santamerge preview``: review each conflict hunk and its candidates; accept with a key."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from santamerge.commands.options import json_option, policy_option
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from santamerge.merge.sources import PreviewSource
    from santamerge.ui.review import PreviewFile

PREVIEW_SCHEMA = 1  # the wrapper {"schema", "files"}; docs/preview-schema.json


@click.command(short_help="Review each conflict hunk and its candidates; accept with a key.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--attempt", "attempt_id", default=None, metavar="ID",
              help="Review a merge-driver attempt stored under .git/santamerge/attempts/: "
                   "its folder name, or a unique prefix of it.")
@json_option
@policy_option
@report_errors
def preview(paths: tuple[str, ...], attempt_id: str | None, as_json: bool,
            policy: str | None) -> None:
    """Review each conflict hunk and its ranked candidates; accept one with a key.

    For each hunk it shows ours, base and theirs (highlighted), then the ranked
    candidates (method, score, how much of each side they keep, why), each with a short
    diff against ours and against theirs. PATHS are files holding diff3 conflict
    markers (`git merge` through santamerge leaves them so); without PATHS, every
    conflicted file of this repository. `--attempt ID` reviews a stored merge-driver
    attempt instead; accepting then writes the working-tree file only while it still
    holds that attempt's conflict markers.

    \b
    In a terminal it asks one key per hunk, without Enter:
      1-9   accept that candidate for this hunk, and go on
      e     edit the hunk in $VISUAL / $EDITOR (default vi)
      s     skip: this hunk keeps its conflict markers
      n, →  next hunk          p, ←  previous hunk
      q     quit               ?     help

    A file is written, atomically, when you move past its last hunk, if you accepted or
    edited any of its hunks: those take their new text, the others keep their markers
    exactly. `q` writes nothing more: the current file's choices are dropped.

    Off a terminal (piped) it prints the same report and writes nothing. `--json`
    prints {"schema": 1, "files": [...]}, one record of docs/propose-json.md per file;
    its JSON Schema is docs/preview-schema.json.

    \b
    Examples:
      santamerge preview                     every conflicted file, hunk by hunk
      santamerge preview src/app.py --json   the candidates as JSON
      santamerge preview --attempt 20250614  a stored merge-driver attempt
    """
    from santamerge.merge.policy import DEFAULT_POLICY, POLICIES
    from santamerge.ui.review import load_preview

    chosen = POLICIES[policy] if policy else DEFAULT_POLICY
    sources = _sources(paths, attempt_id)
    git_dir, history = _ranker_facts(attempt_id is None)
    files = [f for f in (load_preview(s, chosen, _note, git_dir, history) for s in sources)
             if f is not None]
    if as_json:
        document = {"schema": PREVIEW_SCHEMA, "files": [f.record for f in files]}
        click.echo(json.dumps(document, indent=2))
        return
    if not files:
        click.echo("nothing to preview: no file holds conflict markers")
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        _interactive(files)
    else:
        _report(files, sources)


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
    from santamerge.merge.sources import attempt_source, preview_sources

    if attempt_id is None:
        return preview_sources(paths, _note)
    if paths:
        raise SantamergeError("give PATHS or --attempt, not both")
    return [attempt_source(attempt_id)]


def _report(files: list[PreviewFile], sources: list[PreviewSource]) -> None:
    from rich.console import Console
    from rich.text import Text

    from santamerge.ui.render import render_report

    console = Console(highlight=False)
    headers = {s.target: s.header for s in sources}
    for file in files:
        if header := headers.get(file.target):
            console.print(Text(header, style="bold"))
        assert file.outcome is not None
        render_report(file.proposal, file.outcome, file.record.get("labels"), console)
    console.print(Text("Nothing was written: run `santamerge preview` in a terminal to "
                       "accept candidates.", style="dim"))


def _interactive(files: list[PreviewFile]) -> None:
    from rich.console import Console

    from santamerge.ui.review import review, terminal_key_reader

    console = Console(highlight=False)
    results = review(files, console, terminal_key_reader(sys.stdin.fileno()))
    console.print()
    for result in results:
        click.echo(result.summary)
    errors = [r.error for r in results if r.error]
    if errors:
        raise SantamergeError(errors[0] if len(errors) == 1
                              else f"{errors[0]} (and {len(errors) - 1} more)")


def _note(message: str) -> None:
    click.echo(f"santamerge: {message}", err=True)

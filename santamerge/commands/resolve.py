"""``santamerge resolve``: after a conflicted merge, rebase or cherry-pick, propose the
learned ranker's candidate for every conflict hunk; with ``--accept``, write those above
the calibrated threshold, with a backup that ``--undo`` restores."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from santamerge.commands.options import json_option, model_option, server_option
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors

if TYPE_CHECKING:
    from rich.console import Console

    from santamerge.config import Settings
    from santamerge.merge.policy import AutoApplyPolicy
    from santamerge.merge.sources import Repository, Source
    from santamerge.merge.types import HunkProposal, MergeProposal, Outcome
    from santamerge.model.backends.base import Backend

RESOLVE_SCHEMA = 1  # {"schema", "files", "threshold"}; each file as in docs/propose-json.md


class _Result(NamedTuple):
    source: Source
    proposal: MergeProposal
    outcome: Outcome
    record: dict[str, Any]


@click.command(short_help="Propose, and with --accept write, a candidate for each conflict "
                          "hunk after a conflicted merge, rebase or cherry-pick.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--accept", is_flag=True,
              help="Write each hunk whose learned top candidate reaches the threshold and "
                   "passes the gates; every other hunk keeps its markers.")
@click.option("--threshold", type=float, default=None, metavar="P",
              help="The probability, 0..1, that --accept needs (default: the calibrated "
                   "threshold, 99 % precision on replayed merges; docs/ranking.md).")
@click.option("--add", is_flag=True,
              help="With --accept: `git add` each written file that has no conflict "
                   "markers left (and only those).")
@click.option("--undo", is_flag=True,
              help="Restore the files (and unmerged index entries) of the last --accept.")
@click.option("--force", is_flag=True,
              help="With --undo: restore even files changed since resolve wrote them. "
                   "Otherwise: also propose on (and with --accept write, after a backup) "
                   "files whose markers were removed or edited by hand, from git's merge "
                   "rebuilt from the index.")
@click.option("--no-model", is_flag=True,
              help="Rank without the code model (faster; no model middles or likelihoods).")
@model_option
@server_option
@json_option
@report_errors
def resolve(paths: tuple[str, ...], accept: bool, threshold: float | None, add: bool,
            undo: bool, force: bool, no_model: bool, model_name: str | None,
            server: str | None, as_json: bool) -> None:
    """Resolve a conflicted merge, rebase or cherry-pick, hunk by hunk.

    What it reads: the files git lists as conflicted (git diff --diff-filter=U), or
    those among PATHS (files or folders). For each, the working-tree file when it
    holds diff3 markers; when it holds git's own markers without a base section
    (merge.conflictStyle is not diff3), git's diff3 merge rebuilt from the index
    stages 1, 2 and 3. Files that are not conflicted are never written, nor are
    conflicted files that a person has worked on: no markers left (resolved by hand,
    not yet added), or markers that are not git's own; --force proposes on those too,
    from the index, and --accept backs them up before it writes. The model is loaded
    once for all files (a configured server, else the local `santamerge serve` if one
    runs, else in this process); --no-model ranks without it.

    Without --accept it prints each hunk with its best candidates (method; score, the
    probability that a person commits it; why) and what --accept would write. It
    changes nothing, and exits 0. --json prints {"schema": 1, "files": [...],
    "threshold": P}, each file as in docs/propose-json.md.

    --accept writes, for each hunk whose learned top candidate scores at least the
    threshold and passes the gates (no new parse errors, no markers, no new duplicate
    definition), that candidate; every other hunk keeps its markers byte for byte.
    The threshold is calibrated for 99 % precision on replayed merges
    (docs/ranking.md); --threshold P overrides it (0 writes the top candidate of
    every hunk). --add then stages (git add) each written file that holds no
    conflict markers any more, and only those.

    Before it writes, --accept copies every file it will write, byte for byte, to
    .git/santamerge/resolve-backup/<time>-<pid>/ with a manifest.json. --undo
    restores the latest backup: each file's bytes and, for files --add staged, their
    unmerged index entries, so that git lists them as conflicted again. It refuses
    when a file changed since resolve wrote it, unless --force.

    Exit status: 0 when no hunk is left marked (always 0 without --accept), 1 when
    some are, or a conflicted file was skipped; 2 on an error.

    \b
    Examples:
      santamerge resolve                           what --accept would write, per hunk
      santamerge resolve src/app.py --json         one file's candidates, as JSON
      santamerge resolve --accept                  write the confident hunks
      santamerge resolve --accept --add            ... and stage the files now clean
      santamerge resolve --accept --threshold 0.8  write more, less surely
      santamerge resolve --undo                    put back what --accept changed
    """
    from santamerge.merge.sources import find_repository

    if not 0.0 <= (threshold if threshold is not None else 0.0) <= 1.0:
        raise SantamergeError(f"--threshold {threshold:g} is not a probability; give a "
                              "value from 0 to 1")
    if add and not accept:
        raise SantamergeError("--add stages the files that --accept writes; give --accept "
                              "too (santamerge resolve --accept --add)")
    if no_model and (model_name or server):
        raise SantamergeError("give --no-model or --model/--server, not both")
    repo = find_repository(os.getcwd())
    if undo:
        if accept or add or paths or threshold is not None or as_json:
            raise SantamergeError("--undo restores the last --accept as a whole; give it "
                                  "alone (or with --force)")
        _undo(repo, force)
        return
    left = _resolve(repo, paths, accept, threshold, add, no_model, model_name, server,
                    as_json, force)
    if accept and left:
        sys.exit(EXIT_CONFLICTS)


def _resolve(repo: Repository, paths: tuple[str, ...], accept: bool,
             threshold: float | None, add: bool, no_model: bool, model_name: str | None,
             server: str | None, as_json: bool, force: bool = False) -> bool:
    """Propose (and write); True when a processed file is left conflicted."""
    from santamerge.config import load_settings
    from santamerge.merge.sources import (
        conflicted_paths,
        load_source,
        merge_message,
        select_paths,
    )

    settings = load_settings(repo.root, model=model_name, server=server)
    policy = _policy(threshold)
    assert policy.threshold is not None
    cwd = os.getcwd()
    conflicted = conflicted_paths(repo)
    chosen = select_paths(repo, conflicted, paths, cwd, _note)
    if not conflicted:
        _note("no conflicted files (git diff --diff-filter=U lists none); nothing to do")
    sources = [s for s in (load_source(repo, p, cwd, settings.max_bytes, _note, force)
                           for p in chosen) if s is not None]
    backend = None if no_model or not sources else _open_model(settings, as_json)
    results = _propose_all(sources, policy, backend, merge_message(repo), as_json)
    if as_json:
        document = {"schema": RESOLVE_SCHEMA, "files": [r.record for r in results],
                    "threshold": policy.threshold}
        click.echo(json.dumps(document, indent=2))
    if not accept:
        if not as_json:
            _report(results, policy.threshold)
        return False
    written = _write(repo, results, policy.threshold, add, as_json)
    skipped = len(chosen) - len(results)  # still conflicted: not proposed on
    left = skipped > 0 or any(r.outcome.unresolved for r in results)
    if written is None and not as_json and results:
        click.echo("Nothing was written: no hunk's top candidate reached the threshold "
                   f"({policy.threshold:.3f}).")
    return left


def _open_model(settings: Settings, as_json: bool) -> Backend | None:
    from rich.console import Console

    from santamerge.merge.sources import open_model

    console = Console(stderr=True)
    if as_json or not console.is_terminal:
        return open_model(settings, _note)
    with console.status(f"loading the model ({settings.model}) once for every file"):
        return open_model(settings, _note)


def _policy(threshold: float | None) -> AutoApplyPolicy:
    from santamerge.merge.policy import POLICIES

    try:
        calibrated = POLICIES["calibrated"]
    except KeyError:
        raise SantamergeError("this installation ships no learned ranker "
                              "(santamerge/data/ranker.json); reinstall santamerge") from None
    return calibrated if threshold is None else calibrated._replace(threshold=threshold)


def _propose_all(sources: list[Source], policy: AutoApplyPolicy, backend: Backend | None,
                 message: str | None, as_json: bool) -> list[_Result]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from santamerge.errors import MarkerError
    from santamerge.merge.pipeline import propose_merge, resolve_merge
    from santamerge.merge.record import proposal_record
    from santamerge.model.backends.base import BackendError

    console = Console(stderr=True)
    results = []
    progress = Progress(TextColumn("proposing"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.description}"), console=console, transient=True,
                        disable=as_json or not console.is_terminal)
    with progress:
        task = progress.add_task("", total=len(sources))
        for source in sources:
            progress.update(task, description=source.shown)
            try:
                try:
                    proposal = propose_merge(source.text, source.path, source.marker_size,
                                             policy, backend=backend, merge_message=message)
                except BackendError as exc:
                    _note(f"{source.shown}: the model failed ({exc}); proposing without it "
                          "from here on")
                    backend = None
                    proposal = propose_merge(source.text, source.path, source.marker_size,
                                             policy, merge_message=message)
            except MarkerError as exc:
                _note(f"{source.shown}: {exc}; skipped")
                progress.advance(task)
                continue
            outcome = resolve_merge(proposal)
            results.append(_Result(source, proposal, outcome,
                                   proposal_record(proposal, outcome, source.labels)))
            progress.advance(task)
    return results


def _write(repo: Repository, results: list[_Result], threshold: float, add: bool,
           as_json: bool) -> str | None:
    """Back up, then write each file with a hunk to write; print a line per file. The
    backup folder, or None when nothing was written."""
    from santamerge.files import write_atomically
    from santamerge.merge.locate import has_markers
    from santamerge.merge.sources import Backup, git_bytes, unmerged_entries

    say = _note if as_json else click.echo
    planned = []
    for r in results:
        if not r.outcome.resolved:
            continue
        with open(r.source.full, "rb") as fh:
            if fh.read() != r.source.original:
                _note(f"{r.source.shown}: changed while santamerge was proposing; not written")
                continue
        planned.append(r)
    backup = Backup(repo, [(r.source, r.outcome.text.encode("utf-8")) for r in planned],
                    threshold) if planned else None
    for r in planned:
        write_atomically(r.source.full, r.outcome.text.encode("utf-8"))
    staged = set()
    if add and backup is not None:
        for r in planned:
            if has_markers(r.outcome.text):
                continue
            entries = unmerged_entries(repo, r.source.path)
            git_bytes(repo.root, "add", "--", r.source.path)
            backup.staged(r.source.path, entries)
            staged.add(r.source.path)
    written = {r.source.path for r in planned}
    for r in results:
        total = len(r.proposal.hunks)
        done = len(r.outcome.resolved) if r.source.path in written else 0
        line = f"{r.source.shown}: {done} of {total} hunks written, {total - done} left marked"
        if r.source.path in staged:
            line += "; staged"
        say(line)
    if backup is None:
        return None
    where = os.path.relpath(backup.folder, os.getcwd())
    say(f"Backup in {where}; `santamerge resolve --undo` restores it.")
    return str(backup.folder)


def _undo(repo: Repository, force: bool) -> None:
    from santamerge.merge.sources import shown_path, undo

    result = undo(repo, force)
    cwd = os.getcwd()
    for path in result.restored:
        again = " (conflicted again in the index)" if path in result.unstaged else ""
        click.echo(f"{shown_path(repo, path, cwd)}: restored{again}")


# -- the report without --accept -------------------------------------------------------

TOP = 3  # candidates shown per hunk


def _report(results: list[_Result], threshold: float) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for r in results:
        source = "git's diff3 merge rebuilt from the index" if r.source.rebuilt \
            else "the working tree"
        console.print(Text(f"{r.source.shown} ({source})", style="bold"))
        for h in r.proposal.hunks:
            _hunk(console, r, h, threshold)
        total = len(r.proposal.hunks)
        n = len(r.outcome.resolved)
        console.print(Text(f"{r.source.shown}: --accept would write {n} of {total} hunks; "
                           f"{total - n} would keep their markers.", style="bold"))
    if results:
        console.print(Text(f"Nothing was written. Threshold {threshold:.3f}; "
                           "`santamerge resolve --accept` writes the hunks above it.",
                           style="dim"))


def _hunk(console: Console, r: _Result, h: HunkProposal, threshold: float) -> None:
    from rich.console import Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from santamerge.ui.render import side_text

    parts: list[RenderableType] = []
    for name, style in (("ours", "cyan"), ("base", "magenta"), ("theirs", "yellow")):
        text = getattr(h.hunk, name)
        if text is not None:
            parts.append(Panel(side_text(text, r.proposal.language), title=Text(name,
                               style=style), title_align="left", border_style=style,
                               padding=(0, 1)))
    table = Table(show_edge=False, expand=True)
    for column in ("#", "method", "score", "why"):
        table.add_column(column, overflow="fold")
    for rank, s in enumerate(h.ranked[:TOP], 1):
        why = "; ".join(s.reasons)
        if s.rejected:
            why += ("; " if why else "") + "failed: " + "; ".join(s.rejected)
        style = "dim strike" if s.rejected else ("bold green" if h.chosen is not None and
                                                 s.candidate == h.chosen else "")
        table.add_row(str(rank), s.candidate.method, f"{s.score:.3f}", why, style=style)
    if len(h.ranked) > TOP:
        table.add_row("", f"(and {len(h.ranked) - TOP} more)", "", "", style="dim")
    parts.append(table)
    parts.append(_verdict(h, threshold))
    title = f"{r.source.shown} hunk {h.hunk.index + 1} of {len(r.proposal.hunks)}"
    if not r.source.rebuilt:
        title += f", line {h.hunk.line}"
    console.print(Panel(Group(*parts), title=Text(title, style="bold"), title_align="left"))


def _verdict(h: HunkProposal, threshold: float) -> Any:
    from rich.console import Group
    from rich.text import Text

    from santamerge.ui.render import side_text

    top = next((s for s in h.ranked if not s.rejected), None)
    if h.chosen is not None and top is not None:
        head = Text(f"--accept writes {h.chosen.method} (score {top.score:.3f} ≥ "
                    f"{threshold:.3f}):", style="green")
        return Group(head, side_text(h.chosen.text, None))
    if top is None:
        why = "every candidate fails the gates"
    elif top.score < threshold:
        why = f"the top candidate, {top.candidate.method}, scores {top.score:.3f} < " \
              f"{threshold:.3f}"
    else:
        failed = "; ".join(h.gated.get(top.candidate.method, ())) or "a gate"
        why = f"the top candidate, {top.candidate.method}, fails {failed}"
    return Text(f"--accept keeps the markers: {why}", style="yellow")


def _note(message: str) -> None:
    click.echo(f"santamerge: {message}", err=True)

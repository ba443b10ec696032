"""``santamerge resolve``: after a conflicted merge, rebase or cherry-pick, propose the
learned ranker's candidate for every conflict hunk; with ``--accept``, write those above
the calibrated threshold, with a backup that ``--undo`` restores."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import click

from santamerge.commands.options import json_option, model_options, policy_choice
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.config import Settings
    from santamerge.git import Repository
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.workspace.sources import Proposed, Source
    from santamerge.model.backends.base import Backend

RESOLVE_SCHEMA = 1  # {"schema", "files", "threshold"}; each file as in docs/propose-json.md
DEFAULT_POLICY = "calibrated"
WHERE = (
    "is not inside a git working tree; run santamerge resolve in the repository with the conflicts"
)


@click.command(
    short_help="Propose, and with --accept write, a candidate for each conflict "
    "hunk after a conflicted merge, rebase or cherry-pick."
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--accept",
    is_flag=True,
    help="Write each hunk whose learned top candidate reaches the threshold, or "
    "whose method this repository's history proves (santamerge learn), and "
    "that passes the gates; every other hunk keeps its markers.",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    metavar="P",
    help="The probability, 0..1, that --accept needs (default: the calibrated "
    "threshold, 99 % precision on replayed merges; docs/ranking.md).",
)
@click.option(
    "--add",
    is_flag=True,
    help="With --accept: `git add` each written file that has no conflict "
    "markers left (and only those).",
)
@click.option(
    "--undo",
    is_flag=True,
    help="Restore the files (and unmerged index entries) of the last --accept.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --undo: restore even files changed since resolve wrote them. "
    "Otherwise: also propose on (and with --accept write, after a backup) "
    "files whose markers were removed or edited by hand, from git's merge "
    "rebuilt from the index.",
)
@click.option(
    "--no-model",
    is_flag=True,
    help="Rank without the code model (faster; no model middles or likelihoods).",
)
@policy_choice(DEFAULT_POLICY)
@model_options
@json_option
@report_errors
def resolve(
    paths: tuple[str, ...],
    accept: bool,
    threshold: float | None,
    add: bool,
    undo: bool,
    force: bool,
    no_model: bool,
    policy: str | None,
    model_name: str | None,
    device: str | None,
    server: str | None,
    as_json: bool,
) -> None:
    """Resolve a conflicted merge, rebase or cherry-pick, hunk by hunk.

    What it reads: the files git lists as conflicted (git diff --diff-filter=U), or
    those among PATHS (files or folders). For each, the working-tree file when it
    holds diff3 markers; when it holds git's own markers without a base section
    (merge.conflictStyle is not diff3), git's diff3 merge rebuilt from the index
    stages 1, 2 and 3. Files that are not conflicted are never written, nor are
    conflicted files that a person has worked on: no markers left (resolved by hand,
    not yet added), or markers that are not git's own; --force proposes on those too,
    from the index, and --accept backs them up before it writes. A model chosen with
    --model or --server (or in config) is loaded once for all files (a configured
    server, else the local `santamerge serve` if one runs, else in this process);
    --no-model ranks without it. The embedded model is asked only with --model
    embedded: its middles are rarely right yet (docs/model-card.md).

    Without --accept it prints each hunk with its best candidates (method; score, the
    probability that a person commits it; why) and what --accept would write. It
    changes nothing, and exits 0. --json prints {"schema": 1, "files": [...],
    "threshold": P}, each file as in docs/propose-json.md.

    --accept writes, for each hunk whose learned top candidate scores at least the
    threshold and passes the gates (no new parse errors, no markers, no new duplicate
    definition), that candidate; every other hunk keeps its markers byte for byte.
    The threshold is calibrated for 99 % precision on replayed merges
    (docs/ranking.md); --threshold P overrides it (0 writes the top candidate of
    every hunk). In a repository where `santamerge learn` measured each method, --accept
    without --threshold also writes what that history proves: a method right in at
    least 97 % of at least 20 hunks of the file's language there, and never one the
    history shows below that (docs/ranking.md). --add then stages (git add) each
    written file that holds no conflict markers any more, and only those.

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
    from santamerge.git import find_repository

    _check_flags(accept, threshold, add, no_model, policy, model_name, device, server)
    repo = find_repository(os.getcwd(), WHERE)
    if undo:
        if accept or add or paths or threshold is not None or as_json:
            raise SantamergeError(
                "--undo restores the last --accept as a whole; give it alone (or with --force)"
            )
        _undo(repo, force)
        return
    from santamerge.config import load_settings

    settings = load_settings(repo.root, model=model_name, device=device, server=server)
    chosen = _policy(policy or DEFAULT_POLICY, threshold)
    left = _resolve(
        repo,
        paths,
        accept,
        add,
        settings,
        _asks_model(settings, no_model, model_name),
        chosen,
        as_json,
        force,
    )
    if accept and left:
        sys.exit(EXIT_CONFLICTS)


def _asks_model(settings: Settings, no_model: bool, model_name: str | None) -> bool | None:
    """Whether to ask the model; None for the embedded model, left out unasked. It is
    asked only when the person asks for it (--model embedded): its middles are rarely
    right (docs/model-card.md), and loading it costs seconds. Any other model, or a
    server, is asked unless --no-model."""
    if no_model:
        return False
    if settings.model == "embedded" and not settings.server and model_name is None:
        return None
    return True


def _check_flags(
    accept: bool,
    threshold: float | None,
    add: bool,
    no_model: bool,
    policy: str | None,
    *model: str | None,
) -> None:
    if not 0.0 <= (threshold if threshold is not None else 0.0) <= 1.0:
        raise SantamergeError(
            f"--threshold {threshold:g} is not a probability; give a value from 0 to 1"
        )
    if threshold is not None and (policy or DEFAULT_POLICY) != "calibrated":
        raise SantamergeError(
            f"--threshold sets the calibrated policy's threshold; the "
            f"{policy} policy has none (drop one of them)"
        )
    if add and not accept:
        raise SantamergeError(
            "--add stages the files that --accept writes; give --accept "
            "too (santamerge resolve --accept --add)"
        )
    if no_model and any(model):
        raise SantamergeError("give --no-model or --model/--device/--server, not both")


def _resolve(
    repo: Repository,
    paths: tuple[str, ...],
    accept: bool,
    add: bool,
    settings: Settings,
    use_model: bool | None,
    policy: AutoApplyPolicy,
    as_json: bool,
    force: bool,
) -> bool:
    """Propose (and write); True when a processed file is left conflicted."""
    from santamerge import git
    from santamerge.merge.workspace.sources import load_source, select_paths

    cwd = os.getcwd()
    conflicted = git.conflicted_paths(repo)
    chosen = select_paths(repo, conflicted, paths, cwd, _note)
    if not conflicted:
        _note("no conflicted files (git diff --diff-filter=U lists none); nothing to do")
    sources = [
        s
        for s in (load_source(repo, p, cwd, settings.max_bytes, _note, force) for p in chosen)
        if s is not None
    ]
    if use_model is None and sources and not as_json:  # said once, where it matters
        _note(
            "not asking the embedded model: its middles are rarely right "
            "(docs/model-card.md); --model embedded asks it, --model/--server choose a "
            "real one"
        )
    backend = _open_model(settings, as_json) if use_model and sources else None
    results = _propose_all(sources, policy, backend, git.merge_message(repo), as_json, repo)
    if as_json:
        _print_json(results, policy)
    if not accept:
        if not as_json:
            _report(results, policy)
        return False
    written = _write(repo, results, policy, add, as_json)
    skipped = len(chosen) - len(results)  # still conflicted: not proposed on
    if not written and not as_json and results:
        click.echo(
            "Nothing was written: "
            + (
                f"no hunk's top candidate reached the threshold ({policy.threshold:.3f})."
                if policy.threshold is not None
                else f"the {policy.name} policy writes no hunk."
            )
        )
    return skipped > 0 or any(r.outcome.unresolved for r in results)


def _print_json(results: list[Proposed], policy: AutoApplyPolicy) -> None:
    from santamerge.merge.record import proposal_record

    files = [proposal_record(r.proposal, r.outcome, r.source.labels).to_json() for r in results]
    document = {"schema": RESOLVE_SCHEMA, "files": files, "threshold": policy.threshold}
    click.echo(json.dumps(document, indent=2))


def _open_model(settings: Settings, as_json: bool) -> Backend | None:
    from santamerge.commands.options import check_device
    from santamerge.model.backends.choose import open_shared_backend
    from santamerge.ui.render import console

    check_device(settings.device)
    out = console(stderr=True)
    if as_json or not out.is_terminal:
        return open_shared_backend(settings, _note)
    with out.status(f"loading the model ({settings.model}) once for every file"):
        return open_shared_backend(settings, _note)


def _policy(name: str, threshold: float | None) -> AutoApplyPolicy:
    from santamerge.merge.ranking.policy import POLICIES

    try:
        chosen = POLICIES[name]
    except KeyError:
        raise SantamergeError(
            "this installation ships no learned ranker "
            "(santamerge/data/ranker.json); reinstall santamerge"
        ) from None
    # a threshold given by hand is the ranker's alone: the repository's measured methods
    # (santamerge learn) add and remove nothing then
    return chosen if threshold is None else chosen._replace(threshold=threshold, learns=False)


def _propose_all(
    sources: list[Source],
    policy: AutoApplyPolicy,
    backend: Backend | None,
    message: str | None,
    as_json: bool,
    repo: Repository,
) -> list[Proposed]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from santamerge.merge.workspace.sources import propose_sources
    from santamerge.ui.render import console

    out = console(stderr=True)
    progress = Progress(
        TextColumn("proposing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=out,
        transient=True,
        disable=as_json or not out.is_terminal,
    )
    with progress:
        task = progress.add_task("", total=len(sources))

        def step(shown: str) -> None:
            progress.update(task, description=shown, advance=1)

        from santamerge import git

        return propose_sources(
            sources, policy, backend, message, _note, step, repo.git_dir, git.history_reader(repo)
        )


def _write(
    repo: Repository, results: list[Proposed], policy: AutoApplyPolicy, add: bool, as_json: bool
) -> bool:
    """Back up, then write each file with a hunk to write; print a line per file. True
    when something was written."""
    from santamerge.merge.workspace.backup import write_resolved
    from santamerge.ui.render import written_lines

    say = _note if as_json else click.echo
    files = [(r.source, r.outcome.text) for r in results if r.outcome.resolved]
    done = write_resolved(repo, files, policy.threshold, add, _note)
    for line in written_lines(results, done.paths, done.staged):
        say(line)
    if done.folder is None:
        return False
    where = os.path.relpath(done.folder, os.getcwd())
    say(f"Backup in {where}; `santamerge resolve --undo` restores it.")
    return True


def _undo(repo: Repository, force: bool) -> None:
    from santamerge.merge.workspace.backup import undo
    from santamerge.merge.workspace.sources import shown_path

    result = undo(repo, force)
    cwd = os.getcwd()
    for path in result.restored:
        again = " (conflicted again in the index)" if path in result.unstaged else ""
        click.echo(f"{shown_path(repo, path, cwd)}: restored{again}")


def _report(results: list[Proposed], policy: AutoApplyPolicy) -> None:
    from santamerge.ui.render import card_texts, render_resolve, report_console

    out = report_console(t for r in results for t in card_texts(r.proposal))
    render_resolve(results, policy.name, policy.threshold, out)


def _note(message: str) -> None:
    click.echo(f"santamerge: {message}", err=True)

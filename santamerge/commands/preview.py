"""``santamerge preview``: review each conflict hunk and its candidates; accept with a key."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, NamedTuple

import click

from santamerge.commands.options import json_option, policy_option
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.merge.policy import AutoApplyPolicy
    from santamerge.ui.review import PreviewFile

PREVIEW_SCHEMA = 1  # the wrapper {"schema", "files"}; docs/preview-schema.json


class _Source(NamedTuple):
    shown: str  # the path as shown
    read_from: str  # the text with markers
    target: str  # the working-tree file that accepting writes
    repo_path: str  # the path in the repository (its extension picks the language)
    labels: tuple[str, str, str] | None = None
    header: str | None = None


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

    chosen = POLICIES[policy] if policy else DEFAULT_POLICY
    if attempt_id is not None:
        if paths:
            raise SantamergeError("give PATHS or --attempt, not both")
        sources = [_attempt_source(attempt_id)]
    else:
        sources = _path_sources(paths)
    files = [f for f in (_load(s, chosen) for s in sources) if f is not None]
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


def _path_sources(paths: tuple[str, ...]) -> list[_Source]:
    if paths:
        unique = list(dict.fromkeys(paths))
        return [_Source(p, p, p, p) for p in unique]
    from santamerge import git

    root = git.run_git("rev-parse", "--show-toplevel").stdout.strip()
    names = git.run_git("diff", "--name-only", "-z", "--diff-filter=U", cwd=root).stdout
    sources = []
    for name in filter(None, names.split("\0")):
        full = os.path.join(root, name)
        sources.append(_Source(os.path.relpath(full), full, full, name))
    if not sources:
        _note("no conflicted files in this repository (git diff --diff-filter=U lists none)")
    return sources


def _attempt_source(ident: str) -> _Source:
    from santamerge import git
    from santamerge.merge.attempts import list_attempts

    git_dir = git.find_git_dir()
    if git_dir is None:
        raise SantamergeError("not inside a git repository; --attempt reads the attempts "
                              "stored under .git/santamerge/attempts/")
    attempts = list_attempts(git_dir)
    matches = ([a for a in attempts if a.name == ident]
               or [a for a in attempts if a.name.startswith(ident)])
    if not matches:
        raise SantamergeError(f"no stored attempt named {ident!r} (there are {len(attempts)} "
                              f"under {os.path.join(git_dir, 'santamerge', 'attempts')})")
    if len(matches) > 1:
        raise SantamergeError(f"{ident!r} starts {len(matches)} attempt names "
                              f"({matches[0].name}, {matches[1].name}, ...); give more of it")
    folder = matches[0]
    try:
        body = json.loads((folder / "attempt.json").read_text(encoding="utf-8"))
        path = str(body["path"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SantamergeError(f"attempt {folder.name}: cannot read its attempt.json "
                              f"({exc})") from None
    stored = body.get("labels")
    labels = ((str(stored["ours"]), str(stored["base"]), str(stored["theirs"]))
              if isinstance(stored, dict) and {"ours", "base", "theirs"} <= stored.keys()
              else None)
    root = git.run_git("rev-parse", "--show-toplevel").stdout.strip()
    target = os.path.join(root, path)
    return _Source(os.path.relpath(target), str(folder / "result"), target, path, labels,
                   f"attempt {folder.name}: {path}")


def _load(source: _Source, policy: AutoApplyPolicy) -> PreviewFile | None:
    """The file's proposal, or None (with a one-line note) when it has nothing to review."""
    from santamerge.merge.locate import has_markers
    from santamerge.merge.pipeline import propose_merge, resolve_merge
    from santamerge.merge.record import proposal_record
    from santamerge.ui.review import PreviewFile

    try:
        with open(source.read_from, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SantamergeError(f"cannot read {source.read_from} ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _note(f"{source.shown}: not UTF-8 text; skipped")
        return None
    if not has_markers(text):
        _note(f"{source.shown}: no conflict markers; skipped")
        return None
    if _sides_hold_markers(source):
        _note(f"{source.shown}: a side of the conflict already holds lines that look like "
              "conflict markers, which cannot be told from git's; skipped (resolve it by hand)")
        return None
    try:
        proposal = propose_merge(text, source.repo_path, None, policy)
    except SantamergeError as exc:
        raise SantamergeError(f"{source.shown}: {exc}") from None
    labels = source.labels
    if labels is None and proposal.parsed.hunks:
        first = proposal.parsed.hunks[0]
        labels = (first.ours_label, first.base_label, first.theirs_label)
    record = proposal_record(proposal, resolve_merge(proposal), labels)
    return PreviewFile(source.shown, source.target, proposal, record)


def _sides_hold_markers(source: _Source) -> bool:
    """Whether a side of the conflict shown already holds marker-like lines: the stored
    inputs of an attempt, or the index stages of a conflicted file of a repository.
    (A file outside a conflicted repository has no sides to look at.)"""
    from santamerge.merge.locate import has_markers
    from santamerge.merge.sources import find_repository, sides_hold_markers, unmerged_entries

    if source.header is not None:  # an attempt: its inputs lie beside its result
        folder = os.path.dirname(os.path.abspath(source.read_from))
        for name in ("base", "ours", "theirs"):
            try:
                with open(os.path.join(folder, name), "rb") as fh:
                    if has_markers(fh.read().decode("utf-8", "replace")):
                        return True
            except OSError:
                continue
        return False
    try:
        repo = find_repository(os.path.dirname(os.path.abspath(source.target)))
    except SantamergeError:
        return False
    path = os.path.relpath(os.path.realpath(source.target), os.path.realpath(repo.root))
    return sides_hold_markers(repo, unmerged_entries(repo, path.replace(os.sep, "/")))


def _report(files: list[PreviewFile], sources: list[_Source]) -> None:
    from rich.console import Console
    from rich.text import Text

    from santamerge.ui.render import render_report

    console = Console(highlight=False)
    headers = {s.target: s.header for s in sources}
    for file in files:
        if header := headers.get(file.target):
            console.print(Text(header, style="bold"))
        render_report(file.record, console)
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

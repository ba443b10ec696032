"""``santamerge fill``: fill stub bodies, as a pre-commit fixer."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING

import click

from santamerge.commands.options import check_device, model_options
from santamerge.errors import EXIT_CONFLICTS, EXIT_OK, SantamergeError, report_errors

if TYPE_CHECKING:
    from rich.console import Console

    from santamerge.stubs.fill import Filled
    from santamerge.stubs.run import FilledFile, Selection


@click.command(short_help="Fill stub function bodies from the repository's code.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--write",
    "mode",
    flag_value="write",
    default=None,
    help="Write the bodies even when the model in use has no measured evidence "
    "that its bodies are right (docs/fill.md); exit 1 when a file changed.",
)
@click.option(
    "--check",
    "mode",
    flag_value="check",
    help="Only list the stubs; exit 1 when there are any. Loads no model.",
)
@click.option(
    "--diff",
    "mode",
    flag_value="diff",
    help="Only print the bodies as a unified diff; never write.",
)
@click.option(
    "--only",
    default=None,
    metavar="NAME",
    help="Fill only the function or method NAME (or Class.NAME).",
)
@click.option(
    "-n",
    "samples",
    default=8,
    show_default=True,
    help="Bodies to sample per stub (at least 1); the most agreed-on that passes "
    "the checks is proposed.",
)
@model_options
@report_errors
def fill(
    files: tuple[str, ...],
    mode: str | None,
    only: str | None,
    samples: int,
    model_name: str | None,
    device: str | None,
    server: str | None,
) -> None:
    """Find functions whose body is still a stub (`pass`, `...`, `raise
    NotImplementedError`, a TODO comment, `todo!()`, `throw new
    UnsupportedOperationException()`, ...) and propose bodies that fit the repository,
    keeping the signature and docstring. A body is dropped when it breaks the parse,
    is still a stub, does nothing (only comments, a docstring, `pass`, an empty
    `return`) or, in Python, reads a name that nothing defines.

    Whether it writes depends on the model: a model with a recorded `bench stubs`
    measurement that clears the bar (`santamerge model evidence`, docs/fill.md) gets its
    bodies written; any other model's bodies (the embedded model's included) are only
    printed as a diff, and `fill` exits 1 so that a commit stops, unless you ask with
    --write (or the setting fill_write). A written file also exits 1, like a formatter
    hook, so that you review the bodies (`git diff`).

    Without FILES it works on the staged files. Abstract methods, overloads, protocol
    and interface members and .pyi files are never stubs. A body that is not a stub is
    never touched.

    \b
    Examples:
      santamerge fill src/app.py            propose bodies for the stubs of one file
      santamerge fill --write src/app.py    write them, whatever the model
      santamerge fill --check               list the stubs of the staged files
      santamerge fill --diff --only load    show what `load` would become
    In .pre-commit-config.yaml:
      - repo: <this repository>
        hooks: [{id: santamerge-fill}]
    """
    from santamerge.stubs.run import select_stubs

    if samples < 1:
        raise SantamergeError(
            f"-n {samples}: fill needs at least 1 sampled body per stub "
            "(8 by default; more samples, more agreement to measure)"
        )
    if device is not None:
        check_device(device)  # before anything else, --check included
    selection = select_stubs(list(files) or _staged_files(), bool(files), only, _warn)
    if mode == "check":
        _list_stubs(selection)
    if not selection.total:
        sys.exit(EXIT_OK)
    proposed = _fill_all(selection, mode, only, samples, model_name, device, server)
    sys.exit(EXIT_CONFLICTS if proposed else EXIT_OK)


def _list_stubs(selection: Selection) -> None:
    """``--check``: list the stubs, and exit 1 when there are any."""
    for path, found in selection.stubs.items():
        for s in found:
            click.echo(f"{path}:{s.line}: {s.name} is a stub ({s.kind})")
    sys.exit(EXIT_CONFLICTS if selection.total else EXIT_OK)


def _warn(message: str) -> None:
    print(f"santamerge: {message}", file=sys.stderr)


def _fill_all(
    selection: Selection,
    mode: str | None,
    only: str | None,
    samples: int,
    model_name: str | None,
    device: str | None,
    server: str | None,
) -> bool:
    """Fill, then write or print; True when something was written or proposed."""
    from rich.progress import Progress

    from santamerge.config import load_settings
    from santamerge.stubs.evidence import shortfall
    from santamerge.stubs.run import fill_files, open_filler

    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    filler = open_filler(settings, mode)
    done = []
    from santamerge.ui.render import console

    with Progress(console=console(stderr=True), transient=True) as bar:
        job = bar.add_task("filling stubs", total=selection.total)
        for filled in fill_files(
            filler, selection, samples, only, progress=lambda k: bar.advance(job, k)
        ):
            _show(bar.console, filled, filler.mode == "write")
            done.append(filled)
    proposals = sum(filled.proposed for filled in done)
    if filler.mode == "propose" and proposals:
        _warn(
            f"nothing written: {proposals} bod{'y' if proposals == 1 else 'ies'} "
            f"proposed above by the model '{filler.model}', and "
            f"{shortfall(filler.evidence)} (docs/fill.md); review them, and write them "
            "with `santamerge fill --write` if you want them"
        )
    return any(filled.written for filled in done) or proposals > 0


def _show(console: Console, filled: FilledFile, wrote: bool) -> None:
    """What happened to each stub of a file; the new text as a diff unless written."""
    for r in filled.results:
        console.print(
            f"{filled.path}:{r.stub.line}: {describe(r, wrote)}", highlight=False, soft_wrap=True
        )
    if filled.new != filled.text and not filled.written:
        sys.stdout.writelines(filled.diff())
        sys.stdout.flush()


def describe(r: Filled, wrote: bool) -> str:
    """One line on what happened to a stub: how many samples survived the checks, and
    how much the survivors agree (the figures a person can judge a body by)."""
    name, n = r.stub.name, r.sampled
    notes = f"; {'; '.join(r.notes)}" if r.notes else ""
    if r.chosen is None:
        reasons = Counter(w for b in r.bodies for w in b.rejected for _ in range(b.copies))
        why = ", ".join(f"{k} x{v}" if v > 1 else k for k, v in reasons.most_common())
        return (
            f"{name} left as it is: none of the {n} sampled bodies passed the checks "
            f"({why or 'no body'}){notes}"
        )
    if r.chosen.consensus is None:
        agreement = ": a lone survivor, no agreement to measure"
    else:
        agreement = f"; agreement among them {r.chosen.consensus:.2f}"
    copies = f"; {r.chosen.copies} samples gave this body" if r.chosen.copies > 1 else ""
    verb = "filled" if wrote else "proposed a body for"
    return (
        f"{verb} {name} ({r.survived} of {n} sampled bodies passed the checks{agreement}"
        f"{copies}; mean log-prob {r.chosen.mean_logprob:.2f}){notes}"
    )


def _staged_files() -> list[str]:
    from santamerge.git import staged_files

    return staged_files()

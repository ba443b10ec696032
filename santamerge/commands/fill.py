"""``santamerge fill``: fill stub bodies, as a pre-commit fixer."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from santamerge.commands.options import (
    check_device,
    device_option,
    model_option,
    server_option,
)
from santamerge.errors import EXIT_CONFLICTS, EXIT_OK, SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.stubs.detect import Stub
    from santamerge.stubs.fill import Filled

LANGUAGES = "Python, Java, JavaScript, TypeScript, Go and Rust"


@click.command(short_help="Fill stub function bodies from the repository's code.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--write", "mode", flag_value="write", default=None,
              help="Write the bodies even when the model in use has no measured evidence "
                   "that its bodies are right (docs/fill.md); exit 1 when a file changed.")
@click.option("--check", "mode", flag_value="check",
              help="Only list the stubs; exit 1 when there are any. Loads no model.")
@click.option("--diff", "mode", flag_value="diff",
              help="Only print the bodies as a unified diff; never write.")
@click.option("--only", default=None, metavar="NAME",
              help="Fill only the function or method NAME (or Class.NAME).")
@click.option("-n", "samples", default=8, show_default=True,
              help="Bodies to sample per stub (at least 1); the most agreed-on that passes "
                   "the checks is proposed.")
@model_option
@device_option
@server_option
@report_errors
def fill(files: tuple[str, ...], mode: str | None, only: str | None, samples: int,
         model_name: str | None, device: str | None, server: str | None) -> None:
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
    from santamerge.languages.profiles import language_for_path
    from santamerge.stubs.detect import find_stubs

    if samples < 1:
        raise SantamergeError(f"-n {samples}: fill needs at least 1 sampled body per stub "
                              "(8 by default; more samples, more agreement to measure)")
    if device is not None:
        check_device(device)  # before anything else, --check included
    named = bool(files)
    paths = list(files) or _staged_files()
    texts = {}
    unsupported = []
    for path in paths:
        if path.lower().endswith(".pyi"):
            continue  # stubs by design: never filled
        if language_for_path(path) is None:
            if named:
                unsupported.append(path)
            continue
        try:
            texts[path] = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SantamergeError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            print(f"santamerge: {path}: not UTF-8, skipped", file=sys.stderr)
    if unsupported:
        skipped = ", ".join(unsupported)
        if len(unsupported) == len(paths):
            raise SantamergeError(f"{skipped}: santamerge has no grammar for "
                                  f"{'this kind of file' if len(paths) == 1 else 'these files'}; "
                                  f"fill works on {LANGUAGES} files")
        print(f"santamerge: warning: {skipped} skipped: no grammar for "
              f"{'this kind of file' if len(unsupported) == 1 else 'these kinds of file'} "
              f"(fill works on {LANGUAGES} files)", file=sys.stderr)
    stubs = {p: [s for s in find_stubs(p, t)
                 if only is None or only in (s.name, s.name.rsplit(".", 1)[-1])]
             for p, t in texts.items()}
    found = sum(len(v) for v in stubs.values())
    if only is not None and not found:
        _explain_only(only, texts, named)
    if mode == "check":
        for path, items in stubs.items():
            for s in items:
                click.echo(f"{path}:{s.line}: {s.name} is a stub ({s.kind})")
        sys.exit(EXIT_CONFLICTS if found else EXIT_OK)
    if not found:
        sys.exit(EXIT_OK)
    proposed = _fill_all(texts, stubs, mode, only, samples, model_name, device, server)
    sys.exit(EXIT_CONFLICTS if proposed else EXIT_OK)


def _explain_only(only: str, texts: dict[str, str], named: bool) -> None:
    """``--only NAME`` matched no stub: an error when no function of that name exists
    (a typo), a note when it exists and is not a stub."""
    from santamerge.languages.profiles import language_for_path
    from santamerge.treesitter import matches, node_text, parse, query

    short = only.rsplit(".", 1)[-1]
    for path, text in texts.items():
        profile = language_for_path(path)
        q = query(profile, "stubs") if profile is not None else None
        if profile is None or q is None:
            continue
        for match in matches(q, parse(profile, text).root_node):
            if any(node_text(n) == short for n in match.get("name", [])):
                print(f"santamerge: {only} is not a stub; nothing to fill", file=sys.stderr)
                return
    where = ", ".join(texts) if texts else ("the files given" if named else
                                             "the staged files")
    raise SantamergeError(f"--only {only}: no function or method of that name in {where}; "
                          "check the spelling (`santamerge fill --check` lists the stubs)")


def _fill_all(texts: dict[str, str], stubs: dict[str, list[Stub]], mode: str | None,
              only: str | None, samples: int, model_name: str | None, device: str | None,
              server: str | None) -> bool:
    """Fill, then write or print; True when something was written or proposed."""
    import difflib

    from rich.console import Console
    from rich.progress import Progress

    from santamerge.config import load_settings
    from santamerge.model.backends.choose import open_backend
    from santamerge.stubs.fill import fill_evidence, fill_text
    from santamerge.stubs.retrieval import repo_root_of

    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    evidence = fill_evidence(settings.model)
    if mode is None:
        mode = "write" if settings.fill_write or (evidence is not None and evidence.sufficient) \
            else "propose"
    backend = open_backend(settings, per_file=True)
    console = Console(stderr=True)
    proposals = 0
    written = False
    with Progress(console=console, transient=True) as bar:
        job = bar.add_task("filling stubs", total=sum(len(v) for v in stubs.values()))
        for path, text in texts.items():
            if not stubs[path]:
                continue
            new, results = fill_text(backend, path, text, repo_root_of(path), n=samples,
                                     only=only, progress=lambda k: bar.advance(job, k))
            for r in results:
                bar.console.print(f"{path}:{r.stub.line}: {describe(r, mode == 'write')}",
                                  highlight=False, soft_wrap=True)
            if new == text:
                continue
            proposals += sum(r.chosen is not None for r in results)
            if mode == "write":
                from santamerge.merge.driver import write_atomically

                write_atomically(path, new.encode("utf-8"))
                written = True
                continue
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(keepends=True), new.splitlines(keepends=True),
                f"a/{path}", f"b/{path}"))
            sys.stdout.flush()
    if mode == "propose" and proposals:
        why = ("its recorded `bench stubs` measurement is below the bar "
               f"(exact {evidence.exact:.0%} on {evidence.stubs} stubs)"
               if evidence is not None else "there is no measured evidence that its bodies "
                                              "are right")
        print(f"santamerge: nothing written: {proposals} bod{'y' if proposals == 1 else 'ies'} "
              f"proposed above by the model '{settings.model}', and {why} (docs/fill.md); "
              "review them, and write them with `santamerge fill --write` if you want them",
              file=sys.stderr)
    return written or proposals > 0


def describe(r: Filled, wrote: bool) -> str:
    """One line on what happened to a stub: how many samples survived the checks, and
    how much the survivors agree (the figures a person can judge a body by)."""
    name, n = r.stub.name, r.sampled
    notes = f"; {'; '.join(r.notes)}" if r.notes else ""
    if r.chosen is None:
        reasons = Counter(w for b in r.bodies for w in b.rejected for _ in range(b.copies))
        why = ", ".join(f"{k} x{v}" if v > 1 else k for k, v in reasons.most_common())
        return (f"{name} left as it is: none of the {n} sampled bodies passed the checks "
                f"({why or 'no body'}){notes}")
    if r.chosen.consensus is None:
        agreement = ": a lone survivor, no agreement to measure"
    else:
        agreement = f"; agreement among them {r.chosen.consensus:.2f}"
    copies = f"; {r.chosen.copies} samples gave this body" if r.chosen.copies > 1 else ""
    verb = "filled" if wrote else "proposed a body for"
    return (f"{verb} {name} ({r.survived} of {n} sampled bodies passed the checks{agreement}"
            f"{copies}; mean log-prob {r.chosen.mean_logprob:.2f}){notes}")


def _staged_files() -> list[str]:
    import subprocess

    proc = subprocess.run(["git", "diff", "--cached", "--name-only", "--diff-filter=ACM",
                           "-z"], capture_output=True, check=False)
    if proc.returncode != 0:
        raise SantamergeError("no FILES given and not inside a git repository; name the "
                              "files to fill")
    import os

    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True,
                         text=True, check=False).stdout.strip()
    return [os.path.relpath(os.path.join(top, p))
            for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]

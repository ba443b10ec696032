"""``santamerge fill``: fill stub bodies, as a pre-commit fixer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from santamerge.commands.options import device_option, model_option, server_option
from santamerge.errors import EXIT_CONFLICTS, EXIT_OK, SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.stubs import Stub


@click.command(short_help="Fill stub function bodies from the repository's code.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--write", "mode", flag_value="write", default=True,
              help="Write the bodies (the default); exit 1 when a file changed.")
@click.option("--check", "mode", flag_value="check",
              help="Only list the stubs; exit 1 when there are any. Loads no model.")
@click.option("--diff", "mode", flag_value="diff",
              help="Print a unified diff of the bodies instead of writing them.")
@click.option("--only", default=None, metavar="NAME",
              help="Fill only the function or method NAME (or Class.NAME).")
@click.option("-n", "samples", default=8, show_default=True,
              help="Bodies to sample per stub; the most agreed-on that passes the checks "
                   "is written.")
@model_option
@device_option
@server_option
@report_errors
def fill(files: tuple[str, ...], mode: str, only: str | None, samples: int,
         model_name: str | None, device: str | None, server: str | None) -> None:
    """Find functions whose body is still a stub (`pass`, `...`, `raise
    NotImplementedError`, a TODO comment, `todo!()`, `throw new
    UnsupportedOperationException()`, ...) and fill them with bodies that fit the
    repository, keeping the signature and docstring.

    Without FILES it works on the staged files. Like a formatter hook it writes, then
    exits 1 when it changed something, so that the commit stops for you to review the
    bodies (`git diff`). Abstract methods, overloads, protocol and interface members and
    .pyi files are never stubs. A body that is not a stub is never touched.

    \b
    Examples:
      santamerge fill src/app.py            fill the stubs of one file
      santamerge fill --check               list the stubs of the staged files
      santamerge fill --diff --only load    show what `load` would become
    In .pre-commit-config.yaml:
      - repo: <this repository>
        hooks: [{id: santamerge-fill}]
    """
    from santamerge.languages import language_for_path
    from santamerge.stubs import find_stubs

    paths = list(files) or _staged_files()
    texts = {}
    for path in paths:
        if language_for_path(path) is None or path.endswith(".pyi"):
            continue
        try:
            texts[path] = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SantamergeError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            print(f"santamerge: {path}: not UTF-8, skipped", file=sys.stderr)
    stubs = {p: [s for s in find_stubs(p, t)
                 if only is None or only in (s.name, s.name.rsplit(".", 1)[-1])]
             for p, t in texts.items()}
    found = sum(len(v) for v in stubs.values())
    if mode == "check":
        for path, items in stubs.items():
            for s in items:
                click.echo(f"{path}:{s.line}: {s.name} is a stub ({s.kind})")
        sys.exit(EXIT_CONFLICTS if found else EXIT_OK)
    if not found:
        sys.exit(EXIT_OK)
    changed = _fill_all(texts, stubs, mode, only, samples, model_name, device, server)
    sys.exit(EXIT_CONFLICTS if changed else EXIT_OK)


def _fill_all(texts: dict[str, str], stubs: dict[str, list[Stub]], mode: str,
              only: str | None, samples: int, model_name: str | None, device: str | None,
              server: str | None) -> bool:
    import difflib

    from rich.console import Console
    from rich.progress import Progress

    from santamerge.backends.select import open_backend
    from santamerge.config import load_settings
    from santamerge.driver import write_atomically
    from santamerge.fill import fill_text
    from santamerge.repocontext import repo_root_of

    settings = load_settings(model=model_name, device=device, server=server)
    backend = open_backend(settings, per_file=True)
    console = Console(stderr=True)
    changed = False
    with Progress(console=console, transient=True) as bar:
        job = bar.add_task("filling stubs", total=sum(len(v) for v in stubs.values()))
        for path, text in texts.items():
            if not stubs[path]:
                continue
            new, results = fill_text(backend, path, text, repo_root_of(path), n=samples,
                                     only=only, progress=lambda k: bar.advance(job, k))
            for r in results:
                if r.chosen is None:
                    why = sorted({w for b in r.bodies for w in b.rejected}) or ["no body"]
                    bar.console.print(f"{path}:{r.stub.line}: {r.stub.name} left as it is "
                                      f"(every body was rejected: {', '.join(why)})",
                                      highlight=False)
                else:
                    bar.console.print(f"{path}:{r.stub.line}: filled {r.stub.name} "
                                      f"(consensus {r.chosen.consensus:.2f}, mean log-prob "
                                      f"{r.chosen.mean_logprob:.2f}, {len(r.bodies)} sampled)",
                                      highlight=False)
            if new == text:
                continue
            changed = True
            if mode == "diff":
                sys.stdout.writelines(difflib.unified_diff(
                    text.splitlines(keepends=True), new.splitlines(keepends=True),
                    f"a/{path}", f"b/{path}"))
            else:
                write_atomically(path, new.encode("utf-8"))
    return changed


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

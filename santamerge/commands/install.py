"""``santamerge install`` / ``uninstall``: route files to the merge driver, and back."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from santamerge import git
from santamerge.commands.options import global_option, json_option
from santamerge.errors import SantamergeError, report_errors
from santamerge.languages.profiles import gitattributes_patterns, language_for_path

DRIVER = "santamerge"
ATTRIBUTE = f"merge={DRIVER}"


def executable() -> str:
    """This installation's santamerge, as a shell word."""
    script = Path(sys.executable).with_name("santamerge")
    return shlex.quote(str(script)) if script.is_file() else (
        f"{shlex.quote(sys.executable)} -m santamerge")


def driver_command(git_version: tuple[int, ...]) -> str:
    """The command git runs; the %S/%X/%Y labels exist from git 2.44 on."""
    labels = " -s %S -x %X -y %Y" if git_version >= (2, 44) else ""
    return f"{executable()} merge-driver %O %A %B %L %P{labels}"


def mergetool_command() -> str:
    """The command ``git mergetool --tool=santamerge`` runs (git sets the variables)."""
    return f'{executable()} mergetool "$BASE" "$LOCAL" "$REMOTE" "$MERGED"'


@click.command(short_help="Route files to the merge driver (git config, .gitattributes).")
@global_option
@click.argument("patterns", nargs=-1)
@click.option("--mergetool", is_flag=True,
              help="Set up `git mergetool --tool=santamerge` instead of the merge driver.")
@json_option
@report_errors
def install(global_: bool, patterns: tuple[str, ...], mergetool: bool, as_json: bool) -> None:
    """Make git merge PATTERNS with santamerge (default: every supported language).

    Writes merge.santamerge.* to git config and `PATTERN merge=santamerge` lines to
    .gitattributes (or, with --global, to the global config and attributes file).
    Running it again changes nothing. `santamerge uninstall` removes both.

    With --mergetool it sets mergetool.santamerge.cmd and .trustExitCode instead, so that
    `git mergetool --tool=santamerge` (or `git config merge.tool santamerge`, then
    `git mergetool`) opens santamerge's full-screen review on each conflicted file.

    A pattern whose files santamerge has no grammar for (`santamerge languages` lists
    the ones it has) is routed all the same, with a warning: those files get no
    structured merge and no parse check, so the default policy leaves their conflicts
    as git marks them.
    """
    root = None if global_ else git.repo_root()
    if mergetool:
        if patterns:
            raise SantamergeError("--mergetool takes no PATTERNS: git mergetool offers "
                                  "every conflicted file")
        _install_mergetool(global_, root, as_json)
        return
    command = driver_command(git.version())
    git.config_set(f"merge.{DRIVER}.name", "santamerge (falls back to git's diff3 merge)",
                   global_=global_, cwd=str(root) if root else None)
    git.config_set(f"merge.{DRIVER}.driver", command, global_=global_,
                   cwd=str(root) if root else None)
    unknown = unsupported_patterns(patterns)
    for pattern in unknown:
        click.echo(f"santamerge: warning: no grammar for {pattern!r}: no structured merge "
                   "and no parse check for those files, so the default policy leaves their "
                   "conflicts as git marks them (`santamerge languages` lists the supported "
                   "extensions)", err=True)
    attributes = _attributes_file(root)
    added = add_attribute_lines(attributes, list(patterns) or gitattributes_patterns())
    _report(as_json, {"driver": command, "attributes": str(attributes), "added": added,
                      "no_grammar": unknown},
            f"santamerge: merge driver set in {'global' if global_ else 'repository'} git "
            f"config; {len(added)} pattern(s) added to {attributes}")


def _install_mergetool(global_: bool, root: Path | None, as_json: bool) -> None:
    command = mergetool_command()
    where = str(root) if root else None
    git.config_set(f"mergetool.{DRIVER}.cmd", command, global_=global_, cwd=where)
    git.config_set(f"mergetool.{DRIVER}.trustExitCode", "true", global_=global_, cwd=where)
    _report(as_json, {"mergetool": command, "trust_exit_code": True},
            f"santamerge: mergetool set in {'global' if global_ else 'repository'} git "
            "config; run `git mergetool --tool=santamerge` (or set merge.tool to "
            "santamerge)")


@click.command(short_help="Remove the merge driver and its .gitattributes lines.")
@global_option
@json_option
@report_errors
def uninstall(global_: bool, as_json: bool) -> None:
    """Remove the merge driver from git config and its lines from .gitattributes (and
    the mergetool, if `install --mergetool` set it)."""
    root = None if global_ else git.repo_root()
    had_config = git.config_unset_section(f"merge.{DRIVER}", global_=global_,
                                          cwd=str(root) if root else None)
    git.config_unset_section(f"mergetool.{DRIVER}", global_=global_,
                             cwd=str(root) if root else None)
    attributes = _attributes_file(root)
    removed = remove_attribute_lines(attributes)
    _report(as_json, {"config_removed": had_config, "attributes": str(attributes),
                      "removed": removed},
            f"santamerge: driver config {'removed' if had_config else 'was not set'}; "
            f"{len(removed)} pattern(s) removed from {attributes}")


def unsupported_patterns(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """The patterns whose file names end in no extension santamerge has a grammar for
    (``*.md``, ``Makefile``, ``*``)."""
    return [p for p in dict.fromkeys(patterns)
            if language_for_path(p.rstrip("/").rsplit("/", 1)[-1]) is None]


def _attributes_file(root: Path | None) -> Path:
    return root / ".gitattributes" if root else git.global_attributes_file()


def add_attribute_lines(path: Path, patterns: list[str]) -> list[str]:
    """Append ``PATTERN merge=santamerge`` for each pattern not yet routed; return those."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    present = {line.split()[0] for line in lines if line.split()[1:] == [ATTRIBUTE]}
    added = [p for p in dict.fromkeys(patterns) if p not in present]
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines += [f"{p} {ATTRIBUTE}" for p in added]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added


def remove_attribute_lines(path: Path) -> list[str]:
    """Remove the lines ``add_attribute_lines`` writes; return their patterns."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    ours = [line for line in lines if line.split()[1:] == [ATTRIBUTE]]
    if ours:
        kept = [line for line in lines if line not in ours]
        path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return [line.split()[0] for line in ours]


def _report(as_json: bool, data: dict[str, object], message: str) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else message)

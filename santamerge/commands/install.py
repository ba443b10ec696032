"""``santamerge install`` / ``uninstall``: route files to the merge driver, and back.

Where the lines go: ``.git/info/attributes`` by default (this clone only: nothing in the
working tree changes, and ``git reset --hard`` leaves it alone), the global attributes
file with ``--global``, the tracked ``.gitattributes`` only with ``--shared``. Each file
install touches is noted in a ledger (``.git/santamerge/install.json``, or the user's
state folder with ``--global``): whether install created it and whether it ended in a
newline, so that ``uninstall`` gives every file back byte for byte, and removes the files
install created.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from santamerge import git
from santamerge.commands.options import global_option, json_option
from santamerge.errors import SantamergeError, report_errors
from santamerge.languages.profiles import gitattributes_patterns, language_for_path

DRIVER = "santamerge"
ATTRIBUTE = f"merge={DRIVER}"
LEDGER = "install.json"

shared_option = click.option(
    "--shared",
    is_flag=True,
    help="Use the tracked .gitattributes (to commit, for a team) instead of "
    ".git/info/attributes, which is this clone's only.",
)


def executable() -> str:
    """This installation's santamerge, as a shell word."""
    script = Path(sys.executable).with_name("santamerge")
    return (
        shlex.quote(str(script))
        if script.is_file()
        else (f"{shlex.quote(sys.executable)} -m santamerge")
    )


def driver_command(git_version: tuple[int, ...]) -> str:
    """The command git runs; the %S/%X/%Y labels exist from git 2.44 on."""
    labels = " -s %S -x %X -y %Y" if git_version >= (2, 44) else ""
    return f"{executable()} merge-driver %O %A %B %L %P{labels}"


def mergetool_command() -> str:
    """The command ``git mergetool --tool=santamerge`` runs (git sets the variables)."""
    return f'{executable()} mergetool "$BASE" "$LOCAL" "$REMOTE" "$MERGED"'


@click.command(short_help="Route files to the merge driver (git config, .git/info/attributes).")
@global_option
@shared_option
@click.argument("patterns", nargs=-1)
@click.option(
    "--mergetool",
    is_flag=True,
    help="Set up `git mergetool --tool=santamerge` instead of the merge driver.",
)
@json_option
@report_errors
def install(
    global_: bool, shared: bool, patterns: tuple[str, ...], mergetool: bool, as_json: bool
) -> None:
    """Make git merge PATTERNS with santamerge (default: every supported language).

    Writes merge.santamerge.* to the repository's git config and `PATTERN
    merge=santamerge` lines to .git/info/attributes: this clone only, so `git status`
    stays clean and `git reset --hard` leaves it installed. --shared writes the lines
    to the tracked .gitattributes instead, for a team to commit; --global writes to the
    global git config and attributes file. Running it again changes nothing.
    `santamerge uninstall` gives back every file it touched, byte for byte, and
    `santamerge doctor PATH` says whether a file goes through santamerge, and why.

    With --mergetool it sets mergetool.santamerge.cmd and .trustExitCode instead, so that
    `git mergetool --tool=santamerge` (or `git config merge.tool santamerge`, then
    `git mergetool`) opens santamerge's full-screen review on each conflicted file.

    A pattern whose files santamerge has no grammar for (`santamerge languages` lists
    the ones it has) is routed all the same, with a warning: those files get no
    structured merge and no parse check, so the default policy leaves their conflicts
    as git marks them.
    """
    _check_scope(global_, shared)
    repo = None if global_ else git.find_repository()
    ledger = Ledger.of(repo)
    config = config_file(repo)
    where = repo.root if repo else None
    if mergetool:
        if patterns or shared:
            raise SantamergeError(
                "--mergetool takes no PATTERNS and no --shared: git "
                "mergetool offers every conflicted file, and it is set in "
                "git config only"
            )
        ledger.touch(config)
        _install_mergetool(global_, where, as_json)
        ledger.save()
        return
    command = driver_command(git.version())
    ledger.touch(config)
    git.config_set(
        f"merge.{DRIVER}.name",
        "santamerge (falls back to git's diff3 merge)",
        global_=global_,
        cwd=where,
    )
    git.config_set(f"merge.{DRIVER}.driver", command, global_=global_, cwd=where)
    unknown = unsupported_patterns(patterns)
    for pattern in unknown:
        click.echo(
            f"santamerge: warning: no grammar for {pattern!r}: no structured merge "
            "and no parse check for those files, so the default policy leaves their "
            "conflicts as git marks them (`santamerge languages` lists the supported "
            "extensions)",
            err=True,
        )
    attributes = attributes_file(repo, shared)
    ledger.touch(attributes)
    added = add_attribute_lines(attributes, list(patterns) or gitattributes_patterns())
    ledger.save()
    what = (
        "the tracked .gitattributes (commit it to share it)"
        if shared
        else "the global attributes file"
        if global_
        else "this clone only; --shared writes .gitattributes instead"
    )
    _report(
        as_json,
        {
            "driver": command,
            "config": str(config),
            "attributes": str(attributes),
            "added": added,
            "no_grammar": unknown,
        },
        f"santamerge: merge driver set in {'global' if global_ else 'repository'} git "
        f"config ({_shown(config)}); {len(added)} pattern(s) added to "
        f"{_shown(attributes)} ({what})",
    )


def _install_mergetool(global_: bool, where: str | None, as_json: bool) -> None:
    command = mergetool_command()
    git.config_set(f"mergetool.{DRIVER}.cmd", command, global_=global_, cwd=where)
    git.config_set(f"mergetool.{DRIVER}.trustExitCode", "true", global_=global_, cwd=where)
    _report(
        as_json,
        {"mergetool": command, "trust_exit_code": True},
        f"santamerge: mergetool set in {'global' if global_ else 'repository'} git "
        "config; run `git mergetool --tool=santamerge` (or set merge.tool to "
        "santamerge)",
    )


@click.command(
    short_help="Remove the merge driver and its attribute lines; give back "
    "every file install touched."
)
@global_option
@shared_option
@json_option
@report_errors
def uninstall(global_: bool, shared: bool, as_json: bool) -> None:
    """Remove the merge driver (and the mergetool) from git config and its lines from
    .git/info/attributes (--global: the global files), and give back every file install
    touched byte for byte: a file it created is removed. The tracked .gitattributes is
    changed only when install --shared wrote to it, or with --shared."""
    _check_scope(global_, shared)
    repo = None if global_ else git.find_repository()
    where = repo.root if repo else None
    ledger = Ledger.of(repo)
    config = config_file(repo)
    had_config = git.config_unset_section(f"merge.{DRIVER}", global_=global_, cwd=where)
    git.config_unset_section(f"mergetool.{DRIVER}", global_=global_, cwd=where)
    ledger.restore(config)
    files = [attributes_file(repo, False)]
    tracked = attributes_file(repo, True) if repo else None
    if tracked is not None and (shared or ledger.holds(tracked)):
        files.append(tracked)
    files += [Path(p) for p in ledger.files if Path(p) not in files]  # a moved core.attributesFile
    removed: list[str] = []
    for path in files:
        removed += remove_attribute_lines(path)
        ledger.restore(path)
    ledger.save()
    _report(
        as_json,
        {"config_removed": had_config, "attributes": [str(p) for p in files], "removed": removed},
        f"santamerge: driver config {'removed' if had_config else 'was not set'}; "
        f"{len(removed)} pattern(s) removed from "
        f"{', '.join(_shown(p) for p in files)}",
    )
    if tracked is not None and tracked not in files:
        left = routed_patterns(tracked)
        if left:
            click.echo(
                f"santamerge: {_shown(tracked)} still routes {len(left)} pattern(s) "
                "to santamerge; it is tracked, so it was left as it is (`santamerge "
                "uninstall --shared` removes them); without the driver in git config, "
                "git merges those files itself",
                err=True,
            )


def _check_scope(global_: bool, shared: bool) -> None:
    if global_ and shared:
        raise SantamergeError(
            "give --global or --shared, not both: --shared is the "
            "repository's tracked .gitattributes"
        )


def config_file(repo: git.Repository | None) -> Path:
    """The git config file install writes: the repository's, or the global one."""
    return git.git_path(repo, "config") if repo else git.global_config_file()


def attributes_file(repo: git.Repository | None, shared: bool) -> Path:
    """Where install writes its lines: .git/info/attributes, the tracked .gitattributes
    (``shared``), or the global attributes file (no repository)."""
    if repo is None:
        return git.global_attributes_file()
    return Path(repo.root) / ".gitattributes" if shared else git.git_path(repo, "info/attributes")


def unsupported_patterns(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """The patterns whose file names end in no extension santamerge has a grammar for
    (``*.md``, ``Makefile``, ``*``)."""
    return [
        p
        for p in dict.fromkeys(patterns)
        if language_for_path(p.rstrip("/").rsplit("/", 1)[-1]) is None
    ]


def _ours(line: bytes) -> str | None:
    """The pattern of a ``PATTERN merge=santamerge`` line, else None."""
    words = line.decode("utf-8", "surrogateescape").split()
    return words[0] if words[1:] == [ATTRIBUTE] else None


def routed_patterns(path: Path) -> list[str]:
    """The patterns ``path`` routes to santamerge."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    return [p for line in data.splitlines() if (p := _ours(line)) is not None]


def add_attribute_lines(path: Path, patterns: list[str]) -> list[str]:
    """Append ``PATTERN merge=santamerge`` for each pattern not yet routed; return those.
    The rest of the file is left byte for byte (a missing final newline is added before
    the new lines; uninstall takes it away again)."""
    data = path.read_bytes() if path.is_file() else b""
    present = set(routed_patterns(path))
    added = [p for p in dict.fromkeys(patterns) if p not in present]
    if added:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(f"{p} {ATTRIBUTE}\n" for p in added).encode("utf-8")
        separator = b"\n" if data and not data.endswith(b"\n") else b""
        _write(path, data + separator + lines)
    return added


def remove_attribute_lines(path: Path) -> list[str]:
    """Remove the lines ``add_attribute_lines`` writes; return their patterns. Every other
    byte of the file stays as it is."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    lines = data.splitlines(keepends=True)
    ours = [p for line in lines if (p := _ours(line)) is not None]
    if ours:
        _write(path, b"".join(line for line in lines if _ours(line) is None))
    return ours


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits."""
    tmp = path.with_name(f".{path.name}.santamerge-{os.getpid()}")
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o644
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Ledger:
    """What install found in each file it touched, so that uninstall gives it back:
    ``{"files": {PATH: {"created": bool, "final_newline": bool, "made_folder": bool}}}``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            found = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError, AttributeError):
            found = {}
        self.files: dict[str, dict[str, Any]] = found if isinstance(found, dict) else {}

    @classmethod
    def of(cls, repo: git.Repository | None) -> Ledger:
        """The repository's ledger (in its git directory, shared by its worktrees), or
        the user's for --global."""
        if repo is not None:
            return cls(git.git_path(repo, "config").parent / "santamerge" / LEDGER)
        base = os.environ.get("XDG_STATE_HOME") or os.path.join(
            os.path.expanduser("~"), ".local", "state"
        )
        return cls(Path(base) / "santamerge" / f"global-{LEDGER}")

    def holds(self, path: Path) -> bool:
        return str(path) in self.files

    def touch(self, path: Path) -> None:
        """Note what ``path`` is now, before install first changes it."""
        if self.holds(path):
            return
        try:
            data = path.read_bytes()
            created = False
        except FileNotFoundError:
            data, created = b"", True
        self.files[str(path)] = {
            "created": created,
            "final_newline": not data or data.endswith(b"\n"),
            "made_folder": not path.parent.exists(),
        }

    def restore(self, path: Path) -> None:
        """Give ``path`` back as install found it, once its lines are removed: removed
        when install created it and nothing else was put in it since; without the final
        newline install added."""
        found = self.files.pop(str(path), None)
        if found is None:
            return
        try:
            data = path.read_bytes()
        except OSError:
            return
        if found.get("created") and not data.strip():
            path.unlink()
            if found.get("made_folder"):
                _remove_empty(path.parent)
        elif not found.get("final_newline", True) and data.endswith(b"\n"):
            _write(path, data[:-1])

    def save(self) -> None:
        if self.files:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write(self.path, json.dumps({"files": self.files}, indent=1).encode("utf-8"))
        elif self.path.exists():
            self.path.unlink()
            _remove_empty(self.path.parent)


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is below it."""
    try:
        return (
            os.path.relpath(path)
            if Path(path).resolve().is_relative_to(Path.cwd().resolve())
            else str(path)
        )
    except (OSError, ValueError):
        return str(path)


def _report(as_json: bool, data: dict[str, object], message: str) -> None:
    click.echo(json.dumps(data, indent=2) if as_json else message)

"""``santamerge doctor``: what is routed to santamerge, where, and why a file is or is
not merged by it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any, NamedTuple

import click

from santamerge import git
from santamerge.commands.install import ATTRIBUTE, DRIVER, attributes_file, routed_patterns
from santamerge.commands.options import json_option
from santamerge.errors import EXIT_CONFLICTS, SantamergeError, report_errors
from santamerge.languages.profiles import language_for_path


class Line(NamedTuple):
    """An attributes line that sets ``merge`` for a path."""

    file: Path
    pattern: str
    value: str  # "santamerge", "unset" (-merge, binary), "set" (merge), "unspecified" (!merge)


@click.command(short_help="Say what goes through santamerge, and why a file does or does not.")
@click.argument("paths", nargs=-1)
@json_option
@report_errors
def doctor(paths: tuple[str, ...], as_json: bool) -> None:
    """Say how git is set up to use santamerge here, and for each PATH whether git
    merges it through santamerge, and why.

    It reads the driver command git runs (merge.santamerge.driver, and which config file
    sets it), whether its program exists, the attribute files that route patterns to it
    (.git/info/attributes, .gitattributes, the global attributes file), the mergetool,
    and the settings. For a PATH it asks git (`git check-attr merge -- PATH`) and names
    the line that decides. PATH need not exist.

    Exit status: 0 when the driver is set and every PATH (or, without PATHS, some
    pattern) goes through it; 1 otherwise; 2 on an error.

    \b
    Examples:
      santamerge doctor                   is santamerge installed here?
      santamerge doctor src/app.py README.md
    """
    repo = git.find_repository(
        outside="is not inside a git repository; santamerge doctor explains a repository's set-up"
    )
    facts = _setup(repo)
    files = [_path_verdict(repo, path, facts) for path in paths]
    fine = (
        facts["driver"] is not None
        and facts["settings_error"] is None
        and (
            all(f["through_santamerge"] for f in files)
            if paths
            else any(r["patterns"] for r in facts["routes"])
        )
    )
    if as_json:
        click.echo(json.dumps({**facts, "paths": files, "ok": fine}, indent=2))
    else:
        for line in _lines(facts, files):
            click.echo(line)
    if not fine:
        sys.exit(EXIT_CONFLICTS)


def _setup(repo: git.Repository) -> dict[str, Any]:
    driver = _config_origin(repo, f"merge.{DRIVER}.driver")
    program = ""
    if driver is not None:
        try:
            words = shlex.split(driver["value"])
        except ValueError:
            words = []
        program = words[0] if words else ""
    routes = []
    for where, path in (
        ("this clone", attributes_file(repo, False)),
        ("tracked", attributes_file(repo, True)),
        ("global", attributes_file(None, False)),
    ):
        routes.append({"file": str(path), "scope": where, "patterns": routed_patterns(path)})
    settings_error, disabled = _settings(repo)
    return {
        "driver": driver,
        "program": program or None,
        "program_found": bool(program) and _runs(program),
        "routes": routes,
        "mergetool": _config_origin(repo, f"mergetool.{DRIVER}.cmd"),
        "settings_error": settings_error,
        "disabled": disabled,
    }


def _config_origin(repo: git.Repository, key: str) -> dict[str, str] | None:
    """A git config value with its scope and file, or None when it is not set."""
    proc = git.run_git(
        "config", "--show-scope", "--show-origin", "--get", key, cwd=repo.root, check=False
    )
    parts = proc.stdout.rstrip("\n").split("\t", 2)
    if proc.returncode != 0 or len(parts) != 3:
        return None
    scope, origin, value = parts
    return {"scope": scope, "origin": origin.removeprefix("file:"), "value": value}


def _runs(program: str) -> bool:
    return (
        (os.path.isfile(program) and os.access(program, os.X_OK))
        if os.sep in program
        else shutil.which(program) is not None
    )


def _settings(repo: git.Repository) -> tuple[str | None, str | None]:
    """The settings' one-line error, if any; where ``disable`` was turned on, if it was."""
    from santamerge.config import load_settings, setting_origin

    try:
        settings = load_settings(repo.root)
    except SantamergeError as exc:
        return str(exc), None
    return None, setting_origin("disable", repo.root) if settings.disable else None


def _path_verdict(repo: git.Repository, path: str, facts: dict[str, Any]) -> dict[str, Any]:
    proc = git.run_git("check-attr", "merge", "--", path, check=False)
    if proc.returncode != 0:
        raise SantamergeError(f"git check-attr refused {path!r}: {git.last_line(proc.stderr)}")
    value = proc.stdout.rstrip("\n").rsplit(": ", 1)[-1]
    deciding = _deciding_line(repo, path)
    where = f" (`{deciding.pattern}` in {_shown(deciding.file)})" if deciding else ""
    profile = language_for_path(path)
    through = False
    if value == DRIVER:
        if facts["driver"] is None:
            why = (
                f"merge={DRIVER}{where}, but git config has no merge.{DRIVER}.driver, so "
                "git merges it with its own line merge (`santamerge install` sets it)"
            )
        elif facts["settings_error"] is not None:
            why = (
                f"merge={DRIVER}{where}, but a setting is bad, so the driver gives git's "
                f"own merge: {facts['settings_error']}"
            )
        elif facts["disabled"] is not None:
            why = (
                f"merge={DRIVER}{where}, but santamerge.disable is on (from "
                f"{facts['disabled']}), so the driver gives git's own merge"
            )
        else:
            through = True
            grammar = (
                f"the {profile.name} grammar"
                if profile
                else "no grammar: no structured merge, conflicts left as git marks them"
            )
            why = f"merge={DRIVER}{where}; {grammar}"
    elif value == "unspecified":
        hint = (
            "`santamerge install` routes it"
            if profile
            else f"santamerge has no grammar for it; `santamerge install '{_pattern(path)}'` "
            "would route it all the same"
        )
        why = f"no merge attribute: git's own line merge ({hint})"
    elif value == "unset":
        why = f"-merge{where}: git keeps our side and marks the file conflicted (a binary file)"
    elif value == "set":
        why = f"merge{where}: git's built-in line merge"
    else:
        why = f"merge={value}{where}: another merge driver"
    return {
        "path": path,
        "merge": value,
        "through_santamerge": through,
        "line": None
        if deciding is None
        else {"file": str(deciding.file), "pattern": deciding.pattern},
        "why": why,
    }


def _lines(facts: dict[str, Any], files: list[dict[str, Any]]) -> list[str]:
    driver = facts["driver"]
    if driver is None:
        out = [
            f"driver: merge.{DRIVER}.driver is not set: git merges every file itself "
            "(`santamerge install` sets it)"
        ]
    else:
        out = [
            f"driver: set in {driver['scope']} git config ({_shown(Path(driver['origin']))}): "
            f"{driver['value']}"
        ]
        if not facts["program_found"]:
            out.append(
                f"driver: its program {facts['program']!r} is missing: git cannot "
                "run it and marks each routed file conflicted with our side in it; "
                "run `santamerge install` again from the santamerge you use"
            )
    for route in facts["routes"]:
        count = len(route["patterns"])
        shown = ", ".join(route["patterns"][:6]) + (", …" if count > 6 else "")
        out.append(
            f"routes: {_shown(Path(route['file']))} ({route['scope']}): "
            + (f"{count} pattern(s): {shown}" if count else "none")
        )
    out.append(
        "mergetool: "
        + (
            "set (`git mergetool --tool=santamerge`)"
            if facts["mergetool"]
            else "not set (`santamerge install --mergetool`)"
        )
    )
    if facts["settings_error"] is not None:
        out.append(
            f"settings: {facts['settings_error']}; the driver gives git's own merge "
            "until it is fixed"
        )
    elif facts["disabled"] is not None:
        out.append(
            f"settings: disable is on (from {facts['disabled']}): the driver gives git's own merge"
        )
    else:
        out.append("settings: every value is usable")
    for f in files:
        verdict = (
            "goes through santamerge"
            if f["through_santamerge"]
            else "does not go through santamerge"
        )
        out.append(f"{f['path']}: {verdict}: {f['why']}")
    return out


def _pattern(path: str) -> str:
    name = os.path.basename(path)
    ext = os.path.splitext(name)[1]
    return f"*{ext}" if ext else name


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


# -- which line decides: git's precedence, read back ------------------------------------


def _deciding_line(repo: git.Repository, path: str) -> Line | None:
    """The attributes line that sets ``merge`` for ``path``: the last match in the file
    of highest precedence (git's order: the global file, then .gitattributes from the
    top folder down to the path's folder, then .git/info/attributes). It explains git's
    answer; git check-attr gives the answer."""
    top = Path(os.path.realpath(repo.root))
    relative = Path(os.path.relpath(os.path.realpath(path), top)).as_posix()
    folders = [top]
    for part in Path(relative).parent.parts:
        folders.append(folders[-1] / part)
    files = [(attributes_file(None, False), "")]
    files += [(folder / ".gitattributes", folder.relative_to(top).as_posix()) for folder in folders]
    files += [(attributes_file(repo, False), "")]
    found = None
    for file, base in files:
        for pattern, value in _merge_lines(file):
            if _matches(pattern, relative, "" if base == "." else base):
                found = Line(file, pattern, value)
    return found


def _merge_lines(file: Path) -> list[tuple[str, str]]:
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        for word in words[1:]:
            if word == ATTRIBUTE or word.startswith("merge="):
                out.append((words[0], word.split("=", 1)[1]))
            elif word in ("-merge", "binary"):
                out.append((words[0], "unset"))
            elif word == "merge":
                out.append((words[0], "set"))
            elif word == "!merge":
                out.append((words[0], "unspecified"))
    return out


def _matches(pattern: str, path: str, base: str) -> bool:
    """Whether an attributes ``pattern`` of a file in folder ``base`` matches ``path``
    (both relative to the top folder): gitignore's rules, without negation."""
    if "/" not in pattern.rstrip("/"):
        return re.fullmatch(_regex(pattern), path.rsplit("/", 1)[-1]) is not None and (
            not base or path.startswith(base + "/")
        )
    if base:
        if not path.startswith(base + "/"):
            return False
        path = path[len(base) + 1 :]
    return re.fullmatch(_regex(pattern.lstrip("/")), path) is not None


def _regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            out.append("[" + pattern[i + 1 : end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)

"""``santamerge demo``: a real ``git merge`` through the driver, in a scratch repository."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from santamerge import git
from santamerge.commands.install import add_attribute_lines, driver_command
from santamerge.errors import report_errors

BASE = '''import json
import os

VERSION = "1.0"

SETTINGS = {
    "retries": 3,
    "timeout": 10,
}


def load(path):
    """Read a JSON file."""
    with open(path) as fh:
        return json.load(fh)
'''

MAIN = (
    BASE.replace("import os\n", "import os\nimport pathlib\n")
    .replace('"1.0"', '"1.1"')
    .replace('"retries": 3', '"retries": 5')
    .replace("with open(path) as fh:", "with open(pathlib.Path(path)) as fh:")
)

FEATURE = (
    BASE.replace("import os\n", "import os\nimport shutil\n")
    .replace('"1.0"', '"2.0"')
    .replace('"timeout": 10', '"timeout": 30')
    + """

def backup(path):
    shutil.copy(path, path + ".bak")
"""
)


@click.command(short_help="Merge two branches through santamerge in a scratch repository.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to create the scratch repository (kept afterwards; default: a new "
    "temporary folder, removed at the end).",
)
@click.option(
    "--keep", is_flag=True, help="Keep the temporary scratch repository, to look around in it."
)
@report_errors
def demo(folder: str | None, keep: bool) -> None:
    """Create a scratch repository, merge two branches through santamerge, show the result.

    Both branches add an import to a sorted group (santamerge keeps both, sorted), change
    different entries of one dict (santamerge merges the entries) and change the same
    constant (a true conflict, left in diff3 form for a person). It needs no model.

    The scratch repository is a new temporary folder, removed at the end; --keep keeps
    it, and --dir DIR makes it there (and keeps it). Either way it says where it is.
    """
    temporary = folder is None
    root = Path(folder or tempfile.mkdtemp(prefix="santamerge-demo-"))
    try:
        _show_merge(root)
    finally:
        if temporary and not keep:
            shutil.rmtree(root, ignore_errors=True)
    if temporary and not keep:
        click.echo(
            f"The scratch repository {root} is removed again; `santamerge demo --keep` keeps it."
        )
    else:
        click.echo(
            f"The scratch repository is kept in {root}: `cd {root}` and look "
            "(`git log`, `santamerge attempts`); remove it when done."
        )


def _show_merge(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    run = _runner(root)
    run("init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Demo"),
        ("user.email", "demo@example.invalid"),
        ("merge.conflictStyle", "diff3"),
        ("commit.gpgsign", "false"),
    ):
        run("config", key, value)
    git.config_set(
        "merge.santamerge.driver", driver_command(git.version()), global_=False, cwd=str(root)
    )
    add_attribute_lines(root / ".git" / "info" / "attributes", ["*.py"])  # as install does
    _commit(run, root, BASE, "base")
    run("checkout", "-q", "-b", "feature")
    _commit(run, root, FEATURE, "feature: logging")
    run("checkout", "-q", "main")
    _commit(run, root, MAIN, "main: json")
    merge = git.run_git("merge", "--no-edit", "feature", cwd=root, check=False)
    click.secho(f"$ git merge feature   (in the scratch repository {root})", bold=True)
    click.echo(merge.stdout + merge.stderr)
    click.secho("app.py after the merge:", bold=True)
    click.echo((root / "app.py").read_text(encoding="utf-8"))
    click.echo(
        "santamerge merged the imports both branches added (in the group's sorted "
        "order) and the dict entries each branch changed; the constant both changed "
        "stays a conflict for you to decide. Attempts are stored in "
        ".git/santamerge/attempts."
    )


def _runner(root: Path) -> Callable[..., str]:
    def run(*args: str) -> str:
        return git.run_git(*args, cwd=root).stdout

    return run


def _commit(run: Callable[..., str], root: Path, text: str, message: str) -> None:
    (root / "app.py").write_text(text, encoding="utf-8")
    run("add", "app.py")
    run("commit", "-q", "-m", message)

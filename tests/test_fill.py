"""`santamerge fill` in a temporary repository, with the real embedded model."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Repo

SOURCE = '''import os


def read_text(path):
    """Return the text of the file at path."""
    with open(path) as fh:
        return fh.read()


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        """The distance from the origin."""
        ...

    def scale(self, k):
        """This point, k times as far from the origin."""
        return Point(self.x * k, self.y * k)
'''

# A stub for which the embedded model, with its prompt-seeded sampling, gives one body
# (of 8) that passes the checks: junk, but it lets these tests see a body proposed,
# diffed and written. The model has no measured evidence, so only --write writes it.
SIZE = 'import os\n\n\ndef size(path):\n    """The size of the file at path."""\n    pass\n'


def fill(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANTAMERGE_AUTOSTART": "0"}  # load in process: no server left
    return subprocess.run(
        [sys.executable, "-m", "santamerge", "fill", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture
def stubbed(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("stubbed")
    repo.commit({"README.md": "geometry\n"}, "start")
    repo.write("geometry.py", SOURCE)  # new, not yet staged
    return repo


def test_check_lists_stubs_without_a_model(stubbed: Repo) -> None:
    done = fill(stubbed, "--check", "geometry.py")
    assert done.returncode == 1
    assert done.stdout == "geometry.py:15: Point.norm is a stub (ellipsis)\n"
    assert stubbed.read("geometry.py").decode() == SOURCE


def test_fill_writes_a_body_that_parses_and_keeps_the_rest(stubbed: Repo) -> None:
    stubbed.write("size.py", SIZE)
    stubbed.git("add", "size.py")
    done = fill(stubbed, "--write", "-n", "8")  # no FILES: the staged ones
    assert done.returncode == 1, done.stderr  # changed: the commit must stop for review
    assert "filled size (1 of 8 sampled bodies passed the checks" in done.stderr
    text = stubbed.read("size.py").decode()
    ast.parse(text)
    head, _, tail = SIZE.partition("    pass\n")
    assert text.startswith(head)  # signature and docstring kept, everything before too
    assert text.endswith(tail)
    body = text[len(head) : len(text) - len(tail)]
    assert body.strip() and body.strip() != "pass"
    again = fill(stubbed, "--write", "size.py")  # a second run changes nothing
    assert again.returncode == 0, again.stderr
    assert stubbed.read("size.py").decode() == text


def test_diff_prints_and_writes_nothing(stubbed: Repo) -> None:
    stubbed.write("size.py", SIZE)
    done = fill(stubbed, "--diff", "-n", "8", "size.py", "geometry.py")
    assert done.returncode == 1
    assert done.stdout.startswith("--- a/size.py\n+++ b/size.py\n")
    assert "nothing written" not in done.stderr  # --diff: asked not to write
    assert stubbed.read("size.py").decode() == SIZE
    assert stubbed.read("geometry.py").decode() == SOURCE


def test_only_names_one_function_and_pyi_files_are_skipped(stubbed: Repo) -> None:
    stubbed.write("api.pyi", "def norm(p: object) -> float: ...\n")
    done = fill(stubbed, "--check", "--only", "read_text", "geometry.py", "api.pyi")
    assert done.returncode == 0 and done.stdout == ""


def test_the_hook_manifest_advertises_fill() -> None:
    manifest = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "- id: santamerge-fill\n" in manifest
    assert "  entry: santamerge fill\n" in manifest
    assert "  require_serial: true" in manifest
    assert "types_or: [python, java, javascript, ts, tsx, go, rust]" in manifest


@pytest.mark.slow  # pre-commit builds its own virtualenv and installs santamerge there
def test_pre_commit_try_repo_proposes_the_body_and_blocks_the_commit(
    stubbed: Repo, tmp_path: Path
) -> None:
    """pre-commit (from PyPI) installs santamerge from this repository through the
    manifest, in its own virtualenv, and runs the hook on a staged stub: the embedded
    model has no evidence, so the hook shows the proposed body and writes nothing."""
    root = Path(__file__).parent.parent
    constraints = tmp_path / "constraints.txt"  # the versions tested here: torch's CPU
    constraints.write_text(
        subprocess.run(  # wheel, not a multi-GB CUDA one from PyPI
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    stubbed.write("size.py", SIZE)
    stubbed.git("add", "size.py")
    env = {
        **os.environ,
        "PIP_CONSTRAINT": str(constraints),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        "SANTAMERGE_AUTOSTART": "0",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(root),
            "santamerge-fill",
            "--files",
            "size.py",
        ],
        cwd=stubbed.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the commit is blocked
    assert "santamerge fill (stub bodies)" in done.stdout and "Failed" in done.stdout
    assert "+++ b/size.py" in done.stdout and "proposed a body for size" in done.stdout
    assert "nothing written" in done.stdout
    assert "files were modified by this hook" not in done.stdout
    assert stubbed.read("size.py").decode() == SIZE

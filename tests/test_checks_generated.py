"""Lock files are generated: no merge of one is written unasked
(santamerge.merge.checks.generated). The same two edits are merged in ``package.json``
and left a conflict in ``package-lock.json``, through a real ``git merge``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Repo

from santamerge.merge.checks.generated import lock_file_conflicts, lock_file_reason
from santamerge.merge.types import Candidate

BASE = """{
  "name": "app",
  "packages": {
    "node_modules/left": { "version": "1.0.0" },
    "node_modules/right": { "version": "1.0.0" }
  }
}
"""
OURS = BASE.replace('left": { "version": "1.0.0" }', 'left": { "version": "1.1.0" }')
THEIRS = BASE.replace('right": { "version": "1.0.0" }', 'right": { "version": "2.0.0" }')


def test_the_rule_names_the_command_that_remakes_the_file() -> None:
    assert "`npm install`" in (lock_file_reason("web/package-lock.json") or "")
    assert "`cargo update --workspace`" in (lock_file_reason("Cargo.lock") or "")
    assert lock_file_reason("package.json") is None
    assert lock_file_reason("docs/poetry.lock.md") is None
    merged = [Candidate(0, "x", "structured:tree"), Candidate(1, "y", "theirs")]
    assert [i for i, _ in lock_file_conflicts("a/uv.lock", merged)] == [0]


@pytest.mark.parametrize(
    ("name", "written"), [("package.json", True), ("package-lock.json", False)]
)
def test_git_merge_of_a_lock_file_keeps_its_conflict(
    make_repo: Callable[[str], Repo], name: str, written: bool
) -> None:
    repo = make_repo("repo")
    repo.install_driver(["*.json"])
    done = repo.merge_branches({name: BASE}, {name: OURS}, {name: THEIRS})
    text = repo.read(name).decode()
    assert (done.returncode == 0) is written, done.stdout + done.stderr
    assert ("<<<<<<< " in text) is not written
    assert '"1.1.0"' in text and '"2.0.0"' in text

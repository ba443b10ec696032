"""For any three texts, the driver loses nothing: the hunks it leaves are git's, byte for
byte; each union it writes keeps every line of both sides, each tree merge every line a
side added or changed; the rest is git's merge."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git_merge_file
from differential import check_clean, merge_problem
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from santamerge.merge.locate import parse_conflicts
from santamerge.merge.ranking.policy import POLICIES
from santamerge.merge.workspace.attempts import list_attempts
from santamerge.merge.workspace.driver import DriverArgs, run_merge_driver

LINES = st.sampled_from(
    [
        "import os",
        "import re",
        "import json",
        "from a import b",
        "x = 1",
        "x = 2",
        "",
        "def f():",
        "def g():",
        "    return 1",
        "    return 2",
        "class A:",
        "    def m(self):",
        "        pass",
        "# note",
    ]
)
# Module-level items: imports and whole definitions, which the structured writers merge,
# and a statement and a blank line, which they must not reorder.
ITEMS = [
    "import sys",
    "import re",
    "import json",
    "import os",
    "from a import c",
    "from b import d",
    "def h():\n    return 3",
    "def k():\n    pass",
    "def m():\n    return 4",
    "class B:\n    def n(self):\n        pass",
    "X = 1",
    "",
]


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


TEXT = st.lists(LINES, max_size=12).map(_text)


@st.composite
def three_texts(draw: st.DrawFn) -> tuple[str, str, str]:
    """Base, ours and theirs: three unrelated texts, or two sides that each delete a few
    items of one base and insert a few (the merges the writers are for)."""
    if not draw(st.integers(0, 2)):
        return draw(TEXT), draw(TEXT), draw(TEXT)
    base = draw(st.lists(st.sampled_from(ITEMS), max_size=8, unique=True))
    place = draw(st.integers(0, len(base)))  # where both sides insert, most of the time
    sides = []
    for _ in range(2):
        side = [item for item in base if draw(st.integers(0, 9))]
        added = draw(st.lists(st.sampled_from(ITEMS), max_size=3, unique=True))
        for item in added:
            if item not in base:
                at = (
                    min(place, len(side))
                    if draw(st.integers(0, 3))
                    else draw(st.integers(0, len(side)))
                )
                side.insert(at, item)
        sides.append(side)
    return _text(base), _text(sides[0]), _text(sides[1])


def lost(hunk: object, method: str, text: str) -> str | None:
    """What a written hunk lost: a union keeps every line of both sides; a tree merge
    (which takes a side's deletions) every line a side added or changed."""
    ours, base, theirs = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
    if method.startswith("structured:tree"):
        return merge_problem(ours, base, theirs, text)
    missing = set(ours.splitlines() + theirs.splitlines()) - set(text.splitlines())
    return f"lost {sorted(missing)}" if missing else None


# ``union`` writes only unions, ``conservative`` (the default) ordered unions and tree merges.
@pytest.mark.parametrize("policy", ["union", "conservative"])
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=three_texts())
def test_driver_never_loses_a_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str, texts: tuple[str, str, str]
) -> None:
    monkeypatch.setenv("SANTAMERGE_POLICY", policy)
    base, ours, theirs = texts
    if not (tmp_path / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        (tmp_path / ".git" / "index.lock").touch()  # as git holds it while it merges
    baseline = git_merge_file(tmp_path, (base, ours, theirs))
    gits = baseline.stdout.decode()
    stored = len(list_attempts(tmp_path / ".git"))
    here = os.getcwd()
    os.chdir(tmp_path)  # git runs the driver at the top of the work tree
    try:
        status = run_merge_driver(DriverArgs("base", "ours", "theirs", 7, "app.py"))
    finally:
        os.chdir(here)
    result = (tmp_path / "ours").read_text()
    if baseline.returncode == 0:  # git's merge, or a clash git's merge makes marked
        assert check_clean(baseline.stdout, result.encode(), status) == []
        return
    record = json.loads((list_attempts(tmp_path / ".git")[-1] / "attempt.json").read_text())
    assert len(list_attempts(tmp_path / ".git")) == min(stored + 1, 100)
    written = {int(i): m for i, m in record["outcome"]["methods"].items()}
    expected = []
    for chunk in parse_conflicts(gits).chunks:
        if isinstance(chunk, str):
            expected.append(chunk)
        elif chunk.index in written:
            method = written[chunk.index]
            (text,) = [
                c["text"]
                for c in record["hunks"][chunk.index]["candidates"]
                if c["method"] == method
            ]
            assert method in POLICIES[policy].methods
            event(f"wrote {method}")
            assert lost(chunk, method, text) is None, f"a written hunk lost a line ({method})"
            expected.append(text)
        else:
            expected.append(chunk.render())
    assert result == "".join(expected)
    assert status == (1 if len(written) < baseline.returncode else 0)

"""For any three texts, the driver loses nothing: the hunks it leaves are git's, byte for
byte; each hunk it writes keeps every line of both sides; the rest is git's merge."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santamerge.merge.attempts import list_attempts
from santamerge.merge.driver import DriverArgs, run_merge_driver
from santamerge.merge.locate import parse_conflicts

LINES = st.sampled_from([
    "import os", "import re", "import json", "from a import b", "x = 1", "x = 2", "",
    "def f():", "def g():", "    return 1", "    return 2", "class A:", "    def m(self):",
    "        pass", "# note",
])
TEXT = st.lists(LINES, max_size=12).map(lambda lines: "".join(f"{line}\n" for line in lines))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=TEXT, ours=TEXT, theirs=TEXT)
def test_driver_never_loses_a_side(tmp_path: Path, base: str, ours: str, theirs: str) -> None:
    if not (tmp_path / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_text(text)
    baseline = subprocess.run(
        ["git", "merge-file", "-p", "--diff3", "-L", "ours", "-L", "base", "-L", "theirs",
         "ours", "base", "theirs"], cwd=tmp_path, capture_output=True, text=True, check=False)
    stored = len(list_attempts(tmp_path / ".git"))
    here = os.getcwd()
    os.chdir(tmp_path)  # git runs the driver at the top of the work tree
    try:
        status = run_merge_driver(DriverArgs("base", "ours", "theirs", 7, "app.py"))
    finally:
        os.chdir(here)
    result = (tmp_path / "ours").read_text()
    if baseline.returncode == 0:
        assert (status, result) == (0, baseline.stdout)
        return
    record = json.loads((list_attempts(tmp_path / ".git")[-1] / "attempt.json").read_text())
    assert len(list_attempts(tmp_path / ".git")) == min(stored + 1, 100)
    written = {int(i): m for i, m in record["outcome"]["methods"].items()}
    expected = []
    for chunk in parse_conflicts(baseline.stdout).chunks:
        if isinstance(chunk, str):
            expected.append(chunk)
        elif chunk.index in written:
            (text,) = [c["text"] for c in record["hunks"][chunk.index]["candidates"]
                       if c["method"] == written[chunk.index]]
            both = chunk.ours.splitlines() + chunk.theirs.splitlines()
            assert set(both) <= set(text.splitlines()), "a written hunk lost a line"
            expected.append(text)
        else:
            expected.append(chunk.render())
    assert result == "".join(expected)
    assert status == (1 if len(written) < baseline.returncode else 0)

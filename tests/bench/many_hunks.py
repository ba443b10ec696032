"""Time the merge driver on one file with up to thousands of hunks that the default
policy resolves by the tree merge: does its time grow with the hunks, or faster?

    .venv/bin/python tests/bench/many_hunks.py [--hunks 100 200 400 800 1200 1600 2000]
                                               [--runs 3]

Each file is Python: a dict per hunk, in which ours changes the first entry and theirs
the second (adjacent lines, so git leaves a conflict; different keys, so the tree merge
``structured:tree`` takes both, and the ``conservative`` policy writes it), and a line
both sides keep between the dicts. The driver runs in a fresh process, as git runs it
(``python -m santamerge merge-driver``), with a 600 s time limit so that a slow run is
measured rather than cut off. Prints the median seconds per file and per hunk, and
whether every run wrote exactly the expected merge (both changes in every dict).
To time other code, point ``PYTHONPATH`` at it (a ``git archive`` of a commit, say).
docs/benchmarks.md records the figures (issue 22).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_HUNKS = (100, 200, 400, 800, 1200, 1600, 2000)


def dicts(hunks: int) -> tuple[str, str, str, str]:
    """base, ours, theirs, and the merge the tree merge must write."""
    files: tuple[list[str], ...] = ([], [], [], [])
    for i in range(hunks):
        for text, (first, second) in zip(
            files, ((i, i), (i + 1, i), (i, i + 2), (i + 1, i + 2)), strict=True
        ):
            text.append(
                f'D{i} = {{\n    "first": {first},\n    "second": {second},\n}}\nKEEP{i} = {i}\n\n'
            )
    base, ours, theirs, merged = ("".join(text) for text in files)
    return base, ours, theirs, merged


def run(hunks: int, folder: Path) -> tuple[float, bool]:
    base, ours, theirs, merged = dicts(hunks)
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_text(text)
    env = {**os.environ, "SANTAMERGE_TIMEOUT": "600"}
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "merge-driver",
            "base",
            "ours",
            "theirs",
            "7",
            "app.py",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    return seconds, proc.returncode == 0 and (folder / "ours").read_text() == merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hunks", type=int, nargs="+", default=list(DEFAULT_HUNKS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'hunks':>6} {'median s':>9} {'ms/hunk':>8}  all written")
    for hunks in args.hunks:
        times, written = [], True
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="santamerge-many-hunks-") as folder:
                seconds, ok = run(hunks, Path(folder))
            times.append(seconds)
            written = written and ok
        median = statistics.median(times)
        print(f"{hunks:>6} {median:>9.2f} {1000 * median / hunks:>8.2f}  {written}", flush=True)


if __name__ == "__main__":
    main()

"""Time the merge driver on files with many resolvable hunks: does its time grow with
the file, or with the square of its hunks?

    .venv/bin/python tests/bench/driver_hunks.py [--hunks 100 200 400 800] [--runs 3]

Each file is Python: a function per hunk (of --body lines) that both sides keep, then a
function each
side adds after it (an order-free union), then a line both keep. The driver runs in a
fresh process, as git runs it (``python -m santamerge merge-driver``), with a 600 s
time limit so that a slow run is measured rather than cut off. Prints the median
seconds per file and per hunk, and whether every hunk was written.
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


def sides(hunks: int, body: int = 20) -> tuple[str, str, str]:
    base, ours, theirs = [], [], []
    for i in range(hunks):
        keep = (
            f"def keep{i}(items):\n"
            + "".join(f"    v{j} = items[{j}] + {i}\n" for j in range(body))
            + f"    return {i}\n\n\n"
        )
        base.append(keep)
        ours.append(keep + f"def ours{i}():\n    return {i}\n\n\n")
        theirs.append(keep + f"def theirs{i}():\n    return {i}\n\n\n")
        line = f"X{i} = {i}\n\n\n"
        for side in (base, ours, theirs):
            side.append(line)
    return "".join(base), "".join(ours), "".join(theirs)


def run(hunks: int, body: int, folder: Path) -> tuple[float, bool]:
    for name, text in zip(("base", "ours", "theirs"), sides(hunks, body), strict=True):
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
    return seconds, proc.returncode == 0 and b"<<<<<<<" not in (folder / "ours").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hunks", type=int, nargs="+", default=[100, 200, 400, 800])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--body", type=int, default=20, help="lines in each kept function")
    args = parser.parse_args()
    print(f"{'hunks':>6} {'median s':>9} {'ms/hunk':>8}  all written")
    for hunks in args.hunks:
        times, written = [], True
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="santamerge-hunks-") as folder:
                seconds, ok = run(hunks, args.body, Path(folder))
            times.append(seconds)
            written = written and ok
        median = statistics.median(times)
        print(f"{hunks:>6} {median:>9.2f} {1000 * median / hunks:>8.2f}  {written}")


if __name__ == "__main__":
    main()

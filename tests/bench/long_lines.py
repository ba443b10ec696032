"""Time the merge driver on a file that is one very long line: does its time grow with
the line, or with its square?

    .venv/bin/python tests/bench/long_lines.py [--chars 10000 20000 40000 100000] [--runs 3]

The cases, each at ``app.py`` (issue 22, item 1):

- ``clean``: base and theirs empty, ours one line ``s = '…'`` of N characters: git
  merges it cleanly, and the driver's clash check reads ours' added line;
- ``disabled``: the same under ``SANTAMERGE_DISABLE=1``;
- ``conflict``: base empty, ours and theirs each one such line, different: the driver's
  whole pipeline runs on the hunk.

The driver runs in a fresh process, as git runs it (``python -m santamerge merge-driver``),
with a 600 s time limit (``--timeout``) so that a slow run is measured rather than cut
off. Prints the median seconds, the exit status, and whether ``%A`` then holds git's own
merge (``git merge-file --diff3``).
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

CASES = ("clean", "disabled", "conflict")


def sides(case: str, chars: int) -> tuple[str, str, str]:
    ours = "s = '" + "a" * chars + "'\n"
    theirs = "s = '" + "b" * chars + "'\n" if case == "conflict" else ""
    return "", ours, theirs


def run(case: str, chars: int, folder: Path, timeout: float) -> tuple[float, int, bool]:
    for name, text in zip(("base", "ours", "theirs"), sides(case, chars), strict=True):
        (folder / name).write_text(text)
    gits = subprocess.run(
        [
            "git",
            "merge-file",
            "-p",
            "--diff3",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
            "ours",
            "base",
            "theirs",
        ],
        cwd=folder,
        capture_output=True,
        check=False,
    ).stdout
    env = {**os.environ, "SANTAMERGE_TIMEOUT": str(timeout)}
    env.pop("SANTAMERGE_DISABLE", None)
    if case == "disabled":
        env["SANTAMERGE_DISABLE"] = "1"
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
    return seconds, proc.returncode, (folder / "ours").read_bytes() == gits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, nargs="+", default=[10_000, 20_000, 40_000, 100_000])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    print(f"{'case':>9} {'chars':>7} {'median s':>9}  exit  git's merge")
    for case in args.cases:
        for chars in args.chars:
            times, codes, same = [], set(), True
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory(prefix="santamerge-long-") as folder:
                    seconds, code, gits = run(case, chars, Path(folder), args.timeout)
                times.append(seconds)
                codes.add(code)
                same = same and gits
            print(
                f"{case:>9} {chars:>7} {statistics.median(times):>9.3f}  "
                f"{','.join(map(str, sorted(codes))):>4}  {same}",
                flush=True,
            )


if __name__ == "__main__":
    main()

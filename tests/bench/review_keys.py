"""Key latency of the full-screen review: a real `git merge` of a generated 10,000-line
Python file with 20 conflict hunks, reviewed through Textual's pilot.

It times each key from the press until its frame is drawn (the last screen update
Textual sends after it), and, apart, the key's handler alone and the pilot's own wait
for an idle process: ``n`` and
``p`` (move), ``1`` (accept and move on), ``u`` (undo), as p50 and p95; and start-up:
from making the app until its first screen is drawn, for 1 file and for 15. The
proposals are made before the clock starts (their time is printed apart).

    .venv/bin/python tests/bench/review_keys.py [--lines 10000] [--hunks 20] [--files 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def make_file(lines: int, hunks: int) -> tuple[str, str, str]:
    """Base, ours and theirs: ``lines`` lines of functions; ``hunks`` places where both
    sides change the same lines (ours also inserts three lines there)."""
    base: list[str] = []
    while len(base) < lines:
        n = len(base) // 4
        base += [
            f"def step_{n}(value):",
            f"    total = value * {n} + {n % 7}",
            "    return total",
            "",
        ]
    base = base[:lines]
    ours, theirs = list(base), list(base)
    every = lines // hunks
    for k in reversed(range(hunks)):
        at = k * every + every // 2
        at -= at % 4
        ours[at + 1] = f"    total = value * {k} + limit({k})  # ours"
        ours[at + 1 : at + 1] = [f"    check_{k}(value)", "    trace(value)", "    # ours"]
        theirs[at + 1] = f"    total = value * {k} - {k}  # theirs"
    return ("\n".join(base) + "\n", "\n".join(ours) + "\n", "\n".join(theirs) + "\n")


def scratch_merge(root: Path, names: list[str], lines: int, hunks: int) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.name", "bench")
    git("config", "user.email", "bench@example.invalid")
    git("config", "merge.conflictStyle", "diff3")
    base, ours, theirs = make_file(lines, hunks)
    for branch, text in (("base", base), ("feature", theirs), ("main", ours)):
        if branch == "feature":
            git("checkout", "-q", "-b", "feature")
        elif branch == "main" and text is ours:
            git("checkout", "-q", "main")
        for name in names:
            (root / name).write_text(text)
        git("add", "-A")
        git("commit", "-q", "-m", branch)
    subprocess.run(
        ["git", "merge", "--no-edit", "feature"], cwd=root, capture_output=True, check=False
    )


def load(names: list[str]) -> list[object]:
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import preview_sources
    from santamerge.ui.review import load_preview

    files = [
        load_preview(s, DEFAULT_POLICY, lambda m: None)
        for s in preview_sources(tuple(names), lambda m: None)
    ]
    return [f for f in files if f is not None]


async def start_up(files: list[object]) -> float:
    from santamerge.ui.tui import ReviewApp

    began = time.perf_counter()
    app = ReviewApp(files)  # type: ignore[arg-type]
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        took = time.perf_counter() - began
        await pilot.press("q")
        await pilot.press("q")
    return took


async def keys(files: list[object], script: list[str]) -> dict[str, list[float]]:
    from santamerge.ui.tui import ReviewApp

    app = ReviewApp(files)  # type: ignore[arg-type]
    times: dict[str, list[float]] = {}
    handled: list[float] = []
    send = app.send

    def timed(key: str) -> None:  # the key's own work: the review and the redraw
        began = time.perf_counter()
        send(key)
        handled.append(time.perf_counter() - began)

    app.send = timed  # type: ignore[method-assign]
    painted: list[float] = []
    display = app._display

    def paint(screen: Any, renderable: Any) -> None:  # the frame drawn for the key
        display(screen, renderable)
        painted.append(time.perf_counter())

    app._display = paint  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for key in script:
            painted.clear()
            began = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            times.setdefault(f"{key} (pilot)", []).append(time.perf_counter() - began)
            if painted:
                times.setdefault(key, []).append(painted[-1] - began)
            if handled:
                times.setdefault(f"{key} (handler)", []).append(handled.pop())
        app.exit()
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--hunks", type=int, default=20)
    parser.add_argument("--files", type=int, default=15)
    parser.add_argument(
        "--file-lines",
        type=int,
        default=1_000,
        help="lines of each of the many files (a 10,000-line proposal takes 30 s on 2 cores)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="santamerge-keys-") as folder:
        root = Path(folder)
        names = [f"module_{n:02}.py" for n in range(args.files)]
        scratch_merge(root, names[:1], args.lines, args.hunks)
        (root / "many").mkdir()
        scratch_merge(root / "many", names, args.file_lines, 2)
        here = os.getcwd()
        os.chdir(root)
        try:
            began = time.perf_counter()
            one = load(names[:1])
            print(f"proposal of 1 file: {time.perf_counter() - began:.2f} s (not counted)")
            hunks = len(one[0].proposal.hunks)  # type: ignore[attr-defined]
            print(f"{args.lines} lines, {hunks} hunks")
            script = ["n"] * (hunks - 1) + ["p"] * (hunks - 1) + ["1", "u"] * 10 + ["down"] * 10
            asyncio.run(start_up(one))  # once to import Textual and warm the caches
            startup_one = [asyncio.run(start_up(one)) for _ in range(3)]
            times = asyncio.run(keys(one, script))
            began = time.perf_counter()
            os.chdir(root / "many")
            many = load(names)
            print(
                f"proposals of {len(many)} files: {time.perf_counter() - began:.2f} s (not counted)"
            )
            startup_many = [asyncio.run(start_up(many)) for _ in range(3)]
        finally:
            os.chdir(here)
    print(f"start-up, 1 file: {statistics.median(startup_one):.3f} s (median of 3)")
    print(f"start-up, {len(many)} files: {statistics.median(startup_many):.3f} s (median of 3)")
    print(
        "a key's time: from the press until its last frame is drawn; (handler): the "
        "review and the redraw alone; (pilot): until the pilot finds the process idle "
        "(Textual's pilot waits in steps)"
    )
    for key, values in times.items():
        ms = [v * 1000 for v in values]
        print(
            f"key {key!r:18} n={len(ms):3}  p50 {statistics.median(ms):6.1f} ms  "
            f"p95 {p95(ms):6.1f} ms  max {max(ms):6.1f} ms"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()

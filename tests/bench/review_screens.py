"""Capture the full-screen review for docs/: a scratch repository, a real `git merge`
through the merge driver, and the review driven by Textual's pilot, saved as SVG
screenshots, and `santamerge preview` run in a real pseudo-terminal, its screen saved
as plain text (review-*.txt).

    .venv/bin/python tests/bench/review_screens.py [--out docs/screens]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = '''import os


def load(path, retries=3):
    """Read a file, trying again on errors."""
    for attempt in range(retries):
        try:
            return open(path).read()
        except OSError:
            pass
    return None


TIMEOUT = 10
'''
OURS = (
    BASE.replace("import os\n", "import os\nimport sys\n")
    .replace("retries=3", "retries=5")
    .replace("TIMEOUT = 10", "TIMEOUT = 20")
)
THEIRS = (
    BASE.replace("import os\n", "import os\nimport logging\n")
    .replace("            pass\n", '            logging.warning("retrying %s", path)\n')
    .replace("retries=3", "retries=4")
    .replace("TIMEOUT = 10", "TIMEOUT = 30")
)
SHOTS = (  # (name, terminal size, keys pressed before the shot)
    ("review-wide", (160, 48), ["n"]),
    ("review-accepted", (160, 48), ["1", "p"]),
    ("review-small", (80, 24), ["n"]),
    ("review-help", (160, 48), ["?"]),
)


def scratch_merge(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for key, value in (("user.name", "Demo"), ("user.email", "demo@example.invalid")):
        git("config", key, value)
    subprocess.run(
        [sys.executable, "-m", "santamerge", "install", "*.py"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    for branch, text in (("base", BASE), ("feature", THEIRS), ("main", OURS)):
        if branch == "feature":
            git("checkout", "-q", "-b", "feature")
        elif branch == "main" and text is OURS:
            git("checkout", "-q", "main")
        (root / "loader.py").write_text(text)
        git("add", "-A")
        git("commit", "-q", "-m", branch)
    subprocess.run(["git", "merge", "--no-edit", "feature"], cwd=root, capture_output=True)


async def shoot(out: Path) -> None:
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import preview_sources
    from santamerge.ui.review import load_preview
    from santamerge.ui.tui import ReviewApp

    for name, size, keys in SHOTS:
        files = [
            load_preview(s, DEFAULT_POLICY, lambda m: None)
            for s in preview_sources((), lambda m: None)
        ]
        app = ReviewApp([f for f in files if f is not None])
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            (out / f"{name}.svg").write_text(app.export_screenshot(title=name))
            print(f"wrote {out / name}.svg")


def capture_text(out: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from terminal import Terminal

    for name, (cols, rows), keys in SHOTS[:3]:
        term = Terminal(
            [sys.executable, "-m", "santamerge", "preview"], Path.cwd(), size=(rows, cols)
        )
        term.wait_for("loader.py hunk 1 of")
        for key in keys:
            term.press(key)
        term.pump(0.5)
        lines = [line.rstrip() for line in term.screen.display]
        (out / f"{name}.txt").write_text("\n".join(lines) + "\n")
        term.child.terminate(force=True)
        print(f"wrote {out / name}.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screens"))
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="santamerge-screens-") as folder:
        scratch_merge(Path(folder))
        here = os.getcwd()
        os.chdir(folder)
        try:
            asyncio.run(shoot(out))
            capture_text(out)
        finally:
            os.chdir(here)


if __name__ == "__main__":
    main()

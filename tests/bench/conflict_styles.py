"""Replay real merges with git's default configuration and check that santamerge finds
every conflicted file with git's own hunks (docs/conflict-styles.md).

For each repository (a bare mirror), a shared scratch clone; for each two-parent merge
commit whose parents conflict (``git merge-tree --write-tree`` exits 1), a real
``git merge`` of the second parent into the first, with no system or global config (no
santamerge, git's default ``merge.conflictStyle``). For every file git leaves with
conflict markers, santamerge's source loading (what ``resolve`` and ``preview`` read:
``santamerge.merge.workspace.sources.load_source``) must find it, with git's hunks: the
same count, lines, ours and theirs.

    PYTHONPATH=$PWD python tests/bench/conflict_styles.py /work/.mirror/pallets+flask ...
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from santamerge import git
from santamerge.errors import MarkerError
from santamerge.merge.locate import has_markers, parse_conflicts
from santamerge.merge.workspace.sources import load_source

ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=False
    )


def replay(mirror: Path, limit: int, scan: int, totals: dict[str, int], misses: list[str]) -> str:
    name = mirror.name.replace("+", "/")
    if (mirror / "repo").is_dir():  # the fetch tool's layout: owner+name/repo
        mirror = mirror / "repo"
    with tempfile.TemporaryDirectory(prefix="conflict-styles-") as tmp:
        work = Path(tmp) / "w"
        run(Path(tmp), "clone", "-q", "--shared", "--no-checkout", str(mirror), str(work))
        listed = run(work, "log", "--merges", "--format=%H %P", f"-{scan}", "--all").stdout
        merges = [line.split() for line in listed.splitlines() if len(line.split()) == 3]
        done, first, last = 0, None, None
        os.environ.update({k: v for k, v in ENV.items() if k.startswith("GIT_")})
        for oid, ours, theirs in merges:
            if done >= limit:
                break
            tried = run(work, "merge-tree", "--write-tree", "--name-only", ours, theirs)
            if tried.returncode != 1:
                continue
            run(work, "checkout", "-q", "-f", "--detach", ours)
            run(work, "clean", "-q", "-fdx")
            merged = run(work, "merge", "--no-edit", "--no-ff", theirs)
            conflicted = run(work, "diff", "--name-only", "--diff-filter=U").stdout.split()
            if merged.returncode == 0 or not conflicted:
                run(work, "merge", "--abort")
                continue
            done += 1
            first = first or oid
            last = oid
            totals["merges"] += 1
            repo = git.Repository(str(work), str(work / ".git"))
            for path in conflicted:
                full = work / path
                try:
                    text = full.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # binary, deleted, not UTF-8: not a file with markers to find
                if not has_markers(text):
                    continue
                totals["files"] += 1
                try:
                    hunks = parse_conflicts(text).hunks
                except MarkerError as exc:  # markers inside markers: a side holds some
                    notes = []
                    load_source(repo, path, str(work), 10_000_000, notes.append)
                    misses.append(
                        f"{name} {oid[:10]} {path}: git's markers nest ({exc}); "
                        f"santamerge: {'; '.join(notes)}"
                    )
                    continue
                gits = [(h.line, h.ours, h.theirs) for h in hunks]
                totals["hunks"] += len(gits)
                notes: list[str] = []
                source = load_source(repo, path, str(work), 10_000_000, notes.append)
                if source is None:
                    misses.append(f"{name} {oid[:10]} {path}: not found ({'; '.join(notes)})")
                    continue
                parsed = parse_conflicts(source.text).hunks
                lines = getattr(source, "lines", None) or tuple(h.line for h in parsed)
                found = [(line, h.ours, h.theirs) for line, h in zip(lines, parsed, strict=False)]
                if found == gits and len(parsed) == len(gits):
                    totals["found"] += 1
                else:
                    misses.append(
                        f"{name} {oid[:10]} {path}: other hunks "
                        f"({len(parsed)} vs git's {len(gits)})"
                    )
            run(work, "merge", "--abort")
            run(work, "reset", "-q", "--hard")
        return f"{name}: {done} merges, {first and first[:10]}..{last and last[:10]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirrors", nargs="+", type=Path)
    parser.add_argument("--merges", type=int, default=25, help="conflicted merges per repo")
    parser.add_argument("--scan", type=int, default=400, help="merge commits looked at per repo")
    args = parser.parse_args()
    totals = {"merges": 0, "files": 0, "hunks": 0, "found": 0}
    misses: list[str] = []
    start = time.monotonic()
    for mirror in args.mirrors:
        print(replay(mirror, args.merges, args.scan, totals, misses), flush=True)
    for miss in misses:
        print("MISS", miss)
    print(
        f"merges {totals['merges']}, conflicted files with markers {totals['files']}, "
        f"hunks {totals['hunks']}, found with git's hunks {totals['found']}, "
        f"{time.monotonic() - start:.0f} s"
    )
    sys.exit(1 if misses else 0)


if __name__ == "__main__":
    main()

"""How often a clean line merge defines one name twice, on a repository's real history,
and whether the people who merged kept both copies.

For each two-parent merge commit (the newest ``--limit``), every file that both parents
changed since their merge base, in a language santamerge knows, is merged with
``git merge-file``. Where git merges it cleanly, ``santamerge.merge.structured.clashes`` is asked
whether both sides added a definition of one name. Each flagged file is then judged
against the committed file: did the commit keep the duplicate (a false alarm: the
driver made a conflict people did not need), or hold the name once (a real catch)?

    python tests/bench/clean_clashes.py --repo PATH [--limit 300] [--json OUT]

Nothing of the repository is written: blobs are read with ``git cat-file``, and the
merges run on temporary copies.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], capture_output=True, text=True, check=True
    ).stdout


def blob(repo: str, rev: str, path: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", repo, "cat-file", "blob", f"{rev}:{path}"], capture_output=True, check=False
    )
    if done.returncode != 0 or b"\0" in done.stdout:
        return None
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def changed(repo: str, base: str, rev: str) -> set[str]:
    return set(git(repo, "diff", "--name-only", "--no-renames", base, rev).split("\n")) - {""}


def merge_clean(base: str, ours: str, theirs: str) -> str | None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(folder) / name).write_text(text, encoding="utf-8")
            paths.append(str(Path(folder) / name))
        done = subprocess.run(["git", "merge-file", "-p", *paths], capture_output=True, check=False)
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def judge(
    repo: str, merge: str, parents: list[str], stats: Counter[str], found: list[dict[str, object]]
) -> None:
    from santamerge.languages.profiles import language_for_path
    from santamerge.merge.structured.clashes import clashes

    base = git(repo, "merge-base", *parents).strip()
    if not base:
        return
    for path in sorted(changed(repo, base, parents[0]) & changed(repo, base, parents[1])):
        profile = language_for_path(path)
        texts = [blob(repo, rev, path) for rev in (base, parents[0], parents[1], merge)]
        if profile is None or None in texts:
            continue
        b, o, t, truth = texts
        merged = merge_clean(b, o, t)  # type: ignore[arg-type]
        if merged is None:
            continue
        stats[f"clean {profile.name}"] += 1
        started = time.perf_counter()
        marks = clashes(profile, o, t, merged)  # type: ignore[arg-type]
        stats["ms"] += round(1000 * (time.perf_counter() - started))
        if not marks:
            continue
        names = sorted({m.name for m in marks})
        kept = all(truth.count(merged[m.start : m.end]) for m in marks)  # type: ignore[union-attr]
        stats["flagged, both copies committed" if kept else "flagged, commit differs"] += 1
        found.append({"merge": merge, "path": path, "names": names, "both_committed": kept})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--json")
    args = parser.parse_args()
    merges = git(
        args.repo, "rev-list", "--merges", f"--max-count={args.limit}", "--parents", "HEAD"
    ).splitlines()
    stats: Counter[str] = Counter()
    found: list[dict[str, object]] = []
    for line in merges:
        merge, *parents = line.split()
        if len(parents) == 2:
            judge(args.repo, merge, parents, stats, found)
    report = {
        "repo": args.repo,
        "head": git(args.repo, "rev-parse", "HEAD").strip(),
        "merges": len(merges),
        "stats": dict(sorted(stats.items())),
        "flagged": found,
    }
    text = json.dumps(report, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text if len(text) < 4000 else json.dumps(report["stats"], indent=1), file=sys.stdout)


if __name__ == "__main__":
    main()

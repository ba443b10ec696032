"""The long run of the differential no-lost-line harness (tests/differential.py): every
writer of a person's files against git's own merge, on generated merges.

    .venv/bin/python tests/bench/no_lost_lines.py [--cases 100000] [--resolve-files 10000]
        [--preview-files 10000] [--seed 1] [--jobs 2] [--json FILE]

- driver: the merge driver in-process, one generated merge per case, under the default
  policy and again under ``words`` (which also writes the unordered unions and tree
  merges, and word merges: its figures and failures are marked ``words``);
- union: the structured union alone, on every hunk of the same merges;
- resolve: `santamerge resolve --accept --threshold 0 --no-model` on real conflicted
  `git merge`s of 200 generated files each (diff3 and plain markers, one file in ten
  resolved by hand first, and one in ten of the rest edited inside its markers);
- preview: the interactive review in-process, each hunk accepted, skipped, edited,
  edited with markers left in, or decided by picking lines; now and then a side taken
  for the whole file, or the whole file edited (issue 26); now and then a person edits
  inside the markers while the review is open.

Every writer is held to the properties of tests/differential.py, the whole-file ones
(``file_problems``: a strict load, no key twice) and ``edits_kept`` included, on the
same generators (code in six languages, config files in four, long lines).

It prints one line per writer (cases, hunks written, hunks left marked, failures) and,
with --json, the whole record, failing cases included (each reproducible from its seed).
Record the result in docs/no-lost-lines.md whenever a writer changes. Re-run a failing
driver case with ``--replay SEED``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import differential as d

CASE_SEED = 1_000_003
# The policies each driver case runs under: the default, and the one that writes most.
DRIVER_POLICIES = ("conservative", "words")


def _isolate() -> list[str]:
    """No user or system git config, no santamerge settings from the environment; a
    scratch folder made current. The folders made, to remove afterwards."""
    home = tempfile.mkdtemp(prefix="santamerge-nll-home-")
    os.environ.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_STATE_HOME=os.path.join(home, ".state"),
        GIT_CONFIG_NOSYSTEM="1",
    )
    for name in list(os.environ):
        if name.startswith("SANTAMERGE_") or name in ("GIT_DIR", "GIT_WORK_TREE"):
            del os.environ[name]
    scratch = tempfile.mkdtemp(prefix="santamerge-nll-")
    os.chdir(scratch)
    return [home, scratch]


Chunk = Callable[[int, int, int], dict[str, object]]


def _in_scratch(work: Chunk) -> Chunk:
    """Run a chunk of cases isolated (:func:`_isolate`), and remove its folders after."""

    @functools.wraps(work)
    def run(seed: int, start: int, count: int) -> dict[str, object]:
        folders = _isolate()
        try:
            return work(seed, start, count)
        finally:
            os.chdir(tempfile.gettempdir())
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

    return run


@_in_scratch
def _driver_chunk(seed: int, start: int, count: int) -> dict[str, object]:
    stats: Counter[str] = Counter()
    failures = []
    scratch = Path(os.getcwd())
    for k in range(start, start + count):
        case = seed * CASE_SEED + k
        merge = d.generate(random.Random(case))
        folder = scratch / "case"
        for policy in DRIVER_POLICIES:
            tally: Counter[str] = Counter()
            problems = d.check_driver(merge, folder, policy, stats=tally)
            shutil.rmtree(folder, ignore_errors=True)
            default = policy == DRIVER_POLICIES[0]
            stats.update({k if default else f"{k} ({policy})": n for k, n in tally.items()})
            if problems:
                failures.append(
                    {
                        "writer": "driver" if default else f"driver ({policy})",
                        "case": case,
                        "path": merge.path,
                        "problems": problems,
                    }
                )
        unions, union_problems = d.check_union(merge, folder)
        stats["unions offered"] += unions
        shutil.rmtree(folder, ignore_errors=True)
        if union_problems:
            failures.append(
                {"writer": "union", "case": case, "path": merge.path, "problems": union_problems}
            )
    return {"stats": dict(stats), "failures": failures, "cases": count}


@_in_scratch
def _resolve_batch(seed: int, batch: int, files: int) -> dict[str, object]:
    """One real conflicted merge of ``files`` generated files, resolved with --accept."""
    root = Path(os.getcwd())
    stats: Counter[str] = Counter()
    failures = []
    style = "diff3" if batch % 2 == 0 else "merge"
    repo = root / "repo"
    repo.mkdir()

    def git(*args: str, check: bool = True) -> bytes:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=check).stdout

    git("init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Bench"),
        ("user.email", "bench@example.invalid"),
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("merge.conflictStyle", style),
    ):
        git("config", key, value)
    rng = random.Random(seed * CASE_SEED + batch)
    merges = []
    for k in range(files):
        m = d.generate(rng)
        folder, name = os.path.split(m.path)
        merges.append(m._replace(path=f"{folder}/f{k}_{name}"))

    def commit(side: str, message: str) -> None:
        for m in merges:
            (repo / m.path).parent.mkdir(parents=True, exist_ok=True)
            (repo / m.path).write_bytes(getattr(m, side))
        git("add", "-A")
        git("commit", "-q", "-m", message)

    commit("base", "base")
    git("checkout", "-q", "-b", "feature")
    commit("theirs", "theirs")
    git("checkout", "-q", "main")
    commit("ours", "ours")
    git("merge", "--no-edit", "feature", check=False)
    conflicted = set(git("diff", "--name-only", "--diff-filter=U").decode().split())
    before = {m.path: (repo / m.path).read_bytes() for m in merges if (repo / m.path).exists()}
    baselines = {}
    edited: dict[str, int] = {}  # edited by a person inside the markers: the hunk
    for m in merges:
        if m.path not in conflicted or b"<<<<<<<" not in before[m.path]:
            continue
        if rng.random() < 0.1:
            before[m.path] = m.ours  # resolved by hand, not added: must stay as it is
            (repo / m.path).write_bytes(m.ours)
            stats["resolved by hand"] += 1
            continue
        if rng.random() < 0.1 and (found := d.edit_inside_markers(before[m.path], rng)):
            before[m.path], edited[m.path] = found  # markers kept: never written over
            (repo / m.path).write_bytes(before[m.path])
            stats["edited inside the markers"] += 1
            continue
        if style == "diff3":
            baselines[m.path] = before[m.path]
        elif (based := d.based_baseline(repo, m.path, before[m.path])) is not None:
            baselines[m.path] = based  # git's own hunks, each with its base
        else:  # no base found for them: resolve leaves the file alone
            stages = (git("show", f":{stage}:{m.path}") for stage in (1, 2, 3))
            baselines[m.path] = d.git_merge(d.Merge(m.path, *stages), root)[0]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "resolve",
            "--accept",
            "--threshold",
            "0",
            "--no-model",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        failures.append(
            {
                "writer": "resolve",
                "case": f"{seed}/{batch}",
                "path": "*",
                "problems": [f"exit {done.returncode}: {done.stderr[-500:]}"],
            }
        )
    for m in merges:
        after = (repo / m.path).read_bytes() if (repo / m.path).exists() else None
        stats["files"] += 1
        if after == before.get(m.path):
            continue
        if m.path in edited:
            problems = d.edits_kept(before[m.path], after or b"", [edited[m.path]])
        elif m.path not in baselines:
            problems = ["written, though it is not a conflict santamerge may touch"]
        else:
            stats["files written"] += 1
            if style == "merge":  # hunks left marked stay as git wrote them, no base
                after = d.with_bases_of(after or b"", baselines[m.path])
            problems = d.check_written(
                m, baselines[m.path], after or b"", None, d.candidate_rule, stats, only_markers=True
            )
        if problems:
            failures.append(
                {
                    "writer": "resolve",
                    "case": f"{seed}/{batch}",
                    "path": m.path,
                    "problems": problems,
                }
            )
    return {"stats": dict(stats), "failures": failures, "cases": files}


@_in_scratch
def _preview_chunk(seed: int, start: int, count: int) -> dict[str, object]:
    scratch = Path(os.getcwd())
    stats: Counter[str] = Counter()
    failures = []
    for k in range(start, start + count):
        case = seed * CASE_SEED + k
        rng = random.Random(case)
        merge = d.generate(rng)
        problems = d.check_preview(merge, scratch / "case", rng, stats)
        shutil.rmtree(scratch / "case", ignore_errors=True)
        if problems:
            failures.append(
                {"writer": "preview", "case": case, "path": merge.path, "problems": problems}
            )
    return {"stats": dict(stats), "failures": failures, "cases": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--resolve-files", type=int, default=10_000)
    parser.add_argument("--preview-files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--replay",
        type=int,
        default=None,
        metavar="SEED",
        help="check one driver case, by the seed a failure reported",
    )
    args = parser.parse_args()
    if args.replay is not None:
        _isolate()
        merge = d.generate(random.Random(args.replay))
        print(merge)
        for policy in DRIVER_POLICIES:
            print(policy, d.check_driver(merge, Path(os.getcwd()) / policy, policy))
        print(d.check_union(merge, Path(os.getcwd()) / "case"))
        return
    started = time.time()
    chunk = 500
    jobs = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for start in range(0, args.cases, chunk):
            jobs.append(
                (
                    "driver+union",
                    pool.submit(_driver_chunk, args.seed, start, min(chunk, args.cases - start)),
                )
            )
        for batch in range(0, args.resolve_files, 200):
            jobs.append(
                (
                    "resolve",
                    pool.submit(
                        _resolve_batch,
                        args.seed,
                        batch // 200,
                        min(200, args.resolve_files - batch),
                    ),
                )
            )
        for start in range(0, args.preview_files, chunk):
            jobs.append(
                (
                    "preview",
                    pool.submit(
                        _preview_chunk, args.seed + 7, start, min(chunk, args.preview_files - start)
                    ),
                )
            )
        totals: dict[str, Counter[str]] = {}
        failures: list[dict[str, object]] = []
        for kind, job in jobs:
            result = job.result()
            tally = totals.setdefault(kind, Counter())
            tally["cases"] += int(result["cases"])  # type: ignore[call-overload]
            tally.update(result["stats"])  # type: ignore[arg-type]
            failures.extend(result["failures"])  # type: ignore[arg-type]
            done = sum(j.done() for _, j in jobs)
            print(
                f"\r{done}/{len(jobs)} chunks, {len(failures)} failures, "
                f"{time.time() - started:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    seconds = round(time.time() - started, 1)
    for kind, tally in totals.items():
        print(f"{kind}: {dict(tally)}")
    by_writer = Counter(str(f["writer"]) for f in failures)
    print(f"failures by writer: {dict(by_writer)}; {seconds} s")
    for f in failures[:10]:
        print(f)
    if args.json:
        record = {
            "seed": args.seed,
            "seconds": seconds,
            "totals": totals,
            "failures": failures,
            "machine": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "git": subprocess.run(
                ["git", "--version"], capture_output=True, text=True
            ).stdout.strip(),
        }
        args.json.write_text(json.dumps(record, indent=2, default=dict) + "\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

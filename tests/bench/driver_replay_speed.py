"""The merge driver's wall time per conflicted file of a repository's real merge history.

Each conflicted file that ``santamerge bench merges`` replays (git's diff3 merge of a
merge commit's parents; santamerge.bench.replay, cached) is split back into its base,
ours and theirs, and the real driver runs on them as git runs it: a fresh Python
process, ``python -m santamerge merge-driver %O %A %B 7 %P``, in a scratch git
repository, under the default policy and time limit. The wall time includes Python's
start-up, which is what a user waits for per merged file. The package's bytecode is
compiled first (:func:`as_installed`), as ``pip install`` compiles it: without it, a
machine that sets PYTHONDONTWRITEBYTECODE (or a read-only checkout) compiles every
module from source on each run, about 50 ms that no installed copy pays.

    python tests/bench/driver_replay_speed.py --repo PATH [--limit 3000] [--files 200]
        [--json OUT]

The repository is only read. Files are taken in replay order, at most ``--files``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "files": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def sides(marked: str) -> tuple[str, str, str] | None:
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        parsed = parse_conflicts(marked)
        return parsed.side("base"), parsed.side("ours"), parsed.side("theirs")
    except (MarkerError, ValueError):
        return None


def as_installed() -> bool:
    """Compile santamerge's modules to bytecode (``__pycache__``), as ``pip install`` does
    for an installed package; whether every module compiled."""
    import compileall

    import santamerge

    return bool(compileall.compile_dir(Path(santamerge.__file__).parent, quiet=1))


def run_driver(work: Path, path: str, texts: tuple[str, str, str]) -> tuple[float, int, str]:
    """(seconds, exit status, stderr) of one driver run on base, ours, theirs."""
    for name, text in zip(("base", "ours", "theirs"), texts, strict=True):
        (work / name).write_bytes(text.encode("utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANTAMERGE_")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-driver", "base", "ours", "theirs", "7", path],
        cwd=work,
        env=env,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started, done.returncode, done.stderr.decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--limit", type=int, default=3000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from santamerge.bench.replay import Replayer, default_cache, git_dir_of, list_merges
    from santamerge.languages.profiles import language_for_path

    git_dir = git_dir_of(args.repo)
    compiled = as_installed()
    times: dict[str, list[float]] = defaultdict(list)
    fell_back = 0
    with (
        tempfile.TemporaryDirectory() as scratch,
        Replayer(git_dir, default_cache(), None) as replayer,
    ):
        work = Path(scratch)
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
        for merge in list_merges(git_dir, "HEAD", args.limit):
            for conflicted in replayer.replay(merge)[0].files:
                texts = sides(conflicted.marked)
                if texts is None or sum(len(t) for t in times.values()) >= args.files:
                    continue
                seconds, _, err = run_driver(work, conflicted.path, texts)
                profile = language_for_path(conflicted.path)
                times[profile.name if profile else "other"].append(seconds)
                fell_back += "gave git's own merge" in err
    report = {
        "repo": args.repo,
        "machine": os.uname().machine,
        "cpus": os.cpu_count(),
        "bytecode_compiled": compiled,
        "all": percentiles([t for v in times.values() for t in v]),
        "by_language": {k: percentiles(v) for k, v in sorted(times.items())},
        "fell_back_to_git": fell_back,
        "times_ms": {k: [round(t * 1000, 1) for t in v] for k, v in sorted(times.items())},
    }
    print(json.dumps({k: v for k, v in report.items() if k != "times_ms"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

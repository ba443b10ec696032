"""Time the merge driver against bare Python start-up and ``git merge-file``.

Run: ``.venv/bin/python tests/bench/driver_speed.py [--runs N] [--json FILE]``.
Stdlib only; the santamerge under test is the console script next to ``sys.executable``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "santamerge"
NOUNS = ["order", "user", "invoice", "record", "token", "batch", "report", "account", "event"]
VERBS = ["load", "parse", "merge", "count", "filter", "build", "check", "update", "render"]
TEMPLATES = [
    "def {v}_{n}_{i}(items: list[int], limit: int = {a}) -> int:\n"
    '    """{V} the {n} items above ``limit``."""\n    total = 0\n    for item in items:\n'
    "        if item > limit:\n            total += item * {b}\n        else:\n"
    "            total -= {c}\n    return total\n\n",
    "def {v}_{n}_{i}(records: dict[str, str]) -> list[str]:\n    result = []\n"
    '    for key, value in sorted(records.items()):\n        if key.startswith("{n}"):\n'
    "            result.append(value.strip())\n    return result[:{a}]\n\n",
    "class {N}{V}{i}:\n    def __init__(self, size: int = {a}) -> None:\n"
    "        self.size = size\n        self.items: list[int] = []\n\n"
    "    def add(self, value: int) -> None:\n        if len(self.items) < self.size:\n"
    "            self.items.append(value * {b})\n\n",
]
HEADER = '"""Synthetic module for the driver benchmark."""\n\nimport os\nimport sys\n\n\n'


def function(rng: random.Random, i: int, kind: int | None = None) -> list[str]:
    v, n = rng.choice(VERBS), rng.choice(NOUNS)
    text = TEMPLATES[rng.randrange(3) if kind is None else kind].format(
        v=v,
        V=v.title(),
        n=n,
        N=n.title(),
        i=i,
        a=rng.randint(2, 99),
        b=rng.randint(2, 99),
        c=rng.randint(2, 99),
    )
    return [*text.splitlines(keepends=True), "\n"]  # two blank lines between definitions


def base_lines(size: int, seed: int) -> list[str]:
    rng, lines, i = random.Random(seed), HEADER.splitlines(keepends=True), 0
    while True:
        block = function(rng, i)
        if len(lines) + len(block) > size:
            break
        lines, i = lines + block, i + 1
    return lines + [f"LIMIT_{k} = {k * 7}\n" for k in range(size - len(lines))]


def make_inputs(size: int, seed: int, union: bool) -> tuple[str, str, str]:
    base = base_lines(size, seed)
    ours, theirs, rng = list(base), list(base), random.Random(seed + 1)
    # Walk the hunks from the bottom up so that earlier line numbers stay valid.
    for k, frac in reversed(list(enumerate((1 / 6, 1 / 2, 5 / 6)))):
        if union and k == 0:  # both sides add an import after the import block
            at = base.index("import sys\n") + 1
            ours[at:at], theirs[at:at] = ["import json\n"], ["import re\n"]
            continue
        start = int(size * frac)
        if union:  # both sides add a different function at the same function boundary
            at = next(j for j in range(start, size) if base[j - 1] == "\n" and base[j][0] in "dc")
            ours[at:at], theirs[at:at] = function(rng, 9000 + k, 0), function(rng, 9500 + k, 1)
            continue
        at = next(j for j in range(start, size) if re.match(r"\s+\S.*\b\d+\b", base[j]))
        num = int(re.findall(r"\d+", base[at])[-1])
        for side, new in ((ours, num + 1), (theirs, num + 2)):
            side[at] = re.sub(r"\d+(?=\D*$)", str(new), base[at])
    return "".join(base), "".join(ours), "".join(theirs)


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000, proc.returncode


def import_times(python: str, driver_args: list[str], cwd: Path) -> list[tuple[int, int, str]]:
    shutil.copyfile(driver_args[2].removesuffix("_copy"), driver_args[2])  # fresh ours_copy
    proc = subprocess.run(
        [python, "-X", "importtime", "-m", "santamerge", *driver_args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    return sorted(rows, key=lambda r: -r[1])


def source_hash() -> str:
    """A fingerprint of the santamerge sources under test (others may be editing them)."""
    spec = importlib.util.find_spec("santamerge")
    files = sorted(Path(spec.origin or "").parent.rglob("*.py")) if spec else []
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-pyc", action="store_true", help="keep PYTHONDONTWRITEBYTECODE")
    opts = parser.parse_args()
    python = sys.executable
    for name in [k for k in os.environ if k.startswith(("GIT_", "SANTAMERGE_"))]:
        del os.environ[name]  # a hook's GIT_DIR or a user's kill switch would skew the numbers
    scratch = Path(tempfile.mkdtemp(prefix="santamerge-bench-"))
    if not opts.no_pyc:  # an installed santamerge has bytecode: cache it, outside the tree
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    machine = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "executable": python,
        "git": git_version.strip(),
        "santamerge_sources": source_hash(),
        "bytecode": "as in the environment" if opts.no_pyc else "cached (warm-up round)",
    }
    print(f"# santamerge driver speed\n\n{json.dumps(machine)}\n")

    repo = scratch / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    specs = [(str(n), n, False) for n in (100, 1000, 10000)] + [("1000-union", 1000, True)]
    cases: dict[str, dict[str, list[str]]] = {}
    for label, size, union in specs:
        texts = make_inputs(size, seed=size, union=union)
        paths = {}
        for side, text in zip(("base", "ours", "theirs"), texts, strict=True):
            paths[side] = repo / f".merge_file_{label}_{side}"
            paths[side].write_text(text, encoding="utf-8")
        check = subprocess.run(
            ["git", "merge-file", "-p", "--diff3", paths["ours"], paths["base"], paths["theirs"]],
            capture_output=True,
        )
        assert check.returncode == 3, f"{label}: {check.returncode} conflicts, not 3"
        drv = [
            "merge-driver",
            str(paths["base"]),
            str(repo / f".merge_file_{label}_ours_copy"),
            str(paths["theirs"]),
            "7",
            "src/app.py",
        ]
        cases[label] = {
            "python -c pass": [python, "-c", "pass"],
            "git merge-file": [
                "git",
                "merge-file",
                "-p",
                "--diff3",
                str(paths["ours"]),
                str(paths["base"]),
                str(paths["theirs"]),
            ],
            # the least any Python driver does: start, import subprocess, run git merge-file
            "floor: python + merge-file": [
                python,
                "-c",
                "import subprocess, sys; subprocess.run("
                "['git', 'merge-file', '-p', '--diff3', *sys.argv[1:]],"
                " capture_output=True)",
                str(paths["ours"]),
                str(paths["base"]),
                str(paths["theirs"]),
            ],
            "santamerge merge-driver": [str(SCRIPT), *drv],
            "python -m santamerge": [python, "-m", "santamerge", *drv],
        }

    times: dict[str, dict[str, list[float]]] = {c: {k: [] for k in m} for c, m in cases.items()}
    codes: dict[str, dict[str, set[int]]] = {c: {k: set() for k in m} for c, m in cases.items()}
    for round_ in range(opts.runs + 1):  # round-robin; round 0 is an untimed warm-up
        for label, cmds in cases.items():
            for name, cmd in cmds.items():
                if "santamerge" in name:
                    shutil.copyfile(repo / f".merge_file_{label}_ours", cmd[-4])  # ours_copy
                ms, rc = timed(cmd, repo)
                if round_ > 0:
                    times[label][name].append(ms)
                codes[label][name].add(rc)

    print(f"runs per cell: {opts.runs}\n")
    print(
        "| input | command | median ms | p95 ms | min ms | / python start | exit |\n"
        "|---|---|---:|---:|---:|---:|---|"
    )
    for label, per_cmd in times.items():
        start_up = statistics.median(per_cmd["python -c pass"])
        for name, values in per_cmd.items():
            med, p95 = statistics.median(values), sorted(values)[math.ceil(0.95 * len(values)) - 1]
            exits = ",".join(map(str, sorted(codes[label][name])))
            print(
                f"| {label} | {name} | {med:.1f} | {p95:.1f} | "
                f"{min(values):.1f} | {med / start_up:.2f} | {exits} |"
            )

    runs = [import_times(python, cases["1000"]["python -m santamerge"][3:], repo) for _ in "12345"]
    rows = min(runs, key=lambda r: sum(x[0] for x in r))  # the least disturbed of 5 runs
    print("\n## -X importtime, 1000-line input: the fastest of 5 driver runs, top 15 cumulative\n")
    print("| cumulative ms | self ms | module |\n|---:|---:|---|")
    for self_us, cum_us, module in rows[:15]:
        depth = (len(module) - len(module.lstrip()) - 1) // 2  # importtime indents by nesting
        print(f"| {cum_us / 1000:.1f} | {self_us / 1000:.1f} | {'· ' * depth}`{module.strip()}` |")
    total = sum(r[0] for r in rows) / 1000
    print(f"\nall imports, sum of self: {total:.1f} ms over {len(rows)} modules")
    attempts = repo / ".git" / "santamerge" / "attempts"
    print(f"attempts kept in the scratch repo: {len(list(attempts.glob('*')))}")

    if source_hash() != machine["santamerge_sources"]:
        print("\nWARNING: santamerge's sources changed during the run; the numbers mix versions")
    if opts.json:
        opts.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "runs": opts.runs,
                    "times_ms": times,
                    "exit_codes": {
                        c: {k: sorted(v) for k, v in d.items()} for c, d in codes.items()
                    },
                    "importtime_us": [
                        {"self": s, "cumulative": c, "module": m} for s, c, m in rows
                    ],
                },
                indent=1,
            )
        )
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

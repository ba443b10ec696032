"""santamerge's model path on a GPU (issue 27, docs/serving.md "On a GPU"): run on the
device machine after tests/bench/gpu_train.sh, with the model it trained.

    python3 tests/bench/gpu_path.py --model /tmp/santamerge-model --device cuda --json F

It measures, with the model loaded once (bf16 on CUDA):
- `complete`: the command's own path (santamerge.commands.complete: fit the gap to the
  context, fill_gaps, one greedy middle of at most 64 tokens) on 1-line and 10-line gaps,
  warm, p50/p95 over --runs; and `santamerge complete` as a fresh process (import and
  load included), a few times;
- `serve --batch`: hunks per second with 1, 8 and 32 client threads sending 1-line
  conflict hunks (the merge driver's call, santamerge.merge.middles.model_middles);
- `resolve --model M` (no --accept) in a scratch repository with --files conflicted
  Python files, in this process: wall time, model tokens generated and scored, and
  generated tokens per second of generation time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_speed import percentile, throughput, timed

LINE_PREFIX = (
    "import os\n\n\ndef read_config(path):\n    result = {}\n"
    "    with open(path) as fh:\n        for line in fh:\n"
)
LINE_SUFFIX = "            result[key] = value\n    return result\n"
BODY_PREFIX = "import json\n\n\nclass Store:\n    def __init__(self, path):\n"
BODY_SUFFIX = "\n    def save(self):\n        pass\n"


def _complete_warm(backend: Any, prefix: str, suffix: str, runs: int) -> dict[str, float]:
    from santamerge.commands.complete import _fit
    from santamerge.model.generate import Gap, fill_gaps

    def one() -> None:
        gap = _fit(backend, Gap(prefix, suffix), 64)
        fill_gaps(backend, [gap], n=1, max_new_tokens=64, temperature=0.0, top_p=0.95)

    one()  # warm-up
    times = timed(one, runs)
    return {
        "runs": runs,
        "p50_ms": 1000 * percentile(times, 0.5),
        "p95_ms": 1000 * percentile(times, 0.95),
    }


def _complete_cold(model: str, device: str, runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        pre, suf = Path(tmp, "p.py"), Path(tmp, "s.py")
        pre.write_text(LINE_PREFIX)
        suf.write_text(LINE_SUFFIX)
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "santamerge",
                    "complete",
                    "--model",
                    model,
                    "--device",
                    device,
                    "--prefix-file",
                    str(pre),
                    "--suffix-file",
                    str(suf),
                ],
                check=True,
                capture_output=True,
            )
            out.append(time.perf_counter() - start)
        return out


def _serve_batch(model: str, device: str, per_client: int) -> list[dict[str, float]]:
    from serve_speed import free_port

    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp, "ready.json")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "santamerge",
                "serve",
                "--model",
                model,
                "--device",
                device,
                "--batch",
                "--port",
                str(free_port()),
                "--ready-file",
                str(ready),
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            while not ready.exists():
                if process.poll() is not None:
                    raise SystemExit("santamerge serve did not start")
                time.sleep(0.05)
            url = json.loads(ready.read_text())["url"]
            throughput(url, 1, 2)  # warm-up
            return [throughput(url, clients, per_client) for clients in (1, 8, 32)]
        finally:
            process.terminate()
            process.wait()


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _scratch_repo(folder: Path, files: int) -> Path:
    """A repository mid-merge with ``files`` conflicted Python files, 3 hunks each."""
    repo = folder / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "bench@example.com")
    _git(repo, "config", "user.name", "bench")
    _git(repo, "config", "merge.conflictStyle", "diff3")

    def body(i: int, variant: str) -> str:
        parts = [f'"""Module {i}."""\n\nimport os\n\n']
        for k in range(3):
            parts.append(f"\ndef step_{k}(path, limit):\n    total = 0\n")
            parts.append(f"    {variant}\n" if variant else "    total += 1\n")
            parts.append(
                "    for name in os.listdir(path):\n        total += len(name)\n"
                "    return total\n\n"
            )
        return "".join(parts)

    for i in range(files):
        (repo / f"m{i}.py").write_text(body(i, ""))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "theirs")
    for i in range(files):
        (repo / f"m{i}.py").write_text(body(i, "total += limit * 2"))
    _git(repo, "commit", "-q", "-am", "theirs")
    _git(repo, "checkout", "-q", "main")
    for i in range(files):
        (repo / f"m{i}.py").write_text(body(i, "total = max(total, limit)"))
    _git(repo, "commit", "-q", "-am", "ours")
    subprocess.run(["git", "-C", str(repo), "merge", "-q", "theirs"], capture_output=True)
    return repo


def _resolve(backend: Any, model: str, device: str, files: int) -> dict[str, Any]:
    from click.testing import CliRunner

    from santamerge.cli import cli

    counts = {"generated": 0, "generate_s": 0.0, "scored_calls": 0, "score_s": 0.0}
    cls = type(backend)
    generate, score = cls.generate, cls.score

    def counting_generate(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        found = generate(self, *args, **kwargs)
        counts["generate_s"] += time.perf_counter() - start
        counts["generated"] += sum(len(c.token_logprobs) for group in found for c in group)
        return found

    def counting_score(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        out = score(self, *args, **kwargs)
        counts["score_s"] += time.perf_counter() - start
        counts["scored_calls"] += 1
        return out

    cls.generate, cls.score = counting_generate, counting_score  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            repo = _scratch_repo(Path(tmp), files)
            old = os.getcwd()
            os.chdir(repo)
            try:
                start = time.perf_counter()
                result = CliRunner().invoke(
                    cli, ["resolve", "--model", model, "--device", device, "--json"]
                )
                wall = time.perf_counter() - start
            finally:
                os.chdir(old)
    finally:
        cls.generate, cls.score = generate, score  # type: ignore[method-assign]
    report = json.loads(result.output) if result.exit_code == 0 else {}
    hunks = sum(len(f.get("hunks", [])) for f in report.get("files", []))
    return {
        "files": files,
        "hunks": hunks,
        "exit": result.exit_code,
        "wall_s": wall,
        **counts,
        "generated_tokens_per_s": counts["generated"] / max(counts["generate_s"], 1e-9),
        "error": None if result.exit_code == 0 else result.output[-400:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--json", dest="json_path")
    opts = parser.parse_args()

    from santamerge.model.backends.registry import load_backend

    results: dict[str, Any] = {}

    def save() -> None:
        print(json.dumps(results, indent=2), flush=True)
        if opts.json_path:
            Path(opts.json_path).write_text(json.dumps(results, indent=2) + "\n")

    start = time.perf_counter()
    backend = load_backend(opts.model, device=opts.device)
    results["load_s"] = time.perf_counter() - start
    results["backend"] = {k: backend.describe()[k] for k in ("device", "dtype", "parameters")}
    results["complete_1_line"] = _complete_warm(backend, LINE_PREFIX, LINE_SUFFIX, opts.runs)
    results["complete_body"] = _complete_warm(backend, BODY_PREFIX, BODY_SUFFIX, opts.runs)
    save()
    results["resolve"] = _resolve(backend, opts.model, opts.device, opts.files)
    save()
    results["serve_batch"] = _serve_batch(opts.model, opts.device, max(4, opts.runs // 3))
    save()
    results["complete_cold_s"] = _complete_cold(opts.model, opts.device, 3)
    save()


if __name__ == "__main__":
    main()

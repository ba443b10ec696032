"""Time the embedded model (or --model) on this machine: load time in a fresh process,
ms per generated token, and ms per 1-line and 10-line middle at batch sizes 1 and 8.

    .venv/bin/python tests/bench/model_speed.py [--model embedded] [--device auto] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time

PREFIX = '''import os


def read_config(path):
    """Read a key=value file into a dict."""
    result = {}
    with open(path) as fh:
        for line in fh:
'''
SUFFIX = """
    return result
"""


def load_seconds(model: str, device: str, runs: int) -> list[float]:
    """Wall time of a fresh process that imports santamerge and loads the model."""
    code = (
        "import time; t = time.perf_counter();"
        " from santamerge.model.backends.registry import load_backend;"
        f" load_backend({model!r}, device={device!r}); print(time.perf_counter() - t)"
    )
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", dest="json_path")
    opts = parser.parse_args()

    from santamerge.model.backends.registry import load_backend

    loads = load_seconds(opts.model, opts.device, opts.runs)
    backend = load_backend(opts.model, device=opts.device)
    facts = backend.describe()
    prompt = backend.template.render(PREFIX, SUFFIX)
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": _cpus(),
            "device": facts["device"],
            "dtype": facts["dtype"],
            "parameters": facts["parameters"],
        },
        "load_s_median": statistics.median(loads),
        "cells": [],
    }
    print(
        f"# model speed: {opts.model} on {facts['device']} ({facts['dtype']}), "
        f"{facts['parameters']:,} parameters"
    )
    print(
        f"load in a fresh process (import included): median {statistics.median(loads):.2f} s "
        f"over {opts.runs}\n"
    )
    print("| middle | batch | ms per middle (median) | ms per generated token |")
    print("|---|---:|---:|---:|")
    backend.generate([prompt], max_new_tokens=4)  # warm-up
    for name, tokens in (("1 line (16 tokens)", 16), ("10 lines (160 tokens)", 160)):
        for batch in (1, 8):
            times, generated = [], []
            for _ in range(opts.runs):
                start = time.perf_counter()
                found = backend.generate(
                    [prompt] * batch, max_new_tokens=tokens, temperature=0.0, stop=["\uffff"]
                )  # never stops early
                times.append(time.perf_counter() - start)
                generated.append(sum(len(c[0].token_logprobs) for c in found))
            ms = 1000 * statistics.median(times)
            per_token = 1000 * sum(times) / max(1, sum(generated))
            results["cells"].append(
                {
                    "middle": name,
                    "batch": batch,
                    "ms": ms,  # type: ignore[attr-defined]
                    "ms_per_token": per_token,
                }
            )
            print(f"| {name} | {batch} | {ms:.0f} | {per_token:.1f} |")
    if opts.json_path:
        with open(opts.json_path, "w") as fh:
            json.dump(results, fh, indent=2)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()

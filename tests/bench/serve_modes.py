"""`santamerge serve` with and without `--batch`, token counting over HTTP, and a burst
of clients against the listen backlog (docs/serving.md, "Repeatable answers" and
"Listen backlog").

    .venv/bin/python tests/bench/serve_modes.py [--runs 40] [--burst-rounds 10]

- latency of one merge-driver proposal (santamerge.merge.middles.model_middles) through the
  HTTP backend on a Unix socket, with token counts from the server's tokenizer and with
  the character estimate that other servers get;
- throughput of 1 and 8 client threads (1-line hunks), default and `--batch`;
- 50 clients at once, each `GET /health` on a fresh TCP connection: p50, p99, max.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from serve_speed import ONE, TEN, percentile, throughput
from servers import free_port

from santamerge.model.backends.base import TokenizerUnavailable
from santamerge.model.backends.http import HttpBackend


class Estimating(HttpBackend):
    """Token counts estimated from characters, as for a server that cannot tokenize."""

    def encode(self, text: str) -> list[int]:
        raise TokenizerUnavailable("this benchmark estimates token counts")


def start(folder: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    ready = folder / "ready.json"
    ready.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "santamerge", "serve", "--ready-file", str(ready), *args],
        stderr=subprocess.DEVNULL,
    )
    while not ready.exists():
        if process.poll() is not None:
            raise SystemExit("santamerge serve did not start")
        time.sleep(0.05)
    return process, json.loads(ready.read_text())["url"]


def latency(url: str, runs: int) -> None:
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.middles import model_middles

    for hunk, text in (("1 line", ONE), ("10 lines", TEN)):
        parsed = parse_conflicts(text)
        for label, kind in (("server's tokenizer", HttpBackend), ("estimate", Estimating)):
            backend = kind(url)
            model_middles(backend, parsed, parsed.hunks)  # warm-up
            seconds = []
            for _ in range(runs):
                started = time.perf_counter()
                model_middles(backend, parsed, parsed.hunks)
                seconds.append(time.perf_counter() - started)
            print(
                f"| {hunk} | {label} | {runs} | {1000 * percentile(seconds, 0.5):.0f} | "
                f"{1000 * percentile(seconds, 0.95):.0f} |",
                flush=True,
            )


def burst(port: int, rounds: int, clients: int = 50) -> dict[str, Any]:
    times: list[float] = []

    def one(barrier: threading.Barrier) -> None:
        barrier.wait()
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/health")
        conn.getresponse().read()
        conn.close()
        times.append(time.perf_counter() - started)

    for _ in range(rounds):
        barrier = threading.Barrier(clients)
        threads = [threading.Thread(target=one, args=(barrier,)) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return {
        "requests": len(times),
        "p50_ms": 1000 * percentile(times, 0.5),
        "p99_ms": 1000 * percentile(times, 0.99),
        "max_ms": 1000 * max(times),
        "over_1s": sum(t > 1 for t in times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--burst-rounds", type=int, default=10)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sock = str(folder / "s.sock")
        print("| hunk | token counts | runs | p50 ms | p95 ms |\n|---|---|---:|---:|---:|")
        process, url = start(folder, "--socket", sock)
        try:
            latency(url, opts.runs)
            print(
                "\n| server | clients | hunks | hunks/s | p50 ms | p95 ms |\n"
                "|---|---:|---:|---:|---:|---:|"
            )
            for mode, args in (("default", ()), ("--batch", ("--batch",))):
                if args:
                    process.terminate()
                    process.wait()
                    process, url = start(folder, "--socket", sock, *args)
                for clients in (1, 8):
                    row = throughput(url, clients, max(4, opts.runs // 2))
                    print(
                        f"| {mode} | {clients} | {row['hunks']:.0f} | "
                        f"{row['hunks_per_s']:.1f} | {row['p50_ms']:.0f} | "
                        f"{row['p95_ms']:.0f} |",
                        flush=True,
                    )
        finally:
            process.terminate()
            process.wait()
        port = free_port()
        process, _ = start(folder, "--port", str(port))
        try:
            print("\n50 clients at once:", burst(port, opts.burst_rounds))
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()

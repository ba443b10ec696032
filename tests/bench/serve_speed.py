"""Per-hunk proposal latency through every path a process can reach the model by, and
the throughput of `santamerge serve` under concurrent clients.

    .venv/bin/python tests/bench/serve_speed.py [--model embedded] [--runs 20] [--json F]

Paths, for a 1-line and a 10-line conflict hunk (santamerge.merge.middles.model_middles, the
merge driver's call: one greedy middle, the file around the hunk as FIM context):

- cold process: a fresh Python that imports santamerge, loads the model and proposes
  (what every git merge-driver process would pay without a server);
- warm, in-process: the model already loaded in this process;
- HTTP, loopback TCP: the HTTP backend against `santamerge serve --port`;
- HTTP, Unix socket: the same against the auto-started local server's transport;
- auto-start, per process: a fresh process that finds (or, the first time, starts and
  waits for) the shared local server, then proposes: first and later processes.

Throughput: 1 and 8 client threads, each sending 1-line hunks to `santamerge serve`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from servers import free_port, stop_local

ONE = (
    "import os\n\n\ndef read_config(path):\n    result = {}\n<<<<<<< ours\n"
    "    limit = 10\n||||||| base\n    limit = 5\n=======\n    limit = 20\n>>>>>>> theirs\n"
    "    with open(path) as fh:\n        for line in fh:\n            key, value = "
    "line.split('=', 1)\n            result[key] = value\n    return result\n"
)
TEN_OURS = "".join(f"    value_{i} = compute(path, {i})\n" for i in range(10))
TEN_THEIRS = "".join(f"    value_{i} = compute(path, {i} * 2)\n" for i in range(10))
TEN = (
    "import os\n\n\ndef read_config(path):\n<<<<<<< ours\n"
    + TEN_OURS
    + "||||||| base\n    pass\n=======\n"
    + TEN_THEIRS
    + ">>>>>>> theirs\n"
    "    return value_0\n"
)
HUNKS = {"1 line": ONE, "10 lines": TEN}

PROPOSE = """
import sys, time
t = time.perf_counter()
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.middles import model_middles
parsed = parse_conflicts(sys.stdin.read())
mode, model, device = sys.argv[1:4]
if mode == "cold":
    from santamerge.model.backends.registry import load_backend
    backend = load_backend(model, device=device)
else:
    from santamerge.model.serve.autostart import connect_local
    backend = connect_local(model, device, wait=300, idle_timeout=120)
model_middles(backend, parsed, parsed.hunks)
print(time.perf_counter() - t)
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(work: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        out.append(time.perf_counter() - start)
    return out


def fresh_process(mode: str, text: str, model: str, device: str, env: dict[str, str]) -> float:
    """Wall time of a fresh process, from spawn to exit."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PROPOSE, mode, model, device],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return time.perf_counter() - start


def start_server(model: str, device: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    ready = folder / "ready.json"
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
            "--port",
            str(free_port()),
            "--ready-file",
            str(ready),
        ],
        stderr=subprocess.DEVNULL,
    )
    while not ready.exists():
        if process.poll() is not None:
            raise SystemExit("santamerge serve did not start")
        time.sleep(0.05)
    return process, json.loads(ready.read_text())["url"]


def throughput(url: str, clients: int, per_client: int) -> dict[str, float]:
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.middles import model_middles
    from santamerge.model.backends.http import HttpBackend

    parsed = parse_conflicts(ONE)
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        backend = HttpBackend(url)
        backend.template  # noqa: B018 (fetch the template before timing)
        for _ in range(per_client):
            start = time.perf_counter()
            model_middles(backend, parsed, parsed.hunks)
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "clients": clients,
        "hunks": len(latencies),
        "hunks_per_s": len(latencies) / wall,
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p95_ms": 1000 * percentile(latencies, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--json", dest="json_path")
    opts = parser.parse_args()

    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.middles import model_middles
    from santamerge.model.backends.http import HttpBackend
    from santamerge.model.backends.registry import load_backend
    from santamerge.model.serve.server import ServeOptions, Service, make_server

    rows: list[dict[str, Any]] = []

    def report(path: str, hunk: str, seconds: list[float]) -> None:
        row = {
            "path": path,
            "hunk": hunk,
            "runs": len(seconds),
            "p50_ms": 1000 * percentile(seconds, 0.5),
            "p95_ms": 1000 * percentile(seconds, 0.95),
        }
        rows.append(row)
        print(
            f"| {path} | {hunk} | {row['runs']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} |",
            flush=True,
        )

    print("| path | hunk | runs | p50 ms | p95 ms |\n|---|---|---:|---:|---:|", flush=True)
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    for hunk, text in HUNKS.items():
        report(
            "cold process",
            hunk,
            [
                fresh_process("cold", text, opts.model, opts.device, env)
                for _ in range(opts.cold_runs)
            ],
        )

    backend = load_backend(opts.model, device=opts.device)
    for hunk, text in HUNKS.items():
        parsed = parse_conflicts(text)
        model_middles(backend, parsed, parsed.hunks)  # warm-up
        report(
            "warm, in-process",
            hunk,
            timed(lambda p=parsed: model_middles(backend, p, p.hunks), opts.runs),
        )

    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_server(opts.model, opts.device, Path(tmp))
        try:
            remote = HttpBackend(url)
            for hunk, text in HUNKS.items():
                parsed = parse_conflicts(text)
                model_middles(remote, parsed, parsed.hunks)
                report(
                    "HTTP, loopback TCP",
                    hunk,
                    timed(lambda p=parsed: model_middles(remote, p, p.hunks), opts.runs),
                )
            loads = [throughput(url, clients, max(4, opts.runs // 2)) for clients in (1, 8)]
        finally:
            process.terminate()
            process.wait()

        # The Unix-socket transport, served from this process's already-loaded model.
        socket_path = str(Path(tmp) / "s.sock")
        service = Service(backend, ServeOptions(socket_path=socket_path))
        server, unix_url = make_server(service)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        local = HttpBackend(unix_url)
        for hunk, text in HUNKS.items():
            parsed = parse_conflicts(text)
            model_middles(local, parsed, parsed.hunks)
            report(
                "HTTP, Unix socket",
                hunk,
                timed(lambda p=parsed: model_middles(local, p, p.hunks), opts.runs),
            )
        server.shutdown()
        server.server_close()
        service.batcher.stop()

        # Auto-start as per-file processes see it: the first starts the server and waits.
        auto_env = {**env, "XDG_RUNTIME_DIR": tmp}
        first = fresh_process("auto", ONE, opts.model, opts.device, auto_env)
        report("auto-start, first process", "1 line", [first])
        for hunk, text in HUNKS.items():
            report(
                "auto-start, later process",
                hunk,
                [
                    fresh_process("auto", text, opts.model, opts.device, auto_env)
                    for _ in range(opts.cold_runs)
                ],
            )
        os.environ["XDG_RUNTIME_DIR"] = tmp
        stop_local(opts.model, opts.device)

    print("\n| clients | hunks | hunks/s | p50 ms | p95 ms |\n|---:|---:|---:|---:|---:|")
    for load in loads:
        print(
            f"| {load['clients']} | {load['hunks']:.0f} | {load['hunks_per_s']:.1f} | "
            f"{load['p50_ms']:.0f} | {load['p95_ms']:.0f} |"
        )
    facts = backend.describe()
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "device": facts["device"],
            "model": opts.model,
        },
        "latency": rows,
        "throughput": loads,
    }
    if opts.json_path:
        Path(opts.json_path).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

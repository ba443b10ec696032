"""The shared local server: started by the first process that needs the model, reused
by the next, over a per-user Unix socket."""

from __future__ import annotations

import json
import os
import time

from conftest import Repo

from santamerge.attempts import list_attempts
from santamerge.autostart import connect_local, local_server, stop_local
from santamerge.backends.http import HttpBackend


def _model_record(repo: Repo, path: str) -> dict[str, object]:
    for attempt in list_attempts(repo.root / ".git"):
        record = json.loads((attempt / "attempt.json").read_text())
        if record["path"] == path:
            return record["model"]  # type: ignore[no-any-return]
    raise AssertionError(f"no attempt for {path}")


def test_two_driver_runs_in_a_row_reuse_one_server(repo: Repo) -> None:
    repo.git("config", "santamerge.drivermodel", "true")
    repo.git("config", "santamerge.timeout", "120")
    repo.git("config", "santamerge.idletimeout", "60")
    base = {"a.py": "LIMIT = 1\n", "b.py": "def f():\n    return 1\n"}
    ours = {"a.py": "LIMIT = 2\n", "b.py": "def f():\n    return 2\n"}
    theirs = {"a.py": "LIMIT = 3\n", "b.py": "def f():\n    return 3\n"}
    result = repo.merge_branches(base, ours, theirs)  # one git merge, two driver runs
    assert result.returncode != 0  # true conflicts: the model's middles are not written
    assert repo.read("a.py").startswith(b"<<<<<<< ours\nLIMIT = 2\n")
    first, second = _model_record(repo, "a.py"), _model_record(repo, "b.py")
    assert first["backend"] == second["backend"] == "local server", (first, second)
    assert "error" not in first and "error" not in second, (first, second)
    (middle,) = first["middles"]  # type: ignore[misc]
    assert middle["method"] == "model:fim" and middle["hunk"] == 0

    server = local_server("embedded", "auto")
    pid = int(server.pid.read_text())
    health = HttpBackend(server.url).health()
    assert health["pid"] == pid  # one process answered both runs
    assert health["batches"] >= 2
    assert oct(server.socket.stat().st_mode & 0o777) == "0o600"
    again = connect_local("embedded", "auto", wait=5, idle_timeout=60)  # found, not started
    assert again.health()["pid"] == pid

    assert stop_local("embedded", "auto")
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert not server.socket.exists()  # a clean shutdown removes its socket


def test_without_autostart_the_driver_loads_nothing_in_the_background(repo: Repo) -> None:
    repo.git("config", "santamerge.drivermodel", "true")
    repo.git("config", "santamerge.autostart", "false")
    repo.git("config", "santamerge.server", "http://127.0.0.1:9")  # discard: refused
    result = repo.merge_branches({"a.py": "X = 1\n"}, {"a.py": "X = 2\n"}, {"a.py": "X = 3\n"})
    assert result.returncode != 0
    record = _model_record(repo, "a.py")
    assert record["backend"] == "server" and "cannot be reached" in str(record["error"])
    assert not local_server("embedded", "auto").pid.exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_driver_never_loads_a_model_per_file(repo: Repo) -> None:
    repo.git("config", "santamerge.drivermodel", "true")
    repo.git("config", "santamerge.autostart", "false")
    result = repo.merge_branches({"a.py": "X = 1\n"}, {"a.py": "X = 2\n"}, {"a.py": "X = 3\n"})
    assert result.returncode != 0
    record = _model_record(repo, "a.py")
    assert record["backend"] == "in process" and "never loads a model" in str(record["error"])

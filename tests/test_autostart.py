"""The shared local server: started by the first process that needs the model, reused
by the next, over a per-user Unix socket."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Repo
from servers import stop_local

import santamerge
from santamerge.merge.workspace.attempts import list_attempts
from santamerge.model.backends.embedded import embedded_path
from santamerge.model.backends.http import HttpBackend
from santamerge.model.checksums import SUMS
from santamerge.model.serve.autostart import connect_local, local_server


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


# -- which server is "the same": installation, model checksum, autostart off --------------

_SOCKET_OF = (
    "import santamerge, sys; from santamerge.model.serve.autostart import local_server; "
    "print(santamerge.__file__); print(local_server(sys.argv[1], 'auto').socket)"
)


def _socket_seen_by(
    package_parent: Path | None, model: str = "embedded", cwd: Path | None = None
) -> tuple[str, str]:
    """(santamerge's __file__, the local server socket) as a fresh process running the
    santamerge found under ``package_parent`` (None: this checkout) sees them."""
    env = dict(os.environ)
    if package_parent is not None:
        env["PYTHONPATH"] = str(package_parent)
    # (run elsewhere than in this checkout, which `python -c` would put first on sys.path)
    done = subprocess.run(
        [sys.executable, "-c", _SOCKET_OF, model],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or Path.home(),
        check=True,
    )
    where, sock = done.stdout.split()
    return where, sock


def test_another_installation_of_the_same_version_has_its_own_server(tmp_path: Path) -> None:
    """Two installations of one santamerge version must not answer for each other."""
    other = tmp_path / "other-install"
    shutil.copytree(
        Path(santamerge.__file__).parent,
        other / "santamerge",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    here_file, here = _socket_seen_by(None)
    there_file, there = _socket_seen_by(other)
    assert Path(there_file).parent == other / "santamerge"
    assert Path(here_file).parent == Path(santamerge.__file__).parent
    assert here != there
    assert _socket_seen_by(other)[1] == there  # and each installation finds its own again
    assert str(local_server("embedded", "auto").socket) == here

    # the same installation with another embedded model: another server too
    sums = other / "santamerge" / "models" / "embedded" / SUMS
    sums.write_text(sums.read_text().replace("0", "1", 1))
    assert _socket_seen_by(other)[1] != there


def test_a_model_folder_is_keyed_by_its_weights(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    shutil.copytree(embedded_path(), folder)
    first = local_server(str(folder), "auto").socket
    assert local_server(str(folder), "auto").socket == first
    assert local_server(f"transformers:{folder}", "auto").socket != first  # asked differently
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # retrained in place
    os.utime(weights, ns=(time.time_ns() + 10**9,) * 2)
    assert local_server(str(folder), "auto").socket != first

    # a folder named relatively is the folder it names, wherever the process runs
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copytree(embedded_path(), tmp_path / "a" / "model")
    shutil.copytree(embedded_path(), tmp_path / "b" / "model")
    (tmp_path / "b" / "model" / SUMS).write_text("")
    in_a = _socket_seen_by(None, "model", cwd=tmp_path / "a")[1]
    in_b = _socket_seen_by(None, "model", cwd=tmp_path / "b")[1]
    assert in_a != in_b


def test_a_hub_model_is_keyed_by_its_cached_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    model = "bigcode/tiny-coder"
    uncached = local_server(model, "auto").socket
    ref = tmp_path / "hub" / "models--bigcode--tiny-coder" / "refs" / "main"
    ref.parent.mkdir(parents=True)
    ref.write_text("a" * 40)
    first = local_server(model, "auto").socket
    ref.write_text("b" * 40)  # the cache was updated to a new snapshot
    second = local_server(model, "auto").socket
    assert len({uncached, first, second}) == 3
    assert local_server(model, "cpu").socket != second


def test_autostart_off_uses_no_server_it_did_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from santamerge.config import load_settings
    from santamerge.model.backends.choose import choose_backend, running_local_server

    backend = connect_local("embedded", "auto", wait=120, idle_timeout=60)
    pid = backend.health()["pid"]
    try:
        # it runs, and with autostart on it is found
        assert running_local_server(load_settings(cwd=str(tmp_path))) is not None
        monkeypatch.setenv("SANTAMERGE_AUTOSTART", "false")
        settings = load_settings(cwd=str(tmp_path))
        assert not settings.autostart
        assert running_local_server(settings) is None
        assert choose_backend(settings, per_file=True).kind == "in process"
        assert choose_backend(settings).kind == "in process"
        monkeypatch.delenv("SANTAMERGE_AUTOSTART")
        subprocess.run(["git", "config", "--global", "santamerge.autostart", "false"], check=True)
        assert running_local_server(load_settings(cwd=str(tmp_path))) is None
    finally:
        assert stop_local("embedded", "auto")
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)

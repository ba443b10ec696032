"""The local model server that santamerge starts by itself, and finds again.

When a per-file process (the merge driver, ``fill``, ``resolve``) needs the model and no
server is configured, it looks for a ``santamerge serve`` of the same model and device on
a per-user Unix socket. If none answers it starts one in the background, with an idle
timeout, and every later process reuses it: the model is loaded once per working session
rather than once per file.

Files, in ``$XDG_RUNTIME_DIR/santamerge`` (else ``~/.cache/santamerge/run``), mode 0700:

- ``serve-<key>.sock``: the socket (mode 0600), ``<key>`` a digest of model, device and
  santamerge's version;
- ``serve-<key>.lock``: an ``flock`` held while one process checks for a server and starts
  one, so two git processes never start two;
- ``serve-<key>.pid``: the process started, so a second process waits for it to finish
  loading rather than start another;
- ``serve-<key>.log``: its output.

Settings: ``autostart`` (on by default, see docs/serving.md for the measurements behind
that) and ``idle_timeout`` (seconds; 600 by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from santamerge.backends import BackendError
from santamerge.backends.http import HttpBackend

_SOCKET_LIMIT = 100  # AF_UNIX paths are limited to 104-108 bytes
_CHILDREN: list[subprocess.Popen[bytes]] = []  # held, so no ResourceWarning while they run


class LocalServer(NamedTuple):
    socket: Path
    lock: Path
    pid: Path
    log: Path

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"


def runtime_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK):
        base = Path(runtime) / "santamerge"
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                  ".cache")
        base = Path(cache) / "santamerge" / "run"
    if len(str(base)) > _SOCKET_LIMIT - 24:
        base = Path(tempfile.gettempdir()) / f"santamerge-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def local_server(model: str, device: str) -> LocalServer:
    from santamerge import __version__

    key = hashlib.sha256(f"{model}\0{device}\0{__version__}".encode()).hexdigest()[:12]
    folder = runtime_dir()
    return LocalServer(*(folder / f"serve-{key}.{ext}" for ext in ("sock", "lock", "pid",
                                                                    "log")))


def connect_local(model: str, device: str, wait: float, idle_timeout: float,
                  timeout: float = 60.0) -> HttpBackend:
    """A backend on the local server for ``model``: found, or started and waited for
    (at most ``wait`` seconds; a :class:`BackendError` after that)."""
    server = local_server(model, device)
    backend = HttpBackend(server.url, name=model, timeout=timeout, connect_timeout=1.0,
                          retries=0)
    if _healthy(backend):
        return backend
    with _locked(server.lock):
        if not _healthy(backend) and not _starting(server):
            _start(server, model, device, idle_timeout)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if _healthy(backend):
            return backend
        if not _starting(server):
            raise BackendError(f"the local model server for '{model}' stopped while "
                               f"starting; see {server.log}")
        time.sleep(0.05)
    raise BackendError(f"the local model server for '{model}' is still loading after "
                       f"{wait:g} s; later processes will use it (log: {server.log})")


def stop_local(model: str, device: str) -> bool:
    """Stop the local server for ``model``, if one runs; True if one was stopped."""
    import signal

    server = local_server(model, device)
    pid = _read_pid(server)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    server.pid.unlink(missing_ok=True)
    return True


def _healthy(backend: HttpBackend) -> bool:
    if backend.socket_path is None or not os.path.exists(backend.socket_path):
        return False
    try:
        return backend.health(timeout=2.0).get("status") == "ok"
    except BackendError:
        return False


def _starting(server: LocalServer) -> bool:
    """Whether the process in the pid file is alive (loading, or serving)."""
    return _read_pid(server) is not None


def _read_pid(server: LocalServer) -> int | None:
    try:
        pid = int(server.pid.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    if _is_zombie(pid):
        return None
    return pid


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _start(server: LocalServer, model: str, device: str, idle_timeout: float) -> None:
    command = [sys.executable, "-m", "santamerge", "serve", "--socket", str(server.socket),
               "--model", model, "--device", device, "--idle-timeout", f"{idle_timeout:g}"]
    env = {k: v for k, v in os.environ.items()
           if k not in ("SANTAMERGE_FAULT", "SANTAMERGE_API_KEY")}
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # an idle server should not spin the CPU
    with open(server.log, "ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   env=env, start_new_session=True, close_fds=True)
    _CHILDREN.append(process)
    tmp = server.pid.with_suffix(".pid.tmp")
    tmp.write_text(str(process.pid))
    os.replace(tmp, server.pid)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

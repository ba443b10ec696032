"""The local model server that santamerge starts by itself, and finds again.

When a per-file process (the merge driver, ``fill``, ``resolve``) needs the model and no
server is configured, it looks for a ``santamerge serve`` of the same model and device on
a per-user Unix socket. If none answers it starts one in the background, with an idle
timeout, and every later process reuses it: the model is loaded once per working session
rather than once per file.

Files, in ``$XDG_RUNTIME_DIR/santamerge`` (else ``~/.cache/santamerge/run``), mode 0700:

- ``serve-<key>.sock``: the socket (mode 0600), ``<key>`` a digest of what makes a
  server's answers differ (:func:`server_key`): the model and its checksum, the device,
  santamerge's version and where this santamerge is installed, so that another
  installation, or the same one with another model, never answers for this one;
- ``serve-<key>.lock``: an ``flock`` held while one process checks for a server and starts
  one, so two git processes never start two;
- ``serve-<key>.pid``: the process started, so a second process waits for it to finish
  loading rather than start another;
- ``serve-<key>.log``: its output.

Settings: ``autostart`` (on by default, see docs/serving.md for the measurements behind
that) and ``idle_timeout`` (seconds; 600 by default). The process that starts one says
so in one line on standard error, with the idle time. With ``autostart`` off, no process
starts a local server, nor uses one that is already running.
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

from santamerge.model.backends.base import BackendError
from santamerge.model.backends.http import HttpBackend

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
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = Path(cache) / "santamerge" / "run"
    if len(str(base)) > _SOCKET_LIMIT - 24:
        base = Path(tempfile.gettempdir()) / f"santamerge-{os.getuid()}"
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    return base


def local_server(model: str, device: str) -> LocalServer:
    key = server_key(model, device)
    folder = runtime_dir()
    return LocalServer(*(folder / f"serve-{key}.{ext}" for ext in ("sock", "lock", "pid", "log")))


def server_key(model: str, device: str) -> str:
    """The digest a local server is found by: the model as asked for, its checksum
    (:func:`model_fingerprint`), the device, santamerge's version and the folder this
    santamerge runs from."""
    import santamerge

    package = os.path.dirname(os.path.realpath(santamerge.__file__))
    parts = (model, model_fingerprint(model), device, santamerge.__version__, package)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:12]


def model_fingerprint(model: str) -> str:
    """What identifies the weights ``model`` names, cheaply (no weights are read): the
    embedded model's and a model folder's ``SHA256SUMS`` and the size and modification
    time of their files; for a hub id, the snapshot the local cache resolves it to (the
    id itself when the cache has none); a server URL, as it is."""
    kind, _, rest = model.partition(":")
    if kind in ("http", "https", "unix"):
        return model
    spec = rest if kind == "transformers" and rest else model
    if spec == "embedded":
        from santamerge.model.backends.embedded import embedded_path

        return "embedded " + _folder_fingerprint(embedded_path())
    if os.path.isdir(spec):
        folder = Path(spec).resolve()
        return f"folder {folder} " + _folder_fingerprint(folder)
    return "hub " + (_hub_snapshot(spec) or spec)


def _folder_fingerprint(folder: Path) -> str:
    from santamerge.model.checksums import SUMS

    digest = hashlib.sha256()
    try:
        digest.update((folder / SUMS).read_bytes())
    except OSError:
        digest.update(b"no checksums")
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        try:
            if entry.is_file():
                info = entry.stat()
                digest.update(
                    f"\0{entry.name}\0{info.st_size}\0{info.st_mtime_ns}".encode(
                        "utf-8", "surrogateescape"
                    )
                )
        except OSError:
            continue
    return digest.hexdigest()


def _hub_snapshot(model_id: str) -> str | None:
    """The commit the local Hugging Face cache resolves ``model_id`` to (its ``main``
    ref), without importing huggingface_hub; None when the cache has no such model."""
    cache = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if not cache:
        home = os.environ.get("HF_HOME") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
            "huggingface",
        )
        cache = os.path.join(home, "hub")
    ref = Path(cache) / f"models--{model_id.replace('/', '--')}" / "refs" / "main"
    try:
        found = ref.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return found or None


def connect_local(
    model: str, device: str, wait: float, idle_timeout: float, timeout: float = 60.0
) -> HttpBackend:
    """A backend on the local server for ``model``: found, or started and waited for
    (at most ``wait`` seconds; a :class:`BackendError` after that)."""
    server = local_server(model, device)
    backend = HttpBackend(server.url, name=model, timeout=timeout, connect_timeout=1.0, retries=0)
    if _healthy(backend):
        return backend
    with _locked(server.lock):
        if not _healthy(backend) and not _starting(server):
            pid = _start(server, model, device, idle_timeout)
            print(
                f"santamerge: started a local model server for '{model}' (pid {pid}, log "
                f"{server.log}); later commands reuse it, and it stops after "
                f"{idle_timeout:g} s idle (santamerge.idle_timeout)",
                file=sys.stderr,
            )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if _healthy(backend):
            return backend
        if not _starting(server):
            raise BackendError(
                f"the local model server for '{model}' stopped while starting; see {server.log}"
            )
        time.sleep(0.05)
    raise BackendError(
        f"the local model server for '{model}' is still loading after "
        f"{wait:g} s; later processes will use it (log: {server.log})"
    )


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


def _start(server: LocalServer, model: str, device: str, idle_timeout: float) -> int:
    """Start ``santamerge serve`` for ``model`` in the background; its pid."""
    command = [
        sys.executable,
        "-m",
        "santamerge",
        "serve",
        "--socket",
        str(server.socket),
        "--model",
        model,
        "--device",
        device,
        "--idle-timeout",
        f"{idle_timeout:g}",
    ]
    env = {
        k: v for k, v in os.environ.items() if k not in ("SANTAMERGE_FAULT", "SANTAMERGE_API_KEY")
    }
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # an idle server should not spin the CPU
    with open(server.log, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    _CHILDREN.append(process)
    tmp = server.pid.with_suffix(".pid.tmp")
    tmp.write_text(str(process.pid))
    os.replace(tmp, server.pid)
    return process.pid


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

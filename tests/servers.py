"""Test helpers for model servers: a free TCP port, and stopping the local auto-started
server (tests and benchmarks use them; santamerge itself does not)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket

from santamerge.model.serve.autostart import _read_pid, local_server


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stop_local(model: str, device: str) -> bool:
    """Stop the local server for ``model``, if one runs; True if one was stopped."""
    server = local_server(model, device)
    pid = _read_pid(server)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    server.pid.unlink(missing_ok=True)
    return True

"""Which backend the settings ask for: a configured server, the local shared server, or
the model in this process.

1. ``server`` is set: the HTTP backend on it (``model`` names the served model,
   ``fim_family`` its template where the server does not say).
2. The caller is a per-file process (the merge driver, ``fill``) and ``autostart`` is
   on: the local ``santamerge serve`` for ``model`` and ``device``, started if none runs
   (:mod:`santamerge.model.serve.autostart`). (``resolve`` uses a local server only if
   one already runs and ``autostart`` is on: it proposes for every file in one process
   anyway; :func:`open_shared_backend`.)
3. Otherwise the model loads in this process. With ``autostart`` off no local server is
   used, even one that runs: only a server the settings name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from santamerge.errors import SantamergeError

if TYPE_CHECKING:
    from santamerge.config import Settings
    from santamerge.model.backends.base import Backend


class BackendChoice(NamedTuple):
    kind: str  # "server", "local server" or "in process"
    where: str  # the URL, or the device asked for
    why: str


def choose_backend(settings: Settings, per_file: bool = False) -> BackendChoice:
    if settings.server:
        return BackendChoice("server", settings.server, "santamerge.server is set")
    if per_file and settings.autostart:
        from santamerge.model.serve.autostart import local_server

        return BackendChoice(
            "local server",
            local_server(settings.model, settings.device).url,
            "a per-file process, and santamerge.autostart is on",
        )
    reason = (
        "santamerge.autostart is off" if per_file else "a one-off command (no server configured)"
    )
    return BackendChoice("in process", settings.device, reason)


def open_backend(settings: Settings, per_file: bool = False, wait: float = 120.0) -> Backend:
    """The backend of :func:`choose_backend`, ready to use. ``wait`` bounds how long a
    per-file process waits for a local server that is still loading."""
    choice = choose_backend(settings, per_file)
    if choice.kind == "server":
        from santamerge.model.backends.http import HttpBackend

        return HttpBackend(
            settings.server,
            model=settings.model,
            fim_family=settings.fim_family or None,
            timeout=settings.server_timeout,
        )
    if choice.kind == "local server":
        from santamerge.model.serve.autostart import connect_local

        return connect_local(
            settings.model,
            settings.device,
            wait,
            settings.idle_timeout,
            timeout=settings.server_timeout,
        )
    from santamerge.model.backends.registry import load_backend

    return load_backend(settings.model, device=settings.device)


def open_shared_backend(settings: Settings, note: Callable[[str], None]) -> Backend | None:
    """One backend for every file of a one-process command (``resolve``): the configured
    server, else the auto-started local server when it already answers, else the model
    loaded in this process; None (with a note) when none can be had."""
    try:
        running = None if settings.server else running_local_server(settings)
        return running if running is not None else open_backend(settings)
    except (SantamergeError, ImportError) as exc:
        message = str(exc) if isinstance(exc, SantamergeError) else (f"{type(exc).__name__}: {exc}")
        note(f"no model ({message}); proposing without it")
        return None


def running_local_server(settings: Settings) -> Backend | None:
    """The auto-started ``santamerge serve`` for the settings' model and device, if it
    already answers; nothing is started. None when ``autostart`` is off: that setting
    also means "use no server this process did not ask for"."""
    from santamerge.model.backends.base import BackendError
    from santamerge.model.backends.http import HttpBackend
    from santamerge.model.serve.autostart import local_server

    if not settings.autostart:
        return None
    server = local_server(settings.model, settings.device)
    if not server.socket.exists():
        return None
    backend = HttpBackend(
        "unix://" + str(server.socket),
        name=settings.model,
        timeout=settings.server_timeout,
        connect_timeout=1.0,
        retries=0,
    )
    try:
        healthy = backend.health(timeout=2.0).get("status") == "ok"
    except BackendError:
        return None
    return backend if healthy else None

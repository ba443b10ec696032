"""Where ``santamerge serve`` listens: a TCP port or a Unix socket, taken with a one-line
error when it cannot be had, and handler threads that finish their answers on close."""

from __future__ import annotations

import errno
import os
import socket
import socketserver
import sys
from http.server import ThreadingHTTPServer
from typing import Any

from santamerge.model.serve.options import ServeError, ServeOptions
from santamerge.model.serve.protocol import Application, Handler, say

# Pending connections the kernel holds while every handler is busy starting: with
# socketserver's default of 5, a burst of 50 clients lost SYNs and waited 1 s or more for
# the kernel's retry (p99 16.6 s, docs/serving.md). The kernel caps it at somaxconn.
LISTEN_BACKLOG = socket.SOMAXCONN


class _Listening(socketserver.BaseServer):
    """What both servers share: a deep listen backlog, answers in flight finished on
    close, and one log line (not a traceback) for a client that left."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = False  # server_close() waits for the answers in flight

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            say(f"a client went away ({type(exc).__name__})")
            return
        super().handle_error(request, client_address)  # a bug: its traceback


class _TcpHTTPServer(_Listening, ThreadingHTTPServer):
    allow_reuse_address = True


class _UnixHTTPServer(_Listening, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    pass


_UNIX_PATH_LIMIT = 107  # bytes in sockaddr_un.sun_path, its final NUL not counted


def reserve(options: ServeOptions) -> tuple[socketserver.BaseServer, str] | None:
    """Before the model loads: take the TCP port, so that a port in use is an error at
    once rather than after the load; for a Unix socket, check that no live server owns
    the path (it is bound after the load: its existence is what tells local clients that
    the server is ready)."""
    if options.socket_path:
        _check_socket(options.socket_path)
        return None
    return listen(options)


def listen(options: ServeOptions) -> tuple[socketserver.BaseServer, str]:
    """The listening server (no service attached yet) and the URL clients use; a
    :class:`ServeError` that says what to do when the address cannot be had."""
    handler = type("BoundHandler", (Handler,), {})
    path = options.socket_path
    if path:
        _check_socket(path)
        if os.path.lexists(path):
            os.unlink(path)  # a stale socket left by a killed server (_check_socket)
        old = os.umask(0o177)
        try:
            unix = _UnixHTTPServer(path, handler)
        except OSError as exc:
            raise ServeError(
                f"cannot listen on the socket {path} "
                f"({exc.strerror or exc}); choose another --socket"
            ) from None
        finally:
            os.umask(old)
        return unix, f"unix://{path}"
    host, port = options.host, options.port
    try:
        tcp = _TcpHTTPServer((host, port), handler)
    except OSError as exc:
        raise ServeError(_bind_error(host, port, exc)) from None
    bound_host, bound_port = tcp.server_address[:2]
    shown = f"[{bound_host!s}]" if ":" in str(bound_host) else str(bound_host)
    return tcp, f"http://{shown}:{bound_port}"


def _bind_error(host: str, port: int, exc: OSError) -> str:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{where} is in use (another santamerge serve?); stop what listens there, "
            "or choose another port with --port (--port 0 takes any free one)"
        )
    if exc.errno == errno.EACCES:
        return (
            f"not allowed to listen on {where} (ports below 1024 need privileges); "
            "choose another port with --port"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {host}: it is not an address of this machine; use "
            "--host 127.0.0.1, or one of this machine's own addresses"
        )
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on '{host}' ({exc.strerror or exc}); check --host"
    return f"cannot listen on {where} ({exc.strerror or exc}); check --host and --port"


def _check_socket(path: str) -> None:
    import stat

    size = len(os.fsencode(path))
    if size > _UNIX_PATH_LIMIT:
        raise ServeError(
            f"the socket path {path} is {size} bytes long, more than a Unix "
            f"socket allows ({_UNIX_PATH_LIMIT}); choose a shorter --socket"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ServeError(
            f"cannot listen on the socket {path}: the folder {folder} does "
            "not exist; create it, or choose another --socket"
        )
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ServeError(
            f"{path} exists and is not a socket; choose another --socket "
            "(santamerge removes only a stale socket there)"
        )
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(path)
    except OSError:
        return  # a stale socket, left by a server that was killed: replaced when bound
    finally:
        probe.close()
    raise ServeError(
        f"another server already listens on {path}; stop it, or choose another --socket"
    )


def attach(server: socketserver.BaseServer, service: Application) -> None:
    """Give the listening server the service its requests are answered by."""
    server.RequestHandlerClass.service = service  # type: ignore[attr-defined]


def make_server(service: Application) -> tuple[socketserver.BaseServer, str]:
    """Bind the listening socket for ``service``; return the server and the URL clients
    use."""
    server, url = listen(service.options)
    attach(server, service)
    return server, url

"""``santamerge serve``: keep one model loaded and answer over HTTP."""

from __future__ import annotations

import os
import sys

import click

from santamerge.commands.options import check_device, device_option, model_option
from santamerge.errors import SantamergeError, report_errors

API_KEY_WARNING = (
    "santamerge: warning: --api-key shows the key to every user of this "
    "machine (`ps`); set SANTAMERGE_API_KEY, or use --api-key-file PATH"
)


@click.command(short_help="Keep a model loaded and answer completions over HTTP.")
@model_option
@device_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the model: set an API key.",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port (0: any free one).",
)
@click.option(
    "--socket",
    "socket_path",
    default=None,
    metavar="PATH",
    help="Listen on this Unix socket (mode 0600) instead of TCP.",
)
@click.option(
    "--api-key-file",
    default=None,
    metavar="PATH",
    help="Require 'Authorization: Bearer KEY' on every request but /health, KEY "
    "being this file's first line (keep it mode 0600).",
)
@click.option(
    "--api-key",
    envvar="SANTAMERGE_API_KEY",
    default=None,
    show_envvar=True,
    metavar="KEY",
    help="The same, KEY given here. Prefer the environment variable or "
    "--api-key-file: a key on the command line shows in `ps`.",
)
@click.option(
    "--idle-timeout",
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    help="Exit after this many seconds without a request (0: never).",
)
@click.option("--max-request-bytes", default=1 << 20, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--max-new-tokens",
    "max_tokens",
    default=512,
    show_default=True,
    type=click.IntRange(min=1),
    help="The most tokens a request may ask to generate (its max_tokens).",
)
@click.option(
    "--max-tokens",
    "old_max_tokens",
    default=None,
    type=click.IntRange(min=1),
    hidden=True,
    help="The old name of --max-new-tokens.",
)
@click.option(
    "--batch",
    is_flag=True,
    help="Batch requests that arrive together: more throughput under concurrent "
    "clients, but answers no longer repeat the in-process model's bit for bit.",
)
@click.option(
    "--ready-file",
    default=None,
    metavar="PATH",
    hidden=True,
    help="Write {url, pid, model} as JSON here once listening.",
)
@click.option(
    "--head-timeout",
    default=20.0,
    hidden=True,
    metavar="SECONDS",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has for its request line and headers (tests).",
)
@report_errors
def serve(
    model_name: str | None,
    device: str | None,
    host: str,
    port: int,
    socket_path: str | None,
    api_key_file: str | None,
    api_key: str | None,
    idle_timeout: float,
    max_request_bytes: int,
    max_tokens: int,
    old_max_tokens: int | None,
    batch: bool,
    ready_file: str | None,
    head_timeout: float,
) -> None:
    """Serve the model in effect (the embedded one unless --model says otherwise).

    \b
    Endpoints:
      POST /v1/completions        OpenAI-style: prompt, n, max_tokens, temperature,
                                  top_p, stop, logprobs (and suffix: santamerge renders
                                  the model's FIM template)
      POST /santamerge/v1/score   {"prompt": P, "middles": [...]} -> log-likelihoods
      POST /santamerge/v1/tokenize  {"texts": [...]} -> the model's token ids
      GET  /v1/models             the model, with its FIM template
      GET  /health                liveness (no API key needed)

    \b
    Point santamerge at it from other machines or processes with
      git config santamerge.server http://127.0.0.1:8765
    Each request is answered exactly as the model in a santamerge process would answer
    it; --batch trades that for throughput. SIGTERM stops the server cleanly.
    """
    from santamerge.config import load_settings
    from santamerge.model.serve import server

    key = _api_key(click.get_current_context(), api_key, api_key_file)
    if key is None and socket_path is None and not _loopback(host):
        print(
            f"santamerge: warning: --host {host} lets other machines use the model with "
            "no API key; set SANTAMERGE_API_KEY or --api-key-file PATH, or listen on "
            "127.0.0.1",
            file=sys.stderr,
            flush=True,
        )
    options = server.ServeOptions(
        host=host,
        port=port,
        socket_path=socket_path,
        api_key=key,
        idle_timeout=idle_timeout,
        max_request_bytes=max_request_bytes,
        max_tokens=old_max_tokens or max_tokens,
        ready_file=ready_file,
        batch=batch,
        head_timeout=head_timeout,
    )
    settings = load_settings(model=model_name, device=device)
    check_device(settings.device)
    # The address first: a port in use is an error now, not after the model's load.
    listening = server.reserve(options)
    try:
        from santamerge.model.backends.registry import load_backend

        backend = load_backend(settings.model, device=settings.device)
        server.serve(backend, options, listening)
    finally:
        if listening is not None:
            listening[0].server_close()


def _loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only: ``localhost`` or a loopback
    address. Any other name may resolve to an address other machines reach."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _api_key(ctx: click.Context, given: str | None, path: str | None) -> str | None:
    """The API key: from --api-key-file, else --api-key or SANTAMERGE_API_KEY; a warning
    when it came on the command line, where `ps` shows it."""
    from click.core import ParameterSource

    on_command_line = ctx.get_parameter_source("api_key") == ParameterSource.COMMANDLINE
    if path is not None:
        if on_command_line:
            raise SantamergeError("give the API key once: --api-key-file or --api-key, not both")
        return _read_key_file(path)
    if given is not None and on_command_line:
        print(API_KEY_WARNING, file=sys.stderr, flush=True)
    return given or None


def _read_key_file(path: str) -> str:
    import stat

    try:
        with open(path, encoding="utf-8") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            first = fh.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise SantamergeError(
            f"cannot read the API key file {path} ({reason}); check --api-key-file"
        ) from None
    if not first:
        raise SantamergeError(f"the API key file {path} is empty; put the key on its first line")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"santamerge: warning: other users can read the API key file {path}; chmod 600 {path}",
            file=sys.stderr,
            flush=True,
        )
    return first

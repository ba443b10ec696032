"""``santamerge serve``: keep one model loaded and answer over HTTP."""

from __future__ import annotations

import click

from santamerge.commands.options import device_option, model_option
from santamerge.errors import report_errors


@click.command(short_help="Keep a model loaded and answer completions over HTTP.")
@model_option
@device_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the model: set an "
                   "API key.")
@click.option("--port", default=8765, show_default=True, help="TCP port (0: any free one).")
@click.option("--socket", "socket_path", default=None, metavar="PATH",
              help="Listen on this Unix socket (mode 0600) instead of TCP.")
@click.option("--api-key", envvar="SANTAMERGE_API_KEY", default=None, show_envvar=True,
              help="Require 'Authorization: Bearer KEY' on every request but /health.")
@click.option("--idle-timeout", default=0.0, show_default=True, metavar="SECONDS",
              help="Exit after this many seconds without a request (0: never).")
@click.option("--max-request-bytes", default=1 << 20, show_default=True)
@click.option("--max-tokens", "max_tokens", default=512, show_default=True,
              help="The largest max_tokens a request may ask for.")
@click.option("--ready-file", default=None, metavar="PATH", hidden=True,
              help="Write {url, pid, model} as JSON here once listening.")
@report_errors
def serve(model_name: str | None, device: str | None, host: str, port: int,
          socket_path: str | None, api_key: str | None, idle_timeout: float,
          max_request_bytes: int, max_tokens: int, ready_file: str | None) -> None:
    """Serve the model in effect (the embedded one unless --model says otherwise).

    \b
    Endpoints:
      POST /v1/completions        OpenAI-style: prompt, n, max_tokens, temperature,
                                  top_p, stop, logprobs (and suffix: santamerge renders
                                  the model's FIM template)
      POST /santamerge/v1/score   {"prompt": P, "middles": [...]} -> log-likelihoods
      GET  /v1/models             the model, with its FIM template
      GET  /health                liveness (no API key needed)

    \b
    Point santamerge at it from other machines or processes with
      git config santamerge.server http://127.0.0.1:8765
    Requests that arrive while the model is busy are batched together. SIGTERM stops
    the server cleanly.
    """
    from santamerge.backends import load_backend
    from santamerge.config import load_settings
    from santamerge.serve import ServeOptions
    from santamerge.serve import serve as run_server

    settings = load_settings(model=model_name, device=device)
    backend = load_backend(settings.model, device=settings.device)
    options = ServeOptions(host=host, port=port, socket_path=socket_path, api_key=api_key,
                           idle_timeout=idle_timeout, max_request_bytes=max_request_bytes,
                           max_tokens=max_tokens, ready_file=ready_file)
    run_server(backend, options)

"""``santamerge complete``: the plain fill-in-the-middle front door."""

from __future__ import annotations

import json
from typing import TextIO

import click

from santamerge.commands.options import device_option, json_option, model_option, server_option
from santamerge.errors import SantamergeError, report_errors

SCHEMA = 1


@click.command(short_help="Print the middle between a prefix and a suffix.")
@click.option("--prefix-file", type=click.File("r", encoding="utf-8"), required=True,
              help="The code before the gap ('-' reads standard input).")
@click.option("--suffix-file", type=click.File("r", encoding="utf-8"), required=True,
              help="The code after the gap ('-' reads standard input).")
@click.option("-n", "samples", default=1, show_default=True,
              help="How many middles to sample; more than 1 samples at --temperature.")
@click.option("--max-new-tokens", default=64, show_default=True)
@click.option("--temperature", default=None, type=float,
              help="0 is greedy; the default is 0 for one middle and 0.8 for several.")
@click.option("--top-p", default=0.95, show_default=True)
@model_option
@device_option
@server_option
@json_option
@report_errors
def complete(prefix_file: TextIO, suffix_file: TextIO,
             samples: int, max_new_tokens: int, temperature: float | None, top_p: float,
             model_name: str | None, device: str | None, server: str | None,
             as_json: bool) -> None:
    """Propose the middle between a prefix and a suffix, with the model in effect.

    \b
    Example:
      santamerge complete --prefix-file before.py --suffix-file after.py
      santamerge complete --prefix-file - --suffix-file after.py --json -n 4 < before.py
    """
    from santamerge.backends.select import open_backend
    from santamerge.config import load_settings
    from santamerge.generate import Gap, fill_gaps

    if prefix_file.name == "-" and suffix_file.name == "-":
        raise SantamergeError("only one of --prefix-file and --suffix-file can read stdin")
    settings = load_settings(model=model_name, device=device, server=server)
    backend = open_backend(settings)
    temp = temperature if temperature is not None else (0.8 if samples > 1 else 0.0)
    gap = Gap(prefix_file.read(), suffix_file.read())
    (found,) = fill_gaps(backend, [gap], n=samples, max_new_tokens=max_new_tokens,
                         temperature=temp, top_p=top_p)
    ranked = sorted(found, key=lambda c: -c.logprob / max(1, len(c.token_logprobs)))
    if not as_json:
        click.echo(ranked[0].text, nl=False)
        return
    click.echo(json.dumps({
        "schema": SCHEMA, "model": backend.name, "family": backend.template.family,
        "candidates": [{"text": c.text, "logprob": round(c.logprob, 4),
                        "mean_logprob": round(c.logprob / max(1, len(c.token_logprobs)), 4),
                        "tokens": len(c.token_logprobs), "finish": c.finish}
                       for c in ranked],
    }, indent=2))

"""``santamerge complete``: the plain fill-in-the-middle front door."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

import click

from santamerge.commands.options import check_device, json_option, model_options
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend
    from santamerge.model.generate import Gap

SCHEMA = 1


@click.command(short_help="Print the middle between a prefix and a suffix.")
@click.option(
    "--prefix-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="The code before the gap ('-' reads standard input).",
)
@click.option(
    "--suffix-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="The code after the gap ('-' reads standard input).",
)
@click.option(
    "-n",
    "samples",
    default=1,
    show_default=True,
    help="How many middles to sample; more than 1 samples at --temperature.",
)
@click.option("--max-new-tokens", default=64, show_default=True)
@click.option(
    "--temperature",
    default=None,
    type=float,
    help="0 is greedy; the default is 0 for one middle and 0.8 for several.",
)
@click.option("--top-p", default=0.95, show_default=True)
@model_options
@json_option
@report_errors
def complete(
    prefix_file: TextIO,
    suffix_file: TextIO,
    samples: int,
    max_new_tokens: int,
    temperature: float | None,
    top_p: float,
    model_name: str | None,
    device: str | None,
    server: str | None,
    as_json: bool,
) -> None:
    """Propose the middle between a prefix and a suffix, with the model in effect.

    \b
    Example:
      santamerge complete --prefix-file before.py --suffix-file after.py
      santamerge complete --prefix-file - --suffix-file after.py --json -n 4 < before.py
    """
    from santamerge.config import load_settings
    from santamerge.model.backends.choose import open_backend
    from santamerge.model.generate import Gap, fill_gaps

    if prefix_file.name == "-" and suffix_file.name == "-":
        raise SantamergeError("only one of --prefix-file and --suffix-file can read stdin")
    if samples < 1:
        raise SantamergeError(f"-n {samples}: give at least 1 middle to sample")
    if max_new_tokens < 1:
        raise SantamergeError(f"--max-new-tokens {max_new_tokens}: give at least 1 token")
    if temperature is not None and not temperature >= 0:
        raise SantamergeError(f"--temperature {temperature:g}: give 0 (greedy) or more")
    if not 0 < top_p <= 1:
        raise SantamergeError(f"--top-p {top_p:g}: give a probability above 0, at most 1")
    gap = Gap(_read_text(prefix_file, "--prefix-file"), _read_text(suffix_file, "--suffix-file"))
    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    backend = open_backend(settings)
    gap = _fit(backend, gap, max_new_tokens)
    temp = temperature if temperature is not None else (0.8 if samples > 1 else 0.0)
    (found,) = fill_gaps(
        backend, [gap], n=samples, max_new_tokens=max_new_tokens, temperature=temp, top_p=top_p
    )
    ranked = sorted(found, key=lambda c: -c.logprob / max(1, len(c.token_logprobs)))
    if not as_json:
        click.echo(ranked[0].text, nl=False)
        return
    click.echo(
        json.dumps(
            {
                "schema": SCHEMA,
                "model": backend.name,
                "family": backend.template.family,
                "candidates": [
                    {
                        "text": c.text,
                        "logprob": round(c.logprob, 4),
                        "mean_logprob": round(c.logprob / max(1, len(c.token_logprobs)), 4),
                        "tokens": len(c.token_logprobs),
                        "finish": c.finish,
                    }
                    for c in ranked
                ],
            },
            indent=2,
        )
    )


SENTINELS = 8  # tokens the FIM template adds around the prefix and suffix, at most


def _fit(backend: Backend, gap: Gap, max_new_tokens: int) -> Gap:
    """The gap with as many whole lines around it as the model's context holds, nearest
    the gap first, as merges and fill do (santamerge.model.budget); a note when lines
    were left out."""
    from santamerge.model.budget import context_window, fit_around_gap, token_counter
    from santamerge.model.generate import Gap

    count = token_counter(backend)
    budget = context_window(backend) - max_new_tokens - SENTINELS
    if budget <= 0:
        raise SantamergeError(
            f"--max-new-tokens {max_new_tokens} leaves no room for the "
            f"code around the gap in the model's context of "
            f"{context_window(backend)} tokens; ask for fewer"
        )
    used = count(gap.prefix) + count(gap.suffix)
    if used <= budget:
        return gap
    prefix, suffix = fit_around_gap(gap.prefix, gap.suffix, count, budget)
    click.echo(
        f"santamerge: the code around the gap has {used} tokens and the model's "
        f"context {context_window(backend)}: kept the {prefix.count(chr(10))} lines "
        f"before it and {suffix.count(chr(10))} after it nearest the gap",
        err=True,
    )
    return Gap(prefix, suffix)


def _read_text(source: TextIO, option: str) -> str:
    """The text of an option's file; a clear error for a binary or non-UTF-8 one."""
    name = "standard input" if source.name in ("-", "<stdin>") else source.name
    try:
        text = source.read()
    except UnicodeDecodeError:
        raise SantamergeError(
            f"{option} {name} is not UTF-8 text (a binary file?); give a source file"
        ) from None
    if "\0" in text:
        raise SantamergeError(
            f"{option} {name} holds NUL bytes, so it is binary, not source code; give a source file"
        )
    return text

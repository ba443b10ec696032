"""``santamerge model``: what model is in effect, and (train, eval) the embedded one."""

from __future__ import annotations

import json

import click

from santamerge.commands.options import device_option, json_option, model_option
from santamerge.errors import report_errors


@click.group(short_help="Inspect, train and evaluate the code model.")
def model() -> None:
    """The code model santamerge proposes middles with.

    By default it is the embedded model that ships inside santamerge. Point santamerge at
    another with --model, SANTAMERGE_MODEL, `git config santamerge.model` or
    `model = "..."` under [tool.santamerge]: a hub id (bigcode/gpt_bigcode-santacoder), a
    local folder, or `embedded`.
    """


@model.command(short_help="Show which model is in effect, and why.")
@model_option
@device_option
@json_option
@report_errors
def info(model_name: str | None, device: str | None, as_json: bool) -> None:
    """Load the model in effect and describe it: family, parameters, device, FIM tokens."""
    from santamerge.backends import load_backend
    from santamerge.config import load_settings, setting_origin

    settings = load_settings(model=model_name, device=device)
    backend = load_backend(settings.model, device=settings.device)
    facts = {**backend.describe(), "chosen_by": setting_origin("model", flag=model_name)}
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    for key, value in facts.items():
        click.echo(f"{key:>15}: {value}")

"""``santamerge model``: what model is in effect, and (train, eval) the embedded one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from santamerge.commands.model_corpus import corpus
from santamerge.commands.model_train import train
from santamerge.commands.options import (
    check_device,
    device_option,
    json_option,
    model_option,
    model_options,
)
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.config import Settings

# What the embedded model is good for, measured (docs/model-card.md, `model eval`).
EMBEDDED_GOOD_FOR = (
    "exercising the model path offline, not proposals: on held-out Python it fills no "
    "line and no function body exactly (edit similarity 0.145 to 0.151 on lines, below "
    "the previous line's 0.242; 0.181 to 0.198 on bodies). santamerge never writes its "
    "middles unasked: resolve and the merge driver do not ask it unless told to (--model "
    "embedded, driver_model), and fill --write refuses it without evidence. For useful "
    "middles use a real checkpoint (--model bigcode/gpt_bigcode-santacoder) or a server "
    "(docs/serving.md)."
)


@click.group(short_help="Inspect, train and evaluate the code model.")
def model() -> None:
    """The code model santamerge proposes middles with.

    By default it is the embedded model that ships inside santamerge. Point santamerge at
    another with --model, SANTAMERGE_MODEL, `git config santamerge.model` or
    `model = "..."` under [tool.santamerge]: a hub id (bigcode/gpt_bigcode-santacoder), a
    local folder, or `embedded`.
    """


@model.command(short_help="Show which model is in effect, and why.")
@model_options
@json_option
@report_errors
def info(model_name: str | None, device: str | None, server: str | None, as_json: bool) -> None:
    """Load the model in effect and describe it: family, parameters, device, FIM tokens,
    and which backend serves it (a server, the shared local server, or this process),
    for one-off commands and for per-file processes (the merge driver, fill, resolve),
    with the place each setting came from."""
    from santamerge.config import load_settings, setting_origin
    from santamerge.model.backends.choose import choose_backend, open_backend
    from santamerge.stubs.evidence import describe_evidence, fill_evidence

    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    backend = open_backend(settings)
    here, per_file = choose_backend(settings), choose_backend(settings, per_file=True)
    facts = {
        **backend.describe(),
        "chosen_by": setting_origin("model", flag=model_name),
        "backend": f"{here.kind} ({here.why})",
        "per_file_backend": f"{per_file.kind}: {per_file.where} ({per_file.why})",
        "local_server": _local_server_note(settings),
        "fill_evidence": describe_evidence(fill_evidence(settings.model)),
        "settings_from": {
            name: setting_origin(name, flag=flag)
            for name, flag in (
                ("model", model_name),
                ("device", device),
                ("server", server),
                ("autostart", None),
                ("idle_timeout", None),
                ("fim_family", None),
            )
        },
    }
    if settings.model == "embedded" and not settings.server:
        facts["good_for"] = EMBEDDED_GOOD_FOR
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    for key, value in facts.items():
        click.echo(f"{key:>15}: {value}")


def _local_server_note(settings: Settings) -> str:
    """What a server santamerge starts by itself does, and when it stops."""
    from santamerge.config import setting_origin

    if not settings.autostart:
        return "none is started (autostart is off)"
    return (
        f"started by the first per-file process that needs the model (the merge "
        f"driver with driver_model, fill); it stops after {settings.idle_timeout:g} s "
        f"idle (idle_timeout, from {setting_origin('idle_timeout')})"
    )


@model.command("eval", short_help="Measure the model on held-out code, beside baselines.")
@model_option
@device_option
@click.option("--lines", default=200, show_default=True, help="Single lines to fill.")
@click.option(
    "--bodies",
    default=50,
    show_default=True,
    help="Short Python function bodies (2 to 8 lines) to fill.",
)
@click.option(
    "--files",
    "paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Evaluate on these Python files instead of the embedded model's held-out "
    "files (repeatable).",
)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--fim-order",
    type=click.Choice(["psm", "spm"]),
    default=None,
    help="Prompt order (default: the model's own; SPM only for families trained on it).",
)
@json_option
@report_errors
def evaluate_command(
    model_name: str | None,
    device: str | None,
    lines: int,
    bodies: int,
    paths: tuple[str, ...],
    seed: int,
    fim_order: str | None,
    as_json: bool,
) -> None:
    """Fill held-out lines and function bodies with the model, greedily, and compare with
    the truth: exact match and edit similarity, next to the trivial baselines (the empty
    string, the previous line, and the prefix line most like the truth)."""
    import random

    from rich.progress import Progress

    from santamerge.bench.infill import body_tasks, evaluate, line_tasks
    from santamerge.config import load_settings
    from santamerge.model.backends.registry import load_backend

    settings = load_settings(model=model_name, device=device)
    check_device(settings.device)
    backend = load_backend(settings.model, device=settings.device, fim_order=fim_order)
    files = _eval_files(paths)
    rng = random.Random(seed)
    per_file_lines = max(1, -(-lines // len(files)))
    per_file_bodies = max(1, -(-bodies // len(files)))
    tasks = [t for path, text in files for t in line_tasks(path, text, rng, per_file_lines)]
    tasks = rng.sample(tasks, min(lines, len(tasks)))
    found = [t for path, text in files for t in body_tasks(path, text, rng, per_file_bodies)]
    tasks += rng.sample(found, min(bodies, len(found)))
    budget = backend.context_length or 1024
    with Progress(transient=True, disable=as_json) as bar:
        job = bar.add_task("filling", total=len(tasks))
        rows = evaluate(backend, tasks, budget, progress=lambda k: bar.advance(job, k))
    report = {
        "model": backend.name,
        "files": len(files),
        "seed": seed,
        "fim_order": backend.template.order,
        "rows": [r._asdict() for r in rows],
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    for r in rows:
        ms = f"{r.ms_per_sample:.0f} ms/sample" if r.ms_per_sample is not None else ""
        click.echo(
            f"{r.kind:>5} {r.method:<26} n={r.samples:<4} exact {r.exact:6.1%}  "
            f"similarity {r.similarity:.3f}  {ms}"
        )


@model.command(short_help="Record a `bench stubs` report as the model's evidence for fill.")
@click.argument("report", type=click.Path(exists=True, dir_okay=False))
@model_option
@report_errors
def evidence(report: str, model_name: str | None) -> None:
    """Record what `santamerge bench stubs --json REPORT` measured for the model in
    `santamerge.json` of the model's folder (the key `fill_evidence`), so that `fill`
    knows whether this model's bodies are worth writing.

    `fill` writes bodies without being asked (no --write) only for a model whose
    recorded measurement refilled at least 20 stubs with at least 10 % exact matches;
    any other model's bodies are proposed as a diff. The report must be of this model.
    A hub id or a server has no local folder: use a folder (`--model ./folder`), or
    `fill --write`.

    \b
    Example:
      santamerge bench stubs --repo ~/src/flask --limit 50 --model ./my-model --json r.json
      santamerge model evidence r.json --model ./my-model
    """
    from santamerge.config import load_settings
    from santamerge.stubs.evidence import describe_evidence, record_evidence

    path, recorded = record_evidence(report, load_settings(model=model_name).model)
    click.echo(f"{path}: {describe_evidence(recorded)}")


def _eval_files(paths: tuple[str, ...]) -> list[tuple[str, str]]:
    from pathlib import Path

    if paths:
        return [(p, Path(p).read_text(encoding="utf-8")) for p in paths]
    from importlib import resources

    from santamerge.training.corpus import read_text, stdlib_root

    listed = json.loads(
        (resources.files("santamerge") / "data" / "eval-files.json").read_text(encoding="utf-8")
    )["files"]
    found = [(rel, read_text(stdlib_root() / rel)) for rel in listed]
    python = [(rel, text) for rel, text in found if text is not None]
    if not python:
        raise SantamergeError(
            "no held-out Python files were found for this interpreter; pass some with --files"
        )
    return python


model.add_command(train)
model.add_command(corpus)


@model.command(short_help="Write the embedded model (or a local GPT-BigCode folder) as GGUF.")
@click.option(
    "--gguf",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The GGUF file to write.",
)
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A local GPT-BigCode checkpoint folder (default: the embedded model).",
)
@json_option
@report_errors
def export(out: Path, source: Path | None, as_json: bool) -> None:
    """Write a GPT-BigCode checkpoint as a GGUF file, so that llama.cpp's server (or
    Ollama) can serve it; then point santamerge at that server with
    `--server URL` and `fim_family = "santacoder"` (docs/serving.md).

    \b
    Example:
      santamerge model export --gguf embedded.gguf
      python -m llama_cpp.server --model embedded.gguf --logits_all true --port 8080
      santamerge complete --server http://127.0.0.1:8080 --prefix-file a.py --suffix-file b.py
    """
    from santamerge.model.backends.embedded import embedded_path
    from santamerge.model.gguf_export import export_gguf

    facts = export_gguf(source or embedded_path(), out)
    if as_json:
        click.echo(json.dumps(facts, indent=2))
    else:
        click.echo(
            f"wrote {out}: {facts['architecture']}, context {facts['context']}, "
            f"{facts['vocabulary']} tokens, {facts['bytes'] / 1e6:.1f} MB"
        )

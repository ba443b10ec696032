"""``santamerge model train``: train the embedded model and export it into the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from santamerge.errors import report_errors


def _default_work_dir() -> Path:
    from santamerge.config import cache_folder

    return cache_folder("train")


@click.command(short_help="Train the embedded model and export it.")
@click.option(
    "--config",
    "recipe",
    type=click.Choice(["tiny", "tiny-1k", "small", "micro"]),
    default="tiny",
    show_default=True,
    help="tiny: ~4 M parameters, for a CPU; tiny-1k: tiny with a 1,024-token "
    "context (with --init-from embedded); small: ~30 M, context 1024, for a "
    "GPU; micro: a few seconds, to try a command end to end.",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where to train.",
)
@click.option(
    "--precision",
    type=click.Choice(["auto", "fp32", "bf16"]),
    default="auto",
    show_default=True,
    help="bf16 autocast (auto: on CUDA, and on CPUs with AVX512-BF16 or AMX).",
)
@click.option(
    "--minutes",
    type=float,
    default=None,
    help="Wall-clock budget for training, counting the time of resumed runs.",
)
@click.option("--steps", type=int, default=None, help="Stop after this many optimizer steps.")
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Tokenizer, checkpoint and log go here (default ~/.cache/santamerge/train).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Export folder (default: santamerge/models/embedded in the package).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue from the checkpoint in --work-dir (start afresh if none).",
)
@click.option("--threads", type=int, default=None, help="CPU threads for torch.")
@click.option(
    "--npm-cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Add the pinned MIT-licensed npm packages to the corpus, fetched with "
    "`npm pack` into this folder.",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Train on the shards `santamerge model corpus` built in this folder "
    "(checked against its manifest) instead of the local corpus.",
)
@click.option(
    "--init-from",
    "init_from",
    default=None,
    metavar="FOLDER",
    help="Start from this checkpoint's weights and tokenizer (`embedded`: the "
    "shipped model); a longer context keeps its learned positions.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@report_errors
def train(
    recipe: str,
    device: str,
    precision: str,
    minutes: float | None,
    steps: int | None,
    work_dir: Path | None,
    out: Path | None,
    resume: bool,
    threads: int | None,
    npm_cache: Path | None,
    corpus: Path | None,
    init_from: str | None,
    seed: int,
) -> None:
    """Train the embedded GPT-BigCode model on the local corpus, then export it.

    The corpus is this interpreter's standard library (PSF licence), plus, with
    --npm-cache, a few MIT-licensed npm packages; or, with --corpus, the shards of
    permissively licensed PyPI and npm packages that `santamerge model corpus` packs
    (docs/model-card.md has the one-command GPU run). A checkpoint is written every five
    minutes; after an interruption run the same command with --resume. The export holds
    model.safetensors, config.json, the tokenizer, corpus.json, training.json and
    SHA256SUMS.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from santamerge.model.backends.base import require_model_stack
    from santamerge.training import train as training

    require_model_stack("santamerge model train", ("torch", "transformers", "tokenizers"))
    options = training.TrainOptions(
        recipe=recipe,
        device=device,
        precision=precision,
        minutes=minutes,
        steps=steps,
        work_dir=work_dir or _default_work_dir(),
        out=out,
        resume=resume,
        threads=threads,
        seed=seed,
        npm_cache=npm_cache,
        corpus=corpus,
        init_from=_init_from(init_from),
    )
    if corpus is not None and npm_cache is not None:
        from santamerge.errors import SantamergeError

        raise SantamergeError(
            "give --corpus or --npm-cache, not both (the shards hold their npm packages)"
        )
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("preparing", total=1.0)

        def on_event(event: dict[str, Any]) -> None:
            line = _describe(event)
            if line:
                progress.console.print(line, highlight=False, soft_wrap=True)
            if event["event"] == "train":
                done = [event["step"] / steps] if steps else []
                if minutes:
                    done.append(event["elapsed"] / (minutes * 60))
                progress.update(
                    task,
                    completed=min(max(done, default=0.0), 1.0),
                    description=f"step {event['step']} loss {event['loss']:.3f}",
                )

        result = training.train(options, on_event)
    click.echo(str(result.out))


def _init_from(name: str | None) -> Path | None:
    if name is None:
        return None
    if name == "embedded":
        from santamerge.model.backends.embedded import embedded_path

        return embedded_path()
    path = Path(name)
    if not (path / "config.json").is_file():
        from santamerge.errors import SantamergeError

        raise SantamergeError(
            f"--init-from {name}: no config.json there; give a checkpoint folder or `embedded`"
        )
    return path


def _describe(event: dict[str, Any]) -> str:
    kind = event["event"]
    if kind == "train":
        return (
            f"step {event['step']:>6}  tokens {event['tokens']:>11,}  "
            f"loss {event['loss']:.4f}  lr {event['lr']:.2e}  "
            f"{event['tokens_per_s']:>7,.0f} tok/s  {event['elapsed'] / 60:6.1f} min"
        )
    if kind == "eval":
        return (
            f"held-out loss {event['heldout_loss']:.4f} nats/token, "
            f"{event['heldout_bpb']:.4f} bits/byte at step {event['step']}"
        )
    if kind == "start":
        how = "resumed at step" if event["resumed"] else "from step"
        return (
            f"training {event['recipe']['name']}: {event['parameters']:,} parameters on "
            f"{event['device']} ({event['precision']}, {event['threads']} threads), "
            f"{how} {event['step']}"
        )
    if kind == "tokenizer":
        return f"training the tokenizer ({event['vocab_size']} tokens) on {event['files']} files"
    if kind == "checkpoint":
        return f"checkpoint at step {event['step']}"
    if kind == "export":
        return f"exported {event['bytes'] / 1e6:.1f} MB to {event['path']}"
    return ""


if __name__ == "__main__":  # python -m santamerge.commands.model_train (before it is wired)
    train()

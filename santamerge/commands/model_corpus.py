"""``santamerge model corpus``: build the training corpus that travels (shards)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from santamerge.commands.options import json_option
from santamerge.errors import report_errors


@click.command(short_help="Build the training corpus as compressed shards with a manifest.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The folder for the shards and manifest.json (keep it out of git).",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the downloaded archives are kept (default ~/.cache/santamerge/corpus-archives).",
)
@click.option(
    "--budget",
    "budget_mib",
    type=float,
    default=None,
    metavar="MIB",
    help="Leave out the packages that would take the shards past this size "
    "(default 40 MiB: with the tracked tree they must travel to a GPU "
    "machine in 64 MiB).",
)
@json_option
@report_errors
def corpus(out: Path, cache: Path | None, budget_mib: float | None, as_json: bool) -> None:
    """Fetch the pinned, permissively licensed PyPI and npm packages santamerge trains
    on, read their licence from their own metadata, keep their hand-written source
    files, and pack them into xz shards with manifest.json (sources, versions, licences
    and their evidence, archive and shard sha256s). The same command builds the same
    shards on any machine that reaches the package registries.

    `santamerge model train --corpus OUT` trains on them; docs/model-card.md has the
    list, the sizes, and the one-command GPU run.
    """
    from santamerge.config import cache_folder
    from santamerge.training import shards

    def on_package(package: shards.Package, row: dict[str, Any]) -> None:
        if not as_json:
            click.echo(
                f"{package.registry} {package.name} {package.version}: "
                f"{row['licence']}, {row['files']} files, {row['bytes'] / 1e6:.1f} MB",
                err=True,
            )

    built = shards.build(
        out,
        cache or cache_folder("corpus-archives"),
        budget_mib=budget_mib or shards.BUDGET_MIB,
        on_package=on_package,
    )
    totals = built.manifest["totals"]
    if as_json:
        click.echo(json.dumps(built.manifest, indent=2))
        return
    click.echo(
        f"{out}: {len(built.manifest['shards'])} shard(s), "
        f"{totals['compressed_bytes'] / 2**20:.1f} MiB compressed, "
        f"{totals['bytes'] / 1e6:.0f} MB of source in {totals['files']} files from "
        f"{len(built.manifest['sources'])} packages"
    )

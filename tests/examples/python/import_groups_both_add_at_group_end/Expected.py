import os
import sys
import tempfile
import time

import click
import yaml

from .config import Settings


@click.command()
@click.argument("path")
def main(path: str) -> None:
    settings = Settings.from_dict(yaml.safe_load(open(path)))
    settings.scratch = tempfile.mkdtemp(prefix="build-")
    if not os.path.isdir(settings.output):
        sys.exit(f"missing output folder {settings.output}")
    started = time.monotonic()
    settings.run()
    click.echo(f"done in {time.monotonic() - started:.1f}s")

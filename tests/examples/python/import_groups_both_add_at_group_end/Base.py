import os
import sys

import click
import yaml

from .config import Settings


@click.command()
@click.argument("path")
def main(path: str) -> None:
    settings = Settings.from_dict(yaml.safe_load(open(path)))
    if not os.path.isdir(settings.output):
        sys.exit(f"missing output folder {settings.output}")

"""``santamerge merge-driver``: what git runs for each file routed to santamerge."""

from __future__ import annotations

import sys

import click

from santamerge.commands.options import timeout_option
from santamerge.merge.workspace.driver import DriverArgs, run_merge_driver


@click.command("merge-driver", short_help="Merge one file for git (%O %A %B %L %P).")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("marker_size", type=int, default=7, required=False)
@click.argument("path", default="", required=False)
@click.option("-s", "base_label", metavar="LABEL", help="The base's label (git's %S).")
@click.option("-x", "ours_label", metavar="LABEL", help="Our label (git's %X).")
@click.option("-y", "theirs_label", metavar="LABEL", help="Their label (git's %Y).")
@timeout_option
def merge_driver(**kwargs: object) -> None:
    """Merge one file for git: BASE OURS THEIRS [MARKER_SIZE] [PATH] (%O %A %B %L %P).

    The result goes to OURS. Exit 0 means no conflict remains; 1 means some hunks kept
    their diff3 markers. Any failure, timeout, binary, non-UTF-8 or over-large input
    gives exactly git's own `git merge-file --diff3` result. SANTAMERGE_DISABLE=1 turns
    santamerge off. `santamerge install` configures git to call this.
    """
    sys.exit(run_merge_driver(DriverArgs(**kwargs)))  # type: ignore[arg-type]

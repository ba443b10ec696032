"""The ``santamerge`` executable.

git runs the merge driver once per merged file, so its start-up is part of its speed.
The common driver call (``merge-driver %O %A %B %L %P`` with optional labels) is parsed
here by hand and runs without importing click (~40 ms on a 2-core machine). Anything
else, ``--help`` included, goes to the click command line.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["merge-driver"]:
        from santamerge.driver import parse_driver_args, run_merge_driver

        parsed = parse_driver_args(args[1:])
        if parsed is not None:
            sys.exit(run_merge_driver(parsed))
    from santamerge.cli import cli

    cli.main(args=args, prog_name="santamerge")

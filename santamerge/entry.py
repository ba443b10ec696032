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
        try:
            from santamerge.merge.workspace.driver import parse_driver_args, run_merge_driver

            parsed = parse_driver_args(args[1:])
            status = None if parsed is None else run_merge_driver(parsed)
        except KeyboardInterrupt:  # Ctrl-C while starting: %A untouched, nothing printed
            sys.exit(130)
        if status is not None:
            sys.exit(status)
    from santamerge.cli import cli

    cli.main(args=args, prog_name="santamerge")

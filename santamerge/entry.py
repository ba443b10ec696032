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

    try:
        cli.main(args=args, prog_name="santamerge")
    except SystemExit:
        # click met the closed pipe itself (and wrapped stdout in its PacifyFlushWrapper),
        # or what was left in the buffer meets it now
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper") or not _flushed():
            sys.exit(_closed_pipe())
        raise
    except BrokenPipeError:  # outside every command's own guard (click's help, usage)
        sys.exit(_closed_pipe())


def _flushed() -> bool:
    """Flush standard output; False when its reader has gone (``| head -1``)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return False
    except (OSError, ValueError, AttributeError):
        pass
    return True


def _closed_pipe() -> int:
    """End quietly when the reader of our output has gone, as git does."""
    from santamerge.errors import EXIT_CLOSED_PIPE, quiet_closed_pipe

    quiet_closed_pipe()
    return EXIT_CLOSED_PIPE

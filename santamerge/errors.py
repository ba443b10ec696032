"""santamerge's one family of errors, and the boundary that shows them to a person.

Every error a user can cause is a :class:`SantamergeError` whose text says what was
tried and what to do next. :func:`report_errors` turns it into one ``santamerge: …``
line on stderr and a named exit code; unexpected errors are logged to a file with the
versions, and the user is told where.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

EXIT_OK = 0
EXIT_CONFLICTS = 1  # also: "a fixer changed files"
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for git log | head -1 too


class SantamergeError(Exception):
    """An error a person can act on. Its text is shown as one line."""

    exit_code = EXIT_USAGE


class MarkerError(SantamergeError):
    """Conflict-marker text that does not parse."""

    def __init__(self, line: int, what: str) -> None:
        self.line = line
        super().__init__(f"malformed conflict markers at line {line}: {what}")


class GitError(SantamergeError):
    """A git command failed."""


class ConfigError(SantamergeError):
    """A setting has a value santamerge cannot use."""


class NoFimTemplateError(SantamergeError):
    """A tokenizer whose vocabulary has no fill-in-the-middle tokens of a known family."""

    def __init__(self, families: tuple[str, ...]) -> None:
        self.families = families
        super().__init__(
            "the model's tokenizer has no fill-in-the-middle tokens of a family santamerge "
            f"knows ({', '.join(families)}); use a model trained for FIM, whose vocabulary "
            "has them"
        )


F = TypeVar("F", bound=Callable[..., object])


def report_errors(func: F) -> F:
    """Decorate a command: user errors become one line, bugs go to a log file."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return func(*args, **kwargs)
        except SantamergeError as exc:
            print(f"santamerge: {exc}", file=sys.stderr)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            print("santamerge: interrupted", file=sys.stderr)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (`| head -1`): end quietly
            quiet_closed_pipe()
            sys.exit(EXIT_CLOSED_PIPE)
        except Exception as exc:
            log = log_internal_error(exc)
            print(
                f"santamerge: internal error ({type(exc).__name__}: {exc}); "
                f"details are in {log}. Please report it.",
                file=sys.stderr,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def quiet_closed_pipe() -> None:
    """Point standard output at /dev/null once its reader is gone, so that no later
    write or Python's last flush reports the closed pipe again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def log_internal_error(exc: BaseException) -> str:
    """Append a traceback with versions to the user's log file; return its path."""
    import os
    import platform
    import traceback
    from pathlib import Path

    from santamerge import __version__

    home = os.path.expanduser("~")
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state")
    path = Path(base) / "santamerge" / "error.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                f"--- santamerge {__version__}, Python {platform.python_version()}, "
                f"{platform.platform()}\n"
            )
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    except OSError:
        return "(the log could not be written)"
    return str(path)

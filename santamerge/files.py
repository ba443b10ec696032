"""Writing a person's files: whole or not at all, and no temporary file left in sight.

Every writer (the merge driver, ``resolve``, ``preview``, ``fill``) replaces a file by
writing a temporary copy and renaming it over the file, so that no reader, and no kill,
ever sees a partial file. The temporary copy lives in the repository's git directory,
``.git/santamerge/tmp/``, named after the writing process: ``git status`` never shows
it, and when a process is killed before it can remove its copy (``kill -9``), the next
write removes copies whose process is gone. Where the git directory is on another file
system than the file (a rename cannot cross it), or there is no git directory, the copy
is written next to the file as ``.<name>.santamerge-<pid>``, as before; so is it when the
git directory's ``santamerge/tmp`` cannot be used at all (a regular file in its place).
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

TMP_DIR = ("santamerge", "tmp")
STALE_AFTER = 3600.0  # seconds: a copy this old is stale even if its pid was reused


class WriteAbandoned(Exception):
    """``still_wanted`` said no at the last moment: nothing was written."""


def write_atomically(
    path: str,
    data: bytes,
    git_dir: str | None = None,
    still_wanted: Callable[[], bool] | None = None,
) -> None:
    """Replace ``path`` with ``data``, keeping its permission bits; ``git_dir`` is found
    from the file's folder when not given. ``still_wanted`` is asked right before the
    rename: a rename re-creates a file that was removed meanwhile (the merge driver's
    ``%A``, once git gave up on it), so a writer that must not do that says no there
    and gets WriteAbandoned."""
    from santamerge.git import find_git_dir

    target = os.path.abspath(path)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o644
    folder = git_dir or find_git_dir(os.path.dirname(target))
    if folder is not None:
        scratch = os.path.join(folder, *TMP_DIR)
        try:
            os.makedirs(scratch, exist_ok=True)
            remove_stale(scratch)
            tmp = os.path.join(scratch, f"{os.getpid()}.{os.path.basename(target)}")
            _replace(tmp, target, data, mode, still_wanted)
            return
        except OSError:
            pass  # another file system, no permission, a file in the folder's place: below
    local = os.path.join(
        os.path.dirname(target), f".{os.path.basename(target)}.santamerge-{os.getpid()}"
    )
    _replace(local, target, data, mode, still_wanted)


def _replace(
    tmp: str, target: str, data: bytes, mode: int, still_wanted: Callable[[], bool] | None
) -> None:
    hang = _hang_here()
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        if hang:
            time.sleep(3600)
        if still_wanted is not None and not still_wanted():
            raise WriteAbandoned(target)
        os.replace(tmp, target)
    except BaseException:  # a signal's exception too: never leave the copy behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_hung: list[bool] = []


def _hang_here() -> bool:
    """A testing hook for kill trials: SANTAMERGE_FAULT=hang-write hangs the process's
    first write after its temporary copy is written. Later writes go through, even when
    a signal stopped the first one before it reached its hang (the driver's write of
    git's own result then must not hang in its place)."""
    if os.environ.get("SANTAMERGE_FAULT") == "hang-write" and not _hung:
        _hung.append(True)
        return True
    return False


def remove_stale(scratch: str) -> int:
    """Remove the temporary copies in ``scratch`` whose writing process is gone, or which
    are older than an hour; return how many were removed."""
    removed = 0
    try:
        names = os.listdir(scratch)
    except OSError:
        return 0
    now = time.time()
    for name in names:
        pid_text, _, _ = name.partition(".")
        full = os.path.join(scratch, name)
        try:
            pid = int(pid_text)
            old = now - os.stat(full).st_mtime > STALE_AFTER
        except (ValueError, OSError):
            continue
        if pid == os.getpid() and not old:
            continue
        if old or not _alive(pid):
            with contextlib.suppress(OSError):
                os.unlink(full)
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (another user's counts: it may not be signalled)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True

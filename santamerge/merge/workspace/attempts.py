"""Store each merge-driver attempt under the git directory, for later review.

``<git-dir>/santamerge/attempts/<time>-<pid>-<file>/`` holds the three inputs, git's
baseline, the result written to ``%A``, and ``attempt.json`` with the ranked candidates.
Old attempts are pruned. Storing never affects the merge: a failure here is ignored.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from santamerge.merge.record import ProposalRecord


def store_attempt(
    git_dir: str,
    path: str,
    files: dict[str, bytes],
    record: ProposalRecord,
    keep: int,
    head: str | None = None,
    model: dict[str, Any] | None = None,
) -> str | None:
    """Write one attempt (santamerge.merge.record.AttemptRecord: ``head``, HEAD's commit,
    and ``model``, the model's facts and middles, are stored with ``record``); return its
    folder, or None when it could not be written."""
    from santamerge.merge.record import AttemptRecord

    root = os.path.join(git_dir, "santamerge", "attempts")
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1e6) % 10**6:06d}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", path)[-60:] or "file"
    folder = os.path.join(root, f"{stamp}-{os.getpid()}-{slug}")
    try:
        os.makedirs(folder, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(data)
        body = AttemptRecord(stamp, record, head, model).to_json()
        with open(os.path.join(folder, "attempt.json"), "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=1)
        prune_attempts(root, keep)
    except OSError:
        return None
    return folder


def prune_attempts(root: str, keep: int) -> None:
    """Keep the newest ``keep`` attempts."""
    entries = sorted(e.path for e in os.scandir(root) if e.is_dir())
    for old in entries[: max(0, len(entries) - keep)]:
        _remove_attempt(old)


def _remove_attempt(folder: str) -> None:
    """An attempt folder holds plain files only (shutil costs ~2 ms to import)."""
    try:
        for entry in os.scandir(folder):
            os.unlink(entry.path)
        os.rmdir(folder)
    except OSError:
        pass


def list_attempts(git_dir: str | os.PathLike[str]) -> list[Path]:
    from pathlib import Path

    root = Path(git_dir) / "santamerge" / "attempts"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

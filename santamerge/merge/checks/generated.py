"""Lock files are generated: no merge of one is written unasked.

A package manager writes its lock file from the manifest and the registry: the resolved
version of every dependency, with hashes, where each entry depends on the others. A
merge of two lock files, however well-formed, holds a resolution that no package manager
made (one side's version of a dependency beside the other side's version of what it
requires); people regenerate the file (``npm install``, ``cargo update -w``, ``poetry
lock``) once the manifest is merged. On the development set both of the default's writes
in ``package-lock.json`` were wrong (docs/merge-errors.md, "versions").

So a merged region (a method that merges, not a side taken as it is) of a file named
below stays a conflict, with the command that remakes it in the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from santamerge.merge.checks import MERGING
from santamerge.merge.types import Candidate

# file name -> the command that makes it again
LOCK_FILES = {
    "package-lock.json": "npm install",
    "npm-shrinkwrap.json": "npm install",
    "pnpm-lock.yaml": "pnpm install",
    "yarn.lock": "yarn install",
    "bun.lock": "bun install",
    "composer.lock": "composer update --lock",
    "Cargo.lock": "cargo update --workspace",
    "poetry.lock": "poetry lock",
    "uv.lock": "uv lock",
    "pdm.lock": "pdm lock",
    "Pipfile.lock": "pipenv lock",
    "Gemfile.lock": "bundle install",
}


def lock_file_reason(path: str) -> str | None:
    """Why no merge of the file at ``path`` is written unasked, or None."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    command = LOCK_FILES.get(name)
    if command is None:
        return None
    return (
        f"{name} is generated: merge the manifest, then make it again (`{command}`) "
        "rather than merge two resolutions"
    )


def lock_file_conflicts(path: str, chosen: Iterable[Candidate]) -> list[tuple[int, str]]:
    """(hunk, reason) for each merged choice in a lock file."""
    why = lock_file_reason(path)
    if why is None:
        return []
    return [(c.hunk, why) for c in chosen if c.method.startswith(MERGING)]

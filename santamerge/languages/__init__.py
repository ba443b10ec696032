"""Languages: profiles (which files, which grammar) and their tree-sitter queries.

The queries' source is the top-level ``grammars/`` folder of the repository. The wheel
ships it as ``santamerge/languages/queries/``; a source checkout (an editable install)
reads ``grammars/`` itself. No symlink: :func:`queries_folder` looks in both places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def queries_folder() -> Path:
    """The folder that holds ``<queries>/<name>.scm`` for every profile. (pathlib is
    imported here, not above: the merge driver's start-up does not pay for it.)"""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    shipped = here / "queries"
    return shipped if shipped.is_dir() else here.parent.parent / "grammars"

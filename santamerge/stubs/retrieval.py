"""Related code for a function body: what the model sees of the repository besides the
body's own file.

Two sources, most useful first, fitted to a token budget:

1. **Definitions the file uses.** The names the file imports (``imports.scm``'s
   ``@name``) and calls (an identifier before ``(``), defined in *other* files of the
   repository (``definitions.scm``): the helpers the body is likely to call.
2. **Similar functions**, in the manner of RepoCoder: every function of the repository
   is a chunk; chunks are ranked by the Jaccard similarity of their identifier sets with
   the stub's signature, docstring and surrounding lines.

Each piece becomes a :class:`~santamerge.model.fim.ContextFile` ``(path, text)`` that the
model family's template lays out as other files of the repository. The repository is
read once per process (``git ls-files``; files over 300 KB and generated folders are
skipped).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from santamerge.model.fim import ContextFile

MAX_FILE_BYTES = 300_000
MAX_FILES = 3000
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
SKIPPED_PARTS = {"node_modules", "vendor", "third_party", "dist", "build", ".venv", "venv"}


class Chunk(NamedTuple):
    path: str  # relative to the repository
    name: str
    text: str
    tokens: frozenset[str]


def identifiers(text: str) -> frozenset[str]:
    return frozenset(IDENTIFIER.findall(text))


@lru_cache(maxsize=4)
def repository_chunks(root: str) -> tuple[Chunk, ...]:
    """Every function and class definition of the repository's tracked source files."""
    from santamerge.git import tracked_files
    from santamerge.languages.profiles import code_language_for_path

    paths = tracked_files(root)
    chunks: list[Chunk] = []
    for rel in paths[:MAX_FILES]:
        if SKIPPED_PARTS & set(Path(rel).parts) or code_language_for_path(rel) is None:
            continue
        path = Path(root) / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        chunks.extend(file_chunks(rel, text))
    return tuple(chunks)


def file_chunks(path: str, text: str) -> list[Chunk]:
    from santamerge.languages.profiles import language_for_path
    from santamerge.treesitter import matches, node_text, parse, query

    profile = language_for_path(path)
    q = query(profile, "definitions") if profile else None
    if profile is None or q is None:
        return []
    tree = parse(profile, text)
    out = []
    for match in matches(q, tree.root_node):
        names, nodes = match.get("name", []), match.get("definition", [])
        if not names or not nodes:
            continue
        body = node_text(nodes[0])
        if len(body) > 4000:
            body = body[:4000]
        out.append(Chunk(path, node_text(names[0]), body, identifiers(body)))
    return out


def used_names(path: str, text: str) -> set[str]:
    """Names ``text`` imports or calls."""
    from santamerge.languages.profiles import language_for_path
    from santamerge.treesitter import captures, node_text, parse, query

    names = set(CALL.findall(text))
    profile = language_for_path(path)
    q = query(profile, "imports") if profile else None
    if profile is not None and q is not None:
        found = captures(q, parse(profile, text).root_node)
        names |= {node_text(n) for n in found.get("name", [])}
    return names


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def retrieve_related(
    root: str | None,
    path: str,
    text: str,
    focus: str,
    exclude: str,
    count: Callable[[str], int],
    budget: int,
    similar: int = 4,
) -> tuple[ContextFile, ...]:
    """Related code for a body in ``path`` (whose text is ``text``), most useful first,
    within ``budget`` tokens: definitions the file uses from other files, then the
    functions most like ``focus`` (the stub's signature, docstring and surroundings).
    ``exclude`` is the stub's own name."""
    if root is None or budget <= 0:
        return ()
    chunks = [c for c in repository_chunks(root) if c.path != path]
    used = used_names(path, text) - {exclude}
    picked: list[Chunk] = [c for c in chunks if c.name in used]
    wanted = identifiers(focus)
    ranked = sorted(
        (c for c in chunks if c not in picked and c.name != exclude),
        key=lambda c: -jaccard(wanted, c.tokens),
    )
    picked.extend(ranked[:similar])
    out: list[ContextFile] = []
    for chunk in picked:
        cost = count(chunk.path) + count(chunk.text) + 4
        if cost > budget:
            continue
        out.append(
            ContextFile(chunk.path, chunk.text + ("" if chunk.text.endswith("\n") else "\n"))
        )
        budget -= cost
    return tuple(out)


def repo_root_of(path: str) -> str | None:
    from santamerge.git import root_of

    return root_of(str(Path(path).resolve()))

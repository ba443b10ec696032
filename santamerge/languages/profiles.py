"""Language profiles: which files santamerge understands, and how.

Adding a language is a row in ``PROFILES``, query files in ``grammars/<queries>/`` and a
fixture in ``tests/fixtures/languages/``; no new code.
"""

from __future__ import annotations

import os
from typing import NamedTuple


class LanguageProfile(NamedTuple):
    name: str
    extensions: tuple[str, ...]
    grammar: str  # the Python module of the tree-sitter grammar
    entry: str  # the function in that module that returns the language pointer
    queries: str  # the folder under grammars/ holding this language's .scm files


PROFILES: tuple[LanguageProfile, ...] = (
    LanguageProfile("python", (".py", ".pyw"), "tree_sitter_python", "language", "python"),
    LanguageProfile("java", (".java",), "tree_sitter_java", "language", "java"),
    LanguageProfile(
        "javascript", (".js", ".mjs", ".cjs", ".jsx"), "tree_sitter_javascript", "language",
        "javascript",
    ),
    LanguageProfile(
        "typescript", (".ts", ".mts", ".cts"), "tree_sitter_typescript", "language_typescript",
        "typescript",
    ),
    LanguageProfile("tsx", (".tsx",), "tree_sitter_typescript", "language_tsx", "typescript"),
    LanguageProfile("go", (".go",), "tree_sitter_go", "language", "go"),
    LanguageProfile("rust", (".rs",), "tree_sitter_rust", "language", "rust"),
)

_BY_EXTENSION = {ext: p for p in PROFILES for ext in p.extensions}
_BY_NAME = {p.name: p for p in PROFILES}


def language_for_path(path: str) -> LanguageProfile | None:
    """The profile for a file name, or None when santamerge has no grammar for it."""
    return _BY_EXTENSION.get(os.path.splitext(path)[1].lower())


def language_named(name: str) -> LanguageProfile | None:
    return _BY_NAME.get(name)


def gitattributes_patterns() -> list[str]:
    """One ``*.ext`` pattern per supported extension, in table order."""
    return [f"*{ext}" for p in PROFILES for ext in p.extensions]

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
    kind: str = "code"  # "code", or "config": keys only (no imports, stubs or compiler)


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
    LanguageProfile("json", (".json",), "tree_sitter_json", "language", "json", "config"),
    LanguageProfile("yaml", (".yaml", ".yml"), "tree_sitter_yaml", "language", "yaml", "config"),
    LanguageProfile("toml", (".toml",), "tree_sitter_toml", "language", "toml", "config"),
)

_BY_EXTENSION = {ext: p for p in PROFILES for ext in p.extensions}
_BY_NAME = {p.name: p for p in PROFILES}


def language_for_path(path: str) -> LanguageProfile | None:
    """The profile for a file name, or None when santamerge has no grammar for it."""
    return _BY_EXTENSION.get(os.path.splitext(path)[1].lower())


def code_language_for_path(path: str) -> LanguageProfile | None:
    """The profile of a code file (not JSON, YAML or TOML), or None: what ``fill`` and
    the stub benchmark work on."""
    found = language_for_path(path)
    return found if found is not None and found.kind == "code" else None


def language_named(name: str) -> LanguageProfile | None:
    return _BY_NAME.get(name)


def gitattributes_patterns() -> list[str]:
    """One ``*.ext`` pattern per supported extension, in table order."""
    return [f"*{ext}" for p in PROFILES for ext in p.extensions]

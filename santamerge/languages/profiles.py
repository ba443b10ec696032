"""Language profiles: which files santamerge understands, and how.

Adding a language is a row in ``PROFILES``, query files in ``grammars/<queries>/`` and a
fixture in ``tests/fixtures/languages/``; no new code.
"""

from __future__ import annotations

import os
from typing import Literal, NamedTuple

# "code", or "config": keys only (no imports, stubs or compiler): JSON, YAML, TOML
ProfileKind = Literal["code", "config"]


class LanguageProfile(NamedTuple):
    name: str
    extensions: tuple[str, ...]
    grammar: str  # the Python module of the tree-sitter grammar
    entry: str  # the function in that module that returns the language pointer
    queries: str  # the folder under grammars/ holding this language's .scm files
    kind: ProfileKind = "code"
    # The grammar's node types, where santamerge's code needs them by name
    # (santamerge.syntax reads them):
    comments: frozenset[str] = frozenset({"comment"})  # every comment node type
    functions: frozenset[str] = frozenset()  # functions and methods, anonymous ones too
    scopes: frozenset[str] = frozenset()  # definitions whose names qualify a stub's name


_JS_COMMENTS = frozenset({"comment", "html_comment"})
_JS_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
_TS_SCOPES = frozenset(
    {
        "class_declaration",
        "class",
        "abstract_class_declaration",
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
    }
)

PROFILES: tuple[LanguageProfile, ...] = (
    LanguageProfile(
        "python",
        (".py", ".pyw"),
        "tree_sitter_python",
        "language",
        "python",
        functions=frozenset({"function_definition"}),
        scopes=frozenset({"class_definition", "function_definition"}),
    ),
    LanguageProfile(
        "java",
        (".java",),
        "tree_sitter_java",
        "language",
        "java",
        comments=frozenset({"line_comment", "block_comment"}),
        functions=frozenset({"method_declaration", "constructor_declaration"}),
        scopes=frozenset(
            {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}
        ),
    ),
    LanguageProfile(
        "javascript",
        (".js", ".mjs", ".cjs", ".jsx"),
        "tree_sitter_javascript",
        "language",
        "javascript",
        comments=_JS_COMMENTS,
        functions=_JS_FUNCTIONS,
        scopes=frozenset(
            {
                "class_declaration",
                "class",
                "function_declaration",
                "generator_function_declaration",
                "method_definition",
            }
        ),
    ),
    LanguageProfile(
        "typescript",
        (".ts", ".mts", ".cts"),
        "tree_sitter_typescript",
        "language_typescript",
        "typescript",
        comments=_JS_COMMENTS,
        functions=_JS_FUNCTIONS,
        scopes=_TS_SCOPES,
    ),
    LanguageProfile(
        "tsx",
        (".tsx",),
        "tree_sitter_typescript",
        "language_tsx",
        "typescript",
        comments=_JS_COMMENTS,
        functions=_JS_FUNCTIONS,
        scopes=_TS_SCOPES,
    ),
    LanguageProfile(
        "go",
        (".go",),
        "tree_sitter_go",
        "language",
        "go",
        functions=frozenset({"function_declaration", "method_declaration", "func_literal"}),
    ),
    LanguageProfile(
        "rust",
        (".rs",),
        "tree_sitter_rust",
        "language",
        "rust",
        comments=frozenset(
            {
                "line_comment",
                "block_comment",
                "doc_comment",
                "inner_doc_comment_marker",
                "outer_doc_comment_marker",
            }
        ),
        functions=frozenset({"function_item"}),
        scopes=frozenset({"function_item", "trait_item"}),
    ),
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

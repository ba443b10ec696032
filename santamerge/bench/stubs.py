"""``santamerge bench stubs``: blank real functions into stubs, refill them, compare.

Functions are taken from the repository's tracked source files, skipping test files (a
path part or file name with "test") and bodies of fewer than two lines. Each body is
blanked into the language's plainest stub — ``pass`` after the docstring in Python, an
empty ``{}`` elsewhere — and refilled by the stub path of ``santamerge fill``
(:func:`santamerge.stubs.fill.fill_stub`), with related code from the repository but
never from the function's own file. The refilled body is compared with the original:
exact match after whitespace normalisation, edit similarity
(``Levenshtein.normalized_similarity``), the share of stubs that got a body that parses
(every other body was rejected), and the time per stub.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.merge.structured.words import normalise

if TYPE_CHECKING:
    from tree_sitter import Node

    from santamerge.languages.profiles import LanguageProfile
    from santamerge.model.backends.base import Backend


class Blanked(NamedTuple):
    path: str
    name: str
    text: str  # the file with the body blanked
    original: str  # the body that was there (the stub region's original text)
    line: int


def _function_nodes(profile: LanguageProfile, text: str) -> Iterator[tuple[str, Node]]:
    from santamerge.treesitter import matches, node_text, parse, query

    q = query(profile, "definitions")
    if q is None:
        return
    for match in matches(q, parse(profile, text).root_node):
        for node in match.get("definition", []):
            inner = (
                node
                if node.type in profile.functions
                else next((c for c in node.named_children if c.type in profile.functions), None)
            )
            if inner is not None and match.get("name"):
                yield node_text(match["name"][0]), inner


def blank_functions(path: str, text: str) -> list[Blanked]:
    """Every non-trivial function of ``text``, each blanked on its own."""
    from santamerge.languages.profiles import language_for_path

    profile = language_for_path(path)
    if profile is None:
        return []
    data = text.encode("utf-8")
    out = []
    for name, node in _function_nodes(profile, text):
        body = node.child_by_field_name("body")
        if body is None:
            continue
        region = _region(profile, data, body)
        if region is None:
            continue
        start, end, replacement = region
        original = data[start:end].decode("utf-8")
        if len([line for line in original.splitlines() if line.strip()]) < 2:
            continue
        blank = data[:start].decode("utf-8") + replacement + data[end:].decode("utf-8")
        out.append(Blanked(path, name, blank, original, node.start_point[0] + 1))
    return out


def _region(profile: LanguageProfile, data: bytes, body: Node) -> tuple[int, int, str] | None:
    if profile.name == "python":
        statements = list(body.named_children)
        if (
            statements
            and statements[0].type == "expression_statement"
            and statements[0].named_children
            and statements[0].named_children[0].type == "string"
        ):
            statements = statements[1:]
        if not statements:
            return None
        start = data.rfind(b"\n", 0, statements[0].start_byte) + 1
        end = data.find(b"\n", statements[-1].end_byte)
        end = len(data) if end < 0 else end + 1
        indent = data[start : statements[0].start_byte].decode("utf-8")
        return start, end, f"{indent}pass\n"
    if body.children and body.children[0].type == "{" and body.children[-1].type == "}":
        return body.children[0].end_byte, body.children[-1].start_byte, ""
    return None


def candidate_files(root: str) -> list[str]:
    from santamerge.git import tracked_files
    from santamerge.languages.profiles import code_language_for_path

    out = []
    for rel in tracked_files(root):
        parts = Path(rel).parts
        if not rel or code_language_for_path(rel) is None or rel.endswith(".pyi"):
            continue
        if any("test" in p.lower() for p in parts) or "node_modules" in parts:
            continue
        out.append(rel)
    return out


class Refilled(NamedTuple):
    """One blanked function, refilled: how its body compares with the original."""

    path: str
    name: str
    language: str
    parsed: bool  # some sampled body passed the checks
    exact: bool  # and it equals the original, whitespace normalised
    similarity: float  # edit similarity of the body (or "") to the original
    seconds: float


def bench_stubs(
    backend: Backend,
    root: str,
    limit: int,
    samples: int = 4,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Blank up to ``limit`` random functions of the repository at ``root``, refill each
    with ``samples`` sampled bodies, and report (the ``bench stubs --json`` format)."""
    blanks = _blanks(root)
    random.Random(seed).shuffle(blanks)
    rows: list[Refilled] = []
    for b in blanks:
        if len(rows) >= limit:
            break
        row = _refill(backend, root, b, samples)
        if row is None:
            continue
        rows.append(row)
        if progress:
            progress(1)
    return _report(root, len(blanks), rows)


def _blanks(root: str) -> list[Blanked]:
    blanks: list[Blanked] = []
    for rel in candidate_files(root):
        try:
            text = (Path(root) / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if len(text) <= 200_000:
            blanks.extend(blank_functions(rel, text))
    return blanks


def _refill(backend: Backend, root: str, b: Blanked, samples: int) -> Refilled | None:
    """Refill the blanked function ``b`` by the stub path of ``fill``; None when the
    blanked body is not found as a stub."""
    from rapidfuzz.distance import Levenshtein

    from santamerge.languages.profiles import language_for_path
    from santamerge.stubs.detect import find_stubs
    from santamerge.stubs.fill import fill_stub

    profile = language_for_path(b.path)
    stub = next(
        (
            s
            for s in find_stubs(b.path, b.text)
            if s.name.rsplit(".", 1)[-1] == b.name and s.line == b.line
        ),
        None,
    )
    if profile is None or stub is None:
        return None
    started = time.perf_counter()
    filled = fill_stub(backend, profile, b.path, b.text, root, stub, samples, 192)
    seconds = time.perf_counter() - started
    body = filled.chosen.text if filled.chosen else ""
    exact = filled.chosen is not None and normalise(body) == normalise(b.original)
    return Refilled(
        b.path,
        b.name,
        profile.name,
        filled.chosen is not None,
        exact,
        Levenshtein.normalized_similarity(body, b.original),
        seconds,
    )


def _report(root: str, found: int, rows: list[Refilled]) -> dict[str, Any]:
    n = len(rows)
    times = sorted(r.seconds for r in rows)
    return {
        "schema": 1,
        "repo": root,
        "stubs": n,
        "functions_found": found,
        "exact": sum(r.exact for r in rows) / n if n else None,
        "similarity": statistics.fmean(r.similarity for r in rows) if n else None,
        "parsed": sum(r.parsed for r in rows) / n if n else None,
        "seconds_per_stub": {
            "p50": statistics.median(times) if times else None,
            "p95": times[min(n - 1, round(0.95 * (n - 1)))] if times else None,
        },
        "rows": [r._asdict() for r in rows],
    }

"""File heads are anchored (issue 24, item 4).

A file's head is what must stay on top: a shebang, an encoding line, the leading comment
block (a licence header, a test runner's pragma comment such as ``// @vitest-environment
jsdom``), a Python module docstring, and the pragmas that must precede code:
``from __future__ import``, ``"use strict"`` and other directives, Go's and Java's
``package``, Rust's inner attributes ``#![...]``. A written merge may not place a line
that is not part of a side's head above a head line that a side had: then a choice put
code (an import, most often) above the pragma, and the file means something else, or
nothing (a ``from __future__`` import must be first).

The heads are read from the sides' texts, line by line, once per file (no parse); each
check reads the written file's first lines only: up to the first line that is no head
line, then the lines of the choice that holds it, where a displaced head line would be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.types import BOTH_SIDES, ParsedMerge

# Comment syntax per language (the profile's ``name``): line comment prefixes, and
# whether /* */ blocks exist.
_LINE_COMMENTS = {
    "python": ("#",),
    "toml": ("#",),
    "yaml": ("#",),
    "javascript": ("//",),
    "typescript": ("//",),
    "tsx": ("//",),
    "java": ("//",),
    "kotlin": ("//",),
    "go": ("//",),
    "rust": ("//",),
    "c": ("//",),
    "cpp": ("//",),
    "c_sharp": ("//",),
}
_BLOCK_COMMENTS = frozenset(
    {"javascript", "typescript", "tsx", "java", "kotlin", "go", "rust", "c", "cpp", "c_sharp"}
)
# Lines that must precede code, per language: pragmas.
_PRAGMAS = {
    "python": re.compile(r"from\s+__future__\s+import\b"),
    "javascript": re.compile(r"""(['"])use [a-z ]+\1;?\s*$"""),
    "typescript": re.compile(r"""(['"])use [a-z ]+\1;?\s*$"""),
    "tsx": re.compile(r"""(['"])use [a-z ]+\1;?\s*$"""),
    "java": re.compile(r"package\s+[\w.]+\s*;"),
    "kotlin": re.compile(r"package\s+[\w.]+"),
    "go": re.compile(r"package\s+\w+"),
    "rust": re.compile(r"#!\["),
}
_DOCSTRING = re.compile(r"""[rRuUbB]{0,2}("{3}|'{3})""")


class Baseline(Protocol):
    @property
    def parsed(self) -> ParsedMerge: ...
    @property
    def profile(self) -> LanguageProfile | None: ...
    @property
    def memo(self) -> dict[str, Any] | None: ...
    @property
    def sides(self) -> tuple[str, str] | None: ...


def head_length(language: str, lines: list[str]) -> int:
    """How many of ``lines`` (a file's, without line ends) form its head; trailing blank
    lines are not part of it."""
    comments = _LINE_COMMENTS.get(language, ())
    pragma = _PRAGMAS.get(language)
    block = language in _BLOCK_COMMENTS
    end = 0  # one past the head's last non-blank line
    closing: str | None = None  # inside a /* */ block or a docstring: what ends it
    for n, line in enumerate(lines):
        text = line.strip()
        if closing is not None:
            end = n + 1
            if closing in text:
                closing = None
            continue
        if not text:
            continue
        shebang = n == 0 and text.startswith("#!") and not text.startswith("#![")
        if shebang or (comments and text.startswith(comments)):
            end = n + 1
        elif block and text.startswith("/*"):
            end = n + 1
            if "*/" not in text[2:]:
                closing = "*/"
        elif pragma is not None and pragma.match(text):
            end = n + 1
            if language == "python" and "(" in text and ")" not in text:
                closing = ")"
        elif (
            language == "python"
            and end == _leading_comments(lines, n)
            and (m := _DOCSTRING.match(text))
        ):
            end = n + 1
            quote = m.group(1)
            if quote not in text[m.end() :]:
                closing = quote
        else:
            break
    return end


def _leading_comments(lines: list[str], n: int) -> int:
    """``n`` when every line before it is a comment or blank (a docstring comes first)."""
    return n if all(not ln.strip() or ln.lstrip().startswith("#") for ln in lines[:n]) else -1


class _Heads:
    """The sides' head lines, and how often each appears in a side's body."""

    def __init__(self, language: str, texts: Iterable[str]) -> None:
        self.lines: set[str] = set()
        self.size = 0
        bodies: list[list[str]] = []
        for text in texts:
            lines = text.splitlines()
            n = head_length(language, lines)
            self.lines |= {ln.strip() for ln in lines[:n] if ln.strip()}
            self.size = max(self.size, n)
            bodies.append([ln.strip() for ln in lines[n:]])
        self.in_body = {line: max(body.count(line) for body in bodies) for line in self.lines}


def _heads(baseline: Baseline) -> _Heads | None:
    assert baseline.profile is not None and baseline.memo is not None
    if "heads" not in baseline.memo:
        texts = (
            baseline.sides
            if baseline.sides is not None
            else tuple(baseline.parsed.side(side) for side in BOTH_SIDES)
        )
        heads = _Heads(baseline.profile.name, texts)
        baseline.memo["heads"] = heads if heads.lines else None
    found: _Heads | None = baseline.memo["heads"]
    return found


def displaced_heads(
    baseline: Baseline, data: bytes, regions: Iterable[tuple[int, int, int]]
) -> list[tuple[int, str]]:
    """(hunk, reason) where the file ``data`` (the choices spliced in at ``regions``:
    hunk, start byte, end byte) has a line that no side's head holds above a head line
    of a side."""
    if baseline.profile is None or baseline.memo is None:
        return []
    spans = [r for r in regions if r[1] < r[2]]
    if not spans:
        return []
    heads = _heads(baseline)
    if heads is None:
        return []
    # the written head: the first line that is neither blank nor a head line ends it
    offset, first = 0, -1
    while offset < len(data):
        nl = data.find(b"\n", offset)
        stop = len(data) if nl < 0 else nl + 1
        line = data[offset:stop].decode("utf-8", errors="replace").strip()
        if line and line not in heads.lines:
            first = offset
            break
        offset = stop
    if first < 0:
        return []
    owners = [r for r in spans if r[1] <= first < r[2]]
    if not owners:
        return []
    # the head lines below it, in the choice that holds it and the head's size after
    window_end = owners[0][2]
    for _ in range(heads.size + 1):
        nl = data.find(b"\n", window_end)
        window_end = len(data) if nl < 0 else nl + 1
    window = data[first:window_end].decode("utf-8", errors="replace").splitlines()
    written = {ln.strip() for ln in data[:first].decode("utf-8", errors="replace").splitlines()}
    # a head line that no side's body holds (a licence line, a pragma; not a bare `*/`
    # that doc comments repeat), below the written head and not in it: moved down
    below = [
        text
        for text in dict.fromkeys(line.strip() for line in window)
        if text in heads.lines and not heads.in_body[text] and text not in written
    ]
    if not below:
        return []
    nl = data.find(b"\n", first)
    placed = data[first : nl if nl >= 0 else len(data)]
    what = " ".join(placed.decode("utf-8", errors="replace").split())[:60]
    head = " ".join(below[0].split())[:60]
    why = f"puts `{what}` above the file's head line `{head}`, which a side has first"
    return [(owners[0][0], why)]

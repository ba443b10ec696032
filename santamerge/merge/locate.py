"""Locate conflict hunks: parse text with conflict markers.

Handles the ``merge``, ``diff3`` and ``zdiff3`` styles (the last two share one syntax),
markers of any size, labels, and LF or CRLF line endings. Malformed marker text raises
:class:`~santamerge.errors.MarkerError` naming the line; it is never resolved silently.
"""

from __future__ import annotations

import re

from santamerge.errors import MarkerError
from santamerge.merge.types import Chunk, ConflictHunk, ParsedMerge

_ANY_MARKER = re.compile(r"^(<{7,}|\|{7,}|={7,}|>{7,})(?:[ \t][^\r\n]*)?\r?$")


def parse_conflicts(text: str, marker_size: int | None = None) -> ParsedMerge:
    """Split ``text`` into resolved chunks and :class:`ConflictHunk` s.

    ``marker_size`` is git's ``%L``; when ``None`` it is taken from the first opening
    marker found (7 if there is none).
    """
    lines = text.splitlines(keepends=True)
    size = marker_size or _detect_size(lines)
    return _Parser(lines, size).parse(newline=_detect_newline(text))


def has_markers(text: str) -> bool:
    """True when any line looks like a conflict marker of any size."""
    if not any(run in text for run in ("<" * 7, "|" * 7, "=" * 7, ">" * 7)):
        return False  # the common case, without splitting the text into lines
    return any(_ANY_MARKER.match(line) for line in text.splitlines())


def _detect_size(lines: list[str]) -> int:
    for line in lines:
        m = _ANY_MARKER.match(line)
        if m and m.group(1)[0] == "<":
            return len(m.group(1))
    return 7


def _detect_newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


class _Parser:
    def __init__(self, lines: list[str], size: int) -> None:
        self.lines = lines
        self.size = size
        self.kinds = {c: c * size for c in "<|=>"}

    def kind(self, line: str) -> str | None:
        """Which marker ``line`` is at exactly this size, or None."""
        first = line[:1]
        if first not in self.kinds or not line.startswith(self.kinds[first]):
            return None
        rest = line[self.size :]
        if rest[:1] == first:
            return None  # a longer marker: content at this size
        if first == "=":
            return "=" if rest.strip("\r\n") == "" else None
        if rest.strip("\r\n") == "" or rest[:1] in " \t":
            return first
        return None

    def parse(self, newline: str) -> ParsedMerge:
        chunks: list[Chunk] = []
        plain: list[str] = []
        i = hunks = 0
        while i < len(self.lines):
            line = self.lines[i]
            k = self.kind(line)
            if k is None:
                plain.append(line)
                i += 1
                continue
            if k != "<":
                raise MarkerError(i + 1, f"'{line.rstrip()}' outside a conflict")
            if plain:
                chunks.append("".join(plain))
                plain = []
            hunk, i = self.hunk(i, index=hunks)
            chunks.append(hunk)
            hunks += 1
        if plain:
            chunks.append("".join(plain))
        return ParsedMerge(chunks=tuple(chunks), newline=newline, marker_size=self.size)

    def hunk(self, start: int, index: int) -> tuple[ConflictHunk, int]:
        sections: dict[str, list[str]] = {"<": [], "|": [], "=": []}
        markers: dict[str, str] = {"<": self.lines[start]}
        current = "<"
        i = start + 1
        while i < len(self.lines):
            line = self.lines[i]
            k = self.kind(line)
            if k is None:
                sections[current].append(line)
            elif k == "<":
                raise MarkerError(i + 1, "a conflict opens inside another conflict")
            elif k == "|" and current == "<":
                current = "|"
                markers["|"] = line
            elif k == "=" and current in "<|":
                current = "="
                markers["="] = line
            elif k == ">" and current == "=":
                return self._build(index, start, sections, markers, line), i + 1
            else:
                raise MarkerError(i + 1, f"'{line.rstrip()}' out of order in a conflict")
            i += 1
        raise MarkerError(start + 1, "a conflict that opens here never closes")

    def _build(
        self,
        index: int,
        start: int,
        sections: dict[str, list[str]],
        markers: dict[str, str],
        close: str,
    ) -> ConflictHunk:
        return ConflictHunk(
            index=index,
            line=start + 1,
            ours="".join(sections["<"]),
            base="".join(sections["|"]) if "|" in markers else None,
            theirs="".join(sections["="]),
            open_marker=markers["<"],
            base_marker=markers.get("|"),
            sep_marker=markers["="],
            close_marker=close,
            marker_size=self.size,
        )

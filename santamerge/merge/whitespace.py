"""A merged hunk keeps each line's whitespace: the indentation before a line's text and
the line ending after it (with any blanks before that) are the ones a side wrote for it.

git compares lines byte for byte, line endings included, and so do people's diffs. The
word merge and the tree merge build a hunk from pieces of the sides, and a piece can
bring one side's whitespace onto another side's line: a CR where neither side has one,
ours' CRLF lost, theirs' tab before ours' text (issue 22). :func:`keeps_whitespace` is
the check a merged candidate must pass to be offered at all:

- a line whose text (its whitespace aside) stands on at most one line of each side, and
  once in the merge, is that line's three-way merge, byte for byte: the side that
  changed it, else the base. Where both sides changed it differently (one its line
  ending, the other its indentation, say), the sides disagree on its whitespace, and
  nothing says which is right: the hunk stays a conflict;
- a line whose text stands on several lines of a side is one of those lines, byte for
  byte;
- a line whose text no side has (two edits merged into one line) must end, and be
  indented, as every line of every side in the hunk is: where the sides mix CRLF with
  LF, or tabs with spaces, or blanks before a line end, the file gives no rule.
"""

from __future__ import annotations

from collections.abc import Iterable

BLANKS = " \t\r\n\f\v"
_CHANGED_BOTH = object()  # the three-way merge of a line's bytes: both sides, differently


def keeps_whitespace(merged: str, base: str | None, ours: str, theirs: str) -> bool:
    """Whether ``merged`` (a hunk's merge of ``base``, ``ours`` and ``theirs``) keeps
    each line's indentation and line ending as the module docstring says."""
    sides = [_by_text(text) for text in (base or "", ours, theirs)]
    whole = set().union(*(lines(text) for text in (base or "", ours, theirs)))
    mine = _by_text(merged)
    rule: tuple[set[str], set[str]] | None = None
    for line in lines(merged):
        text = line.strip(BLANKS)
        found = [side.get(text, []) for side in sides]
        if not any(found):
            rule = rule or _conventions(base or "", ours, theirs)
            if not _follows(line, text, rule):
                return False
        elif text and len(mine[text]) == 1 and all(len(f) <= 1 for f in found):
            b, o, t = (f[0] if f else None for f in found)
            want = _three_way(b, o, t)
            if want is _CHANGED_BOTH:
                if o is not None and t is not None:
                    return False  # both changed its whitespace, each its own way
                want = o if t is None else t
            if want is None:  # its side removed it; the merge has it: one side's bytes
                if line not in (b, o, t):
                    return False
            elif line != want:
                return False
        elif line not in whole:  # (its text is on several lines: one of them)
            return False
    return True


def lines(text: str) -> list[str]:
    """``text``'s lines with their endings; only ``\\n`` ends a line, as for git."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _by_text(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in lines(text):
        found.setdefault(line.strip(BLANKS), []).append(line)
    return found


def _three_way(base: str | None, ours: str | None, theirs: str | None) -> object:
    if ours == base:
        return theirs
    if theirs in (base, ours):
        return ours
    return _CHANGED_BOTH


def _conventions(*texts: str) -> tuple[set[str], set[str]]:
    """What ends the lines that have text (their blanks and line end), and the first
    character of their indentation, over every line of ``texts`` that a line end
    follows."""
    ends: set[str] = set()
    indents: set[str] = set()
    for line in _ended(texts):
        text = line.strip(BLANKS)
        if text:
            ends.add(line[len(line.rstrip(BLANKS)) :])
            lead = line[: len(line) - len(line.lstrip(BLANKS))]
            if lead:
                indents.add(lead[0])
    return ends, indents


def _ended(texts: Iterable[str]) -> Iterable[str]:
    for text in texts:
        yield from (line for line in lines(text) if line.endswith("\n"))


def _follows(line: str, text: str, rule: tuple[set[str], set[str]]) -> bool:
    """Whether a line no side has (merged from two edits) follows the sides' one rule
    for line ends and indentation."""
    ends, indents = rule
    end = line[len(line.rstrip(BLANKS)) :]
    if not text:  # a blank line no side has
        return len(ends) == 1 and end in ends
    if line.endswith("\n") and (len(ends) != 1 or end not in ends):
        return False
    if not line.endswith("\n") and end:
        return False  # blanks or a lone CR at the end of the file
    lead = line[: len(line) - len(line.lstrip(BLANKS))]
    return not lead or indents <= {lead[0]}

"""Rewrite detection (issue 24, item 2): a hunk stays a conflict where one side rewrote
the file systematically and the other side's lines that the merge writes still have the
old form.

A side's changes are the lines it changed relative to the base: in git's clean lines,
the difference between the other side's whole file and git's merge with every hunk as
that other side (there the merge holds this side's text where only this side changed);
in the hunks, each hunk's base against this side. Without the whole sides, only the
hunks. Each block of changed lines is compared with its base lines token by token
(a regular expression splits lines into names, numbers, strings and punctuation; a line
end is a token too), and each replacement (old tokens -> new tokens) is a *pattern*:

- a replacement of tokens is kept as it is, with a string kept only by its quotes
  (``'…'`` -> ``"…"``: a quote style);
- a pure insertion or deletion (a trailing comma, a line break: an annotation moved
  onto its declaration) gets its neighbours as context: on the left up to the first
  token that is not a name (at most two), on the right two tokens, read by class
  (a name, a number, a string by its quotes, punctuation as itself).

A pattern is a *systematic rewrite* of the side when it recurs (three times; twice for
a re-format, where the names and numbers are the same on both sides of it; twice for a
renamed name, or once in an import line: a moved module path) and the side's own file
keeps the old form in at most a quarter as many places (a renamed name: in none). Then
a written candidate whose lines that are not this side's hold the old form is refused,
with a reason that names the rewrite: "ours rewrote `= require(` as `from` in 14
places; their lines here still have `= require(`".

A re-indentation shows in no token: where a side's whole file no longer has a line that
starts with a tab (or a space) and the hunks' bases still do, the side re-indented the
file, and a written candidate whose lines that are not this side's still start with the
old character is refused too (:func:`reindented`).

The work is done only for written merges (a candidate that is exactly one side's text
is what that side wrote), once per file for each side's patterns (the gate baseline's
``memo``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any, NamedTuple, Protocol

from santamerge.merge.types import BOTH_SIDES, Candidate, ParsedMerge, Side

_TOKEN = re.compile(
    r"""[A-Za-z_$@][\w$]*|\d[\w.]*|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?"""
    r"""|`(?:\\.|[^`\\\n])*`?|\S"""
)
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_IMPORT_LINE = re.compile(r"^\s*(?:import|from|use|require|package|export)\b|\brequire\s*\(")
NL = "\n"
# how many times a pattern must recur: a rewrite of tokens, a re-format, a rename
_RECURS, _REFORMAT, _RENAMED = 3, 2, 2
_LEFT, _RIGHT = 2, 2
_LAYOUT = frozenset({",", ";", NL})
_BLOCK = 40  # a block of more changed lines is new code, not a rewrite: not compared
# words that are no names: a keyword replaced by another is a rewrite, not a rename
_KEYWORDS = frozenset(
    [
        "and",
        "as",
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "def",
        "default",
        "defer",
        "del",
        "do",
        "elif",
        "else",
        "enum",
        "export",
        "extends",
        "final",
        "fn",
        "for",
        "from",
        "func",
        "function",
        "go",
        "if",
        "impl",
        "implements",
        "import",
        "in",
        "interface",
        "is",
        "let",
        "lambda",
        "match",
        "mod",
        "mut",
        "new",
        "not",
        "or",
        "package",
        "pass",
        "private",
        "protected",
        "pub",
        "public",
        "raise",
        "return",
        "self",
        "static",
        "struct",
        "super",
        "switch",
        "this",
        "throw",
        "throws",
        "trait",
        "try",
        "type",
        "use",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ]
)


class _Baseline(Protocol):
    @property
    def parsed(self) -> ParsedMerge: ...
    @property
    def sides(self) -> tuple[str, str] | None: ...
    @property
    def memo(self) -> dict[str, Any] | None: ...


# A pattern's element: ("s", shape) matches a token of that shape (its text, a string by
# its quotes); ("c", class) a token of that class (a name, a number, a string's quotes,
# punctuation as itself); ("t", text) a token with that text (a string: a module path);
# ("n", text) any token but that one (before a comma added: not a comma).
Element = tuple[str, str]


class Rewrite(NamedTuple):
    old: tuple[Element, ...]
    new: tuple[Element, ...]
    places: int  # the places the side rewrote
    kind: str  # "rewrite", "re-format" or "rename"


def tokens(text: str) -> list[str]:
    """The tokens of ``text``, with a line end token after each line."""
    found: list[str] = []
    for line in text.splitlines():
        found += _TOKEN.findall(line)
        found.append(NL)
    return found


def _shape(token: str) -> str:
    if token[:1] in "\"'`":
        return f"{token[0]}…{token[0]}"
    return token


def _class(token: str) -> str:
    if token[:1] in "\"'`":
        return f"{token[0]}…{token[0]}"
    if _NAME.fullmatch(token):
        return "NAME"
    if token[:1].isdigit():
        return "NUMBER"
    return token


def _matches(element: Element, token: str) -> bool:
    kind, value = element
    if kind == "t":
        return token == value
    if kind == "n":
        return token != value
    return (_shape(token) if kind == "s" else _class(token)) == value


def block_patterns(old: Sequence[str], new: Sequence[str]) -> list[tuple[Element, ...]]:
    """The replacements between two token lists, as (old, new) patterns, flattened in
    pairs: [old0, new0, old1, new1, ...]."""
    found: list[tuple[Element, ...]] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and any(t != NL for t in old[i1:i2]):
            before = tuple(("s", _shape(t)) for t in old[i1:i2])
            after = tuple(("s", _shape(t)) for t in new[j1:j2])
            if before == after and i2 - i1 == j2 - j1 == 1:  # a string: a module path
                before, after = (("t", old[i1]),), (("t", new[j1]),)
            if before != after:
                found += [before, after]
            continue
        inserted = new[j1:j2]
        if i1 == i2 and inserted and all(t != NL and _class(t) == t for t in inserted):
            left: tuple[Element, ...] = (("n", inserted[0]),)  # a comma added: not after one
        else:
            start = i1
            while start > 0 and i1 - start < _LEFT:
                start -= 1
                if _class(old[start]) != "NAME":
                    break
            left = tuple(("c", _class(t)) for t in old[start:i1])
        right = tuple(("c", _class(t)) for t in old[i2 : i2 + _RIGHT])
        core_old = tuple(("s", _shape(t)) for t in old[i1:i2])
        core_new = tuple(("s", _shape(t)) for t in new[j1:j2])
        found += [left + core_old + right, left + core_new + right]
    return found


def _kind(old: tuple[Element, ...], new: tuple[Element, ...]) -> str:
    if len(old) == len(new) == 1 and old[0][0] == new[0][0] == "t":
        return "rename"  # a string's text: a module path moved
    if len(old) == len(new) == 1 and all(
        _NAME.fullmatch(e[1]) and e[1] not in _KEYWORDS for e in (*old, *new)
    ):
        return "rename"
    changed = [v for k, v in (*old, *new) if k == "s"]
    if all(v in _LAYOUT or v[:1] in "\"'`" for v in changed):
        return "re-format"  # commas, semicolons, line ends and quotes only
    return "rewrite"


def _changed_blocks(
    old_lines: Sequence[str], new_lines: Sequence[str]
) -> Iterable[tuple[list[str], list[str], bool]]:
    """Each block of lines replaced, with a line of context on each side (for the
    patterns' context), and whether it holds an import line."""
    # lines that recur (blank lines, closing brackets) are junk to difflib: without
    # that, a file with hundreds of changed lines costs seconds
    matcher = SequenceMatcher(None, old_lines, new_lines)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or i2 - i1 > _BLOCK or j2 - j1 > _BLOCK:
            continue
        a = list(old_lines[max(0, i1 - 1) : i2 + 1])
        b = list(old_lines[max(0, i1 - 1) : i1]) + list(new_lines[j1:j2])
        b += list(old_lines[i2 : i2 + 1])
        importing = any(_IMPORT_LINE.search(line) for line in old_lines[i1:i2])
        yield a, b, importing


def side_changes(baseline: _Baseline, side: Side) -> list[tuple[list[str], list[str], bool]]:
    """The blocks of lines ``side`` changed: (base lines, its lines, importing)."""
    parsed = baseline.parsed
    blocks: list[tuple[list[str], list[str], bool]] = []
    if baseline.sides is not None:
        other: Side = "theirs" if side == "ours" else "ours"
        whole = baseline.sides[BOTH_SIDES.index(other)]
        blocks += _changed_blocks(whole.splitlines(), parsed.side(other).splitlines())
    for hunk in parsed.hunks:
        if hunk.base is not None:
            blocks += _changed_blocks(hunk.base.splitlines(), getattr(hunk, side).splitlines())
    return blocks


def _side_text(baseline: _Baseline, side: Side) -> str:
    if baseline.sides is not None:
        return baseline.sides[BOTH_SIDES.index(side)]
    return baseline.parsed.side(side)


class _Stream:
    """A file's tokens, with where each shape and class occurs: a pattern is looked
    for only where its first element (not a negated one) matches."""

    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.at: dict[Element, list[int]] = {}
        for i, token in enumerate(self.tokens):
            for element in (("s", _shape(token)), ("c", _class(token)), ("t", token)):
                self.at.setdefault(element, []).append(i)

    def count(self, pattern: Sequence[Element]) -> int:
        anchor = next((k for k, e in enumerate(pattern) if e[0] != "n"), None)
        if anchor is None:
            return 0
        size, found = len(pattern), 0
        for i in self.at.get(pattern[anchor], []):
            start = i - anchor
            if start < 0 or start + size > len(self.tokens):
                continue
            if all(_matches(e, self.tokens[start + k]) for k, e in enumerate(pattern)):
                found += 1
        return found


def rewrites(baseline: _Baseline, side: Side) -> list[Rewrite]:
    """The systematic rewrites of ``side`` (once per file and side)."""
    memo = baseline.memo if baseline.memo is not None else {}
    key = f"rewrites:{side}"
    if key in memo:
        known: list[Rewrite] = memo[key]
        return known
    counts: Counter[tuple[tuple[Element, ...], tuple[Element, ...]]] = Counter()
    importing: set[tuple[tuple[Element, ...], tuple[Element, ...]]] = set()
    for old, new, imports in side_changes(baseline, side):
        flat = block_patterns(tokens("\n".join(old)), tokens("\n".join(new)))
        for k in range(0, len(flat), 2):
            pair = (flat[k], flat[k + 1])
            counts[pair] += 1
            if imports:
                importing.add(pair)
    # the old form counts however it was rewritten (`var` as `let` and as `const`);
    # the reason names its most common new form
    by_old: dict[tuple[Element, ...], list[tuple[int, tuple[Element, ...]]]] = {}
    for (old_p, new_p), n in counts.items():
        by_old.setdefault(old_p, []).append((n, new_p))
    found: list[Rewrite] = []
    stream: _Stream | None = None
    for old_p, news in by_old.items():
        n = sum(k for k, _ in news)
        new_p = max(news, key=lambda item: item[0])[1]
        kind = _kind(old_p, new_p)
        need = {"rewrite": _RECURS, "re-format": _REFORMAT, "rename": _RENAMED}[kind]
        if kind == "rename" and any((old_p, p) in importing for _, p in news):
            need = 1
        if n < need or not old_p:
            continue
        if stream is None:
            stream = _Stream(_side_text(baseline, side))
        left = stream.count(old_p)
        if (kind == "rename" and left) or left * 4 > n:
            continue
        found.append(Rewrite(old_p, new_p, n, kind))
    found.sort(key=lambda r: (-r.places, not _names_in(r.old), -len(r.old)))
    memo[key] = found
    return found


def _names_in(pattern: Iterable[Element]) -> bool:
    """Whether a pattern holds a name of its own (`require`), not only punctuation."""
    return any(kind != "c" and _NAME.fullmatch(value) for kind, value in pattern)


def render(pattern: Iterable[Element]) -> str:
    """A pattern as a person reads it: ``= require(``."""
    parts = []
    for kind, value in pattern:
        if value == NL:
            parts.append("⏎")
        elif (kind == "c" and value == "NAME") or kind == "n":
            parts.append("x")
        elif kind == "c" and value == "NUMBER":
            parts.append("1")
        else:
            parts.append(value)
    text = " ".join(parts)
    text = re.sub(r"\s+([(),.;:\]}])", r"\1", text)
    return re.sub(r"([(\[{.@])\s+", r"\1", text)


def _reason(side: Side, rewrite: Rewrite, places: int) -> str:
    other = "their" if side == "ours" else "our"
    old, new = render(rewrite.old), render(rewrite.new)
    n = rewrite.places
    times = "1 place" if n == 1 else f"{n} places"
    if rewrite.kind == "rename":
        what = f"{side} renamed `{old}` to `{new}` ({times})"
        missed = f"{other} lines here still use `{old}`"
    elif rewrite.kind == "re-format":
        what = f"{side} re-formatted {times} (`{old}` -> `{new}`)"
        missed = f"{other} lines here keep the old form"
    else:
        what = f"{side} rewrote `{old}` as `{new}` in {times}"
        missed = f"{other} lines here still have `{old}`"
    if places > 1:
        missed += f" ({places} times)"
    return f"{what}; {missed}"


def is_written(candidate: Candidate, parsed: ParsedMerge) -> bool:
    """Whether a candidate is a merge of the sides, not one side's text as it is."""
    hunk = parsed.hunks[candidate.hunk] if candidate.hunk < len(parsed.hunks) else None
    if hunk is None or hunk.index != candidate.hunk:
        hunk = next((h for h in parsed.hunks if h.index == candidate.hunk), None)
    if hunk is None:
        return False
    return candidate.text not in (hunk.ours, hunk.theirs)


def missed_rewrites(baseline: _Baseline, chosen: Mapping[int, Candidate]) -> list[tuple[int, str]]:
    """(hunk, reason) for each written candidate whose lines that are not one side's
    still have the old form of that side's systematic rewrite."""
    parsed = baseline.parsed
    written = [c for c in chosen.values() if is_written(c, parsed)]
    if not written or any(h.base is None for h in parsed.hunks):
        return []
    found: list[tuple[int, str]] = []
    by_index = {h.index: h for h in parsed.hunks}
    for candidate in written:
        hunk = by_index[candidate.hunk]
        lines = candidate.text.splitlines()
        for side in BOTH_SIDES:
            own = set(getattr(hunk, side).splitlines())
            foreign = [line not in own for line in lines]
            if not any(foreign):
                continue
            old = reindented(baseline, side)
            pairs = zip(foreign, lines, strict=True)
            stale = sum(f and line.startswith(old) for f, line in pairs) if old else 0
            if stale:
                found.append((candidate.hunk, _indent_reason(side, old or "", stale)))
                continue
            known = rewrites(baseline, side)
            if not known:
                continue
            stream: list[str] = []
            where: list[int] = []
            for k, line in enumerate(lines):
                for token in _TOKEN.findall(line):
                    stream.append(token)
                    where.append(k)
                stream.append(NL)
                where.append(-1)
            for rewrite in known:
                places = _foreign_places(rewrite.old, stream, where, foreign)
                if places:
                    found.append((candidate.hunk, _reason(side, rewrite, places)))
                    break
    return found


_INDENT_LINES = 5  # a side's file indented this often, with one character only


def reindented(baseline: _Baseline, side: Side) -> str | None:
    """The indent character (a tab or a space) that ``side`` no longer has anywhere in
    its file, where the hunks' bases still indent with it: the side re-indented the
    file (tabs to spaces, or the reverse), a re-format the tokens do not show. None
    where the side did not."""
    memo = baseline.memo if baseline.memo is not None else {}
    key = f"reindented:{side}"
    if key not in memo:
        memo[key] = None
        lead = Counter(
            line[0]
            for line in _side_text(baseline, side).splitlines()
            if line[:1] in " \t" and line.strip()
        )
        based = Counter(
            line[0]
            for hunk in baseline.parsed.hunks
            for line in (hunk.base or "").splitlines()
            if line[:1] in " \t" and line.strip()
        )
        for old, new in (("\t", " "), (" ", "\t")):
            if not lead[old] and lead[new] >= _INDENT_LINES and based[old]:
                memo[key] = old
    found: str | None = memo[key]
    return found


def _indent_reason(side: Side, old: str, stale: int) -> str:
    other = "their" if side == "ours" else "our"
    was, now = ("tabs", "spaces") if old == "\t" else ("spaces", "tabs")
    return (
        f"{side} re-indented the file with {now} (no line of it starts with {was} any "
        f"more); {stale} of {other} lines here still start with {was}"
    )


def _foreign_places(
    pattern: Sequence[Element], stream: Sequence[str], where: Sequence[int], foreign: list[bool]
) -> int:
    n, size = 0, len(pattern)
    for i in range(len(stream) - size + 1):
        if all(_matches(e, stream[i + k]) for k, e in enumerate(pattern)) and any(
            where[i + k] >= 0 and foreign[where[i + k]] for k in range(size)
        ):
            n += 1
    return n

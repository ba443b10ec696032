"""The structured rule for order-free regions: the union of disjoint additions.

When both sides only *added* imports, or whole functions, classes or methods, at the same
place, the order between the two sides' additions carries no meaning, and keeping both is
what people do. Items are found with the ``imports`` and ``definitions`` queries of the
file's language, in the full text of each side, so that methods inside a class are seen
in their class. The result keeps ours' additions, then theirs' that ours lacks (a stable
order), and keeps one copy of what both sides added alike.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from santamerge import treesitter
from santamerge.languages import LanguageProfile
from santamerge.types import ConflictHunk, ParsedMerge

_COMMENT_PREFIXES = ("#", "//", "/*", "*", "*/", "--")


@dataclass(frozen=True)
class _Addition:
    text: str
    at_end: bool  # True when the side added after the base text, False when before


def union_of_additions(
    parsed: ParsedMerge, hunk: ConflictHunk, profile: LanguageProfile
) -> str | None:
    """The order-free union of the two sides' additions, or None when the rule does not apply."""
    if hunk.base is None:
        return None
    ours, theirs = _addition(hunk.base, hunk.ours), _addition(hunk.base, hunk.theirs)
    if ours is None or theirs is None or (ours.at_end != theirs.at_end and hunk.base):
        return None
    ours_blocks = _blocks(parsed, hunk, "ours", ours, profile)
    theirs_blocks = _blocks(parsed, hunk, "theirs", theirs, profile)
    if ours_blocks is None or theirs_blocks is None:
        return None
    seen = {_normal(b) for b in ours_blocks}
    extra = [b for b in theirs_blocks if _normal(b) not in seen]
    added = _with_newline(ours.text, parsed.newline) + "".join(extra)
    return hunk.base + added if ours.at_end else added + hunk.base


def _addition(base: str, side: str) -> _Addition | None:
    if len(side) <= len(base):
        return None
    if side.startswith(base):
        return _Addition(side[len(base) :], at_end=True)
    if side.endswith(base):
        return _Addition(side[: len(side) - len(base)], at_end=False)
    return None


def _blocks(
    parsed: ParsedMerge, hunk: ConflictHunk, side: str, addition: _Addition,
    profile: LanguageProfile,
) -> list[str] | None:
    """Split the added text into items, each with the comments and blank lines before it."""
    text = parsed.splice({}, default=side)
    start = _hunk_offset(parsed, hunk, side)
    if addition.at_end:
        start += len(getattr(hunk, side)) - len(addition.text)
    data = text.encode("utf-8")
    lo = len(text[:start].encode("utf-8"))
    hi = lo + len(addition.text.encode("utf-8"))
    spans = _item_spans(profile, data, lo, hi)
    if not spans:
        return None
    cuts = [lo] + [_line_end(data, end) for _, end in spans[:-1]] + [hi]
    blocks = [data[a:b] for a, b in itertools.pairwise(cuts)]
    if not all(_only_items(data, a, b, spans) for a, b in itertools.pairwise(cuts)):
        return None
    return [b.decode("utf-8") for b in blocks]


def _item_spans(
    profile: LanguageProfile, data: bytes, lo: int, hi: int
) -> list[tuple[int, int]] | None:
    """Byte spans of the outermost import or definition nodes that lie inside [lo, hi)."""
    tree = treesitter.parse_bytes(profile, data)
    found: set[tuple[int, int]] = set()
    for name, capture in (("imports", "import"), ("definitions", "definition")):
        query = treesitter.query(profile, name)
        if query is None:
            continue
        for node in treesitter.captures(query, tree.root_node).get(capture, []):
            if lo <= node.start_byte and node.end_byte <= hi:
                found.add((node.start_byte, node.end_byte))
    outer = sorted(s for s in found if not any(_inside(s, o) for o in found))
    return outer or None


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return inner != outer and outer[0] <= inner[0] and inner[1] <= outer[1]


def _only_items(data: bytes, a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    """True when [a, b) holds exactly one item, and otherwise only blanks and comments."""
    inside = [s for s in spans if a <= s[0] and s[1] <= b]
    if len(inside) != 1:
        return False
    (s, e), = inside
    rest = (data[a:s] + b"\n" + data[e:b]).decode("utf-8", errors="replace")
    return all(not line.strip() or line.strip().startswith(_COMMENT_PREFIXES)
               for line in rest.splitlines())


def _line_end(data: bytes, pos: int) -> int:
    nl = data.find(b"\n", pos)
    return len(data) if nl < 0 else nl + 1


def _normal(text: str) -> str:
    return " ".join(text.split())


def _with_newline(text: str, newline: str) -> str:
    return text if text.endswith("\n") else text + newline


def _hunk_offset(parsed: ParsedMerge, hunk: ConflictHunk, side: str) -> int:
    offset = 0
    for chunk in parsed.chunks:
        if chunk is hunk:
            return offset
        offset += len(chunk) if isinstance(chunk, str) else len(getattr(chunk, side) or "")
    raise ValueError("hunk not in parsed merge")

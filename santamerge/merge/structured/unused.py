"""The unused-import gate: a merge that keeps an import whose last use is gone.

A merge can keep an import that nothing uses any more: one side removed the last use,
the other side's import stays (a union of imports, a tree merge). People drop such an
import; santamerge must not write the file with it. A name counts only when an import
inside a chosen candidate's region binds it (Python, Java, JavaScript, TypeScript and
Go; ``grammars/<lang>/imports.scm``: ``@name``, and Go's ``@path``), when nothing in
the merged file outside import statements has its text, and when a side's whole file
uses it. So an import that neither side uses (a side effect, a re-export, ``import x
as _``) never counts. A use is found generously: any token with the name's text; in a
string, only a string that reads as names (``__all__``, a quoted annotation); in a
comment, only a doc tag's type or link (``{@link Foo}``, ``@see``, ``# type:``).
A hunk that is not chosen may yet be resolved either way, so its theirs and base texts
count as uses. A side's file is the merge with every hunk as that side: a use that a
side removed where git merged cleanly is gone from both, and is not seen.

The work is done only for regions that hold an import (a text check first), and each
side's uses are found once per file (the gate baseline's ``memo``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.types import BOTH_SIDES, ParsedMerge, Side

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

_LANGUAGES = frozenset({"python", "java", "javascript", "typescript", "go"})
_IMPORT_WORDS = re.compile(rb"\b(?:import|require)\b")
# A string that reads as names: `__all__` entries, quoted annotations like "list[Foo]".
_NAMES = re.compile(r"[\w.\[\](),|]+")
_AROUND_PUNCTUATION = re.compile(r"\s*([\[\](),|])\s*")
# The parts of a comment that name code: a doc type or link in braces, a doc tag's
# argument, a Python type comment.
_DOC_PARTS = re.compile(
    rb"\{([^{}]*)\}|@(?:see|throws|exception|link|linkplain|jsx"
    rb"|jsxFrag|type|typedef|param|returns?|import)\b([^\n]*)"
    rb"|#\s*type:([^\n]*)"
)
# Names that JSX uses without writing them (the classic runtime, a pragma's `h`).
_JSX_NAMES = frozenset({"React", "h"})
_JSX = re.compile(rb"</?[A-Za-z>]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAJOR_VERSION = re.compile(r"v[0-9]+")
_VERSION_SUFFIX = re.compile(r"\.v[0-9]+$")
_GO_AFFIX = re.compile(r"^go[-.]|[-.]go$")


class Baseline(Protocol):
    """What the gates measured once per file (santamerge.merge.gates.GateBaseline)."""

    @property
    def parsed(self) -> ParsedMerge: ...
    @property
    def profile(self) -> LanguageProfile | None: ...
    @property
    def path(self) -> str: ...
    @property
    def ours_text(self) -> str: ...
    @property
    def ours_tree(self) -> Tree | None: ...
    @property
    def memo(self) -> dict[str, Any] | None: ...


def unused_imports(
    baseline: Baseline, data: bytes, tree: Tree, regions: Iterable[tuple[int, int, int]]
) -> list[tuple[int, str]]:
    """(hunk, reason) for each name that an import in a chosen region binds, that
    nothing in the merged file ``data`` (parsed as ``tree``) uses, and that a side uses.
    ``regions``: (hunk, start byte, end byte) of each choice in ``data``. The other
    hunks' theirs and base texts count as uses: their choice is not known here."""
    profile = baseline.profile
    regions = list(regions)
    if profile is None or not _checked(profile, baseline.path):
        return []
    importing = [r for r in regions if _may_import(tree, data, r[1], r[2])]
    if not importing:
        return []
    chosen = {hunk for hunk, _, _ in regions}
    merged = _Uses(profile, data, tree, _other_sides(baseline.parsed, chosen))
    found = []
    for hunk, start, end in importing:
        for names in _bound(profile, tree, start, end):
            if any(merged(name) for name in names):
                continue
            for name in names:
                users = [side for side in BOTH_SIDES if _side_uses(baseline, side)(name)]
                if users:
                    found.append((hunk, _reason(name, users)))
                    break
    return found


def lost_imports(
    profile: LanguageProfile, base: Tree, start: int, end: int, merged: str
) -> list[str]:
    """Names that the base's imports in [start, end) bind, that no import of ``merged``
    binds any more, and that ``merged`` still uses: a merge that drops those imports
    breaks the file (one side dropped an import the other side's code still needs)."""
    before = _bound(profile, base, start, end)
    if not before:
        return []
    data = merged.encode("utf-8")
    tree = treesitter.parse(profile, merged)
    still = {name for names in _bound(profile, tree, 0, len(data)) for name in names}
    uses = _Uses(profile, data, tree)
    return [
        names[0] for names in before if not set(names) & still and any(uses(name) for name in names)
    ]


def _checked(profile: LanguageProfile, path: str) -> bool:
    """Python's ``__init__.py`` and stub files, and TypeScript's declaration files,
    import to re-export: they are left alone."""
    name = path.replace("\\", "/").rpartition("/")[2]
    if name == "__init__.py" or name.endswith((".pyi", ".d.ts")):
        return False
    return profile.queries in _LANGUAGES


def _may_import(tree: Tree, data: bytes, start: int, end: int) -> bool:
    """A cheap check that the region may hold an import: the word import or require in
    it, or a region inside an import (a line of a parenthesised list)."""
    if _IMPORT_WORDS.search(data, start, end):
        return True
    node = tree.root_node.descendant_for_byte_range(start, end)
    while node is not None and node.parent is not None:
        if "import" in node.type or (
            node.type.endswith("declaration") and b"require" in (node.text or b"")
        ):
            return True
        node = node.parent
    return False


def _bound(profile: LanguageProfile, tree: Tree, start: int, end: int) -> list[tuple[str, ...]]:
    """The names bound by the imports whose name (or Go path) lies in [start, end):
    for each import, the names it may bind (one, but for a Go path)."""
    query = treesitter.query(profile, "imports")
    if query is None:
        return []
    found = []
    for match in treesitter.matches(query, tree.root_node, (start, end)):
        for node in match.get("name", []) + match.get("path", []):
            if start <= node.start_byte and node.end_byte <= end:
                text = treesitter.node_text(node)
                found.append(_package_names(text) if "path" in match else (text,))
    return [names for names in dict.fromkeys(found) if names and not set(names) & {"_", "*"}]


def _package_names(path: str) -> tuple[str, ...]:
    """The names a Go import without an alias may bind (the package's name is not in
    the source): the path's last element (``encoding/json``), or the one before a major
    version (``yaml/v3``) and the version itself, each also without a ``.v3`` suffix or
    a ``go-`` prefix (``gopkg.in/yaml.v3``, ``go-sqlite3``). An import binds one; it
    counts as used when any is."""
    parts = path.strip('"`').split("/")
    elements = (
        parts[-2:] if len(parts) > 1 and _MAJOR_VERSION.fullmatch(parts[-1]) else (parts[-1:])
    )
    names = [
        name
        for part in elements
        for name in (part, _VERSION_SUFFIX.sub("", part), _GO_AFFIX.sub("", part))
    ]
    return tuple(dict.fromkeys(n for n in names if _IDENTIFIER.fullmatch(n)))


def _other_sides(parsed: ParsedMerge, chosen: set[int]) -> bytes:
    """The theirs and base texts of the hunks not chosen: they may yet be written."""
    return "".join(h.theirs + (h.base or "") for h in parsed.hunks if h.index not in chosen).encode(
        "utf-8"
    )


def _side_uses(baseline: Baseline, side: Side) -> _Uses:
    """The uses in one side's whole file, found once per file and name."""
    memo = baseline.memo if baseline.memo is not None else {}
    key = f"unused:{side}"
    if key not in memo:
        profile = baseline.profile
        assert profile is not None
        text = baseline.parsed.side(side)
        ours = baseline.ours_tree if side == "ours" and text == baseline.ours_text else None
        memo[key] = _Uses(
            profile, text.encode("utf-8"), ours or (lambda: treesitter.parse(profile, text))
        )
    uses: _Uses = memo[key]
    return uses


def _reason(name: str, users: list[Side]) -> str:
    if len(users) == 2:
        why = "both sides use it; the merge drops every use"
    elif users == ["ours"]:
        why = "our side uses it; their change removed its last use"
    else:
        why = "their side uses it; our change removed its last use"
    return f"imports `{name}`, which nothing in the merged file uses ({why})"


class _Uses:
    """Whether a name is used in one file, outside its import statements. The file is
    parsed (``tree`` as a function) only when its text has the name."""

    def __init__(
        self,
        profile: LanguageProfile,
        data: bytes,
        tree: Tree | Callable[[], Tree],
        elsewhere: bytes = b"",
    ) -> None:
        self.profile, self.data, self.elsewhere = profile, data, elsewhere
        self._tree = tree
        self.known: dict[str, bool] = {}

    @property
    def tree(self) -> Tree:
        if callable(self._tree):
            self._tree = self._tree()
        return self._tree

    def __call__(self, name: str) -> bool:
        if name not in self.known:
            self.known[name] = self._find(name)
        return self.known[name]

    def _find(self, name: str) -> bool:
        if next(_occurrences(name, self.elsewhere), None) is not None:
            return True
        if name in _JSX_NAMES and self.profile.queries != "python" and _JSX.search(self.data):
            return True
        return any(
            not self._in_import(start, end) and _counts(self.profile, self.tree, start, end, name)
            for start, end in _occurrences(name, self.data)
        )

    def _in_import(self, start: int, end: int) -> bool:
        """Whether [start, end) lies in an import statement (the query looks only at
        the nodes around it)."""
        query = treesitter.query(self.profile, "imports")
        nodes = (
            treesitter.captures(query, self.tree.root_node, (start, end)).get("import", [])
            if query is not None
            else []
        )
        return any(n.start_byte <= start and end <= n.end_byte for n in nodes)


@functools.lru_cache(maxsize=256)
def _word(name: str) -> re.Pattern[bytes]:
    """The name, not followed by a character of a longer name (the regular expression
    starts with the name itself, so that it is searched for fast)."""
    return re.compile(re.escape(name.encode("utf-8")) + rb"(?![\w$])")


def _occurrences(name: str, data: bytes) -> Iterator[tuple[int, int]]:
    """The byte spans of ``name`` as a whole word in ``data``."""
    for m in _word(name).finditer(data):
        before = data[m.start() - 1 : m.start()]
        if not before or not (before.isalnum() or before in b"_$"):
            yield m.start(), m.end()


def _counts(profile: LanguageProfile, tree: Tree, start: int, end: int, name: str) -> bool:
    """Whether the name's text at [start, end) is a use: any token, but in a comment
    only a doc type or link, and in a string only a string that reads as names."""
    node: Node | None = tree.root_node.descendant_for_byte_range(start, end)
    if node is None:
        return True
    text = node.text or b""
    if node.type in profile.comments:
        return any(
            next(_occurrences(name, part or b""), None) is not None
            for m in _DOC_PARTS.finditer(text)
            for part in m.groups()
        )
    if "string" in node.type or node.type == "jsx_text":
        return _reads_as_names(text.decode("utf-8", errors="replace"))
    return True


def _reads_as_names(text: str) -> bool:
    """A string's text (quotes and prefixes dropped) is names, dots, brackets, commas
    and bars: ``json``, ``"Optional[Foo]"``, ``'Foo | None'``."""
    text = re.sub(r"^[A-Za-z]*[\"'`]+|[\"'`]+$", "", text.strip())
    return bool(_NAMES.fullmatch(_AROUND_PUNCTUATION.sub(r"\1", text.strip())))

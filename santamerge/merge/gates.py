"""Gates: the checks a candidate must pass before it is ranked as acceptable, and the
checks the whole file must pass before anything is written.

A candidate is rejected when the file with it spliced in has more tree-sitter ERROR or
MISSING nodes than the sides had, when Python's own compiler rejects it (tree-sitter's
error recovery forgives indentation that Python does not; checked where both sides
compile), when it contains conflict markers, when it defines the same name twice in
one scope where neither side did, when one dict, object, mapping, table or enum holds a
key twice where neither side's does (keys by value: santamerge.syntax.keys), when a
strict loader refuses a JSON or TOML file that loads on both sides, or when it imports
a name that nothing in the merged file uses where a side used it
(santamerge.merge.structured.unused). The sides are parsed once per
file (:func:`prepare_gates`); each candidate costs one incremental re-parse of the file
(:func:`check_candidate`, for ranking).

Tree-sitter grammars are lenient where compilers are not, and its error recovery hides
a broken file in more ways than indentation. Besides ERROR and MISSING nodes, a
statement in a place its language forbids counts as an error (:func:`misplaced`):
Java's and Go's package and imports after other declarations, JavaScript's and
TypeScript's import or export inside a block, return outside a function, await in a
function that is not async, a let/const/class name bound twice in one block, and Rust's
``use`` in an impl or trait body (``grammars/<lang>/misplaced.scm``). Each was seen
passing the gate in concatenations that the language's own parser rejects (javac, acorn,
the TypeScript parser, rustfmt; docs/no-lost-lines.md).

What a policy writes is checked once more, all together, as the file that would be
written (:func:`check_together`): one parse for the whole file, so that the merge
driver's time grows with the file, not with the square of its hunks, and so that two
choices that are each fine alone but not together (both add ``def g``) are caught.
There an error counts as new unless it is one of our side's own, at the same place.

Both also ask issue 24's refusals (santamerge.merge.checks, :func:`_refusals` and
:func:`_version_refusals`): a line put above a side's file head, a region re-rendered
with other line breaks, brackets or trailing commas, one version value changed two ways,
a block one side deleted and the other changed, a generated lock file merged
(:func:`_deletion_refusals`);
and, for written merges, :func:`_adaptations`: a side's systematic rewrite that the other
side's lines missed, or a diagnostic that neither side has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile
from santamerge.merge.loads import LOADERS
from santamerge.merge.locate import has_markers
from santamerge.merge.structured.unused import unused_imports
from santamerge.merge.types import BOTH_SIDES, Candidate, ParsedMerge
from santamerge.syntax.bindings import DefinitionKey, bound_names, dotted
from santamerge.syntax.keys import key_value
from santamerge.syntax.nodes import count_errors, enclosing_function, error_nodes
from santamerge.syntax.python import python_syntax_error

if TYPE_CHECKING:
    from tree_sitter import Node, Tree


class GateBaseline(NamedTuple):
    """The sides, measured once per file: what a candidate is compared with."""

    parsed: ParsedMerge
    profile: LanguageProfile | None
    allowed_errors: int
    allowed_duplicates: frozenset[DefinitionKey]
    ours_text: str = ""  # every hunk as ours: candidates are parsed as edits of it
    ours_tree: Tree | None = None
    ours_keys: dict[tuple[int, int], DefinitionKey] | None = None  # by name node's span
    path: str = "<merge>"
    # Python: whether both sides compile (then a candidate must too); asked only when a
    # candidate does not compile, since compiling a large file costs as much as parsing.
    # Also each side's uses of imported names (santamerge.merge.structured.unused), when asked.
    memo: dict[str, Any] | None = None
    # ours and theirs as whole files, where the caller has them (the merge driver's %A
    # and %B, the index stages): what "a side loads" and "a side holds a key twice"
    # are judged on. Without them, on each side spliced into git's merge.
    sides: tuple[str, str] | None = None

    @property
    def compiles(self) -> bool:
        if self.profile is None or self.profile.name != "python" or self.memo is None:
            return False
        if "compiles" not in self.memo:
            self.memo["compiles"] = all(
                python_syntax_error(self.parsed.side(side), self.path) is None
                for side in BOTH_SIDES
            )
        compiles: bool = self.memo["compiles"]
        return compiles


def prepare_gates(
    parsed: ParsedMerge,
    profile: LanguageProfile | None,
    path: str = "<merge>",
    sides: tuple[str, str] | None = None,
) -> GateBaseline:
    """Measure the sides: their parse errors and duplicated definitions are allowed.
    ``sides``: ours and theirs as whole files, where known (see GateBaseline)."""
    if profile is None:
        return GateBaseline(parsed, None, 0, frozenset(), path=path, memo={}, sides=sides)
    texts = [parsed.splice({}, default=side) for side in BOTH_SIDES]
    trees = [treesitter.parse(profile, text) for text in texts]
    keys = [bound_names(profile, tree) for tree in trees]
    return GateBaseline(
        parsed,
        profile,
        allowed_errors=max(count_faults(profile, tree) for tree in trees),
        allowed_duplicates=frozenset().union(*(_repeated(k.values()) for k in keys)),
        ours_text=texts[0],
        ours_tree=trees[0],
        ours_keys=keys[0],
        path=path,
        memo={},
        sides=sides,
    )


def check_candidate(baseline: GateBaseline, candidate: Candidate) -> tuple[str, ...]:
    """The reasons to reject ``candidate``; empty when it passes every gate."""
    if has_markers(candidate.text):
        return ("contains conflict markers",)
    versions = tuple(why for _, why in _version_refusals(baseline, [candidate.hunk]))
    versions += tuple(why for _, why in _deletion_refusals(baseline, [candidate]))
    if baseline.profile is None or baseline.ours_tree is None:
        return versions
    data, tree, regions = spliced_tree(baseline, {candidate.hunk: candidate})
    errors = count_faults(baseline.profile, tree)
    reasons = []
    if errors > baseline.allowed_errors:
        reasons.append(
            f"does not parse: {errors} syntax errors where the sides have "
            f"at most {baseline.allowed_errors}"
        )
    elif (error := _compile_error(baseline, data)) is not None:
        reasons.append(_not_compiled(error))
    elif (failure := _load_error(baseline, data)) is not None:
        reasons.append(failure[0])
    new = [key for _, key in _new_duplicates(baseline, tree, regions)]
    if new:
        reasons.append(_twice(new))
    reasons += list(
        dict.fromkeys(why for _, why in _new_key_duplicates(baseline, data, tree, regions))
    )
    reasons += [why for _, why in unused_imports(baseline, data, tree, _spans(regions))]
    reasons += [why for _, why in _refusals(baseline, data, regions)]
    if not reasons:  # as in check_together: the rewrite and diagnostics checks last
        chosen = {candidate.hunk: candidate}
        reasons += [why for _, why in _adaptations(baseline, chosen, data, tree, regions)]
    return tuple(dict.fromkeys(reasons)) + versions


def _compile_error(baseline: GateBaseline, data: bytes) -> SyntaxError | None:
    """Python's compiler on the spliced file, where both sides compile (else it cannot
    tell the candidate's fault from the sides')."""
    if baseline.profile is None or baseline.profile.name != "python":
        return None
    error = python_syntax_error(data.decode("utf-8"), baseline.path)
    return error if error is not None and baseline.compiles else None


def _not_compiled(error: SyntaxError) -> str:
    return f"Python does not compile it: {error.msg} (line {error.lineno})"


def _twice(keys: Iterable[DefinitionKey]) -> str:
    names = ", ".join(dotted(key) for key in sorted(keys))
    return f"defines {names} twice, which neither side does"


class _Region(NamedTuple):
    hunk: int
    start: int  # bytes, in the file with the choices spliced in
    end: int
    shift: int  # what to subtract from an offset after this region to get ours' offset
    old_start: int  # the hunk's ours text, in bytes of the file with every hunk as ours
    old_end: int


def check_together(
    baseline: GateBaseline, chosen: Mapping[int, Candidate]
) -> dict[int, tuple[str, ...]]:
    """Check the file with every chosen candidate spliced in (other hunks as ours) as one
    file; return the hunks to blame for what fails, each with its reasons, or {} when the
    file passes. Each failure is blamed on the choice it lies in, else on the nearest
    choice before it (parsers report a broken block after its start), else on every
    choice; so some hunk is blamed whenever the file fails."""
    blamed: dict[int, list[str]] = {}
    for i, candidate in chosen.items():
        if has_markers(candidate.text):
            blamed.setdefault(i, []).append("contains conflict markers")
    for i, why in _version_refusals(baseline, list(chosen)):
        blamed.setdefault(i, []).append(why)
    for i, why in _deletion_refusals(baseline, list(chosen.values())):
        blamed.setdefault(i, []).append(why)
    if baseline.profile is None or baseline.ours_tree is None or not chosen:
        return {i: tuple(r) for i, r in blamed.items()}
    data, tree, regions = spliced_tree(baseline, chosen)
    inherited = set(_error_spans(baseline.profile, baseline.ours_tree))
    for start, end in _error_spans(baseline.profile, tree):
        if _inherited(start, end, regions, inherited):
            continue
        for i in _blame(start, end, regions):
            blamed.setdefault(i, []).append("does not parse with the other choices")
    if (error := _compile_error(baseline, data)) is not None:
        line_start = _line_offset(data, (error.lineno or 1) - 1)
        for i in _blame(line_start, _line_offset(data, error.lineno or 1), regions):
            blamed.setdefault(i, []).append(_not_compiled(error))
    for i, key in _new_duplicates(baseline, tree, regions):
        blamed.setdefault(i, []).append(_twice([key]))
    # every hunk decided: a key twice anywhere, git's clean lines included, since the
    # file is then written as merged (a key that each side added once, in lines git
    # merged cleanly, would otherwise be written twice, silently)
    whole = len(chosen) == len(baseline.parsed.hunks)
    for i, why in _new_key_duplicates(baseline, data, tree, regions, whole):
        blamed.setdefault(i, []).append(why)
    # the loader last, and only when nothing else failed: a file that does not parse
    # does not load either, and the parse error says better where
    if not blamed and (failure := _load_error(baseline, data)) is not None:
        why, line = failure
        if line is None:  # nothing says where: every choice is a suspect
            hunks = [r.hunk for r in regions]
        else:
            hunks = _blame(_line_offset(data, line - 1), _line_offset(data, line), regions)
        for i in hunks:
            blamed.setdefault(i, []).append(why)
    for i, why in unused_imports(baseline, data, tree, _spans(regions)):
        blamed.setdefault(i, []).append(why)
    for i, why in _refusals(baseline, data, regions):
        blamed.setdefault(i, []).append(why)
    # the rewrite and diagnostics checks last: a file that fails above is not read
    if not blamed:
        for i, why in _adaptations(baseline, chosen, data, tree, regions):
            blamed.setdefault(i, []).append(why)
    return {i: tuple(dict.fromkeys(r)) for i, r in blamed.items()}


def _refusals(baseline: GateBaseline, data: bytes, regions: list[_Region]) -> list[tuple[int, str]]:
    """Refusals of a written text (santamerge.merge.checks): a line above a side's file
    head, a list re-rendered."""
    from santamerge.merge.checks.fidelity import rendering_faults
    from santamerge.merge.checks.heads import displaced_heads

    spans = _spans(regions)
    return displaced_heads(baseline, data, spans) + rendering_faults(baseline, data, spans)


def _version_refusals(baseline: GateBaseline, hunks: list[int]) -> list[tuple[int, str]]:
    """One version value changed two ways (santamerge.merge.checks.versions). Read from
    the hunk's texts, so files without a grammar are checked too."""
    from santamerge.merge.checks.versions import version_conflicts

    return version_conflicts(baseline, hunks)


def _deletion_refusals(baseline: GateBaseline, chosen: list[Candidate]) -> list[tuple[int, str]]:
    """A block one side deleted and the other changed, merged
    (santamerge.merge.checks.deletions); a merge of a generated lock file
    (santamerge.merge.checks.generated). Read from the hunk's texts and the path, as the
    versions: files without a grammar are checked too."""
    from santamerge.merge.checks.deletions import deletion_conflicts
    from santamerge.merge.checks.generated import lock_file_conflicts

    found = deletion_conflicts(baseline.parsed.hunks, chosen)
    return found + lock_file_conflicts(baseline.path or "", chosen)


def _adaptations(
    baseline: GateBaseline,
    chosen: Mapping[int, Candidate],
    data: bytes,
    tree: Tree,
    regions: list[_Region],
) -> list[tuple[int, str]]:
    """Refusals of written merges that people would have adapted (santamerge.merge.checks): a side's
    systematic rewrite that the other side's lines missed, and a diagnostic that neither
    side has. Imported here, on first use: the driver pays for them only when it writes
    a merge."""
    from santamerge.merge.checks.diagnostics import new_diagnostics
    from santamerge.merge.checks.rewrites import missed_rewrites

    found = missed_rewrites(baseline, chosen)
    return found + new_diagnostics(baseline, chosen, data, tree, _spans(regions))


def _spans(regions: list[_Region]) -> list[tuple[int, int, int]]:
    return [(r.hunk, r.start, r.end) for r in regions]


def _new_duplicates(
    baseline: GateBaseline, tree: Tree, regions: list[_Region]
) -> list[tuple[int, DefinitionKey]]:
    """(hunk, key) for each name bound twice in the file with the choices, where neither
    side binds it twice, blamed on the choices that bind it. Only names bound inside a
    choice can be new, so only the choices' regions are queried; the names outside them
    are our side's, already known."""
    assert baseline.profile is not None and baseline.ours_keys is not None
    inside: list[tuple[int, DefinitionKey]] = []
    for r in regions:
        inside += [
            (r.hunk, key)
            for (a, b), key in bound_names(baseline.profile, tree, (r.start, r.end)).items()
            if r.start <= a and b <= r.end
        ]
    counts = Counter(key for _, key in inside)
    replaced = [(r.old_start, r.old_end) for r in regions]
    counts.update(
        key
        for (a, _), key in baseline.ours_keys.items()
        if not any(lo <= a < hi for lo, hi in replaced)
    )
    return sorted(
        {
            (i, key)
            for i, key in inside
            if counts[key] > 1 and key not in baseline.allowed_duplicates
        }
    )


def _new_key_duplicates(
    baseline: GateBaseline, data: bytes, tree: Tree, regions: list[_Region], whole: bool = False
) -> list[tuple[int, str]]:
    """(hunk, reason) for each key that one order-free parent (a dict, an object, a
    mapping, an enum: the ``@key`` captures of ``orderfree.scm``) holds twice, by value
    (santamerge.syntax.keys), in the file with the choices, where no side's parent that
    opens alike holds it twice. Each hunk is checked with the others, so that two hunks
    that each add one copy are caught (issue 22: ``words`` wrote ``"x"`` twice across
    two hunks). Only the parents of keys inside a choice are looked at, or, with
    ``whole``, every parent in the file; each is blamed on the choices that hold a
    copy, else on the nearest choice before it."""
    assert baseline.profile is not None
    profile = baseline.profile
    query = treesitter.query(profile, "orderfree")
    if query is None:
        return []
    parents: dict[tuple[int, int], Node] = {}
    spans = (
        [(0, tree.root_node.end_byte)]
        if whole
        else [(r.start, r.end) for r in regions if r.start < r.end]
    )
    for start, end in spans:
        for node, _ in _keyed_nodes(profile, query, tree.root_node, (start, end)):
            if node.parent is not None and start <= node.start_byte < end:
                parents.setdefault((node.parent.start_byte, node.parent.end_byte), node.parent)
    found: list[tuple[int, str]] = []
    for parent in parents.values():
        for value, copies in _repeated_keys(profile, query, parent).items():
            where = _opening(data, parent)
            if (where, value) in _side_key_duplicates(baseline):
                continue
            why = f"writes the key {value} twice in `{where}`, which neither side does"
            inside = [r.hunk for r in regions for a, _ in copies if r.start <= a < r.end]
            hunks = inside or _blame(*copies[0], regions)
            found += [(i, why) for i in dict.fromkeys(hunks)]
    return found


# Keyed children a parent may hold twice on purpose: TypeScript's overloaded methods.
_REPEATABLE_KEYED = frozenset({"method_signature"})


def _keyed_nodes(
    profile: LanguageProfile,
    query: Any,
    root: Node,
    byte_range: tuple[int, int],
    max_depth: int | None = None,
) -> list[tuple[Node, str]]:
    """The keyed children (with their keys, by value) of matches that meet
    ``byte_range``; with ``max_depth``, only matches that start that deep or less."""
    from tree_sitter import QueryCursor

    cursor = QueryCursor(query)
    cursor.set_byte_range(*byte_range)
    if max_depth is not None:
        cursor.set_max_start_depth(max_depth)
    found = []
    for _, match in cursor.matches(root):
        keys = match.get("key", [])
        for node in match.get("item", []) + match.get("keyed", []):
            if keys and node.type not in _REPEATABLE_KEYED:
                found += [(node, key_value(profile, key)) for key in keys]
    return found


def _repeated_keys(
    profile: LanguageProfile, query: Any, parent: Node
) -> dict[str, list[tuple[int, int]]]:
    """The keys that ``parent``'s own children hold more than once, with the spans of
    their copies. The query starts no deeper than the parent's children (a parent's
    rule may start at its own parent: a class's body), so a large parent costs its
    children, not everything inside them."""
    depth, up = 0, parent.parent
    while up is not None:
        depth, up = depth + 1, up.parent
    root = parent
    while root.parent is not None:
        root = root.parent
    spans: dict[str, set[tuple[int, int]]] = {}
    for node, value in _keyed_nodes(
        profile, query, root, (parent.start_byte, parent.end_byte), depth + 1
    ):
        if node.parent is not None and node.parent.id == parent.id:
            spans.setdefault(value, set()).add((node.start_byte, node.end_byte))
    return {value: sorted(s) for value, s in spans.items() if len(s) > 1}


def _opening(data: bytes, parent: Node) -> str:
    """Where a parent is, as a person reads it: the line it opens on (``D = {``)."""
    start = data.rfind(b"\n", 0, parent.start_byte) + 1
    end = data.find(b"\n", parent.start_byte)
    line = data[start : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
    return " ".join(line.split())[:60]


def _side_key_duplicates(baseline: GateBaseline) -> frozenset[tuple[str, str]]:
    """(opening, key) for each key that a parent holds twice in a side: allowed. Asked
    only when the merged file holds a key twice (a full query of both sides).

    The sides are the whole files where known: a key twice in either is allowed. Else
    each side spliced into git's merge stands in for it, and only a key twice in both
    is allowed: one spliced side may hold a key twice that neither side does (ours' key
    in a hunk, theirs' one in a line git merged cleanly), and a choice that repeats it
    would write it twice (issue 22)."""
    assert baseline.profile is not None and baseline.memo is not None
    if "key duplicates" not in baseline.memo:
        query = treesitter.query(baseline.profile, "orderfree")
        each: list[set[tuple[str, str]]] = []
        for k, side in enumerate(BOTH_SIDES):
            text = (
                baseline.sides[k]
                if baseline.sides is not None
                else baseline.parsed.splice({}, default=side)
            )
            tree = (
                baseline.ours_tree
                if side == "ours" and baseline.sides is None
                else treesitter.parse(baseline.profile, text)
            )
            assert tree is not None
            data = text.encode("utf-8")
            parents: dict[tuple[int, int], Node] = {}
            for node, _ in _keyed_nodes(
                baseline.profile, query, tree.root_node, (0, tree.root_node.end_byte)
            ):
                if node.parent is not None:
                    parents.setdefault((node.parent.start_byte, node.parent.end_byte), node.parent)
            each.append(
                {
                    (_opening(data, parent), value)
                    for parent in parents.values()
                    for value in _repeated_keys(baseline.profile, query, parent)
                }
            )
        found = each[0] | each[1] if baseline.sides is not None else each[0] & each[1]
        baseline.memo["key duplicates"] = frozenset(found)
    known: frozenset[tuple[str, str]] = baseline.memo["key duplicates"]
    return known


def _load_error(baseline: GateBaseline, data: bytes) -> tuple[str, int | None] | None:
    """Why a strict loader refuses the file with the choices (JSON with a key twice in
    one object, TOML that declares a table twice), and on which line if it says; None
    when it loads, or when a side does not (then it cannot tell whose fault it is).
    The sides are the whole files where known: where both load, the written file must
    (issue 22: git's merge with theirs spliced in may not load, its clean lines holding
    ours' dotted key and theirs' table, while both sides do). Else each side spliced
    into git's merge stands in, and one that loads is enough to refuse: the merge could
    load. YAML has no loader here (PyYAML is no dependency, and keeps the last of two
    keys silently); its keys are checked on the tree (:func:`_new_key_duplicates`)."""
    if baseline.profile is None or baseline.profile.name not in LOADERS:
        return None
    load = LOADERS[baseline.profile.name]
    failure = load(data.decode("utf-8", errors="replace"))
    if failure is None:
        return None
    assert baseline.memo is not None
    if "loads" not in baseline.memo:
        if baseline.sides is not None:
            baseline.memo["loads"] = all(load(side) is None for side in baseline.sides)
        else:
            baseline.memo["loads"] = any(
                load(baseline.parsed.splice({}, default=side)) is None for side in BOTH_SIDES
            )
    if not baseline.memo["loads"]:
        return None
    why, line = failure
    return f"{baseline.profile.name.upper()} does not load it: {why}", line


def spliced_tree(
    baseline: GateBaseline, chosen: Mapping[int, Candidate]
) -> tuple[bytes, Tree, list[_Region]]:
    """The file with each chosen candidate in its hunk (other hunks as ours), its tree
    (re-parsed incrementally from our side's), and where each choice lies in it."""
    assert baseline.profile is not None and baseline.ours_tree is not None
    data, regions = _spliced(baseline, chosen)
    tree = treesitter.reparse(
        baseline.profile,
        baseline.ours_tree,
        baseline.ours_text.encode("utf-8"),
        data,
        [(r.old_start, r.old_end, r.end - r.start) for r in regions],
    )
    return data, tree, regions


def _spliced(
    baseline: GateBaseline, chosen: Mapping[int, Candidate]
) -> tuple[bytes, list[_Region]]:
    parts: list[bytes] = []
    regions: list[_Region] = []
    size = shift = 0
    for chunk in baseline.parsed.chunks:
        if isinstance(chunk, str):
            piece = chunk.encode("utf-8")
        elif chunk.index in chosen:
            piece = chosen[chunk.index].text.encode("utf-8")
            ours = len(chunk.ours.encode("utf-8"))
            old_start = size - shift
            shift += len(piece) - ours
            regions.append(
                _Region(chunk.index, size, size + len(piece), shift, old_start, old_start + ours)
            )
        else:
            piece = chunk.ours.encode("utf-8")
        parts.append(piece)
        size += len(piece)
    return b"".join(parts), regions


def _error_spans(profile: LanguageProfile, tree: Tree) -> list[tuple[int, int]]:
    """The byte spans of the ERROR and MISSING nodes, and of misplaced statements."""
    spans = [(node.start_byte, node.end_byte) for node in error_nodes(tree.root_node)]
    return spans + [(a, b) for a, b, _ in misplaced(profile, tree.root_node)]


def count_faults(profile: LanguageProfile, tree: Tree) -> int:
    """ERROR and MISSING nodes, plus statements where the language forbids them."""
    return count_errors(tree.root_node) + len(misplaced(profile, tree.root_node))


# The declarations that must open a file, in order, before any other (Java, Go).
_HEADERS = {
    "java": ("package_declaration", "import_declaration"),
    "go": ("package_clause", "import_declaration"),
}


def misplaced(profile: LanguageProfile, root: Node) -> list[tuple[int, int, str]]:
    """Statements under ``root`` (a file's root node) in places the language forbids and
    the grammar allows: (start byte, end byte, what is wrong)."""
    found: list[tuple[int, int, str]] = []
    header = _HEADERS.get(profile.queries)
    if header is not None:
        stage = 0  # 0: the package may come; 1: imports may; 2: neither
        for node in root.children:
            if node.type in profile.comments or node.is_error:
                continue
            rank = header.index(node.type) if node.type in header else 2
            if rank < stage or (rank == 0 and stage > 0):
                found.append(
                    (
                        node.start_byte,
                        node.end_byte,
                        f"{node.type.replace('_', ' ')} after other declarations",
                    )
                )
            stage = max(stage, rank + (rank == 0))
    q = treesitter.query(profile, "misplaced")
    if q is None:
        return found
    captured = treesitter.captures(q, root)
    for node in captured.get("misplaced", []):
        found.append((node.start_byte, node.end_byte, f"{node.type} not allowed here"))
    for node in captured.get("toplevel", []):
        if not _at_module_level(node):
            found.append((node.start_byte, node.end_byte, f"{node.type} inside a block"))
    for node in captured.get("return", []):
        if enclosing_function(profile, node.parent) is None:
            found.append((node.start_byte, node.end_byte, "return outside a function"))
    for node in captured.get("await", []):
        function = enclosing_function(profile, node.parent)
        if function is not None and not any(c.type == "async" for c in function.children):
            found.append((node.start_byte, node.end_byte, "await outside an async function"))
    seen: set[tuple[int, str]] = set()
    for node in sorted(captured.get("lexical", []), key=lambda n: n.start_byte):
        declaration = node.parent
        block = declaration.parent if declaration is not None else None
        if declaration is not None and declaration.type == "variable_declarator":
            block = declaration.parent.parent if declaration.parent is not None else None
        if block is None:
            continue
        key = (block.id, treesitter.node_text(node))
        if key in seen:
            found.append((node.start_byte, node.end_byte, "a name declared twice in a block"))
        seen.add(key)
    return found


def _at_module_level(node: Node) -> bool:
    """In the program, or in the body of a TypeScript namespace or declared module."""
    parent = node.parent
    if parent is None or parent.type == "program":
        return True
    return (
        parent.type == "statement_block"
        and parent.parent is not None
        and (parent.parent.type in ("internal_module", "module"))
    )


def _inherited(start: int, end: int, regions: list[_Region], ours: set[tuple[int, int]]) -> bool:
    """True when the error span lies outside every choice and our side has the same
    error at the same place."""
    shift = 0
    for r in regions:
        if end <= r.start:
            break
        if start < r.end or (start == end == r.end):
            return False
        shift = r.shift
    return (start - shift, end - shift) in ours


def _blame(start: int, end: int, regions: list[_Region]) -> list[int]:
    inside = [
        r.hunk
        for r in regions
        if (start < r.end and r.start < end) or r.start <= start <= end <= r.end
    ]
    if inside:
        return inside
    before = [r for r in regions if r.end <= start]
    if before:
        return [before[-1].hunk]
    return [r.hunk for r in regions]


def _line_offset(data: bytes, line: int) -> int:
    """The byte offset where 0-based ``line`` starts (the end of the data past the end)."""
    offset = 0
    for _ in range(line):
        nl = data.find(b"\n", offset)
        if nl < 0:
            return len(data)
        offset = nl + 1
    return offset


def _repeated(keys: Iterable[DefinitionKey]) -> frozenset[DefinitionKey]:
    return frozenset(key for key, n in Counter(keys).items() if n > 1)

"""Fill stub bodies from the repository's own code (docs/fill.md).

For each stub (:mod:`santamerge.stubs.detect`): the model sees the file around the body (the
signature and docstring end the FIM prefix), and, ahead of it, related code
(:mod:`santamerge.stubs.retrieval`: definitions the file uses from other files and the
repository's most similar functions), all fitted to its context window. It samples ``n``
bodies, all sharing one prefill. Each is cut at the end of the function by tree-sitter
(not at a token count), then rejected if it is empty, breaks the parse or the body's
indentation, leaves the function a stub, does nothing (only comments, a docstring,
``pass``, imports, a lone name, literal or attribute, an empty ``return``), or (Python)
reads a name that nothing defines. The survivors are ranked by agreement (mean edit
similarity to the other surviving samples, as in self-consistency decoding) plus a
tenth of the model's mean log-probability per token. A body that is not a stub is
never touched: only the regions :func:`santamerge.stubs.detect.find_stubs` returns are.

Whether ``santamerge fill`` writes the chosen bodies or only proposes them depends on
measured evidence that the model's bodies are right (:mod:`santamerge.stubs.evidence`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from santamerge.model.budget import fit_around_gap
from santamerge.model.generate import Gap, fill_gaps
from santamerge.syntax.nodes import count_errors, function_at
from santamerge.syntax.offsets import byte_offset
from santamerge.syntax.python import python_syntax_error

if TYPE_CHECKING:
    from tree_sitter import Node

    from santamerge.languages.profiles import LanguageProfile
    from santamerge.model.backends.base import Backend
    from santamerge.stubs.detect import Stub

LP_WEIGHT = 0.1

# Rejection reasons, as `fill` prints them.
EMPTY = "empty"
BREAKS_PARSE = "breaks the parse"
BREAKS_INDENT = "breaks the indentation"
STILL_STUB = "still a stub"
DOES_NOTHING = "does nothing"  # only comments, a docstring, pass, imports, empty returns
UNDEFINED = "uses names defined nowhere"

# Statements that do nothing, by language: comments (the profile's), empty statements
# (and Python's imports), a lone name, literal or attribute read as a statement, a return
# of nothing.
_EMPTY_STATEMENTS = frozenset(
    {
        "pass_statement",
        "empty_statement",
        ";",
        "import_statement",
        "import_from_statement",
    }
)
_INERT = frozenset(
    {
        "identifier",
        "string",
        "concatenated_string",
        "integer",
        "float",
        "true",
        "false",
        "none",
        "ellipsis",
        "number",
        "null",
        "undefined",
        "template_string",
        "string_literal",
        "decimal_integer_literal",
        "null_literal",
        "nil",
        "int_literal",
        "float_literal",
        "interpreted_string_literal",
        "raw_string_literal",
        "integer_literal",
        "boolean_literal",
        "unit_expression",
        # a lone attribute read: Python, JavaScript/TypeScript, Java, Go, Rust
        "attribute",
        "member_expression",
        "field_access",
        "selector_expression",
        "field_expression",
        "scoped_identifier",
    }
)
_NOTHING = frozenset({"none", "null", "undefined", "null_literal", "nil", "unit_expression"})


class Body(NamedTuple):
    text: str
    mean_logprob: float
    consensus: float | None  # agreement with the other surviving samples; None: no other
    score: float
    rejected: tuple[str, ...]
    copies: int = 1  # how many of the samples gave this body


class Filled(NamedTuple):
    stub: Stub
    chosen: Body | None
    bodies: tuple[Body, ...]
    notes: tuple[str, ...] = ()  # checks that could not be made, and why

    @property
    def sampled(self) -> int:
        """How many bodies were sampled (duplicates included)."""
        return sum(b.copies for b in self.bodies)

    @property
    def survived(self) -> int:
        """How many of the samples passed every check (duplicates included)."""
        return sum(b.copies for b in self.bodies if not b.rejected)


def fill_text(
    backend: Backend,
    path: str,
    text: str,
    root: str | None,
    n: int = 4,
    only: str | None = None,
    max_new_tokens: int = 192,
    progress: Callable[[int], None] | None = None,
) -> tuple[str, list[Filled]]:
    """``text`` with every stub (or the one named ``only``) filled where some body
    survives, and what happened to each stub."""
    from santamerge.languages.profiles import language_for_path
    from santamerge.stubs.detect import find_stubs, named_by

    profile = language_for_path(path)
    stubs = [s for s in find_stubs(path, text) if named_by(s, only)]
    if profile is None or not stubs:
        return text, []
    results = []
    for stub in stubs:
        results.append(fill_stub(backend, profile, path, text, root, stub, n, max_new_tokens))
        if progress:
            progress(1)
    out = text
    for filled in sorted(results, key=lambda f: -f.stub.start):
        if filled.chosen is not None:
            out = out[: filled.stub.start] + filled.chosen.text + out[filled.stub.end :]
    return out, results


def fill_stub(
    backend: Backend,
    profile: LanguageProfile,
    path: str,
    text: str,
    root: str | None,
    stub: Stub,
    n: int,
    max_new_tokens: int,
) -> Filled:
    from santamerge.model.budget import context_window, token_counter
    from santamerge.stubs.retrieval import retrieve_related

    prefix, suffix = text[: stub.start], text[stub.end :]
    # Python: the body's first indentation goes into the prompt, so that the model starts
    # with the statement (a weak model otherwise guesses the depth, often wrongly).
    lead = stub.indent if profile.name == "python" and prefix.endswith("\n") else ""
    prefix += lead
    context_length, count = context_window(backend), token_counter(backend)
    budget = context_length - max_new_tokens - 16
    focus = text[max(0, stub.start - 600) : stub.start]
    related = retrieve_related(
        root, path, text, focus, stub.name.rsplit(".", 1)[-1], count, budget // 2
    )
    used = sum(count(f.path) + count(f.text) + 4 for f in related)
    before, after = fit_around_gap(prefix, suffix, count, max(0, budget - used))
    (found,) = fill_gaps(
        backend,
        [Gap(before, after, related, path)],
        n=n,
        max_new_tokens=max_new_tokens,
        temperature=0.8,
        top_p=0.95,
    )
    samples = [
        (lead + cut_body(profile, prefix, c.text), c.logprob / max(1, len(c.token_logprobs)))
        for c in found
    ]
    return judge_samples(profile, text, stub, samples)


def judge_samples(
    profile: LanguageProfile, text: str, stub: Stub, samples: Sequence[tuple[str, float]]
) -> Filled:
    """Judge and rank sampled bodies (each with its mean log-probability per token) for
    ``stub`` of ``text``; identical bodies are judged once and counted."""
    counts: dict[str, int] = {}
    lps: dict[str, float] = {}
    for body, lp in samples:
        counts[body] = counts.get(body, 0) + 1
        lps.setdefault(body, lp)
    notes: list[str] = []
    bodies = [
        _judge(profile, text, stub, body, lps[body], notes)._replace(copies=k)
        for body, k in counts.items()
    ]
    chosen, ordered = _rank(bodies)
    return Filled(stub, chosen, ordered, tuple(dict.fromkeys(notes)))


def cut_body(profile: LanguageProfile, prefix: str, generated: str) -> str:
    """``generated`` cut where tree-sitter ends the function it continues."""
    from santamerge.treesitter import parse

    source = prefix + generated
    data = source.encode("utf-8")
    start = byte_offset(source, len(prefix))
    tree = parse(profile, source)
    node = function_at(profile, tree.root_node, max(0, start - 1))
    if node is None:
        return generated
    if profile.name == "python":
        end = node.end_byte
        if end <= start:
            return ""
        cut = data[start:end].decode("utf-8", "replace")
        rest = generated[len(cut) :]
        return cut + ("\n" if rest.startswith("\n") or not rest else "")
    body = node.child_by_field_name("body")
    closing = body.children[-1] if body is not None and body.children else None
    if (
        closing is not None
        and closing.type == "}"
        and not closing.is_missing
        and (closing.start_byte >= start)
    ):
        return data[start : closing.start_byte].decode("utf-8", "replace")
    return generated


def _judge(
    profile: LanguageProfile,
    text: str,
    stub: Stub,
    body: str,
    mean_logprob: float,
    notes: list[str] | None = None,
) -> Body:
    from santamerge.stubs.detect import find_stubs
    from santamerge.treesitter import parse

    rejected: list[str] = []
    new_text = text[: stub.start] + body + text[stub.end :]
    tree = parse(profile, new_text)
    if not body.strip():
        rejected.append(EMPTY)
    elif profile.name == "python" and all(
        line.lstrip().startswith("#") for line in body.splitlines() if line.strip()
    ):
        rejected.append(DOES_NOTHING)  # only comments: not even a statement
    elif count_errors(tree.root_node) > count_errors(parse(profile, text).root_node):
        rejected.append(BREAKS_PARSE)
    if (
        profile.name == "python"
        and not rejected
        and (_first_indent(body) != stub.indent or (_compiles(text) and not _compiles(new_text)))
    ):
        rejected.append(BREAKS_INDENT)  # tree-sitter forgives what Python won't
    if not rejected and any(s.name == stub.name for s in find_stubs(stub.path, new_text)):
        rejected.append(STILL_STUB)
    if not rejected and does_nothing(profile, tree.root_node, new_text, stub.start):
        rejected.append(DOES_NOTHING)
    if not rejected and profile.name == "python":
        missing = undefined_names(new_text, stub.line, stub.name.rsplit(".", 1)[-1])
        if missing is None:
            if notes is not None:
                notes.append(
                    "names not checked: the file has a `from ... import *`"
                    if _star_import(new_text)
                    else "names not checked: Python does not compile the file"
                )
        elif missing:
            rejected.append(f"{UNDEFINED} ({', '.join(missing)})")
    return Body(body, mean_logprob, None, 0.0, tuple(rejected))


def does_nothing(profile: LanguageProfile, root: Node, text: str, start: int) -> bool:
    """Whether the function whose body starts at character ``start`` of ``text`` only
    holds statements that do nothing (see the module docstring)."""
    node = function_at(profile, root, max(0, byte_offset(text, start) - 1))
    body = node.child_by_field_name("body") if node is not None else None
    if body is None:
        return False
    statements = []
    for child in body.named_children:
        if child.type == "statement_list":  # Go
            statements.extend(child.named_children)
        else:
            statements.append(child)
    return all(_inert(profile, s) for s in statements)


def _inert(profile: LanguageProfile, statement: Node) -> bool:
    kind = statement.type
    if kind in profile.comments or kind in _EMPTY_STATEMENTS:
        return True
    children = statement.named_children
    if kind == "expression_statement":
        if len(children) == 1 and children[0].type == "return_expression":  # Rust `return;`
            return _inert(profile, children[0])
        return len(children) == 1 and children[0].type in _INERT
    if kind in ("return_statement", "return_expression"):
        values = [c for c in children if c.type not in profile.comments]
        if len(values) == 1 and values[0].type == "expression_list":  # Go
            values = list(values[0].named_children)
        return not values or (len(values) == 1 and values[0].type in _NOTHING)
    return kind == "unit_expression"  # Rust: `()` as the tail


def undefined_names(source: str, line: int, name: str) -> list[str] | None:
    """The names that the Python function ``name`` defined on ``line`` (its ``def``
    line) reads,
    in its body or the scopes nested in it, and that nothing defines: not the module
    (assignments, imports, definitions, ``global`` assignments anywhere), not an
    enclosing function, not the builtins. [] when all are defined; None when it cannot
    be known: the file has a ``from ... import *``, or Python does not compile it."""
    import builtins
    import symtable
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if _star_import(source):
                return None
            top = symtable.symtable(source, "<fill>", "exec")
    except (SyntaxError, ValueError):
        return None
    defined = set(dir(builtins)) | {
        "__file__",
        "__builtins__",
        "__cached__",
        "__path__",
        "__annotations__",
    }
    tables = [top]
    target: symtable.SymbolTable | None = None
    while tables:
        table = tables.pop()
        for symbol in table.get_symbols():
            module_level = table is top and (symbol.is_assigned() or symbol.is_imported())
            if module_level or (symbol.is_declared_global() and symbol.is_assigned()):
                defined.add(symbol.get_name())
        if (
            target is None
            and table.get_type() == "function"
            and (table.get_lineno(), table.get_name()) == (line, name)
        ):
            target = table
        tables.extend(table.get_children())
    if target is None:
        return None
    missing: set[str] = set()
    inside = [target]
    while inside:
        table = inside.pop()
        for symbol in table.get_symbols():
            if symbol.is_referenced() and symbol.is_global() and (symbol.get_name() not in defined):
                missing.add(symbol.get_name())
        inside.extend(table.get_children())
    return sorted(missing)


def _star_import(source: str) -> bool:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
        for node in ast.walk(tree)
    )


def _first_indent(body: str) -> str:
    line = next((line for line in body.splitlines() if line.strip()), "")
    return line[: len(line) - len(line.lstrip())]


def _compiles(source: str) -> bool:
    return python_syntax_error(source) is None


def _rank(bodies: Sequence[Body]) -> tuple[Body | None, tuple[Body, ...]]:
    """Agreement of each surviving body with the other surviving *samples* (a body that
    several samples gave agrees fully with its copies), plus a tenth of its mean
    log-probability. A lone surviving sample has no agreement to measure (None)."""
    from rapidfuzz.distance import Levenshtein

    alive = [b for b in bodies if not b.rejected]
    scored = []
    for b in bodies:
        if b.rejected:
            scored.append(b)
            continue
        others = sum(o.copies for o in alive) - 1
        if others <= 0:
            consensus = None
        else:
            consensus = round(
                (
                    b.copies
                    - 1
                    + sum(
                        o.copies * Levenshtein.normalized_similarity(b.text, o.text)
                        for o in alive
                        if o is not b
                    )
                )
                / others,
                4,
            )
        score = (consensus or 0.0) + LP_WEIGHT * b.mean_logprob
        scored.append(b._replace(consensus=consensus, score=round(score, 4)))
    ordered = tuple(sorted(scored, key=lambda b: (bool(b.rejected), -b.score)))
    chosen = ordered[0] if ordered and not ordered[0].rejected else None
    return chosen, ordered

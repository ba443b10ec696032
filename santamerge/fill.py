"""Fill stub bodies from the repository's own code (docs/fill.md).

For each stub (:mod:`santamerge.stubs`): the model sees the file around the body (the
signature and docstring end the FIM prefix), and, ahead of it, definitions the file uses
from other files and the repository's most similar functions
(:mod:`santamerge.repocontext`), all fitted to its context window. It samples ``n``
bodies, all sharing one prefill. Each is cut at the end of the function by tree-sitter
(not at a token count), then rejected if it breaks the parse, breaks the body's
indentation, is empty, or leaves the function a stub. The rest are ranked by consensus
(mean edit similarity to the other surviving bodies, as in self-consistency decoding)
plus a tenth of the model's mean log-probability per token. A body that is not a stub
is never touched: only the regions :func:`santamerge.stubs.find_stubs` returns are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from santamerge.context import fit_around_gap
from santamerge.generate import Gap, fill_gaps

if TYPE_CHECKING:
    from tree_sitter import Node

    from santamerge.backends import Backend
    from santamerge.languages import LanguageProfile
    from santamerge.stubs import Stub

LP_WEIGHT = 0.1
FUNCTION_TYPES = frozenset({
    "function_definition", "function_declaration", "method_definition", "arrow_function",
    "function_expression", "function", "generator_function_declaration",
    "method_declaration", "constructor_declaration", "func_literal", "function_item",
})


class Body(NamedTuple):
    text: str
    mean_logprob: float
    consensus: float
    score: float
    rejected: tuple[str, ...]


class Filled(NamedTuple):
    stub: Stub
    chosen: Body | None
    bodies: tuple[Body, ...]


def fill_text(backend: Backend, path: str, text: str, root: str | None, n: int = 4,
              only: str | None = None, max_new_tokens: int = 192,
              progress: Callable[[int], None] | None = None) -> tuple[str, list[Filled]]:
    """``text`` with every stub (or the one named ``only``) filled where some body
    survives, and what happened to each stub."""
    from santamerge.languages import language_for_path
    from santamerge.stubs import find_stubs

    profile = language_for_path(path)
    stubs = [s for s in find_stubs(path, text)
             if only is None or only in (s.name, s.name.rsplit(".", 1)[-1])]
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
            out = out[:filled.stub.start] + filled.chosen.text + out[filled.stub.end:]
    return out, results


def fill_stub(backend: Backend, profile: LanguageProfile, path: str, text: str,
              root: str | None, stub: Stub, n: int, max_new_tokens: int) -> Filled:
    from santamerge.middles import token_counter
    from santamerge.repocontext import repository_context

    prefix, suffix = text[:stub.start], text[stub.end:]
    # Python: the body's first indentation goes into the prompt, so that the model starts
    # with the statement (a weak model otherwise guesses the depth, often wrongly).
    lead = stub.indent if profile.name == "python" and prefix.endswith("\n") else ""
    prefix += lead
    context_length, count = token_counter(backend)
    budget = context_length - max_new_tokens - 16
    focus = text[max(0, stub.start - 600):stub.start]
    files = repository_context(root, path, text, focus, stub.name.rsplit(".", 1)[-1],
                               count, budget // 2)
    used = sum(count(f.path) + count(f.text) + 4 for f in files)
    before, after = fit_around_gap(prefix, suffix, count, max(0, budget - used))
    (found,) = fill_gaps(backend, [Gap(before, after, files, path)], n=n,
                         max_new_tokens=max_new_tokens, temperature=0.8, top_p=0.95)
    raw = list(dict.fromkeys(c.text for c in found))
    lps = {c.text: c.logprob / max(1, len(c.token_logprobs)) for c in found}
    bodies = [_judge(profile, text, stub, lead + cut_body(profile, prefix, t), lps[t])
              for t in raw]
    return Filled(stub, *_rank(bodies))


def cut_body(profile: LanguageProfile, prefix: str, generated: str) -> str:
    """``generated`` cut where tree-sitter ends the function it continues."""
    from santamerge.treesitter import parse

    source = prefix + generated
    data = source.encode("utf-8")
    start = len(prefix.encode("utf-8"))
    tree = parse(profile, source)
    anchor = max(0, start - 1)
    node: Node | None = tree.root_node.descendant_for_byte_range(anchor, anchor)
    while node is not None and node.type not in FUNCTION_TYPES:
        node = node.parent
    if node is None:
        return generated
    if profile.name == "python":
        end = node.end_byte
        if end <= start:
            return ""
        cut = data[start:end].decode("utf-8", "replace")
        rest = generated[len(cut):]
        return cut + ("\n" if rest.startswith("\n") or not rest else "")
    body = node.child_by_field_name("body")
    closing = body.children[-1] if body is not None and body.children else None
    if closing is not None and closing.type == "}" and not closing.is_missing and (
            closing.start_byte >= start):
        return data[start:closing.start_byte].decode("utf-8", "replace")
    return generated


def _judge(profile: LanguageProfile, text: str, stub: Stub, body: str,
           mean_logprob: float) -> Body:
    from santamerge.stubs import find_stubs
    from santamerge.treesitter import count_errors, parse

    rejected = []
    new_text = text[:stub.start] + body + text[stub.end:]
    if not body.strip():
        rejected.append("empty")
    elif count_errors(parse(profile, new_text).root_node) > count_errors(
            parse(profile, text).root_node):
        rejected.append("breaks the parse")
    if profile.name == "python" and not rejected and (
            _first_indent(body) != stub.indent or (_compiles(text) and not _compiles(new_text))):
        rejected.append("breaks the indentation")  # tree-sitter forgives what Python won't
    if not rejected and any(s.name == stub.name for s in find_stubs(stub.path, new_text)):
        rejected.append("still a stub")
    return Body(body, mean_logprob, 0.0, 0.0, tuple(rejected))


def _first_indent(body: str) -> str:
    line = next((line for line in body.splitlines() if line.strip()), "")
    return line[:len(line) - len(line.lstrip())]


def _compiles(source: str) -> bool:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are not ours
            ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _rank(bodies: Sequence[Body]) -> tuple[Body | None, tuple[Body, ...]]:
    from rapidfuzz.distance import Levenshtein

    alive = [b for b in bodies if not b.rejected]
    scored = []
    for b in bodies:
        if b.rejected:
            scored.append(b)
            continue
        others = [o.text for o in alive if o is not b]
        consensus = (sum(Levenshtein.normalized_similarity(b.text, o) for o in others)
                     / len(others)) if others else 1.0
        scored.append(b._replace(consensus=round(consensus, 4),
                                 score=round(consensus + LP_WEIGHT * b.mean_logprob, 4)))
    ordered = tuple(sorted(scored, key=lambda b: (bool(b.rejected), -b.score)))
    chosen = ordered[0] if ordered and not ordered[0].rejected else None
    return chosen, ordered

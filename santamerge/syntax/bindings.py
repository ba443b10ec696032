"""Definitions and bindings: the names a file binds (``grammars/<lang>/definitions.scm``
and ``imports.scm``), each with its key, (scope, name). The scope is the names of the
definitions around it, plus the query's ``@scope`` captures (a Go receiver, a Rust
impl); a name is read by value (santamerge.syntax.keys), and where a language overloads,
it carries its signature (``format(Locale)``). The gates count names bound twice, the
tree merge matches children by them, the clean-merge check finds clashes with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from santamerge import treesitter
from santamerge.syntax.keys import key_node, key_value
from santamerge.syntax.nodes import ancestors

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

    from santamerge.languages.profiles import LanguageProfile

DefinitionKey = tuple[tuple[str, ...], str]


def dotted(key: DefinitionKey) -> str:
    """A key as a person reads it: ``Config.load``."""
    scope, name = key
    return ".".join((*scope, name))


class _Binding(NamedTuple):
    node: Node  # the definition (or import) that binds the name
    name: str  # with its signature, for languages with overloading: "format(Locale)"
    scope: tuple[str, ...]  # extra scope from the query: a Go receiver, a Rust impl
    is_import: bool  # an import binds a name but opens no scope


def bound_names(
    profile: LanguageProfile,
    tree: Tree,
    byte_range: tuple[int, int] | None = None,
) -> dict[tuple[int, int], DefinitionKey]:
    """Each bound name's (scope, name), by the span of its name node. The scope is the
    enclosing definitions' names, plus the query's ``@scope`` captures. With
    ``byte_range``, only matches that intersect it (enclosing definitions included)."""
    return {span: key for span, key, _ in _keyed(_bindings(profile, tree, byte_range))}


def definitions(
    profile: LanguageProfile, tree: Tree, byte_range: tuple[int, int] | None = None
) -> list[tuple[DefinitionKey, Node]]:
    """Every definition in ``tree`` (imports left out; with ``byte_range``, those whose
    match meets it), with its (scope, name) key, in the order of the file."""
    found = [
        (key, b.node)
        for _, key, b in _keyed(_bindings(profile, tree, byte_range))
        if not b.is_import
    ]
    return sorted(found, key=lambda item: item[1].start_byte)


def _keyed(
    bindings: dict[tuple[int, int], _Binding],
) -> list[tuple[tuple[int, int], DefinitionKey, _Binding]]:
    """Each binding with its (scope, name) key, by the span of its name node."""
    by_node = {
        (b.node.start_byte, b.node.end_byte): b.name for b in bindings.values() if not b.is_import
    }
    return [
        (span, ((*_scope(b.node, by_node), *b.scope), b.name), b) for span, b in bindings.items()
    ]


def _bindings(
    profile: LanguageProfile,
    tree: Tree,
    byte_range: tuple[int, int] | None,
) -> dict[tuple[int, int], _Binding]:
    """One binding per name node; where two matches share it, the outermost node wins and
    the scope and signature come from whichever match has them."""
    found: dict[tuple[int, int], _Binding] = {}
    for query_name, node_capture in (("definitions", "definition"), ("imports", "import")):
        query = treesitter.query(profile, query_name)
        if query is None:
            continue
        for match in treesitter.matches(query, tree.root_node, byte_range):
            if not match.get("name") or not match.get(node_capture):
                continue
            node, name_node = match[node_capture][0], key_node(match["name"][0])
            # by value: "beta" and "bet\u0061" are one JSON key (santamerge.syntax.keys)
            new = _Binding(
                node,
                _signed(key_value(profile, name_node), match),
                tuple(treesitter.node_text(n) for n in match.get("scope", [])),
                is_import=node_capture == "import",
            )
            key = (name_node.start_byte, name_node.end_byte)
            found[key] = _merge(found.get(key), new)
    return found


def _signed(name: str, match: dict[str, list[Node]]) -> str:
    if "params" not in match:
        return name
    types = ",".join(" ".join(treesitter.node_text(n).split()) for n in match.get("signature", []))
    return f"{name}({types})"


def _merge(held: _Binding | None, new: _Binding) -> _Binding:
    if held is None:
        return new
    outer = held.node if _contains(held.node, new.node) else new.node
    name = max(held.name, new.name, key=len)
    return _Binding(outer, name, held.scope or new.scope, held.is_import)


def _contains(outer: Node, inner: Node) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _scope(node: Node, by_node: dict[tuple[int, int], str]) -> tuple[str, ...]:
    """The names of the definitions around ``node``. A parent with the span of the node
    itself, or of a parent already counted, is the same place (a TOML file's document
    and its only table), not another scope."""
    names = []
    seen = {(node.start_byte, node.end_byte)}
    for parent in ancestors(node):
        span = (parent.start_byte, parent.end_byte)
        name = by_node.get(span)
        if name is not None and span not in seen:
            names.append(name)
        seen.add(span)
    return tuple(reversed(names))

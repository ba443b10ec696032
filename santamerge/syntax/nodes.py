"""Walks over a parsed tree: up to the enclosing function or the scopes around a
definition, and down to the ERROR and MISSING nodes. Walks are iterative: real files
nest deeper than Python's recursion limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from santamerge.languages.profiles import LanguageProfile


def ancestors(node: Node) -> Iterator[Node]:
    """The nodes around ``node``, innermost first (``node`` itself left out)."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def enclosing_function(profile: LanguageProfile, node: Node | None) -> Node | None:
    """``node`` when it is a function (``profile.functions``), else the innermost
    function around it; None outside every function."""
    while node is not None and node.type not in profile.functions:
        node = node.parent
    return node


def function_at(profile: LanguageProfile, root: Node, byte: int) -> Node | None:
    """The innermost function that holds byte offset ``byte`` under ``root``."""
    return enclosing_function(profile, root.descendant_for_byte_range(byte, byte))


def scope_names(profile: LanguageProfile, definition: Node) -> list[str]:
    """The names that qualify a definition's own, outermost first: its class's
    (``profile.scopes``), a Go method's receiver type, a Rust ``impl``'s type."""
    from santamerge import treesitter

    if profile.name == "go":
        receiver = definition.child_by_field_name("receiver")
        type_name = _first_of_type(receiver, "type_identifier") if receiver else None
        return [treesitter.node_text(type_name)] if type_name is not None else []
    names: list[str] = []
    for node in ancestors(definition):
        if profile.name == "rust" and node.type == "impl_item":
            type_node = node.child_by_field_name("type")
            type_name = _first_of_type(type_node, "type_identifier") if type_node else None
            if type_name is not None:
                names.append(treesitter.node_text(type_name))
        elif node.type in profile.scopes:
            named = node.child_by_field_name("name")
            if named is not None:
                names.append(treesitter.node_text(named))
    return names[::-1]


def _first_of_type(node: Node, kind: str) -> Node | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            return current
        stack.extend(reversed(current.named_children))
    return None


def error_nodes(node: Node) -> Iterator[Node]:
    """The ERROR and MISSING nodes under ``node`` (itself included); only subtrees that
    hold an error are walked."""
    stack = [node]
    while stack:
        current = stack.pop()
        if not current.has_error:
            continue
        if current.is_error or current.is_missing:
            yield current
        stack.extend(current.children)


def count_errors(node: Node) -> int:
    """The number of ERROR and MISSING nodes under ``node``."""
    return sum(1 for _ in error_nodes(node))

"""A key's identity: its value as the language reads it, not its spelling.

Python's ``"timeout"`` and ``'timeout'``, JSON's ``"beta"`` and ``"bet\\u0061"``, YAML's
``beta``, ``"beta"`` and ``'beta'``, TOML's ``beta`` and ``"beta"``, JavaScript's
``beta:``, ``'beta':`` and ``"beta":`` are each one key. Compared by their text, a
merge that keeps both sides' spelling writes the key twice: the language keeps one of
the values, silently, or refuses the file (issue 22). :func:`key_value` gives a key's
canonical spelling, the same for every spelling of one key and different for different
keys; wherever it cannot read a spelling (an f-string, a computed key, an escape it does
not know), it gives the text as it is, which is what was compared before.

Reading two different keys as one would only make the merge refuse more (both sides
then changed one key), never write less; the readers still try to be exact.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

    from santamerge.languages.profiles import LanguageProfile


def key_node(node: Node) -> Node:
    """The whole key for a capture of part of it (a JSON string's content)."""
    if node.type in ("string_content", "string_fragment"):
        parent = node.parent
        if parent is not None and parent.type == "string":
            return parent
    return node


def key_value(profile: LanguageProfile, node: Node) -> str:
    """The canonical spelling of the key ``node`` (see the module's text)."""
    node = key_node(node)
    text = (node.text or b"").decode("utf-8", errors="replace")
    reader = _READERS.get(profile.queries)
    if reader is None:
        return text
    plain = _plain(profile.queries, text)
    if plain is not None:
        return plain
    try:
        value = reader(node, text)
    except (
        ValueError,
        SyntaxError,
        TypeError,
        KeyError,
        RecursionError,
        MemoryError,
        OverflowError,
        IndexError,
    ):
        value = None
    return text if value is None else value


def _plain(language: str, text: str) -> str | None:
    """The canonical spelling of most keys, without a reader's parse: a name is its own
    (not YAML's ``true`` or ``null``, nor Python's ``True``: 1 and True are one key), and
    a double-quoted string without escapes is its own in Python, JSON and Go and its
    content in JavaScript and YAML. None: ask the reader."""
    if text.isidentifier():
        return None if language == "yaml" or text in ("True", "False", "None") else text
    if (
        len(text) > 1
        and text[0] == text[-1] == '"'
        and '"' not in text[1:-1]
        and "\\" not in text
        and text.isprintable()
    ):
        if language in ("python", "json", "go"):
            return text
        if language in ("javascript", "typescript", "yaml"):
            return text[1:-1]
    return None


# -- the readers: (node, its text) -> the canonical spelling, or None ------------------


def _python(node: Node, text: str) -> str | None:
    """A literal as Python evaluates it: strings (any quotes, prefixes, escapes, or
    concatenated) as JSON writes them; ``1``, ``1.0`` and ``True`` as one number, as a
    dict holds them. Names and expressions: None (their text)."""
    if text.isidentifier() and text not in ("True", "False", "None"):
        return None
    if node.type not in (
        "string",
        "concatenated_string",
        "integer",
        "float",
        "true",
        "false",
        "none",
        "tuple",
        "unary_operator",
    ):
        return None
    import ast

    return _python_spelling(ast.literal_eval(text))


def _python_spelling(value: object) -> str | None:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, tuple):
        parts = [_python_spelling(v) for v in value]
        if any(p is None for p in parts):
            return None
        return "(" + ", ".join(p for p in parts if p is not None) + ",)"
    if isinstance(value, bytes | complex) or value is None:
        return repr(value)
    return None


def _json(node: Node, text: str) -> str | None:
    if node.type != "string":
        return None
    value = json.loads(text)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else None


def _javascript(node: Node, text: str) -> str | None:
    """A property's name as a string: ``beta``, ``'beta'``, ``"beta"`` and ``"bet\\u0061"``
    are one name; numbers as JavaScript writes them (``1``, ``1.0`` and ``0x1`` are
    ``1``). Computed names (``[k]``) and private names (``#k``): None."""
    if node.type in ("property_identifier", "identifier", "shorthand_property_identifier"):
        return text
    if node.type == "string" and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return _unescape(text[1:-1], _JS_ESCAPES)
    if node.type == "number":
        return _js_number(text)
    return None


def _js_number(text: str) -> str | None:
    digits = text.replace("_", "")
    if digits[:2].lower() in ("0x", "0o", "0b"):
        return str(int(digits, 0))
    if re.fullmatch(r"\d+", digits) and not (len(digits) > 1 and digits[0] == "0"):
        return str(int(digits))  # a leading 0 is legacy octal: left as it is
    if re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", digits):
        value = float(digits)
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
    return None


def _yaml(node: Node, text: str) -> str | None:
    """A scalar key: plain, single- or double-quoted strings as one string; a plain
    scalar that YAML reads as a number, a boolean or null keeps its type. A key with a
    tag, an anchor or several lines: None."""
    if node.type == "flow_node":
        named = node.named_children
        if len(named) != 1:
            return None
        node, text = named[0], (named[0].text or b"").decode("utf-8", errors="replace")
    if "\n" in text:
        return None
    if node.type == "plain_scalar":
        inner = node.named_children
        kind = inner[0].type if len(inner) == 1 else "string_scalar"
        return text.strip() if kind == "string_scalar" else f"!!{kind} {text.strip()}"
    if node.type == "single_quote_scalar" and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if node.type == "double_quote_scalar" and len(text) >= 2:
        return _unescape(text[1:-1], _YAML_ESCAPES)
    return None


def _toml(node: Node, text: str) -> str | None:
    """A key as TOML reads it (tomllib, on ``key = 0``): its parts, bare where TOML
    allows, else quoted, joined by dots: ``beta`` and ``"beta"`` are one key, and
    ``a."b".c`` is ``a.b.c``."""
    if node.type not in ("bare_key", "quoted_key", "dotted_key") or "\n" in text:
        return None
    import tomllib

    found: object = tomllib.loads(f"{text} = 0")
    parts = []
    while isinstance(found, dict):
        ((part, found),) = found.items()
        parts.append(
            part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part, ensure_ascii=False)
        )
    return ".".join(parts)


def _go(node: Node, text: str) -> str | None:
    """A map literal's string key: interpreted (``"a"``) and raw (```a```) as one."""
    if node.type == "literal_element" and len(node.named_children) == 1:
        node = node.named_children[0]
        text = (node.text or b"").decode("utf-8", errors="replace")
    if node.type == "raw_string_literal" and len(text) >= 2:
        return json.dumps(text[1:-1].replace("\r", ""), ensure_ascii=False)
    if node.type == "interpreted_string_literal" and len(text) >= 2:
        value = _unescape(text[1:-1], _GO_ESCAPES)
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return None


# -- escapes ---------------------------------------------------------------------------

_SIMPLE: dict[str, str | int] = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_JS_ESCAPES: dict[str, str | int] = {**_SIMPLE, "0": "\0", "x": 2, "u": 4, "u{": 0}
_YAML_ESCAPES: dict[str, str | int] = {
    **_SIMPLE,
    "0": "\0",
    "a": "\a",
    "e": "\x1b",
    " ": " ",
    "\t": "\t",
    "/": "/",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
    "x": 2,
    "u": 4,
    "U": 8,
}
_GO_ESCAPES: dict[str, str | int] = {**_SIMPLE, "a": "\a", "x": 2, "u": 4, "U": 8}
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|.)", re.DOTALL)
_HEX = frozenset("0123456789abcdefABCDEF")


def _unescape(body: str, escapes: dict[str, str | int]) -> str | None:
    """``body`` with its backslash escapes read by ``escapes`` (a character, or the
    number of hex digits that follow); None at an escape it does not hold (a legacy
    octal escape, a line continuation): then the text is compared as it is."""
    out, at = [], 0
    for match in _ESCAPE.finditer(body):
        if match.start() < at:
            continue  # inside the hex digits of the escape before
        out.append(body[at : match.start()])
        code = match.group(1)
        at = match.end()
        if code.startswith("u{") and len(code) > 2:
            if "u{" not in escapes:
                return None
            out.append(chr(int(code[2:-1], 16)))
            continue
        meaning = escapes.get(code)
        if code == "0" and body[at : at + 1].isdigit():
            return None  # \01: an octal escape
        if isinstance(meaning, int):
            digits = body[at : at + meaning]
            if len(digits) < meaning or not set(digits) <= _HEX:
                return None
            out.append(chr(int(digits, 16)))
            at += meaning
            continue
        if meaning is None:
            if code.isalnum() or code in "\r\n\u2028\u2029":
                return None
            meaning = code  # \\, \", \' and an escaped punctuation mark are the mark
        out.append(meaning)
    out.append(body[at:])
    return "".join(out)


_READERS: dict[str, Callable[[Node, str], str | None]] = {
    "python": _python,
    "json": _json,
    "javascript": _javascript,
    "typescript": _javascript,
    "yaml": _yaml,
    "toml": _toml,
    "go": _go,
}

"""Stub detection: functions whose body is only a placeholder, for ``santamerge fill``.

The structural part is in ``grammars/<lang>/stubs.scm`` (each function or method with a
body: ``@definition``, ``@name``, ``@body``); whether a body holds *only* a placeholder
is decided here, by counting the body's statements and reading comment and message
texts.

What is a stub, by language (a body may also hold comments; see "Comments" below):

- **python**: ``pass``; ``...``; ``raise NotImplementedError`` or
  ``raise NotImplementedError(...)``; each optionally after a docstring. A body that is
  only a docstring is not a stub. Not stubs: functions decorated with
  ``@abstractmethod`` / ``@overload`` (also ``abc.`` / ``typing.`` qualified, and
  ``abstractproperty``, ``abstractclassmethod``, ``abstractstaticmethod``), direct
  members of a class deriving from ``Protocol``, and everything in a ``.pyi`` file.
- **javascript / typescript / tsx**: an empty body; ``throw new Error("...")`` (or
  ``throw Error(...)``, or any constructor whose name ends in ``Error``) whose message
  contains "not implemented" or "TODO" (case-insensitive). Functions, generators,
  methods, and function expressions / block-bodied arrow functions assigned to a
  variable, class field, assignment target or object key. Constructors are never
  stubs (``constructor(private x: T) {}`` is an idiom). Bodiless forms (interface
  members, abstract methods, overload signatures, ``declare function``) never match.
- **java**: ``throw new UnsupportedOperationException(...)`` (any message or none); an
  empty body. Constructors are never stubs (a private empty constructor, or one that
  throws in a utility class, is an idiom); bodiless methods never match.
- **go**: ``panic("...")`` whose message contains "not implemented" or "todo"
  (case-insensitive); an empty body. Interface methods never match.
- **rust**: ``todo!(...)``, ``unimplemented!(...)`` (with or without arguments, as a
  tail expression or a statement); an empty body when the function returns ``()``
  (no return type, or ``-> ()``). Trait method declarations never match.

Comments: a body holds at most one statement, and any number of comments. A TODO/FIXME
comment (the word, case-insensitive) makes a body with no statement, ``pass`` or ``...``
a stub of kind ``"todo"``. Any *other* comment in a body that has no statement, or only
``pass`` / ``...``, marks a deliberate no-op (``# nothing to release``), which is not a
stub; a comment on Python's ``def`` line (``# noqa``) counts for TODO only. Comments
beside a ``raise`` / ``throw`` / ``panic`` / ``todo!`` do not matter.

Kinds: ``"pass"``, ``"ellipsis"``, ``"empty"``, ``"todo"`` (a TODO comment as above, a
``todo!()``, or a thrown / panicked message that mentions TODO), ``"not-implemented"``
(``NotImplementedError``, ``UnsupportedOperationException``, ``unimplemented!()``, a
"not implemented" message).

The replaceable region ``[start, end)`` is in *characters* of the text (not bytes):

- **python**: whole lines, from the start of the line of the first body statement or
  own-line comment after the docstring (its indentation included) to the end of the
  line of the last one, its newline included when there is one. The docstring and any
  comment on the ``def`` line stay outside. A new body is written as lines, each
  starting with ``indent`` and ending with a newline. For a one-line definition
  (``def f(): ...``) the region starts right after the colon (`` ...\\n``) and the new
  body must start with a newline. A one-liner whose docstring shares its line with the
  placeholder (``def f(): "doc"; pass``) is not reported.
- **brace languages**: everything between the body's ``{`` and ``}``, both excluded.
  The new body is ``"\\n" + indented lines + "\\n" + the closing brace's indentation``.

``indent`` is the indentation of the body's first line as written, or (for an empty or
one-line body) the definition's indentation plus the file's indentation unit (a tab for
Go). ``line`` is the 1-based line of the definition's name (the ``def`` / ``fn`` /
``func`` line). ``signature`` is the text from the start of the definition (decorators,
annotations, attributes, ``export`` and ``const x =`` included) to the start of the body
with trailing whitespace removed: it ends with ``:`` in Python and before the ``{``
elsewhere. ``docstring`` is the Python docstring's literal, quotes included, as in the
source; elsewhere the comment lines directly above the definition (attributes and
decorators skipped), or None.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, NamedTuple

from santamerge import treesitter
from santamerge.languages.profiles import LanguageProfile, language_for_path
from santamerge.syntax.nodes import scope_names
from santamerge.syntax.offsets import CharOffsets

if TYPE_CHECKING:
    from tree_sitter import Node


# What makes a body a stub: `pass`, `...`, a "not implemented" error, a TODO, nothing.
StubKind = Literal["pass", "ellipsis", "not-implemented", "todo", "empty"]


class Stub(NamedTuple):
    path: str
    language: str
    name: str  # qualified where cheap: "Class.method", "Type.Method", "func"
    line: int  # 1-based line of the definition's name (its def/fn/func line)
    start: int  # character offset where the replaceable body starts
    end: int  # character offset where it ends (exclusive)
    indent: str  # the indentation the body's lines use
    signature: str  # definition start (decorators included) to body start, rstripped
    docstring: str | None  # Python: the docstring literal (kept); others: doc comment
    kind: StubKind


_TODO = re.compile(r"\b(?:todo|fixme)\b", re.IGNORECASE)
_NOT_IMPLEMENTED = re.compile(r"\bnot\s+(?:yet\s+)?implemented\b", re.IGNORECASE)
_PY_NOT_STUB_DECORATORS = frozenset(
    {
        "abstractmethod",
        "abstractproperty",
        "abstractclassmethod",
        "abstractstaticmethod",
        "overload",
    }
)
_BRACE_SKIPPED = frozenset({"empty_statement", ";"})
# Sibling nodes before a definition that belong to it (decorators, attributes).
_PREFIXES = frozenset({"decorator", "attribute_item"})
# (definition, parent) node types where the parent holds just that definition.
_WRAPPERS = frozenset(
    {
        ("variable_declarator", "lexical_declaration"),
        ("variable_declarator", "variable_declaration"),
        ("assignment_expression", "expression_statement"),
    }
)


def find_stubs(path: str, text: str) -> list[Stub]:
    """The stubs in ``text`` (the contents of ``path``), in source order; [] for files
    santamerge has no grammar for, for ``.pyi`` files, and for text without functions."""
    profile = language_for_path(path)
    if profile is None or path.lower().endswith(".pyi"):
        return []
    q = treesitter.query(profile, "stubs")
    if q is None:
        return []
    root = treesitter.parse(profile, text).root_node
    finder = _Finder(profile, path, text)
    found: dict[int, Stub] = {}
    for match in treesitter.matches(q, root):
        definition, name, body = match["definition"][0], match["name"][0], match["body"][0]
        if body.id in found or body.has_error:
            continue
        stub = finder.stub(definition, name, body)
        if stub is not None:
            found[body.id] = stub
    return sorted(found.values(), key=lambda s: s.start)


def named_by(stub: Stub, only: str | None) -> bool:
    """Whether ``--only NAME`` names ``stub``: its name, or its last part (``norm`` for
    ``Point.norm``); None names every stub."""
    return only is None or only in (stub.name, stub.name.rsplit(".", 1)[-1])


class _Finder:
    def __init__(self, profile: LanguageProfile, path: str, text: str) -> None:
        self.profile = profile
        self.path = path
        self.text = text
        self.data = text.encode("utf-8")
        self.char = CharOffsets(text, self.data)  # stubs come in source order: each
        # conversion decodes only the bytes since the previous one
        self._unit: str | None = None

    # -- offsets and lines ---------------------------------------------------------

    def line_start(self, byte: int) -> int:
        return self.data.rfind(b"\n", 0, byte) + 1

    def line_end(self, byte: int) -> int:
        """The offset just past the newline that ends the line holding ``byte``."""
        newline = self.data.find(b"\n", byte)
        return len(self.data) if newline < 0 else newline + 1

    def indentation(self, byte: int) -> str:
        start = self.line_start(byte)
        return _leading_space(self.data[start : byte + 1].decode("utf-8", errors="replace"))

    def own_line(self, node: Node) -> bool:
        """Whether only whitespace precedes ``node`` on its line."""
        return not self.data[self.line_start(node.start_byte) : node.start_byte].strip()

    def unit(self) -> str:
        if self._unit is None:
            self._unit = _indent_unit(self.text, self.profile.name)
        return self._unit

    # -- the stub --------------------------------------------------------------------

    def stub(self, definition: Node, name: Node, body: Node) -> Stub | None:
        if self.profile.name == "python":
            found = self._python(definition, body)
        else:
            found = self._braces(definition, name, body)
        if found is None:
            return None
        kind, start, end, indent, docstring = found
        outer = _outer(definition)
        first = outer
        while first.prev_named_sibling is not None and first.prev_named_sibling.type in _PREFIXES:
            first = first.prev_named_sibling
        header_end = body.start_byte
        if self.profile.name == "python":
            colon = _colon(definition)
            header_end = colon.end_byte if colon is not None else header_end
        signature = self.data[first.start_byte : header_end].decode("utf-8").rstrip()
        if docstring is None and self.profile.name != "python":
            docstring = self._doc_comment(first)
        return Stub(
            path=self.path,
            language=self.profile.name,
            name=".".join([*scope_names(self.profile, definition), treesitter.node_text(name)]),
            line=name.start_point[0] + 1,
            start=self.char(start),
            end=self.char(end),
            indent=indent,
            signature=signature,
            docstring=docstring,
            kind=kind,
        )

    def _python(
        self,
        definition: Node,
        body: Node,
    ) -> tuple[StubKind, int, int, str, str | None] | None:
        if _python_excluded(definition):
            return None
        colon = _colon(definition)
        if colon is None:
            return None
        header_row = colon.start_point[0]
        # Comments before the first statement are children of the definition.
        outside = [
            c
            for c in definition.children
            if c.type in self.profile.comments
            and c.start_byte >= colon.end_byte
            and c.end_byte <= body.start_byte
        ]
        inside = [c for c in body.named_children]
        statements = [c for c in inside if c.type not in self.profile.comments]
        if not statements:
            return None
        docstring: Node | None = None
        if _is_docstring(statements[0]):
            docstring, statements = statements[0], statements[1:]
        if len(statements) != 1:
            return None
        region = [c for c in outside if c.start_point[0] > header_row] + inside
        if docstring is not None:
            doc_row = docstring.end_point[0]
            region = [
                c
                for c in inside
                if c.start_byte > docstring.start_byte
                and not (c.type in self.profile.comments and c.start_point[0] == doc_row)
            ]
            if region[0].start_point[0] == doc_row:
                return None  # `"doc"; pass` on one line: not a region of whole lines
        comments = [c for c in [*outside, *inside] if c.type in self.profile.comments]
        kind = self._python_kind(statements[0])
        kind = self._with_comments(kind, comments, header_row)
        if kind is None:
            return None
        first, last = region[0], region[-1]
        def_indent = self.indentation(definition.start_byte)
        if first.start_point[0] == header_row:  # `def f(): ...`
            start, indent = colon.end_byte, def_indent + self.unit()
        else:
            start, indent = self.line_start(first.start_byte), self.indentation(first.start_byte)
        end = self.line_end(last.end_byte - 1) if last.end_byte > 0 else 0
        doc = treesitter.node_text(docstring.named_children[0]) if docstring else None
        return kind, start, end, indent, doc

    def _python_kind(self, statement: Node) -> StubKind | None:
        if statement.type == "pass_statement":
            return "pass"
        if statement.type == "expression_statement":
            values = statement.named_children
            if len(values) == 1 and values[0].type == "ellipsis":
                return "ellipsis"
            return None
        if statement.type == "raise_statement":
            raised = statement.named_children[0] if statement.named_children else None
            if raised is not None and raised.type == "call":
                raised = raised.child_by_field_name("function")
            if raised is not None and _last_segment(raised) == "NotImplementedError":
                return "not-implemented"
        return None

    def _with_comments(
        self, kind: StubKind | None, comments: list[Node], header_row: int = -1
    ) -> StubKind | None:
        """Apply the comment rules: TODO makes a no-op body "todo"; another comment in a
        no-op body makes it a deliberate no-op (not a stub). Comments on the header line
        (Python's ``def ...:  # noqa``) count for TODO only."""
        if kind not in ("pass", "ellipsis", "empty"):
            return kind
        texts = [treesitter.node_text(c) for c in comments]
        if any(_TODO.search(t) for t in texts):
            return "todo"
        if any(c.start_point[0] != header_row for c in comments):
            return None
        return kind

    def _braces(
        self,
        definition: Node,
        name: Node,
        body: Node,
    ) -> tuple[StubKind, int, int, str, str | None] | None:
        language = self.profile.name
        if treesitter.node_text(name) == "constructor" and definition.type == "method_definition":
            return None
        text = body.text or b""
        if not (text.startswith(b"{") and text.endswith(b"}")):
            return None
        items = _flatten(body)
        comments = [c for c in items if c.type in self.profile.comments]
        statements = [c for c in items if c.type not in self.profile.comments]
        if len(statements) > 1:
            return None
        kind: StubKind | None
        if not statements:
            kind = "empty"
            if language == "rust" and not comments:
                returns = definition.child_by_field_name("return_type")
                if returns is not None and returns.type != "unit_type":
                    return None
        elif language in ("javascript", "typescript", "tsx"):
            kind = _js_kind(statements[0])
        elif language == "java":
            kind = _java_kind(statements[0])
        elif language == "go":
            kind = _go_kind(statements[0])
        else:
            kind = _rust_kind(statements[0])
        kind = self._with_comments(kind, comments)
        if kind is None:
            return None
        start, end = body.start_byte + 1, body.end_byte - 1
        first = next((c for c in items if c.start_point[0] > body.start_point[0]), None)
        if first is not None and self.own_line(first):
            indent = self.indentation(first.start_byte)
        else:
            indent = self.indentation(name.start_byte) + self.unit()
        return kind, start, end, indent, None

    def _doc_comment(self, first: Node) -> str | None:
        """The comment lines directly above ``first``, each on a line of its own."""
        comments: list[Node] = []
        below = first
        node = first.prev_sibling
        while node is not None and node.type in self.profile.comments and self.own_line(node):
            # A Rust line comment ends after its newline, at column 0 of the next row.
            last_row = node.end_point[0] - (node.end_point[1] == 0)
            if below.start_point[0] - last_row > 1:
                break  # a blank line between
            comments.append(node)
            below = node
            node = node.prev_sibling
        if not comments:
            return None
        start, end = comments[-1].start_byte, comments[0].end_byte
        return self.data[start:end].decode("utf-8").rstrip("\r\n")


# -- per-language placeholder statements ----------------------------------------------


def _message_kind(arguments: Node | None) -> StubKind | None:
    """ "todo" or "not-implemented" by the string literals among ``arguments``."""
    if arguments is None:
        return None
    message = " ".join(treesitter.node_text(n) for n in _strings(arguments))
    if _TODO.search(message):
        return "todo"
    if _NOT_IMPLEMENTED.search(message):
        return "not-implemented"
    return None


def _js_kind(statement: Node) -> StubKind | None:
    if statement.type != "throw_statement" or not statement.named_children:
        return None
    thrown = statement.named_children[0]
    if thrown.type == "new_expression":
        constructor = thrown.child_by_field_name("constructor")
    elif thrown.type == "call_expression":
        constructor = thrown.child_by_field_name("function")
    else:
        return None
    if constructor is None or not _last_segment(constructor).endswith("Error"):
        return None
    return _message_kind(thrown.child_by_field_name("arguments"))


def _java_kind(statement: Node) -> StubKind | None:
    if statement.type != "throw_statement" or not statement.named_children:
        return None
    thrown = statement.named_children[0]
    if thrown.type != "object_creation_expression":
        return None
    type_node = thrown.child_by_field_name("type")
    if type_node is None or _last_segment(type_node) != "UnsupportedOperationException":
        return None
    return _message_kind(thrown.child_by_field_name("arguments")) or "not-implemented"


def _go_kind(statement: Node) -> StubKind | None:
    if statement.type != "expression_statement" or not statement.named_children:
        return None
    call = statement.named_children[0]
    if call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    if function is None or treesitter.node_text(function) != "panic":
        return None
    return _message_kind(call.child_by_field_name("arguments"))


def _rust_kind(statement: Node) -> StubKind | None:
    if statement.type == "expression_statement" and statement.named_children:
        statement = statement.named_children[0]
    if statement.type != "macro_invocation":
        return None
    macro = statement.child_by_field_name("macro")
    name = _last_segment(macro) if macro is not None else ""
    kinds: dict[str, StubKind] = {"todo": "todo", "unimplemented": "not-implemented"}
    return kinds.get(name)


# -- helpers -------------------------------------------------------------------------


def _python_excluded(definition: Node) -> bool:
    """Abstract methods, overloads and Protocol members are not stubs."""
    outer = definition
    if definition.parent is not None and definition.parent.type == "decorated_definition":
        outer = definition.parent
        for decorator in outer.named_children:
            if decorator.type != "decorator" or not decorator.named_children:
                continue
            expression = decorator.named_children[0]
            if expression.type == "call":
                expression = expression.child_by_field_name("function") or expression
            if _last_segment(expression) in _PY_NOT_STUB_DECORATORS:
                return True
    block = outer.parent
    owner = block.parent if block is not None and block.type == "block" else None
    if owner is None or owner.type != "class_definition":
        return False
    bases = owner.child_by_field_name("superclasses")
    for base in bases.named_children if bases is not None else []:
        if base.type == "subscript":
            base = base.child_by_field_name("value") or base
        if base.type in ("identifier", "attribute") and _last_segment(base) == "Protocol":
            return True
    return False


def _is_docstring(statement: Node) -> bool:
    return (
        statement.type == "expression_statement"
        and len(statement.named_children) == 1
        and statement.named_children[0].type in ("string", "concatenated_string")
    )


def _colon(definition: Node) -> Node | None:
    return next((c for c in definition.children if c.type == ":"), None)


def _outer(definition: Node) -> Node:
    """The node that holds the whole definition: a Python decorated_definition, a
    ``const x = ...`` declaration, an ``export`` statement, an expression statement."""
    node, parent = definition, definition.parent
    if parent is not None and parent.type == "decorated_definition":
        return parent
    if (
        parent is not None
        and (node.type, parent.type) in _WRAPPERS
        and len(parent.named_children) == 1
    ):
        node, parent = parent, parent.parent
    if parent is not None and parent.type == "export_statement":
        node = parent
    return node


def _flatten(body: Node) -> list[Node]:
    """The statements and comments of a brace body, through Go's statement_list."""
    items: list[Node] = []
    for child in body.named_children:
        if child.type == "statement_list":
            items.extend(c for c in child.named_children if c.type not in _BRACE_SKIPPED)
        elif child.type not in _BRACE_SKIPPED:
            items.append(child)
    return items


def _strings(node: Node) -> list[Node]:
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in (
            "string",
            "template_string",
            "string_literal",
            "interpreted_string_literal",
            "raw_string_literal",
        ):
            found.append(current)
        else:
            stack.extend(current.named_children)
    return found


def _last_segment(node: Node) -> str:
    """``NotImplementedError`` for ``builtins.NotImplementedError``, ``x`` for ``a::x``."""
    return re.split(r"\.|::", treesitter.node_text(node).strip())[-1]


def _leading_space(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent_unit(text: str, language: str) -> str:
    """A guess at one level of indentation in ``text``: a tab for Go or where lines are
    tab-indented, else the smallest indentation of a line (at least two spaces)."""
    if language == "go":
        return "\t"
    widths = []
    for line in text.splitlines():
        space = _leading_space(line)
        if space and line.strip():
            if space.startswith("\t"):
                return "\t"
            widths.append(len(space))
    width = min(widths) if widths else 4
    return " " * (width if width >= 2 else 4)

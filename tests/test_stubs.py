"""Stub detection (santamerge.stubs.detect) on the fixtures in tests/fixtures/stubs/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from santamerge import treesitter
from santamerge.languages.profiles import language_for_path
from santamerge.stubs.detect import Stub, find_stubs
from santamerge.syntax.nodes import count_errors

FIXTURES = Path(__file__).parent / "fixtures" / "stubs"

# file -> {qualified name: kind} of every stub it holds.
EXPECTED: dict[str, dict[str, str]] = {
    "stubs.py": {
        "load_prices": "pass",
        "save_prices": "not-implemented",
        "price_of": "ellipsis",
        "discount": "todo",
        "tax_rate": "not-implemented",
        "Inventory.remove": "not-implemented",
        "Inventory.restock": "ellipsis",
        "Inventory.audit": "todo",
        "Inventory.parse_line": "not-implemented",
        "Inventory.refresh": "pass",
        "report.line": "pass",
        "Store.keys": "not-implemented",
    },
    "Stubs.java": {
        "Stubs.loadPrices": "not-implemented",
        "Stubs.savePrices": "todo",
        "Stubs.toString": "not-implemented",
        "Stubs.onClose": "empty",
        "Stubs.restock": "todo",
        "Stubs.Store.flush": "not-implemented",
        "Stubs.Base.stop": "empty",
        "Stubs.Mode.apply": "empty",
    },
    "stubs.js": {
        "loadCart": "empty",
        "saveCart": "not-implemented",
        "lines": "todo",
        "total": "todo",
        "clear": "empty",
        "Cart.remove": "todo",
        "Cart.#validate": "not-implemented",
        "Cart.checkout": "not-implemented",
        "describe": "empty",
        "render": "todo",
        "api.refresh": "not-implemented",
    },
    "stubs.ts": {
        "Processor.log": "empty",
        "parseAmount": "not-implemented",
        "StripeProcessor.charge": "todo",
        "StripeProcessor.refund": "todo",
        "StripeProcessor.report": "not-implemented",
        "resetCache": "empty",
        "reset": "empty",
    },
    "stubs.go": {
        "Tax": "not-implemented",
        "Discount": "todo",
        "Invoice.Add": "todo",
        "Invoice.Validate": "empty",
        "memoryStore.Load": "not-implemented",
    },
    "stubs.rs": {
        "Ledger.close": "todo",
        "Book.post": "not-implemented",
        "Book.reset": "empty",
        "Book.export": "todo",
        "Book.flush": "empty",
        "Book.fmt": "todo",
        "parse": "not-implemented",
    },
}

# file -> names of functions in it that must not be reported, each for a reason.
NOT_STUBS: dict[str, list[str]] = {
    "stubs.py": [
        "Inventory.__init__",
        "Inventory.add",  # real bodies
        "Inventory.close",  # `pass` with an explanatory comment: a deliberate no-op
        "Inventory.describe",  # docstring only
        "Store.fetch",
        "Store.put",  # @abstractmethod, @abc.abstractmethod
        "scale",  # @overload, @typing.overload, and the real implementation
        "Readable.read",
        "Closeable.close",  # Protocol, typing.Protocol members
        "report",
    ],
    "Stubs.java": [
        "Stubs.Stubs",
        "Util.Util",  # constructors, even one that throws
        "Stubs.count",
        "Util.twice",  # real bodies
        "Stubs.reset",  # empty with an explanatory comment
        "Stubs.Store.fetch",
        "Stubs.Base.run",  # interface / abstract: no body
    ],
    "stubs.js": [
        "Cart.constructor",
        "Cart.add",
        "Cart.size",
        "Cart.print",
        "double",
        "Cart.fail",  # throws an error that is not about a missing implementation
        "Cart.onChange",  # empty with an explanatory comment
    ],
    "stubs.ts": [
        "PaymentGateway.charge",  # interface member
        "Processor.process",  # abstract method
        "Processor.constructor",  # parameter properties
        "legacyCharge",  # declare function
        "logged",
        "StripeProcessor.process",
        "assertNever",
    ],
    "stubs.go": [
        "Store.Load",
        "Store.Save",  # interface methods
        "NewInvoice",
        "Invoice.String",
        "Must",
        "Fail",  # panics with an error that is not about a missing implementation
        "Invoice.Close",  # empty with an explanatory comment
    ],
    "stubs.rs": [
        "Ledger.balance",  # trait method declaration without a body
        "Book.balance",
        "Book.new",
        "Book.checksum",  # empty but returns a value
        "helper",  # empty with an explanatory comment
    ],
}

# A body that parses in each language, for the splicing test.
BODIES = {
    "python": "value = 1\nreturn value",
    "java": "int value = 1;\nreturn value;",
    "javascript": "const value = 1;\nreturn value;",
    "typescript": "const value: number = 1;\nreturn value;",
    "tsx": "const value: number = 1;\nreturn value;",
    "go": "value := 1\nreturn value",
    "rust": "let value = 1;\nreturn value;",
}

FILES = sorted(EXPECTED)


def _stubs(name: str) -> tuple[str, list[Stub]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text, find_stubs(name, text)


def _errors(path: str, text: str) -> int:
    profile = language_for_path(path)
    assert profile is not None
    return count_errors(treesitter.parse(profile, text).root_node)


def splice(text: str, stub: Stub, body: str) -> str:
    """``text`` with the stub's region replaced by ``body`` (dedented source lines),
    indented and framed by the convention of santamerge.stubs.detect's docstring."""
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = body.strip("\r\n").splitlines() or [""]
    if stub.language == "python":
        new = "".join(f"{stub.indent}{line}{nl}" if line.strip() else nl for line in lines)
        if stub.start > 0 and text[stub.start - 1] != "\n":
            new = nl + new  # a one-line definition: the body moves to lines of its own
        if not text[stub.start : stub.end].endswith("\n"):
            new = new[: -len(nl)]
        return text[: stub.start] + new + text[stub.end :]
    line_start = text.rfind("\n", 0, stub.end) + 1
    if line_start > stub.start and not text[line_start : stub.end].strip():
        closing = text[line_start : stub.end]  # the `}` has a line of its own
    else:
        header = text.splitlines()[stub.line - 1]
        closing = header[: len(header) - len(header.lstrip(" \t"))]
    inner = nl.join(f"{stub.indent}{line}" if line.strip() else "" for line in lines)
    return f"{text[: stub.start]}{nl}{inner}{nl}{closing}{text[stub.end :]}"


@pytest.mark.parametrize("name", FILES)
def test_fixture_parses_cleanly(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert not text.isascii(), "each fixture holds non-ASCII text before its stubs"
    assert _errors(name, text) == 0


@pytest.mark.parametrize("name", FILES)
def test_finds_exactly_the_expected_stubs(name: str) -> None:
    _, stubs = _stubs(name)
    assert {s.name: s.kind for s in stubs} == EXPECTED[name]
    assert len(stubs) == len(EXPECTED[name])
    assert [s.start for s in stubs] == sorted(s.start for s in stubs)
    profile = language_for_path(name)
    assert profile is not None and {s.language for s in stubs} == {profile.name}


@pytest.mark.parametrize("name", FILES)
def test_non_stubs_are_not_found(name: str) -> None:
    text, stubs = _stubs(name)
    found = {s.name for s in stubs}
    for qualified in NOT_STUBS[name]:
        assert qualified.rsplit(".", 1)[-1].lstrip("#") in text, qualified
        assert qualified not in found


@pytest.mark.parametrize("name", FILES)
def test_offsets_are_characters(name: str) -> None:
    text, stubs = _stubs(name)
    for stub in stubs:
        region = text[stub.start : stub.end]
        if stub.language == "python":
            assert region.endswith("\n") and text[stub.start - 1] in "\n:", stub.name
            assert text.rfind(stub.signature, 0, stub.start) >= 0
        else:
            assert text[stub.start - 1] == "{" and text[stub.end] == "}", stub.name
            assert text[: stub.start - 1].rstrip().endswith(stub.signature)
            assert (region.strip() == "") == (stub.kind == "empty"), stub.name


@pytest.mark.parametrize("name", FILES)
def test_splicing_a_body_into_each_stub_keeps_the_file_parsing(name: str) -> None:
    text, stubs = _stubs(name)
    language = stubs[0].language
    for stub in stubs:
        spliced = splice(text, stub, BODIES[language])
        assert _errors(name, spliced) == 0, f"{stub.name}:\n{spliced}"
        assert stub.signature in spliced
        assert "return value" in spliced[stub.start :]
        # The same by hand: the region is exactly what a filler replaces.
        assert spliced[: stub.start] == text[: stub.start]
        assert spliced.endswith(text[stub.end :])
    # All at once, from the last stub to the first: every stub is filled.
    filled = text
    for stub in reversed(stubs):
        filled = splice(filled, stub, BODIES[language])
    assert _errors(name, filled) == 0
    assert find_stubs(name, filled) == []


def test_python_region_by_hand() -> None:
    text, stubs = _stubs("stubs.py")
    by_name = {s.name: s for s in stubs}
    stub = by_name["load_prices"]
    assert text[stub.start : stub.end] == "    pass\n"
    assert stub.indent == "    "
    new = text[: stub.start] + "    return {}\n" + text[stub.end :]
    assert _errors("stubs.py", new) == 0
    assert "load_prices" not in {s.name for s in find_stubs("stubs.py", new)}
    stub = by_name["Inventory.remove"]  # the comment after the docstring is replaced too
    assert text[stub.start : stub.end] == (
        "        # The count may exceed what is there.\n"
        '        raise NotImplementedError(f"remove {item}")\n'
    )
    stub = by_name["Inventory.restock"]  # a one-liner: the region starts after the colon
    assert text[stub.start : stub.end] == " ...\n"
    assert stub.indent == "        "
    assert stub.signature == "def restock(self) -> None:"
    stub = by_name["Inventory.audit"]  # the comment on the def line stays outside
    assert text[stub.start : stub.end] == "        ...\n"
    assert stub.signature == "def audit(self) -> list[str]:"


def test_python_docstring_is_kept_outside_the_region() -> None:
    text, stubs = _stubs("stubs.py")
    documented = [s for s in stubs if s.docstring is not None]
    assert {s.name for s in documented} == {"save_prices", "price_of", "Inventory.remove"}
    for stub in documented:
        assert stub.docstring is not None and stub.docstring.startswith('"""')
        assert stub.docstring not in text[stub.start : stub.end]
        assert text[: stub.start].rstrip().endswith(stub.docstring)
        spliced = splice(text, stub, "return None")
        assert stub.docstring in spliced
        assert _errors("stubs.py", spliced) == 0
    remove = next(s for s in documented if s.name == "Inventory.remove")
    assert "»sofort«" in (remove.docstring or "")


def test_signatures_and_doc_comments() -> None:
    _, java = _stubs("Stubs.java")
    by_name = {s.name: s for s in java}
    assert by_name["Stubs.loadPrices"].docstring == "/** Loads the price list. */"
    assert by_name["Stubs.toString"].signature == "@Override\n    public String toString()"
    _, rust = _stubs("stubs.rs")
    post = next(s for s in rust if s.name == "Book.post")
    assert post.docstring == "/// Posts an entry."
    assert post.signature.startswith("#[inline]\n")
    _, go = _stubs("stubs.go")
    tax = next(s for s in go if s.name == "Tax")
    assert tax.docstring == "// Tax computes the tax for an invoice."
    assert tax.indent == "\t"
    assert [s.docstring for s in go if s.name == "Discount"] == [None]
    _, ts = _stubs("stubs.ts")
    report = next(s for s in ts if s.name == "StripeProcessor.report")
    assert report.signature == "@logged\n  report(): string"
    _, js = _stubs("stubs.js")
    assert next(s for s in js if s.name == "total").signature == "const total = (cart) =>"
    assert next(s for s in js if s.name == "loadCart").signature == "export function loadCart(id)"


def test_lines_point_at_the_definition() -> None:
    for name in FILES:
        text, stubs = _stubs(name)
        lines = text.splitlines()
        for stub in stubs:
            last = stub.name.rsplit(".", 1)[-1]
            assert last in lines[stub.line - 1], (name, stub.name)


def test_pyi_files_have_no_stubs() -> None:
    text = (FIXTURES / "stubs.pyi").read_text(encoding="utf-8")
    assert find_stubs("stubs.pyi", text) == []
    assert find_stubs("pkg/STUBS.PYI", text) == []
    # The same text as a .py file is all stubs.
    assert [s.name for s in find_stubs("stubs.py", text)] == [
        "load_prices",
        "Inventory.add",
        "Inventory.remove",
    ]


def test_unknown_files_have_no_stubs() -> None:
    assert find_stubs("notes.txt", "def f():\n    pass\n") == []


def test_tsx_uses_the_typescript_queries() -> None:
    text = (
        "export function Panel(): JSX.Element {\n"
        '  throw new Error("not implemented");\n'
        "}\n"
        "export const Badge = ({ label }: { label: string }) => <b>{label}</b>;\n"
        "export const Button = (): JSX.Element => {\n"
        "  // TODO: render\n"
        "};\n"
    )
    stubs = find_stubs("view.tsx", text)
    assert [(s.name, s.kind, s.language) for s in stubs] == [
        ("Panel", "not-implemented", "tsx"),
        ("Button", "todo", "tsx"),
    ]
    for stub in stubs:
        assert _errors("view.tsx", splice(text, stub, "return <div />;")) == 0


def test_crlf_and_a_missing_final_newline() -> None:
    text = 'def f():\r\n    """Dok – ü."""\r\n    pass'
    (stub,) = find_stubs("m.py", text)
    assert text[stub.start : stub.end] == "    pass"
    assert splice(text, stub, "x = 1\nreturn x") == (
        'def f():\r\n    """Dok – ü."""\r\n    x = 1\r\n    return x'
    )
    text = "fn f() {}\r\nfn g() -> u8 { 1 }\r\n"
    (stub,) = find_stubs("m.rs", text)
    assert splice(text, stub, "g();") == "fn f() {\r\n    g();\r\n}\r\nfn g() -> u8 { 1 }\r\n"


def test_placeholders_in_more_shapes() -> None:
    python = (
        "class A:\n"
        "    def f(self):\n"
        "        raise builtins.NotImplementedError from None\n"
        "    def g(self):\n"
        "        pass\n"
        "        pass\n"
        "    def h(self):\n"
        "        raise ValueError('not implemented')\n"
        "    @functools.cache\n"
        "    def i(self):  # noqa: D102\n"
        "        ...\n"
    )
    assert [(s.name, s.kind) for s in find_stubs("a.py", python)] == [
        ("A.f", "not-implemented"),
        ("A.i", "ellipsis"),
    ]
    go = (
        'package p\n\nfunc F() { panic("todo") }\n\nfunc G() { panic("later") }\n'
        'func H() {\n\t// FIXME\n\tpanic("not implemented")\n}\n'
    )
    assert [(s.name, s.kind) for s in find_stubs("p.go", go)] == [
        ("F", "todo"),
        ("H", "not-implemented"),
    ]
    rust = 'fn f() -> u8 { panic!("not implemented") }\nfn g() { todo!(); todo!(); }\n'
    assert find_stubs("f.rs", rust) == []


def test_importing_stubs_loads_no_model_stack() -> None:
    code = "import sys, santamerge.stubs.detect\nprint(*sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = {name.split(".")[0] for name in out.split()}
    assert not {"torch", "transformers"} & loaded

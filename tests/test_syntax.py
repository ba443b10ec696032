"""santamerge.syntax: the node types the profiles name, the walks, and the offsets, on
real grammars and real text."""

from __future__ import annotations

import pytest

from santamerge import treesitter
from santamerge.languages.profiles import PROFILES, LanguageProfile, language_named
from santamerge.merge.structured.order import sorted_by
from santamerge.syntax.nodes import ancestors, enclosing_function, function_at, scope_names
from santamerge.syntax.offsets import CharOffsets, byte_offset


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_profile_node_types_are_the_grammars(profile: LanguageProfile) -> None:
    """Every named node type with "comment" in it is one of the profile's comments (so
    no caller needs a substring test), and every type a profile names exists."""
    lang = treesitter.language(profile)
    named = {
        lang.node_kind_for_id(i)
        for i in range(lang.node_kind_count)
        if lang.node_kind_is_named(i) and lang.node_kind_is_visible(i)
    }
    assert {t for t in named if "comment" in t} == set(profile.comments)
    assert profile.scopes <= named
    # "function": an older name of JavaScript's function expression, kept in the set
    assert profile.functions - {"function"} <= named
    assert bool(profile.functions) == (profile.kind == "code")


def test_enclosing_function_stops_at_the_innermost_function() -> None:
    js = language_named("javascript")
    assert js is not None
    text = "const g = function* () {\n  return 1;\n};\nreturn 2;\n"
    tree = treesitter.parse(js, text)
    inner = function_at(js, tree.root_node, byte_offset(text, text.index("return 1")))
    assert inner is not None and inner.type == "generator_function"
    assert function_at(js, tree.root_node, byte_offset(text, text.index("return 2"))) is None
    assert enclosing_function(js, None) is None
    py = language_named("python")
    assert py is not None
    text = "def outer():\n    def inner():\n        return 'é'\n    return inner\n"
    tree = treesitter.parse(py, text)
    node = function_at(py, tree.root_node, byte_offset(text, text.index("return 'é'")))
    assert node is not None and treesitter.node_text(node).startswith("def inner")
    assert [a.type for a in ancestors(node)][-1] == "module"


@pytest.mark.parametrize(
    ("language", "text", "name", "scopes"),
    [
        ("java", "class A {\n  class B {\n    void f() {}\n  }\n}\n", "f", ["A", "B"]),
        ("go", "package p\n\nfunc (s *Server) Run() {}\n", "Run", ["Server"]),
        ("rust", "impl<T> Stack<T> {\n    fn push(&mut self) {}\n}\n", "push", ["Stack"]),
        (
            "python",
            "class A:\n    def f(self):\n        def g():\n            pass\n",
            "g",
            ["A", "f"],
        ),
    ],
)
def test_scope_names(language: str, text: str, name: str, scopes: list[str]) -> None:
    profile = language_named(language)
    assert profile is not None
    tree = treesitter.parse(profile, text)
    at = byte_offset(text, text.index(name))
    node = tree.root_node.descendant_for_byte_range(at, at)
    definition = enclosing_function(profile, node)
    assert definition is not None
    assert scope_names(profile, definition) == scopes


def test_offsets_both_ways_on_text_that_is_not_ascii() -> None:
    text = "a = 'ä€'\n# 😀 x\nb = 1\n"
    data = text.encode("utf-8")
    chars = CharOffsets(text)
    for char in [*range(len(text) + 1), 3, 0, len(text)]:  # forwards, then back
        byte = byte_offset(text, char)
        assert data[:byte].decode("utf-8") == text[:char]
        assert chars(byte) == char
    ascii_text = "plain"
    assert CharOffsets(ascii_text)(3) == byte_offset(ascii_text, 3) == 3


def test_a_group_is_sorted_by_each_rule_that_orders_it() -> None:
    exact_only = [["import B", "import a"], ["import A", "import b"]]
    assert [r.__name__ for r in sorted_by(exact_only)] == ["_exact"]
    both = [["import a", "import  c"], ["import b", "import d"]]  # whitespace folded
    assert len(sorted_by(both)) == 2
    assert [r.__name__ for r in sorted_by([["import a", "import B"]])] == ["casefold"]
    assert sorted_by([["import b", "import a"]]) == []

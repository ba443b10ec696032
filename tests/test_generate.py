"""The clean-ups around a model's middles: blank healing and suffix overlap."""

from __future__ import annotations

from santamerge.model.generate import _heal, trim_suffix_overlap


def test_trim_suffix_overlap() -> None:
    assert trim_suffix_overlap(" '__main__':\n    main()\n\nif", ":\n    main()\n") == (
        " '__main__'")
    assert trim_suffix_overlap("TestCase):\n    def t", "):\n    def test_x(self):") == (
        "TestCase")
    assert trim_suffix_overlap('{"a": 1}', ":\n") == '{"a": 1}'  # one shared character
    assert trim_suffix_overlap("x", "x = 1") == "x"  # too short to call a repeat
    assert trim_suffix_overlap("a\n    \n", "\n    \nb") == "a\n    \n"  # blanks only


def test_heal_takes_blanks_after_code_only() -> None:
    assert _heal("x = ") == "x ="
    assert _heal("def f():\n    ") == "def f():\n    "  # indentation stays
    assert _heal("   ") == "   "

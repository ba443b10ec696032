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


def test_heal_cuts_where_the_tokenizer_cuts() -> None:
    assert _heal("x = ") == "x ="
    assert _heal("def f():\n    ") == "def f():\n   "  # the last blank joins the code
    assert _heal("def f():\n\t\t") == "def f():\n\t\t"  # tabs are tokens of their own
    assert _heal("def f():\n") == "def f():\n"
    assert _heal("   ") == "  "


def test_healed_prefix_tokens_are_the_whole_texts_first_tokens() -> None:
    """The point of healing: the prompt's tokens are those the text would have with its
    middle in place, so the model continues a sequence it saw in training."""
    from transformers import AutoTokenizer

    from santamerge.model.backends.embedded import embedded_path

    tok = AutoTokenizer.from_pretrained(str(embedded_path()))
    cases = [("class A:\n    def f(self):\n        ", "self.flush()\n"),
             ("if x:\n\t\t", "return y\n"), ("limit = ", "10\n"), ("x = 1\n", "y = 2\n"),
             ("def g():\n    return 1\n\n\n", "def h():\n")]
    for prefix, middle in cases:
        healed = tok.encode(_heal(prefix), add_special_tokens=False)
        whole = tok.encode(prefix + middle, add_special_tokens=False)
        assert whole[:len(healed)] == healed, (prefix, middle)
    for prefix, middle in cases[:1]:  # what healing fixes: indentation ends off the path
        unhealed = tok.encode(prefix, add_special_tokens=False)
        whole = tok.encode(prefix + middle, add_special_tokens=False)
        assert whole[:len(unhealed)] != unhealed

"""The clean-ups around a model's middles: blank healing and suffix overlap."""

from __future__ import annotations

from santamerge.model.generate import _heal, trim_suffix_overlap


def test_trim_suffix_overlap() -> None:
    assert trim_suffix_overlap(" '__main__':\n    main()\n\nif", ":\n    main()\n") == (
        " '__main__'"
    )
    assert trim_suffix_overlap("TestCase):\n    def t", "):\n    def test_x(self):") == ("TestCase")
    assert trim_suffix_overlap('{"a": 1}', ":\n") == '{"a": 1}'  # one shared character
    assert trim_suffix_overlap("x", "x = 1") == "x"  # too short to call a repeat
    assert trim_suffix_overlap("a\n    \n", "\n    \nb") == "a\n    \n"  # blanks only


def test_heal_cuts_where_the_tokenizer_cuts() -> None:
    assert _heal("x = ") == _heal("x = ", True) == "x ="
    assert _heal("def f():\n    ", True) == "def f():\n   "  # the last blank joins the code
    assert _heal("def f():\n    ") == "def f():\n    "  # PSM: <fim-suffix> follows it
    assert _heal("def f():\n\t\t", True) == "def f():\n\t\t"  # tabs are tokens of their own
    assert _heal("def f():\n", True) == "def f():\n"
    assert _heal("   ", True) == "  "


def test_healed_prefix_tokens_are_the_whole_texts_first_tokens() -> None:
    """The point of healing: the prompt's tokens are those the text would have with its
    middle in place, so the model continues a sequence it saw in training."""
    from transformers import AutoTokenizer

    from santamerge.model.backends.embedded import embedded_path

    tok = AutoTokenizer.from_pretrained(str(embedded_path()))
    cases = [
        ("class A:\n    def f(self):\n        ", "self.flush()\n"),
        ("if x:\n\t\t", "return y\n"),
        ("limit = ", "10\n"),
        ("x = 1\n", "y = 2\n"),
        ("def g():\n    return 1\n\n\n", "def h():\n"),
    ]
    for prefix, middle in cases:
        healed = tok.encode(_heal(prefix, True), add_special_tokens=False)
        whole = tok.encode(prefix + middle, add_special_tokens=False)
        assert whole[: len(healed)] == healed, (prefix, middle)
    for prefix, middle in cases[:1]:  # what healing fixes: indentation ends off the path
        unhealed = tok.encode(prefix, add_special_tokens=False)
        whole = tok.encode(prefix + middle, add_special_tokens=False)
        assert whole[: len(unhealed)] != unhealed


def test_fill_gaps_heals_indentation_only_where_the_middle_follows_the_prefix() -> None:
    """In SPM order the middle runs on from the prefix, so the prompt ends where the
    tokenizer would cut; in PSM order <fim-suffix> follows the prefix and it stays whole."""
    from santamerge.model.backends.base import Completion
    from santamerge.model.fim import FAMILIES
    from santamerge.model.generate import Gap, fill_gaps

    class Recording:
        def __init__(self, order: str) -> None:
            santacoder = next(t for t in FAMILIES if t.family == "santacoder")
            self.template = santacoder._replace(order=order)
            self.prompts: list[str] = []

        def generate(self, prompts, n=1, max_new_tokens=64, temperature=0.0, top_p=1.0, stop=()):  # type: ignore[no-untyped-def]
            self.prompts += prompts
            return [
                [Completion(" return 1\n", (-1.0,), "stop", (" return", " 1", "\n"))]
                for _ in prompts
            ]

    gap = Gap("def f():\n    ", "\n")
    for order, ending in (("spm", "def f():\n   "), ("psm", "<fim-middle>")):
        backend = Recording(order)
        (found,) = fill_gaps(backend, [gap])  # type: ignore[arg-type]
        assert backend.prompts[0].endswith(ending)
        assert found[0].text == ("return 1\n" if order == "spm" else " return 1\n")

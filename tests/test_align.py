"""The three-way alignment of the review's panes (santamerge.ui.align), alone."""

from __future__ import annotations

from santamerge.merge.locate import parse_conflicts
from santamerge.ui.align import align2, align3, align_merge, kind, lines_of, word_spans


def test_a_three_line_insertion_keeps_the_lines_after_it_side_by_side() -> None:
    base = ["def f(x):", "    y = x + 1", "    return y", "", "Z = 1"]
    ours = [
        "def f(x):",
        "    a = 1",
        "    b = 2",
        "    c = 3",
        "    y = x + 2",
        "    return y",
        "",
        "Z = 1",
    ]
    theirs = ["def f(x):", "    y = x + 3", "    return y", "", "Z = 1"]
    rows = align3(ours, base, theirs)
    text = [
        (
            None if o is None else ours[o],
            None if b is None else base[b],
            None if t is None else theirs[t],
        )
        for o, b, t in rows
    ]
    assert text[1:4] == [
        ("    a = 1", None, None),
        ("    b = 2", None, None),
        ("    c = 3", None, None),
    ]
    assert text[4:] == [
        ("    y = x + 2", "    y = x + 1", "    y = x + 3"),
        ("    return y",) * 3,
        ("",) * 3,
        ("Z = 1",) * 3,
    ]


def test_every_line_of_every_side_is_in_one_row_in_order() -> None:
    ours, base, theirs = list("abXcdY"), list("abcd"), list("QabcZd")
    rows = align3(ours, base, theirs)
    for side, lines in ((0, ours), (1, base), (2, theirs)):
        assert [r[side] for r in rows if r[side] is not None] == list(range(len(lines)))
    assert ("X" in ours) and (2, None, None) in rows


def test_a_replaced_block_pairs_alike_lines() -> None:
    a = ["x = compute(a)", "print(x)"]
    b = ["# new comment", "x = compute(a, b)", "print(x)", "log(x)"]
    assert align2(a, b) == [(None, 0), (0, 1), (1, 2), (None, 3)]


def test_a_merge_aligns_each_hunk_and_the_text_between() -> None:
    text = (
        "import os\n<<<<<<< ours\nimport sys\nimport json\nimport re\n||||||| base\n"
        "=======\nimport logging\n>>>>>>> theirs\n\nX = 1\n"
    )
    aligned = align_merge(parse_conflicts(text))
    assert aligned.has_base and aligned.hunks == [(1, 4)]
    assert aligned.rows[0] == (0, 0, 0)
    assert aligned.rows[4:] == [(4, 1, 2), (5, 2, 3)]  # after the hunk: side by side
    assert sorted(r[2] for r in aligned.rows[1:4] if r[2] is not None) == [1]


def test_kinds_and_word_spans() -> None:
    assert kind(None, "x", True) == "removed" and kind("x", None, False) == "added"
    assert kind("x", "x", True) == "same" and kind("x = 2", "x = 1", True) == "changed"
    assert kind(None, None, False) == "none"
    line = "TIMEOUT = 20  # seconds"
    assert [line[a:b] for a, b in word_spans(line, "TIMEOUT = 10  # seconds")] == ["20"]
    assert lines_of("a\r\nb\n") == ["a", "b"] and lines_of("") == [] and lines_of("a") == ["a"]

"""Parsing conflict markers: styles, sizes, labels, line endings, malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git_merge_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santamerge.errors import MarkerError
from santamerge.merge.locate import has_markers, parse_conflicts

DIFF3 = """\
keep
<<<<<<< HEAD
ours line
||||||| merged common ancestors
base line
=======
theirs line
>>>>>>> feature:src/app.py
tail
"""


def test_diff3_hunk_with_labels() -> None:
    parsed = parse_conflicts(DIFF3)
    (hunk,) = parsed.hunks
    assert (hunk.ours, hunk.base, hunk.theirs) == ("ours line\n", "base line\n", "theirs line\n")
    assert (hunk.ours_label, hunk.base_label, hunk.theirs_label) == (
        "HEAD",
        "merged common ancestors",
        "feature:src/app.py",
    )
    assert hunk.line == 2
    assert parsed.side("ours") == "keep\nours line\ntail\n"
    assert parsed.side("base") == "keep\nbase line\ntail\n"
    assert parsed.side("theirs") == "keep\ntheirs line\ntail\n"
    assert "".join(c if isinstance(c, str) else c.render() for c in parsed.chunks) == DIFF3


def test_merge_style_has_no_base() -> None:
    parsed = parse_conflicts("<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n")
    (hunk,) = parsed.hunks
    assert hunk.base is None
    with pytest.raises(ValueError, match="no base section"):
        parsed.side("base")


def test_marker_size_is_respected() -> None:
    text = "<<<<<<<<< ours\n<<<<<<< not a marker\n=========\ny\n>>>>>>>>> theirs\n"
    (hunk,) = parse_conflicts(text, marker_size=9).hunks
    assert hunk.ours == "<<<<<<< not a marker\n"
    assert parse_conflicts(text).marker_size == 9  # detected from the first opening marker


def test_crlf_markers_and_content() -> None:
    parsed = parse_conflicts(DIFF3.replace("\n", "\r\n"))
    assert parsed.newline == "\r\n"
    assert parsed.hunks[0].ours == "ours line\r\n"
    assert parsed.hunks[0].theirs_label == "feature:src/app.py"


def test_longer_runs_are_content() -> None:
    assert parse_conflicts("========\n<<<<<<<<\n", marker_size=7).hunks == ()


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a\n<<<<<<< x\nb\n", 2, "never closes"),
        ("a\n=======\nb\n", 2, "outside a conflict"),
        ("<<<<<<< x\na\n>>>>>>> y\n", 3, "out of order"),
        ("<<<<<<< x\n=======\n||||||| b\n>>>>>>> y\n", 3, "out of order"),
        ("<<<<<<< x\n<<<<<<< x\n", 2, "inside another"),
    ],
)
def test_malformed_markers_name_the_line(text: str, line: int, what: str) -> None:
    with pytest.raises(MarkerError, match=what) as info:
        parse_conflicts(text)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)


def test_has_markers() -> None:
    assert has_markers("a\n>>>>>>> theirs\n")
    assert has_markers("==========\r\n")
    assert not has_markers("a = '<<<<<<<'\n")


LINES = st.sampled_from(["a", "b", "c", "d", "x = 1", "def f():", "    pass", "", "# note"])
SIDE = st.lists(LINES, max_size=10)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=SIDE,
    ours=SIDE,
    theirs=SIDE,
    crlf=st.booleans(),
    style=st.sampled_from(["--diff3", "--zdiff3", None]),
    size=st.sampled_from([7, 9]),
)
def test_git_merge_file_output_parses_back(
    tmp_path: Path,
    base: list[str],
    ours: list[str],
    theirs: list[str],
    crlf: bool,
    style: str | None,
    size: int,
) -> None:
    """Each hunk holds exactly the sides: resolving all of them to one side gives what
    git itself gives when told to favour that side."""
    nl = "\r\n" if crlf else "\n"
    for name, lines in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_bytes("".join(f"{line}{nl}" for line in lines).encode())
    styled = [style] if style else []
    out = git_merge_file(tmp_path, options=(*styled, f"--marker-size={size}"))
    assert 0 <= out.returncode < 128
    parsed = parse_conflicts(out.stdout.decode(), marker_size=size)
    assert len(parsed.hunks) == out.returncode
    for favour, side in (("--ours", "ours"), ("--theirs", "theirs")):
        favoured = git_merge_file(tmp_path, options=(*styled, favour)).stdout
        assert parsed.side(side).encode() == favoured
    union = parsed.splice({h.index: h.ours + h.theirs for h in parsed.hunks})
    assert union.encode() == git_merge_file(tmp_path, options=(*styled, "--union")).stdout
    if style == "--diff3" and parsed.hunks:
        assert all(h.base is not None for h in parsed.hunks)

"""The review's aligned, coloured panes and what the screen does with the review's
actions (issue 26): through Textual's pilot on a real `git merge`, and in a real
pseudo-terminal at 80x24 and 160x48."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo
from terminal import Terminal

BASE = (
    "import os\n\n\ndef load(path, retries=3):\n    data = open(path).read()\n"
    "    return data\n\n\nLIMIT = 1\n\n\nTIMEOUT = 10\n"
)  # TIMEOUT more than three lines below the first conflict: git leaves two hunks
# ours changes the def line and inserts three lines under it; theirs changes the def
# line and the line after the insertion: one hunk, where the three lines must not push
# the data line out of line
OURS = BASE.replace(
    "retries=3):\n", "retries=5):\n    check(path)\n    trace(path)\n    # ours\n"
).replace("= 10", "= 20")
THEIRS = (
    BASE.replace("retries=3", "retries=4")
    .replace("open(path).read()", "open(path, 'rb').read()")
    .replace("= 10", "= 30")
)
DATA_OURS = "data = open(path).read()"
DATA_THEIRS = "data = open(path, 'rb').read()"


@pytest.fixture
def conflicted(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    result = repo.merge_branches(
        {"app.py": BASE, "lib.py": BASE},
        {"app.py": OURS, "lib.py": OURS},
        {"app.py": THEIRS, "lib.py": THEIRS},
    )
    assert result.returncode != 0
    return repo


def make_app(repo: Repo, monkeypatch: pytest.MonkeyPatch, *paths: str) -> Any:
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import preview_sources
    from santamerge.ui.review import load_preview
    from santamerge.ui.tui import ReviewApp

    monkeypatch.chdir(repo.root)
    files = [
        load_preview(s, DEFAULT_POLICY, lambda m: None)
        for s in preview_sources(paths, lambda m: None)
    ]
    return ReviewApp([f for f in files if f is not None], edit=lambda text, suffix: text)


def drive(app: Any, script: Callable[[Any, Any], Any], size: tuple[int, int] = (160, 48)) -> Any:
    async def go() -> Any:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            out = await script(app, pilot)
            app.exit()
        return out

    return asyncio.run(go())


def strips(app: Any) -> list[str]:
    sides = app.query_one("#sides")
    return [sides.render_line(y).text for y in range(sides.size.height)]


def test_a_three_line_insertion_keeps_the_lines_after_it_side_by_side(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> list[str]:
        return strips(app)

    lines = drive(app, script)
    (data,) = [line for line in lines if DATA_OURS in line]
    assert DATA_THEIRS in data and data.count("data = open(path") == 3  # ours, base, theirs
    (check,) = [line for line in lines if "check(path)" in line]
    assert check.count("+") >= 1 and "retries" not in check  # fillers beside it
    (ret,) = [line for line in lines if "return data" in line]
    assert ret.count("return data") == 3


def test_a_changed_word_is_coloured_bold_and_underlined(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from santamerge.ui.panes import BACKGROUNDS

    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> list[Any]:
        sides = app.query_one("#sides")
        for y in range(sides.size.height):
            strip = sides.render_line(y)
            if "retries=5" in strip.text:
                return list(strip)
        return []

    segments = drive(app, script)
    words = [s for s in segments if s.text == "5"]
    assert words, segments
    style = words[0].style
    assert style.bold and style.underline
    assert style.bgcolor.name == BACKGROUNDS["words"][0]  # the hunk in focus
    gutter = "".join(s.text for s in segments[:6])
    assert "❱" in gutter and "~" in gutter  # markers: it reads without colour too


def test_edit_the_whole_file_in_place_and_write_it(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from santamerge.merge.locate import has_markers

    app = make_app(conflicted, monkeypatch, "app.py")
    wanted = "import os\nimport json\n\n\ndef load(path, retries=5):\n    return 1\n"

    async def script(app: Any, pilot: Any) -> str:
        await pilot.press("i")
        editor = app.query_one("#editor")
        assert editor.display and has_markers(editor.text)
        editor.load_text(wanted)
        await pilot.press("escape")
        await pilot.pause()
        heading = str(app.query_one("#heading").render())
        await pilot.press("w")
        await pilot.pause()
        return heading

    heading = drive(app, script)
    assert "no conflict left" in heading and "w writes the file as edited" in heading
    assert conflicted.read("app.py").decode() == wanted


def test_click_a_line_of_a_side_to_pick_it(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> str:
        sides = app.query_one("#sides")
        (y,) = [y for y, line in enumerate(strips(app)) if DATA_THEIRS in line]
        x = 2 * (sides.column_width(sides.inner_width) + 1) + 8  # in theirs
        await pilot.click("#sides", offset=(x, y))
        await pilot.pause()
        return str(app.query_one("#result-box").border_title)

    title = drive(app, script)
    assert "lines picked" in title
    decision = app.review.file.decisions[0]
    assert decision.text.strip() == DATA_THEIRS


def test_take_a_whole_side_and_undo_it(conflicted: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> tuple[str, str]:
        await pilot.press("T")
        await pilot.pause()
        taken = str(app.query_one("#heading").render())
        await pilot.press("u")
        await pilot.pause()
        return taken, str(app.query_one("#heading").render())

    taken, undone = drive(app, script)
    assert "2 of 2 decided" in taken and "0 of 2 decided" in undone
    assert "w writes 2 of 2 hunks decided" in taken


def test_the_file_list_jumps_and_the_status_follows(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(conflicted, monkeypatch, "app.py", "lib.py")

    async def script(app: Any, pilot: Any) -> tuple[str, str, str]:
        await pilot.press("1")
        await pilot.press("1")  # app.py decided; on to lib.py
        await pilot.pause()
        moved = str(app.query_one("#heading").render())
        await pilot.press("f")
        listed = app.query_one("#files")
        assert listed.display and listed.option_count == 2
        await pilot.press("up")
        await pilot.press("enter")
        await pilot.pause()
        return (
            moved,
            str(listed.get_option_at_index(0).prompt),
            str(app.query_one("#heading").render()),
        )

    moved, entry, back = drive(app, script)
    assert moved.startswith("lib.py hunk 1 of 2") and "nothing to write" in moved
    assert "app.py: 0 of 2 hunk(s) left" in entry and "w writes 2 of 2" in entry
    assert back.startswith("app.py hunk") and "w writes 2 of 2 hunks decided" in back


def test_click_a_candidate_to_show_it_then_again_to_accept_it(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> tuple[str, int, str]:
        listed = app.query_one("#candidate-list")
        second = (4, listed.first_row(2))
        await pilot.click("#candidate-list", offset=second)
        await pilot.pause()
        shown = str(app.query_one("#result-box").border_title)
        decided = len(app.review.file.decisions)
        await pilot.click("#candidate-list", offset=second)
        await pilot.pause()
        return shown, decided, app.review.file.decisions[0].how

    shown, before, how = drive(app, script)
    assert shown == "result: candidate 2 shown (Enter accepts)" and before == 0
    assert how.startswith("candidate 2 (")


def test_the_wheel_scrolls_the_sides_together(
    conflicted: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(conflicted, monkeypatch, "app.py")

    async def script(app: Any, pilot: Any) -> tuple[str, str]:
        from textual.events import MouseScrollDown

        sides = app.query_one("#sides")
        sides.scroll_to(y=0, animate=False)
        await pilot.pause()
        before = strips(app)[0]
        await pilot._post_mouse_events([MouseScrollDown], "#sides", offset=(5, 2))
        await pilot.pause()
        return before, strips(app)[0]

    before, after = drive(app, script, size=(160, 20))
    assert before != after
    assert before.count("import os") == 3  # one row holds the three sides
    number = after.split()[0]
    assert [cell.split()[0] for cell in after.split("│")] == [number] * 3


# -- a real terminal ---------------------------------------------------------------------


def preview(repo: Repo, size: tuple[int, int]) -> Terminal:
    return Terminal(
        [sys.executable, "-m", "santamerge", "preview", "app.py"],
        repo.root,
        {"PATH": f"{Path(sys.executable).parent}:{__import__('os').environ['PATH']}"},
        size=size,
    )


def test_at_80x24_the_layout_stacks_and_stays_readable(conflicted: Repo) -> None:
    term = preview(conflicted, (24, 80))
    screen = term.wait_for("app.py hunk 1 of 2", "q quit")
    lines = screen.split("\n")
    assert lines[0].lstrip().startswith("app.py hunk 1 of 2")  # the header names the file
    titles = next(line for line in lines if "ours" in line and "theirs" in line)
    assert "b shows base" in titles and lines.index(titles) <= 2
    assert any("candidates (" in line for line in lines)
    assert any("result:" in line for line in lines)
    assert lines.index(next(line for line in lines if "candidates (" in line)) < lines.index(
        next(line for line in lines if "result:" in line)
    )  # stacked
    term.press("b", then="base")
    term.press("q")
    status, _ = term.finish()
    assert status == 1


def test_at_160x48_three_aligned_sides(conflicted: Repo) -> None:
    term = preview(conflicted, (48, 160))
    screen = term.wait_for("app.py hunk 1 of 2", "base", DATA_THEIRS)
    rows = [line for line in screen.split("\n") if DATA_THEIRS in line]
    assert any(row.count("data = open(path") == 3 for row in rows)  # ours, base, theirs
    term.press("n", then="hunk 2 of 2")
    term.press("q")
    status, _ = term.finish()
    assert status == 1

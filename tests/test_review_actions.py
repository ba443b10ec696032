"""The review's actions of issue 26, without a screen: a side taken for the whole file,
lines picked into a hunk, the whole file edited, the list of files and jumping, what `w`
would write, Tab, and one undo for all of them. Every file is a real conflict left by a
real `git merge` in a scratch repository (or git merge-file, for plain markers outside
one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo, git_merge_file

from santamerge.merge.locate import parse_conflicts
from santamerge.ui.review import KEYS, LINES_PICKED, Review, rows

BASE = (
    "import os\n\nRETRIES = 3\n\n\ndef load(path):\n    return open(path).read()\n\n\n"
    "TIMEOUT = 10\n"
)
OURS = (
    BASE.replace("import os\n", "import os\nimport sys\n")
    .replace("= 3", "= 5")
    .replace("= 10", "= 20")
)
# theirs also changes a line git merges cleanly: it must stay whatever the hunks become
THEIRS = (
    BASE.replace("import os\n", "import os\nimport re\n")
    .replace("= 3", "= 4")
    .replace("= 10", "= 30")
    .replace("open(path)", "open(path, encoding='utf-8')")
)
CLEAN = "    return open(path, encoding='utf-8').read()\n"
# git's merge with every hunk taken as one side, written out by hand
AS_OURS = (
    "import os\nimport sys\n\nRETRIES = 5\n\n\ndef load(path):\n" + CLEAN + "\n\nTIMEOUT = 20\n"
)
AS_THEIRS = (
    "import os\nimport re\n\nRETRIES = 4\n\n\ndef load(path):\n" + CLEAN + "\n\nTIMEOUT = 30\n"
)
AS_BASE = "import os\n\nRETRIES = 3\n\n\ndef load(path):\n" + CLEAN + "\n\nTIMEOUT = 10\n"


def merged(make_repo: Callable[[str], Repo], style: str = "diff3") -> Repo:
    """app.py (three hunks) and lib.py (one) conflicted by a real `git merge`, without
    santamerge, in git's ``style``."""
    repo = make_repo("repo")
    repo.git("config", "merge.conflictStyle", style)
    result = repo.merge_branches(
        {"app.py": BASE, "lib.py": "VALUE = 1\n"},
        {"app.py": OURS, "lib.py": "VALUE = 2\n"},
        {"app.py": THEIRS, "lib.py": "VALUE = 3\n"},
    )
    assert result.returncode != 0
    assert CLEAN in repo.read("app.py").decode()
    return repo


@pytest.fixture
def diff3(make_repo: Callable[[str], Repo]) -> Repo:
    return merged(make_repo)


def review_of(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    *paths: str,
    edit: Callable[[str, str], str] | None = None,
) -> Review:
    """The review `santamerge preview` would open on ``paths`` (every conflicted file)."""
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import preview_sources
    from santamerge.ui.review import load_preview

    monkeypatch.chdir(repo.root)
    files = [
        load_preview(s, DEFAULT_POLICY, lambda m: None)
        for s in preview_sources(paths, lambda m: None)
    ]
    return Review([f for f in files if f is not None], edit)


def app_py(review: Review) -> Review:
    """``review`` showing app.py."""
    review.jump(next(e.index for e in review.file_list() if e.path == "app.py"))
    return review


# -- a whole side for the file ------------------------------------------------------------


def test_taking_a_side_decides_every_hunk_and_keeps_gits_merge_outside(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = diff3.read("app.py")
    review = app_py(review_of(diff3, monkeypatch))
    state = review.file
    for key, want in (("O", AS_OURS), ("T", AS_THEIRS), ("B", AS_BASE)):
        review.press(key)
        assert not review.error, review.message
        assert state.result() == want, key
    assert (
        review.message == "base taken for all 3 hunk(s) of app.py (git's merge kept "
        "outside them); w writes the file"
    )
    assert {d.how for d in state.decisions.values()} == {"base, for the whole file"}
    assert diff3.read("app.py") == before  # written only by w
    review.press("B")
    assert review.message == "every hunk is already base"
    review.press("u")
    assert review.message == "undone: base taken for the whole file"
    assert state.result() == AS_THEIRS
    review.press("w")
    assert review.message == "wrote app.py: 3 of 3 hunk(s) resolved, 0 keep their markers"
    assert diff3.read("app.py").decode() == AS_THEIRS
    for _ in range(2):
        review.press("u")
    assert review.message == "undone: ours taken for the whole file"
    assert state.decisions == {} and parse_conflicts(state.result()).hunks  # the conflict
    review.press("u")
    assert (review.message, review.error) == ("nothing to undo in this file", True)


def test_base_is_refused_where_the_hunks_have_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's plain markers, outside a repository: no base section to take."""
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import PreviewSource
    from santamerge.ui.review import load_preview

    text = git_merge_file(tmp_path, (BASE, OURS, THEIRS), options=()).stdout.decode()
    assert "|||||||" not in text and len(parse_conflicts(text).hunks) == 2  # two joined
    (tmp_path / "app.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    file = load_preview(
        PreviewSource("app.py", "app.py", "app.py", "app.py"), DEFAULT_POLICY, lambda m: None
    )
    assert file is not None
    review = Review([file])
    review.press("B")
    assert review.error and review.message.startswith("these hunks have no base section")
    assert review.file.decisions == {}
    assert not review.pick_line("base", 0) and review.error
    review.press("O")
    review.press("w")
    assert (tmp_path / "app.py").read_text() == AS_OURS


# -- lines picked ---------------------------------------------------------------------------


def test_picking_lines_builds_the_hunk_in_the_order_picked(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = app_py(review_of(diff3, monkeypatch))
    state = review.file
    original = state.result()
    assert review.hunk.hunk.ours == "import sys\n" and review.hunk.hunk.theirs == "import re\n"
    assert review.pick_line("theirs", 0) and review.pick_line("ours", 0)
    assert review.message == "hunk 1: ours line 1 picked; 2 line(s) picked; w writes the file"
    decision = state.decisions[0]
    assert (decision.text, decision.how) == ("import re\nimport sys\n", LINES_PICKED)
    assert state.picked(0) == (("theirs", 0), ("ours", 0))
    assert state.result().startswith("import os\nimport re\nimport sys\n\n<<<<<<<")
    assert state.position == 0  # picking stays on the hunk
    assert review.pick_line("theirs", 0)  # picked again: taken out
    assert state.decisions[0].text == "import sys\n" and state.picked(0) == (("ours", 0),)
    assert review.pick_line("ours", 0)  # the last one taken out: the conflict again
    assert review.message == "hunk 1: ours line 1 taken out; no line picked: back to git's conflict"
    assert 0 not in state.decisions and state.result() == original
    for side, line, said in (
        ("ours", 1, "ours has no line 2 in this hunk (it has 1)"),
        ("base", 0, "base has no line 1 in this hunk (it has 0)"),
    ):
        assert not review.pick_line(side, line)  # type: ignore[arg-type]
        assert (review.message, review.error) == (said, True)
    review.press("u")  # back to "import sys" alone, then to both lines
    assert state.decisions[0].text == "import sys\n"
    review.press("u")
    assert review.message == f"hunk 1: undone; now {LINES_PICKED}"
    assert state.decisions[0].text == "import re\nimport sys\n"
    review.press("1")  # a candidate replaces the picks; picking again starts afresh
    assert state.picked(0) == ()
    review.press("p")
    review.pick_line("theirs", 0)
    assert state.decisions[0].text == "import re\n"
    review.press("w")
    text = diff3.read("app.py").decode()
    assert text.startswith("import os\nimport re\n\n<<<<<<< ") and CLEAN in text
    assert len(parse_conflicts(text).hunks) == 2


# -- the whole file edited ------------------------------------------------------------------


def test_editing_the_whole_file_keeps_the_hunks_left_and_their_candidates(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = app_py(review_of(diff3, monkeypatch))
    state = review.file
    original = state.result()
    second = [(r.method, r.text) for r in rows(state.hunks[1])]
    hunks = parse_conflicts(original).hunks
    review.press("T")  # decided before the edit: the edit's text holds the decisions
    review.press("k")  # hunk 1 back to its conflict
    review.press("n")
    review.press("k")  # hunk 2 too: hunk 3 alone stays decided, as theirs
    decided = state.result()
    assert decided == original.replace(hunks[2].render(), "TIMEOUT = 30\n")
    # an import above the hunks, the first hunk resolved by hand, hunk 2 left
    edited = decided.replace(hunks[0].render(), "import re\nimport sys\n")
    edited = edited.replace("import os\n", "import json\nimport os\n", 1)
    assert review.edit_file(edited)
    assert state.decisions == {} and len(state.hunks) == 1
    assert state.result() == edited
    review.press("u")
    assert review.message == "undone: the edit of the whole file"
    assert state.result() == decided and len(state.hunks) == 3 and state.position == 1
    review.press("u")  # hunk 2's k
    review.press("u")  # hunk 1's k
    review.press("u")  # theirs for the file
    assert state.result() == original
    # an import above the hunks, the first hunk resolved by hand, two hunks left
    edited = original.replace(hunks[0].render(), "import re\nimport sys\n")
    edited = edited.replace("import os\n", "import json\nimport os\n", 1)
    assert review.edit_file(edited)
    assert review.message == "app.py edited; 2 hunk(s) left with their markers; w writes the file"
    assert state.result() == edited and len(state.hunks) == 2 and state.position == 0
    assert [(r.method, r.text) for r in rows(review.hunk)] == second  # its candidates
    assert [h.hunk.index for h in state.hunks] == [0, 1]  # numbered as the file now is
    assert (
        review.would_write() == "w writes the file as edited here; 0 of 2 hunks left "
        "in it decided; 2 stay conflicts"
    )
    review.press("T")  # a side taken after the edit: the hunks left, the edit kept
    assert state.result() == AS_THEIRS.replace(
        "import os\nimport re\n", "import json\nimport os\nimport re\nimport sys\n"
    )
    review.press("u")
    review.press("1")  # the hunks left are decided as before
    assert review.message.startswith("hunk 1: candidate 1 (")
    review.press("w")
    assert (
        review.message == "wrote app.py as edited here: 1 of 2 hunk(s) resolved, 1 keep "
        "their markers"
    )
    text = diff3.read("app.py").decode()
    assert text == edited.replace(hunks[1].render(), second[0][1])
    assert text.endswith(hunks[2].render())  # the undecided hunk: git's, byte for byte
    (result,) = [r for r in review.results() if r.file.shown == "app.py"]
    assert result.summary.startswith(
        "app.py: wrote the file as edited here, 1 of 2 hunk(s) "
        "left in it decided (hunk 1: candidate 1 ("
    )
    assert not result.clean
    review.press("u")  # the accepted candidate, then the edit
    review.press("u")
    assert review.message == "undone: the edit of the whole file"
    assert state.result() == original and len(state.hunks) == 3
    review.press("w")  # undone, and written: git's merge as it was
    assert diff3.read("app.py").decode() == original


def test_an_edit_that_leaves_no_conflict_or_breaks_the_markers(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = app_py(review_of(diff3, monkeypatch))
    state = review.file
    original = state.result()
    broken = original.replace("=======\n", "", 1)
    assert not review.edit_file(broken) and review.error
    assert review.message.startswith(
        "the edited file's conflict markers do not parse (malformed conflict markers at line"
    )
    assert state.result() == original and not state.undo_list
    assert not review.edit_file(original) and review.message == "the file is unchanged"
    inside = original.replace("TIMEOUT = 20\n", "TIMEOUT = 25\n")  # inside the markers
    assert review.edit_file(inside)
    assert [r.method for r in rows(state.hunks[2])] == ["ours", "theirs", "base"]
    assert rows(state.hunks[2])[0].text == "TIMEOUT = 25\n"
    assert review.edit_file(AS_OURS.replace("= 20", "= 60"))
    assert review.current_hunk is None and state.hunks == ()
    assert review.would_write() == "w writes the file as edited here; no conflict left"
    review.press("1")
    assert review.error and review.message == "app.py has no conflict left; u undoes the edit"
    review.press("O")
    assert review.error
    review.press("w")
    assert review.message == "wrote app.py as edited here: no conflict left"
    assert diff3.read("app.py").decode() == AS_OURS.replace("= 20", "= 60")
    (result,) = [r for r in review.results() if r.file.shown == "app.py"]
    assert result.clean
    assert review.would_write() == "nothing new to write (written)"
    review.press("u")
    assert state.result() == inside


def test_the_write_guard_holds_for_an_edit_of_the_whole_file(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diff3 file may change outside its hunks while it is reviewed (w splices the
    decisions into it), but a whole new text would write over that change: the edit is
    refused. After an edit, w writes only over the bytes the file held then."""
    review = app_py(review_of(diff3, monkeypatch))
    state = review.file
    original = state.result()
    elsewhere = original.replace("def load", "def load_it")  # another window, meanwhile
    diff3.write("app.py", elsewhere)
    assert review.would_write() == "nothing to write"  # the same hunks: not stale
    assert not review.edit_file(original.replace("import os\n", "import io\n"))
    assert (
        review.message == "app.py changed since it was read here; editing the whole file is refused"
    )
    diff3.write("app.py", original)
    assert review.edit_file(original.replace("import os\n", "import io\n"))
    diff3.write("app.py", elsewhere)
    assert review.would_write() == "w writes nothing: app.py changed since it was read here"
    review.press("w")
    assert review.error and diff3.read("app.py").decode() == elsewhere
    for act in (
        lambda: review.press("O"),
        lambda: review.pick_line("ours", 0),
        lambda: review.edit_file("x = 1\n"),
    ):
        act()
        assert review.error and "refused" in review.message
    assert diff3.read("app.py").decode() == elsewhere


def test_an_edit_of_a_file_rebuilt_from_the_index_is_written_whole(
    make_repo: Callable[[str], Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's default markers: the review shows git's own hunks, each given its base from
    the index; the edit is what is written, over the exact bytes git left."""
    repo = merged(make_repo, style="merge")
    left = repo.read("app.py").decode()
    assert "|||||||" not in left
    review = app_py(review_of(repo, monkeypatch))
    state = review.file
    assert state.hunks[0].hunk.base == "\nRETRIES = 3\n"  # git's first hunk, with its base
    text = state.result()
    edited = text.replace("TIMEOUT", "# the timeout, in seconds\nTIMEOUT", 1)
    assert review.edit_file(edited)
    review.press("w")
    assert not review.error, review.message
    assert repo.read("app.py").decode() == edited
    assert repo.git("diff", "--name-only", "--diff-filter=U").stdout.split() == [
        "app.py",
        "lib.py",
    ]  # not staged: markers are left


# -- the files, and what w would write -----------------------------------------------------


def test_the_file_list_jumping_and_what_w_would_write(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = review_of(diff3, monkeypatch)
    assert [
        (e.path, e.hunks, e.hunks_left, e.decided, e.pending, e.written) for e in review.file_list()
    ] == [("app.py", 3, 3, 0, False, False), ("lib.py", 1, 1, 0, False, False)]
    assert review.would_write() == "nothing to write"
    review.press("O")  # app.py: ours for every hunk
    review.press("p")
    assert review.message == "this is the first hunk"
    assert review.would_write() == "w writes 3 of 3 hunks decided; no conflict left"
    review.press("k")
    assert review.would_write() == "w writes 2 of 3 hunks decided; 1 stays a conflict"
    for _ in range(2):
        review.press("n")
    review.press("1")  # the last hunk of app.py: accepted, and on to lib.py
    assert review.file.file.shown == "lib.py"
    assert review.message.startswith("app.py hunk 3: candidate 1 (")
    assert review.message.endswith(
        "; app.py is not written (p goes back to it, w there writes it); now lib.py"
    )
    assert "w writes the file" not in review.message
    assert review.would_write() == "nothing to write"  # lib.py's own
    assert review.would_write(0) == "w writes 2 of 3 hunks decided; 1 stays a conflict"
    review.press("1")  # lib.py's only hunk: the last of the review, so it stays
    assert review.message.endswith("accepted; w writes the file")
    review.press("w")
    assert [
        (e.path, e.hunks_left, e.decided, e.pending, e.written) for e in review.file_list()
    ] == [("app.py", 1, 2, True, False), ("lib.py", 0, 1, False, True)]
    assert not review.jump(2) and review.message == "there is no file 3; the review has 2"
    assert review.jump(0)
    assert (
        review.message == "file 1 of 2: app.py; w writes 2 of 3 hunks decided; 1 stays a conflict"
    )
    assert review.file.position == 2  # where it was left
    review.press("O")
    review.press("w")
    assert review.would_write(0) == review.would_write(1) == "nothing new to write (written)"
    assert diff3.read("lib.py").decode() != "VALUE = 1\n"
    review.press("q")
    assert review.done and all(r.clean for r in review.results())


def test_tab_moves_the_focus_and_the_new_keys_are_in_the_help(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = review_of(diff3, monkeypatch)
    assert review.focus_panes is False
    review.press("tab")
    assert review.focus_panes is True and not review.error
    assert review.message == "the sides have the focus: ↑ ↓ PgUp PgDn scroll them together"
    review.press("\t")  # the character a terminal sends
    assert review.focus_panes is False and review.message == "the result has the focus"
    keys = dict(KEYS)
    assert "O, T, B" in keys and "Tab" in keys
    assert "a line picked" in keys["u"]


# -- one undo for every action --------------------------------------------------------------


def test_undo_takes_back_every_kind_of_action_in_turn(
    diff3: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = app_py(review_of(diff3, monkeypatch, edit=lambda text, suffix: "RETRIES = 9\n"))
    state = review.file
    seen = [state.result()]

    def then(act: Callable[[], object]) -> None:
        act()
        assert not review.error, review.message
        assert state.result() != seen[-1]
        seen.append(state.result())

    then(lambda: review.press("1"))  # hunk 1 accepted
    then(lambda: review.press("e"))  # hunk 2 edited in the editor
    then(lambda: review.press("p") or review.press("k"))  # hunk 2 back to its conflict
    then(lambda: review.press("T"))  # theirs for the file
    then(lambda: review.pick_line("ours", 0))  # a line picked into hunk 2
    then(lambda: review.edit_file(seen[-1] + "# the end\n"))  # the whole file
    for want in reversed(seen[:-1]):
        review.press("u")
        assert not review.error and state.result() == want, review.message
    review.press("u")
    assert review.error and state.result() == seen[0] and not state.pending

"""The full-screen review as people meet it: through Textual's pilot, through
`git mergetool --tool=santamerge` in a real pseudo-terminal, reviewing what the merge
driver did (and undoing it), and the one numbering of hunks every command shares."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo
from terminal import Terminal

from santamerge.merge.locate import parse_conflicts

SANTAMERGE = [sys.executable, "-m", "santamerge"]
BASE = (
    "import os\n\nRETRIES = 3\n\n\ndef load(path):\n    return open(path).read()\n\n\n"
    "TIMEOUT = 10\n"
)
OURS = (
    BASE.replace("import os\n", "import os\nimport sys\n")
    .replace("= 3", "= 5")
    .replace("= 10", "= 20")
)
THEIRS = (
    BASE.replace("import os\n", "import os\nimport re\n")
    .replace("= 3", "= 4")
    .replace("= 10", "= 30")
)


def run(
    repo: Repo, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [*SANTAMERGE, *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def plain(make_repo: Callable[[str], Repo]) -> Repo:
    """app.py conflicted by a real `git merge` without santamerge, git's default
    (merge-style) markers: two hunks without base sections (git's diff3 merge has three).
    Every santamerge command reads git's own two, each given its base from the index."""
    repo = make_repo("repo")
    result = repo.merge_branches({"app.py": BASE}, {"app.py": OURS}, {"app.py": THEIRS})
    assert result.returncode != 0
    text = repo.read("app.py").decode()
    assert "|||||||" not in text and len(parse_conflicts(text).hunks) == 2
    return repo


# -- the screen, through Textual's pilot -------------------------------------------------


def review_app(repo: Repo, monkeypatch: pytest.MonkeyPatch, *paths: str) -> object:
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import preview_sources
    from santamerge.ui.review import load_preview
    from santamerge.ui.tui import ReviewApp

    monkeypatch.chdir(repo.root)
    files = [
        load_preview(s, DEFAULT_POLICY, lambda m: None)
        for s in preview_sources(paths, lambda m: None)
    ]
    return ReviewApp([f for f in files if f is not None], edit=lambda text, suffix: "X = 1\n")


def test_the_screen_shows_three_sides_when_wide_and_two_when_narrow(
    plain: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    app = review_app(plain, monkeypatch)

    async def drive() -> list[tuple[str, bool, str]]:
        seen = []
        async with app.run_test(size=(140, 40)) as pilot:  # type: ignore[attr-defined]
            await pilot.pause()
            for size, keys in (((140, 40), ["n"]), ((100, 40), ["1", "n"])):
                await pilot.resize_terminal(*size)
                for key in keys:
                    await pilot.press(key)
                await pilot.pause()
                heading = str(app.query_one("#heading", Static).render())  # type: ignore
                base = "base" in app.query_one("#sides").columns  # type: ignore
                result = app.query_one("#result-box").border_title  # type: ignore
                seen.append((heading, base, str(result)))
            await pilot.press("w")
            await pilot.pause()
            await pilot.press("q")
        return seen

    wide, narrow = asyncio.run(drive())
    # plain markers: git's own two hunks, at their lines, each given its base (shown)
    assert "app.py hunk 2 of 2, line 17" in wide[0] and wide[1] is True, wide
    assert "app.py hunk 2 of 2" in narrow[0] and narrow[1] is False, narrow
    assert narrow[2].startswith("result: candidate 1 (")  # accepted: the result follows
    (result,) = app.return_value  # type: ignore[attr-defined]
    assert result.summary.startswith("app.py: wrote 1 of 2 hunk(s) (hunk 2: candidate 1")
    text = plain.read("app.py").decode()
    hunks = parse_conflicts(text).hunks  # hunk 2 written, hunk 1 keeps its markers
    assert [(h.ours, h.base) for h in hunks] == [("import sys\n\nRETRIES = 5\n", "\nRETRIES = 3\n")]


# -- git mergetool ------------------------------------------------------------------------


def mergetool(repo: Repo) -> Terminal:
    install = run(repo, "install", "--mergetool")
    assert install.returncode == 0, install.stderr
    cmd = repo.git("config", "mergetool.santamerge.cmd").stdout
    assert cmd.rstrip().endswith('mergetool "$BASE" "$LOCAL" "$REMOTE" "$MERGED"')
    assert repo.git("config", "mergetool.santamerge.trustExitCode").stdout.strip() == "true"
    return Terminal(
        ["git", "mergetool", "--tool=santamerge"],
        repo.root,
        {"PATH": f"{Path(sys.executable).parent}:{__import__('os').environ['PATH']}"},
    )


def test_git_mergetool_resolves_the_file_and_git_stages_it(plain: Repo) -> None:
    term = mergetool(plain)
    term.wait_for("hunk 1 of 2, line 2", "ours", "base", "theirs")  # git's own two hunks
    term.press("1", then="hunk 2 of 2, line 17")
    term.press("1")
    term.press("w", then="2 of 2 hunk(s) resolved, 0 keep their markers")
    term.press("q")
    status, printed = term.finish()
    assert status == 0, printed
    assert "merge of app.py failed" not in printed
    assert plain.git("diff", "--name-only", "--diff-filter=U").stdout == ""  # staged
    text = plain.read("app.py").decode()
    assert "<<<<<<<" not in text and "RETRIES = 5" in text


def test_git_mergetool_quit_leaves_the_conflict(plain: Repo) -> None:
    before = plain.read("app.py")
    term = mergetool(plain)
    term.wait_for("hunk 1 of 2")
    term.press("q")
    status, printed = term.finish()
    assert status == 1, printed  # git mergetool: the merge of the file failed
    assert "merge of app.py failed" in printed
    assert plain.git("diff", "--name-only", "--diff-filter=U").stdout == "app.py\n"
    assert plain.read("app.py") == before


def test_mergetool_never_writes_over_a_file_edited_by_hand(plain: Repo, tmp_path: Path) -> None:
    """What git mergetool hands over, by hand: MERGED was already worked on."""
    sides = {}
    for stage, name in ((1, "base"), (2, "local"), (3, "remote")):
        sides[name] = tmp_path / name
        sides[name].write_bytes(plain.git("show", f":{stage}:app.py").stdout.encode())
    edited = plain.read("app.py").decode().replace("import sys", "import sys, json")
    plain.write("app.py", edited)
    result = run(
        plain, "mergetool", *(str(sides[n]) for n in ("base", "local", "remote")), "app.py"
    )
    assert result.returncode == 1
    assert result.stderr.startswith("santamerge: app.py no longer holds the conflict git left")
    assert plain.read("app.py").decode() == edited


# -- what the merge driver did, reviewed and undone -----------------------------------------


def test_a_hunk_the_driver_wrote_goes_back_to_gits_conflict(repo: Repo) -> None:
    """A merge that stops before committing: the driver wrote app.py whole (the imports
    union), git staged it; `k` then `w` put the conflict back and git lists it again."""
    repo.commit({"app.py": "import os\n\nX = 1\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": "import os\nimport re\n\nX = 1\n"}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": "import os\nimport json\n\nX = 1\n"}, "ours")
    import os

    merged = subprocess.run(
        ["git", "merge", "--no-commit", "--no-ff", "feature"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SANTAMERGE_POLICY": "union"},
    )
    assert merged.returncode == 0, merged.stderr
    assert repo.git("diff", "--name-only", "--diff-filter=U").stdout == ""
    listing = run(repo, "attempts")
    assert listing.returncode == 0, listing.stderr
    assert "app.py: wrote 1 hunk(s) (hunk 1: structured:union" in listing.stdout
    rows = json.loads(run(repo, "attempts", "--json").stdout)["attempts"]
    assert [r["path"] for r in rows] == ["app.py"] and rows[0]["left"] == []

    term = Terminal([*SANTAMERGE, "preview", "--attempt", "last"], repo.root)
    term.wait_for("app.py hunk 1 of 1", "result: the merge driver (structured:union")
    term.press("k", then="hunk 1: back to git's conflict")
    term.press("w", then="git lists it as conflicted again")
    term.press("q")
    status, printed = term.finish()
    assert status == 1, printed  # a conflict is left in it again
    text = repo.read("app.py").decode()
    (hunk,) = parse_conflicts(text).hunks
    assert (hunk.ours, hunk.base, hunk.theirs) == ("import json\n", "", "import re\n")
    assert repo.git("diff", "--name-only", "--diff-filter=U").stdout == "app.py\n"
    assert repo.git("commit", "-q", "--no-edit", check=False).returncode != 0  # git refuses


# -- one numbering everywhere ---------------------------------------------------------------


def test_preview_and_resolve_number_plain_markers_alike(plain: Repo) -> None:
    shown = json.loads(run(plain, "preview", "--json").stdout)["files"][0]["hunks"]
    resolved = json.loads(run(plain, "resolve", "--json", "--no-model").stdout)["files"][0]
    assert [(h["index"], h["line"], h["base"]) for h in shown] == [
        (h["index"], h["line"], h["base"]) for h in resolved["hunks"]
    ]
    assert [h["base"] for h in shown] == ["\nRETRIES = 3\n", "TIMEOUT = 10\n"]  # from the index
    report = run(plain, "preview").stdout
    assert "app.py hunk 1 of 2, line 2" in report and "base" in report


def test_preview_takes_folders_and_speaks_plainly_outside_a_repository(
    plain: Repo, tmp_path: Path
) -> None:
    plain.write("src/lib.py", "x = 1\n")
    here = run(plain, "preview", ".", "--json")
    assert here.returncode == 1, here.stderr  # app.py's conflicts are left
    assert [f["path"] for f in json.loads(here.stdout)["files"]] == ["app.py"]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proc = subprocess.run(
        [*SANTAMERGE, "preview"], cwd=outside, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert (
        proc.stderr == f"santamerge: {outside} is not inside a git repository; name the "
        "files to preview\n"
    )
    folder = subprocess.run(
        [*SANTAMERGE, "preview", "."], cwd=outside, capture_output=True, text=True, check=False
    )
    assert folder.returncode == 2
    assert folder.stderr.startswith("santamerge: .: a folder outside a git repository")


def test_only_the_full_screen_review_imports_textual(plain: Repo) -> None:
    """Off the full-screen review, no command imports Textual, and preview loads no
    model stack at all."""
    code = (
        "import sys\nfrom santamerge.cli import cli\n"
        "for args in (['preview', '--json'], ['preview'], ['preview', 'app.py'], "
        "['attempts'], ['languages'], ['resolve', '--no-model']):\n"
        "    try:\n        cli(args, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "    if args[0] == 'preview':\n"
        "        print(sorted({'torch', 'transformers', 'santamerge.model.backends.base'}"
        " & set(sys.modules)))\n"
        "print('textual' in sys.modules, 'santamerge.ui.tui' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=plain.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
        timeout=120,
    ).stdout
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("[")] == ["[]"] * 3
    assert lines[-1] == "False False"

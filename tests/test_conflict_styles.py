"""Hunks exactly as git made them: after a real `git merge`, `rebase`, `cherry-pick` or
`revert` under each `merge.conflictStyle`, `resolve` and `preview` find every hunk that
git left in the file, with git's hunk count, lines, ours and theirs. The fixtures are
files where `git merge-file` (myers, XDL_MERGE_ZEALOUS_ALNUM) splits the conflict
differently from `git merge` (merge-ort: histogram, XDL_MERGE_ZEALOUS)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from conftest import Repo

from santamerge.merge.locate import parse_conflicts

# Two conflicts four lines apart, those lines holding no letter or digit: merge-ort keeps
# two hunks, merge-file's ALNUM level joins them into one.
BRACES_BASE = (
    "function f() {\n  if (a) {\n    if (b) {\n      if (c) {\n        x = 1;\n"
    "      }\n    }\n  }\n}\ny = 1;\nz = 0;\n"
)
BRACES_OURS = BRACES_BASE.replace("x = 1", "x = 2").replace("y = 1", "y = 2")
BRACES_THEIRS = BRACES_BASE.replace("x = 1", "x = 3").replace("y = 1", "y = 3")
# Lines where the histogram diff (merge-ort) and myers (merge-file) align differently:
# merge-ort leaves one hunk, merge-file two.
LINES_BASE = "end\nc\n}\n}\nc\nc\nreturn\nb\nend\nx = 1\nx = 1\nb\n"
LINES_OURS = "end\nc\n}\nc\nc\nreturn\nb\nend\nx = 1\nb\nb\n"
LINES_THEIRS = "end\n}\n}\n}\nc\nreturn\nreturn\nb\nend\nx = 1\nx = 1\nx = 1\nb\n"
# merge-file merges these cleanly; merge-ort leaves a conflict.
CLEAN_BASE = "{\n}\n}\nx = 1\n}\nc\nreturn\nx = 1\na\nc\na\nb\n"
CLEAN_OURS = "{\nreturn\n}\n}\nx = 1\n}\nc\nx = 1\na\nc\n{\nb\n"
CLEAN_THEIRS = "{\n}\n}\nx = 1\nc\nreturn\nx = 1\n{\nc\na\nb\n"
FILES = {
    "braces.js": (BRACES_BASE, BRACES_OURS, BRACES_THEIRS),
    "lines.txt": (LINES_BASE, LINES_OURS, LINES_THEIRS),
    "clean.txt": (CLEAN_BASE, CLEAN_OURS, CLEAN_THEIRS),
}
OPERATIONS = ("merge", "rebase", "cherry-pick", "revert")
STYLES = ("merge", "diff3", "zdiff3")


def _side(index: int) -> dict[str, str | bytes]:
    return {name: texts[index] for name, texts in FILES.items()}


def conflicted(make_repo: Callable[[str], Repo], operation: str, style: str) -> Repo:
    """A repository stopped in ``operation`` with the three FILES conflicted: base, ours
    (HEAD's side) and theirs as the index stages 1, 2 and 3."""
    repo = make_repo("repo")
    repo.git("config", "merge.conflictStyle", style)
    if operation == "revert":  # revert C: base C, theirs C's parent, ours HEAD
        repo.commit(_side(2), "theirs")
        repo.commit(_side(0), "base")
        reverted = repo.git("rev-parse", "HEAD").stdout.strip()
        repo.commit(_side(1), "ours")
        done = repo.git("revert", "--no-edit", reverted, check=False)
    else:
        repo.commit(_side(0), "base")
        repo.git("checkout", "-q", "-b", "feature")
        repo.commit(_side(2), "theirs")
        repo.git("checkout", "-q", "main")
        repo.commit(_side(1), "ours")
        if operation == "merge":
            done = repo.git("merge", "--no-edit", "feature", check=False)
        elif operation == "cherry-pick":
            done = repo.git("cherry-pick", "feature", check=False)
        else:  # rebase feature onto main: ours is main, theirs the replayed commit
            repo.git("checkout", "-q", "feature")
            done = repo.git("rebase", "main", check=False)
    assert done.returncode != 0, done.stdout + done.stderr
    listed = repo.git("diff", "--name-only", "--diff-filter=U").stdout.split()
    assert sorted(listed) == sorted(FILES), listed
    return repo


def gits_hunks(repo: Repo, name: str) -> list[tuple[int, str, str]]:
    """(line, ours, theirs) of each hunk git left in the working-tree file."""
    return [(h.line, h.ours, h.theirs) for h in parse_conflicts(repo.read(name).decode()).hunks]


def santamerge(repo: Repo, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", command, *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


def found(done: subprocess.CompletedProcess[str]) -> dict[str, list[tuple[int, str, str]]]:
    files = json.loads(done.stdout)["files"]
    return {f["path"]: [(h["line"], h["ours"], h["theirs"]) for h in f["hunks"]] for f in files}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_resolve_and_preview_find_gits_own_hunks(
    make_repo: Callable[[str], Repo], operation: str, style: str
) -> None:
    repo = conflicted(make_repo, operation, style)
    gits = {name: gits_hunks(repo, name) for name in FILES}
    assert len(gits["braces.js"]) == 2  # the fixtures split as meant
    for command in ("resolve", "preview"):
        extra = ("--no-model",) if command == "resolve" else ()
        done = santamerge(repo, command, "--json", *extra)
        assert "not the ones git wrote" not in done.stderr, done.stderr
        assert found(done) == gits, (command, done.stderr)
    if style == "merge":  # each hunk gets its base, from git's merge of the stages
        (braces,) = [
            f
            for f in json.loads(santamerge(repo, "resolve", "--json").stdout)["files"]
            if f["path"] == "braces.js"
        ]
        assert [h["base"] for h in braces["hunks"]] == ["        x = 1;\n", "y = 1;\n"]


def test_merge_style_base_of_a_refined_hunk(make_repo: Callable[[str], Repo]) -> None:
    """Ours and theirs share their first and last lines: git's merge style moves them out
    of the hunk; its base is the whole base of the region, as zdiff3 shows it."""
    base = "a\nstart\nold\nend\nz\n"
    ours = "a\nstart\nmine\nend\nz\n".replace("start\n", "start\nshared\n")
    theirs = "a\nstart\nshared\nyours\nend\nz\n"
    repo = make_repo("repo")
    result = repo.merge_branches({"f.txt": base}, {"f.txt": ours}, {"f.txt": theirs})
    assert result.returncode != 0
    (hunk,) = parse_conflicts(repo.read("f.txt").decode()).hunks
    assert (hunk.ours, hunk.theirs) == ("mine\n", "yours\n")
    done = santamerge(repo, "resolve", "--json", "--no-model")
    (record,) = json.loads(done.stdout)["files"]
    assert [(h["line"], h["ours"], h["base"], h["theirs"]) for h in record["hunks"]] == [
        (hunk.line, "mine\n", "old\n", "yours\n")
    ]


def test_an_edit_inside_merge_style_markers_is_refused(make_repo: Callable[[str], Repo]) -> None:
    """A person's edit inside git's default markers is a person's work: not proposed on,
    not written, even where the rest of the file is git's."""
    repo = conflicted(make_repo, "merge", "merge")
    written = repo.read("braces.js")
    edited = written.replace(b"        x = 2;\n", b"        x = 2; // kept\n", 1)
    assert edited != written
    repo.write("braces.js", edited)
    shown = santamerge(repo, "resolve", "--json", "--no-model")
    assert "braces.js: its conflict markers are not the ones git wrote" in shown.stderr
    assert "braces.js" not in found(shown)
    done = santamerge(repo, "resolve", "--accept", "--threshold", "0", "--no-model")
    assert "braces.js: its conflict markers are not the ones git wrote" in done.stderr
    assert repo.read("braces.js") == edited
    previewed = santamerge(repo, "preview", "--json")
    assert "braces.js" not in found(previewed)


def test_a_hunk_the_driver_resolved_leaves_the_others_found(
    make_repo: Callable[[str], Repo],
) -> None:
    """Hunks resolved already (by hand with their markers removed, as rerere or the merge
    driver leave them) are gone: the file's hunks left are still git's, in order."""
    repo = conflicted(make_repo, "merge", "merge")
    text = repo.read("braces.js").decode()
    first = parse_conflicts(text).hunks[0]
    resolved = text.replace(first.render(), "        x = 2;\n", 1)
    repo.write("braces.js", resolved)
    left = gits_hunks(repo, "braces.js")
    assert len(left) == 1
    done = santamerge(repo, "resolve", "--json", "--no-model")
    assert found(done)["braces.js"] == left, done.stderr

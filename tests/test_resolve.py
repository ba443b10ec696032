"""`santamerge resolve`, driven as a person would after a real conflicted `git merge`,
`git rebase` and `git cherry-pick` (no merge driver installed: git's own diff3 markers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo

from santamerge.merge.locate import has_markers, parse_conflicts

BASE_APP = "def f():\n    a = 1\n    X = 1\n    return a\n"
OURS_APP = BASE_APP.replace("X = 1", "X = 2")
THEIRS_APP = BASE_APP.replace("X = 1", "X = 3")
BASE_UTIL = "def g():\n    return 'base'\n"
OURS_UTIL = "def g():\n    return 'ours'\n"
THEIRS_UTIL = "def g():\n    return 'theirs'\n"
CRLF_BASE = b"a = 1\r\nX = 1\r\nb = 2\r\n"
CRLF_OURS = b"a = 1\r\nX = 2\r\nb = 2\r\n"
CRLF_THEIRS = b"a = 1\r\nX = 3\r\nb = 2\r\n"
TWO_BASE = "import os\n\n\ndef h():\n    return 1\n"
TWO_OURS = "import os\nimport re\n\n\ndef h():\n    return 2\n"
TWO_THEIRS = "import os\nimport json\n\n\ndef h():\n    return 3\n"
# two hunks far enough apart that git's merge-style markers keep them apart
APART = "\n\n\ndef g():\n    a = 1\n    b = 2\n    return a + b\n\n\n"


def resolve_command() -> list[str]:
    """`python -m santamerge resolve`; until santamerge/cli.py registers the command,
    the command object itself."""
    from santamerge.cli import cli

    if "resolve" in cli.commands:
        return [sys.executable, "-m", "santamerge", "resolve"]
    return [
        sys.executable,
        "-c",
        "from santamerge.commands.resolve import resolve; resolve(prog_name='santamerge resolve')",
    ]


def run_resolve(
    repo: Repo, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*resolve_command(), *args],
        cwd=cwd or repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


def diff3_repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    repo.git("config", "merge.conflictStyle", "diff3")
    return repo


def unmerged(repo: Repo) -> list[str]:
    return repo.git("diff", "--name-only", "--diff-filter=U").stdout.split()


def staged(repo: Repo, name: str) -> bool:
    """Whether the index holds exactly the working-tree file, at stage 0 (`git diff
    --cached` would not tell, when the file written is HEAD's version)."""
    entries = repo.git("ls-files", "-s", "--", name).stdout.split("\n")
    oid = repo.git("hash-object", "--", name).stdout.strip()
    return [e.split()[1:3] for e in entries if e] == [[oid, "0"]]


def snapshot(repo: Repo) -> dict[str, tuple[bytes, int]]:
    """Every working-tree file outside .git: its bytes and mtime."""
    found = {}
    for path in sorted(repo.root.rglob("*")):
        if ".git" not in path.relative_to(repo.root).parts and path.is_file():
            found[str(path.relative_to(repo.root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


@pytest.fixture
def merged(make_repo: Callable[[str], Repo]) -> Repo:
    """A real conflicted `git merge`: app.py and util.py conflicted, notes.txt merged
    cleanly (changed by theirs), then a tracked file edited and an untracked file."""
    repo = diff3_repo(make_repo)
    result = repo.merge_branches(
        {"app.py": BASE_APP, "util.py": BASE_UTIL, "notes.txt": "notes\n", "keep.py": "k = 1\n"},
        {"app.py": OURS_APP, "util.py": OURS_UTIL},
        {"app.py": THEIRS_APP, "util.py": THEIRS_UTIL, "notes.txt": "notes, theirs\n"},
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert sorted(unmerged(repo)) == ["app.py", "util.py"]
    repo.write("keep.py", "k = 2  # edited, not conflicted\n")
    repo.write("scratch.txt", "untracked\n")
    return repo


def test_proposes_with_the_model_and_changes_nothing(merged: Repo) -> None:
    before, status = snapshot(merged), merged.git("status", "--porcelain").stdout
    shown = run_resolve(merged, "--no-model")
    assert shown.returncode == 0, shown.stderr
    assert "app.py hunk 1 of 1" in shown.stdout and "util.py hunk 1 of 1" in shown.stdout
    assert "--accept would write" in shown.stdout and "Nothing was written" in shown.stdout

    unasked = run_resolve(merged)  # the embedded model is asked only when asked for
    assert "santamerge: not asking the embedded model" in unasked.stderr
    assert "model: mean log-prob" not in unasked.stdout
    as_json = run_resolve(merged, "--json", "--model", "embedded")  # loaded once
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["schema"] == 1 and 0 < document["threshold"] < 1
    assert sorted(f["path"] for f in document["files"]) == ["app.py", "util.py"]
    reasons = [
        r
        for f in document["files"]
        for h in f["hunks"]
        for c in h["candidates"]
        for r in c["reasons"]
    ]
    assert any(r.startswith("model: mean log-prob") for r in reasons), reasons
    app = next(f for f in document["files"] if f["path"] == "app.py")
    assert app["hunks"][0]["ours"] == "    X = 2\n" and app["hunks"][0]["base"] == "    X = 1\n"

    assert snapshot(merged) == before
    assert merged.git("status", "--porcelain").stdout == status
    assert not (merged.root / ".git" / "santamerge").exists()


def test_accept_after_a_conflicted_rebase(make_repo: Callable[[str], Repo]) -> None:
    repo = diff3_repo(make_repo)
    repo.commit({"app.py": BASE_APP}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": THEIRS_APP}, "feature")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS_APP}, "main")
    repo.git("checkout", "-q", "feature")
    assert repo.git("rebase", "main", check=False).returncode != 0
    assert unmerged(repo) == ["app.py"]
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "app.py: 1 of 1 hunks written, 0 left marked" in done.stdout
    text = repo.read("app.py").decode()
    assert not has_markers(text)
    assert text in (OURS_APP, THEIRS_APP)  # the learned top-1 here is one side
    assert unmerged(repo) == ["app.py"]  # written, not staged (no --add)


def test_accept_after_a_conflicted_cherry_pick(make_repo: Callable[[str], Repo]) -> None:
    repo = diff3_repo(make_repo)
    repo.commit({"app.py": BASE_APP, "util.py": BASE_UTIL}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": THEIRS_APP, "util.py": THEIRS_UTIL}, "feature")
    picked = repo.git("rev-parse", "HEAD").stdout.strip()
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS_APP, "util.py": OURS_UTIL}, "main")
    assert repo.git("cherry-pick", picked, check=False).returncode != 0
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model", "--add")
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("app.py", "util.py"):
        assert not has_markers(repo.read(name).decode())
    assert unmerged(repo) == [] and staged(repo, "app.py") and staged(repo, "util.py")


def test_undo_restores_bytes_and_the_unmerged_index(make_repo: Callable[[str], Repo]) -> None:
    repo = diff3_repo(make_repo)
    result = repo.merge_branches(
        {"app.py": BASE_APP, "win.py": CRLF_BASE},
        {"app.py": OURS_APP, "win.py": CRLF_OURS},
        {"app.py": THEIRS_APP, "win.py": CRLF_THEIRS},
    )
    assert result.returncode != 0
    original = {name: repo.read(name) for name in ("app.py", "win.py")}
    assert b"<<<<<<< HEAD\r\n" in original["win.py"]

    # --accept alone: written, still unmerged; --undo puts the bytes back
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model")
    assert done.returncode == 0, done.stderr
    assert repo.read("win.py") == CRLF_OURS or repo.read("win.py") == CRLF_THEIRS
    assert sorted(unmerged(repo)) == ["app.py", "win.py"]
    undone = run_resolve(repo, "--undo")
    assert undone.returncode == 0, undone.stderr
    assert {name: repo.read(name) for name in original} == original

    # with --add: staged, then --undo makes git list them as conflicted again
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model", "--add")
    assert done.returncode == 0, done.stderr
    assert unmerged(repo) == [] and staged(repo, "app.py") and staged(repo, "win.py")
    (backup,) = (repo.root / ".git" / "santamerge" / "resolve-backup").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert all(
        f["staged"] and [e["stage"] for e in f["unmerged"]] == [1, 2, 3] for f in manifest["files"]
    )
    undone = run_resolve(repo, "--undo")
    assert undone.returncode == 0, undone.stderr
    assert {name: repo.read(name) for name in original} == original
    assert sorted(unmerged(repo)) == ["app.py", "win.py"]
    assert not backup.exists()

    # a file changed after resolve wrote it: --undo refuses, --force restores
    run_resolve(repo, "--accept", "--threshold", "0", "--no-model")
    repo.write("app.py", "def f():\n    return 'edited by hand'\n")
    refused = run_resolve(repo, "--undo")
    assert refused.returncode == 2
    assert refused.stderr.startswith("santamerge: app.py changed since")
    assert len(refused.stderr.splitlines()) == 1
    assert repo.read("win.py") != original["win.py"]  # nothing restored
    forced = run_resolve(repo, "--undo", "--force")
    assert forced.returncode == 0, forced.stderr
    assert {name: repo.read(name) for name in original} == original
    nothing = run_resolve(repo, "--undo")
    assert nothing.returncode == 2 and nothing.stderr.startswith("santamerge: nothing to undo")

    # the merge was committed after --accept --add: --undo refuses to reopen it
    run_resolve(repo, "--accept", "--threshold", "0", "--no-model", "--add")
    repo.git("commit", "-q", "--no-edit")
    late = run_resolve(repo, "--undo")
    assert late.returncode == 2 and late.stderr.startswith("santamerge: HEAD moved")
    assert unmerged(repo) == []


def test_add_stages_only_files_without_markers(merged: Repo) -> None:
    merged.write("two.py", "")  # nothing conflicts in two.py; resolve must not touch it
    before = snapshot(merged)
    done = run_resolve(
        merged,
        "--accept",
        "--threshold",
        "0",
        "--add",
        "--no-model",
        "app.py",
        "keep.py",
        "two.py",
        "scratch.txt",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "keep.py: not conflicted" in done.stderr and "scratch.txt: " in done.stderr
    assert unmerged(merged) == ["util.py"]
    assert staged(merged, "app.py") and not staged(merged, "util.py")
    assert not staged(merged, "keep.py")  # edited in the working tree, not added
    after = snapshot(merged)
    for name in ("keep.py", "two.py", "scratch.txt", "notes.txt", "util.py"):
        assert after[name] == before[name], name  # bytes and mtime
    assert after["app.py"] != before["app.py"]


def test_a_threshold_between_two_hunks_writes_one(make_repo: Callable[[str], Repo]) -> None:
    repo = diff3_repo(make_repo)
    result = repo.merge_branches({"two.py": TWO_BASE}, {"two.py": TWO_OURS}, {"two.py": TWO_THEIRS})
    assert result.returncode != 0
    document = json.loads(run_resolve(repo, "--json", "--no-model").stdout)
    (record,) = document["files"]
    tops = [h["candidates"][0]["score"] for h in record["hunks"]]
    assert len(tops) == 2 and tops[0] != tops[1], tops
    middle = sum(tops) / 2
    done = run_resolve(repo, "--accept", "--add", "--threshold", f"{middle:.6f}", "--no-model")
    assert done.returncode == 1, done.stdout + done.stderr  # a hunk is left marked
    assert "two.py: 1 of 2 hunks written, 1 left marked" in done.stdout
    left = parse_conflicts(repo.read("two.py").decode()).hunks
    assert len(left) == 1 and left[0].index == 0
    assert unmerged(repo) == ["two.py"] and not staged(repo, "two.py")  # markers left


def test_merge_style_markers_are_rebuilt_from_the_index(make_repo: Callable[[str], Repo]) -> None:
    repo = make_repo("repo")  # merge.conflictStyle left at "merge": no base section
    result = repo.merge_branches({"app.py": BASE_APP}, {"app.py": OURS_APP}, {"app.py": THEIRS_APP})
    assert result.returncode != 0
    shown = run_resolve(repo, "--json", "--no-model", "app.py")
    (record,) = json.loads(shown.stdout)["files"]
    assert record["hunks"][0]["base"] == "    X = 1\n"
    assert "rebuilt from the index" in shown.stderr
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model", "--add")
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("app.py").decode() in (OURS_APP, THEIRS_APP)
    assert unmerged(repo) == []


def test_a_merge_style_hunk_left_marked_stays_as_git_wrote_it(
    make_repo: Callable[[str], Repo],
) -> None:
    """Under git's default markers (no base section) resolve proposes on each hunk with
    its base from the index, and a hunk it does not write keeps git's own markers, byte
    for byte: no base section added (the no-lost-line long run of 2026-12-05 found 10
    such files)."""
    from santamerge.merge.locate import parse_conflicts

    repo = make_repo("repo")
    base, ours, theirs = (t.replace("\n\n\n", APART, 1) for t in (TWO_BASE, TWO_OURS, TWO_THEIRS))
    result = repo.merge_branches({"two.py": base}, {"two.py": ours}, {"two.py": theirs})
    assert result.returncode != 0
    before = parse_conflicts(repo.read("two.py").decode())
    assert len(before.hunks) == 2 and all(h.base is None for h in before.hunks)
    document = json.loads(run_resolve(repo, "--json", "--no-model").stdout)
    (record,) = document["files"]
    assert all(h["base"] is not None for h in record["hunks"])
    tops = [h["candidates"][0]["score"] for h in record["hunks"]]
    assert len(tops) == 2 and tops[0] != tops[1], tops
    done = run_resolve(repo, "--accept", "--threshold", f"{sum(tops) / 2:.6f}", "--no-model")
    assert done.returncode == 1, done.stdout + done.stderr
    after = parse_conflicts(repo.read("two.py").decode())
    (kept,) = after.hunks
    lower = before.hunks[0 if tops[0] < tops[1] else 1]  # the hunk below the threshold
    assert kept.base is None and kept.render() == lower.render()
    assert "|||||||" not in repo.read("two.py").decode()


def test_conflicts_without_every_stage(make_repo: Callable[[str], Repo]) -> None:
    """add/add: git's markers (empty base) are proposed on; modify/delete: no markers
    and no stage 3 to rebuild from, so it is skipped and stays conflicted."""
    repo = diff3_repo(make_repo)
    repo.commit({"gone.py": BASE_APP}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("both.py", "x = 2\n")
    repo.git("rm", "-q", "gone.py")
    repo.commit({}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"both.py": "x = 1\n", "gone.py": OURS_APP}, "ours")
    assert repo.git("merge", "--no-edit", "feature", check=False).returncode != 0
    assert sorted(unmerged(repo)) == ["both.py", "gone.py"]
    before = repo.read("gone.py")
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model")
    assert done.returncode == 1, done.stdout + done.stderr  # gone.py is still conflicted
    assert "gone.py: deleted on their side" in done.stderr
    assert repo.read("gone.py") == before
    assert not has_markers(repo.read("both.py").decode())


def test_add_without_accept_is_an_error(merged: Repo) -> None:
    before = snapshot(merged)
    done = run_resolve(merged, "--add")
    assert done.returncode == 2
    assert done.stderr.startswith("santamerge: ") and len(done.stderr.splitlines()) == 1
    bad = run_resolve(merged, "--accept", "--threshold", "1.5")
    assert bad.returncode == 2 and bad.stderr.startswith("santamerge: --threshold 1.5")
    assert snapshot(merged) == before


def test_works_from_a_subfolder_and_outside_a_repository(merged: Repo, tmp_path: Path) -> None:
    (merged.root / "sub").mkdir()
    done = run_resolve(merged, "--json", "--no-model", "../util.py", cwd=merged.root / "sub")
    assert done.returncode == 0, done.stderr
    assert [f["path"] for f in json.loads(done.stdout)["files"]] == ["util.py"]
    outside = tmp_path / "outside"
    outside.mkdir()
    nowhere = subprocess.run(
        [*resolve_command()],
        cwd=outside,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )
    assert nowhere.returncode == 2 and nowhere.stderr.startswith("santamerge: ")


def test_help_teaches_the_command() -> None:
    done = subprocess.run(
        [*resolve_command(), "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for words in (
        "--accept writes",
        "--threshold P",
        "99 % precision",
        "docs/ranking.md",
        "--add then stages",
        "--undo restores",
        "Examples:",
        "rebase",
        "cherry-pick",
        "resolve-backup",
        "Exit status",
    ):
        assert words in text, words


def test_policy_and_device_like_the_sibling_commands(make_repo: Callable[[str], Repo]) -> None:
    repo = diff3_repo(make_repo)
    result = repo.merge_branches({"two.py": TWO_BASE}, {"two.py": TWO_OURS}, {"two.py": TWO_THEIRS})
    assert result.returncode != 0
    marked = repo.read("two.py")
    never = run_resolve(repo, "--accept", "--policy", "never", "--no-model")
    assert never.returncode == 1 and repo.read("two.py") == marked, never.stdout
    for bad in (("--policy", "never", "--threshold", "0.5"), ("--device", "tpu")):
        refused = run_resolve(repo, "--accept", "--no-model", *bad)
        assert refused.returncode == 2 and refused.stderr.startswith("santamerge: "), bad
        assert len(refused.stderr.splitlines()) == 1 and repo.read("two.py") == marked, bad
    # Two imports added at one place in no order the file shows: conservative leaves
    # them (as the driver does), the union policy writes them.
    done = run_resolve(repo, "--accept", "--policy", "conservative", "--no-model")
    assert done.returncode == 1 and repo.read("two.py") == marked, done.stdout + done.stderr
    done = run_resolve(repo, "--accept", "--policy", "union", "--no-model")
    assert done.returncode == 1, done.stdout + done.stderr  # the function is left marked
    left = parse_conflicts(repo.read("two.py").decode())
    assert len(left.hunks) == 1 and "return 2" in left.hunks[0].ours
    assert repo.read("two.py").startswith(b"import os\nimport re\nimport json\n")


# -- edits inside the markers are a person's work (issue 22) ------------------------------

GO_BASE = (
    'package app\n\nimport "fmt"\n\nfunc Greet(name string) string {\n'
    '\treturn fmt.Sprintf("hello %s", name)\n}\n\nfunc Add(a, b int) int {\n'
    "\treturn a + b\n}\n"
)
GO_OURS = GO_BASE.replace('"hello %s"', '"hello, %s"')


def test_accept_never_writes_over_an_edit_inside_the_markers(
    make_repo: Callable[[str], Repo],
) -> None:
    """A person edited a line inside ours of one hunk, markers still there: no threshold
    writes the file (at 0, its top candidate used to be written over the edit)."""
    repo = diff3_repo(make_repo)
    result = repo.merge_branches({"two.py": TWO_BASE}, {"two.py": TWO_OURS}, {"two.py": TWO_THEIRS})
    assert result.returncode != 0
    written = repo.read("two.py")
    assert written.count(b"import re\n") == 1
    edited = written.replace(b"import re\n", b"import re  # needed by the parser\n")
    repo.write("two.py", edited)
    for threshold in ("0", "0.5"):
        done = run_resolve(repo, "--accept", "--threshold", threshold, "--no-model")
        assert repo.read("two.py") == edited, done.stdout + done.stderr
        assert done.returncode == 1  # still conflicted
        assert "two.py: its conflict markers are not the ones git wrote" in done.stderr
    assert run_resolve(repo, "--json", "--no-model").stdout.count('"path"') == 0
    assert not (repo.root / ".git" / "santamerge" / "resolve-backup").exists()


def test_an_edited_hunk_is_not_emptied_and_force_backs_it_up(
    make_repo: Callable[[str], Repo],
) -> None:
    """Theirs deleted everything, ours changed a line, a person edited ours inside the
    markers: the file is not written (it used to become 0 bytes, theirs). --force writes
    from git's merge rebuilt from the index, after a backup that --undo restores."""
    repo = diff3_repo(make_repo)
    result = repo.merge_branches({"app.go": GO_BASE}, {"app.go": GO_OURS}, {"app.go": ""})
    assert result.returncode != 0 and unmerged(repo) == ["app.go"]
    written = repo.read("app.go")
    (hunk,) = parse_conflicts(written.decode()).hunks
    assert hunk.theirs == "" and hunk.ours == GO_OURS
    edited = written.replace(b"\treturn a + b\n", b"\treturn a + b // checked\n", 1)
    assert edited != written
    repo.write("app.go", edited)
    done = run_resolve(repo, "--accept", "--threshold", "0", "--no-model")
    assert repo.read("app.go") == edited, done.stdout + done.stderr
    assert done.returncode == 1
    assert "app.go: its conflict markers are not the ones git wrote" in done.stderr

    forced = run_resolve(repo, "--accept", "--threshold", "0", "--no-model", "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "its conflict hunks are not the ones git wrote (--force)" in forced.stderr
    assert repo.read("app.go") != edited
    undone = run_resolve(repo, "--undo")
    assert undone.returncode == 0, undone.stderr
    assert repo.read("app.go") == edited


def test_what_the_merge_driver_left_is_still_proposed_on(make_repo: Callable[[str], Repo]) -> None:
    """Hunks the driver resolved are gone from the file, and a definition both sides added
    is wrapped in hunks of the driver's own: neither is a person's edit."""
    repo = make_repo("repo")
    repo.install_driver()
    base = TWO_BASE + '\n\nSETTINGS = {\n    "host": "a",\n    "port": 1,\n}\n'
    ours = TWO_OURS + '\n\nSETTINGS = {\n    "host": "b",\n    "port": 1,\n}\n'
    theirs = TWO_THEIRS + '\n\nSETTINGS = {\n    "host": "a",\n    "port": 2,\n}\n'
    store = "class Store:\n    def get(self):\n        return 1\n"
    store_ours = store.replace(
        "class Store:\n", "class Store:\n    def save(self):\n        return 2\n\n"
    )
    store_theirs = store + "\n    def save(self):\n        return 3\n"
    result = repo.merge_branches(
        {"two.py": base, "store.py": store},
        {"two.py": ours, "store.py": store_ours},
        {"two.py": theirs, "store.py": store_theirs},
    )
    assert result.returncode != 0 and sorted(unmerged(repo)) == ["store.py", "two.py"]
    two = repo.read("two.py").decode()
    assert '"host": "b",\n    "port": 2,' in two  # the driver merged the dict
    assert len(parse_conflicts(two).hunks) == 2
    assert len(parse_conflicts(repo.read("store.py").decode()).hunks) == 2  # the clash
    shown = run_resolve(repo, "--json", "--no-model")
    assert shown.returncode == 0, shown.stderr
    assert "not the ones git wrote" not in shown.stderr
    files = {f["path"]: f for f in json.loads(shown.stdout)["files"]}
    assert sorted(files) == ["store.py", "two.py"]
    assert [len(f["hunks"]) for f in files.values()] == [2, 2]

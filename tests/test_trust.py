"""Issue 11's data-loss paths, each as a person meets it: real `git merge` runs through
the installed driver, real `santamerge resolve` and `preview` runs, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo, git_merge_file
from test_driver_git import git_own_result

from santamerge import treesitter
from santamerge.languages.profiles import language_for_path
from santamerge.merge.gates import check_candidate, check_together, misplaced, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.policy import UNION
from santamerge.syntax.nodes import count_errors

# The union of two sides' additions at one place is written only by the ``union`` and
# ``words`` policies (the default offers it): the tests of the union writer run under it.
UNION_ENV = {"SANTAMERGE_POLICY": "union"}

# -- the union keeps what differs (defects 1-4) --------------------------------------------

F_OURS = "def f(x):\n    if x:\n        log(x)\n    return x\n"
F_THEIRS = "def f(x):\n    if x:\n        log(x)\n        return x\n"
UNIONS_THAT_LOSE = {
    "python-indentation": (
        "app.py",
        "import os\n",
        "import os\n" + F_OURS,
        "import os\n" + F_THEIRS,
    ),
    "a-comment": (
        "app.py",
        "import os\n",
        "import os\nimport re\n",
        "import os\n# re is needed by the security fix\nimport re\n",
    ),
    "line-endings": (
        "App.java",
        "import a.B;\n",
        "import a.B;\nimport java.util.Zeta;\n",
        "import a.B;\nimport java.util.Zeta;\r\n",
    ),
    "duplicated-lines": (
        "app.js",
        "const a = require('a');\n",
        "const a = require('a');\nconst b = require('b');\nconst b = require('b');\n",
        "const a = require('a');\n// one\n// two\nconst b = require('b');\n",
    ),
}


@pytest.mark.parametrize("case", sorted(UNIONS_THAT_LOSE))
def test_a_union_that_would_lose_text_leaves_gits_conflict(repo: Repo, case: str) -> None:
    path, base, ours, theirs = UNIONS_THAT_LOSE[case]
    result = repo.merge_branches({path: base}, {path: ours}, {path: theirs}, env=UNION_ENV)
    assert result.returncode != 0, result.stdout + result.stderr
    assert repo.read(path) == git_own_result(repo, path)
    assert f"CONFLICT (content): Merge conflict in {path}" in result.stdout


@pytest.mark.parametrize("case", sorted(UNIONS_THAT_LOSE))
def test_propose_offers_no_union_where_it_would_lose_text(case: str) -> None:
    path, base, ours, theirs = UNIONS_THAT_LOSE[case]
    text = f"<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n"
    (hunk,) = run_pipeline(text, path, policy=UNION).proposal.hunks
    assert not {"structured:union", "structured:union-unordered"} & {
        c.method for c in hunk.candidates
    }
    assert hunk.chosen is None


def test_identical_additions_are_still_kept_once(repo: Repo) -> None:
    same = "import os\n# needed by both\nimport re\n"
    ours, theirs = same + "import json\n", same + "import sys\n"
    result = repo.merge_branches(
        {"app.py": "import os\n"}, {"app.py": ours}, {"app.py": theirs}, env=UNION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py") == (same + "import json\nimport sys\n").encode()


# -- gates see what tree-sitter forgives (defect 7) ------------------------------------------


def conflict(before: str, ours: str, base: str, theirs: str, after: str) -> str:
    return (
        f"{before}<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n{after}"
    )


def rejections(text: str, path: str, method: str) -> tuple[str, ...]:
    (hunk,) = run_pipeline(text, path).proposal.hunks
    (scored,) = [s for s in hunk.ranked if s.candidate.method == method]
    return scored.rejected


def test_python_gate_compiles_the_spliced_file() -> None:
    # theirs+ours leaves `with ...:` followed by a blank line and a def: tree-sitter
    # recovers, Python says "expected an indented block"
    text = conflict(
        "import os\n",
        "\ndef g():\n    return 1\n",
        "",
        "with open(p) as fh:\n",
        "    data = fh.read()\n",
    )
    reasons = rejections(text, "app.py", "theirs+ours")
    assert any(
        r.startswith("Python does not compile it: expected an indented block") for r in reasons
    ), reasons
    # an indentation that only Python rejects: unexpected indent
    text = conflict(
        "def gamma(x):\n    if x:\n        log(x)\n",
        "    return x\n",
        "        return x\n",
        "        return x\n\ndef save(x):\n    return 1\n",
        "",
    )
    reasons = rejections(text, "app.py", "ours+theirs")
    assert any("unexpected indent" in r for r in reasons), reasons
    assert rejections(text, "app.py", "ours") == ()


def test_python_gate_is_off_when_a_side_does_not_compile() -> None:
    # both sides are Python 2: Python 3 cannot judge them, tree-sitter still does
    text = conflict("print 'a'\n", "x = 1\n", "x = 0\n", "x = 2\n", "")
    assert rejections(text, "app.py", "ours") == ()


MISPLACED = [
    (
        "App.java",
        conflict(
            "package app;\n",
            "import java.util.List;\n",
            "",
            "class Helper {}\n",
            "public class App {}\n",
        ),
        "theirs+ours",
        "import declaration after other declarations",
    ),
    (
        "main.go",
        conflict(
            "package main\n\n", 'import "fmt"\n', "", "func helper() {}\n", "func main() {}\n"
        ),
        "theirs+ours",
        "import declaration after other declarations",
    ),
    (
        "app.js",
        conflict(
            "function f() {\n",
            "  const limit = 1;\n",
            "  const limit = 0;\n",
            "  const limit = 2;\n",
            "  return limit;\n}\n",
        ),
        "ours+theirs",
        "a name declared twice in a block",
    ),
    (
        "app.ts",
        conflict(
            "",
            "let size: number = 1;\n",
            "let size: number = 0;\n",
            "let size: number = 2;\n",
            "export { size };\n",
        ),
        "ours+theirs",
        "a name declared twice in a block",
    ),
    (
        "app.js",
        conflict(
            "function f() {\n",
            "  const a = await g();\n",
            "  const a = g();\n",
            "  const b = g();\n",
            "  return a;\n}\n",
        ),
        "ours",
        "await outside an async function",
    ),
]


@pytest.mark.parametrize(
    ("path", "text", "method", "why"),
    MISPLACED,
    ids=[f"{m[0]}-{m[3].split()[0]}" for m in MISPLACED],
)
def test_gate_rejects_what_the_language_forbids_and_tree_sitter_allows(
    path: str, text: str, method: str, why: str
) -> None:
    parsed = parse_conflicts(text)
    profile = language_for_path(path)
    assert profile is not None
    baseline = prepare_gates(parsed, profile, path)
    (candidate,) = [
        c for c in run_pipeline(text, path).proposal.hunks[0].candidates if c.method == method
    ]
    spliced = parsed.splice({0: candidate.text})
    tree = treesitter.parse(profile, spliced)
    assert count_errors(tree.root_node) == 0  # the hole: tree-sitter is happy
    assert why in [w for _, _, w in misplaced(profile, tree.root_node)]
    if method == "ours":  # ours is a side: a side's own faults are allowed, as before
        assert check_candidate(baseline, candidate) == ()
        return
    assert check_candidate(baseline, candidate), "the gate let it through"
    assert check_together(baseline, {0: candidate}) == {
        0: ("does not parse with the other choices",)
    }


def test_javascript_return_outside_a_function_is_misplaced() -> None:
    profile = language_for_path("app.mjs")
    assert profile is not None
    tree = treesitter.parse(profile, "const a = 1;\nreturn a;\n")
    assert count_errors(tree.root_node) == 0
    assert [w for _, _, w in misplaced(profile, tree.root_node)] == ["return outside a function"]
    fine = treesitter.parse(profile, "const f = async () => { return await g(); };\n")
    assert misplaced(profile, fine.root_node) == []


def test_rust_use_in_an_impl_body_is_misplaced() -> None:
    profile = language_for_path("lib.rs")
    assert profile is not None
    tree = treesitter.parse(profile, "struct A;\nimpl A {\n    use std::io;\n}\n")
    assert count_errors(tree.root_node) == 0
    found = [w for _, _, w in misplaced(profile, tree.root_node)]
    assert found == ["use_declaration not allowed here"]
    fine = treesitter.parse(profile, "mod m {\n    use std::io;\n}\nuse std::fs;\n")
    assert misplaced(profile, fine.root_node) == []


def test_whole_file_gates_catch_two_choices_that_are_fine_alone() -> None:
    # each hunk's union adds `def g`: each alone is fine, together g is defined twice
    text = (
        conflict("import os\n", "import re\n", "", "import json\n", "\n\n")
        + conflict("", "def g():\n    return 1\n", "", "def h():\n    return 2\n", "\n\n")
        + conflict("", "def k():\n    return 3\n", "", "def g():\n    return 4\n", "")
    )
    proposal = run_pipeline(text, "app.py", rank_all=False, policy=UNION).proposal
    chosen = [h.chosen.method if h.chosen else None for h in proposal.hunks]
    assert chosen[0] == "structured:union-unordered"
    assert chosen.count(None) >= 1
    assert any(
        "defines g twice" in " ".join(r) for h in proposal.hunks for r in h.withdrawn.values()
    )
    assert [h.chosen for h in run_pipeline(text, "app.py", policy=UNION).proposal.hunks] == [
        h.chosen for h in proposal.hunks
    ]


# -- the driver's time grows with the file (defect 15) ----------------------------------------


def test_the_driver_parses_a_file_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linear time, checked without a clock: the gates parse the file a fixed number of
    times, not once per hunk (100, 200 and 400 hunks took 0.46, 1.55 and 6.19 s before;
    tests/bench/driver_hunks.py measures it, docs/benchmarks.md records it)."""
    calls = {"parse": 0, "reparse": 0}
    real_parse, real_reparse = treesitter._parser, treesitter.reparse

    class Counting:
        def __init__(self, parser: object) -> None:
            self.parser = parser

        def parse(self, *args: object) -> object:
            calls["parse"] += 1
            return self.parser.parse(*args)  # type: ignore[attr-defined]

    monkeypatch.setattr(treesitter, "_parser", lambda p: Counting(real_parse(p)))

    def reparse(*args: object) -> object:
        calls["reparse"] += 1
        return real_reparse(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(treesitter, "reparse", reparse)
    treesitter.parse.cache_clear()
    counts = []
    for hunks in (50, 200):
        text = "".join(
            conflict(
                f"def keep{i}():\n    return {i}\n\n\n",
                f"def ours{i}():\n    return {i}\n\n\n",
                "",
                f"def theirs{i}():\n    return {i}\n\n\n",
                f"X{i} = {i}\n\n\n",
            )
            for i in range(hunks)
        )
        calls.update(parse=0, reparse=0)
        proposal = run_pipeline(text, "app.py", rank_all=False, policy=UNION).proposal
        assert all(h.chosen is not None for h in proposal.hunks)
        counts.append(calls["parse"] + calls["reparse"])
    assert counts[0] == counts[1] <= 6, counts


# -- resolve never writes over a person's work (defect 5) -------------------------------------


def run_cli(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


@pytest.fixture
def plain_conflict(make_repo: Callable[[str], Repo]) -> Repo:
    """app.py conflicted by a real `git merge` with git's default (merge-style) markers."""
    repo = make_repo("repo")
    result = repo.merge_branches(
        {"app.py": "a = 1\nX = 1\nb = 2\n"},
        {"app.py": "a = 1\nX = 2\nb = 2\n"},
        {"app.py": "a = 1\nX = 3\nb = 2\n"},
    )
    assert result.returncode != 0
    return repo


def test_resolve_never_writes_over_a_hand_resolution(plain_conflict: Repo) -> None:
    repo = plain_conflict
    repo.write("app.py", "a = 1\nX = 23\nb = 2\n")  # resolved by hand, not yet added
    done = run_cli(repo, "resolve", "--accept", "--threshold", "0", "--no-model")
    assert repo.read("app.py") == b"a = 1\nX = 23\nb = 2\n"
    assert "app.py: no conflict markers in the working tree: resolved by hand?" in done.stderr
    assert done.returncode == 1  # still conflicted in the index
    assert not (repo.root / ".git" / "santamerge" / "resolve-backup").exists()
    assert run_cli(repo, "resolve", "--no-model").stdout == ""  # nothing proposed


def test_resolve_never_writes_over_edited_markers(plain_conflict: Repo) -> None:
    repo = plain_conflict
    edited = repo.read("app.py").replace(b"X = 2\n", b"X = 2  # keep this\n")
    repo.write("app.py", edited)
    done = run_cli(repo, "resolve", "--accept", "--threshold", "0", "--no-model")
    assert repo.read("app.py") == edited
    assert "its conflict markers are not the ones git wrote" in done.stderr


def test_resolve_still_resolves_gits_own_plain_markers(plain_conflict: Repo) -> None:
    repo = plain_conflict
    done = run_cli(repo, "resolve", "--accept", "--threshold", "0", "--no-model")
    assert b"<<<<<<<" not in repo.read("app.py"), done.stderr
    assert done.returncode == 0


def test_resolve_force_writes_over_a_hand_resolution_with_a_backup(plain_conflict: Repo) -> None:
    repo = plain_conflict
    repo.write("app.py", "a = 1\nX = 23\nb = 2\n")
    done = run_cli(repo, "resolve", "--accept", "--threshold", "0", "--no-model", "--force")
    assert repo.read("app.py") != b"a = 1\nX = 23\nb = 2\n", done.stderr
    undone = run_cli(repo, "resolve", "--undo")
    assert undone.returncode == 0, undone.stderr
    assert repo.read("app.py") == b"a = 1\nX = 23\nb = 2\n"


# -- preview never writes markers as a resolution (defect 6) ----------------------------------


def test_preview_refuses_an_edit_that_leaves_markers(tmp_path: Path) -> None:
    from santamerge.merge.record import proposal_record
    from santamerge.ui.review import PreviewFile, Review

    target = tmp_path / "app.py"
    text = conflict("a = 1\n", "X = 2\n", "X = 1\n", "X = 3\n", "b = 2\n")
    target.write_text(text)
    proposal, outcome, _ = run_pipeline(text, "app.py")
    files = [PreviewFile("app.py", str(target), proposal, proposal_record(proposal, outcome))]

    def half_done(current: str, suffix: str) -> str:
        return current.replace("X = 2\n", "X = 23\n")  # edited, the markers still there

    review = Review(files, half_done)
    review.press("e")
    assert review.message.startswith("the edited text still holds conflict markers")
    review.press("w")
    review.press("q")
    assert review.done
    assert target.read_text() == text
    assert [r.summary for r in review.results()] == ["app.py: unchanged"]


# -- the driver's limits and signals (defects 13 and 14) -------------------------------------


def imports_merge(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = "import os\n"
    return repo.merge_branches(
        {"app.py": base},
        {"app.py": base + "import json\n"},
        {"app.py": base + "import re\n"},
        env={**UNION_ENV, **env},
    )


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_the_time_limit_cannot_be_switched_off(repo: Repo, value: str) -> None:
    result = imports_merge(repo, {"SANTAMERGE_TIMEOUT": value, "SANTAMERGE_FAULT": "hang"})
    assert result.returncode != 0  # not hung: git's own merge, at once
    assert repo.read("app.py") == git_own_result(repo, "app.py")
    assert "santamerge: setting 'timeout' has the value" in result.stderr
    assert "must be a number above 0" in result.stderr


def test_a_bad_time_limit_is_a_one_line_error_elsewhere(repo: Repo) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "resolve", "--no-model"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "SANTAMERGE_TIMEOUT": "0"},
        check=False,
    )
    assert (done.returncode, done.stderr.count("\n")) == (2, 1), done.stderr
    assert done.stderr.startswith("santamerge: setting 'timeout'")


def driver_process(repo: Repo, fault: str) -> tuple[subprocess.Popen[bytes], Path]:
    """The driver as git runs it, in the work tree's top folder, hanging at ``fault``."""
    for name, text in (
        ("base", "import os\n"),
        ("ours", "import os\nimport json\n"),
        ("theirs", "import os\nimport re\n"),
    ):
        (repo.root / f".merge_file_{name}").write_text(text)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "santamerge",
            "merge-driver",
            ".merge_file_base",
            ".merge_file_ours",
            ".merge_file_theirs",
            "7",
            "app.py",
        ],
        cwd=repo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **UNION_ENV, "SANTAMERGE_FAULT": fault, "SANTAMERGE_TIMEOUT": "60"},
    )
    return proc, repo.root / ".merge_file_ours"


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def scratch_copies(repo: Repo) -> list[Path]:
    folder = repo.root / ".git" / "santamerge" / "tmp"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def stray_files(repo: Repo) -> list[str]:
    return [
        p.name for p in repo.root.iterdir() if ".santamerge-" in p.name or p.name.endswith(".tmp")
    ]


def test_sigterm_in_the_middle_of_a_write_leaves_gits_result_and_no_copy(repo: Repo) -> None:
    repo.commit({"app.py": "import os\n"}, "base")
    proc, ours = driver_process(repo, "hang-write")
    gits = git_merge_file(
        repo.root, names=(".merge_file_base", ".merge_file_ours", ".merge_file_theirs")
    ).stdout
    wait_for(lambda: bool(scratch_copies(repo)))
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err == b""
    assert ours.read_bytes() in (b"import os\nimport json\n", gits)  # intact ours, or git's
    assert scratch_copies(repo) == [] and stray_files(repo) == []


def test_a_write_stopped_before_its_hang_does_not_pass_the_hang_on(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a CI hang: a signal that stops the first write before it reaches
    its hang must not make the driver's next write (git's own result) hang instead."""
    from santamerge import files

    monkeypatch.setenv("SANTAMERGE_FAULT", "hang-write")
    monkeypatch.setattr(files, "_hung", [])
    target = repo.root / "app.py"
    target.write_text("ours\n")
    chmods: list[str] = []

    def stopped_once(path: str, mode: int) -> None:
        chmods.append(path)
        if len(chmods) == 1:
            raise KeyboardInterrupt  # as the driver's signal handler raises

    def no_hang(seconds: float) -> None:
        raise AssertionError(f"a later write hung ({seconds} s)")

    monkeypatch.setattr(files.os, "chmod", stopped_once)
    monkeypatch.setattr(files.time, "sleep", no_hang)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomically(str(target), b"half\n")
    files.write_atomically(str(target), b"gits\n")
    assert target.read_bytes() == b"gits\n" and len(chmods) == 2
    assert scratch_copies(repo) == []


def test_sigint_prints_nothing(repo: Repo) -> None:
    repo.commit({"app.py": "import os\n"}, "base")
    proc, ours = driver_process(repo, "hang")
    time.sleep(1.5)  # most likely past the imports, in the guarded part
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (130, b"", b"")
    result = ours.read_bytes()  # git's own result; or ours, untouched, on a slow start
    assert b"<<<<<<< ours" in result or result == b"import os\nimport json\n"


def test_kill_9_leaves_no_file_in_sight_and_the_next_write_cleans_up(repo: Repo) -> None:
    """A real `git merge` whose driver is killed with SIGKILL in the middle of its write:
    git reports the conflict with our side intact, `git status` shows nothing else, and
    the copy left in .git/santamerge/tmp is removed by the next write."""
    base = "import os\n"
    repo.commit({"app.py": base}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": base + "import re\n"}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": base + "import json\n"}, "ours")
    merge = subprocess.Popen(
        ["git", "merge", "--no-edit", "feature"],
        cwd=repo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **UNION_ENV, "SANTAMERGE_FAULT": "hang-write"},
    )
    wait_for(lambda: bool(scratch_copies(repo)))
    (copy,) = scratch_copies(repo)
    os.kill(int(copy.name.split(".", 1)[0]), signal.SIGKILL)
    merge.communicate(timeout=60)
    assert merge.returncode != 0
    assert repo.read("app.py") == (base + "import json\n").encode()  # ours, intact
    status = repo.git("status", "--porcelain", "--untracked-files=all").stdout
    assert status.splitlines() == ["UU app.py"], status
    repo.git("merge", "--abort")
    from santamerge.files import write_atomically

    write_atomically(str(repo.root / "app.py"), b"import os\n")
    assert scratch_copies(repo) == []


@pytest.mark.parametrize("style", ["diff3", "merge"])
def test_resolve_and_preview_leave_a_conflict_whose_sides_hold_marker_lines(
    make_repo: Callable[[str], Repo], style: str
) -> None:
    """A file whose own text holds conflict markers (a merge tool's test fixture, say):
    read from the working tree, its fake conflict is a hunk like git's, and writing a
    candidate over it would change the file's own text."""
    repo = make_repo("repo")
    repo.git("config", "merge.conflictStyle", style)
    fixture = (
        'EXAMPLE = """\n<<<<<<< mine\nx = 1\n||||||| old\nx = 0\n=======\nx = 2\n'
        '>>>>>>> yours\n"""\n\n\n'
    )
    result = repo.merge_branches(
        {"app.py": fixture + "X = 1\n"},
        {"app.py": fixture + "X = 2\n"},
        {"app.py": fixture + "X = 3\n"},
    )
    assert result.returncode != 0
    before = repo.read("app.py")
    for force in ((), ("--force",)):
        done = run_cli(repo, "resolve", "--accept", "--threshold", "0", "--no-model", *force)
        assert repo.read("app.py") == before
    assert "a side of the conflict already holds lines that look like conflict markers" in (
        done.stderr
    )
    shown = run_cli(repo, "preview", "--json")
    assert '"files": []' in shown.stdout and "already holds lines" in shown.stderr

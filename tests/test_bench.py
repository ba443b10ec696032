"""`santamerge bench merges` on a scratch history whose resolutions are known."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Repo

BASE = "def f():\n    a = 1\n    X = 1\n    return a\n"
OURS = BASE.replace("X = 1", "X = 2")
THEIRS = BASE.replace("X = 1", "X = 3")
RESOLUTIONS = {  # file: how the person resolved it
    "ours.py": OURS,
    "theirs.py": THEIRS,
    "both.py": BASE.replace("    X = 1\n", "    X = 2\n    X = 3\n"),
    "new.py": BASE.replace("X = 1", "X = 4"),
}


def _merge_history(repo: Repo) -> None:
    for name, resolution in RESOLUTIONS.items():
        repo.commit({name: BASE}, f"base {name}")
        repo.git("checkout", "-q", "-b", f"topic-{name}")
        repo.commit({name: THEIRS}, f"theirs {name}")
        repo.git("checkout", "-q", "main")
        repo.commit({name: OURS}, f"ours {name}")
        merged = repo.git("merge", "--no-edit", f"topic-{name}", check=False)
        assert merged.returncode != 0  # a real conflict
        repo.commit({name: resolution}, f"merge {name}")


def _state(repo: Repo) -> tuple[str, str, str, str, str]:
    index = hashlib.sha256((repo.root / ".git" / "index").read_bytes()).hexdigest()
    return (
        repo.git("status", "--porcelain", "--ignored").stdout,
        repo.git("show-ref").stdout,
        index,
        repo.git("count-objects", "-v").stdout,
        repo.git("rev-parse", "HEAD").stdout,
    )


@pytest.fixture
def history(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("hist")  # no driver installed: git's own conflicts
    _merge_history(repo)
    repo.write("untracked.txt", "left alone\n")
    return repo


def _bench(repo: Repo, *args: str) -> tuple[dict, subprocess.CompletedProcess[str]]:  # type: ignore[type-arg]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "merges",
            "--repo",
            str(repo.root),
            "--json",
            *args,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done


def test_bench_reports_the_known_resolutions(history: Repo) -> None:
    report, _ = _bench(history)
    assert report["merges"]["replayed"] == 4 and report["merges"]["with_conflicted_files"] == 4
    assert report["hunks"] == {"total": 4, "matched": 4, "unmatched": 0}
    assert {c: f["hunks"] for c, f in report["by_class"].items()} == {
        "one side": 2,
        "both concatenated": 1,
        "new code": 1,
    }
    assert report["santamerge"]["baselines"] == {
        "git merge-file": 0.0,
        "ours": 0.25,
        "theirs": 0.25,
        "oracle": 0.75,
    }
    assert report["by_class"]["new code"]["baselines"]["oracle"] == 0.0
    assert report["by_class"]["both concatenated"]["baselines"]["oracle"] == 1.0
    figures = report["santamerge"]
    assert figures["top1"] <= figures["top3"] <= 0.75  # nothing it offers writes X = 4
    assert report["by_language"]["python"]["hunks"] == 4
    assert report["auto_apply"]["written"] == 0  # the conservative policy writes no hunk
    assert report["files"] == {"conflicted": 4, "resolved_right": 0, "share_resolved_right": 0.0}
    assert report["time_ms"]["per_hunk"]["p50"] is not None


def test_bench_leaves_the_repository_untouched_and_caches(history: Repo, tmp_path: Path) -> None:
    before = _state(history)
    first, _ = _bench(history, "--plot", str(tmp_path / "curve.png"))
    assert _state(history) == before
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    second, _ = _bench(history)
    assert second["merges"]["from_cache"] == 4 and first["merges"]["from_cache"] == 0
    assert second["santamerge"] == first["santamerge"]
    assert _state(history) == before


def test_bench_filters_paths_and_explains_an_empty_range(history: Repo) -> None:
    report, _ = _bench(history, "--paths", "new.py")
    assert report["hunks"]["matched"] == 1
    root = history.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "merges",
            "--repo",
            str(history.root),
            "--rev",
            root,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert done.stderr.startswith("santamerge: no two-parent merge commits")


def test_bench_stubs_blanks_real_functions_and_refills_them(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("lib")
    repo.commit(
        {
            "lib/shapes.py": (
                'import math\n\n\ndef area(r):\n    """The area of a circle."""\n'
                "    squared = r * r\n    return math.pi * squared\n\n\n"
                "def one():\n    return 1\n"
            ),
            "lib/words.js": (
                "function shout(text) {\n  const upper = text.toUpperCase();\n"
                "  return upper + '!';\n}\n"
            ),
            "tests/test_shapes.py": "def test_area():\n    x = 1\n    assert x\n",
        },
        "code",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "stubs",
            "--repo",
            str(repo.root),
            "--limit",
            "5",
            "-n",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SANTAMERGE_AUTOSTART": "0"},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # `one` is a one-liner and tests/ is skipped: exactly `area` and `shout` are refilled
    assert report["functions_found"] == 2 and report["stubs"] == 2
    assert sorted(r["name"] for r in report["rows"]) == ["area", "shout"]
    assert 0.0 <= report["similarity"] <= 1.0 and report["seconds_per_stub"]["p50"] > 0
    assert repo.git("status", "--porcelain").stdout == ""  # the working tree is untouched


def test_hunks_are_matched_through_their_context() -> None:
    from santamerge.bench.replay import match_hunks
    from santamerge.merge.locate import parse_conflicts

    marked = (
        "a\nb\nc\n<<<<<<< o\nX\n||||||| b\nW\n=======\nY\n>>>>>>> t\nd\ne\n"
        "<<<<<<< o\nP\n||||||| b\nQ\n=======\nR\n>>>>>>> t\n"
    )
    parsed = parse_conflicts(marked)
    assert match_hunks(parsed, "a\nb\nc\nX\nY\nd\ne\nZ\n") == ["X\nY\n", "Z\n"]
    # the context before the first hunk was rewritten by the merge: not guessed
    assert match_hunks(parsed, "a\nB\nc\nX\nd\ne\nZ\n") == [None, "Z\n"]


# File-level figures, on hand-made conflicted files. The union policy writes the union of
# both sides' added imports, ours first: "import re", then "import sys".
IMPORTS = (
    "import os\n<<<<<<< ours\nimport re\n||||||| base\n=======\nimport sys\n"
    ">>>>>>> theirs\n\n\ndef f():\n    return os.sep, re.I, sys.argv\n"
)


def _imports(added: str, tail: str = "def f():\n    return os.sep, re.I, sys.argv\n") -> str:
    return f"import os\n{added}\n\n\n{tail}"


def _file(path: str, marked: str, truth: str, policy: str = "union"):  # type: ignore[no-untyped-def]
    from santamerge.bench.merges import evaluate_file
    from santamerge.bench.replay import ConflictedFile

    found = evaluate_file(ConflictedFile("m", path, marked, truth), policy)
    assert found is not None
    return found


def _conflicts() -> dict[str, tuple[str, str, str]]:
    """Conflicted files by what the union policy does with them: path, marked, truth."""
    return {
        "right": ("a.py", IMPORTS, _imports("import re\nimport sys")),
        "wrong": ("b.py", IMPORTS, _imports("import sys\nimport re")),  # sorted the other way
        "unwritten": (
            "c.py",
            f"def f():\n{_hunk('    X = 2', '    X = 1', '    X = 3')}",
            "def f():\n    X = 3\n",
        ),
        "json": (
            "d.json",
            "{\n" + _hunk('  "a": 2', '  "a": 1', '  "a": 3') + "}\n",
            '{\n  "a": 3\n}\n',
        ),
        "other": ("e.md", f"# T\n{_hunk('two', 'one', 'three')}", "# T\nthree\n"),
    }


def _hunk(ours: str, base: str, theirs: str) -> str:
    return f"<<<<<<< ours\n{ours}\n||||||| base\n{base}\n=======\n{theirs}\n>>>>>>> theirs\n"


def test_a_written_file_is_judged_by_its_regions() -> None:
    right = _file("a.py", IMPORTS, _imports("import re\nimport sys"))
    assert (right.written, right.verdict, right.resolved_right) == (True, "right", True)
    wrong = _file("a.py", IMPORTS, _imports("import sys\nimport re"))
    assert (wrong.written, wrong.verdict, wrong.resolved_right) == (True, "wrong", False)
    # the commit also changed a line outside the region: right, but not the whole file
    edited = _file(
        "a.py", IMPORTS, _imports("import re\nimport sys").replace("os.sep", "os.pathsep")
    )
    assert (edited.verdict, edited.resolved_right) == ("right", False)
    # the commit renamed the function after the region: the region is not found there
    lost = _file("a.py", IMPORTS, _imports("import re\nimport sys").replace("def f", "def g"))
    assert (lost.written, lost.unmatched, lost.verdict) == (True, 1, "unjudged")
    unwritten = _file(*_conflicts()["unwritten"])
    assert (unwritten.written, unwritten.verdict) == (False, None)
    assert _file("a.py", IMPORTS, _imports("import re\nimport sys"), "never").verdict is None


def test_files_by_language_put_git_beside_the_policy() -> None:
    from santamerge.bench.merges import summarise

    report = summarise([_file(*f) for f in _conflicts().values()], {"policy": "union"})
    by_language = report["files_by_language"]
    assert {k: (v["kind"], v["files"]) for k, v in by_language.items()} == {
        "json": ("config", 1),
        "other": (None, 1),
        "python": ("code", 3),
    }
    python = by_language["python"]
    assert python["git"] == {
        "written": 0,
        "right": 0,
        "wrong": 0,
        "unjudged": 0,
        "whole_file_equal": 0,
        "coverage": 0.0,
        "precision": None,
        "precision_judged": None,
        "whole_file": None,
        "hunks_written": 0,
        "hunks_wrong": 0,
        "silent_wrong": 0.0,
        "right_any_order": 0,
        "wrong_any_order": 0,
        "precision_any_order": None,
        "silent_wrong_any_order": 0.0,
    }
    policy = python["policy"]
    assert (policy["written"], policy["right"], policy["wrong"], policy["unjudged"]) == (2, 1, 1, 0)
    assert (
        policy["coverage"],
        policy["precision"],
        policy["whole_file"],
        policy["silent_wrong"],
    ) == (2 / 3, 0.5, 0.5, 1 / 3)
    # the wrong file holds the commit's two imports in the other order
    assert (
        policy["right_any_order"],
        policy["precision_any_order"],
        policy["silent_wrong_any_order"],
    ) == (2, 1.0, 0.0)
    times = report["time_ms"]  # every time is there, apart from the figures
    assert (
        0
        < times["per_file_by_language"]["python"]["p50"]
        <= times["per_file_by_language"]["python"]["p95"]
    )
    assert set(times["per_file_by_kind"]) == {"code", "config", "all"}
    assert by_language["json"]["policy"]["coverage"] == 0.0
    kinds = report["files_by_kind"]
    assert {k: v["files"] for k, v in kinds.items()} == {"code": 3, "config": 1, "all": 5}
    assert kinds["code"]["policy"] == policy  # python is the only code language here
    assert (kinds["config"]["policy"]["written"], kinds["config"]["policy"]["precision"]) == (
        0,
        None,
    )
    assert kinds["all"]["policy"]["silent_wrong"] == 1 / 5
    assert report["files"]["conflicted"] == 5 and "by_language" in report  # as before


def test_the_same_lines_in_another_order_count_right_beside_exact() -> None:
    from santamerge.bench.merges import same_lines

    swapped = _file("a.py", IMPORTS, _imports("import sys\nimport re"))
    assert (swapped.verdict, swapped.verdict_any_order) == ("wrong", "right")
    other = _file("a.py", IMPORTS, _imports("import sys\nimport io"))  # not the same lines
    assert (other.verdict, other.verdict_any_order) == ("wrong", "wrong")
    assert _file(*_conflicts()["unwritten"]).verdict_any_order is None
    assert same_lines("a\n\n  b  c\n", "b c\na\n")
    assert not same_lines("a\na\n", "a\n")  # as many times each
    record = swapped.record()
    assert (record["verdict"], record["verdict_any_order"], record["written"]) == (
        "wrong",
        "right",
        True,
    )
    assert record["regions"] == [
        {
            "index": 0,
            "resolution": "both concatenated",
            "method": record["regions"][0]["method"],
            "right": False,
            "right_any_order": True,
        }
    ]
    assert record["regions"][0]["method"].startswith("structured:union")
    assert "import" not in json.dumps(record)  # no text of the file


def test_a_written_file_with_an_unmatched_region_is_not_counted_right() -> None:
    from santamerge.bench.merges import file_figures

    lost = _file("a.py", IMPORTS, _imports("import re\nimport sys").replace("def f", "def g"))
    right = _file(*_conflicts()["right"])
    figures = file_figures([lost, right])["policy"]
    assert (figures["written"], figures["right"], figures["unjudged"]) == (2, 1, 1)
    assert (figures["precision"], figures["precision_judged"], figures["silent_wrong"]) == (
        0.5,
        1.0,
        0.0,
    )


def test_bench_union_policy_prints_the_files_table(history: Repo, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "merges",
            "--repo",
            str(history.root),
            "--policy",
            "union",
            "--output",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    assert "files: git's line merge vs the union policy" in done.stdout
    assert "code (total)" in done.stdout and "config (total)" in done.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["policy"] == "union" and "file_results" not in report
    assert report["files_by_kind"]["code"]["files"] == 4
    assert report["files_by_language"]["python"]["policy"]["coverage"] == 0.0


def test_bench_details_give_one_record_per_conflicted_file(history: Repo, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "merges",
            "--repo",
            str(history.root),
            "--policy",
            "union",
            "--details",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    records = report["file_results"]
    assert len(records) == report["files"]["conflicted"] > 0
    assert all(len(r["merge"]) == 40 and r["path"] for r in records)
    written = [r for r in records if r["written"]]
    assert len(written) == report["files_by_kind"]["all"]["policy"]["written"]
    assert all(r["verdict"] is None for r in records if not r["written"])

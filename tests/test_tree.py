"""The tree merge of order-free parents (santamerge.merge.structured.tree): through a real `git
merge` with the driver, through `resolve`, in `propose`'s candidates, and its refusals."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import Repo, git_merge_file

from santamerge.languages.profiles import language_for_path
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.policy import POLICIES
from santamerge.merge.structured.tree import TreeMerge, tree_merge

CONFIG_BASE = 'SETTINGS = {\n    "host": "localhost",\n    "port": 8080,\n    "debug": False,\n}\n'
CONFIG_OURS = CONFIG_BASE.replace('"localhost"', '"example.org"')
CONFIG_THEIRS = CONFIG_BASE.replace("8080", "9090")
CONFIG_MERGED = CONFIG_OURS.replace("8080", "9090")


def marked(path: str, base: str, ours: str, theirs: str, tmp: object) -> str:
    """git's diff3 merge of the three texts, with santamerge's labels."""
    from pathlib import Path

    return git_merge_file(Path(str(tmp)), (base, ours, theirs)).stdout.decode("utf-8")


def tree_merges(
    path: str, base: str, ours: str, theirs: str, tmp: object
) -> list[TreeMerge | None]:
    """The tree merge of each hunk of git's merge of the three texts (at least one)."""
    parsed = parse_conflicts(marked(path, base, ours, theirs, tmp))
    profile = language_for_path(path)
    assert profile is not None and parsed.hunks
    return [tree_merge(parsed, hunk, profile) for hunk in parsed.hunks]


def test_the_driver_merges_two_entries_edited_side_by_side(repo: Repo) -> None:
    result = repo.merge_branches(
        {"settings.py": CONFIG_BASE}, {"settings.py": CONFIG_OURS}, {"settings.py": CONFIG_THEIRS}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("settings.py").decode() == CONFIG_MERGED


def test_the_driver_merges_json_keys_and_keeps_the_commas(repo: Repo) -> None:
    repo.install_driver(["*.json"])
    base = '{\n  "name": "demo",\n  "version": "1.0.0",\n  "license": "MIT"\n}\n'
    ours = base.replace('"MIT"\n', '"MIT",\n  "private": true\n')
    theirs = base.replace('"MIT"', '"Apache-2.0"')
    result = repo.merge_branches(
        {"package.json": base}, {"package.json": ours}, {"package.json": theirs}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("package.json").decode() == ours.replace('"MIT"', '"Apache-2.0"')


def test_propose_names_the_tree_merge_and_what_it_merged(tmp_path: object) -> None:
    text = marked("settings.py", CONFIG_BASE, CONFIG_OURS, CONFIG_THEIRS, tmp_path)
    (hunk,) = run_pipeline(text, "settings.py").proposal.hunks
    tree = next(c for c in hunk.candidates if c.method == "structured:tree")
    assert 'ours changed `"host"`' in tree.note and 'theirs changed `"port"`' in tree.note
    assert hunk.chosen is not None and hunk.chosen.method == "structured:tree"


def test_additions_in_no_order_the_file_shows_are_offered_not_written(tmp_path: object) -> None:
    base = "class Config:\n    def load(self):\n        return 1\n"
    ours = base + "\n    def save(self):\n        return 2\n"
    theirs = base + "\n    def reset(self):\n        return 3\n"
    text = marked("config.py", base, ours, theirs, tmp_path)
    (hunk,) = run_pipeline(text, "config.py").proposal.hunks
    assert "structured:union-unordered" in {c.method for c in hunk.candidates}
    assert hunk.chosen is None  # the default leaves the order to a person
    (hunk,) = run_pipeline(text, "config.py", policy=POLICIES["words"]).proposal.hunks
    assert hunk.chosen is not None and hunk.chosen.text.index("save") < hunk.chosen.text.index(
        "reset"
    )


def test_resolve_writes_the_tree_merge_under_the_conservative_policy(repo: Repo) -> None:
    repo.git("config", "--unset", "merge.santamerge.driver")
    repo.git("config", "merge.conflictStyle", "diff3")
    result = repo.merge_branches(
        {"settings.py": CONFIG_BASE}, {"settings.py": CONFIG_OURS}, {"settings.py": CONFIG_THEIRS}
    )
    assert result.returncode != 0 and b"<<<<<<<" in repo.read("settings.py")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "resolve",
            "--accept",
            "--no-model",
            "--policy",
            "conservative",
        ],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("settings.py").decode() == CONFIG_MERGED


REFUSED = {
    "delete-vs-change": (
        "app.py",
        "class A:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2\n",
        "class A:\n    def b(self):\n        return 2\n",
        "class A:\n    def a(self):\n        return 10\n\n    def b(self):\n        return 2\n",
    ),
    "same-key-twice": (
        "a.json",
        '{\n  "a": 1,\n  "b": 2\n}\n',
        '{\n  "a": 3,\n  "b": 2\n}\n',
        '{\n  "a": 4,\n  "b": 2\n}\n',
    ),
    "statements-both-sides": (
        "app.py",
        "import os\n\nx = 1\n",
        "import os\n\nx = 1\ny = 2\n",
        "import os\n\nx = 1\nz = 3\n",
    ),
    # Both add `import b`, one indented: not one addition (found by the long run).
    "one-import-two-indents": (
        "a.js",
        "import a from 'a';\n",
        "import b from 'b';\nimport a from 'a';\n",
        "import c from 'c';\n  import b from 'b';\nimport a from 'a';\n",
    ),
    # Both insert under a comment that stood above `import z`: each new import would
    # carry the comment, and it would stand twice (found by the long run).
    "one-comment-twice": (
        "a.js",
        "import a from 'a';\n// shared\nimport z from 'z';\n",
        "import a from 'a';\n// shared\n// note\nimport r from 'r';\n  import z from 'z';\n",
        "import a from 'a';\n// shared\nimport j from 'j';\nimport z from 'z';\n",
    ),
    # Ours re-indents the first field with a tab and puts a field before it; theirs
    # deletes it: a delete against a change (found by test_line_endings after issue 22).
    "reindented-first-deleted": (
        "src/conf.rs",
        "pub struct S {\n    k0: u16,\n    k1: u16,\n    k2: u24,\n}\n",
        "pub struct S {\n    o9: u8,\n\tk0: u16,\n    k1: u24,\n    k2: u24,\n}\n",
        "pub struct S {\n    k1: u16,\n}\n",
    ),
    "same-name-two-bodies": (
        "a.go",
        "package a\n\nfunc A() {}\n",
        "package a\n\nfunc A() {}\n\nfunc B() int { return 1 }\n",
        "package a\n\nfunc A() {}\n\nfunc B() int { return 2 }\n",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_tree_merge_refuses(case: str, tmp_path: object) -> None:
    assert all(found is None for found in tree_merges(*REFUSED[case], tmp_path))


def test_a_comment_after_a_member_stays_with_it(tmp_path: object) -> None:
    base = "interface Options {\n    a?: number; // the first\n}\n"
    ours = "interface Options {\n    a?: number; // the first\n    b?: string;\n}\n"
    theirs = "interface Options {\n    a?: boolean; // the first\n}\n"
    (found,) = tree_merges("o.ts", base, ours, theirs, tmp_path)
    assert found is not None
    assert found.text == "    a?: boolean; // the first\n    b?: string;\n"


def test_a_dropped_import_that_the_merge_still_uses_is_refused(tmp_path: object) -> None:
    base = "import os\nimport json\n\nPATH = os.sep\n"
    ours = "import os\nimport sys\n\nPATH = os.sep\n"  # ours replaced json by sys
    theirs = "import os\nimport json\nimport re\n\nPATH = os.sep\nDUMP = json.dumps\n"
    assert all(found is None for found in tree_merges("a.py", base, ours, theirs, tmp_path))
    # the same merge where nothing uses json any more: the tree merge drops it
    unused = theirs.replace("DUMP = json.dumps\n", "")
    (found,) = tree_merges("a.py", base, ours, unused, tmp_path)
    assert found is not None and found.text == "import sys\nimport re\n"


def test_the_demo_merges_what_the_default_policy_writes(tmp_path: object) -> None:
    """`santamerge demo`, the README's first command: a real `git merge` through the
    driver, where the sorted imports and the dict entries merge and the constant stays."""
    from pathlib import Path

    folder = Path(str(tmp_path)) / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "demo", "--dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = (folder / "app.py").read_text()
    assert "import os\nimport pathlib\nimport shutil\n" in text
    assert '"retries": 5,\n    "timeout": 30,' in text
    assert text.count("<<<<<<< ") == 1 and 'VERSION = "2.0"' in text
    assert "stays a conflict" in done.stdout


def test_a_side_that_indents_the_first_child_keeps_it_when_the_other_adds_before_it(
    tmp_path: object,
) -> None:
    """Found by the long run: theirs' untouched copy of the first import looked "the
    same" as ours' indented one (a first child's blanks were not compared), and ours'
    change was lost."""
    base = "// head\nimport j from 'j';\nconst x = 1;\n"
    ours = "// head\n    import j from 'j';\nconst x = 1;\n"
    theirs = "// head\nimport s from 's';\n// head\nimport j from 'j';\nconst x = 1;\n"
    for found in tree_merges("a.js", base, ours, theirs, tmp_path):
        assert found is None or "    import j from 'j';" in found.text


def test_the_tree_merge_parses_the_whole_file_a_bounded_number_of_times(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time linear in hunks, checked without a clock (issue 22): the tree merge of each
    hunk parsed the whole file twice (with the hunk as base, as theirs), so 1,600 hunks
    took 28.6 s; now it parses a few top-level nodes around the hunk. Whole-file parses
    are counted, for 30 and 120 hunks, on the driver's path (tests/bench/many_hunks.py
    measures the time, docs/benchmarks.md records it)."""
    from santamerge import treesitter

    calls = {"parse": 0}
    real_parse, real_reparse = treesitter._parser, treesitter.reparse

    class Counting:
        def __init__(self, parser: object) -> None:
            self.parser = parser

        def parse(self, *args: object) -> object:
            calls["parse"] += 1
            return self.parser.parse(*args)  # type: ignore[attr-defined]

    def reparse(*args: object) -> object:
        calls["parse"] += 1
        return real_reparse(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(treesitter, "_parser", lambda p: Counting(real_parse(p)))
    monkeypatch.setattr(treesitter, "reparse", reparse)
    treesitter.parse.cache_clear()
    counts = []
    for hunks in (30, 120):
        sides = [
            "".join(
                f'D{i} = {{\n    "a": {a},\n    "b": {b},\n}}\nKEEP{i} = {i}\n\n'
                for i in range(hunks)
            )
            for a, b in ((0, 0), (1, 0), (0, 2), (1, 2))
        ]
        text = marked("app.py", sides[0], sides[1], sides[2], tmp_path)
        calls.update(parse=0)
        merged = run_pipeline(text, "app.py", rank_all=False)
        assert set(merged.outcome.methods.values()) == {"structured:tree"}
        assert merged.outcome.text == sides[3]
        counts.append(calls["parse"])
    assert counts[0] == counts[1] <= 6, counts


def test_a_child_one_side_re_indented_and_the_other_removed_is_not_lost(
    tmp_path: object,
) -> None:
    """Ours replaces the imports; theirs only re-indents one of them. The re-indented
    line is theirs' change: the tree merge may not write ours alone over it (the
    no-lost-line long run of 2026-12-06, case 7073202)."""
    base = "import csv\nfrom os import path\nfrom re import sub\n"
    ours = "# the new imports\nfrom io import StringIO\n"
    theirs = "import csv\n  from os import path\nfrom re import sub\n"
    assert all(found is None for found in tree_merges("a.py", base, ours, theirs, tmp_path))

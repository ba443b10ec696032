"""Line endings and indentation through the merges that build a hunk from pieces of the
sides (issue 22, item 2): the tree merge, the word merge, and the merge driver and
`git merge` that write them. A line taken from a side is that side's bytes, line ending
included; where the two sides disagree on the ending or the indentation of a line the
merge would have to combine, the conflict stays."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import differential as d
import pytest
from conftest import Repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tree import marked, tree_merges

from santamerge.languages.profiles import language_for_path
from santamerge.merge.candidates import build_candidates
from santamerge.merge.locate import parse_conflicts

MERGED = (
    "structured:union",
    "structured:union-unordered",
    "structured:tree",
    "structured:tree-unordered",
    "merged:words",
)  # built from pieces of the sides

# a) ours made every line end with CRLF; theirs added a function
PY_BASE = b"import os\n\n\ndef a():\n    return 1\n"
PY_OURS = PY_BASE.replace(b"\n", b"\r\n")
PY_THEIRS = PY_BASE + b"\n\ndef b():\n    return 2\n"
PY_MERGED = PY_OURS + b"\n\ndef b():\n    return 2\n"  # ours' lines, then theirs' as written
# b) ours ended the `a` line with CRLF; theirs indented it with a tab and added `b`
RS_BASE = b"pub struct S {\n    a: u32,\n}\n"
RS_OURS = b"pub struct S {\n    a: u32,\r\n}\n"
RS_THEIRS = b"pub struct S {\n\ta: u32,\n    b: u32,\n}\n"


def driver(
    tmp_path: Path, path: str, base: bytes, ours: bytes, theirs: bytes, policy: str = "conservative"
) -> tuple[int, bytes]:
    """`santamerge merge-driver base ours theirs 7 PATH`, as git runs it: (exit, %A)."""
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-driver", "base", "ours", "theirs", "7", path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "SANTAMERGE_POLICY": policy},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, (tmp_path / "ours").read_bytes()


def test_the_driver_keeps_each_sides_line_endings(tmp_path: Path) -> None:
    """Each line of the tree merge ends as its own side ends it: ours' lines with CRLF,
    theirs' new function with LF (it lost ours' CRLF after `return 1`, and gave theirs'
    `return 2` a CR)."""
    assert driver(tmp_path, "app.py", PY_BASE, PY_OURS, PY_THEIRS) == (0, PY_MERGED)


def test_git_merge_keeps_each_sides_line_endings(repo: Repo) -> None:
    result = repo.merge_branches({"app.py": PY_BASE}, {"app.py": PY_OURS}, {"app.py": PY_THEIRS})
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py") == PY_MERGED


def test_the_tree_merge_takes_each_line_end_from_the_lines_side(tmp_path: Path) -> None:
    (found,) = tree_merges(
        "app.py", PY_BASE.decode(), PY_OURS.decode(), PY_THEIRS.decode(), tmp_path
    )
    assert found is not None and found.text.encode() == PY_MERGED


@pytest.mark.parametrize("policy", ["conservative", "words"])
def test_a_line_one_side_re_ended_and_the_other_re_indented_stays_a_conflict(
    tmp_path: Path, policy: str
) -> None:
    """Ours' CRLF and theirs' tab on one line: the word merge wrote `\\ta: u32,\\r\\n`, a
    line neither side has. Which whitespace is right, nothing says: git's conflict."""
    status, result = driver(tmp_path, "s.rs", RS_BASE, RS_OURS, RS_THEIRS, policy)
    assert status == 1 and b"\ta: u32,\r\n" not in result
    (hunk,) = parse_conflicts(result.decode()).hunks
    assert (hunk.ours, hunk.theirs) == ("    a: u32,\r\n", "\ta: u32,\n    b: u32,\n")


def test_git_merge_leaves_a_line_with_two_sides_whitespace_as_a_conflict(repo: Repo) -> None:
    repo.install_driver(["*.rs"])
    result = repo.merge_branches(
        {"s.rs": RS_BASE},
        {"s.rs": RS_OURS},
        {"s.rs": RS_THEIRS},
        env={"SANTAMERGE_POLICY": "words"},
    )
    assert result.returncode != 0
    text = repo.read("s.rs")
    assert b"<<<<<<< " in text and b"\ta: u32,\r\n" not in text
    assert b"\n    a: u32,\r\n" in text and b"\n\ta: u32,\n    b: u32,\n" in text


def merged_candidates(path: str, base: str, ours: str, theirs: str, tmp: object) -> dict[str, str]:
    """The merged candidates (union, tree, words) of the one hunk of git's merge."""
    parsed = parse_conflicts(marked(path, base, ours, theirs, tmp))
    (hunk,) = parsed.hunks
    return {
        c.method: c.text
        for c in build_candidates(parsed, hunk, language_for_path(path))
        if c.method in MERGED
    }


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("    a: u32,\r\n", "\ta: u32,\n    b: u32,\n"),  # ending against indentation
        ("    a: u32,\r\n", "    a: u64,\n"),  # ending against text: `a: u64,\r\n` is no side's
        ("\ta: u32,\n", "    a: u64,\n"),  # indentation against text
    ],
)
def test_no_merged_candidate_puts_one_sides_whitespace_on_the_others_text(
    tmp_path: Path, ours: str, theirs: str
) -> None:
    base = "pub struct S {\n    a: u32,\n}\n"
    found = merged_candidates(
        "s.rs",
        base,
        base.replace("    a: u32,\n", ours),
        base.replace("    a: u32,\n", theirs),
        tmp_path,
    )
    assert found == {}


def test_a_word_merge_in_a_file_that_is_crlf_on_every_side_is_still_offered(tmp_path: Path) -> None:
    """The file's own rule: every line of every side ends with CRLF, so a line merged
    from two edits ends with CRLF too."""
    base = "x = f(a, b)\r\n"
    found = merged_candidates(
        "a.py", base, base.replace("f(", "g("), base.replace("b)", "c)"), tmp_path
    )
    assert found == {"merged:words": "x = g(a, c)\r\n"}


def test_a_re_indented_child_keeps_its_tab_or_the_tree_merge_refuses(tmp_path: Path) -> None:
    """Ours removed `a`, so `b` comes first; theirs indented `b` with a tab. The first
    place's indentation (spaces) must not replace theirs' tab (it did, and theirs'
    change was lost)."""
    base = "struct S {\n    a: u32,\n    b: u32,\n}\n"
    ours = "struct S {\n    b: u32,\n}\n"
    theirs = "struct S {\n    a: u32,\n\tb: u32,\n}\n"
    for found in tree_merges("s.rs", base, ours, theirs, tmp_path):
        assert found is None or "\tb: u32," in found.text


def test_a_nested_merge_keeps_the_line_end_with_the_lines_side(tmp_path: Path) -> None:
    """Both sides changed `a`'s object: ours its `x` and the end of its last line (CRLF),
    theirs added `y`. The last line is ours' (theirs left it alone): CRLF stays. Where
    theirs also wrote a comment on that line, the line would be theirs' text with ours'
    line end: the tree merge refuses (it wrote `  }, // end\\r\\n`)."""
    base = "const C = {\n  a: {\n    x: 1,\n  },\n  b: 2,\n};\n"
    ours = base.replace("x: 1", "x: 5").replace("  },\n", "  },\r\n")
    theirs = base.replace("    x: 1,\n", "    x: 1,\n    y: 2,\n")
    (found,) = tree_merges("c.js", base, ours, theirs, tmp_path)
    assert found is not None and found.text == "    x: 5,\n    y: 2,\n  },\r\n"
    commented = theirs.replace("  },\n", "  }, // end\n")
    assert tree_merges("c.js", base, ours, commented, tmp_path) == [None]


# -- the property, on random small merges ----------------------------------------------

FIXED = settings(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _python(
    names: list[str], values: dict[str, int], eol: list[str], indent: dict[str, str]
) -> list[tuple[str, str]]:
    """A dict of entries then a function per name: (line, ending) pairs."""
    lines = [("CONFIG = {", "\n")]
    lines += [
        (f'{indent.get(n, "    ")}"{n}": {values[n]},', eol[i % len(eol)])
        for i, n in enumerate(names)
    ]
    lines.append(("}", "\n"))
    for n in names:
        lines += [
            ("", "\n"),
            ("", "\n"),
            (f"def {n}():", "\n"),
            (f"{indent.get(n, '    ')}return {values[n]}", "\n"),
        ]
    return lines


def _rust(
    names: list[str], values: dict[str, int], eol: list[str], indent: dict[str, str]
) -> list[tuple[str, str]]:
    lines = [("pub struct S {", "\n")]
    lines += [
        (f"{indent.get(n, '    ')}{n}: u{8 * (1 + values[n] % 4)},", eol[i % len(eol)])
        for i, n in enumerate(names)
    ]
    lines.append(("}", "\n"))
    return lines


def _json(
    names: list[str], values: dict[str, int], eol: list[str], indent: dict[str, str]
) -> list[tuple[str, str]]:
    lines = [("{", "\n")]
    lines += [
        (
            f'{indent.get(n, "  ")}"{n}": {values[n]}' + ("," if i < len(names) - 1 else ""),
            eol[i % len(eol)],
        )
        for i, n in enumerate(names)
    ]
    lines.append(("}", "\n"))
    return lines


KINDS = {"py": _python, "rs": _rust, "json": _json}


def small_merge(rng: random.Random) -> d.Merge:
    """A base of a few keyed entries, and two sides that each add, change or delete one
    or two and change whitespace: a CRLF on one or all of its lines, a tab for the
    indentation of one entry, or a trailing blank."""
    ext = rng.choice(sorted(KINDS))
    names = [f"k{i}" for i in range(rng.randint(1, 4))]
    values = {n: rng.randint(0, 3) for n in names}
    texts = [_text(KINDS[ext](names, values, ["\n"], {}))]
    for side in ("o", "t"):
        mine, vals, eol, indent = list(names), dict(values), ["\n"], {}
        for _ in range(rng.randint(1, 3)):
            op = rng.choice(["add", "add", "change", "delete", "crlf", "crlf all", "tab"])
            if op == "add":
                new = f"{side}{rng.randint(0, 9)}"
                if new not in mine:
                    mine.insert(rng.randint(0, len(mine)), new)
                    vals[new] = rng.randint(0, 3)
            elif op == "change" and mine:
                vals[rng.choice(mine)] += 1
            elif op == "delete" and len(mine) > 1:
                mine.remove(rng.choice(mine))
            elif op == "crlf":
                eol = ["\n"] * rng.randint(1, 3)
                eol[rng.randrange(len(eol))] = "\r\n"
            elif op == "crlf all":
                eol = ["\r\n"]
            elif op == "tab" and mine:
                indent[rng.choice(mine)] = "\t"
        lines = KINDS[ext](mine, vals, eol, indent)
        if eol == ["\r\n"]:
            lines = [(t, "\r\n") for t, _ in lines]
        texts.append(_text(lines))
    return d.Merge(f"src/conf.{ext}", *(t.encode() for t in texts))


def _text(lines: list[tuple[str, str]]) -> str:
    return "".join(t + e for t, e in lines)


@settings(FIXED, max_examples=300)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_every_merged_line_is_a_sides_line_with_its_own_ending(
    tmp_path_factory: object, seed: int
) -> None:
    """For random small Python, Rust and JSON merges where a side uses CRLF on some lines
    or tabs: each merged candidate (union, tree, words) keeps every line's whitespace as
    the side that wrote it (``differential.whitespace_problem``: a line whose text stands
    once in each side is the three-way merge of those lines, byte for byte, ending
    included; a line merged from two edits ends and is indented as every side's line),
    and so does what the driver writes under both policies."""
    merge = small_merge(random.Random(seed))
    folder = Path(str(tmp_path_factory.mktemp("case")))  # type: ignore[attr-defined]
    baseline, status = d.git_merge(merge, folder)
    problems = []
    if status > 0:
        parsed = parse_conflicts(baseline.decode())
        for hunk in parsed.hunks:
            for c in build_candidates(parsed, hunk, language_for_path(merge.path)):
                if c.method in MERGED:
                    problem = d.whitespace_problem(hunk.ours, hunk.base, hunk.theirs, c.text)
                    problems += [f"{c.method}: {problem}"] if problem else []
    for policy in ("conservative", "words"):
        here = os.getcwd()
        os.chdir(folder)  # outside any repository: no attempt is stored
        try:
            problems += d.check_driver(merge, folder / policy, policy)
        finally:
            os.chdir(here)
    shutil.rmtree(folder, ignore_errors=True)
    assert problems == [], (merge, problems)

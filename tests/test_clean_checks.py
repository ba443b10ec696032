"""What the driver checks after git's clean line merge (issue 22): one key added by both
sides in two spellings, and a JSON or TOML merge that no longer loads where both sides
do. Through real `git merge` runs with the installed driver."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import differential as d
import pytest
from conftest import Repo, git_merge_file
from test_keys import merge

from santamerge.merge.loads import mark_changes
from santamerge.merge.locate import parse_conflicts


def git_clean_merge(folder: Path, base: str, ours: str, theirs: str) -> str:
    """git's own merge of the three texts, which must be clean."""
    done = git_merge_file(folder, (base, ours, theirs), options=())
    assert done.returncode == 0, done
    return done.stdout.decode("utf-8")


def added_after(base: str, line: str, new: str) -> str:
    assert base.count(line) == 1
    return base.replace(line, line + new)


# -- the clash check sees a key by its value, not by its spelling ------------------------

DICT = 'C = {\n    "a": 1,\n    "b": 2,\n    "c": 3,\n}\n'
OBJECT = '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n'
GO = 'package m\n\nvar M = map[string]int{\n\t"a": 1,\n\t"b": 2,\n\t"c": 3,\n}\n'
JS = "const C = {\n  a: 1,\n  b: 2,\n  c: 3,\n};\n"

# (file, base, (after which line, ours' line), (after which line, theirs' line)): each
# side adds one key at its own place, so git merges cleanly; the two are one key
SPELLED_APART = {
    "json-escape": (
        "c.json",
        OBJECT,
        ('"a": 1,\n', '  "beta": 1,\n'),
        ('"b": 2,\n', '  "bet\\u0061": 2,\n'),
    ),  # the issue's
    "python-concatenated": (
        "c.py",
        DICT,
        ('"a": 1,\n', '    "timeout": 1,\n'),
        ('"c": 3,\n', '    "time" "out": 2,\n'),
    ),
    "python-escape": (
        "c.py",
        DICT,
        ('"a": 1,\n', '    "timeout": 1,\n'),
        ('"c": 3,\n', "    '\\x74imeout': 2,\n"),
    ),
    "python-number": ("c.py", DICT, ('"a": 1,\n', "    1: 1,\n"), ('"c": 3,\n', "    1.0: 2,\n")),
    "json-number-key": (
        "c.json",
        OBJECT,
        ('"a": 1,\n', '  "404": 1,\n'),
        ('"b": 2,\n', '  "404": 2,\n'),
    ),
    "javascript-escape": (
        "c.js",
        JS,
        ("a: 1,\n", "  beta: 1,\n"),
        ("c: 3,\n", "  '\\u{62}eta': 2,\n"),
    ),
    "go-raw-string": ("m.go", GO, ('"a": 1,\n', '\t"beta": 1,\n'), ('"c": 3,\n', "\t`beta`: 2,\n")),
}


@pytest.mark.parametrize("case", sorted(SPELLED_APART))
def test_one_key_added_in_two_spellings_by_a_clean_merge_is_marked(
    case: str, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    name, base, (at_ours, line_ours), (at_theirs, line_theirs) = SPELLED_APART[case]
    ours, theirs = added_after(base, at_ours, line_ours), added_after(base, at_theirs, line_theirs)
    gits = git_clean_merge(tmp_path, base, ours, theirs)
    repo, done = merge(make_repo, name, base, ours, theirs)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "both sides added" in done.stderr
    written = repo.read(name).decode()
    hunks = parse_conflicts(written).hunks
    assert [(h.ours, h.base, h.theirs) for h in hunks] == [
        (line_ours, "", ""),
        ("", "", line_theirs),
    ]
    assert (
        parse_conflicts(written).splice({i: h.ours or h.theirs for i, h in enumerate(hunks)})
        == gits
    )


def test_two_keys_whose_values_differ_still_merge_cleanly(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """Read by value, ``"bet\\u0062"`` is ``betb``: no clash, git's merge stands."""
    ours = added_after(OBJECT, '"a": 1,\n', '  "beta": 1,\n')
    theirs = added_after(OBJECT, '"b": 2,\n', '  "bet\\u0062": 2,\n')
    repo, done = merge(make_repo, "c.json", OBJECT, ours, theirs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("c.json").decode() == git_clean_merge(tmp_path, OBJECT, ours, theirs)


@pytest.mark.timeout(20)
def test_a_long_line_of_escapes_and_adjacent_strings_does_not_hang(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """The key's value is read from every added line with an escape or a quote: one
    pass, like the names (a line of 100,000 characters)."""
    base = "x = 1\n"
    ours = base + "s = " + '"\\x61" ' * 15_000 + "'\\\\' \"" + "\\" * 10_000 + '"\n'
    theirs = "y = 2\n" + base
    repo, done = merge(make_repo, "app.py", base, ours, theirs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("app.py").decode() == git_clean_merge(tmp_path, base, ours, theirs)


# -- a clean JSON or TOML merge that does not load stays a conflict ----------------------

RUFF = "[tool.ruff]\nline-length = 100\n\n[tool.other]\nx = 1\n"

# (file, base, ours, theirs): each side loads, git merges cleanly, git's merge does not load
UNLOADABLE = {
    # the issue's: a dotted key against a table header, at two places
    "toml-dotted-key": (
        "pyproject.toml",
        RUFF,
        added_after(RUFF, "line-length = 100\n", 'lint.select = ["E", "F"]\n'),
        RUFF + '\n[tool.ruff.lint]\nignore = ["E501"]\n',
    ),
    # a scalar against a table, with a change on each side and no last line end
    "toml-scalar": (
        "pyproject.toml",
        RUFF,
        RUFF.replace("line-length = 100\n", "line-length = 120\nlint = true\n"),
        RUFF.replace("x = 1\n", "x = 2\n") + '\n[tool.ruff.lint]\nignore = ["E501"]',
    ),
    # one key twice in one object, one copy sharing its line (the clash check marks
    # whole lines only, so it leaves this one)
    "json-key-twice": (
        "c.json",
        OBJECT,
        added_after(OBJECT, '"a": 1,\n', '  "x": 1, "y": 2,\n'),
        added_after(OBJECT, '"b": 2,\n', '  "x": 3,\n'),
    ),
}


def loads(name: str, text: str) -> bool:
    def refuse_twice(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("a key twice")
        return dict(pairs)

    try:
        if name.endswith(".toml"):
            tomllib.loads(text)
        else:
            json.loads(text, object_pairs_hook=refuse_twice)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("case", sorted(UNLOADABLE))
def test_a_clean_merge_that_does_not_load_is_left_as_each_sides_changes(
    case: str, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    name, base, ours, theirs = UNLOADABLE[case]
    gits = git_clean_merge(tmp_path, base, ours, theirs)
    assert loads(name, ours) and loads(name, theirs) and not loads(name, gits)
    repo, done = merge(make_repo, name, base, ours, theirs)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "does not load" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    written = parse_conflicts(repo.read(name).decode())
    assert len(written.hunks) == 2
    # Nothing lost, nothing moved: all ours is ours, all theirs is theirs (the last line
    # given its line end, as git's markers do), and each conflict as the side that
    # changed it is git's merge.
    assert written.splice({}, "ours") == ours
    assert written.splice({}, "theirs") in (theirs, theirs + "\n")
    for hunk in written.hunks:
        assert hunk.ours == hunk.base or hunk.theirs == hunk.base
    taken = {i: h.theirs if h.ours == h.base else h.ours for i, h in enumerate(written.hunks)}
    assert written.splice(taken) in (gits, gits + "\n")
    assert d.check_clean(gits.encode(), repo.read(name), 1) == []


def test_a_clean_merge_of_json_that_no_side_loads_is_written(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """A JSON file with comments (tsconfig.json) loads on no side: git's merge stands."""
    base = '{\n  // options\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n'
    ours = added_after(base, '"a": 1,\n', '  "x": 1, "y": 2,\n')
    theirs = added_after(base, '"b": 2,\n', '  "x": 3,\n')
    repo, done = merge(make_repo, "tsconfig.json", base, ours, theirs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("tsconfig.json").decode() == git_clean_merge(tmp_path, base, ours, theirs)


def test_changes_that_would_not_give_gits_merge_are_marked_as_one_conflict() -> None:
    """Where the regions found do not give git's merge back (git aligned a repeated line
    otherwise), one conflict holds every change, and still loses no line."""
    base, ours, theirs = "a\nx\nb\n", "a\nx\nn\nb\n", "a\nx\nb\nt\n"
    elsewhere = "a\nn\nx\nb\nt\n"  # not how these regions give it
    marked = mark_changes(base, ours, theirs, elsewhere, ("ours", "base", "theirs"), 7)
    written = parse_conflicts(marked)
    assert [(h.ours, h.base, h.theirs) for h in written.hunks] == [("n\nb\n", "b\n", "b\nt\n")]
    assert (written.splice({}, "ours"), written.splice({}, "theirs")) == (ours, theirs)
    regions = mark_changes(base, ours, theirs, "a\nx\nn\nb\nt\n", ("ours", "base", "theirs"), 7)
    assert [(h.ours, h.base, h.theirs) for h in parse_conflicts(regions).hunks] == [
        ("n\n", "", ""),
        ("", "", "t\n"),
    ]


def test_a_key_twice_whose_copy_ends_the_file_without_a_line_end_is_marked(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """Both sides add `lint` to a YAML file, one at its top, the other as the file's last
    lines without a line end: a marker cannot stand after that copy, so each side's
    changes are marked instead of the copies (git's merge held the key twice, silently;
    found by issue 22's long run, case 1004508)."""
    base = 'server:\n  "alpha": 3\n'
    ours = base + "lint:\n  lint: 58\n  'alpha': 1"
    theirs = "'lint': 41\n" + base
    gits = git_clean_merge(tmp_path, base, ours, theirs)
    repo, done = merge(make_repo, "conf/app.yaml", base, ours, theirs)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "both sides added `lint`" in done.stderr
    written = repo.read("conf/app.yaml").decode()
    assert d.check_clean(gits.encode(), written.encode(), 1) == []
    hunks = parse_conflicts(written).hunks
    assert [(h.ours, h.base, h.theirs) for h in hunks] == [
        ("", "", "'lint': 41\n"),
        ("lint:\n  lint: 58\n  'alpha': 1\n", "", ""),
    ]


def test_a_crlf_toml_merge_that_does_not_load_is_marked_with_crlf_at_its_end(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """A CRLF TOML file: ours adds a dotted key of table `tool.ruff.lint`, theirs declares
    that table (its name spelt with an escape) on the file's last lines, without a line
    end. git's clean merge does not load; each side's changes are marked, and theirs'
    last line gets the file's CRLF before the marker, as git's own markers give it
    (issue 22's final long run, seed 3, case 3006646)."""
    base = '\'debug\' = ["E", "F50"]\r\nversion = true\r\nalpha = 96\r\n'
    ours = '"tool".ruff.lint.select = "v25"\r\n' + base
    theirs = (
        base.replace("alpha", "beta = 61\r\nalpha")
        + '\r\n[tool."ruf\\u0066".lint]\r\n"ignore" = 24'
    )
    gits = git_clean_merge(tmp_path, base, ours, theirs)
    assert loads("conf/app.toml", ours) and loads("conf/app.toml", theirs)
    assert not loads("conf/app.toml", gits)
    repo, done = merge(make_repo, "conf/app.toml", base, ours, theirs)
    assert done.returncode == 1, done.stdout + done.stderr
    written = repo.read("conf/app.toml")
    assert written.endswith(b'"ignore" = 24\r\n>>>>>>> theirs\r\n')
    assert b"\n" not in written.replace(b"\r\n", b"")  # every line end is the file's CRLF
    assert d.check_clean(gits.encode(), written, 1) == []

"""One key is one key, however it is spelled, and a written JSON, YAML or TOML file
loads (issue 22, items 3 to 5): through real `git merge` runs with the installed
driver, and the gates and key readers directly."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo, git_merge_file

from santamerge import treesitter
from santamerge.languages.profiles import language_for_path
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.syntax.keys import key_value


def merge(
    make_repo: Callable[[str], Repo],
    name: str,
    base: str,
    ours: str,
    theirs: str,
    policy: str | None = None,
) -> tuple[Repo, subprocess.CompletedProcess[str]]:
    """A real `git merge` of ours and theirs through the driver, under ``policy``."""
    repo = make_repo("repo")
    repo.install_driver([f"*{Path(name).suffix}"])
    env = {"SANTAMERGE_POLICY": policy} if policy else None
    return repo, repo.merge_branches({name: base}, {name: ours}, {name: theirs}, env=env)


# -- item 3: keys by value ---------------------------------------------------------------

# (file, a text whose order-free keys are all one key in other spellings, another key)
SPELLINGS = {
    "python": (
        "a.py",
        "C = {\"timeout\": 1, 'timeout': 2, r'timeout': 3, 'time' 'out': 4, "
        "'\\x74imeout': 5, 'other': 6}\n",
    ),
    "json": ("a.json", '{"beta": 1, "bet\\u0061": 2, "\\u0062eta": 3, "other": 4}\n'),
    "javascript": (
        "a.js",
        "o = {beta: 1, 'beta': 2, \"beta\": 3, 'bet\\u0061': 4, '\\u{62}eta': 5, other: 6};\n",
    ),
    "typescript": (
        "a.ts",
        "interface I {\n  beta: number;\n  'beta': string;\n"
        '  "beta"?: number;\n  other: number;\n}\n',
    ),
    "yaml": ("a.yaml", 'beta: 1\n"beta": 2\n\'beta\': 3\n"bet\\x61": 4\nother: 5\n'),
    "toml": ("a.toml", 'beta = 1\n"beta" = 2\n\'beta\' = 3\n"bet\\u0061" = 4\nother = 5\n'),
}


@pytest.mark.parametrize("language", sorted(SPELLINGS))
def test_one_key_in_every_spelling_reads_as_one_value(language: str) -> None:
    path, text = SPELLINGS[language]
    profile = language_for_path(path)
    assert profile is not None
    tree = treesitter.parse(profile, text)
    query = treesitter.query(profile, "orderfree")
    assert query is not None
    values = [
        key_value(profile, key)
        for match in treesitter.matches(query, tree.root_node)
        for key in match.get("key", [])
    ]
    assert len(values) >= 4
    assert len(set(values[:-1])) == 1 and values[-1] != values[0], values


def test_keys_that_differ_in_value_stay_apart() -> None:
    """Python's 1 and "1", YAML's 1 and "1", TOML's "a.b" and a.b are different keys."""
    for path, text in (
        ("a.py", "C = {1: 1, '1': 2}\n"),
        ("a.yaml", '1: 1\n"1": 2\n'),
        ("a.toml", '"a.b" = 1\na.b = 2\n'),
        ("a.js", "o = {[a]: 1, a: 2};\n"),
    ):
        profile = language_for_path(path)
        assert profile is not None
        tree = treesitter.parse(profile, text)
        query = treesitter.query(profile, "orderfree")
        assert query is not None
        values = [
            key_value(profile, key)
            for m in treesitter.matches(query, tree.root_node)
            for key in m.get("key", [])
        ]
        assert len(values) == len(set(values)) == 2, (path, values)


# (file, base, ours, theirs, policy): each side adds one key, in its own spelling
TWO_SPELLINGS = {
    # the Python case: the tree merge wrote both under the default policy
    "python": (
        "settings.py",
        'C = {\n    "a": 1,\n    "b": 2,\n}\n',
        'C = {\n    "a": 10,\n    "b": 2,\n    "timeout": 5,\n}\n',
        'C = {\n    "a": 1,\n    "b": 20,\n    \'timeout\': 30,\n}\n',
        None,
    ),
    "json": (
        "c.json",
        '{\n  "a": 1\n}\n',
        '{\n  "a": 1,\n  "beta": 1\n}\n',
        '{\n  "a": 1,\n  "bet\\u0061": 2\n}\n',
        "words",
    ),
    "yaml": ("c.yaml", "a: 1\n", 'a: 1\n"beta": 1\n', "a: 1\nbeta: 2\n", "words"),
    "toml": (
        "c.toml",
        "[t]\na = 1\n",
        '[t]\na = 1\n"beta" = 1\n',
        "[t]\na = 1\nbeta = 2\n",
        "words",
    ),
    "javascript": (
        "c.js",
        "const C = {\n  a: 1,\n};\n",
        "const C = {\n  a: 1,\n  beta: 1,\n};\n",
        "const C = {\n  a: 1,\n  'beta': 2,\n};\n",
        "words",
    ),
    "typescript": (
        "c.ts",
        "interface C {\n  a: number;\n}\n",
        "interface C {\n  a: number;\n  beta: number;\n}\n",
        "interface C {\n  a: number;\n  'beta': string;\n}\n",
        "words",
    ),
}


@pytest.mark.parametrize("language", sorted(TWO_SPELLINGS))
def test_one_key_added_in_two_spellings_stays_gits_conflict(
    language: str, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    name, base, ours, theirs, policy = TWO_SPELLINGS[language]
    repo, done = merge(make_repo, name, base, ours, theirs, policy)
    assert done.returncode == 1, done.stdout + done.stderr
    gits = git_merge_file(tmp_path, (base, ours, theirs)).stdout.decode()
    assert repo.read(name).decode() == gits


def test_a_clean_merge_of_one_key_in_two_spellings_is_marked(
    make_repo: Callable[[str], Repo],
) -> None:
    """git merges the two additions cleanly (at two places): the clash check must see
    that "timeout" and 'timeout' are one key."""
    base = 'C = {\n    "a": 1,\n    "b": 2,\n    "c": 3,\n}\n'
    ours = base.replace('"a": 1,\n', '"a": 1,\n    "timeout": 5,\n')
    theirs = base.replace('"c": 3,\n', "\"c\": 3,\n    'timeout': 30,\n")
    repo, done = merge(make_repo, "settings.py", base, ours, theirs)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "both sides added" in done.stderr and "timeout" in done.stderr
    hunks = parse_conflicts(repo.read("settings.py").decode()).hunks
    assert [(h.ours, h.theirs) for h in hunks] == [
        ('    "timeout": 5,\n', ""),
        ("", "    'timeout': 30,\n"),
    ]


# -- item 4: a written file loads --------------------------------------------------------

RUFF = "[tool.ruff]\nline-length = 100\n"


@pytest.mark.parametrize(
    "theirs",
    [
        pytest.param('\n[tool.ruff.lint]\nignore = ["E501"]\n', id="table-ignore"),  # the issue's
        pytest.param('\n[tool.ruff.lint]\nselect = ["E"]\n', id="table-select"),
    ],
)
@pytest.mark.parametrize(
    "ours",
    [
        pytest.param('lint.select = ["E", "F"]\n', id="dotted-key"),
        pytest.param("lint = true\n", id="scalar"),
    ],
)
@pytest.mark.parametrize("policy", [None, "words"])
def test_a_toml_merge_that_declares_a_table_twice_stays_gits_conflict(
    ours: str, theirs: str, policy: str | None, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    for side in (RUFF + ours, RUFF + theirs):
        tomllib.loads(side)  # each side loads
    repo, done = merge(make_repo, "pyproject.toml", RUFF, RUFF + ours, RUFF + theirs, policy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        repo.read("pyproject.toml").decode()
        == git_merge_file(tmp_path, (RUFF, RUFF + ours, RUFF + theirs)).stdout.decode()
    )


def test_a_toml_merge_that_loads_is_still_written(make_repo: Callable[[str], Repo]) -> None:
    base = "[tool.ruff]\nindent-width = 4\nline-length = 100\n"
    repo, done = merge(
        make_repo,
        "pyproject.toml",
        base,
        base + 'lint.select = ["E", "F"]\n',
        base + 'target-version = "py311"\n',
    )
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = tomllib.loads(repo.read("pyproject.toml").decode())["tool"]["ruff"]
    assert loaded["lint"] == {"select": ["E", "F"]} and loaded["target-version"] == "py311"


def test_the_gates_say_why_a_json_merge_does_not_load(tmp_path: Path) -> None:
    base = '{\n  "a": 1,\n  "z": 0\n}\n'
    ours = base.replace('"a": 1,\n', '"a": 1,\n  "beta": 1,\n')
    theirs = base.replace('"a": 1,\n', '"a": 1,\n  "bet\\u0061": 2,\n')
    text = git_merge_file(tmp_path, (base, ours, theirs)).stdout.decode()
    (hunk,) = run_pipeline(text, "c.json").proposal.hunks
    reasons = hunk.gated["ours+theirs"]
    assert 'JSON does not load it: the key "beta" twice in one object' in reasons
    assert 'writes the key "beta" twice in `{`, which neither side does' in reasons
    assert hunk.gated["ours"] == hunk.gated["theirs"] == ()


# -- item 5: the whole file, after every hunk is decided ----------------------------------

DICT = 'D = {\n    "a": 1,\n    "b": 2,\n    "c": 3,\n    "d": 4,\n}\n'
DICT_OURS = 'D = {\n    "a": 1,\n    "x": 9,\n    "b": 2,\n    "c": 3,\n    "d": 40,\n}\n'
DICT_THEIRS = 'D = {\n    "a": 10,\n    "b": 2,\n    "c": 3,\n    "d": 4,\n    "x": 8,\n}\n'
ENUM = "enum E {\n    A,\n    B,\n    C,\n    D,\n}\n"
ENUM_OURS = "enum E {\n    A,\n    X,\n    B,\n    C,\n    DD,\n}\n"
ENUM_THEIRS = "enum E {\n    AA,\n    B,\n    C,\n    D,\n    X,\n}\n"
# a mapping in a sequence (a CI step): no loader here, the tree sees the key twice
STEP = "steps:\n  - name: a\n    run: x\n    with: 1\n    env: 2\n"
STEP_OURS = "steps:\n  - name: a\n    shell: bash\n    run: x\n    with: 1\n    env: 3\n"
STEP_THEIRS = 'steps:\n  - name: b\n    run: x\n    with: 1\n    env: 2\n    "shell": sh\n'


@pytest.mark.parametrize(
    ("name", "base", "ours", "theirs"),
    [
        pytest.param("d.py", DICT, DICT_OURS, DICT_THEIRS, id="python-dict"),  # the issue's
        pytest.param("E.java", ENUM, ENUM_OURS, ENUM_THEIRS, id="java-enum"),  # javac refuses
        pytest.param("ci.yml", STEP, STEP_OURS, STEP_THEIRS, id="yaml-step"),
    ],
)
def test_two_hunks_that_each_add_one_key_under_words_stay_gits_conflicts(
    name: str, base: str, ours: str, theirs: str, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    repo, done = merge(make_repo, name, base, ours, theirs, "words")
    assert done.returncode == 1, done.stdout + done.stderr
    written = repo.read(name).decode()
    assert written == git_merge_file(tmp_path, (base, ours, theirs)).stdout.decode()
    assert len(parse_conflicts(written).hunks) == 2


def test_two_hunks_that_add_different_keys_under_words_are_written(
    make_repo: Callable[[str], Repo],
) -> None:
    repo, done = merge(
        make_repo, "d.py", DICT, DICT_OURS, DICT_THEIRS.replace('"x": 8', '"y": 8'), "words"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("d.py").decode() == DICT_OURS.replace('"a": 1', '"a": 10').replace(
        '"d": 40,\n', '"d": 40,\n    "y": 8,\n'
    )


def test_a_key_the_sides_already_hold_twice_does_not_stop_the_merge(
    make_repo: Callable[[str], Repo],
) -> None:
    base = DICT.replace('"c": 3', '"a": 3')
    ours, theirs = (
        side.replace('"c": 3', '"a": 3').replace('"x": 8', '"y": 8')
        for side in (DICT_OURS, DICT_THEIRS)
    )
    repo, done = merge(make_repo, "d.py", base, ours, theirs, "words")
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read("d.py").decode().count('"a":') == 2


# -- a key that git's merge holds once from each side: judged on the whole sides ---------
# Ours adds the key in a line git merges cleanly; theirs adds it again in a hunk where
# both sides add. git's merge with theirs spliced in already holds the key twice (and,
# for TOML, does not load), so a gate that judged "a side holds it twice" or "a side
# does not load" on the sides spliced into git's merge let the union through; neither
# side holds it twice, and both load (issue 22).

LATE_DICT = 'C = {\n    "a": 1,\n    "b": 2,\n    "c": 3,\n}\n'
LATE_TOML = "[tool.ruff]\nline-length = 100\nindent-width = 4\nversion = 1\n"
LATE_YAML = "a: 1\nb: 2\nc: 3\n"
# (file, base, ours, theirs): one side's key early (git merges it cleanly), the hunk at
# the end, where the other side adds the key again (TOML: a table that ours' dotted key
# already opened)
KEY_LATE = {
    "python": (
        "settings.py",
        LATE_DICT,
        LATE_DICT.replace('"c": 3,\n', '"c": 3,\n    "lint": 1,\n'),
        LATE_DICT.replace('"a": 1,\n', "\"a\": 1,\n    'lint': 2,\n").rstrip("\n"),
    ),
    "toml": (
        "pyproject.toml",
        LATE_TOML,
        LATE_TOML.replace("line-length = 100\n", 'line-length = 100\nlint.select = ["E"]\n')
        + "x = 1\n",
        LATE_TOML + '\n[tool.ruff.lint]\nignore = ["E501"]\n',
    ),
    "yaml": (
        "c.yaml",
        LATE_YAML,
        LATE_YAML.replace("a: 1\n", "a: 1\nlint: 1\n") + "x: 1\n",
        LATE_YAML + "'lint': 2\n",
    ),
    # ours' dotted key and theirs' table both in lines git merges cleanly: git's merge
    # loads with no choice in the hunk, nor does either side spliced into it; only the
    # whole sides (%A and %B, the index stages) tell that they load
    "toml-clean-lines": (
        "ruff.toml",
        LATE_TOML + "\n[server]\nport = 1\n",
        LATE_TOML.replace("line-length = 100\n", 'line-length = 100\nlint.select = ["E"]\n')
        + "\n[server]\nport = 1\na = 1\n",
        LATE_TOML + '\n[tool.ruff.lint]\nignore = ["E501"]\n' + "\n[server]\nport = 1\nb = 2\n",
    ),
}


@pytest.mark.parametrize("policy", [None, "words"])
@pytest.mark.parametrize("language", sorted(KEY_LATE))
def test_a_key_git_merged_cleanly_and_repeated_in_a_hunk_stays_gits_conflict(
    language: str, policy: str | None, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    name, base, ours, theirs = KEY_LATE[language]
    conflict = git_merge_file(tmp_path, (base, ours, theirs)).stdout.decode()
    assert len(parse_conflicts(conflict).hunks) == 1  # ours' key is outside the hunk
    repo, done = merge(make_repo, name, base, ours, theirs, policy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert repo.read(name).decode() == conflict


def test_resolve_accept_judges_keys_on_the_index_stages(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """`resolve --accept` reads the sides from the index: on the same merges, after a
    plain `git merge`, it may take a side, never the union that holds the key twice or
    does not load (differential.file_problems); a union that adds no key twice is still
    written."""
    import differential as d

    repo = make_repo("repo")
    repo.git("config", "merge.conflictStyle", "diff3")
    sides = [{name: texts[k] for name, *texts in KEY_LATE.values()} for k in (0, 1, 2)]
    sides[0]["ok.py"], sides[1]["ok.py"] = LATE_DICT, KEY_LATE["python"][2]
    sides[2]["ok.py"] = LATE_DICT.replace('"c": 3,\n', '"c": 3,\n    "y": 2,\n')
    assert repo.merge_branches(*sides).returncode == 1
    resolved = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "resolve",
            "--accept",
            "--threshold",
            "0",
            "--no-model",
        ],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert resolved.returncode in (0, 1), resolved.stderr
    for name, base, ours, theirs in KEY_LATE.values():
        merge = d.Merge(name, base.encode(), ours.encode(), theirs.encode())
        baseline, _ = d.git_merge(merge, tmp_path / name)
        assert d.file_problems(merge, baseline, repo.read(name)) == [], name
    written = repo.read("ok.py").decode()
    assert "<<<<<<<" not in written and '"y": 2' in written and '"lint": 1' in written


NESTED = 'CONFIG = {\n    "tool": {\n        "a": 1,\n        "b": 2,\n    },\n}\n'
NESTED_OURS = NESTED.replace("CONFIG = {\n", 'CONFIG = {\n    "beta": 1,\n').replace(
    '"b": 2,\n', '"b": 2,\n        "x": 1,\n'
)
NESTED_THEIRS = NESTED.replace("    },\n}", "    },\n    'beta': {},\n}").replace(
    '"b": 2,\n', '"b": 2,\n        "y": 2,\n'
)


@pytest.mark.parametrize("policy", [None, "words"])
@pytest.mark.parametrize("key", ["beta", "gamma"])
def test_a_key_twice_in_lines_git_merged_cleanly_leaves_a_conflict(
    key: str, policy: str | None, make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    """Each side adds "beta" once, in lines git merges cleanly, and the one hunk (in
    another dict) has a merge: every hunk written would write the file with "beta" twice
    and exit 0, as if nothing were wrong. The hunk stays git's conflict. (Theirs adding
    "gamma" instead: the merge is written.)"""
    theirs = NESTED_THEIRS.replace("'beta'", f"'{key}'")
    conflict = git_merge_file(tmp_path, (NESTED, NESTED_OURS, theirs)).stdout.decode()
    assert len(parse_conflicts(conflict).hunks) == 1
    repo, done = merge(make_repo, "settings.py", NESTED, NESTED_OURS, theirs, policy)
    if key == "gamma":
        assert done.returncode == 0, done.stdout + done.stderr
        assert '"x": 1' in repo.read("settings.py").decode()
        return
    assert done.returncode == 1, done.stdout + done.stderr
    assert repo.read("settings.py").decode() == conflict

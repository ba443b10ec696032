"""A clean line merge that defines one name twice (each side added it, at different
places) is left as a conflict, through a real `git merge` and the installed driver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Repo, git_merge_file

from santamerge.merge.locate import parse_conflicts

STORE = """class Store:
    def __init__(self):
        self.items = {}

    def get(self, key):
        return self.items[key]

    def keys(self):
        return list(self.items)
"""
# ours adds save() at the top of the class, theirs at the bottom: no line overlaps
OURS = STORE.replace(
    """        self.items = {}
""",
    """        self.items = {}

    def save(self, path):
        with open(path, "w") as out:
            out.write(repr(self.items))
""",
)
THEIRS = (
    STORE
    + """
    def save(self, path):
        raise NotImplementedError(path)
"""
)


def merge(
    make_repo: Callable[[str], Repo], name: str, base: str, ours: str, theirs: str
) -> tuple[Repo, int, str]:
    repo = make_repo("repo")
    repo.install_driver()
    done = repo.merge_branches({name: base}, {name: ours}, {name: theirs})
    return repo, done.returncode, done.stdout + done.stderr


def test_both_sides_adding_one_method_is_a_conflict_not_a_clean_merge(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    repo, code, said = merge(make_repo, "store.py", STORE, OURS, THEIRS)
    assert code != 0 and "both sides added `Store.save`" in said, said
    written = repo.read("store.py").decode()
    hunks = parse_conflicts(written).hunks
    assert [
        (h.ours.startswith("    def save"), h.theirs.startswith("    def save")) for h in hunks
    ] == [(True, False), (False, True)]
    assert hunks[0].base == "" and hunks[1].base == ""
    # Every line git merged is there, in git's order: only marker lines were added.
    unmarked = [
        line
        for line in written.splitlines(keepends=True)
        if not line.startswith(("<<<<<<< ", "||||||| ", "=======", ">>>>>>> "))
    ]
    plain = git_merge_file(tmp_path, (STORE, OURS, THEIRS), options=())
    assert plain.returncode == 0 and "".join(unmarked) == plain.stdout.decode()  # git's
    assert repo.git("diff", "--name-only", "--diff-filter=U").stdout.split() == ["store.py"]


def test_different_names_merge_cleanly(make_repo: Callable[[str], Repo]) -> None:
    theirs = THEIRS.replace(
        "def save(self, path):\n        raise", "def load(self, path):\n        raise"
    )
    repo, code, said = merge(make_repo, "store.py", STORE, OURS, theirs)
    assert code == 0, said
    written = repo.read("store.py").decode()
    assert "<<<<<<<" not in written and "def save" in written and "def load" in written


def test_names_a_language_binds_twice_on_purpose_are_not_clashes(
    make_repo: Callable[[str], Repo],
) -> None:
    base = "from typing import overload\n\n\ndef size(x):\n    return len(x)\n"
    ours = base.replace(
        "\n\n\ndef size(x)", "\n\n\n@overload\ndef size(x: str) -> int: ...\n\n\ndef size(x)"
    )
    theirs = base + "\n\n@overload\ndef size(x: bytes) -> int: ...\n"
    repo, code, said = merge(make_repo, "sizes.py", base, ours, theirs)
    assert code == 0, said
    assert repo.read("sizes.py").decode().count("def size") == 3


JAVA = """public class Counter {
    private int n;

    public int get() {
        return n;
    }
}
"""


def test_java_same_signature_clashes_and_an_overload_does_not(
    make_repo: Callable[[str], Repo],
) -> None:
    ours = JAVA.replace(
        "    private int n;\n",
        "    private int n;\n\n    public void reset() {\n        n = 0;\n    }\n",
    )
    theirs = JAVA.replace(
        "        return n;\n    }\n",
        "        return n;\n    }\n\n    public void reset() {\n        n = -1;\n    }\n",
    )
    repo, code, said = merge(make_repo, "Counter.java", JAVA, ours, theirs)
    assert code != 0 and "`Counter.reset()`" in said, said
    assert len(parse_conflicts(repo.read("Counter.java").decode()).hunks) == 2

    overload = theirs.replace(
        "public void reset() {\n        n = -1;", "public void reset(int to) {\n        n = to;"
    )
    repo2, code2, said2 = merge(
        lambda name: make_repo(name + "2"), "Counter.java", JAVA, ours, overload
    )
    assert code2 == 0, said2
    assert repo2.read("Counter.java").decode().count("reset(") == 2


def test_what_is_never_marked() -> None:
    """A copy on the file's last line without a line end (a marker cannot follow it), a
    name a side already binds twice, and TypeScript's merged interfaces."""
    from santamerge.languages.profiles import language_named
    from santamerge.merge.structured.clashes import clashes

    python, ts = language_named("python"), language_named("typescript")
    assert python is not None and ts is not None
    base = "def a():\n    return 1\n"
    ours = "def f():\n    return 2\n\n" + base
    theirs = base + "\ndef f():\n    return 3"  # no line end at the end of the file
    assert clashes(python, ours, theirs, "def f():\n    return 2\n\n" + theirs) == []
    assert (
        len(clashes(python, ours, theirs + "\n", "def f():\n    return 2\n\n" + theirs + "\n")) == 2
    )
    twice = "def f():\n    return 0\n\n\ndef f():\n    return 1\n"
    assert (
        clashes(
            python,
            twice + "\ndef g(): pass\n",
            "def g(): pass\n" + twice,
            "def g(): pass\n" + twice + "\ndef g(): pass\n",
        )
        == []
    )
    load = "interface Load {\n  id: number;\n}\n"
    assert (
        clashes(ts, load + "let x = 1;\n", "let x = 1;\n" + load, load + "let x = 1;\n" + load)
        == []
    )


def test_a_generated_merge_the_long_run_caught() -> None:
    """Case 1003157 of the no-lost-line run: three copies of an interface, one at the end
    of the file without a line end, and CRLF lines; the driver once wrote a marker on
    the last line's end. It must leave git's clean merge, or marks that keep every line."""
    import random
    import tempfile

    import differential as d

    merge = d.generate(random.Random(1003157))
    with tempfile.TemporaryDirectory() as folder:
        assert d.check_driver(merge, Path(folder) / "case") == []

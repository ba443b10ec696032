"""`santamerge fill` writes no junk: bodies that do nothing or read undefined names are
dropped, the confidence shown counts survivors, and a model without measured evidence
only proposes (docs/fill.md, "What each language checks", "Evidence")."""

from __future__ import annotations

import ast
import builtins
import difflib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Repo
from test_fill import SOURCE

from santamerge.cli import cli
from santamerge.languages.profiles import language_for_path
from santamerge.stubs.detect import find_stubs
from santamerge.stubs.fill import (
    DOES_NOTHING,
    UNDEFINED,
    judge_samples,
    undefined_names,
)

GEOMETRY = SOURCE + "\n    def area(self):\n        raise NotImplementedError\n"
GOOD = "        return (self.x ** 2 + self.y ** 2) ** 0.5\n"
SIZE = 'import os\n\n\ndef size(path):\n    """The size of the file at path."""\n    pass\n'


def judged(path: str, text: str, bodies: Sequence[str], name: str | None = None):  # type: ignore[no-untyped-def]
    profile = language_for_path(path)
    assert profile is not None
    stub = next(s for s in find_stubs(path, text) if name is None or s.name == name)
    return judge_samples(profile, text, stub, [(b, -1.0) for b in bodies])


def reasons(filled) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {b.text: (b.rejected[0] if b.rejected else "") for b in filled.bodies}


# -- the checks, on real tree-sitter grammars and Python's own symtable ---------------


def test_python_bodies_that_do_nothing_or_read_undefined_names_are_dropped() -> None:
    junk = {
        "        #\n": DOES_NOTHING,
        "        # Copyright (c) 2020 The Authors\n": DOES_NOTHING,
        '        """Fixeratibility for Winviding PEP 400."""\n': DOES_NOTHING,
        "        aNg\n": DOES_NOTHING,
        "        pass  # done\n": DOES_NOTHING,  # find_stubs: a deliberate no-op
        "        raise NotImplementedError('later')\n": "still a stub",
        "        return None\n": DOES_NOTHING,
        "        import os\n": DOES_NOTHING,
        "        return aNg(self.x)\n": f"{UNDEFINED} (aNg)",
        "        return math.hypot(self.x, self.y)\n": f"{UNDEFINED} (math)",
        "        return scale(self, 1)\n": f"{UNDEFINED} (scale)",  # a method, not a global
        "        return x * y\n": f"{UNDEFINED} (x, y)",
    }
    for name in ("Point.norm", "Point.area"):  # after a docstring, and without one
        filled = judged("geometry.py", GEOMETRY, [*junk, GOOD], name)
        got = reasons(filled)
        assert got[GOOD] == "" and filled.chosen is not None and filled.chosen.text == GOOD
        for body, why in junk.items():
            if name == "Point.area" and body.startswith("        #"):
                assert got[body] == DOES_NOTHING  # comments alone: not even a statement
            else:
                assert got[body] == why, body


def test_bodies_using_what_the_file_defines_pass() -> None:
    fine = [
        "        return Point(abs(self.x), len(os.sep))\n",
        "        return read_text(os.devnull) or sorted([self.x, self.y])[0]\n",
        "        total = self.x\n        return total + (lambda k: k * self.y)(2)\n",
        "        return [v for v in (self.x, self.y) if v > SCALE]\n",
    ]
    text = GEOMETRY + "\n\ndef setup():\n    global SCALE\n    SCALE = 2\n"
    filled = judged("geometry.py", text, fine, "Point.norm")
    assert filled.survived == 4 and all(not b.rejected for b in filled.bodies)


def test_undefined_names_sees_scopes_and_gives_up_on_star_imports() -> None:
    source = (
        "import os\nfrom a import b as c\n\n\ndef outer(p):\n    q = 1\n\n"
        "    def inner():\n        return p + q + c + os.sep + len(Z) + nope\n"
        "    return inner\n\n\nZ = []\n"
    )
    assert undefined_names(source, 8, "inner") == ["nope"]
    assert undefined_names(source, 5, "outer") == ["nope"]  # nested scopes count
    assert undefined_names("from os import *\n\ndef f():\n    return sep\n", 3, "f") is None
    assert undefined_names("def f(:\n", 1, "f") is None


def test_star_import_is_said_not_hidden() -> None:
    text = "from os.path import *\n\n\ndef base(p):\n    pass\n"
    filled = judged("m.py", text, ["    return basename(p)\n"])
    assert filled.chosen is not None
    assert filled.notes == ("names not checked: the file has a `from ... import *`",)


@pytest.mark.parametrize(
    ("path", "text", "junk", "good"),
    [
        (
            "a.js",
            "function area(r) {\n  throw new Error('not implemented');\n}\n",
            [
                "\n  // Copyright 2020\n",
                "\n  aNg;\n",
                "\n  return;\n",
                "\n  return null;\n",
                "\n  r.size;\n",
            ],
            "\n  return Math.PI * r * r;\n",
        ),
        (
            "a.ts",
            "export function area(r: number): number {\n  throw new Error('TODO');\n}\n",
            ["\n  /* later */\n", "\n  return undefined;\n"],
            "\n  return r * r;\n",
        ),
        (
            "A.java",
            "class A {\n  int area(int r) {\n    throw new UnsupportedOperationException();"
            "\n  }\n}\n",
            ["\n    // copyright\n  ", "\n    return null;\n  ", "\n    ;\n  "],
            "\n    return r * r;\n  ",
        ),
        (
            "a.go",
            'package a\n\nfunc Area(r int) int {\n\tpanic("not implemented")\n}\n',
            ["\n\t// nothing\n", "\n\treturn\n", "\n\treturn nil\n", "\n\taNg\n"],
            "\n\treturn r * r\n",
        ),
        (
            "a.rs",
            "fn area(r: i32) -> i32 {\n    todo!()\n}\n",
            ["\n    // c\n", "\n    ()\n", "\n    aNg;\n"],
            "\n    r * r\n",
        ),
    ],
)
def test_brace_languages_drop_bodies_that_do_nothing(
    path: str, text: str, junk: list[str], good: str
) -> None:
    got = reasons(judged(path, text, [*junk, good]))
    assert got.pop(good) == ""
    assert set(got.values()) <= {DOES_NOTHING, "still a stub"}, got  # Java's `;`: a stub
    assert DOES_NOTHING in got.values()


def test_agreement_is_among_survivors_and_a_lone_survivor_has_none() -> None:
    lone = judged(
        "geometry.py", GEOMETRY, ["        #\n"] * 4 + ["        aNg\n"] * 3 + [GOOD], "Point.norm"
    )
    assert (lone.sampled, lone.survived) == (8, 1)
    assert lone.chosen is not None and lone.chosen.consensus is None  # not "1.00"
    other = "        return abs(self.x) + abs(self.y)\n"
    many = judged("geometry.py", GEOMETRY, [GOOD, GOOD, GOOD, other, "        #\n"], "Point.norm")
    assert (many.sampled, many.survived) == (5, 4)
    chosen = many.chosen
    assert chosen is not None and chosen.text == GOOD and chosen.copies == 3
    assert chosen.consensus is not None and 0.5 < chosen.consensus < 1.0
    none = judged("geometry.py", GEOMETRY, ["        #\n"] * 8, "Point.norm")
    assert none.chosen is None and none.survived == 0 and none.sampled == 8


# -- the command line with a canned backend (the decision logic, deterministically) ---


class Canned:
    """A backend that answers every prompt with the middles in ``canned.json``."""

    def __init__(self, folder: str) -> None:
        from santamerge.model.fim import FAMILIES

        self.name = f"canned:{folder}"
        self.middles = json.loads((Path(folder) / "canned.json").read_text())
        self._template = next(t for t in FAMILIES if t.family == "santacoder")

    @property
    def template(self):  # type: ignore[no-untyped-def]
        return self._template

    def generate(
        self,
        prompts,
        n=1,
        max_new_tokens=64,
        temperature=0.0,
        top_p=1.0,  # type: ignore[no-untyped-def]
        stop=(),
    ):
        from santamerge.model.backends.base import Completion

        return [
            [
                Completion(self.middles[i % len(self.middles)], (-0.5, -0.5), "stop")
                for i in range(n)
            ]
            for _ in prompts
        ]

    def score(self, prompt, middles):  # type: ignore[no-untyped-def]
        return [-1.0 for _ in middles]

    context_length = 2048

    def encode(self, text):  # type: ignore[no-untyped-def]
        from santamerge.model.backends.base import TokenizerUnavailable

        raise TokenizerUnavailable("canned middles have no tokenizer")

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "context_length": 2048}


@pytest.fixture
def canned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from santamerge.model.backends.registry import _REGISTRY, _register_builtins, register_backend

    _register_builtins()
    register_backend("canned", lambda spec, options: Canned(spec))  # type: ignore[arg-type, return-value]
    monkeypatch.setenv("SANTAMERGE_AUTOSTART", "0")  # in process: the registry above
    folder = tmp_path / "canned-model"
    folder.mkdir()
    yield folder
    _REGISTRY.pop("canned", None)


def run(repo: Repo, *args: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def geometry(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("geo")
    repo.commit({"README.md": "geometry\n"}, "start")
    repo.write("geometry.py", GEOMETRY)
    return repo


def test_without_evidence_fill_proposes_and_writes_only_when_asked(
    canned: Path, geometry: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    (canned / "canned.json").write_text(json.dumps([GOOD.lstrip()]))
    model = f"canned:{canned}"
    code, out, err = run(
        geometry, "fill", "--model", model, "-n", "4", "--only", "norm", "geometry.py"
    )
    assert code == 1, err  # proposals stop a commit
    assert out.startswith("--- a/geometry.py\n+++ b/geometry.py\n") and "+" + GOOD in out
    assert geometry.read("geometry.py").decode() == GEOMETRY  # nothing written
    assert (
        "proposed a body for Point.norm (4 of 4 sampled bodies passed the checks; "
        "agreement among them 1.00; 4 samples gave this body"
    ) in err
    assert "nothing written" in err and "no measured evidence" in err and "--write" in err
    code, out, err = run(
        geometry, "fill", "--model", model, "-n", "4", "--only", "norm", "--write", "geometry.py"
    )
    assert code == 1 and out == "" and "filled Point.norm" in err
    assert geometry.read("geometry.py").decode() == GEOMETRY.replace("        ...\n", GOOD)
    geometry.write("geometry.py", GEOMETRY)
    monkeypatch.setenv("SANTAMERGE_FILL_WRITE", "1")  # the setting asks as --write does
    code, _, _ = run(geometry, "fill", "--model", model, "--only", "norm", "geometry.py")
    assert code == 1 and GOOD in geometry.read("geometry.py").decode()


def test_recorded_evidence_decides_whether_fill_writes(
    canned: Path, geometry: Repo, tmp_path: Path
) -> None:
    (canned / "canned.json").write_text(json.dumps([GOOD.lstrip()]))
    model = f"canned:{canned}"
    report = tmp_path / "stubs.json"
    report.write_text(
        json.dumps({"schema": 1, "repo": "/src/flask", "stubs": 30, "exact": 0.0, "model": model})
    )
    code, out, err = run(geometry, "model", "evidence", str(report), "--model", model)
    assert code == 0, err
    assert "below the bar" in out
    assert json.loads((canned / "santamerge.json").read_text())["fill_evidence"]["stubs"] == 30
    code, out, err = run(geometry, "fill", "--model", model, "--only", "norm", "geometry.py")
    assert code == 1 and out.startswith("--- a/geometry.py")
    assert "below the bar (exact 0% on 30 stubs)" in err
    assert geometry.read("geometry.py").decode() == GEOMETRY
    report.write_text(json.dumps({"repo": "/src/flask", "stubs": 30, "exact": 0.2, "model": model}))
    code, out, _ = run(geometry, "model", "evidence", str(report), "--model", model)
    assert code == 0 and "clears the bar" in out
    code, out, err = run(geometry, "fill", "--model", model, "--only", "norm", "geometry.py")
    assert code == 1 and out == "" and "filled Point.norm" in err
    assert GOOD in geometry.read("geometry.py").decode()
    code, out, err = run(geometry, "model", "evidence", str(report), "--model", "embedded")
    assert code == 2 and "measured the model" in err  # a report of another model


def test_junk_is_never_written_and_the_stub_stays_listed(canned: Path, geometry: Repo) -> None:
    (canned / "canned.json").write_text(
        json.dumps(["# Copyright 2020\n", '"""Fixeratibility."""\n', "aNg\n", "return None\n"])
    )
    model = f"canned:{canned}"
    code, out, err = run(geometry, "fill", "--model", model, "--write", "-n", "8", "geometry.py")
    assert code == 0 and out == "", err
    assert geometry.read("geometry.py").decode() == GEOMETRY
    assert (
        "Point.norm left as it is: none of the 8 sampled bodies passed the checks (does nothing x8)"
    ) in err
    assert "consensus" not in err
    code, out, _ = run(geometry, "fill", "--check", "geometry.py")
    assert code == 1 and "Point.norm is a stub" in out and "Point.area is a stub" in out


# -- the real embedded model, through the real command line ---------------------------


def fill(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANTAMERGE_AUTOSTART": "0"}  # load in process: no server left
    return subprocess.run(
        [sys.executable, "-m", "santamerge", "fill", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=env,
    )


def real_bodies(text: str) -> dict[str, list[ast.stmt]]:
    """Each function's statements after its docstring."""
    found = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body = body[1:]
            found[node.name] = body
    return found


def assert_does_something_with_defined_names(text: str, name: str) -> None:
    tree = ast.parse(text)
    module = (
        {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        | {
            a.asname or a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
        | {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    )
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)
    local = {a.arg for a in function.args.args} | {
        n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    read = {
        n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    assert read <= module | local | set(dir(builtins)), (name, read)
    body = real_bodies(text)[name]
    assert any(
        not isinstance(s, ast.Pass | ast.Import | ast.ImportFrom)
        and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant | ast.Name))
        and not (
            isinstance(s, ast.Return)
            and (s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None))
        )
        for s in body
    ), (name, ast.unparse(function))


def test_embedded_model_writes_no_junk_even_when_asked(geometry: Repo) -> None:
    """Asked to write (--write), the embedded model's bodies are written only where one
    survives the checks, and every stub left stays listed by --check."""
    done = fill(geometry, "--write", "-n", "8", "geometry.py")
    text = geometry.read("geometry.py").decode()
    before, after = real_bodies(GEOMETRY), real_bodies(text)
    kept = {
        name
        for name in ("norm", "area")
        if ast.dump(ast.Module(before[name], [])) == ast.dump(ast.Module(after[name], []))
    }
    for name in {"norm", "area"} - kept:
        assert_does_something_with_defined_names(text, name)  # (the area: a docstring)
    assert done.returncode == (0 if kept == {"norm", "area"} else 1), done.stderr
    for name in ("norm", "area"):
        line = next(line for line in done.stderr.splitlines() if f"Point.{name}" in line)
        assert re.search(r"(\b[1-8] of|none of the) 8 sampled bodies passed the checks", line), (
            done.stderr
        )
        assert "consensus" not in line and ("left as it is" in line) == (name in kept)
    check = fill(geometry, "--check", "geometry.py")
    assert {f"Point.{n}" for n in kept} == {
        line.split(": ")[1].split(" is a stub")[0] for line in check.stdout.splitlines()
    }


def test_embedded_model_has_no_evidence_so_fill_only_proposes(make_repo) -> None:  # type: ignore[no-untyped-def]
    """By default nothing is written; what --write then writes is exactly the proposal."""
    repo: Repo = make_repo("size")
    repo.commit({"README.md": "sizes\n"}, "start")
    repo.write("size.py", SIZE)
    proposed = fill(repo, "-n", "8", "size.py")
    assert repo.read("size.py").decode() == SIZE  # never written without evidence
    assert "size" in proposed.stderr and "of 8 sampled bodies" in proposed.stderr
    written = fill(repo, "--write", "-n", "8", "size.py")
    text = repo.read("size.py").decode()
    if proposed.returncode == 1:  # a body survived the checks (it does on the seed here)
        assert proposed.stdout.startswith("--- a/size.py\n+++ b/size.py\n")
        assert "nothing written" in proposed.stderr and "model 'embedded'" in proposed.stderr
        assert "no measured evidence" in proposed.stderr
        assert written.returncode == 1 and "filled size" in written.stderr
        assert text != SIZE and proposed.stdout == "".join(
            difflib.unified_diff(
                SIZE.splitlines(keepends=True),
                text.splitlines(keepends=True),
                "a/size.py",
                "b/size.py",
            )
        )
        assert_does_something_with_defined_names(text, "size")
    else:
        assert proposed.returncode == 0 and proposed.stdout == ""
        assert written.returncode == 0 and text == SIZE


def test_model_info_says_the_embedded_model_has_no_evidence(tmp_path: Path) -> None:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["model", "info", "--json"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["name"] == "embedded"
    assert facts["fill_evidence"].startswith("none recorded: `fill` proposes its bodies")

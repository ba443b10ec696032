"""The unused-import gate (issue 13): a merge that keeps an import whose last use is gone
is rejected; imports that are used, or that neither side uses, pass."""

from __future__ import annotations

import pytest
from conftest import Repo
from test_driver_git import conflict_markers

from santamerge.languages.profiles import language_for_path
from santamerge.merge.gates import check_candidate, check_together, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.policy import WORDS
from santamerge.merge.types import Candidate


def conflict(ours: str, base: str, theirs: str, before: str = "", after: str = "") -> str:
    return (
        f"{before}<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n{after}"
    )


def gate(path: str, text: str, merged: str) -> tuple[str, ...]:
    """The gates' reasons against ``merged`` as the first hunk's resolution (as a tree
    merge would write it)."""
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path), path)
    return check_candidate(baseline, Candidate(0, merged, "structured:tree"))


def unused(name: str, who: str = "our side uses it; their change removed its last use") -> str:
    return f"imports `{name}`, which nothing in the merged file uses ({who})"


# Each case: (path, ours, base, theirs, a merge that keeps ours' import but drops its
# use, a merge that keeps both). Ours adds an import and its use; theirs changes the use.
CASES = {
    "python": (
        "app.py",
        "import json\n\n\ndef f(x):\n    return json.dumps(x)\n",
        "\n\ndef f(x):\n    return str(x)\n",
        "import re\n\n\ndef f(x):\n    return re.escape(x)\n",
        "import json\nimport re\n\n\ndef f(x):\n    return re.escape(x)\n",
        "import json\nimport re\n\n\ndef f(x):\n    return re.escape(json.dumps(x))\n",
        "json",
    ),
    "python-from-alias": (
        "app.py",
        "from json import dumps as to_json\n\nF = to_json\n",
        "\nF = str\n",
        "import re\n\nF = re.escape\n",
        "from json import dumps as to_json\nimport re\n\nF = re.escape\n",
        "from json import dumps as to_json\nimport re\n\nF = [to_json, re]\n",
        "to_json",
    ),
    "java": (
        "App.java",
        "import java.util.List;\n\nclass App { List<String> names; }\n",
        "\nclass App { }\n",
        "import java.util.Map;\n\nclass App { Map<String, String> m; }\n",
        "import java.util.List;\nimport java.util.Map;\n\nclass App { Map<String, String> m; }\n",
        "import java.util.List;\nimport java.util.Map;\n\n"
        "class App { Map<String, List<String>> m; }\n",
        "List",
    ),
    "javascript": (
        "app.js",
        "import {parse as p} from 'yaml';\nexport const f = (s) => p(s);\n",
        "export const f = (s) => s;\n",
        "import * as ini from 'ini';\nexport const f = (s) => ini.parse(s);\n",
        "import {parse as p} from 'yaml';\nimport * as ini from 'ini';\n"
        "export const f = (s) => ini.parse(s);\n",
        "import {parse as p} from 'yaml';\nimport * as ini from 'ini';\n"
        "export const f = (s) => ini.parse(p(s));\n",
        "p",
    ),
    "javascript-require": (
        "app.js",
        "const yaml = require('yaml');\nmodule.exports = yaml.parse;\n",
        "module.exports = null;\n",
        "const ini = require('ini');\nmodule.exports = ini.parse;\n",
        "const yaml = require('yaml');\nconst ini = require('ini');\nmodule.exports = ini.parse;\n",
        "const yaml = require('yaml');\nconst ini = require('ini');\n"
        "module.exports = [ini.parse, yaml.parse];\n",
        "yaml",
    ),
    "typescript": (
        "app.ts",
        "import type { User } from './user';\nexport let u: User;\n",
        "export let u: unknown;\n",
        "import Team from './team';\nexport let u: Team;\n",
        "import type { User } from './user';\nimport Team from './team';\nexport let u: Team;\n",
        "import type { User } from './user';\nimport Team from './team';\n"
        "export let u: Team | User;\n",
        "User",
    ),
    "tsx": (
        "app.tsx",
        "import Button from './button';\nexport const A = () => <Button />;\n",
        "export const A = () => null;\n",
        "import Link from './link';\nexport const A = () => <Link />;\n",
        "import Button from './button';\nimport Link from './link';\n"
        "export const A = () => <Link />;\n",
        "import Button from './button';\nimport Link from './link';\n"
        "export const A = () => <Link><Button /></Link>;\n",
        "Button",
    ),
    "go": (
        "main.go",
        'import (\n\t"encoding/json"\n)\n\nvar f = json.Marshal\n',
        "\nvar f = 0\n",
        'import (\n\t"strings"\n)\n\nvar f = strings.ToUpper\n',
        'import (\n\t"encoding/json"\n\t"strings"\n)\n\nvar f = strings.ToUpper\n',
        'import (\n\t"encoding/json"\n\t"strings"\n)\n\nvar f, g = strings.ToUpper, json.Marshal\n',
        "json",
    ),
    "go-major-version": (
        "main.go",
        'import "example.com/yaml/v3"\n\nvar f = yaml.Marshal\n',
        "\nvar f = 0\n",
        'import "strings"\n\nvar f = strings.ToUpper\n',
        'import "example.com/yaml/v3"\nimport "strings"\n\nvar f = strings.ToUpper\n',
        'import "example.com/yaml/v3"\nimport "strings"\n\n'
        "var f = [2]any{strings.ToUpper, yaml.Marshal}\n",
        "yaml",
    ),
}
BEFORE = {"go": "package main\n\n"}


def case_text(case: str) -> tuple[str, str, str, str, str]:
    path, ours, base, theirs, dropped, kept, name = CASES[case]
    before = BEFORE.get(case.split("-")[0], "")
    return path, conflict(ours, base, theirs, before), dropped, kept, name


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_merge_that_keeps_an_import_without_its_use_is_rejected(case: str) -> None:
    path, text, dropped, _, name = case_text(case)
    assert gate(path, text, dropped) == (unused(name),)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_merge_that_uses_every_import_passes(case: str) -> None:
    path, text, _, kept, _ = case_text(case)
    assert gate(path, text, kept) == ()


def test_the_sides_themselves_pass() -> None:
    path, text, _, _, _ = case_text("python")
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path), path)
    hunk = parsed.hunks[0]
    assert check_candidate(baseline, Candidate(0, hunk.ours, "ours")) == ()
    assert check_candidate(baseline, Candidate(0, hunk.theirs, "theirs")) == ()


def test_their_side_is_named_when_it_used_the_name() -> None:
    text = conflict(
        "import re\n\nF = re.escape\n", "\nF = str\n", "import json\n\nF = json.dumps\n"
    )
    reasons = gate("app.py", text, "import re\nimport json\n\nF = re.escape\n")
    assert reasons == (unused("json", "their side uses it; our change removed its last use"),)


# -- what never counts: imports that neither side uses, and generous uses ---------------

PY_BODY = "\n\ndef f(x):\n    return re.escape(x)\n"
NEVER = {
    "side-effect": ("app.py", "import readline\nimport re\n"),
    "star": ("app.py", "from json import *\nimport re\n"),
    "underscore-alias": ("app.py", "import json as _\nimport re\n"),
    "init-reexport": ("pkg/__init__.py", "from .json import dumps\nimport re\n"),
    "go-blank": ("main.go", 'import _ "embed"\nimport "regexp"\n'),
    "go-dot": ("main.go", 'import . "strings"\nimport "regexp"\n'),
    "ts-export-from": ("app.ts", "export { a } from './a';\nimport re from 're';\n"),
    "js-side-effect": ("app.js", "import './polyfill';\nimport re from 're';\n"),
}


@pytest.mark.parametrize("case", sorted(NEVER))
def test_an_import_that_neither_side_uses_never_counts(case: str) -> None:
    path, merged = NEVER[case]
    first = merged.split("\n")[0] + "\n"
    body = {
        "main.go": "\nvar f = regexp.Compile\n",
        "app.ts": "\nexport const f = re;\n",
        "app.js": "\nexport const f = re;\n",
    }.get(path, PY_BODY)
    before = "package main\n\n" if path.endswith(".go") else ""
    text = conflict(first + body, body, merged[len(first) :] + body, before)
    assert gate(path, text, merged + body) == ()


GENEROUS = {
    "dunder-all": (
        "app.py",
        "import json\n\n\ndef f(x):\n    return json.dumps(x)\n",
        "import json\n\n__all__ = ['json']\n",
    ),
    "quoted-annotation": (
        "app.py",
        "from m import Foo\n\n\ndef f(x: Foo):\n    return x\n",
        "from m import Foo\n\n\ndef f(x: 'list[Foo] | None'):\n    return x\n",
    ),
    "type-comment": (
        "app.py",
        "from m import Foo\n\nx = Foo()\n",
        "from m import Foo\n\nx = []  # type: list[Foo]\n",
    ),
    "javadoc-link": (
        "App.java",
        "import a.Foo;\n\nclass App { Foo f; }\n",
        "import a.Foo;\n\n/** See {@link Foo}. */\nclass App { }\n",
    ),
    "jsx-react": (
        "app.jsx",
        "import React from 'react';\nexport const a = React.version;\n",
        "import React from 'react';\nexport const a = <div />;\n",
    ),
    "decorator": (
        "app.py",
        "from m import cached\n\nx = cached\n",
        "from m import cached\n\n\n@cached\ndef f():\n    pass\n",
    ),
}


@pytest.mark.parametrize("case", sorted(GENEROUS))
def test_generous_uses_count(case: str) -> None:
    path, ours, merged = GENEROUS[case]
    text = conflict(ours, "", "x = 1\n")
    assert gate(path, text, merged) == ()


def test_a_string_or_comment_that_merely_mentions_the_name_is_no_use() -> None:
    path, text, dropped, _, _ = case_text("python")
    for mention in (
        '\nMIME = "application/json"\n',
        "\n# json was here\n",
        '\nERROR = "invalid json"\n',
    ):
        assert gate(path, text, dropped + mention) == (unused("json"),)


def test_no_work_for_a_region_without_imports() -> None:
    text = conflict("x = 1\n", "x = 0\n", "x = 2\n", "import json\n", "\ny = json.dumps(x)\n")
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path("app.py"), "app.py")
    assert check_candidate(baseline, Candidate(0, "x = 3\n", "merged:words")) == ()
    assert baseline.memo is not None and not any(k.startswith("unused") for k in baseline.memo)


# -- the whole file: a choice in another hunk drops the use ----------------------------

TWO_HUNKS_BASE = "from util import *\nimport os\n\n\ndef show(x, y):\n    return json.dumps(x), y\n"
# ours makes the star import's `json` explicit; theirs adds `re` and stops using json
DROPPED = (
    TWO_HUNKS_BASE.replace("import os\n", "import os\nimport json\n").replace(
        "), y\n", "), str(y)\n"
    ),
    TWO_HUNKS_BASE.replace("import os\n", "import os\nimport re\n").replace(
        "json.dumps(x)", "repr(x)"
    ),
)
# the same, but theirs keeps using json
KEPT = (
    DROPPED[0],
    TWO_HUNKS_BASE.replace("import os\n", "import os\nimport re\n").replace(
        "json.dumps(x)", "json.dumps(x, indent=1)"
    ),
)


def two_hunks(theirs_body: str) -> str:
    return conflict(
        "import json\n",
        "",
        "import re\n",
        "from util import *\nimport os\n",
        "\n\ndef show(x, y):\n"
        + conflict(
            "    return json.dumps(x), str(y)\n", "    return json.dumps(x), y\n", theirs_body
        ),
    )


def test_check_together_blames_the_choice_that_holds_the_import() -> None:
    parsed = parse_conflicts(two_hunks("    return repr(x), y\n"))
    baseline = prepare_gates(parsed, language_for_path("app.py"), "app.py")
    union = Candidate(0, "import json\nimport re\n", "structured:union")
    words = Candidate(1, "    return repr(x), str(y)\n", "merged:words")
    # alone, the union passes: the other hunk's choice is not known
    assert check_candidate(baseline, union) == ()
    assert check_together(baseline, {0: union, 1: words}) == {0: (unused("json"),)}
    assert check_together(baseline, {0: union}) == {}  # hunk 1 left marked keeps its use


def test_propose_shows_the_union_withdrawn_with_its_reason() -> None:
    merged = run_pipeline(two_hunks("    return repr(x), y\n"), "app.py", policy=WORDS)
    first, second = merged.proposal.hunks
    assert first.chosen is None
    assert first.withdrawn == {"structured:union-unordered": (unused("json"),)}
    assert second.chosen is not None and second.chosen.method == "merged:words"


def test_the_driver_leaves_the_conflict_when_the_union_keeps_an_unused_import(repo: Repo) -> None:
    repo.git("config", "santamerge.policy", "words")
    ours, theirs = DROPPED
    result = repo.merge_branches({"app.py": TWO_HUNKS_BASE}, {"app.py": ours}, {"app.py": theirs})
    assert result.returncode != 0, result.stdout + result.stderr
    merged = repo.read("app.py")
    assert conflict_markers(merged)
    assert b"import json\n" in merged and b"import re\n" in merged


def test_the_driver_resolves_when_the_import_is_used(repo: Repo) -> None:
    repo.git("config", "santamerge.policy", "words")
    ours, theirs = KEPT
    result = repo.merge_branches({"app.py": TWO_HUNKS_BASE}, {"app.py": ours}, {"app.py": theirs})
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py").decode() == (
        "from util import *\nimport os\nimport json\nimport re\n\n\n"
        "def show(x, y):\n    return json.dumps(x, indent=1), str(y)\n"
    )


def test_python_package_init_files_are_left_alone() -> None:
    _, text, dropped, _, _ = case_text("python")
    assert gate("pkg/__init__.py", text, dropped) == ()
    assert gate("pkg/app.pyi", text, dropped) == ()


def test_an_underscore_name_is_never_checked() -> None:
    text = conflict(
        "from gettext import gettext as _\n\nF = _('x')\n",
        "\nF = 'x'\n",
        "import re\n\nF = re.escape('x')\n",
    )
    assert (
        gate("app.py", text, "from gettext import gettext as _\nimport re\n\nF = re.escape('x')\n")
        == ()
    )


@pytest.mark.parametrize(
    ("path", "use"),
    [
        ("example.com/api/core/v1", "v1.Pod"),
        ("example.com/yaml/v3", "yaml.Node"),
        ("gopkg.in/yaml.v3", "yaml.Node"),
        ("github.com/mattn/go-sqlite3", "sqlite3.Conn"),
    ],
)
def test_go_package_names_are_guessed_from_the_path(path: str, use: str) -> None:
    text = conflict(
        f'import "{path}"\n\nvar f {use}\n',
        "\nvar f int\n",
        'import "strings"\n\nvar f = strings.ToUpper\n',
        "package main\n\n",
    )
    both = f'import "{path}"\nimport "strings"\n\n'
    assert gate("main.go", text, both + "var f = strings.ToUpper\n") == (unused(use.split(".")[0]),)
    assert gate("main.go", text, both + f"var f, g = strings.ToUpper, {use}{{}}\n") == ()

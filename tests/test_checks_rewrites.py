"""Issue 24, items 2 and 3: rewrite detection (santamerge.merge.checks.rewrites) and the
diagnostics gate (santamerge.merge.checks.diagnostics), with real tree-sitter grammars,
pyflakes, and real `git merge` runs through the driver."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import Repo
from test_driver_git import conflict_markers

from santamerge.languages.profiles import language_for_path
from santamerge.merge.checks.diagnostics import pyflakes_messages
from santamerge.merge.checks.rewrites import block_patterns, render, rewrites, tokens
from santamerge.merge.gates import check_candidate, check_together, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.types import Candidate


def conflict(ours: str, base: str, theirs: str, before: str = "", after: str = "") -> str:
    return (
        f"{before}<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n{after}"
    )


def gate(path: str, text: str, merged: str, sides: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path), path, sides)
    return baseline, check_candidate(baseline, Candidate(0, merged, "structured:tree"))


# --- patterns --------------------------------------------------------------------


def pairs(old: str, new: str) -> list[tuple[str, str]]:
    flat = block_patterns(tokens(old), tokens(new))
    return [(render(flat[k]), render(flat[k + 1])) for k in range(0, len(flat), 2)]


def test_require_to_import_is_a_replacement_of_tokens() -> None:
    found = pairs("const fs = require('fs');", "import fs from 'fs';")
    assert ("= require(", "from") in found
    assert ("const", "import") in found


def test_a_quote_change_is_kept_by_the_quotes_only() -> None:
    assert pairs("x = f('a')", 'x = f("a")') == [("'…'", '"…"')]
    # another text in the same quotes is kept by its text: a module path moved
    assert pairs("x = f('a')", "x = f('b')") == [("'a'", "'b'")]


def test_a_trailing_comma_added_keeps_its_neighbours() -> None:
    found = pairs("f(\n    a\n)", "f(\n    a,\n)")
    assert found == [("x ⏎)", "x, ⏎)")]


# --- rewrites found on a side -------------------------------------------------------

BASE_JS = (
    "const a = require('a');\nconst b = require('b');\nconst c = require('c');\n\nrun(a, b, c);\n"
)
OURS_JS = "import a from 'a';\nimport b from 'b';\nimport c from 'c';\n\nrun(a, b, c);\n"


def js_merge(theirs_line: str, ours_js: str = OURS_JS, base_js: str = BASE_JS) -> str:
    ours_head, _, ours_rest = ours_js.partition("\n\n")
    base_head, _, _ = base_js.partition("\n\n")
    return conflict(
        ours_head + "\n",
        base_head + "\n",
        base_head + "\n" + theirs_line,
        after="\n" + ours_rest,
    )


def test_a_rewrite_in_three_places_is_systematic() -> None:
    text = js_merge("const d = require('d');\n")
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path("app.js"), "app.js")
    found = {(render(r.old), render(r.new)): (r.places, r.kind) for r in rewrites(baseline, "ours")}
    assert found[("= require(", "from")] == (3, "rewrite")
    assert rewrites(baseline, "theirs") == []


def test_two_places_are_not_a_systematic_rewrite() -> None:
    base = "const a = require('a');\nconst b = require('b');\n\nrun(a, b);\n"
    ours = "import a from 'a';\nimport b from 'b';\n\nrun(a, b);\n"
    baseline = prepare_gates(
        parse_conflicts(js_merge("const d = require('d');\n", ours, base)),
        language_for_path("app.js"),
        "app.js",
    )
    assert not [r for r in rewrites(baseline, "ours") if r.kind == "rewrite"]


def test_the_old_form_kept_elsewhere_by_the_side_is_no_rewrite() -> None:
    # ours moved three requires, and keeps four others: no systematic rewrite
    kept = "".join(f"const k{i} = require('k{i}');\n" for i in range(4))
    base = BASE_JS.replace("\n\n", "\n\n" + kept)
    ours = OURS_JS.replace("\n\n", "\n\n" + kept)
    baseline = prepare_gates(
        parse_conflicts(js_merge("const d = require('d');\n", ours, base)),
        language_for_path("app.js"),
        "app.js",
    )
    assert not any(render(r.old) == "= require(" for r in rewrites(baseline, "ours"))


def test_the_other_sides_line_in_the_old_form_is_refused_and_the_reason_names_it() -> None:
    text = js_merge("const d = require('d');\n")
    union = OURS_JS.partition("\n\n")[0] + "\nconst d = require('d');\n"
    _, reasons = gate("app.js", text, union)
    assert "ours rewrote `= require(` as `from` in 3 places" in reasons[0]
    assert "their lines here still have `= require(`" in reasons[0]


def test_the_other_sides_line_adapted_to_the_rewrite_passes() -> None:
    text = js_merge("import d from 'd';\n")
    union = OURS_JS.partition("\n\n")[0] + "\nimport d from 'd';\n"
    _, reasons = gate("app.js", text, union)
    assert reasons == ()


def test_one_sides_text_as_it_is_needs_no_rewrite_check() -> None:
    text = js_merge("const d = require('d');\n")
    theirs = parse_conflicts(text).hunks[0].theirs
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path("app.js"), "app.js")
    assert check_candidate(baseline, Candidate(0, theirs, "theirs")) == ()


def test_the_whole_sides_show_the_rewrite_in_gits_clean_lines() -> None:
    # ours renamed `load` in lines git merged cleanly; only the whole sides show it
    base = "def load(p):\n    return p\n\n\nX = load(1)\nY = load(2)\n\nZ = 0\n"
    ours = "def read(p):\n    return p\n\n\nX = read(1)\nY = read(2)\n\nZ = 1\n"
    theirs = "def load(p):\n    return p\n\n\nX = load(1)\nY = load(2)\n\nW = load(3)\nZ = 0\n"
    head = "def read(p):\n    return p\n\n\nX = read(1)\nY = read(2)\n\n"
    text = conflict("Z = 1\n", "Z = 0\n", "W = load(3)\nZ = 0\n", before=head)
    merged = "W = load(3)\nZ = 1\n"
    _, without = gate("app.py", text, merged)
    assert not any("renamed" in r for r in without)
    _, reasons = gate("app.py", text, merged, (ours, theirs))
    assert reasons[0].startswith("ours renamed `load` to `read` (")
    assert base  # the base is what both sides were made from


# --- diagnostics --------------------------------------------------------------------


def test_pyflakes_messages_are_read_by_kind_and_name() -> None:
    found = pyflakes_messages("import os\n\n\ndef f():\n    return g()\n", "app.py")
    assert found is not None
    assert {(k, n) for k, n, _ in found} == {("UnusedImport", "os"), ("UndefinedName", "g")}
    assert pyflakes_messages("def (:\n", "app.py") is None


PY_HEAD = "import re\n\n\ndef _slug(t):\n    return re.sub('x', '-', t)\n\n\n"


def test_python_a_new_undefined_name_is_refused() -> None:
    helper = "def _slug(t):\n    return t\n\n\n"
    use = "def a(x):\n    return _slug(x)\n"
    ours = "def a(x):\n    return x\n"  # ours removed the helper and its use
    theirs = helper + use + "\n\ndef b(x):\n    return _slug(x)\n"
    text = conflict(ours, helper + use, theirs)
    merged = ours + "\n\ndef b(x):\n    return _slug(x)\n"
    _, reasons = gate("app.py", text, merged)
    assert "uses the undefined name `_slug`, which neither side does (pyflakes)" in reasons
    # with the helper kept, the same merge passes
    _, fine = gate("app.py", text, helper + merged)
    assert not any("pyflakes" in r for r in fine)


def test_python_an_undefined_name_a_side_has_already_is_allowed() -> None:
    ours = "def a(x):\n    return missing(x)\n"
    theirs = "def a(x):\n    return x\n\n\ndef b(x):\n    return missing(x)\n"
    text = conflict(ours, "def a(x):\n    return x\n", theirs)
    merged = "def a(x):\n    return missing(x)\n\n\ndef b(x):\n    return missing(x)\n"
    _, reasons = gate("app.py", text, merged)
    assert reasons == ()


def test_python_an_import_outside_the_choices_left_unused_is_refused() -> None:
    # the import is in git's clean lines; each side uses it; a merge drops every use
    text = conflict(
        "def f():\n    return json.dumps(1)\n",
        "def f():\n    return json.dumps(2)\n",
        "def f():\n    return json.dumps(3)\n",
        before="import json\n\n\n",
    )
    baseline, _ = gate("app.py", text, "def f():\n    return json.dumps(1)\n")
    dropped = Candidate(0, "def f():\n    return str(1)\n", "merged:words")
    assert "imports `json`, which nothing uses, which neither side does (pyflakes)" in (
        check_candidate(baseline, dropped)
    )


def test_a_removed_function_still_called_is_refused_in_java_go_rust_typescript() -> None:
    cases = {
        "App.java": (
            "class App {\n    static int old() { return 1; }\n",
            "class App {\n",
            "    static int a() { return old(); }\n}\n",
        ),
        "app.go": (
            "package app\n\nfunc old() int { return 1 }\n",
            "package app\n",
            "func a() int { return old() }\n",
        ),
        "app.rs": ("fn old() -> i32 { 1 }\n", "", "fn a() -> i32 { old() }\n"),
        "app.ts": (
            "function old(): number { return 1; }\n",
            "",
            "function a(): number { return old(); }\n",
        ),
    }
    for path, (base_head, ours_head, added) in cases.items():
        text = conflict(ours_head, base_head, base_head + added)
        _, reasons = gate(path, text, ours_head + added)
        assert reasons == (
            "uses `old`, which ours removed or renamed; nothing in the merged file defines or "
            "imports it",
        ), path
        _, kept = gate(path, text, base_head + added)
        assert kept == () or path == "App.java", (path, kept)


def test_require_written_into_an_es_module_is_refused_unless_a_side_mixes() -> None:
    ours = "import a from 'a';\nimport b from 'b';\n\nexport default [a, b];\n"
    base = "const a = require('a');\nconst b = require('b');\n\nmodule.exports = [a, b];\n"
    theirs = base.replace("\n\n", "\nconst c = require('c');\n\n")
    merged = ours.replace("\n\n", "\nconst c = require('c');\n\n")
    _, reasons = gate("app.js", conflict(ours, base, theirs), merged)
    assert reasons == (
        "writes `require` into an ES module (the file imports with `import`), which neither "
        "side does",
    )
    # where ours itself mixes the two (createRequire), the mix is no refusal
    mixing = "import { createRequire } from 'module';\nconst x = require('x');\n"
    text = conflict(mixing + ours, mixing + base, mixing + theirs)
    _, fine = gate("app.js", text, mixing + merged)
    assert not any("ES module" in r for r in fine)


def test_check_together_blames_the_written_hunk() -> None:
    text = js_merge("const d = require('d');\n")
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path("app.js"), "app.js")
    union = OURS_JS.partition("\n\n")[0] + "\nconst d = require('d');\n"
    blamed = check_together(baseline, {0: Candidate(0, union, "structured:union")})
    assert list(blamed) == [0] and "= require(" in blamed[0][0]


def test_propose_shows_the_refusal_as_withdrawn() -> None:
    text = js_merge("const d = require('d');\n")
    merged = run_pipeline(text, "app.js", rank_all=False)
    (hunk,) = merged.proposal.hunks
    assert hunk.chosen is None
    assert any("= require(" in r for reasons in hunk.withdrawn.values() for r in reasons)


# --- real git merges through the driver ---------------------------------------------

JS_BASE = (
    "const fs = require('fs');\n"
    "const path = require('path');\n"
    "const util = require('util');\n"
    "\n"
    "function show(x) {\n"
    "  return util.inspect(x);\n"
    "}\n"
    "\n"
    "module.exports = { show };\n"
)
JS_OURS = (
    JS_BASE.replace("const fs = require('fs');", "import fs from 'fs';")
    .replace("const path = require('path');", "import path from 'path';")
    .replace("const util = require('util');", "import util from 'util';")
)
JS_THEIRS = JS_BASE.replace(
    "const util = require('util');\n", "const util = require('util');\nconst os = require('os');\n"
).replace(
    "module.exports = { show };",
    "function home() {\n  return os.homedir();\n}\n\nmodule.exports = { show };",
)


def _merge_tree(repo: Repo) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-tree", "main", "feature", "--json"],
        cwd=repo.root,
        capture_output=True,
        text=True,
    )
    result: dict = json.loads(done.stdout)  # type: ignore[type-arg]
    return result


def test_git_merge_leaves_a_missed_require_to_import_rewrite_a_conflict(repo: Repo) -> None:
    result = repo.merge_branches({"app.js": JS_BASE}, {"app.js": JS_OURS}, {"app.js": JS_THEIRS})
    assert result.returncode != 0, result.stdout + result.stderr
    merged = repo.read("app.js")
    assert conflict_markers(merged)
    assert b"const os = require('os');" in merged and b"import util from 'util';" in merged
    # merge-tree gives the same refusal, in words
    repo.git("merge", "--abort")
    (entry,) = [f for f in _merge_tree(repo)["files"] if f["path"] == "app.js"]
    assert entry["status"] == "conflicted"
    reasons = [r for h in entry["hunks"] for rs in h["withdrawn"].values() for r in rs]
    assert any("ours rewrote `= require(` as `from`" in r for r in reasons), reasons


PY_BASE = (
    "import re\n"
    "\n"
    "\n"
    "def _slugify(text):\n"
    "    return re.sub('[^a-z]+', '-', text)\n"
    "\n"
    "\n"
    "def article_url(a):\n"
    "    return '/a/' + _slugify(a.title)\n"
    "\n"
    "\n"
    "def tag_url(tag):\n"
    "    return '/t/' + tag.name\n"
)
PY_OURS = (
    "from app.text import slug\n"
    "\n"
    "\n"
    "def article_url(a):\n"
    "    return '/a/' + slug(a.title)\n"
    "\n"
    "\n"
    "def tag_url(tag, prefix='/t/'):\n"
    "    return prefix + tag.name\n"
)
PY_THEIRS = PY_BASE.replace(
    "\n\ndef tag_url",
    "\n\ndef author_url(a):\n    return '/u/' + _slugify(a.name)\n\n\ndef tag_url",
)


def test_git_merge_leaves_a_new_undefined_name_a_conflict(repo: Repo) -> None:
    result = repo.merge_branches({"app.py": PY_BASE}, {"app.py": PY_OURS}, {"app.py": PY_THEIRS})
    assert result.returncode != 0, result.stdout + result.stderr
    merged = repo.read("app.py")
    assert conflict_markers(merged)
    assert b"_slugify(a.name)" in merged
    repo.git("merge", "--abort")
    (entry,) = [f for f in _merge_tree(repo)["files"] if f["path"] == "app.py"]
    reasons = [r for h in entry["hunks"] for rs in h["withdrawn"].values() for r in rs]
    assert "uses the undefined name `_slugify`, which neither side does (pyflakes)" in reasons


def test_git_merge_writes_the_merge_when_the_new_code_is_adapted(repo: Repo) -> None:
    adapted = JS_THEIRS.replace("const", "let").replace("let os = require('os');", "")
    theirs = JS_BASE.replace(
        "module.exports = { show };",
        "function twice(x) {\n  return [x, x];\n}\n\nmodule.exports = { show };",
    )
    assert adapted  # theirs adds code that has nothing of the old form
    ours = JS_OURS.replace("function show(x) {", "function show(x = null) {")
    result = repo.merge_branches({"app.js": JS_BASE}, {"app.js": ours}, {"app.js": theirs})
    assert result.returncode == 0, result.stdout + result.stderr
    merged = repo.read("app.js").decode()
    assert "function twice(x)" in merged and "import util from 'util';" in merged


# --- a re-indented file ---------------------------------------------------------------


def _indented(body: list[str], indent: str) -> str:
    return "".join(f"{indent}{line}\n" if line else "\n" for line in body)


METHODS = ["int a() {", "    return 1;", "}", "", "int b() {", "    return 2;", "}"]


@pytest.mark.parametrize(("old", "new"), [("\t", "    "), ("    ", "\t")])
def test_a_side_that_re_indented_the_file_refuses_the_old_indent(old: str, new: str) -> None:
    """theirs re-indented the whole class; ours' new method keeps the old indent (in
    Python the compiler refuses mixed indents already; Java does not)."""
    head = "class K {\n"
    new_method = ["int c() {", "    return 3;", "}", ""]
    text = conflict(
        _indented(new_method + METHODS, old),
        _indented(METHODS, old),
        _indented(METHODS, new),
        head,
        "}\n",
    )
    sides = (
        head + _indented(new_method + METHODS, old) + "}\n",
        head + _indented(METHODS, new) + "}\n",
    )
    stale = _indented(new_method, old) + _indented(METHODS, new)
    _, reasons = gate("K.java", text, stale, sides)
    was = "tabs" if old == "\t" else "spaces"
    assert any("theirs re-indented the file" in r and f"start with {was}" in r for r in reasons)
    # ours' method in theirs' indent, as people commit it: no such reason
    _, fine = gate("K.java", text, _indented(new_method + METHODS, new), sides)
    assert not any("re-indented" in r for r in fine)

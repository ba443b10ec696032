"""Issue 24, items 4 to 6: file heads anchored, rendering fidelity, versions
(santamerge.merge.checks), through the gates with real tree-sitter, and through a real
``git merge`` that runs the driver."""

from __future__ import annotations

from conftest import Repo

from santamerge.languages.profiles import language_for_path
from santamerge.merge.checks.fidelity import rendering
from santamerge.merge.checks.heads import head_length
from santamerge.merge.checks.versions import hunk_conflict, versions
from santamerge.merge.gates import check_candidate, check_together, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.types import Candidate


def conflict(ours: str, base: str, theirs: str, before: str = "", after: str = "") -> str:
    return (
        f"{before}<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n{after}"
    )


def gate(path: str, text: str, merged: str) -> tuple[str, ...]:
    """The per-candidate gates' reasons against ``merged`` as the first hunk's text."""
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path), path)
    return check_candidate(baseline, Candidate(0, merged, "structured:tree"))


def together(path: str, text: str, merged: str) -> tuple[str, ...]:
    """The whole-file gates' reasons against ``merged`` as the first hunk's text."""
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path), path)
    return check_together(baseline, {0: Candidate(0, merged, "structured:tree")}).get(0, ())


# --- item 4: heads -------------------------------------------------------------------

PRAGMA = conflict(
    "// @vitest-environment jsdom\n",
    "",
    'import { b } from "./b";\n',
    after='import { a } from "./a";\n\ntest("x", () => {\n  a();\n  b();\n});\n',
)


def test_head_length_per_language() -> None:
    py = ["#!/usr/bin/env python", "# -*- coding: utf-8 -*-", '"""Doc', 'more."""', "", "import os"]
    assert head_length("python", py) == 4
    assert head_length("python", ["from __future__ import annotations", "", "x = 1"]) == 1
    java = ["/*", " * Licence", " */", "package a.b;", "", "import c.D;"]
    assert head_length("java", java) == 4
    assert head_length("javascript", ['"use strict";', "const a = 1;"]) == 1
    assert head_length("rust", ["#![allow(dead_code)]", "", "use std::fmt;"]) == 1
    assert head_length("python", ["import os", "# not a head"]) == 0


def test_an_import_above_a_test_pragma_is_refused() -> None:
    above = 'import { b } from "./b";\n// @vitest-environment jsdom\n'
    reasons = together("src/a.test.js", PRAGMA, above)
    assert any("above the file's head line `// @vitest-environment jsdom`" in r for r in reasons)
    assert gate("src/a.test.js", PRAGMA, above) == reasons
    below = '// @vitest-environment jsdom\nimport { b } from "./b";\n'
    assert together("src/a.test.js", PRAGMA, below) == ()


def test_an_import_above_a_future_import_and_a_docstring() -> None:
    text = conflict(
        "import sys\n", "", "from __future__ import annotations\n\n", after="import os\n"
    )
    assert any(
        "`from __future__ import annotations`" in r
        for r in gate("m.py", text, "import sys\nfrom __future__ import annotations\n\n")
    )
    assert gate("m.py", text, "from __future__ import annotations\n\nimport sys\n") == ()
    doc = conflict("import sys\n", "", '"""Tools."""\n\n', after="import os\n")
    assert gate("m.py", doc, 'import sys\n"""Tools."""\n\n')
    assert gate("m.py", doc, '"""Tools."""\n\nimport sys\n') == ()


def test_a_common_comment_line_below_is_not_a_moved_head() -> None:
    # both sides' bodies hold `*/`: a doc comment below the written head is no head line
    text = conflict(
        'import a from "a";\n',
        "",
        "/*\n * Licence\n */\n",
        after="\n/**\n * Doc.\n */\nexport function f() {\n  return a;\n}\n",
    )
    assert gate("m.js", text, '/*\n * Licence\n */\nimport a from "a";\n') == ()
    refused = gate("m.js", text, 'import a from "a";\n/*\n * Licence\n */\n')
    assert any("above the file's head line `/*`" in r for r in refused)


# --- item 5: rendering ---------------------------------------------------------------


def test_a_parenthesised_import_written_on_one_line_is_refused() -> None:
    text = conflict(
        "from x import (\n    a,\n    b,\n    c,\n)\n",
        "from x import (\n    a,\n    b,\n)\n",
        "from x import (\n    a,\n    b,\n    d,\n)\n",
        after="\nprint(a, b, c, d)\n",
    )
    joined = gate("m.py", text, "from x import a, b, c, d\n")
    assert "drops a `(` that both sides keep" in joined
    kept = "from x import (\n    a,\n    b,\n    c,\n    d,\n)\n"
    assert gate("m.py", text, kept) == ()


def test_line_breaks_no_side_has_are_refused() -> None:
    hunk = parse_conflicts(
        conflict("f(\n    a,\n    b,\n)\n", "f(\n    a,\n)\n", "f(\n    z,\n    a,\n)\n")
    ).hunks[0]
    why = rendering(hunk, "f(z, a, b,\n)\n", "")
    assert why == "joins lines that both sides keep apart"
    both = parse_conflicts(
        conflict(
            "f(\n    a,\n    b,\n    x,\n)\n",
            "f(\n    a,\n    b,\n)\n",
            "f(\n    a,\n    b,\n    y,\n)\n",
        )
    ).hunks[0]
    assert rendering(both, "f(\n    a, b,\n    x,\n    y,\n)\n", "") == (
        "joins lines between `,` and `b`, which no side does"
    )
    assert rendering(hunk, "f(\n    z,\n    a,\n    b,\n)\n", "") is None
    # ours' new item in theirs' re-formatted layout: each pair is as one side has it
    packed = parse_conflicts(
        conflict("g(a, b, c,\n  d,\n)\n", "g(a, b,\n  d,\n)\n", "g(\n  a,\n  b,\n  d,\n)\n")
    ).hunks[0]
    assert rendering(packed, "g(\n  a,\n  b,\n  c,\n  d,\n)\n", "") is None


def test_the_trailing_comma_style_a_side_introduced_is_kept() -> None:
    text = conflict(
        "  alpha,\n  beta,\n  gamma\n",
        "  alpha,\n  beta\n",
        "  alphaTwo,\n  beta,\n",
        before="call(\n",
        after=");\n",
    )
    reasons = together("a.js", text, "  alphaTwo,\n  beta,\n  gamma\n")
    assert any("trailing comma" in r for r in reasons)
    assert together("a.js", text, "  alphaTwo,\n  beta,\n  gamma,\n") == ()


# --- item 6: versions ----------------------------------------------------------------


def test_version_values_and_keys() -> None:
    found = versions('  "version": "1.2.3",\n  "left-pad": "^1.0.0"\n', manifest=True)
    assert list(found.values()) == [["1.2.3"], ["^1.0.0"]]
    assert versions("timeout = 1.5\n", manifest=False) == {}
    assert versions("VERSION = 1.5\n", manifest=False) != {}
    assert versions("HOST = '0.0.0.0'\n", manifest=False) != {}  # keyed, but one side only


def test_two_bumps_of_one_version_are_a_conflict() -> None:
    text = conflict('version = "1.2.4"\n', 'version = "1.2.3"\n', 'version = "1.3.0"\n')
    hunk = parse_conflicts(text).hunks[0]
    why = hunk_conflict(hunk, "Cargo.toml")
    assert (
        why == 'both sides change the version in `version="…"`: '
        "1.2.3 to 1.2.4 (ours) and to 1.3.0 (theirs)"
    )
    # whatever method wrote it: ours' text as it is, a digit-wise merge
    assert why in gate("Cargo.toml", text, 'version = "1.2.4"\n')
    assert why in together("Cargo.toml", text, 'version = "1.3.4"\n')
    one = conflict(
        'version = "1.2.4"\nname = "a"\n',
        'version = "1.2.3"\nname = "a"\n',
        'version = "1.2.3"\nname = "b"\n',
    )
    assert hunk_conflict(parse_conflicts(one).hunks[0], "Cargo.toml") is None


def test_both_add_one_dependency_with_other_versions() -> None:
    text = conflict('    "chalk": "^5.0.0",\n', "", '    "chalk": "^4.1.0",\n')
    why = hunk_conflict(parse_conflicts(text).hunks[0], "package.json")
    assert why is not None and "both sides add" in why


def test_a_file_without_a_grammar_is_checked_for_versions() -> None:
    text = conflict("requests==2.31.0\n", "requests==2.28.0\n", "requests==2.30.0\n")
    assert gate("requirements.txt", text, "requests==2.31.0\n")


# --- through git merge ---------------------------------------------------------------


def merged(repo: Repo, name: str, base: str, ours: str, theirs: str, policy: str) -> str:
    result = repo.merge_branches(
        {name: base}, {name: ours}, {name: theirs}, env={"SANTAMERGE_POLICY": policy}
    )
    text = repo.read(name).decode("utf-8")
    assert (result.returncode != 0) == ("<<<<<<< " in text)
    return text


def test_git_merge_keeps_a_test_pragma_first(repo: Repo) -> None:
    base = 'import { a } from "./a";\n\ntest("x", () => {\n  a();\n});\n'
    ours = "// @vitest-environment jsdom\n" + base
    theirs = 'import { b } from "./b";\n' + base.replace("  a();\n", "  a();\n  b();\n")
    text = merged(repo, "src/x.test.js", base, ours, theirs, "conservative")
    assert text.startswith("<<<<<<< ")  # main wrote the import above the pragma
    assert "// @vitest-environment jsdom\n" in text


def test_git_merge_keeps_a_trailing_comma_style(repo: Repo) -> None:
    base = "call(\n  alpha,\n  beta\n);\n"
    ours = "call(\n  alpha,\n  beta,\n  gamma\n);\n"
    theirs = "call(\n  alphaTwo,\n  beta,\n);\n"
    text = merged(repo, "src/x.js", base, ours, theirs, "words")
    assert "<<<<<<< " in text  # main wrote `gamma` without theirs' trailing comma


def test_git_merge_leaves_two_version_bumps(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo("versions")
    repo.install_driver(["*.json"])
    base = '{\n  "name": "demo",\n  "version": "2.3.1",\n  "private": true\n}\n'
    text = merged(
        repo,
        "package.json",
        base,
        base.replace("2.3.1", "3.0.1"),
        base.replace("2.3.1", "2.3.2"),
        "words",
    )
    assert '"version": "3.0.1"' in text and '"version": "2.3.2"' in text  # main wrote 3.0.2

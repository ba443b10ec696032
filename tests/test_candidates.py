"""Deterministic candidates, the structured union, the gates and the ranking,
on real tree-sitter grammars."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import git_merge_file

from santamerge.languages.profiles import language_for_path
from santamerge.merge.candidates import build_candidates
from santamerge.merge.gates import check_candidate, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.pipeline import run_pipeline
from santamerge.merge.ranking.policy import CONSERVATIVE, NEVER, POLICIES, UNION, WORDS
from santamerge.merge.ranking.rank import change_kept
from santamerge.merge.structured.words import merge3, merge_words
from santamerge.merge.types import Candidate

UNIONS = {"structured:union", "structured:union-unordered"}


def hunk_text(ours: str, base: str, theirs: str, before: str = "", after: str = "") -> str:
    return (
        f"{before}<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}>>>>>>> theirs\n{after}"
    )


def candidates(text: str, path: str) -> dict[str, str]:
    parsed = parse_conflicts(text)
    found = build_candidates(parsed, parsed.hunks[0], language_for_path(path))
    return {c.method: c.text for c in found}


def test_merge3_takes_both_disjoint_edits_and_refuses_overlaps() -> None:
    assert merge3("abcde", "aXcde", "abcdY") == list("aXcdY")
    assert merge3("abc", "aXc", "aYc") is None
    assert merge3("abc", "aXc", "aXc") == list("aXc")
    assert merge_words("f(a, b)\n", "g(a, b)\n", "f(a, c)\n") == "g(a, c)\n"
    assert merge_words("", "a\n", "b\n") is None  # two insertions at one place


@pytest.mark.parametrize(
    ("path", "before", "ours", "theirs", "union"),
    [
        ("a.py", "import os\n", "import json\n", "import re\n", "import json\nimport re\n"),
        ("A.java", "import a.B;\n", "import a.C;\n", "import a.D;\n", "import a.C;\nimport a.D;\n"),
        (
            "a.js",
            "import a from 'a';\n",
            "import b from 'b';\n",
            "import c from 'c';\n",
            "import b from 'b';\nimport c from 'c';\n",
        ),
        (
            "a.rs",
            "use std::io;\n",
            "use std::fs;\n",
            "use std::env;\n",
            "use std::fs;\nuse std::env;\n",
        ),
    ],
)
def test_union_of_added_imports(path: str, before: str, ours: str, theirs: str, union: str) -> None:
    """Both sides added a different import at one place, and nothing shows their order:
    the union is offered as unordered; the default leaves the hunk, ``union`` writes it."""
    text = hunk_text(ours, "", theirs, before=before)
    found = candidates(text, path)
    assert found["structured:union-unordered"] == union
    assert "structured:union" not in found
    (hunk,) = run_pipeline(text, path).proposal.hunks
    assert hunk.chosen is None
    assert {c.method: c.text for c in hunk.candidates}["structured:union-unordered"] == union
    (hunk,) = run_pipeline(text, path, policy=UNION).proposal.hunks
    assert hunk.chosen is not None
    assert (hunk.chosen.method, hunk.chosen.text) == ("structured:union-unordered", union)


def test_union_in_the_order_the_file_shows_is_ordered() -> None:
    """Sorted insertion, or one side's additions holding the other's: ``structured:union``."""
    sorted_group = hunk_text(
        "import b\n", "", "import d\n", before="import a\n", after="import e\n"
    )
    found = candidates(sorted_group, "a.py")
    assert found["structured:union"] == "import b\nimport d\n"
    assert "structured:union-unordered" not in found
    held = hunk_text("import re\n", "", "import re\nimport csv\n", before="import os\n")
    found = candidates(held, "a.py")
    assert found["structured:union"] == "import re\nimport csv\n"
    assert "structured:union-unordered" not in found


def test_union_keeps_one_copy_of_what_both_added() -> None:
    text = hunk_text(
        "import json\nimport re\n", "", "import re\nimport csv\n", before="import os\n"
    )
    assert candidates(text, "a.py")["structured:union-unordered"] == (
        "import json\nimport re\nimport csv\n"
    )


def test_union_of_methods_inside_a_class() -> None:
    before = "class A:\n    def a(self):\n        return 1\n"
    ours = "\n    def b(self):\n        return 2\n"
    theirs = "\n    def c(self):\n        return 3\n"
    found = candidates(hunk_text(ours, "", theirs, before=before), "a.py")
    assert found["structured:union-unordered"] == ours + theirs


def test_union_refuses_statements_that_are_not_order_free() -> None:
    text = hunk_text("x = 1\n", "", "x = 2\n", before="import os\n")
    assert not UNIONS & candidates(text, "a.py").keys()


def test_union_refuses_edits_to_the_base() -> None:
    text = hunk_text("import json\n", "import os\n", "import re\n")
    assert not UNIONS & candidates(text, "a.py").keys()


def test_union_takes_whole_lines_only() -> None:
    text = hunk_text("import json\n", "\n", "import re\n")  # each side replaced a blank line
    assert not UNIONS & candidates(text, "a.py").keys()


def test_union_after_common_base_lines() -> None:
    text = hunk_text("import os\nimport json\n", "import os\n", "import os\nimport re\n")
    assert candidates(text, "a.py")["structured:union-unordered"] == (
        "import os\nimport json\nimport re\n"
    )


def test_trivial_candidates_and_dedupe() -> None:
    found = candidates(hunk_text("a = 1\n", "a = 0\n", "a = 2\n"), "a.py")
    assert found == {
        "ours": "a = 1\n",
        "theirs": "a = 2\n",
        "ours+theirs": "a = 1\na = 2\n",
        "theirs+ours": "a = 2\na = 1\n",
        "base": "a = 0\n",
    }


def gate(text: str, path: str, method: str) -> tuple[str, ...]:
    parsed = parse_conflicts(text)
    baseline = prepare_gates(parsed, language_for_path(path))
    (candidate,) = [
        c for c in build_candidates(parsed, parsed.hunks[0], baseline.profile) if c.method == method
    ]
    return check_candidate(baseline, candidate)


def test_gate_rejects_new_syntax_errors() -> None:
    text = hunk_text("else:\n    a()\n", "", "elif y:\n    b()\n", before="if x:\n    pass\n")
    assert gate(text, "a.py", "theirs+ours") == ()
    assert any("does not parse" in r for r in gate(text, "a.py", "ours+theirs"))


def test_gate_rejects_duplicate_definitions() -> None:
    text = hunk_text(
        "\ndef f():\n    return 1\n", "", "\ndef f():\n    return 2\n", before="import os\n"
    )
    reasons = gate(text, "a.py", "structured:union-unordered")
    assert reasons == ("defines f twice, which neither side does",)


def test_gate_rejects_markers() -> None:
    parsed = parse_conflicts(hunk_text("a\n", "", "b\n"))
    baseline = prepare_gates(parsed, language_for_path("a.py"))
    assert check_candidate(baseline, Candidate(0, "<<<<<<< x\n", "ours")) == (
        "contains conflict markers",
    )


def test_gate_allows_what_the_sides_already_have() -> None:
    before = "def f(:\n"  # both sides are already broken the same way
    text = hunk_text("a = 1\n", "a = 0\n", "a = 2\n", before=before)
    assert gate(text, "a.py", "ours") == ()


def test_change_kept() -> None:
    assert change_kept("a = 0\n", "a = 1\n", "a = 1\n") == 1.0
    assert change_kept("a = 0\n", "a = 1\n", "a = 0\n") < 0.9
    assert change_kept("a = 0\n", "a = 0\n", "b\n") == 1.0  # no change to keep
    assert change_kept(None, "x\n", "x\n") == 1.0
    # edits to different words of one line: the word merge keeps both, each side one
    assert change_kept("f(a, b)\n", "g(a, b)\n", "g(a, c)\n") == 1.0
    assert change_kept("f(a, b)\n", "f(a, c)\n", "g(a, c)\n") == 1.0
    assert change_kept("f(a, b)\n", "f(a, c)\n", "g(a, b)\n") == 0.0
    # a rival edit of the same token keeps nothing of the other side's edit
    assert change_kept("R = 3\n", "R = 0\n", "R = 5\n") == 0.0


def test_concatenations_of_rival_edits_are_marked() -> None:
    (hunk,) = run_pipeline(hunk_text("R = 5\n", "R = 3\n", "R = 0\n"), "a.py").proposal.hunks
    by_method = {s.candidate.method: s for s in hunk.ranked}
    assert "holds both sides' versions of 1 line(s) both edited" in by_method["ours+theirs"].reasons
    assert hunk.ranked[0].candidate.method == "ours"
    assert by_method["ours+theirs"].score < by_method["theirs"].score


def test_ranking_puts_the_word_merge_first_and_reasons_every_candidate() -> None:
    text = hunk_text("x = g(a, b)\n", "x = f(a, b)\n", "x = f(a, c)\n")
    (hunk,) = run_pipeline(text, "a.py").proposal.hunks
    top = hunk.ranked[0]
    assert top.candidate.method == "merged:words"
    assert top.keeps_ours > 0.9 and top.keeps_theirs > 0.9
    assert all(s.reasons for s in hunk.ranked)
    assert [s.score for s in hunk.ranked] == sorted((s.score for s in hunk.ranked), reverse=True)


def test_rejected_candidates_rank_last_with_their_reasons() -> None:
    text = hunk_text(
        "\ndef f():\n    return 1\n", "", "\ndef f():\n    return 2\n", before="import os\n"
    )
    (hunk,) = run_pipeline(text, "a.py", policy=UNION).proposal.hunks  # would write a union
    rejected = [s for s in hunk.ranked if s.rejected]
    assert rejected and hunk.ranked[-len(rejected) :] == tuple(rejected)
    assert all(s.score == 0.0 for s in rejected)
    assert hunk.chosen is None


def test_policies() -> None:
    words = hunk_text("x = g(a, b)\n", "x = f(a, b)\n", "x = f(a, c)\n")
    imports = hunk_text("import json\n", "", "import re\n", before="import os\n")
    sorted_imports = hunk_text(
        "import b\n", "", "import d\n", before="import a\n", after="import e\n"
    )
    assert run_pipeline(words, "a.py", policy=CONSERVATIVE).proposal.hunks[0].chosen is None
    assert run_pipeline(words, "a.py", policy=UNION).proposal.hunks[0].chosen is None
    chosen = run_pipeline(words, "a.py", policy=WORDS).proposal.hunks[0].chosen
    assert chosen is not None and chosen.method == "merged:words"
    for policy in (CONSERVATIVE, WORDS, UNION):
        chosen = run_pipeline(sorted_imports, "a.py", policy=policy).proposal.hunks[0].chosen
        assert chosen is not None and chosen.method == "structured:union"
    # both sides added at one place in no order the file shows: offered, not written
    assert run_pipeline(imports, "a.py", policy=CONSERVATIVE).proposal.hunks[0].chosen is None
    for policy in (WORDS, UNION):
        chosen = run_pipeline(imports, "a.py", policy=policy).proposal.hunks[0].chosen
        assert chosen is not None and chosen.method == "structured:union-unordered"
    assert run_pipeline(imports, "a.py", policy=NEVER).proposal.hunks[0].chosen is None
    assert run_pipeline(sorted_imports, "a.py", policy=NEVER).proposal.hunks[0].chosen is None


def test_unknown_language_gets_no_structured_candidate() -> None:
    imports = hunk_text("import json\n", "", "import re\n", before="import os\n")
    (hunk,) = run_pipeline(imports, "notes.txt").proposal.hunks
    assert not UNIONS & {s.candidate.method for s in hunk.ranked}
    assert hunk.chosen is None


@pytest.mark.parametrize(
    "text",
    [
        hunk_text("x = g(a, b)\n", "x = f(a, b)\n", "x = f(a, c)\n"),
        hunk_text("import json\n", "", "import re\n", before="import os\n"),
        hunk_text(
            "\ndef f():\n    return 1\n", "", "\ndef f():\n    return 2\n", before="import os\n"
        ),
    ],
)
@pytest.mark.parametrize("policy", [CONSERVATIVE, WORDS, NEVER], ids=lambda p: p.name)
def test_driver_path_decides_what_propose_says(text: str, policy: object) -> None:
    full = run_pipeline(text, "a.py", policy=policy).proposal  # type: ignore[arg-type]
    fast = run_pipeline(
        text,
        "a.py",
        policy=policy,  # type: ignore[arg-type]
        rank_all=False,
    ).proposal
    assert [h.chosen for h in fast.hunks] == [h.chosen for h in full.hunks]
    assert all(h.ranked == () for h in fast.hunks)
    assert {c.method for c in fast.hunks[0].candidates} == {
        s.candidate.method for s in full.hunks[0].ranked
    }


@pytest.mark.parametrize("path", ["a.py", "A.java", "a.js", "a.go", "a.rs"])
def test_incremental_parse_of_candidates_equals_a_fresh_parse(path: str) -> None:
    """One choice, and several at once (each edit shifts the ones after it)."""
    from santamerge import treesitter
    from santamerge.merge.gates import spliced_tree

    body = "def f():\n    return (1\n" if path == "a.py" else "int f() { return (1; }\n"
    one = hunk_text(body, "", "x = 2\n", before="// head\n# head\n", after="tail = 3\n")
    two = hunk_text("a = 1\nb = 2\n", "a = 0\n", "c = 3\n", after="\nmid = 4\n")
    parsed = parse_conflicts(one + two + hunk_text("y = 1\n", "", "", after="end = 5\n"))
    baseline = prepare_gates(parsed, language_for_path(path))
    assert baseline.profile is not None
    options = [build_candidates(parsed, h, baseline.profile) for h in parsed.hunks]
    for k, candidate in enumerate(options[0]):
        for chosen in (
            {0: candidate},
            {h: opts[(k + h) % len(opts)] for h, opts in enumerate(options)},
        ):
            data, edited, regions = spliced_tree(baseline, chosen)
            assert data.decode() == parsed.splice({i: c.text for i, c in chosen.items()})
            fresh = treesitter.parse(baseline.profile, data.decode())
            assert str(edited.root_node) == str(fresh.root_node), chosen
            assert [data[r.start : r.end].decode() for r in regions] == [
                c.text for _, c in sorted(chosen.items())
            ]


@pytest.mark.parametrize(
    ("path", "before", "ours", "theirs", "verdict"),
    [
        ("a.py", "import os\n", "from a import x\n", "from b import x\n", "defines x twice"),
        ("a.py", "import os\n", "from a import x\n", "from b import y\n", None),
        ("A.java", "class A {\n", "  void f(int a) {}\n", "  void f(String a) {}\n", None),
        (
            "A.java",
            "class A {\n",
            "  void f(int a) {}\n",
            "  void f(int b) {}\n",
            "defines A.f(int) twice",
        ),
        ("a.go", "package a\n", "func (a A) S() {}\n", "func (b B) S() {}\n", None),
        ("a.go", "package a\n", "func (a A) S() {}\n", "func (b *A) S() {}\n", "defines A.S twice"),
    ],
)
def test_duplicate_gate_knows_imports_overloads_and_receivers(
    path: str, before: str, ours: str, theirs: str, verdict: str | None
) -> None:
    after = "}\n" if path.endswith(".java") else ""
    reasons = gate(
        hunk_text(ours, "", theirs, before=before, after=after), path, "structured:union-unordered"
    )
    assert reasons == ((f"{verdict}, which neither side does",) if verdict else ())


EXAMPLES = sorted(Path(__file__).parent.glob("examples/*/*/Base.*"))


@pytest.mark.parametrize("base", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_region_duplicate_check_equals_a_whole_file_check(base: Path) -> None:
    """The gate queries only the candidates' regions; it must find what a whole-file
    query finds, for each candidate alone and for the first of each hunk together."""
    from santamerge import treesitter
    from santamerge.merge.gates import _new_duplicates, _repeated, spliced_tree
    from santamerge.syntax.bindings import bound_names

    ext = base.suffix
    sides = [base.with_name(f"{n}{ext}") for n in ("Base", "Ours", "Theirs")]
    merged = git_merge_file(base.parent, names=[s.name for s in sides]).stdout.decode()
    parsed = parse_conflicts(merged)
    profile = language_for_path(f"x{ext}")
    assert profile is not None
    baseline = prepare_gates(parsed, profile)
    options = {h.index: build_candidates(parsed, h, profile) for h in parsed.hunks}
    choices = [{h: c} for h, opts in options.items() for c in opts]
    choices.append({h: opts[0] for h, opts in options.items()})
    for chosen in choices:
        data, tree, regions = spliced_tree(baseline, chosen)
        fresh = treesitter.parse(profile, data.decode())
        whole = _repeated(bound_names(profile, fresh).values()) - baseline.allowed_duplicates
        assert {key for _, key in _new_duplicates(baseline, tree, regions)} == whole, chosen


def test_two_candidates_of_one_method_keep_separate_verdicts() -> None:
    """Two samples of one model strategy: each is gated, ranked, withdrawn and recorded
    under its own key, never under the other's."""
    from types import SimpleNamespace

    from santamerge.merge.pipeline import settle
    from santamerge.merge.ranking.rank import rank_candidates
    from santamerge.merge.record import hunk_record
    from santamerge.merge.types import HunkProposal

    parsed = parse_conflicts(hunk_text("x = 1\n", "x = 0\n", "x = 2\n", before="y = 0\n"))
    baseline = prepare_gates(parsed, language_for_path("a.py"))
    broken = Candidate(0, "x = (\n", "model:fim")
    fine = Candidate(0, "x = 3\n", "model:fim", sample=1)
    assert (broken.key, fine.key) == ("model:fim", "model:fim#1")
    gated = {c.key: check_candidate(baseline, c) for c in (broken, fine)}
    assert gated["model:fim"] and gated["model:fim#1"] == ()
    ranked = rank_candidates(parsed.hunks[0], (broken, fine), gated)
    assert [(s.candidate, bool(s.rejected)) for s in ranked] == [(fine, False), (broken, True)]
    # the whole-file gates withdraw the first offer and write the second
    chosen, withdrawn = settle(
        SimpleNamespace(baseline=baseline),  # type: ignore[arg-type]
        {0: (broken, fine)},
    )
    assert chosen == {0: fine} and set(withdrawn[0]) == {"model:fim"}
    h = HunkProposal(
        parsed.hunks[0],
        (broken, fine),
        {**withdrawn[0], fine.key: ()},
        (),
        fine,
        "test",
        withdrawn[0],
    )
    assert [c.accepted for c in hunk_record(h).candidates] == [False, True]


def test_the_method_table_orders_and_names_every_method_once() -> None:
    from santamerge.merge.ranking import methods

    assert methods.DETERMINISTIC == (
        "structured:union",
        "structured:union-unordered",
        "structured:tree",
        "structured:tree-unordered",
        "merged:words",
        "ours",
        "theirs",
        "ours+theirs",
        "theirs+ours",
        "base",
    )
    orders = [m.order for m in methods.TABLE]
    assert orders == sorted(orders) and len(methods.METHODS) == len(methods.TABLE)
    # each deterministic method has an order of its own; the model's middles share the last
    assert orders[: len(methods.DETERMINISTIC)] == list(range(len(methods.DETERMINISTIC)))
    assert CONSERVATIVE.methods == {"structured:union", "structured:tree"}
    assert WORDS.methods == {
        "structured:union",
        "structured:union-unordered",
        "structured:tree",
        "structured:tree-unordered",
        "merged:words",
    }
    assert POLICIES["union"].methods == {"structured:union", "structured:union-unordered"}
    assert not NEVER.methods
    assert all(m.sees for m in methods.TABLE if m.name.startswith("model:"))
    assert methods.feature("model:anything") == "m_model"
    assert methods.order("new") == methods.LAST == 10
    assert {m.order for m in methods.TABLE if m.name.startswith("model:")} == {methods.LAST}


def test_sorted_insertion_follows_the_one_rule_the_groups_show() -> None:
    from santamerge.merge.structured.union import _in_sorted_order

    exact_only = [["import B", "import a"], ["import B", "import a"]]
    assert _in_sorted_order(["import a2\n", "import B2\n"], exact_only) == [
        "import B2\n",
        "import a2\n",
    ]
    both = [["import a", "import c"], ["import a", "import c"]]
    assert _in_sorted_order(["import z\n", "import b\n"], both) == ["import b\n", "import z\n"]
    # The two rules would order these differently: no evidence which one the file keeps.
    assert _in_sorted_order(["import a2\n", "import B\n"], both) is None
    assert _in_sorted_order(["import z\n", "import b\n"], [["import c", "import a"]] * 2) is None
    assert _in_sorted_order(["# why\nimport z\n", "import b\n"], both) is None
    assert _in_sorted_order(["import z\n", "import b\n"], None) is None


def test_no_word_merge_of_a_huge_side() -> None:
    """A hunk in a minified bundle (one line of tens of thousands of tokens) gets no word
    merge: the matcher's time grows with the square of the tokens (77 s for one hunk)."""
    from santamerge.merge.structured.words import MAX_TOKENS

    line = ",".join(f"a{i}" for i in range(MAX_TOKENS))
    started = time.perf_counter()
    assert merge_words(line, line.replace("a1,", "b1,", 1), line + ",z") is None
    assert time.perf_counter() - started < 5
    assert merge_words("a, b, c", "x, b, c", "a, b, y") == "x, b, y"

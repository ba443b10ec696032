"""The query files under ``grammars/``: they compile, and they find what the fixtures hold.

Each profile has a fixture ``tests/fixtures/languages/<profile>/sample.<ext>`` and an
``expected.json`` with the sorted ``@name`` texts of its definitions, its number of
``@import`` nodes, the sorted names its imports bind (``import_names``), its definitions
that have a ``@scope`` as ``"<scopes joined by '.'>::<name>"`` (``scoped``) and, where a
language has overloads, its definitions that have ``@params`` as
``"<name>(<@signature texts joined by ','>)"`` (``signatures``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from santamerge import treesitter
from santamerge.languages.profiles import PROFILES, LanguageProfile
from santamerge.syntax.nodes import count_errors

if TYPE_CHECKING:
    from tree_sitter import Node

FIXTURES = Path(__file__).parent / "fixtures" / "languages"
GRAMMARS = Path(__file__).parent.parent / "grammars"
REQUIRED = {"code": ("definitions", "imports"), "config": ("definitions",)}

QUERIES = [(p, name) for p in PROFILES for name in treesitter.query_names(p)]
QUERY_IDS = [f"{p.name}-{name}" for p, name in QUERIES]
PROFILE_IDS = [p.name for p in PROFILES]


def _fixture(profile: LanguageProfile) -> tuple[Node, dict[str, Any]]:
    folder = FIXTURES / profile.name
    samples = sorted(folder.glob("sample.*"))
    assert len(samples) == 1, f"expected one sample file in {folder}"
    assert samples[0].suffix in profile.extensions
    tree = treesitter.parse(profile, samples[0].read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return tree.root_node, expected


def _captured(profile: LanguageProfile, name: str, capture: str, root: Node) -> list[Node]:
    q = treesitter.query(profile, name)
    assert q is not None
    nodes = treesitter.captures(q, root).get(capture, [])
    return list({n.id: n for n in nodes}.values())


def _matches(profile: LanguageProfile, name: str, root: Node) -> list[dict[str, list[Node]]]:
    q = treesitter.query(profile, name)
    assert q is not None
    return treesitter.matches(q, root)


def _text(nodes: list[Node]) -> str:
    (node,) = nodes
    return treesitter.node_text(node)


@pytest.mark.parametrize(("profile", "name"), QUERIES, ids=QUERY_IDS)
def test_query_compiles(profile: LanguageProfile, name: str) -> None:
    assert treesitter.query(profile, name) is not None


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_profile_has_required_queries(profile: LanguageProfile) -> None:
    names = treesitter.query_names(profile)
    assert [n for n in REQUIRED[profile.kind] if n not in names] == []


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_fixture_parses_cleanly(profile: LanguageProfile) -> None:
    root, _ = _fixture(profile)
    assert count_errors(root) == 0


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_fixture_definitions(profile: LanguageProfile) -> None:
    root, expected = _fixture(profile)
    names = _captured(profile, "definitions", "name", root)
    assert sorted(treesitter.node_text(n) for n in names) == expected["definitions"]


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_fixture_imports(profile: LanguageProfile) -> None:
    root, expected = _fixture(profile)
    if profile.kind == "config":  # keys only: nothing is imported
        assert treesitter.query(profile, "imports") is None and expected["imports"] == 0
        return
    assert len(_captured(profile, "imports", "import", root)) == expected["imports"]


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_fixture_import_names(profile: LanguageProfile) -> None:
    root, expected = _fixture(profile)
    if profile.kind == "config":
        assert expected["import_names"] == []
        return
    names: dict[int, Node] = {}
    for match in _matches(profile, "imports", root):
        if not match.get("name"):
            continue
        (imp,) = match.get("import", [])  # every @name comes with exactly one @import
        for node in match["name"]:
            assert imp.start_byte <= node.start_byte and node.end_byte <= imp.end_byte
            assert node.id not in names, f"{_text([node])} is bound by two matches"
            names[node.id] = node
    assert sorted(_text([n]) for n in names.values()) == expected["import_names"]


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_fixture_scopes_and_signatures(profile: LanguageProfile) -> None:
    root, expected = _fixture(profile)
    matches = _matches(profile, "definitions", root)
    assert all(len(m.get("name", [])) == 1 for m in matches)
    scoped = [
        f"{'.'.join(_text([s]) for s in m['scope'])}::{_text(m['name'])}"
        for m in matches
        if m.get("scope")
    ]
    assert sorted(scoped) == expected["scoped"]
    signatures = [
        f"{_text(m['name'])}({','.join(_text([s]) for s in m.get('signature', []))})"
        for m in matches
        if m.get("params")
    ]
    assert sorted(signatures) == expected.get("signatures", [])
    # A definition with a scope or a signature is matched by that pattern only.
    rich = {m["name"][0].id for m in matches if m.get("scope") or m.get("params")}
    seen = [m["name"][0].id for m in matches if m["name"][0].id in rich]
    assert len(seen) == len(rich)


def _misplaced_fixture(profile: LanguageProfile) -> Node | None:
    """``misplaced.<ext>``: statements where the language forbids them (the sample files
    are valid code, where misplaced.scm must find nothing)."""
    found = sorted((FIXTURES / profile.name).glob("[Mm]isplaced.*"))
    if not found:
        return None
    return treesitter.parse(profile, found[0].read_text(encoding="utf-8")).root_node


@pytest.mark.parametrize(("profile", "name"), QUERIES, ids=QUERY_IDS)
def test_query_exercised_by_fixture(profile: LanguageProfile, name: str) -> None:
    root, _ = _fixture(profile)
    if name == "misplaced":
        misplaced = _misplaced_fixture(profile)
        assert misplaced is not None
        root = misplaced
    q = treesitter.query(profile, name)
    assert q is not None
    assert any(treesitter.captures(q, root).values()), f"{name}.scm found nothing"


def test_every_scm_file_belongs_to_a_profile() -> None:
    folders = {p.queries for p in PROFILES}
    stray = [str(f) for f in GRAMMARS.glob("*/*.scm") if f.parent.name not in folders]
    assert stray == []
    assert sorted(GRAMMARS.glob("*/*.scm")), "no query files found"


def test_errors_are_counted_in_trees_deeper_than_the_recursion_limit() -> None:
    import sys

    from santamerge.languages.profiles import language_named
    from santamerge.treesitter import parse

    depth = sys.getrecursionlimit() + 500
    source = "x = " + "[" * depth + "1 +" + "]" * depth + "\n"  # the error is innermost
    profile = language_named("python")
    assert profile is not None
    tree = parse(profile, source)
    assert count_errors(tree.root_node) >= 1


MISPLACED = {
    "java": [
        "import declaration after other declarations",
        "package declaration after other declarations",
    ],
    "go": ["import declaration after other declarations"],
    "javascript": [
        "a name declared twice in a block",
        "await outside an async function",
        "import_statement inside a block",
        "return outside a function",
    ],
    "typescript": [
        "a name declared twice in a block",
        "await outside an async function",
        "export_statement inside a block",
        "return outside a function",
    ],
    "tsx": [
        "a name declared twice in a block",
        "await outside an async function",
        "export_statement inside a block",
        "return outside a function",
    ],
    "rust": ["use_declaration not allowed here", "use_declaration not allowed here"],
}


@pytest.mark.parametrize("profile", PROFILES, ids=PROFILE_IDS)
def test_misplaced_statements(profile: LanguageProfile) -> None:
    """gates.misplaced finds each forbidden placement in the misplaced fixture, and
    nothing in the (valid) sample."""
    from santamerge.merge.gates import misplaced

    root, _ = _fixture(profile)
    assert misplaced(profile, root) == []
    bad = _misplaced_fixture(profile)
    if profile.name == "python" or profile.kind == "config":  # Python's compiler is its gate
        assert bad is None
        return
    assert bad is not None
    assert sorted(w for _, _, w in misplaced(profile, bad)) == MISPLACED[profile.name]

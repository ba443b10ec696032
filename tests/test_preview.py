"""`santamerge preview`, driven as a person would: real `git merge` conflicts, reviewed in a
pseudo-terminal (pexpect), off a terminal, and as JSON checked against its JSON Schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo
from terminal import Terminal

from santamerge.merge.locate import parse_conflicts
from santamerge.merge.workspace.attempts import list_attempts

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "docs" / "preview-schema.json"

MIDDLE = "\n\ndef load(path):\n    return open(path).read()\n\n\n"
BASE = f"RETRIES = 3\n{MIDDLE}TIMEOUT = 10\n"
OURS = f"RETRIES = 5\n{MIDDLE}TIMEOUT = 20\n"
THEIRS = f"RETRIES = 4\n{MIDDLE}TIMEOUT = 30\n"


def preview_command() -> list[str]:
    """`python -m santamerge preview`; until santamerge/cli.py registers the command, the
    command object itself."""
    from santamerge.cli import cli

    if "preview" in cli.commands:
        return [sys.executable, "-m", "santamerge", "preview"]
    return [
        sys.executable,
        "-c",
        "from santamerge.commands.preview import preview; preview(prog_name='santamerge preview')",
    ]


@pytest.fixture
def conflicted(repo: Repo) -> Repo:
    """app.py left with two diff3 conflict hunks by a real merge through the driver."""
    result = repo.merge_branches({"app.py": BASE}, {"app.py": OURS}, {"app.py": THEIRS})
    assert result.returncode != 0, result.stdout + result.stderr
    assert len(parse_conflicts(repo.read("app.py").decode()).hunks) == 2
    return repo


def run_preview(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*preview_command(), *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )


def open_preview(repo: Repo, *args: str, env: dict[str, str] | None = None) -> Terminal:
    return Terminal([*preview_command(), *args], repo.root, env)


def with_first_hunk(text: str, replacement: str) -> str:
    """``text`` with its first hunk replaced and every other hunk kept as it was read."""
    parsed = parse_conflicts(text)
    return "".join(
        c if isinstance(c, str) else replacement if c.index == 0 else c.render()
        for c in parsed.chunks
    )


def test_accepting_candidate_1_writes_it_and_keeps_the_other_hunk(conflicted: Repo) -> None:
    before = conflicted.read("app.py").decode()
    record = json.loads(run_preview(conflicted, "app.py", "--json").stdout)["files"][0]
    best = record["hunks"][0]["candidates"][0]
    term = open_preview(conflicted, "app.py")
    # every part of the first screen (a loaded machine draws it in pieces)
    term.wait_for(
        "app.py hunk 1 of 2, line 1",
        "ours",
        "base",
        "theirs",
        "RETRIES = 5",
        "RETRIES = 3",
        "RETRIES = 4",
        f"1. {best['method']}",
    )
    term.press("1")
    term.wait_for("app.py hunk 2 of 2", "w writes 1 of 2 hunks decided")
    assert conflicted.read("app.py").decode() == before  # written only by w
    term.press("w", then="wrote app.py: 1 of 2 hunk(s) resolved, 1 keep their markers")
    term.press("q")
    status, printed = term.finish()
    assert status == 1, printed  # a hunk keeps its conflict, as git mergetool says it
    assert "app.py: wrote 1 of 2 hunk(s) (hunk 1: candidate 1" in printed
    after = conflicted.read("app.py").decode()
    assert after == with_first_hunk(before, best["text"])
    assert len(parse_conflicts(after).hunks) == 1  # the other hunk keeps its markers
    assert parse_conflicts(after).hunks[0].render() == parse_conflicts(before).hunks[1].render()


def test_quit_asks_first_and_leaves_the_file_byte_for_byte(conflicted: Repo) -> None:
    before = conflicted.read("app.py")
    term = open_preview(conflicted, "app.py")
    term.wait_for("app.py hunk 1 of 2")
    term.press("1", then="app.py hunk 2 of 2")
    term.press("?", then="undo this file's last action")
    term.press("q", then="not written: app.py")
    term.press("x", then="not quitting")  # any other key goes back
    term.press("q", then="not written: app.py")
    term.press("q")  # quit without writing
    status, printed = term.finish()
    assert status == 1, printed  # the conflicts are left
    assert "app.py: unchanged; 1 decision(s) not written" in printed
    assert conflicted.read("app.py") == before


def test_edit_and_undo(conflicted: Repo, tmp_path: Path) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\nprintf 'RETRIES = 7\\n' > \"$1\"\n")
    editor.chmod(0o755)
    before = conflicted.read("app.py").decode()
    term = open_preview(conflicted, "app.py", env={"EDITOR": str(editor), "VISUAL": ""})
    term.wait_for("app.py hunk 1 of 2")
    term.press("e", then="app.py hunk 2 of 2")
    term.press("p")  # back to the edited hunk: the result shows it
    term.wait_for("result: edited", "RETRIES = 7")
    term.press("k", then="hunk 1: back to git's conflict")
    term.press("u", then="hunk 1: undone; now edited")
    term.press("w", then="wrote app.py: 1 of 2")
    term.press("q")
    status, printed = term.finish()
    assert status == 1, printed
    assert "hunk 1: edited" in printed
    assert conflicted.read("app.py").decode() == with_first_hunk(before, "RETRIES = 7\n")


def test_off_a_terminal_it_reports_and_writes_nothing(conflicted: Repo) -> None:
    before = conflicted.read("app.py")
    result = run_preview(conflicted)  # no PATHS: git's conflicted files
    assert result.returncode == 1, result.stderr  # the conflicts it showed are left
    out = result.stdout
    for shown in (
        "app.py hunk 1 of 2, line 1",
        "app.py hunk 2 of 2",
        "RETRIES = 5",
        "RETRIES = 3",
        "RETRIES = 4",
        "vs ours",
        "vs theirs",
        "Nothing was written",
    ):
        assert shown in out, shown
    record = json.loads(run_preview(conflicted, "--json").stdout)["files"][0]
    for c in record["hunks"][0]["candidates"]:
        score = f"{c['score']:.0%}" if c["score"] >= 0.01 else "<1%"
        assert f"{c['rank']}. {c['method']}  {score}" in out
    assert conflicted.read("app.py") == before
    skipped = run_preview(conflicted, ".gitattributes", "app.py")
    assert skipped.returncode == 1
    assert "santamerge: .gitattributes: no conflict markers; skipped" in skipped.stderr
    assert "app.py hunk 1 of 2" in skipped.stdout


def test_json_validates_against_the_schema(conflicted: Repo) -> None:
    result = run_preview(conflicted, "app.py", "--json")
    assert result.returncode == 1, result.stderr  # its conflicts are left
    document = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert validate(document, schema, schema) == []
    (record,) = document["files"]
    assert record["path"] == "app.py" and record["language"] == "python"
    assert [h["ours"] for h in record["hunks"]] == ["RETRIES = 5\n", "TIMEOUT = 20\n"]
    broken = {**document, "files": [{**record, "hunks": [{"index": "0"}]}]}
    assert validate(broken, schema, schema)  # the validator does reject


def test_attempt_is_previewed_and_guards_the_working_file(conflicted: Repo) -> None:
    (attempt,) = list_attempts(conflicted.root / ".git")
    result = run_preview(conflicted, "--attempt", attempt.name[:18])
    assert result.returncode == 1, result.stderr  # the driver left both hunks
    assert f"attempt {attempt.name}: app.py" in result.stdout
    assert "app.py hunk 1 of 2, line 1" in result.stdout
    assert "RETRIES = 4" in result.stdout
    missing = run_preview(conflicted, "--attempt", "no-such-attempt")
    assert missing.returncode == 2
    assert missing.stderr.startswith("santamerge: no stored attempt named 'no-such-attempt'")
    assert len(missing.stderr.splitlines()) == 1

    conflicted.write("app.py", OURS)  # resolved by hand since: accepting must be refused
    term = open_preview(conflicted, "--attempt", attempt.name)
    term.wait_for("app.py changed since it was read here: you can look, but not write")
    term.press("1", then="accepting is refused")
    term.press("q")
    status, printed = term.finish()
    assert status == 0, printed
    assert conflicted.read("app.py") == OURS.encode()


def validate(
    value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$"
) -> list[str]:
    """The JSON Schema keywords docs/preview-schema.json uses: $ref (local), type, const,
    required, properties, additionalProperties, propertyNames.pattern, items, minimum,
    maximum. Returns the violations."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return validate(value, target, root, where)
    errors: list[str] = []
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if "type" in schema:
        allowed = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]

        def is_a(kind: str) -> bool:
            if kind in ("integer", "number"):
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                return numeric and (kind == "number" or float(value).is_integer())
            return isinstance(value, kinds[kind])

        if not any(is_a(kind) for kind in allowed):
            return [f"{where}: {value!r} is not {allowed}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        errors += [f"{where}: no {key!r}" for key in schema.get("required", ()) if key not in value]
        properties = schema.get("properties", {})
        for key, item in value.items():
            pattern = schema.get("propertyNames", {}).get("pattern")
            if pattern and not re.search(pattern, key):
                errors.append(f"{where}: key {key!r} does not match {pattern}")
            if key in properties:
                errors += validate(item, properties[key], root, f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += validate(item, schema["additionalProperties"], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(item, schema["items"], root, f"{where}[{i}]")
    return errors


def review_files(
    paths: list[Path],
    keys: str | list[str] | Callable[[], str],
    edit: Callable[[str, str], str] | None = None,
) -> list[str]:
    """The review in this process, driven key by key: one summary line per file."""
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record
    from santamerge.ui.review import PreviewFile, Review

    files = []
    for path in paths:
        proposal, outcome, _ = run_pipeline(path.read_bytes().decode(), str(path))
        record = proposal_record(proposal, outcome)
        files.append(PreviewFile(path.name, str(path), proposal, record, outcome))
    review = Review(files, edit)
    read = keys if callable(keys) else iter(keys).__next__
    while not review.done:
        review.press(read())
    return [r.summary for r in review.results()]


def test_crlf_and_several_files(tmp_path: Path) -> None:
    crlf = (
        b"a = 1\r\n<<<<<<< ours\r\nx = 5\r\n||||||| base\r\nx = 3\r\n=======\r\n"
        b"x = 4\r\n>>>>>>> theirs\r\nb = 2\r\n"
    )
    lf = crlf.replace(b"\r\n", b"\n")
    first, second, third = tmp_path / "one.py", tmp_path / "two.py", tmp_path / "three.py"
    for path, data in ((first, crlf), (second, lf), (third, lf)):
        path.write_bytes(data)

    def edit(text: str, suffix: str) -> str:
        assert suffix == ".py" and text.startswith("<<<<<<< ours\r\n")
        return "x = 9"  # no line end: the file's own is added

    # edit one.py's hunk (the review moves on to two.py), back, write; then two.py:
    # accept, then quit without writing it
    summaries = review_files([first, second, third], ["e", "p", "w", "n", "1", "q", "q"], edit)
    assert first.read_bytes() == b"a = 1\r\nx = 9\r\nb = 2\r\n"
    assert second.read_bytes() == lf  # quit without writing
    assert third.read_bytes() == lf
    assert summaries == [
        "one.py: wrote 1 of 1 hunk(s) (hunk 1: edited); 0 keep their markers",
        "two.py: unchanged; 1 decision(s) not written",
        "three.py: unchanged",
    ]


def test_a_file_changed_meanwhile_is_not_written(tmp_path: Path) -> None:
    hunk = b"<<<<<<< ours\nx = 5\n||||||| base\nx = 3\n=======\nx = 4\n>>>>>>> theirs\n"
    path = tmp_path / "app.py"
    path.write_bytes(hunk + b"\n" + hunk.replace(b"x =", b"y ="))
    changed = b"x = 5\n\n" + hunk.replace(b"x =", b"y =")
    script = iter([("1", None), ("w", changed), ("q", None), ("q", None)])

    def keys() -> str:  # before `w`, hunk 1 is resolved by hand, in another window
        key, change = next(script)
        if change is not None:
            path.write_bytes(change)
        return key

    assert review_files([path], keys) == ["app.py: unchanged; 1 decision(s) not written"]
    assert path.read_bytes() == changed


def test_the_review_refuses_what_it_must(tmp_path: Path) -> None:
    """Every refusal of the review, key by key, with what it says."""
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record
    from santamerge.ui.review import PreviewFile, Review

    hunk = "<<<<<<< ours\nx = 5\n||||||| base\nx = 3\n=======\nx = 4\n>>>>>>> theirs\n"
    path = tmp_path / "app.py"
    path.write_text(hunk)
    proposal, outcome, _ = run_pipeline(hunk, "app.py")
    texts = iter([hunk.replace("x = 5", "x = 6"), "x = 7\n"])
    review = Review(
        [PreviewFile("app.py", str(path), proposal, proposal_record(proposal, outcome), outcome)],
        lambda text, suffix: next(texts),
    )
    said = []
    for key in ["9", "z", "p", "u", "w", "e", "n", "e", "w", "w"]:
        review.press(key)
        said.append((key, review.message, review.error))
    count = len(proposal.hunks[0].ranked)
    assert said[0] == ("9", f"there is no candidate 9; this hunk has {count}", True)
    assert said[1] == ("z", "no command for 'z'; press ? for help", True)
    assert said[2] == ("p", "this is the first hunk", False)
    assert said[3] == ("u", "nothing to undo in this file", True)
    assert said[4] == ("w", "app.py: no decision to write (accept a candidate first)", False)
    assert said[5][1].startswith("the edited text still holds conflict markers") and said[5][2]
    assert said[6] == ("n", "this is the last hunk; q quits", False)
    assert said[7] == ("e", "hunk 1: edited; w writes the file", False)
    assert said[8] == ("w", "wrote app.py: 1 of 1 hunk(s) resolved, 0 keep their markers", False)
    assert said[9] == ("w", "app.py: nothing new to write", False)
    assert path.read_text() == "x = 7\n"
    review.press("q")
    assert review.done

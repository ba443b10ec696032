"""`santamerge preview`, driven as a person would: real `git merge` conflicts, reviewed in a
pseudo-terminal (pexpect), off a terminal, and as JSON checked against its JSON Schema."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest
from conftest import Repo

from santamerge.merge.attempts import list_attempts
from santamerge.merge.locate import parse_conflicts

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "docs" / "preview-schema.json"

MIDDLE = "\n\ndef load(path):\n    return open(path).read()\n\n\n"
BASE = f"RETRIES = 3\n{MIDDLE}TIMEOUT = 10\n"
OURS = f"RETRIES = 5\n{MIDDLE}TIMEOUT = 20\n"
THEIRS = f"RETRIES = 4\n{MIDDLE}TIMEOUT = 30\n"
PROMPT = r"\? help > "


def preview_command() -> list[str]:
    """`python -m santamerge preview`; until santamerge/cli.py registers the command, the
    command object itself."""
    from santamerge.cli import cli

    if "preview" in cli.commands:
        return [sys.executable, "-m", "santamerge", "preview"]
    return [sys.executable, "-c", "from santamerge.commands.preview import preview; "
                                  "preview(prog_name='santamerge preview')"]


@pytest.fixture
def conflicted(repo: Repo) -> Repo:
    """app.py left with two diff3 conflict hunks by a real merge through the driver."""
    result = repo.merge_branches({"app.py": BASE}, {"app.py": OURS}, {"app.py": THEIRS})
    assert result.returncode != 0, result.stdout + result.stderr
    assert len(parse_conflicts(repo.read("app.py").decode()).hunks) == 2
    return repo


def run_preview(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*preview_command(), *args], cwd=repo.root, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False, timeout=60)


def spawn_preview(repo: Repo, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    command = preview_command()
    environ = {**os.environ, "TERM": "xterm", **(env or {})}
    return pexpect.spawn(command[0], [*command[1:], *args], cwd=str(repo.root), env=environ,
                         dimensions=(40, 120), encoding="utf-8", timeout=30)


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


def plain(screen: str) -> str:
    """Terminal output without its escape sequences (colours, clearing)."""
    return re.sub(r"\x1b\[[0-9;?>]*[A-Za-z]", "", screen)


def with_first_hunk(text: str, replacement: str) -> str:
    """``text`` with its first hunk replaced and every other hunk kept as it was read."""
    parsed = parse_conflicts(text)
    return "".join(c if isinstance(c, str) else replacement if c.index == 0 else c.render()
                   for c in parsed.chunks)


def test_accepting_candidate_1_writes_it_and_keeps_the_other_hunk(conflicted: Repo) -> None:
    before = conflicted.read("app.py").decode()
    record = json.loads(run_preview(conflicted, "app.py", "--json").stdout)["files"][0]
    best = record["hunks"][0]["candidates"][0]
    child = spawn_preview(conflicted, "app.py")
    child.expect("app.py hunk 1 of 2")
    child.expect(PROMPT)
    child.send("1")
    child.expect("app.py hunk 2 of 2")
    child.expect(PROMPT)
    assert conflicted.read("app.py").decode() == before  # written only on leaving the file
    child.send("s")
    out = finish(child)
    assert "app.py: wrote 1 of 2 hunk(s)" in out
    after = conflicted.read("app.py").decode()
    assert after == with_first_hunk(before, best["text"])
    assert after.startswith(best["text"])
    assert len(parse_conflicts(after).hunks) == 1  # the skipped hunk keeps its markers
    assert parse_conflicts(after).hunks[0].render() == parse_conflicts(before).hunks[1].render()


def test_quit_leaves_the_file_byte_for_byte(conflicted: Repo) -> None:
    before = conflicted.read("app.py")
    child = spawn_preview(conflicted, "app.py")
    child.expect(PROMPT)
    child.send("1")  # accepted, but the file is not left: `q` drops it
    child.expect("app.py hunk 2 of 2")
    child.expect(PROMPT)
    child.send("?")
    child.expect("quit: this file's choices are dropped")
    child.expect(PROMPT)
    child.send("q")
    out = finish(child)
    assert "app.py: unchanged (quit; 1 choice(s) dropped)" in out
    assert conflicted.read("app.py") == before


def test_edit_takes_the_editors_text(conflicted: Repo, tmp_path: Path) -> None:
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\nprintf 'RETRIES = 7\\n' > \"$1\"\n")
    editor.chmod(0o755)
    before = conflicted.read("app.py").decode()
    child = spawn_preview(conflicted, "app.py", env={"EDITOR": str(editor), "VISUAL": ""})
    child.expect(PROMPT)
    child.send("e")
    child.expect("app.py hunk 2 of 2")
    child.expect(PROMPT)
    child.send("p")  # back to the edited hunk: it shows the decision
    child.expect("decided: edited")
    child.expect(PROMPT)
    assert "RETRIES = 7" in plain(str(child.before))
    child.send("n")
    child.expect("app.py hunk 2 of 2")
    child.expect(PROMPT)
    child.send("n")  # past the last hunk: the file is written
    out = finish(child)
    assert "hunk 1: edited" in out
    assert conflicted.read("app.py").decode() == with_first_hunk(before, "RETRIES = 7\n")


def test_off_a_terminal_it_reports_and_writes_nothing(conflicted: Repo) -> None:
    before = conflicted.read("app.py")
    result = run_preview(conflicted)  # no PATHS: git's conflicted files
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for shown in ("app.py hunk 1 of 2, line 1", "app.py hunk 2 of 2", "RETRIES = 5",
                  "RETRIES = 3", "RETRIES = 4", "vs ours", "vs theirs", "Nothing was written"):
        assert shown in out, shown
    record = json.loads(run_preview(conflicted, "--json").stdout)["files"][0]
    for c in record["hunks"][0]["candidates"]:
        assert f"{c['rank']}. {c['method']}  score {c['score']:.3f}" in out
    assert conflicted.read("app.py") == before
    skipped = run_preview(conflicted, ".gitattributes", "app.py")
    assert skipped.returncode == 0
    assert "santamerge: .gitattributes: no conflict markers; skipped" in skipped.stderr
    assert "app.py hunk 1 of 2" in skipped.stdout


def test_json_validates_against_the_schema(conflicted: Repo) -> None:
    result = run_preview(conflicted, "app.py", "--json")
    assert result.returncode == 0, result.stderr
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
    assert result.returncode == 0, result.stderr
    assert f"attempt {attempt.name}: app.py" in result.stdout
    assert "app.py hunk 1 of 2, line 1" in result.stdout
    assert "RETRIES = 4" in result.stdout
    missing = run_preview(conflicted, "--attempt", "no-such-attempt")
    assert missing.returncode == 2
    assert missing.stderr.startswith("santamerge: no stored attempt named 'no-such-attempt'")
    assert len(missing.stderr.splitlines()) == 1

    conflicted.write("app.py", OURS)  # resolved by hand since: accepting must be refused
    child = spawn_preview(conflicted, "--attempt", attempt.name)
    child.expect("accepting is refused")
    child.expect(PROMPT)
    child.send("1")
    child.expect("accepting is refused")
    child.expect(PROMPT)
    child.send("q")
    finish(child)
    assert conflicted.read("app.py") == OURS.encode()


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any],
             where: str = "$") -> list[str]:
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
        errors += [f"{where}: no {key!r}" for key in schema.get("required", ())
                   if key not in value]
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


def test_preview_imports_no_model_stack(conflicted: Repo) -> None:
    code = ("import sys\nfrom santamerge.commands.preview import preview\n"
            "preview(['app.py'], standalone_mode=False)\n"
            "print(sorted({'torch', 'transformers', 'santamerge.model.backends.base'}"
            " & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=conflicted.root, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, check=True, timeout=60).stdout
    assert out.splitlines()[-1] == "[]"


def review_files(paths: list[Path], read_key: Callable[[], str],
                 edit: Callable[[str, str], str] | None = None) -> list[tuple[str, str | None]]:
    """The interactive review in-process, its output discarded: (summary, error) per file."""
    import io

    from rich.console import Console

    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record
    from santamerge.ui.review import PreviewFile, review

    files = []
    for path in paths:
        proposal, outcome, _ = run_pipeline(path.read_bytes().decode(), str(path))
        record = proposal_record(proposal, outcome)
        files.append(PreviewFile(path.name, str(path), proposal, record))
    results = review(files, Console(file=io.StringIO(), width=100), read_key, edit)
    return [(r.summary, r.error) for r in results]


def test_crlf_and_several_files(tmp_path: Path) -> None:
    crlf = (b"a = 1\r\n<<<<<<< ours\r\nx = 5\r\n||||||| base\r\nx = 3\r\n=======\r\n"
            b"x = 4\r\n>>>>>>> theirs\r\nb = 2\r\n")
    lf = crlf.replace(b"\r\n", b"\n")
    first, second, third = tmp_path / "one.py", tmp_path / "two.py", tmp_path / "three.py"
    for path, data in ((first, crlf), (second, lf), (third, lf)):
        path.write_bytes(data)

    def edit(text: str, suffix: str) -> str:
        assert suffix == ".py" and text.startswith("<<<<<<< ours\r\n")
        return "x = 9"  # no line end: the file's own is added

    summaries = review_files([first, second, third], iter("eq").__next__, edit)
    assert first.read_bytes() == b"a = 1\r\nx = 9\r\nb = 2\r\n"
    assert second.read_bytes() == lf  # `q`: nothing written
    assert third.read_bytes() == lf
    assert summaries == [
        ("one.py: wrote 1 of 1 hunk(s) (hunk 1: edited); 0 keep their markers", None),
        ("two.py: unchanged (quit)", None), ("three.py: unchanged (not reviewed)", None)]


def test_a_file_changed_meanwhile_is_not_written(tmp_path: Path) -> None:
    hunk = b"<<<<<<< ours\nx = 5\n||||||| base\nx = 3\n=======\nx = 4\n>>>>>>> theirs\n"
    path = tmp_path / "app.py"
    path.write_bytes(hunk + b"\n" + hunk.replace(b"x =", b"y ="))
    script = iter([("1", None), ("s", b"x = 5\n\n" + hunk.replace(b"x =", b"y ="))])

    def keys() -> str:  # before `s`, hunk 1 is resolved by hand, in another window
        key, change = next(script)
        if change is not None:
            path.write_bytes(change)
        return key

    ((summary, error),) = review_files([path], keys)
    assert summary == "app.py: unchanged (nothing written)"
    assert error == "app.py no longer holds the conflict markers shown; nothing was written to it"
    assert path.read_bytes() == b"x = 5\n\n" + hunk.replace(b"x =", b"y =")

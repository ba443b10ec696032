"""The command line: install/uninstall, languages, propose, errors, start-up cost."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import Repo

from santamerge.cli import cli
from santamerge.languages.profiles import gitattributes_patterns


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
    else:
        import os

        old = os.getcwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(cli, list(args), catch_exceptions=False)
        finally:
            os.chdir(old)
    return result.exit_code, result.output


def test_install_is_idempotent_and_uninstall_removes_it(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("r")
    info = repo.root / ".git" / "info" / "attributes"
    info.write_text("*.png binary\n")
    code, out = invoke("install", cwd=repo.root)
    assert code == 0, out
    driver = repo.git("config", "merge.santamerge.driver").stdout
    assert "merge-driver %O %A %B %L %P" in driver
    attributes = info.read_text()
    assert attributes.splitlines() == ["*.png binary"] + [
        f"{p} merge=santamerge" for p in gitattributes_patterns()
    ]
    code, out = invoke("install", "--json", cwd=repo.root)
    assert json.loads(out)["added"] == []
    assert info.read_text() == attributes
    attr = repo.git("check-attr", "merge", "src/x.py").stdout.strip()
    assert attr == "src/x.py: merge: santamerge"
    code, out = invoke("uninstall", cwd=repo.root)
    assert code == 0, out
    assert info.read_text() == "*.png binary\n"
    assert repo.git("config", "merge.santamerge.driver", check=False).returncode == 1


def test_install_patterns_and_global(isolated_git: Path, tmp_path: Path) -> None:
    code, out = invoke("install", "--global", "*.py", "*.pyi", cwd=tmp_path)
    assert code == 0, out
    attributes = isolated_git / ".config" / "git" / "attributes"
    assert attributes.read_text() == "*.py merge=santamerge\n*.pyi merge=santamerge\n"
    assert "merge-driver" in (isolated_git / ".gitconfig").read_text()
    assert invoke("uninstall", "--global", cwd=tmp_path)[0] == 0
    assert not attributes.exists()  # install created it


def test_install_outside_a_repository_is_one_clear_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "santamerge", "install"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("santamerge: ")
    assert "not inside a git repository" in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_languages() -> None:
    _, out = invoke("languages", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert {"python", "java", "javascript", "typescript", "tsx", "go", "rust"} <= set(rows)
    assert rows["python"]["queries"] == ["definitions", "imports", "orderfree", "stubs"]
    code, out = invoke("languages", "--gitattributes")
    assert code == 0
    assert "*.py merge=santamerge" in out.splitlines()


def write_sides(tmp_path: Path, base: str, ours: str, theirs: str) -> list[str]:
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / f"{name}.py").write_text(text)
        paths.append(str(tmp_path / f"{name}.py"))
    return paths


def test_propose_json_changes_nothing(tmp_path: Path) -> None:
    paths = write_sides(
        tmp_path,
        "import os\nx = 1\n",
        "import os\nimport re\nx = 2\n",
        "import os\nimport json\nx = 3\n",
    )
    before = [Path(p).read_bytes() for p in paths]
    code, out = invoke("propose", *paths, "--path", "src/app.py", "--json")
    assert code == 0
    record = json.loads(out)
    assert record["schema"] == 1 and record["language"] == "python"
    (hunk,) = record["hunks"]
    assert hunk["auto_apply"] is None  # the imports and the assignment are one hunk
    assert {
        "rank",
        "method",
        "text",
        "score",
        "keeps_ours",
        "keeps_theirs",
        "accepted",
        "rejected",
        "reasons",
    } <= set(hunk["candidates"][0])
    assert [Path(p).read_bytes() for p in paths] == before


def test_propose_table(tmp_path: Path) -> None:
    paths = write_sides(
        tmp_path, "import os\n", "import os\nimport re\n", "import os\nimport json\n"
    )
    code, out = invoke("propose", *paths)
    assert code == 0
    # both sides added an import at one place in no order the file shows: offered only
    assert "structured:union" in out and "-unordered" in out  # the method column wraps
    assert "would keep the conflict markers" in out and "would write" not in out
    code, out = invoke("propose", "--policy", "union", *paths)
    assert code == 0 and "would write structured:union-unordered" in out
    paths = write_sides(
        tmp_path,
        "import a\nimport e\n",
        "import a\nimport b\nimport e\n",
        "import a\nimport d\nimport e\n",
    )
    code, out = invoke("propose", *paths)  # sorted insertion: the order the file shows
    assert code == 0 and re.search(r"would write structured:union +│", out), out


def test_propose_non_utf8_is_one_clear_line(tmp_path: Path) -> None:
    paths = write_sides(tmp_path, "a\n", "b\n", "c\n")
    Path(paths[1]).write_bytes(b"caf\xe9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "santamerge", "propose", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("santamerge: ") and "not UTF-8" in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["merge-driver", "--help"],
        ["propose", "--help"],
        ["install", "--help"],
        ["demo", "--help"],
        ["preview", "--help"],
        ["mergetool", "--help"],
        ["attempts", "--help"],
    ],
)
def test_help_teaches(args: list[str]) -> None:
    code, out = invoke(*args)
    assert code == 0 and "Usage:" in out


HEAVY = ("torch", "transformers", "git", "rich", "rapidfuzz")


def loaded_modules(code: str, cwd: Path | None = None) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_import_cli_loads_no_model_stack() -> None:
    assert not {"torch", "transformers"} & loaded_modules("import santamerge.cli")


def test_clean_driver_run_imports_nothing_heavy(tmp_path: Path) -> None:
    paths = write_sides(tmp_path, "a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n")
    code = (
        "import sys\nfrom santamerge.entry import main\n"
        f"sys.argv = ['santamerge', 'merge-driver', *{paths[:3]!r}, '7', 'x.py']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
    )
    loaded = loaded_modules(code, cwd=tmp_path)
    assert not {*HEAVY, "click", "tree_sitter"} & loaded
    assert Path(paths[1]).read_text() == "A\nb\nc\nD\n"


@pytest.mark.parametrize("policy", ["conservative", "union"])
def test_conflicted_driver_run_loads_no_model_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    """The default leaves two imports added at one place to a person; the ``union``
    policy writes them. Neither run loads the model stack."""
    monkeypatch.setenv("SANTAMERGE_POLICY", policy)
    paths = write_sides(
        tmp_path, "import os\n", "import os\nimport re\n", "import os\nimport json\n"
    )
    status = 1 if policy == "conservative" else 0
    code = (
        "import sys\nfrom santamerge.entry import main\n"
        f"sys.argv = ['santamerge', 'merge-driver', *{paths!r}, '7', 'x.py']\n"
        f"try:\n    main()\nexcept SystemExit as e:\n    assert e.code == {status}, e.code\n"
    )
    loaded = loaded_modules(code, cwd=tmp_path)
    assert not {"torch", "transformers", "git", "click", "rich"} & loaded
    merged = Path(paths[1]).read_text()
    if policy == "union":
        assert merged == "import os\nimport re\nimport json\n"
    else:
        assert merged.startswith("import os\n<<<<<<< ") and "import re\n" in merged
        assert "import json\n" in merged and ">>>>>>> " in merged


def test_piped_output_is_not_wrapped_at_80_columns() -> None:
    """rich wraps at 80 columns when it does not write to a terminal; santamerge's
    consoles do not, so each table row and each line reaches a pipe whole."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "languages"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line for line in done.stdout.splitlines() if "javascript" in line]
    assert (
        rows
        and "tree_sitter_javascript" in rows[0]
        and "definitions imports misplaced modules orderfree stubs uses" in rows[0]
    ), done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) > 80


def _all_commands() -> list[tuple[str, click.Command]]:
    """Every command of the CLI, sub-commands of groups included, by its full name."""
    found: list[tuple[str, click.Command]] = []
    todo: list[tuple[str, click.Command]] = [("santamerge", cli)]
    while todo:
        name, command = todo.pop()
        if isinstance(command, click.Group):
            todo.extend((f"{name} {n}", c) for n, c in command.commands.items())
        else:
            found.append((name, command))
    return sorted(found, key=lambda item: item[0])


# Flags that mean something else where they stand: `bench ranker` mines the model only
# when one is named (no model by default), and `model train` trains on a device.
OWN_MEANING = {("santamerge bench ranker", "--model"), ("santamerge model train", "--device")}


def test_the_cli_has_one_grammar() -> None:
    """--json is a switch wherever it appears; the shared options read alike in every
    command (they are defined once); one flag name per idea."""
    helps: dict[str, set[str]] = {}
    for name, command in _all_commands():
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            if "--json" in param.opts:
                assert param.is_flag, f"{name}: --json takes a value"
            assert "--max-tokens" not in param.opts, name
            for flag in ("--model", "--device", "--server"):
                if flag in param.opts and (name, flag) not in OWN_MEANING:
                    helps.setdefault(flag, set()).add(param.help or "")
    assert set(helps) == {"--model", "--device", "--server"}
    assert all(len(texts) == 1 for texts in helps.values()), helps
    from santamerge.commands.complete import complete
    from santamerge.commands.serve import serve

    for command in (complete, serve):
        assert "--max-new-tokens" in {o for p in command.params for o in p.opts}
    old = serve.make_context("serve", ["--max-tokens", "7"])  # the old name still parses
    assert old.params["old_max_tokens"] == 7

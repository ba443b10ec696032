"""Real `git merge` runs through the installed driver, in scratch repositories."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

from conftest import Repo, git_merge_file

from santamerge.merge.workspace.attempts import list_attempts

BASE = "import os\n\n\ndef load(path):\n    return open(path).read()\n"
# The policy that writes the union of two sides' additions at one place (the default
# offers it only): the tests of what stops a merge the driver would write run under it.
UNION = {"SANTAMERGE_POLICY": "union"}


def conflict_markers(text: bytes) -> list[bytes]:
    return [
        line
        for line in text.splitlines()
        if line[:8] in (b"<<<<<<< ", b"||||||| ", b"=======", b">>>>>>> ")
    ]


def offered_not_written(repo: Repo, result: subprocess.CompletedProcess[str]) -> str:
    """The default left git's conflict and stored the union as a candidate: its text."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(conflict_markers(repo.read("app.py"))) == 4
    assert "santamerge: app.py: 1 conflict left marked" in result.stderr
    (attempt,) = list_attempts(repo.root / ".git")
    (hunk,) = json.loads((attempt / "attempt.json").read_text())["hunks"]
    assert hunk["auto_apply"] is None
    return {c["method"]: c["text"] for c in hunk["candidates"]}["structured:union-unordered"]


def test_both_sides_add_different_imports_is_offered_and_the_union_policy_writes_it(
    make_repo: Callable[[str], Repo],
) -> None:
    ours = BASE.replace("import os\n", "import os\nimport json\n")
    theirs = BASE.replace("import os\n", "import os\nimport logging\n")
    repo = make_repo("default")
    repo.install_driver()
    result = repo.merge_branches({"app.py": BASE}, {"app.py": ours}, {"app.py": theirs})
    assert offered_not_written(repo, result) == "import json\nimport logging\n"
    repo = make_repo("union")
    repo.install_driver()
    repo.git("config", "santamerge.policy", "union")
    result = repo.merge_branches({"app.py": BASE}, {"app.py": ours}, {"app.py": theirs})
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py").decode() == BASE.replace(
        "import os\n", "import os\nimport json\nimport logging\n"
    )


def test_both_sides_add_functions_at_the_end_is_offered_and_the_union_policy_writes_it(
    make_repo: Callable[[str], Repo],
) -> None:
    ours = BASE + "\n\ndef save(path, text):\n    open(path, 'w').write(text)\n"
    theirs = BASE + "\n\ndef size(path):\n    return os.path.getsize(path)\n"
    repo = make_repo("default")
    repo.install_driver()
    result = repo.merge_branches({"app.py": BASE}, {"app.py": ours}, {"app.py": theirs})
    assert offered_not_written(repo, result) == (
        "\n\ndef save(path, text):\n    open(path, 'w').write(text)\n"
        "\n\ndef size(path):\n    return os.path.getsize(path)\n"
    )
    repo = make_repo("union")
    repo.install_driver()
    result = repo.merge_branches(
        {"app.py": BASE}, {"app.py": ours}, {"app.py": theirs}, env={"SANTAMERGE_POLICY": "union"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    merged = repo.read("app.py").decode()
    assert merged == ours + "\n\ndef size(path):\n    return os.path.getsize(path)\n"
    assert repo.git("log", "-1", "--format=%s").stdout.startswith("Merge branch 'feature'")


def test_true_conflict_stays_marked_in_diff3_form(repo: Repo) -> None:
    result = repo.merge_branches(
        {"app.py": "RETRIES = 3\n"}, {"app.py": "RETRIES = 5\n"}, {"app.py": "RETRIES = 4\n"}
    )
    assert result.returncode != 0
    assert "CONFLICT (content): Merge conflict in app.py" in result.stdout
    assert repo.read("app.py") == (
        b"<<<<<<< ours\nRETRIES = 5\n||||||| base\nRETRIES = 3\n"
        b"=======\nRETRIES = 4\n>>>>>>> theirs\n"
    )
    assert "app.py" in repo.git("diff", "--name-only", "--diff-filter=U").stdout
    assert (
        "santamerge: app.py: 1 conflict left marked; `santamerge preview app.py` shows "
        "the ranked proposals"
    ) in result.stderr


def test_word_edits_on_one_line_are_offered_not_written(repo: Repo) -> None:
    base = "x = compute(alpha, beta)\n"
    result = repo.merge_branches(
        {"app.py": base},
        {"app.py": "x = compute2(alpha, beta)\n"},
        {"app.py": "x = compute(alpha, gamma)\n"},
    )
    assert result.returncode != 0  # the conservative policy does not write word merges
    assert len(conflict_markers(repo.read("app.py"))) == 4
    (attempt,) = list_attempts(repo.root / ".git")
    record = json.loads((attempt / "attempt.json").read_text())
    (hunk,) = record["hunks"]
    stored = {c["method"]: c["text"] for c in hunk["candidates"]}
    assert stored["merged:words"] == "x = compute2(alpha, gamma)\n"
    assert hunk["auto_apply"] is None


def test_word_policy_writes_word_merges(repo: Repo) -> None:
    repo.git("config", "santamerge.policy", "words")
    result = repo.merge_branches(
        {"app.py": "x = f(a, b)\n"}, {"app.py": "x = g(a, b)\n"}, {"app.py": "x = f(a, c)\n"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert repo.read("app.py") == b"x = g(a, c)\n"


def test_crlf_files_keep_crlf(repo: Repo) -> None:
    repo.git("config", "santamerge.policy", "union")  # the default would not write this union
    base = BASE.replace("\n", "\r\n")
    ours = base.replace("import os\r\n", "import os\r\nimport json\r\n")
    theirs = base.replace("import os\r\n", "import os\r\nimport logging\r\n")
    result = repo.merge_branches({"app.py": base}, {"app.py": ours}, {"app.py": theirs})
    assert result.returncode == 0, result.stdout + result.stderr
    merged = repo.read("app.py")
    assert (
        merged
        == base.replace("import os\r\n", "import os\r\nimport json\r\nimport logging\r\n").encode()
    )
    assert b"\n" not in merged.replace(b"\r\n", b"")


def test_crlf_true_conflict_keeps_crlf_markers(repo: Repo) -> None:
    result = repo.merge_branches(
        {"app.py": "a = 1\r\n"}, {"app.py": "a = 2\r\n"}, {"app.py": "a = 3\r\n"}
    )
    assert result.returncode != 0
    merged = repo.read("app.py")
    assert merged.count(b"\r\n") == merged.count(b"\n") == 7


def git_own_result(repo: Repo, name: str) -> bytes:
    """What `git merge-file --diff3` gives for the three stages of a conflicted path."""
    stages = [
        subprocess.run(
            ["git", "show", f":{stage}:{name}"], cwd=repo.root, capture_output=True, check=True
        ).stdout
        for stage in (1, 2, 3)
    ]
    return git_merge_file(repo.root, stages, names=("base.tmp", "ours.tmp", "theirs.tmp")).stdout


def test_non_utf8_file_gets_gits_own_result(repo: Repo) -> None:
    base = "# caf\xe9\nimport os\n".encode("latin-1")
    ours = base.replace(b"import os\n", b"import os\nimport json\n")
    theirs = base.replace(b"import os\n", b"import os\nimport re\n")
    result = repo.merge_branches({"app.py": base}, {"app.py": ours}, {"app.py": theirs}, env=UNION)
    assert result.returncode != 0  # santamerge would have merged these imports if it could
    assert repo.read("app.py") == git_own_result(repo, "app.py")
    assert b"caf\xe9" in repo.read("app.py")


def imports_conflict(repo: Repo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    ours = BASE.replace("import os\n", "import os\nimport json\n")
    theirs = BASE.replace("import os\n", "import os\nimport logging\n")
    return repo.merge_branches(
        {"app.py": BASE}, {"app.py": ours}, {"app.py": theirs}, env={**UNION, **env}
    )


def test_kill_switch_gives_gits_own_result(repo: Repo) -> None:
    result = imports_conflict(repo, {"SANTAMERGE_DISABLE": "1"})
    assert result.returncode != 0
    assert repo.read("app.py") == git_own_result(repo, "app.py")
    assert len(conflict_markers(repo.read("app.py"))) == 4


def test_injected_internal_failure_gives_gits_own_result(repo: Repo) -> None:
    result = imports_conflict(repo, {"SANTAMERGE_FAULT": "crash"})
    assert result.returncode != 0
    assert repo.read("app.py") == git_own_result(repo, "app.py")
    assert list_attempts(repo.root / ".git") == []


def test_timeout_gives_gits_own_result(repo: Repo) -> None:
    result = imports_conflict(repo, {"SANTAMERGE_FAULT": "hang", "SANTAMERGE_TIMEOUT": "0.5"})
    assert result.returncode != 0
    assert repo.read("app.py") == git_own_result(repo, "app.py")


def test_input_with_markers_already_gets_gits_own_result(repo: Repo) -> None:
    base = BASE + "SEPARATOR = '''\n=======\n'''\n"
    ours = base.replace("import os\n", "import os\nimport json\n")
    theirs = base.replace("import os\n", "import os\nimport logging\n")
    result = repo.merge_branches({"app.py": base}, {"app.py": ours}, {"app.py": theirs}, env=UNION)
    assert result.returncode != 0
    assert repo.read("app.py") == git_own_result(repo, "app.py")


def test_binary_file_keeps_ours_and_conflicts(repo: Repo) -> None:
    result = repo.merge_branches(
        {"data.py": b"\0base\n"}, {"data.py": b"\0ours\n"}, {"data.py": b"\0theirs\n"}
    )
    assert result.returncode != 0
    assert repo.read("data.py") == b"\0ours\n"


def test_unrouted_files_are_untouched_by_santamerge(repo: Repo) -> None:
    ours = BASE.replace("import os\n", "import os\nimport json\n")
    theirs = BASE.replace("import os\n", "import os\nimport logging\n")
    result = repo.merge_branches({"app.txt": BASE}, {"app.txt": ours}, {"app.txt": theirs})
    assert result.returncode != 0
    assert list_attempts(repo.root / ".git") == []


def test_attempts_are_stored_and_pruned(repo: Repo) -> None:
    repo.git("config", "santamerge.keepAttempts", "2")
    repo.git("config", "santamerge.policy", "union")  # the default would not write these
    files = {f"m{i}.py": BASE for i in range(3)}
    ours = {n: BASE.replace("import os\n", "import os\nimport json\n") for n in files}
    theirs = {n: BASE.replace("import os\n", "import os\nimport re\n") for n in files}
    assert repo.merge_branches(files, ours, theirs).returncode == 0
    attempts = list_attempts(repo.root / ".git")
    assert len(attempts) == 2
    stored = attempts[-1]
    assert sorted(p.name for p in stored.iterdir()) == [
        "attempt.json",
        "base",
        "baseline",
        "ours",
        "result",
        "theirs",
    ]
    record = json.loads((stored / "attempt.json").read_text())
    assert record["outcome"]["resolved"] == [0]
    assert (stored / "result").read_bytes() == repo.read(record["path"])


def test_a_write_that_fails_reports_a_conflict_in_one_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from santamerge.merge.workspace.driver import _write

    target = tmp_path / "folder"  # a folder in the file's place: the write fails
    target.mkdir()
    assert _write(str(target), b"merged\n") is False
    err = capsys.readouterr().err
    assert err.startswith("santamerge: could not write the merge to ") and err.count("\n") == 1
    assert list(target.iterdir()) == []
    ours = tmp_path / "ours"
    ours.write_bytes(b"ours\n")
    assert _write(str(ours), b"merged\n") is True
    assert ours.read_bytes() == b"merged\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "ours"]  # no copy left

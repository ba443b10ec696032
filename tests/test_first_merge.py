"""The path around the driver, as a new user meets it, with real git: the driver outside a
merge (git merge-tree), every setting checked, closed pipes, quiet output."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo

from santamerge.merge.workspace.attempts import list_attempts

BASE = "import json\nimport os\n\nX = 1\n"
OURS = "import json\nimport os\nimport re\n\nX = 2\n"
THEIRS = "import json\nimport os\nimport sys\n\nX = 3\n"


def santamerge(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def branches(repo: Repo) -> None:
    """main and feature: each adds an import (the driver merges them) and changes X (a
    conflict it leaves)."""
    repo.commit({"app.py": BASE}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": THEIRS}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS}, "ours")


# -- the driver outside a merge ----------------------------------------------------------


def test_git_merge_tree_runs_the_driver_but_stores_no_attempt_and_gives_no_advice(
    repo: Repo,
) -> None:
    branches(repo)
    done = repo.git("merge-tree", "--write-tree", "main", "feature", check=False)
    assert done.returncode == 1, done.stdout + done.stderr  # X stays a conflict
    assert "santamerge" not in done.stderr, done.stderr
    tree = done.stdout.splitlines()[0]
    merged = repo.git("cat-file", "-p", f"{tree}:app.py").stdout
    assert merged.startswith("import json\nimport os\nimport re\nimport sys\n\n<<<<<<< ")
    assert list_attempts(repo.root / ".git") == []
    assert repo.git("status", "--porcelain").stdout == ""

    done = repo.git("merge", "--no-edit", "feature", check=False)  # into the working tree
    assert "santamerge: app.py: 1 conflict left marked" in done.stderr
    assert len(list_attempts(repo.root / ".git")) == 1
    assert repo.read("app.py").decode() == merged


def test_cherry_pick_and_rebase_still_store_attempts(make_repo: Callable[[str], Repo]) -> None:
    for how in ("cherry-pick", "rebase"):
        repo = make_repo(how)
        repo.install_driver()
        branches(repo)
        if how == "cherry-pick":
            done = repo.git("cherry-pick", "feature", check=False)
        else:
            repo.git("checkout", "-q", "feature")
            done = repo.git("rebase", "main", check=False)
        assert done.returncode != 0
        assert "santamerge: app.py: 1 conflict left marked" in done.stderr, how
        assert len(list_attempts(repo.root / ".git")) == 1, how


# -- every setting checked -----------------------------------------------------------------


def gits_own(tmp_path: Path, labels: tuple[str, str, str]) -> str:
    for name, text in (("b", BASE), ("o", OURS), ("t", THEIRS)):
        (tmp_path / name).write_text(text)
    return subprocess.run(
        [
            "git",
            "merge-file",
            "-p",
            "--diff3",
            "-L",
            labels[0],
            "-L",
            labels[1],
            "-L",
            labels[2],
            "o",
            "b",
            "t",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def test_a_bad_policy_is_one_line_and_the_driver_leaves_gits_merge(
    repo: Repo, tmp_path: Path
) -> None:
    branches(repo)
    repo.git("config", "santamerge.policy", "bogus")
    done = repo.git("merge", "--no-edit", "feature", check=False)
    assert done.returncode == 1  # as git's own merge: a conflict
    said = [line for line in done.stderr.splitlines() if line.startswith("santamerge")]
    assert said == [
        "santamerge: setting 'policy' has the value 'bogus' (from git config "
        "santamerge.policy), which is not a policy: give conservative, words, "
        "union, calibrated or never; gave git's own merge of app.py"
    ], done.stderr
    assert repo.read("app.py").decode() == gits_own(tmp_path, ("ours", "base", "theirs"))
    assert list_attempts(repo.root / ".git") == []

    done = santamerge(repo.root, "merge-tree", "main", "feature")  # no "(conservative)"
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr.count("\n") == 1
        and "'bogus' (from git config santamerge.policy)" in done.stderr
    )


@pytest.mark.parametrize(
    ("name", "value", "where"),
    [
        ("SANTAMERGE_POLICY", "wordz", "SANTAMERGE_POLICY"),
        ("SANTAMERGE_DEVICE", "gpu", "SANTAMERGE_DEVICE"),
        ("SANTAMERGE_SERVER", "localhost:8000", "SANTAMERGE_SERVER"),
        ("SANTAMERGE_FIM_FAMILY", "gpt", "SANTAMERGE_FIM_FAMILY"),
        ("SANTAMERGE_KEEP_ATTEMPTS", "-1", "SANTAMERGE_KEEP_ATTEMPTS"),
        ("SANTAMERGE_AUTOSTART", "maybe", "SANTAMERGE_AUTOSTART"),
        ("SANTAMERGE_MAX_BYTES", "lots", "SANTAMERGE_MAX_BYTES"),
        ("SANTAMERGE_MODEL", "", "SANTAMERGE_MODEL"),
    ],
)
def test_every_setting_is_checked_and_named_with_where_it_came_from(
    repo: Repo, name: str, value: str, where: str
) -> None:
    branches(repo)
    result = subprocess.run(
        ["git", "merge", "--no-edit", "feature"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, name: value},
    )
    said = [line for line in result.stderr.splitlines() if line.startswith("santamerge")]
    setting = name.removeprefix("SANTAMERGE_").lower()
    assert len(said) == 1, result.stderr
    assert said[0].startswith(
        f"santamerge: setting '{setting}' has the value {value!r} (from {where})"
    ), said
    assert said[0].endswith("; gave git's own merge of app.py")
    assert (
        "import os\n<<<<<<< ours\nimport re\n||||||| base\n=======\nimport sys\n"
        in repo.read("app.py").decode()
    )  # git's merge: the imports left marked


def test_a_bad_setting_in_pyproject_names_the_file(repo: Repo) -> None:
    (repo.root / "pyproject.toml").write_text("[tool.santamerge]\nkeep-attempts = 'many'\n")
    done = santamerge(repo.root, "resolve", "--no-model")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert (
        f"setting 'keep_attempts' has the value 'many' (from [tool.santamerge] "
        f"keep-attempts in {repo.root / 'pyproject.toml'})"
    ) in done.stderr


# -- a closed pipe -----------------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly(repo: Repo) -> None:
    branches(repo)
    repo.git("merge", "--no-edit", "feature", check=False)  # an attempt to list
    for args in (
        ["attempts", "--all"],
        ["attempts", "--json"],
        ["languages"],
        ["--help"],
        ["doctor", "app.py"],
        ["preview"],
        ["resolve", "--no-model"],
    ):
        proc = subprocess.Popen(
            [sys.executable, "-m", "santamerge", *args],
            cwd=repo.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the first line
        err = proc.stderr.read().decode()
        proc.stderr.close()
        proc.wait(timeout=120)
        assert proc.returncode == 141, (args, proc.returncode, err)
        for noise in ("internal error", "Traceback", "Exception ignored", "Broken"):
            assert noise not in err, (args, err)
    shell = subprocess.run(
        [
            "bash",
            "-c",
            f"{sys.executable} -m santamerge attempts --all "
            '| head -1; echo "status ${PIPESTATUS[0]}"',
        ],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shell.stderr == "" and shell.stdout.splitlines()[-1] in ("status 0", "status 141")


# -- exit codes and terminals of preview ---------------------------------------------------

LONG = (
    "    value = compute_the_value_from_the_request(request, configuration_object_with_a_"
    "very_long_name_indeed, {})  # a comment that makes this line long\n"
)


def long_conflict(make_repo: Callable[[str], Repo]) -> Repo:
    """app.py conflicted by a plain `git merge` on one line of 130 characters."""
    repo = make_repo("long")
    done = repo.merge_branches(
        {"app.py": "import os\n\n" + LONG.format(1)},
        {"app.py": "import os\n\n" + LONG.format(3)},
        {"app.py": "import os\n\n" + LONG.format(2)},
    )
    assert done.returncode == 1
    return repo


def test_piped_preview_and_resolve_keep_each_code_line_whole_inside_its_box(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = long_conflict(make_repo)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    for args in (["preview"], ["resolve", "--no-model"], ["propose"]):
        if args == ["propose"]:
            stages = {
                n: repo.git("show", f":{s}:app.py").stdout
                for n, s in (("base", 1), ("ours", 2), ("theirs", 3))
            }
            for name, text in stages.items():
                (repo.root.parent / name).write_text(text)
            args = [
                "propose",
                *(str(repo.root.parent / n) for n in ("base", "ours", "theirs")),
                "--path",
                "app.py",
            ]
        done = subprocess.run(
            [sys.executable, "-m", "santamerge", *args],
            cwd=repo.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        lines = done.stdout.splitlines()
        for value in (1, 2, 3):
            whole = LONG.format(value).rstrip("\n")
            boxed = [line for line in lines if whole in line]
            assert boxed, (args, done.stdout)
            assert all(line.rstrip().endswith("│") for line in boxed), boxed  # in its box
        assert not any(line.strip("│ ").startswith("very_long_name") for line in lines)
        widths = {len(line) for line in lines if line.startswith("╭")}
        assert max(widths) < len(LONG) + 30, widths  # fits the code, not 10,000 columns


def test_preview_exits_1_for_a_binary_conflict_it_cannot_show(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("bin")
    done = repo.merge_branches(
        {"logo.bin": b"\0\1base"}, {"logo.bin": b"\0\1ours"}, {"logo.bin": b"\0\1theirs"}
    )
    assert done.returncode == 1
    shown = santamerge(repo.root, "preview")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "logo.bin: still conflicted, and not shown here" in shown.stderr
    assert santamerge(repo.root, "preview", "--json").returncode == 1
    repo.git("checkout", "--ours", "logo.bin")
    repo.git("add", "logo.bin")
    cleared = santamerge(repo.root, "preview")
    assert (cleared.returncode, cleared.stdout) == (
        0,
        "nothing to preview: no file holds conflict markers\n",
    )


def test_term_dumb_gets_the_plain_report_and_no_colour(make_repo: Callable[[str], Repo]) -> None:
    from terminal import Terminal

    repo = long_conflict(make_repo)
    term = Terminal(
        [sys.executable, "-m", "santamerge", "preview"],
        repo.root,
        {"TERM": "dumb", "COLORTERM": "truecolor"},
    )
    status, printed = term.finish()
    assert status == 1, printed
    assert b"\x1b[?1049h" not in term.output  # no full screen (the alternate screen)
    assert b"\x1b[" not in term.output  # and no colour at all
    assert "Nothing was written" in printed and "compute_the_value_from_the_request" in printed


def sgr_colours(output: bytes) -> set[tuple[bytes, ...]]:
    """The 24-bit colours of the SGR sequences in ``output``."""
    import re

    found = set()
    for params in re.findall(rb"\x1b\[([0-9;]*)m", output):
        parts = params.split(b";")
        for i, part in enumerate(parts[:-4]):
            if part in (b"38", b"48") and parts[i + 1] == b"2":
                found.add(tuple(parts[i + 2 : i + 5]))
    return found


def test_no_color_is_respected_in_the_report_and_the_full_screen(
    make_repo: Callable[[str], Repo],
) -> None:
    from terminal import Terminal

    repo = long_conflict(make_repo)
    plain = Terminal(
        [sys.executable, "-m", "santamerge", "resolve", "--no-model"],
        repo.root,
        {"NO_COLOR": "1", "COLORTERM": "truecolor"},
    )
    status, printed = plain.finish()
    assert status == 0 and "--accept would write" in printed, printed
    assert b"\x1b[3" not in plain.output and b"\x1b[9" not in plain.output  # no colour
    screens = {}
    for no_color in ("1", None):
        env = {"COLORTERM": "truecolor", **({"NO_COLOR": no_color} if no_color else {})}
        if no_color is None:
            env["NO_COLOR"] = ""  # empty: not set (no-color.org), though Textual reads it so
        term = Terminal([sys.executable, "-m", "santamerge", "preview"], repo.root, env)
        term.wait_for("app.py hunk 1 of 1")
        term.press("q")
        term.finish()
        screens[no_color] = sgr_colours(term.output)
    assert screens["1"] and all(len(set(c)) == 1 for c in screens["1"])  # greys only
    assert any(len(set(c)) > 1 for c in screens[None])  # colours, without NO_COLOR


# -- quiet, and figures that agree -----------------------------------------------------------


def test_resolve_speaks_of_the_embedded_model_only_when_there_is_a_conflict(repo: Repo) -> None:
    repo.commit({"app.py": BASE}, "base")
    calm = santamerge(repo.root, "resolve")
    assert calm.returncode == 0
    assert "not asking the embedded model" not in calm.stderr, calm.stderr
    assert "no conflicted files" in calm.stderr
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"app.py": THEIRS}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS}, "ours")
    repo.git("merge", "--no-edit", "feature", check=False)
    busy = santamerge(repo.root, "resolve")
    assert busy.stderr.count("not asking the embedded model") == 1, busy.stderr


def test_a_failed_gate_is_said_once(tmp_path: Path) -> None:
    """Both sides add `g`: each concatenation defines it twice, a gate it fails."""
    for name, text in (
        ("b.py", "import os\n"),
        ("o.py", "import os\n\n\ndef g():\n    return 1\n"),
        ("t.py", "import os\n\n\ndef g():\n    return 2\n"),
    ):
        (tmp_path / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "propose", "b.py", "o.py", "t.py", "--path", "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    failed = [line for line in done.stdout.splitlines() if "failed:" in line]
    assert len(failed) == 2, done.stdout  # ours+theirs and theirs+ours
    for line in failed:
        assert line.count("defines g twice") == 1, line
    assert "rejected:" not in done.stdout


def test_headings_are_shortened_at_a_word_never_inside_a_token() -> None:
    import io

    from rich.console import Console

    from santamerge.merge.pipeline import run_pipeline
    from santamerge.ui.render import hunk_card, hunk_heading, shorten

    assert shorten("app.py hunk 1 of 3, line 14", 80) == "app.py hunk 1 of 3, line 14"
    assert shorten("app.py hunk 1 of 3, line 14", 16) == "app.py hunk 1…"
    assert shorten("a_very_long_token_without_spaces", 10) == "a_very_lo…"  # nothing else
    marked = "<<<<<<< ours\nX = 2\n||||||| base\nX = 1\n=======\nX = 3\n>>>>>>> theirs\n"
    proposal, _, _ = run_pipeline(marked, "src/santamerge/some_rather_long_module_name.py")
    heading = hunk_heading(proposal.path, proposal, proposal.hunks[0])
    out = Console(file=io.StringIO(), width=48, color_system=None)
    out.print(hunk_card(proposal, proposal.hunks[0], heading, width=48))
    title = out.file.getvalue().splitlines()[0]  # type: ignore[attr-defined]
    shown = title.strip("╭─ ╮")
    # the path loses its folders, the rest is cut where a word ends
    assert shown == "…/some_rather_long_module_name.py hunk 1…", title
    assert shorten("src/a/b.py hunk 1 of 2", 14) == "src/a/b.py…"  # the path fits whole


def test_bench_merges_totals_agree_with_its_files_table(make_repo: Callable[[str], Repo]) -> None:
    """One file, two hunks: the policy writes the imports (wrongly: the person kept one)
    and leaves X. The totals line and the files table count that hunk alike, and the
    file is silent-wrong in both."""
    repo = make_repo("hist")
    base = "import json\nimport os\n\n\ndef f():\n    a = 1\n    X = 1\n    return a\n"
    ours = base.replace("import os\n", "import os\nimport re\n").replace("X = 1", "X = 2")
    theirs = base.replace("import os\n", "import os\nimport sys\n").replace("X = 1", "X = 3")
    repo.commit({"app.py": base}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"app.py": theirs}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": ours}, "ours")
    assert repo.git("merge", "--no-edit", "topic", check=False).returncode == 1
    repo.commit({"app.py": ours}, "merge: ours")  # sys dropped
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "bench",
            "merges",
            "--repo",
            str(repo.root),
            "--output",
            str(repo.root.parent / "r.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "250"},
    )
    assert done.returncode == 0, done.stderr
    import json

    report = json.loads((repo.root.parent / "r.json").read_text())
    assert report["hunks"]["matched"] == 2
    assert (report["auto_apply"]["written"], report["auto_apply"]["right"]) == (1, 0)
    policy = report["files_by_kind"]["all"]["policy"]
    assert (policy["written"], policy["hunks_written"], policy["hunks_wrong"]) == (0, 1, 1)
    assert policy["silent_wrong"] == 1.0  # the file holds a wrong hunk nothing marks
    assert "wrote 1 of 2 matched hunks, 0 right" in done.stdout
    lines = done.stdout.splitlines()
    header = next(line.split("┃") for line in lines if "hunks written" in line)
    column = [cell.strip() for cell in header].index("hunks written")
    at = max(i for i, line in enumerate(lines) if line.startswith("│ all "))  # files table
    total = lines[at + 1]
    assert "conservative" in total and total.split("│")[column].strip() == "1", done.stdout


# -- a server santamerge starts by itself ------------------------------------------------------


def test_a_server_started_by_fill_says_so_once_and_stops_when_idle(tmp_path: Path) -> None:
    import json
    import time

    from santamerge.model.serve.autostart import _read_pid, local_server

    (tmp_path / "shapes.py").write_text("def area(r):\n    pass\n")
    env = {"SANTAMERGE_IDLE_TIMEOUT": "4"}
    first = santamerge(tmp_path, "fill", "shapes.py", env=env)
    assert first.returncode in (0, 1), first.stderr
    started = [line for line in first.stderr.splitlines() if "started a local model" in line]
    assert len(started) == 1, first.stderr
    assert "it stops after 4 s idle (santamerge.idle_timeout)" in started[0]
    server = local_server("embedded", "auto")
    pid = _read_pid(server)
    assert pid is not None and f"pid {pid}" in started[0]
    again = santamerge(tmp_path, "fill", "shapes.py", env=env)
    assert "started a local model" not in again.stderr  # the same server, reused
    deadline = time.monotonic() + 60
    while _read_pid(server) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _read_pid(server) is None, "the idle server is still running"
    assert "idle for 4 s" in server.log.read_text()

    info = santamerge(tmp_path, "model", "info", "--json")
    assert info.returncode == 0, info.stderr
    assert (
        "it stops after 600 s idle (idle_timeout, from the default)"
        in json.loads(info.stdout)["local_server"]
    )

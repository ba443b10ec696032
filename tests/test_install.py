"""install, uninstall and doctor in real repositories: the working tree stays clean, every
file install touched comes back byte for byte, and doctor says why a file is (not)
merged by santamerge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import Repo

from santamerge.languages.profiles import gitattributes_patterns

BASE = {"app.py": "import json\nimport os\n\nX = 1\n"}
OURS = {"app.py": "import json\nimport os\nimport re\n\nX = 1\n"}
THEIRS = {"app.py": "import json\nimport os\nimport sys\n\nX = 1\n"}


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
    )


def snapshot(*paths: Path) -> dict[Path, bytes | None]:
    return {p: p.read_bytes() if p.exists() else None for p in paths}


def test_install_leaves_the_tree_clean_survives_reset_and_uninstall_gives_back_each_byte(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("r")
    repo.commit({".gitattributes": b"*.png binary\r\n*.txt text", **BASE}, "base")
    git_dir = repo.root / ".git"
    before = snapshot(
        git_dir / "config",
        repo.root / ".gitattributes",
        git_dir / "info" / "attributes",
        git_dir / "santamerge" / "install.json",
    )

    done = santamerge(repo.root, "install")
    assert done.returncode == 0, done.stderr
    assert ".git/info/attributes" in done.stdout
    assert repo.git("status", "--porcelain").stdout == ""  # nothing to commit by mistake
    assert repo.read(".gitattributes") == b"*.png binary\r\n*.txt text"
    assert (git_dir / "info" / "attributes").read_text().splitlines() == [
        f"{p} merge=santamerge" for p in gitattributes_patterns()
    ]
    assert repo.git("check-attr", "merge", "src/x.py").stdout == "src/x.py: merge: santamerge\n"

    repo.git("reset", "-q", "--hard")  # used to put .gitattributes back: uninstalled
    assert repo.git("check-attr", "merge", "a.py").stdout == "a.py: merge: santamerge\n"
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(THEIRS, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit(OURS, "ours")
    merged = repo.git("merge", "--no-edit", "feature", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr  # through the driver
    assert repo.read("app.py") == b"import json\nimport os\nimport re\nimport sys\n\nX = 1\n"

    assert santamerge(repo.root, "install").stdout.count("0 pattern(s) added") == 1
    done = santamerge(repo.root, "uninstall")
    assert done.returncode == 0, done.stderr
    assert snapshot(*before) == before  # config, attributes, no ledger left
    assert repo.git("check-attr", "merge", "a.py").stdout == "a.py: merge: unspecified\n"


def test_shared_writes_the_tracked_file_and_uninstall_restores_it_byte_for_byte(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("r")
    repo.commit({".gitattributes": b"*.png binary\r\n*.txt text", **BASE}, "base")
    info = repo.root / ".git" / "info" / "attributes"
    info.write_bytes(b"*.lock -diff")  # no final newline either
    before = snapshot(repo.root / ".git" / "config", repo.root / ".gitattributes", info)

    assert santamerge(repo.root, "install", "--shared", "*.py").returncode == 0
    assert repo.git("status", "--porcelain").stdout == " M .gitattributes\n"
    assert repo.read(".gitattributes") == b"*.png binary\r\n*.txt text\n*.py merge=santamerge\n"
    assert santamerge(repo.root, "install", "*.java").returncode == 0  # and this clone's file
    assert info.read_bytes() == b"*.lock -diff\n*.java merge=santamerge\n"

    done = santamerge(repo.root, "uninstall")  # both: install wrote both
    assert done.returncode == 0, done.stderr
    assert snapshot(*before) == before
    assert repo.git("status", "--porcelain").stdout == ""


def test_uninstall_leaves_a_teams_tracked_lines_unless_shared(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("r")
    repo.commit({".gitattributes": "*.py merge=santamerge\n", **BASE}, "the team's routing")
    santamerge(repo.root, "install")
    done = santamerge(repo.root, "uninstall")
    assert done.returncode == 0
    assert repo.git("status", "--porcelain").stdout == ""
    assert ".gitattributes still routes 1 pattern(s)" in done.stderr
    assert "uninstall --shared" in done.stderr
    done = santamerge(repo.root, "uninstall", "--shared")
    assert repo.read(".gitattributes") == b""
    assert repo.git("status", "--porcelain").stdout == " M .gitattributes\n"


def test_global_install_and_uninstall_remove_the_files_they_created(
    isolated_git: Path, tmp_path: Path
) -> None:
    gitconfig = isolated_git / ".gitconfig"
    attributes = isolated_git / ".config" / "git" / "attributes"
    assert not gitconfig.exists() and not attributes.parent.exists()
    done = santamerge(tmp_path, "install", "--global", "*.py")
    assert done.returncode == 0, done.stderr
    assert attributes.read_text() == "*.py merge=santamerge\n"
    assert "merge-driver" in gitconfig.read_text()
    assert santamerge(tmp_path, "uninstall", "--global").returncode == 0
    assert not gitconfig.exists() and not attributes.exists()
    assert not attributes.parent.exists()  # install made ~/.config/git; it is gone again

    gitconfig.write_bytes(b"[user]\n\tname = Someone")  # no final newline
    santamerge(tmp_path, "install", "--global", "*.py")
    santamerge(tmp_path, "uninstall", "--global")
    assert gitconfig.read_bytes() == b"[user]\n\tname = Someone"


def test_doctor_says_what_is_routed_and_why_a_path_is_or_is_not_merged(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("r")
    repo.commit(
        {".gitattributes": "*.png binary\n", "sub/.gitattributes": "*.py merge=union\n", **BASE},
        "base",
    )
    done = santamerge(repo.root, "doctor", "app.py")
    assert done.returncode == 1
    assert "merge.santamerge.driver is not set" in done.stdout
    assert "app.py: does not go through santamerge: no merge attribute" in done.stdout

    santamerge(repo.root, "install", "*.py")
    done = santamerge(repo.root, "doctor", "app.py", "src/new.py")
    assert done.returncode == 0, done.stdout
    assert (
        "app.py: goes through santamerge: merge=santamerge (`*.py` in "
        ".git/info/attributes); the python grammar"
    ) in done.stdout
    assert "routes: .git/info/attributes (this clone): 1 pattern(s): *.py" in done.stdout

    done = santamerge(repo.root, "doctor", "sub/x.py", "logo.png", "notes.md", "--json")
    assert done.returncode == 1
    verdicts = {p["path"]: p for p in json.loads(done.stdout)["paths"]}
    # .git/info/attributes ranks above every .gitattributes: git's own precedence
    assert verdicts["sub/x.py"]["through_santamerge"]
    assert verdicts["logo.png"]["merge"] == "unset"
    assert verdicts["logo.png"]["line"]["pattern"] == "*.png"
    assert "santamerge install '*.md'" in verdicts["notes.md"]["why"]

    repo.git("config", "santamerge.policy", "bogus")
    done = santamerge(repo.root, "doctor", "app.py")
    assert done.returncode == 1
    assert (
        "setting 'policy' has the value 'bogus' (from git config santamerge.policy)" in done.stdout
    )
    repo.git("config", "--unset", "santamerge.policy")
    repo.git("config", "--unset", "merge.santamerge.driver")
    done = santamerge(repo.root, "doctor", "app.py")
    assert "but git config has no merge.santamerge.driver" in done.stdout

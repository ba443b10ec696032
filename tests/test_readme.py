"""The README speaks to users, and its first command, the demo, runs on a light
install: no model stack, no scratch repository left behind unasked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

# torch and the rest of the model stack, as if not installed; each import tried is logged
NO_MODEL_STACK = """import os
import sys


class NoModelStack:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"torch", "transformers", "tokenizers", "safetensors",
                                      "numpy"}:
            with open(os.environ["TRIED_LOG"], "a") as fh:
                fh.write(name + "\\n")
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoModelStack())
"""


@pytest.fixture
def light(tmp_path: Path) -> dict[str, str]:
    """The environment of `pip install santamerge` without its model extra."""
    site = tmp_path / "light-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_MODEL_STACK)
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "TRIED_LOG": str(tmp_path / "tried.log"),
        "TMPDIR": str(tmp_path / "tmp"),
    }


def demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "santamerge", "demo", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_demo_needs_no_model_and_removes_its_scratch_repository(light: dict[str, str]) -> None:
    done = demo(light)
    assert done.returncode == 0, done.stderr
    assert "import os\nimport pathlib\nimport shutil\n" in done.stdout  # the driver merged
    found = re.search(
        r"The scratch repository (\S+) is removed again; `santamerge demo "
        r"--keep` keeps it\.",
        done.stdout,
    )
    assert found, done.stdout
    assert found.group(1).startswith(light["TMPDIR"])
    assert not Path(found.group(1)).exists()
    assert os.listdir(light["TMPDIR"]) == []
    assert not Path(light["TRIED_LOG"]).exists()  # nothing tried to import the model stack


def test_the_demo_keeps_its_repository_when_asked_and_says_where(light: dict[str, str]) -> None:
    done = demo(light, "--keep")
    assert done.returncode == 0, done.stderr
    found = re.search(r"The scratch repository is kept in (\S+): ", done.stdout)
    assert found, done.stdout
    kept = Path(found.group(1))
    assert f"(in the scratch repository {kept})" in done.stdout
    assert (kept / "app.py").read_text().count("<<<<<<< ") == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=kept, capture_output=True, text=True, check=True
    )
    assert status.stdout == "UU app.py\n"  # routed by .git/info/attributes, nothing else
    assert not Path(light["TRIED_LOG"]).exists()


def test_the_readme_speaks_to_users() -> None:
    assert not re.search(r"\bissues? \d+", README, re.IGNORECASE), "issue numbers"
    assert "order-free" not in README
    for command in (
        "pipx install santamerge",
        "uv tool install santamerge",
        "pip install santamerge",
    ):
        assert command in README, command
    # the two project commands stay, word for word
    assert "bash .ci/setup && .venv/bin/santamerge demo" in README
    assert "bash .ci/setup && bash .ci/check && .venv/bin/python -m pytest" in README
    quick = README.index("pipx install santamerge")
    assert quick < README.index("bash .ci/setup"), "the users' start comes first"
    assert "santamerge doctor" in README and ".git/info/attributes" in README

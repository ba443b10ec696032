"""The project's habits hold together: CI runs the README's test command, the
pre-commit hook runs the same checks, and the version has one source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import santamerge

ROOT = Path(__file__).resolve().parent.parent


def readme_test_command() -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return lines[lines.index("# the tests") + 1]


def test_ci_runs_the_readmes_test_command_with_the_checks_first() -> None:
    command = readme_test_command()
    assert command.startswith("bash .ci/setup && bash .ci/check && ")
    assert command.endswith(" -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == command
    check = (ROOT / ".ci" / "check").read_text(encoding="utf-8").splitlines()
    assert "set -euo pipefail" in check
    assert ".venv/bin/ruff check santamerge tests" in check
    assert ".venv/bin/ruff format --check santamerge tests" in check
    assert ".venv/bin/mypy santamerge" in check


def test_the_pre_commit_hook_runs_the_ci_checks() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.findall(r"^\s+entry: (.+)$", config, re.MULTILINE) == ["bash .ci/check"]


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "santamerge/__init__.py"
    releases = re.findall(
        r"^## \[(\d[^\]]*)\]", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE
    )
    assert releases[0] == santamerge.__version__  # the changelog names the version

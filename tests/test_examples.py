"""Example merges, in the manner of mergiraf's ``tests/examples``.

Each folder ``tests/examples/<lang>/<case>/`` holds ``Base``, ``Ours`` and ``Theirs`` and
either ``Expected`` (what the merge driver must write to ``%A``) or, for a known failure,
``Current`` (what it writes today) and ``Ideal`` (what it should write). An optional
``Policy`` file names the auto-apply policy to run under (default: the driver's). The driver runs
as git runs it, in a subprocess; ``tests/examples/README.md`` explains how to add a case.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent / "examples"
ROOT = Path(__file__).parent.parent
CASES = sorted(base.parent for base in EXAMPLES.glob("*/*/Base.*"))


def _ext(case: Path) -> str:
    (base,) = case.glob("Base.*")
    return base.suffix.lstrip(".")


def _has_conflict(data: bytes) -> bool:
    return any(line.startswith(b"<<<<<<< ") for line in data.splitlines())


def _merge(case: Path, ext: str, work: Path) -> tuple[int, bytes]:
    """Run ``santamerge merge-driver %O %A %B %L %P``; return its status and ``%A``."""
    for stem in ("Base", "Ours", "Theirs"):
        shutil.copyfile(case / f"{stem}.{ext}", work / stem.lower())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANTAMERGE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["SANTAMERGE_TIMEOUT"] = "120"  # a slow machine must not fall back to git's merge
    if (case / "Policy").is_file():  # a case of a policy other than the default
        env["SANTAMERGE_POLICY"] = (case / "Policy").read_text().strip()
    proc = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-driver", "base", "ours", "theirs", "7",
         f"src/app.{ext}"],
        cwd=work, env=env, capture_output=True, check=False, timeout=240,
    )
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    return proc.returncode, (work / "ours").read_bytes()


def test_examples_are_found() -> None:
    assert len(CASES) >= 12, f"expected example cases under {EXAMPLES}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_example(case: Path, tmp_path: Path) -> None:
    ext = _ext(case)
    names = {p.name for p in case.iterdir()}
    inputs = {f"{stem}.{ext}" for stem in ("Base", "Ours", "Theirs")} | (
        {"Policy"} & names)
    failing = {f"Current.{ext}", f"Ideal.{ext}"}
    assert inputs <= names, f"{case} needs {sorted(inputs)}"
    outputs = names - inputs
    assert outputs in ({f"Expected.{ext}"}, failing), (
        f"{case} needs Expected.{ext}, or Current.{ext} with Ideal.{ext}; it has "
        f"{sorted(outputs)}"
    )
    known_failure = outputs == failing
    want = (case / (f"Current.{ext}" if known_failure else f"Expected.{ext}")).read_bytes()
    status, got = _merge(case, ext, tmp_path)
    if known_failure and got == (case / f"Ideal.{ext}").read_bytes():
        pytest.fail(f"now solved: rename Ideal.{ext} to Expected.{ext} and delete Current.{ext}")
    what = (f"Current.{ext} (a regression, or a change to record there)" if known_failure
            else f"Expected.{ext}")
    assert got.decode("utf-8") == want.decode("utf-8"), f"the output differs from {what}"
    assert status == (1 if _has_conflict(want) else 0), "wrong exit status for git"

"""Example merges, in the manner of mergiraf's ``tests/examples``.

Each folder ``tests/examples/<lang>/<case>/`` holds ``Base``, ``Ours`` and ``Theirs`` and
either ``Expected`` (what the merge driver must write to ``%A``) or, for a known failure,
``Current`` (what it writes today) and ``Ideal`` (what it should write). A file
``Expected.<policy>.<ext>`` is what the driver must write under that auto-apply policy
(the case then runs under the default policy and under that one). The driver runs
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
# Each case under the default policy, and under each policy named by an
# ``Expected.<policy>.<ext>`` file in it.
RUNS = [(case, None) for case in CASES] + sorted(
    (extra.parent, extra.name.split(".")[1]) for extra in EXAMPLES.glob("*/*/Expected.*.*")
)


def _ext(case: Path) -> str:
    (base,) = case.glob("Base.*")
    return base.suffix.lstrip(".")


def _has_conflict(data: bytes) -> bool:
    return any(line.startswith(b"<<<<<<< ") for line in data.splitlines())


def _merge(case: Path, ext: str, work: Path, policy: str | None = None) -> tuple[int, bytes]:
    """Run ``santamerge merge-driver %O %A %B %L %P``; return its status and ``%A``."""
    for stem in ("Base", "Ours", "Theirs"):
        shutil.copyfile(case / f"{stem}.{ext}", work / stem.lower())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANTAMERGE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["SANTAMERGE_TIMEOUT"] = "120"  # a slow machine must not fall back to git's merge
    if policy is not None:
        env["SANTAMERGE_POLICY"] = policy
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "merge-driver",
            "base",
            "ours",
            "theirs",
            "7",
            f"src/app.{ext}",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        check=False,
        timeout=240,
    )
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    return proc.returncode, (work / "ours").read_bytes()


def test_examples_are_found() -> None:
    assert len(CASES) >= 12, f"expected example cases under {EXAMPLES}"


def _run_id(case: Path, policy: str | None) -> str:
    return f"{case.parent.name}/{case.name}" + (f"[{policy}]" if policy else "")


@pytest.mark.parametrize(("case", "policy"), RUNS, ids=[_run_id(*run) for run in RUNS])
def test_example(case: Path, policy: str | None, tmp_path: Path) -> None:
    ext = _ext(case)
    names = {p.name for p in case.iterdir()}
    inputs = {f"{stem}.{ext}" for stem in ("Base", "Ours", "Theirs")}
    failing = {f"Current.{ext}", f"Ideal.{ext}"}
    assert inputs <= names, f"{case} needs {sorted(inputs)}"
    outputs = {n for n in names - inputs if n.count(".") == 1}
    assert outputs in ({f"Expected.{ext}"}, failing), (
        f"{case} needs Expected.{ext}, or Current.{ext} with Ideal.{ext}; it has {sorted(outputs)}"
    )
    if policy is not None:
        want = (case / f"Expected.{policy}.{ext}").read_bytes()
        status, got = _merge(case, ext, tmp_path, policy)
        assert got.decode("utf-8") == want.decode("utf-8"), (
            f"the output under the {policy} policy differs from Expected.{policy}.{ext}"
        )
        assert status == (1 if _has_conflict(want) else 0), "wrong exit status for git"
        return
    known_failure = outputs == failing
    want = (case / (f"Current.{ext}" if known_failure else f"Expected.{ext}")).read_bytes()
    status, got = _merge(case, ext, tmp_path)
    if known_failure and got == (case / f"Ideal.{ext}").read_bytes():
        pytest.fail(f"now solved: rename Ideal.{ext} to Expected.{ext} and delete Current.{ext}")
    what = (
        f"Current.{ext} (a regression, or a change to record there)"
        if known_failure
        else f"Expected.{ext}"
    )
    assert got.decode("utf-8") == want.decode("utf-8"), f"the output differs from {what}"
    assert status == (1 if _has_conflict(want) else 0), "wrong exit status for git"

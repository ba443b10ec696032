"""The wheel carries the grammars' queries and the embedded model, and they load from it;
the model stack is the `model` extra; ruff and mypy are clean."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import santamerge

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_queries_and_loads_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("santamerge-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.endswith(".scm"))
    expected = sorted(
        f"santamerge/languages/queries/{p.relative_to(ROOT / 'grammars')}"
        for p in (ROOT / "grammars").rglob("*.scm")
    )
    assert shipped == expected
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    (metadata,) = (tmp_path / "site").glob("santamerge-*.dist-info/METADATA")
    # the version has one source, santamerge/__init__.py, which the build reads
    assert f"\nVersion: {santamerge.__version__}\n" in metadata.read_text()
    assert wheel.name.startswith(f"santamerge-{santamerge.__version__}-")
    requires = [
        line.removeprefix("Requires-Dist: ")
        for line in metadata.read_text().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    for name in ("torch", "transformers", "tokenizers", "safetensors"):  # santamerge[model]
        (entry,) = [r for r in requires if r.startswith(name)]
        assert "extra == 'model'" in entry, entry
    assert {
        "santamerge/models/embedded/model.safetensors",
        "santamerge/models/embedded/SHA256SUMS",
    } <= set(names)
    code = (
        "import santamerge, santamerge.treesitter as t, santamerge.languages.profiles as l\n"
        "from santamerge.model.backends.registry import load_backend\n"
        "print(santamerge.__file__)\n"
        "print(t.query_names(l.language_named('rust')), t.query(l.language_named('go'),"
        " 'imports') is not None)\n"
        "print(load_backend('embedded', device='cpu').describe()['family'])"
    )
    offline = {
        "PYTHONPATH": str(tmp_path / "site"),
        "PATH": "/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        env=offline,
    )
    first, second, third = out.stdout.splitlines()
    assert first.startswith(str(tmp_path / "site"))
    assert second == "['definitions', 'imports', 'misplaced', 'orderfree', 'stubs', 'uses'] True"
    assert third == "santacoder"  # the embedded model loads from the wheel, offline


def test_ruff_is_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow  # a minute; .ci/check runs mypy before the tests as well
def test_mypy_is_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout

"""User errors of `model`, `fill` and `complete` are one `santamerge: ...` line that says
what to do, with exit 2: never "internal error ... Please report it" (exit 3), and never
silence."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Repo

from santamerge.cli import cli

GEOMETRY = '''class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        """The distance from the origin."""
        ...

    def scale(self, k):
        return Point(self.x * k, self.y * k)
'''


def run(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def one_line(err: str, *words: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err
    assert err.startswith("santamerge: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANTAMERGE_AUTOSTART", "0")
    (tmp_path / "geometry.py").write_text(GEOMETRY)
    (tmp_path / "notes.txt").write_text("buy milk\n")
    (tmp_path / "before.py").write_text("def f(x):\n    return ")
    (tmp_path / "after.py").write_text("\n")
    (tmp_path / "blob.py").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "nul.py").write_bytes(b"x = 1\0\n")
    return tmp_path


def test_model_info_on_a_device_this_torch_cannot_use(files: Path) -> None:
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    device = f"cuda:{count}" if count else "cuda"  # past the last GPU, or no CUDA at all
    code, out, err = run("model", "info", "--device", device, cwd=files)
    assert code == 2 and out == ""
    one_line(err, f"device '{device}'", "--device cpu or auto" if not count else "cuda:0")
    if not count:
        assert "install a CUDA build of torch" in err


@pytest.mark.parametrize(
    "command",
    [
        ["fill"],
        ["fill", "--check"],
        ["model", "info"],
        ["complete", "--prefix-file", "before.py", "--suffix-file", "after.py"],
        ["serve", "--port", "0"],
    ],
)
def test_a_device_that_does_not_exist(files: Path, command: list[str]) -> None:
    args = [*command, "--device", "tpu"] + (["geometry.py"] if command[0] == "fill" else [])
    code, _, err = run(*args, cwd=files)
    assert code == 2
    one_line(err, "there is no device 'tpu'", "auto, cpu, cuda")


def test_a_device_from_the_environment_is_checked_too(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANTAMERGE_DEVICE", "tpu")
    code, _, err = run("fill", "geometry.py", cwd=files)
    assert code == 2
    one_line(err, "there is no device 'tpu'", "SANTAMERGE_DEVICE")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-n", "0"], ["-n 0", "at least 1"]),
        (["-n", "-2"], ["-n -2", "at least 1"]),
        (["--max-new-tokens", "0"], ["--max-new-tokens 0"]),
        (["--top-p", "0"], ["--top-p 0"]),
        (["--temperature", "-1"], ["--temperature -1"]),
    ],
)
def test_complete_refuses_counts_below_one(files: Path, args: list[str], words: list[str]) -> None:
    code, out, err = run(
        "complete", "--prefix-file", "before.py", "--suffix-file", "after.py", *args, cwd=files
    )
    assert code == 2 and out == ""
    one_line(err, *words)


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (
            ["--prefix-file", "blob.py", "--suffix-file", "after.py"],
            None,
            ["--prefix-file blob.py is not UTF-8 text"],
        ),
        (
            ["--prefix-file", "before.py", "--suffix-file", "nul.py"],
            None,
            ["--suffix-file nul.py", "binary"],
        ),
        (
            ["--prefix-file", "-", "--suffix-file", "after.py"],
            bytes(range(128, 256)),
            ["--prefix-file standard input is not UTF-8 text"],
        ),
    ],
)
def test_complete_refuses_binary_files(
    files: Path, args: list[str], stdin: bytes | None, words: list[str]
) -> None:
    code, out, err = run("complete", *args, cwd=files, stdin=stdin)
    assert code == 2 and out == ""
    one_line(err, *words, "give a source file")


def test_fill_refuses_a_file_it_has_no_grammar_for(files: Path) -> None:
    code, out, err = run("fill", "notes.txt", cwd=files)
    assert code == 2 and out == ""
    one_line(err, "notes.txt", "no grammar", "Python, Java")
    code, out, err = run("fill", "--check", "notes.txt", "geometry.py", cwd=files)
    assert code == 1 and out == "geometry.py:6: Point.norm is a stub (ellipsis)\n"
    one_line(err, "warning: notes.txt skipped: no grammar")


def test_fill_only_a_name_that_does_not_exist(files: Path) -> None:
    for mode in ([], ["--check"]):
        code, out, err = run("fill", *mode, "--only", "nosuchfunc", "geometry.py", cwd=files)
        assert code == 2 and out == ""
        one_line(err, "--only nosuchfunc: no function or method of that name in geometry.py")
    code, out, err = run("fill", "--check", "--only", "scale", "geometry.py", cwd=files)
    assert code == 0 and out == ""
    one_line(err, "scale is not a stub; nothing to fill")


@pytest.mark.parametrize("n", ["0", "-1"])
def test_fill_refuses_no_samples(files: Path, n: str) -> None:
    code, out, err = run("fill", "-n", n, "geometry.py", cwd=files)
    assert code == 2 and out == ""
    one_line(err, f"-n {n}", "at least 1")
    assert (files / "geometry.py").read_text() == GEOMETRY


# -- without the model stack (santamerge installed without its `model` extra) ----------

NO_MODEL_STACK = '''import sys


class NoModelStack:
    """torch, transformers, tokenizers, safetensors and numpy, as if not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"torch", "transformers", "tokenizers", "safetensors",
                                      "numpy"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoModelStack())
'''
NEEDS_IT = (
    "santamerge: the model 'embedded' needs the model stack: pip install 'santamerge[model]'\n"
)


@pytest.fixture
def no_model_stack(tmp_path: Path) -> dict[str, str]:
    """The environment of a process in which the model stack cannot be imported."""
    site = tmp_path / "no-model-stack"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_MODEL_STACK)
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "SANTAMERGE_AUTOSTART": "0"}


def santamerge(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_without_the_model_stack_a_model_is_one_line_saying_what_to_install(
    files: Path, no_model_stack: dict[str, str]
) -> None:
    torch = subprocess.run(
        [sys.executable, "-c", "import torch"],
        env=no_model_stack,
        capture_output=True,
        text=True,
        check=False,
    )
    assert torch.returncode == 1 and "No module named 'torch'" in torch.stderr
    for args in (
        ["model", "info"],
        ["complete", "--prefix-file", "before.py", "--suffix-file", "after.py"],
        ["fill", "geometry.py"],
    ):
        done = santamerge(no_model_stack, files, *args)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", NEEDS_IT), args
    assert (files / "geometry.py").read_text() == GEOMETRY
    for args, who, what in (
        (
            ["model", "train", "--steps", "1", "--work-dir", "w"],
            "santamerge model train",
            "the model stack: pip install 'santamerge[model]'",
        ),
        (
            ["bench", "ranker", "--repo", ".", "--repo", ".", "--out", "r.json"],
            "santamerge bench ranker",
            "the train extra: pip install 'santamerge[train]'",
        ),
    ):
        done = santamerge(no_model_stack, files, *args)
        expected = f"santamerge: {who} needs {what}\n"
        assert (done.returncode, done.stdout, done.stderr) == (2, "", expected), args
    assert not (files / "w").exists() and not (files / "r.json").exists()


def test_without_the_model_stack_the_driver_and_fill_check_work(
    make_repo: Callable[[str], Repo], no_model_stack: dict[str, str]
) -> None:
    repo = make_repo("repo")
    repo.install_driver()
    done = repo.merge_branches(
        {"app.py": "import os\n\nX = 1\n"},
        {"app.py": "import os\nimport re\n\nX = 1\n"},
        {"app.py": "import os\nimport sys\n\nX = 1\n"},
        env={**no_model_stack, "SANTAMERGE_POLICY": "union"},
    )
    assert done.returncode == 0, done.stdout + done.stderr  # the driver resolved it
    assert repo.read("app.py") == b"import os\nimport re\nimport sys\n\nX = 1\n"
    repo.write("geometry.py", GEOMETRY)
    checked = santamerge(no_model_stack, repo.root, "fill", "--check", "geometry.py")
    assert (checked.returncode, checked.stdout, checked.stderr) == (
        1,
        "geometry.py:6: Point.norm is a stub (ellipsis)\n",
        "",
    )

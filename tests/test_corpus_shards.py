"""The corpus that travels (santamerge/training/shards.py): packages read from their
archives with their own licence metadata, packed into checked xz shards, and trained on
by `santamerge model train --corpus` (the GPU run's command, at a tiny scale on the CPU).
The archives here are written by the test; the registries are not reached."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from santamerge.errors import SantamergeError
from santamerge.training import shards
from santamerge.training.shards import Package

FUNCTIONS = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(40))


def tarball(path: Path, top: str, files: dict[str, str | bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


@pytest.fixture
def archives(tmp_path: Path) -> dict[str, Path]:
    """A PyPI source distribution and an npm tarball, as their registries ship them."""
    folder = tmp_path / "archives"
    folder.mkdir()
    pypi = tarball(
        folder / "calc-1.0.tar.gz",
        "calc-1.0",
        {
            "PKG-INFO": "Metadata-Version: 2.4\nName: calc\nVersion: 1.0\n"
            "License-Expression: MIT\n",
            "calc/core.py": FUNCTIONS,
            "calc/_vendor/six.py": "x = 1\n",  # vendored: someone else's code
            "calc/data/table.py": "T = [1]\n",  # data folders are left out
            "calc/minified.py": "x = 1;" * 400 + "\n",  # a line over 1,000 characters
            "calc/latin.py": b"# caf\xe9\n",  # not UTF-8
            "README.md": "# calc\n",
        },
    )
    npm = tarball(
        folder / "tiny-2.0.0.tgz",
        "package",
        {
            "package.json": json.dumps({"name": "tiny", "version": "2.0.0", "license": "ISC"}),
            "lib/index.js": "export function add(a, b) {\n  return a + b;\n}\n" * 10,
            "lib/index.d.ts": "export declare function add(a: number, b: number): number;\n",
            "dist/tiny.min.js": "var a=1;\n",
        },
    )
    gpl = tarball(
        folder / "copyleft-0.1.tar.gz",
        "copyleft-0.1",
        {
            "PKG-INFO": "Metadata-Version: 2.1\nName: copyleft\nVersion: 0.1\nLicense: GPL-3.0\n",
            "copyleft/x.py": FUNCTIONS,
        },
    )
    return {"calc": pypi, "tiny": npm, "copyleft": gpl}


PACKAGES = (Package("pypi", "calc", "1.0", "MIT"), Package("npm", "tiny", "2.0.0", "ISC"))


def local(archives: dict[str, Path]) -> shards.Fetch:
    return lambda package, cache: archives[package.name]


def test_shards_keep_hand_written_code_with_its_licence_and_checksums(
    tmp_path: Path, archives: dict[str, Path]
) -> None:
    out = tmp_path / "shards"
    built = shards.build(
        out, tmp_path / "cache", PACKAGES, fetcher=local(archives), shard_bytes=2_000
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == built.manifest and manifest["schema"] == 1
    calc, tiny = manifest["sources"]
    assert (calc["licence"], calc["evidence"]) == ("MIT", "PKG-INFO License-Expression: MIT")
    assert (tiny["licence"], tiny["evidence"]) == ("ISC", "package.json license: ISC")
    assert (
        calc["archive_sha256"]
        == __import__("hashlib").sha256(archives["calc"].read_bytes()).hexdigest()
    )
    assert len(manifest["shards"]) > 1  # cut at 2,000 bytes of text
    corpus = shards.read_shards(out)
    assert [(d.source, d.path) for d in corpus.documents] == [
        ("pypi:calc", "calc/core.py"),
        ("npm:tiny", "lib/index.js"),
    ]
    assert corpus.documents[0].text == FUNCTIONS
    assert [s.licence for s in corpus.sources] == ["MIT", "ISC"]

    first = out / manifest["shards"][0]["file"]
    first.write_bytes(first.read_bytes()[:-1] + b"\0")
    with pytest.raises(SantamergeError, match="sha256 differs from the manifest"):
        shards.read_shards(out)


def test_a_package_whose_metadata_is_not_permissive_is_refused(
    tmp_path: Path, archives: dict[str, Path]
) -> None:
    listed_as_mit = (Package("pypi", "copyleft", "0.1", "MIT"),)
    with pytest.raises(SantamergeError, match=r"metadata says .*GPL-3.0.* not MIT"):
        shards.build(tmp_path / "out", tmp_path / "cache", listed_as_mit, fetcher=local(archives))


def test_the_budget_stops_adding_packages(tmp_path: Path, archives: dict[str, Path]) -> None:
    """calc holds about 1.4 KB of code and tiny 0.45 KB; before a shard is done the
    compressed size is estimated at 0.3 of the text (about 420 and 135 bytes)."""

    def build(name: str, budget_bytes: float) -> dict[str, object]:
        return shards.build(
            tmp_path / name,
            tmp_path / "cache",
            PACKAGES,
            budget_mib=budget_bytes / 2**20,
            fetcher=local(archives),
        ).manifest

    both = build("both", 600)
    assert [s["name"] for s in both["sources"]] == ["calc", "tiny"]
    first = build("first", 500)
    assert [s["name"] for s in first["sources"]] == ["calc"]
    assert first["left_out"] == [{"name": "tiny", "why": "it would not fit the budget"}]
    second = build("second", 300)  # calc does not fit; the next package is still tried
    assert [s["name"] for s in second["sources"]] == ["tiny"]
    assert second["left_out"] == [{"name": "calc", "why": "it would not fit the budget"}]
    none = build("none", 0)
    assert none["sources"] == [] and {r["why"] for r in none["left_out"]} == {  # type: ignore[union-attr]
        "the budget was reached"
    }


def test_the_gpu_command_trains_on_shards_at_a_tiny_scale(
    tmp_path: Path, archives: dict[str, Path]
) -> None:
    """`santamerge model train --corpus SHARDS`, as docs/model-card.md gives it for the
    GPU, with the micro config, on the CPU, for two steps."""
    out = tmp_path / "shards"
    shards.build(out, tmp_path / "cache", PACKAGES, fetcher=local(archives))
    model = tmp_path / "model"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "model",
            "train",
            "--config",
            "micro",
            "--device",
            "cpu",
            "--steps",
            "2",
            "--corpus",
            str(out),
            "--work-dir",
            str(tmp_path / "work"),
            "--out",
            str(model),
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    card = json.loads((model / "corpus.json").read_text())
    assert [s["name"] for s in card["sources"]] == ["pypi:calc", "npm:tiny"]
    assert card["sources"][0]["tokens"]["train"] > 0
    assert json.loads((model / "training.json").read_text())["steps"] == 2


def test_the_pinned_list_is_permissive_and_unique() -> None:
    names = [(p.registry, p.name.lower()) for p in shards.PACKAGES]
    assert len(names) == len(set(names))
    assert {p.licence for p in shards.PACKAGES} <= set(shards.ALLOWED.values())


def test_the_embedded_model_continues_with_a_1024_token_context(
    tmp_path: Path, archives: dict[str, Path]
) -> None:
    """`--config tiny-1k --init-from embedded`: the shipped weights and tokenizer, the
    context doubled, the first 512 positions kept."""
    from safetensors.numpy import load_file

    from santamerge.model.backends.embedded import embedded_path

    out = tmp_path / "shards"
    shards.build(out, tmp_path / "cache", PACKAGES, fetcher=local(archives))
    model = tmp_path / "model"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "model",
            "train",
            "--config",
            "tiny-1k",
            "--init-from",
            "embedded",
            "--device",
            "cpu",
            "--steps",
            "1",
            "--corpus",
            str(out),
            "--work-dir",
            str(tmp_path / "work"),
            "--out",
            str(model),
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((model / "config.json").read_text())["n_positions"] == 1024
    vocab = [
        json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
        for folder in (model, embedded_path())
    ]
    assert vocab[0] == vocab[1]  # the shipped tokenizer, kept
    new = load_file(str(model / "model.safetensors"))["transformer.wpe.weight"]
    old = load_file(str(embedded_path() / "model.safetensors"))["transformer.wpe.weight"]
    assert new.shape == (1024, old.shape[1])
    kept = old.shape[0]  # the shipped model's learned positions: one small step away
    assert abs(new[:kept] - old).max() < 0.05


def test_the_prepared_gpu_script_runs_on_the_cpu_at_a_tiny_scale(
    tmp_path: Path, archives: dict[str, Path]
) -> None:
    """tests/bench/gpu_train.sh, the command docs/model-card.md gives whoever gets a GPU,
    with CONFIG=micro DEVICE=cpu STEPS=2: the model comes back in parts that rebuild it."""
    import os

    corpus = tmp_path / "shards"
    shards.build(corpus, tmp_path / "cache", PACKAGES, fetcher=local(archives))
    out = tmp_path / "out"
    out.mkdir()
    env = {
        **os.environ,
        "OUT": str(out),
        "CONFIG": "micro",
        "DEVICE": "cpu",
        "STEPS": "2",
        "CORPUS": str(corpus),
        "WORK": str(tmp_path / "work"),
        "MODEL": str(tmp_path / "model"),
        "PYTHON": sys.executable,
    }
    script = Path(__file__).resolve().parent / "bench" / "gpu_train.sh"
    proc = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exported" in (out / "train.log").read_text()
    parts = sorted(out.glob("model.tar.part-*"))
    assert parts and all(p.stat().st_size <= 15 * 2**20 for p in parts)
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    data = b"".join(p.read_bytes() for p in parts)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(rebuilt, filter="data")
    check = subprocess.run(
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"],
        cwd=rebuilt,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr

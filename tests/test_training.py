"""The training pipeline: corpus split, tokenizer, FIM transform, packing, train/resume/export."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from santamerge.training import corpus
from santamerge.training.fim_data import (
    FimSample,
    Packer,
    Prefetcher,
    encode_sample,
    fim_split,
    plain_sequences,
    render,
    split_pieces,
)
from santamerge.training.tokenizer import SPECIAL_TOKENS, SpecialIds

TEXTS = [
    "def add(a, b):\n    return a + b\n\n\nclass Point:\n    x: int = 0\n    y: int = 0\n",
    "import os\n\nfor name in os.listdir('.'):\n    print(name.upper())\n",
    "function greet(name) {\n  return `hello ${name}`;\n}\nmodule.exports = greet;\n",
] * 8
DOCS = [("test", f"m{i}.py", text) for i, text in enumerate(TEXTS)]
IDS = SpecialIds(eos=0, prefix=1, middle=2, suffix=3, pad=4)


def _chars(texts: list[str]) -> list[list[int]]:
    return [[ord(c) for c in t] for t in texts]


def test_fim_split_round_trips_and_uses_every_mode() -> None:
    rng = random.Random(7)
    modes = set()
    for i in range(400):
        text = TEXTS[i % len(TEXTS)][: i % 70]
        sample = fim_split(text, rng)
        assert sample.prefix + sample.middle + sample.suffix == text
        assert sample.document == text
        modes.add(sample.mode)
        if sample.mode == "plain":
            assert (sample.middle, sample.suffix) == ("", "")
    assert modes == {"plain", "psm", "spm"}


def test_short_spans_are_a_line_tail_or_whole_lines() -> None:
    rng = random.Random(5)
    text = "def f(a):\n    b = a + 1\n    return b\n\nx = f(2)\n"
    for _ in range(300):
        sample = fim_split(text, rng, fim_rate=1.0, short_rate=1.0)
        assert sample.document == text
        middle = sample.middle
        whole_lines = (sample.prefix == "" or sample.prefix.endswith("\n")) and (
            middle.endswith("\n") and middle.count("\n") <= 3
        )
        line_tail = "\n" not in middle and (sample.suffix == "" or sample.suffix[0] == "\n")
        assert whole_lines or line_tail, sample
    assert fim_split("", rng, fim_rate=1.0, short_rate=1.0).document == ""


def test_fim_rates_are_about_one_half() -> None:
    rng = random.Random(1)
    modes = [fim_split("x" * 50, rng).mode for _ in range(4000)]
    assert 0.45 < modes.count("plain") / 4000 < 0.55
    assert 0.45 < modes.count("spm") / (4000 - modes.count("plain")) < 0.55


def test_render_layouts_are_santacoder_s() -> None:
    psm = render(FimSample("psm", "P", "M", "S"))
    spm = render(FimSample("spm", "P", "M", "S"))
    assert psm == "<fim-prefix>P<fim-suffix>S<fim-middle>M<|endoftext|>"
    assert spm == "<fim-prefix><fim-suffix>S<fim-middle>PM<|endoftext|>"
    assert render(FimSample("plain", "T", "", "")) == "T<|endoftext|>"


def test_encode_sample_orders_the_parts_by_token_ids() -> None:
    p, m, s = ord("P"), ord("M"), ord("S")
    assert encode_sample(FimSample("psm", "P", "M", "S"), _chars, IDS) == [1, p, 3, s, 2, m, 0]
    assert encode_sample(FimSample("spm", "P", "M", "S"), _chars, IDS) == [1, 3, s, 2, p, m, 0]
    assert encode_sample(FimSample("plain", "PM", "", ""), _chars, IDS) == [p, m, 0]


def test_split_pieces_keeps_the_text_and_the_limit() -> None:
    text = "".join(TEXTS)
    pieces = split_pieces(text, 60)
    assert "".join(pieces) == text
    assert all(len(p) <= 60 or p.count("\n") == 1 for p in pieces)
    assert split_pieces("x" * 100 + "\n", 10) == ["x" * 100 + "\n"]


def test_packer_resumes_the_same_stream() -> None:
    first = Packer(TEXTS, _chars, IDS, length=33, seed=3)
    first.batch(5)
    state = first.state()
    expected = first.batch(80)  # crosses an epoch boundary
    assert first.epoch >= 1
    second = Packer(TEXTS, _chars, IDS, length=33, seed=3)
    second.restore(state)
    assert second.batch(80) == expected
    assert all(len(seq) == 33 for seq in expected)


def test_prefetcher_gives_the_packers_stream_and_the_consumed_state() -> None:
    plain = Packer(TEXTS, _chars, IDS, length=33, seed=3)
    expected = [plain.batch(4) for _ in range(12)]
    stream = Prefetcher(Packer(TEXTS, _chars, IDS, length=33, seed=3), 4, depth=2)
    try:
        got = [stream.next() for _ in range(5)]
        state = stream.state()  # after the 5th batch, though the thread is further on
        got += [stream.next() for _ in range(7)]
    finally:
        stream.close()
    assert got == expected
    resumed = Packer(TEXTS, _chars, IDS, length=33, seed=3)
    resumed.restore(state)
    assert [resumed.batch(4) for _ in range(7)] == expected[5:]


def test_prefetcher_raises_the_packers_error_in_the_consumer() -> None:
    def broken(texts: list[str]) -> list[list[int]]:
        raise ValueError("tokenizer broke")

    stream = Prefetcher(Packer(TEXTS, broken, IDS, length=33, seed=3), 4)
    try:
        with pytest.raises(ValueError, match="tokenizer broke"):
            stream.next()
    finally:
        stream.close()


def test_plain_sequences_pack_documents_with_eos() -> None:
    seqs = plain_sequences(["ab", "cd"], _chars, 0, 3, 10)
    assert seqs == [[97, 98, 0], [99, 100, 0]]


def test_held_out_split_is_fixed_and_about_two_percent() -> None:
    paths = [f"pkg/module_{i}.py" for i in range(20_000)]
    held = [p for p in paths if corpus.is_held_out("python-stdlib", p)]
    assert 0.015 < len(held) / len(paths) < 0.025
    assert held == [p for p in paths if corpus.is_held_out("python-stdlib", p)]


def test_stdlib_documents_skip_tests_generated_large_and_binary(tmp_path: Path) -> None:
    files = {
        "os.py": "import sys\n",
        "json/decoder.py": "x = 1\n",
        "test/test_os.py": "t\n",
        "idlelib/run.py": "i\n",
        "lib2to3/tests/data.py": "d\n",
        "lib2to3/pytree.py": "p\n",
        "site-packages/pkg/mod.py": "s\n",
        "_sysconfigdata__linux.py": "c\n",
        "encodings/cp1252.py": '""" Python Character Mapping Codec cp1252 """\n',
        "big.py": "#" * (corpus.MAX_BYTES + 1),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin.py").write_bytes(b"# caf\xe9\n")
    found = [d.path for d in corpus.stdlib_documents(tmp_path)]
    assert found == ["json/decoder.py", "lib2to3/pytree.py", "os.py"]


def test_manifest_lists_sources_counts_and_held_out(tmp_path: Path) -> None:
    docs = tuple(corpus.Document("python-stdlib", f"m{i}.py", "x = 1\n") for i in range(300))
    data = corpus.manifest(
        corpus.Corpus((corpus.stdlib_source(),), docs), lambda texts: sum(map(len, texts))
    )
    (row,) = data["sources"]  # type: ignore[misc]
    held = data["held_out"]
    assert row["licence"] == "PSF-2.0"
    assert row["files"]["train"] + row["files"]["held_out"] == 300
    assert row["tokens"]["held_out"] == 6 * row["files"]["held_out"] == 6 * len(held)
    corpus.write_manifest(tmp_path / "corpus.json", data)
    (tmp_path / "lib").mkdir()
    for entry in held:
        (tmp_path / "lib" / entry["path"]).write_text("x = 1\n", encoding="utf-8")
    back = corpus.held_out_documents(
        corpus.load_manifest(tmp_path / "corpus.json"), root=tmp_path / "lib"
    )
    assert [d.path for d in back] == [e["path"] for e in held]


def test_tokenizer_has_the_special_tokens_first(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from santamerge.training.tokenizer import special_ids, train_tokenizer
    from santamerge.training.train import save_tokenizer

    save_tokenizer(train_tokenizer(TEXTS, 300), tmp_path)
    tok = AutoTokenizer.from_pretrained(str(tmp_path))
    assert tok.convert_ids_to_tokens([0, 1, 2, 3, 4]) == list(SPECIAL_TOKENS)
    for token in SPECIAL_TOKENS:
        assert len(tok.encode(token, add_special_tokens=False)) == 1
    assert (tok.eos_token_id, tok.bos_token_id, tok.unk_token_id) == (0, 0, 0)
    assert tok.pad_token == "<fim-pad>"
    assert special_ids(tok) == IDS
    prompt = "<fim-prefix>def f():\n<fim-suffix>\n<fim-middle>"
    ids = tok.encode(prompt, add_special_tokens=False)
    assert ids[0] == 1 and ids[-1] == 2 and tok.decode(ids) == prompt


def test_train_checkpoints_resumes_and_exports(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from santamerge.model.checksums import mismatches
    from santamerge.training.train import TrainOptions, train

    work, out = tmp_path / "work", tmp_path / "out"
    events: list[dict[str, object]] = []
    options = TrainOptions(
        recipe="micro", device="cpu", steps=2, work_dir=work, out=out, threads=1, log_every=1
    )
    first = train(options, events.append, DOCS)
    assert first.steps == 2 and (work / "checkpoint.pt").is_file()
    assert torch.load(work / "checkpoint.pt", weights_only=False)["step"] == 2
    second = train(options._replace(steps=4, resume=True), events.append, DOCS)
    starts = [e for e in events if e["event"] == "start"]
    assert [s["step"] for s in starts] == [0, 2] and starts[1]["resumed"]
    assert [e["step"] for e in events if e["event"] == "train"] == [1, 2, 3, 4]
    assert second.steps == 4 and second.tokens == 2 * first.tokens
    logged = [json.loads(line) for line in (work / "train-log.jsonl").read_text().splitlines()]
    assert {"step", "tokens", "loss", "lr", "tokens_per_s", "elapsed"} <= set(logged[-4])

    names = {p.name for p in out.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "SHA256SUMS",
        "corpus.json",
        "training.json",
    } <= names
    assert mismatches(out) == []
    listed = [line.split("  ")[1] for line in (out / "SHA256SUMS").read_text().splitlines()]
    assert sorted(listed) == sorted(names - {"SHA256SUMS"})
    check = subprocess.run(
        ["sha256sum", "--check", "--quiet", "SHA256SUMS"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    model = AutoModelForCausalLM.from_pretrained(str(out))
    tok = AutoTokenizer.from_pretrained(str(out))
    assert model.config.model_type == "gpt_bigcode" and model.config.multi_query
    assert (model.config.bos_token_id, model.config.eos_token_id) == (0, 0)
    assert model.config.pad_token_id == tok.pad_token_id == 4
    prompt = tok("<fim-prefix>def add(a, b):\n<fim-suffix>\n<fim-middle>", return_tensors="pt")
    generated = model.generate(**prompt, max_new_tokens=3, do_sample=False)
    assert generated.shape[1] <= prompt["input_ids"].shape[1] + 3


def test_train_refuses_to_overwrite_or_misresume_a_checkpoint(tmp_path: Path) -> None:
    import signal

    from santamerge.errors import SantamergeError
    from santamerge.training.train import TrainOptions, train

    handler = signal.getsignal(signal.SIGINT)
    options = TrainOptions(
        recipe="micro",
        device="cpu",
        steps=1,
        work_dir=tmp_path / "w",
        out=tmp_path / "out",
        threads=1,
    )
    train(options, None, DOCS)
    assert signal.getsignal(signal.SIGINT) is handler
    with pytest.raises(SantamergeError, match="--resume"):
        train(options, None, DOCS)
    with pytest.raises(SantamergeError, match="corpus differs"):
        train(options._replace(resume=True, steps=2), None, DOCS[:-1])


def test_sha256sums_detects_a_changed_file(tmp_path: Path) -> None:
    from santamerge.model.checksums import mismatches, sha256sums

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "SHA256SUMS").write_text(sha256sums(tmp_path))
    assert mismatches(tmp_path) == []
    (tmp_path / "a.txt").write_text("b")
    assert mismatches(tmp_path) == ["a.txt"]


def test_learning_rate_warms_up_then_decays() -> None:
    from santamerge.training.train import RECIPES, learning_rate

    r = RECIPES["tiny"]
    assert learning_rate(r, 0, 0.0) < learning_rate(r, r.warmup_steps - 1, 0.0) == r.lr
    assert learning_rate(r, 10**6, 0.5) == pytest.approx(r.lr * (1 + r.min_lr_ratio) / 2)
    assert learning_rate(r, 10**6, 1.0) == pytest.approx(r.lr * r.min_lr_ratio)


def test_training_modules_import_no_torch_or_transformers() -> None:
    code = (
        "import sys, santamerge.commands.model_train, santamerge.training.train, "
        "santamerge.training.corpus, santamerge.training.fim_data, "
        "santamerge.training.tokenizer\n"
        "print(sorted(m for m in ('torch', 'transformers', 'tokenizers') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_train_command_help() -> None:
    from click.testing import CliRunner

    from santamerge.commands.model_train import train

    result = CliRunner().invoke(train, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--config",
        "--device",
        "--minutes",
        "--steps",
        "--work-dir",
        "--out",
        "--resume",
        "--threads",
    ):
        assert option in result.output

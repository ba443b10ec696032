"""The transformers backend's mechanics, on a small GPT-BigCode model made here.

The model is random (so its middles mean nothing), but it is a real transformers model
with a real tokenizer: the tests check the shared-prefill decoding against transformers'
own greedy ``generate``, and ``score`` against a plain full forward pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from santamerge.model.backends.base import BackendError
from santamerge.model.backends.registry import load_backend

SPECIAL = ["<|endoftext|>", "<fim-prefix>", "<fim-middle>", "<fim-suffix>", "<fim-pad>"]
CODE = [
    "def add(a, b):\n    return a + b\n",
    "import os\nprint(os.getcwd())\n",
    "class A:\n    def f(self):\n        return 1\n",
] * 20


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPTBigCodeConfig, GPTBigCodeForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-santacoder")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        CODE,
        trainers.BpeTrainer(
            vocab_size=300,
            special_tokens=SPECIAL,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|endoftext|>",
        bos_token="<|endoftext|>",
        pad_token="<fim-pad>",
    )
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPTBigCodeConfig(
        vocab_size=len(fast),
        n_positions=256,
        n_embd=32,
        n_layer=2,
        n_head=4,
        multi_query=True,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=fast.pad_token_id,
    )
    GPTBigCodeForCausalLM(config).save_pretrained(folder)
    return folder


def test_loads_a_local_folder_on_the_cpu(tiny_model: Path) -> None:
    backend = load_backend(str(tiny_model))
    facts = backend.describe()
    assert facts["family"] == "santacoder" and facts["device"] == "cpu"
    assert facts["dtype"] == "float32" and facts["multi_query"] is True
    assert facts["fim_tokens"] == {
        "prefix": "<fim-prefix>",
        "suffix": "<fim-suffix>",
        "middle": "<fim-middle>",
    }
    assert load_backend(f"transformers:{tiny_model}") is not None


def test_greedy_decoding_equals_transformers_generate(tiny_model: Path) -> None:
    import torch

    backend = load_backend(str(tiny_model))
    prompts = [
        backend.template.render("def add(a, b):\n    return ", "\n"),
        backend.template.render("import ", "\nprint(1)\n"),
    ]
    found = backend.generate(prompts, n=2, max_new_tokens=12, temperature=0.0)
    assert [len(c) for c in found] == [2, 2]
    model, tok = backend.model, backend.tokenizer  # type: ignore[attr-defined]
    for prompt, (first, second) in zip(prompts, found, strict=True):
        assert first == second  # greedy: both samples are the same
        ids = torch.tensor([tok(prompt, add_special_tokens=False)["input_ids"]])
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            do_sample=False,
            max_new_tokens=12,
            pad_token_id=tok.pad_token_id,
            eos_token_id=sorted(backend.stop_ids),
        )  # type: ignore[attr-defined]
        expected = [t for t in out[0, ids.shape[1] :].tolist() if t not in backend.stop_ids]  # type: ignore[attr-defined]
        assert first.text == backend.template.cut(tok.decode(expected))
        assert len(first.token_logprobs) == len(expected)
        assert all(lp <= 0.0 for lp in first.token_logprobs)


def test_sampling_returns_n_candidates_per_prompt(tiny_model: Path) -> None:
    backend = load_backend(str(tiny_model))
    prompts = [backend.template.render("x = ", "\n")] * 3
    found = backend.generate(prompts, n=4, max_new_tokens=6, temperature=1.0, top_p=0.9)
    assert [len(c) for c in found] == [4, 4, 4]
    assert all(c.finish in ("stop", "length") for cs in found for c in cs)


def test_score_equals_a_full_forward_pass(tiny_model: Path) -> None:
    import torch

    backend = load_backend(str(tiny_model))
    prompt = backend.template.render("def add(a, b):\n    return ", "\n")
    middles = ["a + b", "", "os.getcwd()"]
    scores = backend.score(prompt, middles)
    model, tok = backend.model, backend.tokenizer  # type: ignore[attr-defined]
    p = tok(prompt, add_special_tokens=False)["input_ids"]
    for middle, score in zip(middles, scores, strict=True):
        m = [*tok(middle, add_special_tokens=False)["input_ids"], tok.eos_token_id]
        with torch.inference_mode():
            logits = model(torch.tensor([p + m])).logits[0].float()
        lp = torch.log_softmax(logits, -1)
        expected = sum(float(lp[len(p) - 1 + i, t]) for i, t in enumerate(m))
        assert score == pytest.approx(expected, abs=1e-3)


def test_a_missing_model_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(BackendError, match="not in the local cache") as info:
        load_backend("nobody-santamerge/no-such-model")
    assert "\n" not in str(info.value)


def test_a_prompt_longer_than_the_context_is_one_clear_error(tiny_model: Path) -> None:
    backend = load_backend(str(tiny_model))
    with pytest.raises(BackendError, match="more than the model's context of 256"):
        backend.generate([backend.template.render("x = 1\n" * 200, "")])


def run_cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    from click.testing import CliRunner

    from santamerge.cli import cli

    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def test_model_info_json(tiny_model: Path) -> None:
    import json

    code, out = run_cli("model", "info", "--model", str(tiny_model), "--json")
    assert code == 0, out
    facts = json.loads(out)
    assert facts["family"] == "santacoder" and facts["chosen_by"] == "the command line"
    assert facts["parameters"] > 0 and facts["architecture"] == "gpt_bigcode"
    assert "good_for" not in facts  # said of the embedded model only


def test_model_info_says_what_the_embedded_model_is_good_for() -> None:
    import json

    code, out = run_cli("model", "info", "--json")
    assert code == 0, out
    said = json.loads(out)["good_for"]
    assert said.startswith("exercising the model path offline, not proposals")
    assert "--model embedded" in said


def test_complete_reads_stdin_and_prints_candidates(tiny_model: Path, tmp_path: Path) -> None:
    import json

    (tmp_path / "suffix.py").write_text("\n    return total\n")
    code, out = run_cli(
        "complete",
        "--prefix-file",
        "-",
        "--suffix-file",
        str(tmp_path / "suffix.py"),
        "--model",
        str(tiny_model),
        "-n",
        "3",
        "--max-new-tokens",
        "5",
        "--json",
        stdin="def f(xs):\n    total = ",
    )
    assert code == 0, out
    found = json.loads(out)
    assert found["family"] == "santacoder" and len(found["candidates"]) == 3
    means = [c["mean_logprob"] for c in found["candidates"]]
    assert means == sorted(means, reverse=True)


def test_model_eval_reports_the_model_beside_the_baselines(tiny_model: Path) -> None:
    import json

    sample = Path(__file__).parent / "fixtures" / "languages" / "python" / "sample.py"
    code, out = run_cli(
        "model",
        "eval",
        "--model",
        str(tiny_model),
        "--files",
        str(sample),
        "--lines",
        "4",
        "--bodies",
        "2",
        "--json",
    )
    assert code == 0, out
    rows = json.loads(out)["rows"]
    methods = {(r["kind"], r["method"]) for r in rows}
    assert ("line", "model") in methods and ("line", "best prefix line (oracle)") in methods
    assert ("body", "empty") in methods
    for r in rows:
        assert 0.0 <= r["exact"] <= 1.0 and 0.0 <= r["similarity"] <= 1.0
    assert {r["samples"] for r in rows if r["kind"] == "line"} == {4}


def test_score_fits_long_middles_by_dropping_the_oldest_prompt_tokens() -> None:

    backend = load_backend("embedded")
    context = backend.context_length
    assert context is not None
    prompt = backend.template.render("x = 1\n" * 400, "\n")  # longer than the context
    middle = "y = 2\n" * 20
    (found,) = backend.score(prompt, [middle])
    assert found < 0
    with pytest.raises(BackendError, match="does not fit the model's context"):
        backend.score(prompt, ["z = 3\n" * context])


def test_fim_order_comes_from_the_option_or_the_model_folder(tmp_path: Path) -> None:
    import json
    import shutil

    from santamerge.model.backends.embedded import embedded_path

    assert load_backend("embedded").template.order == "psm"
    folder = tmp_path / "model"
    shutil.copytree(embedded_path(), folder)
    (folder / "santamerge.json").write_text(json.dumps({"fim_order": "spm"}))
    backend = load_backend(str(folder))
    assert backend.template.order == "spm"
    assert backend.template.render("P", "S") == "<fim-prefix><fim-suffix>S<fim-middle>P"
    assert load_backend(str(folder), fim_order="psm").template.order == "psm"
    with pytest.raises(BackendError, match="unknown FIM order"):
        load_backend(str(folder), fim_order="mps")


def test_complete_keeps_the_lines_nearest_the_gap_that_fit_the_context(
    tiny_model: Path, tmp_path: Path
) -> None:
    """A raw prompt over the context is refused (above); `complete` builds its prompt,
    so it keeps the whole lines nearest the gap that fit, as merges and fill do."""
    import json
    import subprocess
    import sys

    prefix = "".join(f"value_{i} = {i}\n" for i in range(400)) + "total = "
    (tmp_path / "before.py").write_text(prefix)
    (tmp_path / "after.py").write_text("\nprint(total)\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "complete",
            "--prefix-file",
            str(tmp_path / "before.py"),
            "--suffix-file",
            str(tmp_path / "after.py"),
            "--model",
            str(tiny_model),
            "--max-new-tokens",
            "4",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "and the model's context 256: kept the" in proc.stderr
    assert len(json.loads(proc.stdout)["candidates"]) == 1


def test_model_eval_fills_the_fixed_held_out_files() -> None:
    """Every model is measured on the same standard-library files (santamerge/data/
    eval-files.json), whatever corpus it was trained on; some are gone in newer Pythons."""
    from santamerge.commands.model import _eval_files

    files = _eval_files(())
    names = [name for name, _ in files]
    assert 0 < len(files) <= 14 and all(n.endswith(".py") for n in names)
    if sys.version_info[:2] == (3, 11):
        assert len(files) == 14 and "urllib/request.py" in names

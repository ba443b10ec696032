"""FIM templates from real (tiny) tokenizers: detection by vocabulary, exact prompts, stops."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from santamerge.errors import NoFimTemplateError
from santamerge.model.fim import (
    FAMILIES,
    ContextFile,
    FimTemplate,
    detect_template,
    template_for_tokenizer,
)

PRE, SUF = "def f(x):\n    ", "\n    return y\n"
CTX, REPO, PATH = (ContextFile("util.py", "K = 1\n"),), "acme/tools", "src/app.py"
CORPUS = ["def f(x):\n    return x + 1\n", "K = 1\nimport os\n", "class A:\n    pass\n"] * 3

# family, the special tokens of its real tokenizer, render(PRE, SUF), render(with context)
CASES = [
    (
        "santacoder",
        ["<|endoftext|>", "<fim-prefix>", "<fim-middle>", "<fim-suffix>", "<fim-pad>"],
        "<fim-prefix>def f(x):\n    <fim-suffix>\n    return y\n<fim-middle>",
        "<fim-prefix>util.py\nK = 1\n\ndef f(x):\n    <fim-suffix>\n    return y\n<fim-middle>",
    ),
    (
        "starcoder",
        [
            "<|endoftext|>",
            "<fim_prefix>",
            "<fim_middle>",
            "<fim_suffix>",
            "<fim_pad>",
            "<filename>",
            "<gh_stars>",
            "<issue_start>",
            "<commit_before>",
            "<reponame>",
        ],
        "<fim_prefix>def f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
        "<reponame>acme/tools<filename>util.py\nK = 1\n<|endoftext|>"
        "<fim_prefix><reponame>acme/tools<filename>src/app.py\n"
        "def f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
    ),
    (
        "starcoder2",
        [
            "<|endoftext|>",
            "<fim_prefix>",
            "<fim_middle>",
            "<fim_suffix>",
            "<fim_pad>",
            "<repo_name>",
            "<file_sep>",
            "<issue_start>",
            "<jupyter_start>",
            "<pr>",
        ],
        "<fim_prefix>def f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
        "<repo_name>acme/tools<file_sep>util.py\nK = 1\n"
        "<file_sep><fim_prefix>src/app.py\ndef f(x):\n    <fim_suffix>\n    return y\n<fim_middle>",
    ),
    (
        "codellama",
        ["<unk>", "<s>", "</s>", "<PRE>", "<SUF>", "<MID>", "<EOT>"],
        "<PRE> def f(x):\n     <SUF>\n    return y\n <MID>",
        "<PRE> util.py\nK = 1\n\ndef f(x):\n     <SUF>\n    return y\n <MID>",
    ),
    (
        "deepseek",
        [
            "<｜begin▁of▁sentence｜>",
            "<｜end▁of▁sentence｜>",
            "<｜fim▁hole｜>",
            "<｜fim▁begin｜>",
            "<｜fim▁end｜>",
            "<|EOT|>",
        ],
        "<｜fim▁begin｜>def f(x):\n    <｜fim▁hole｜>\n    return y\n<｜fim▁end｜>",
        "<｜fim▁begin｜>#util.py\nK = 1\n\n#src/app.py\n"
        "def f(x):\n    <｜fim▁hole｜>\n    return y\n<｜fim▁end｜>",
    ),
    (
        "qwen",
        [
            "<|endoftext|>",
            "<|im_start|>",
            "<|im_end|>",
            "<|fim_prefix|>",
            "<|fim_middle|>",
            "<|fim_suffix|>",
            "<|fim_pad|>",
            "<|repo_name|>",
            "<|file_sep|>",
        ],
        "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
        "<|repo_name|>acme/tools\n<|file_sep|>util.py\nK = 1\n\n<|file_sep|>src/app.py\n"
        "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
    ),
    (
        "codegemma",
        [
            "<pad>",
            "<eos>",
            "<bos>",
            "<unk>",
            "<start_of_turn>",
            "<end_of_turn>",
            "<|fim_prefix|>",
            "<|fim_middle|>",
            "<|fim_suffix|>",
            "<|file_separator|>",
        ],
        "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
        "util.py\nK = 1\n<|file_separator|>src/app.py\n"
        "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y\n<|fim_middle|>",
    ),
]
SPECIALS = {family: specials for family, specials, _, _ in CASES}


def tokenizer(specials: list[str], name: str = "") -> PreTrainedTokenizerFast:
    """A byte-level BPE trained on a few lines, with ``specials`` as special tokens."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=specials,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, name_or_path=name)


def sentinels(t: FimTemplate) -> list[str]:
    return [s for s in (t.prefix, t.suffix, t.middle, t.repo_name, t.file_sep) if s]


@pytest.mark.parametrize(("family", "specials", "bare", "full"), CASES, ids=list(SPECIALS))
def test_family_renders_exactly(family: str, specials: list[str], bare: str, full: str) -> None:
    tok = tokenizer(specials)
    t = template_for_tokenizer(tok)
    assert t.family == family
    assert t.render(PRE, SUF) == bare
    assert t.render(PRE, SUF, CTX, REPO, PATH) == full
    assert t.render(PRE, SUF, files=CTX, repo=REPO, path=PATH) == full


@pytest.mark.parametrize("family", SPECIALS)
def test_sentinels_are_single_special_tokens(family: str) -> None:
    tok = tokenizer(SPECIALS[family])
    t = template_for_tokenizer(tok)
    prompt = tok.encode(t.render(PRE, SUF, CTX, REPO, PATH), add_special_tokens=False)
    for sentinel in sentinels(t):
        ids = tok.encode(sentinel, add_special_tokens=False)
        assert len(ids) == 1, sentinel
        assert tok.added_tokens_decoder[ids[0]].special, sentinel
        assert ids[0] in prompt, sentinel  # the rendered prompt carries the real token
    ends = [s for s in t.stop if s in SPECIALS[family]]
    assert ends and all(len(tok.encode(s, add_special_tokens=False)) == 1 for s in ends)


@pytest.mark.parametrize("family", SPECIALS)
def test_cut_stops_at_each_stop_string(family: str) -> None:
    t = template_for_tokenizer(tokenizer(SPECIALS[family]))
    for stop in t.stop:
        assert t.cut(f"y = x + 1{stop}\ndef g(): pass") == "y = x + 1", stop
    assert t.cut("y = x + 1") == "y = x + 1"
    assert t.cut(f"a{t.stop[1]}b{t.stop[0]}") == "a"  # the first stop in the text wins


def test_codellama_eot_takes_its_space_along() -> None:
    t = detect_template(SPECIALS["codellama"])
    assert t.cut("    return x <EOT></s>") == "    return x"  # "▁<EOT>" decodes as " <EOT>"


def test_no_fim_tokens_raises_one_line() -> None:
    with pytest.raises(NoFimTemplateError) as info:
        template_for_tokenizer(tokenizer(["<|endoftext|>", "<pad>", "<fim_prefix>"]))
    message = str(info.value)
    assert "\n" not in message and "fill-in-the-middle" in message
    assert all(t.family in message for t in FAMILIES)


def test_the_name_plays_no_part() -> None:
    named = tokenizer(SPECIALS["starcoder"], name="bigcode/santacoder")
    assert named.name_or_path == "bigcode/santacoder"
    assert template_for_tokenizer(named).family == "starcoder"
    other = tokenizer(SPECIALS["santacoder"], name="Qwen/Qwen2.5-Coder-1.5B")
    assert template_for_tokenizer(other).family == "santacoder"


def test_most_specific_family_wins() -> None:
    both = SPECIALS["starcoder"] + SPECIALS["starcoder2"]
    assert detect_template(both).family == "starcoder2"
    assert detect_template(SPECIALS["qwen"] + ["<|file_separator|>"]).family == "codegemma"
    assert detect_template(SPECIALS["santacoder"] + SPECIALS["starcoder"]).family == "starcoder"
    sentencepiece = {"<unk>", "<s>", "</s>", "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"}
    assert detect_template(sentencepiece).family == "codellama"


def test_missing_repository_tokens_fall_back_to_plain_context() -> None:
    t = detect_template(["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>"])
    assert (t.family, t.repo_name, t.file_sep) == ("starcoder", None, None)
    assert t.render("a", "b", CTX, REPO, PATH) == (
        "<fim_prefix>util.py\nK = 1\n\na<fim_suffix>b<fim_middle>"
    )


def test_import_stays_light() -> None:
    code = (
        "import sys, santamerge.model.fim\n"
        "print(sorted(m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_santacoder_spm_order() -> None:
    from santamerge.model.fim import detect_template

    spm = detect_template(
        ["<fim-prefix>", "<fim-suffix>", "<fim-middle>", "<fim-pad>", "<|endoftext|>"]
    )._replace(order="spm")
    assert spm.render("P", "S") == "<fim-prefix><fim-suffix>S<fim-middle>P"

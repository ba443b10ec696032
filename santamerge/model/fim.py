"""Fill-in-the-middle prompt templates, chosen from a tokenizer's vocabulary.

A model's name says little about its tokens (a fine-tune keeps its parent's vocabulary, a
local folder can be called anything), so the template is read off the VOCABULARY, never
off the name. Nothing heavy is imported here: a vocabulary is any collection of token
strings, and a tokenizer is only asked for ``get_vocab()``, ``all_special_tokens`` and
``added_tokens_decoder``.

Prompts are PSM (prefix, suffix, middle). Repository context comes first, in the family's
own layout; ``{path}`` is the current file's path (``render(..., path=)``, optional):

santacoder  <fim-prefix>{ctx}{prefix}<fim-suffix>{suffix}<fim-middle>
            ctx, per file: its path line, its text (ended by a newline), a blank line;
            inside the FIM prefix
            (no repository tokens; the current path is not shown)
starcoder   {<reponame>{repo}<filename>{path}\\n{text}<|endoftext|>}*
            <fim_prefix><reponame>{repo}<filename>{path}\\n{prefix}<fim_suffix>{suffix}<fim_middle>
            (one document per file, metadata first, as in training; parts left out when absent)
starcoder2  <repo_name>{repo}{<file_sep>{path}\\n{text}}*
            <file_sep><fim_prefix>{path}\\n{prefix}<fim_suffix>{suffix}<fim_middle>
            (the current path goes INSIDE <fim_prefix>, as in the StarCoder2 paper, sec. 5.1)
codellama   "<PRE> " + ctx + prefix + " <SUF>" + suffix + " <MID>"   (ctx as santacoder's)
deepseek    <｜fim▁begin｜>{#{path}\\n{text}\\n}*#{path}\\n{prefix}
            <｜fim▁hole｜>{suffix}<｜fim▁end｜>   (context inside the FIM prefix)
qwen        <|repo_name|>{repo}\\n{<|file_sep|>{path}\\n{text}\\n}*<|file_sep|>{path}\\n
            <|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>
codegemma   {{path}\\n{text}<|file_separator|>}*{path}\\n
            <|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>

Without context, repo or path every family gives the bare form, e.g.
``<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>``. A family whose repository
tokens are missing from the vocabulary falls back to santacoder's plain layout.

Detection: a family matches when its prefix, suffix and middle sentinels are all in the
vocabulary, and for StarCoder2 and CodeGemma also the file separator that tells them from
StarCoder and Qwen, which share their FIM tokens. Of several matches the most specific
wins: more required tokens first, then more of the family's tokens present (sentinels,
pad, end of text, repository tokens), then the earlier in ``FAMILIES``. SentencePiece
vocabularies may spell a sentinel with a leading "▁" (CodeLlama's ``▁<PRE>``); both
spellings count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from santamerge.errors import NoFimTemplateError

SPM_FAMILIES = frozenset({"santacoder", "starcoder", "starcoder2"})  # trained on both orders


def cut_at_stops(text: str, stops: Sequence[str]) -> str:
    """``text`` up to the first of ``stops`` found in it."""
    ends = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return text[: min(ends)] if ends else text


class ContextFile(NamedTuple):
    """Another file of the repository, shown to the model ahead of the one being filled."""

    path: str
    text: str


class FimTemplate(NamedTuple):
    """One family's FIM sentinels, how it ends a middle, and its repository tokens."""

    family: str
    prefix: str  # the sentinel tokens as strings
    suffix: str
    middle: str
    stop: tuple[str, ...]  # end of text, file separators, fim pad, the other FIM sentinels
    repo_name: str | None = None  # repository-level tokens, where the family has them
    file_sep: str | None = None  # StarCoder's is its <filename> metadata token
    order: str = "psm"  # "spm" (SantaCoder's variant) where a model does better with it

    def render(
        self,
        prefix: str,
        suffix: str,
        files: Sequence[ContextFile] = (),
        repo: str | None = None,
        path: str | None = None,
    ) -> str:
        """The prompt: the context files first, in the family's layout, then PSM."""
        before, inside = _LAYOUTS.get(self.family, _plain)(self, files, repo, path)
        if self.order == "spm" and self.family in SPM_FAMILIES:
            # SantaCoder's SPM: <prefix-tok><suffix-tok>{suffix}<middle-tok>{prefix}
            return f"{before}{self.prefix}{self.suffix}{suffix}{self.middle}{inside}{prefix}"
        if self.family == "codellama":  # Meta's reference: "<PRE> {pre} <SUF>{suf} <MID>"
            return f"{before}{self.prefix} {inside}{prefix} {self.suffix}{suffix} {self.middle}"
        return f"{before}{self.prefix}{inside}{prefix}{self.suffix}{suffix}{self.middle}"

    def cut(self, generated: str) -> str:
        """The middle: ``generated`` cut at the first stop string."""
        return cut_at_stops(generated, self.stop)


_ENDOFTEXT = "<|endoftext|>"

FAMILIES: tuple[FimTemplate, ...] = (
    # https://huggingface.co/bigcode/santacoder (model card, "Fill-in-the-middle")
    FimTemplate(
        "santacoder",
        "<fim-prefix>",
        "<fim-suffix>",
        "<fim-middle>",
        (_ENDOFTEXT, "<fim-prefix>", "<fim-suffix>", "<fim-middle>", "<fim-pad>"),
    ),
    # https://huggingface.co/bigcode/starcoder; metadata from the bigcode playground's
    # formats.md: <reponame>REPONAME<filename>FILENAME<gh_stars>STARS\ncode<|endoftext|>
    FimTemplate(
        "starcoder",
        "<fim_prefix>",
        "<fim_suffix>",
        "<fim_middle>",
        (
            _ENDOFTEXT,
            "<fim_prefix>",
            "<fim_suffix>",
            "<fim_middle>",
            "<fim_pad>",
            "<reponame>",
            "<filename>",
        ),
        repo_name="<reponame>",
        file_sep="<filename>",
    ),
    # StarCoder 2 and The Stack v2 (arXiv:2402.19173), sec. 5.1
    FimTemplate(
        "starcoder2",
        "<fim_prefix>",
        "<fim_suffix>",
        "<fim_middle>",
        (
            _ENDOFTEXT,
            "<file_sep>",
            "<repo_name>",
            "<fim_prefix>",
            "<fim_suffix>",
            "<fim_middle>",
            "<fim_pad>",
        ),
        repo_name="<repo_name>",
        file_sep="<file_sep>",
    ),
    # facebookresearch/codellama llama/generation.py. The vocabulary spells the end "▁<EOT>"
    # and a tokenizer decodes it as " <EOT>": the space belongs to the token, not the middle.
    FimTemplate(
        "codellama",
        "<PRE>",
        "<SUF>",
        "<MID>",
        (" <EOT>", "<EOT>", "▁<EOT>", "</s>", "<PRE>", "<SUF>", "<MID>"),
    ),
    # deepseek-ai/DeepSeek-Coder README.md, "Code Insertion" and "Repository Level"
    FimTemplate(
        "deepseek",
        "<｜fim▁begin｜>",
        "<｜fim▁hole｜>",
        "<｜fim▁end｜>",
        ("<｜end▁of▁sentence｜>", "<|EOT|>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"),
    ),
    # QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder-repolevel-fim.py (and its eos_token_ids)
    FimTemplate(
        "qwen",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        (
            _ENDOFTEXT,
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            "<|fim_pad|>",
            "<|repo_name|>",
            "<|file_sep|>",
            "<|im_end|>",
        ),
        repo_name="<|repo_name|>",
        file_sep="<|file_sep|>",
    ),
    # https://ai.google.dev/gemma/docs/codegemma/prompt-structure
    FimTemplate(
        "codegemma",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        ("<|file_separator|>", "<eos>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
        file_sep="<|file_separator|>",
    ),
)

# The tokens, beyond the three sentinels, that tell a family from one sharing its sentinels.
_DISTINCT: dict[str, tuple[str, ...]] = {
    "starcoder2": ("<file_sep>",),
    "codegemma": ("<|file_separator|>",),
}


def detect_template(vocab: Collection[str]) -> FimTemplate:
    """The template of the family whose FIM tokens ``vocab`` has (see the module notes)."""
    tokens = vocab if isinstance(vocab, AbstractSet | Mapping) else frozenset(vocab)
    best: FimTemplate | None = None
    best_key = (0, 0)
    for template in FAMILIES:
        required = (
            template.prefix,
            template.suffix,
            template.middle,
            *_DISTINCT.get(template.family, ()),
        )
        if not all(_has(tokens, t) for t in required):
            continue
        own = {
            t.lstrip(" ▁")
            for t in (*required, *template.stop, template.repo_name, template.file_sep)
            if t
        }
        key = (len(required), sum(_has(tokens, t) for t in own))
        if key > best_key:
            best, best_key = template, key
    if best is None:
        raise NoFimTemplateError(tuple(t.family for t in FAMILIES))
    return best._replace(
        repo_name=_kept(tokens, best.repo_name), file_sep=_kept(tokens, best.file_sep)
    )


def template_for_tokenizer(tokenizer: object) -> FimTemplate:
    """The template for a (transformers-like) tokenizer, from its vocabulary only."""
    return detect_template(tokenizer_vocabulary(tokenizer))


def tokenizer_vocabulary(tokenizer: object) -> frozenset[str]:
    """``get_vocab()`` keys, the special tokens and the added tokens of ``tokenizer``."""
    tokens: set[str] = set()
    get_vocab = getattr(tokenizer, "get_vocab", None)
    if callable(get_vocab):
        tokens.update(str(t) for t in get_vocab())
    tokens.update(str(t) for t in getattr(tokenizer, "all_special_tokens", None) or ())
    added = getattr(tokenizer, "added_tokens_decoder", None) or {}
    tokens.update(str(getattr(t, "content", t)) for t in added.values())
    return frozenset(tokens)


def _has(tokens: Collection[str], token: str) -> bool:
    return token in tokens or f"▁{token}" in tokens


def _kept(tokens: Collection[str], token: str | None) -> str | None:
    return token if token is not None and _has(tokens, token) else None


# A layout gives what goes before the FIM prefix sentinel and what goes inside it, ahead of
# the prefix text.
_Layout = Callable[[FimTemplate, Sequence[ContextFile], str | None, str | None], tuple[str, str]]


def _plain(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    """No repository tokens: each file's path, its text and a blank line, in the prefix."""
    return "", "".join(f"{c.path}\n{_ended(c.text)}\n" for c in files)


def _starcoder(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    if t.file_sep is None:
        return _plain(t, files, repo, path)
    shown = "".join(f"{_metadata(t, repo, c.path)}{c.text}{_ENDOFTEXT}" for c in files)
    return shown, _metadata(t, repo, path)


def _metadata(t: FimTemplate, repo: str | None, path: str | None) -> str:
    meta = f"{t.repo_name}{repo}" if repo and t.repo_name else ""
    meta += f"{t.file_sep}{path}" if path else ""
    return f"{meta}\n" if meta else ""


def _starcoder2(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    if t.file_sep is None:
        return _plain(t, files, repo, path)
    if not (files or repo or path):
        return "", ""
    head = f"{t.repo_name}{repo}" if repo and t.repo_name else ""
    shown = "".join(f"{t.file_sep}{c.path}\n{c.text}" for c in files)
    return f"{head}{shown}{t.file_sep}", (f"{path}\n" if path else "")


def _qwen(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    if t.file_sep is None:
        return _plain(t, files, repo, path)
    head = f"{t.repo_name}{repo}\n" if repo and t.repo_name else ""
    shown = "".join(f"{t.file_sep}{c.path}\n{c.text}\n" for c in files)
    current = f"{t.file_sep}{path}\n" if path else ""
    return f"{head}{shown}{current}", ""


def _codegemma(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    if t.file_sep is None:
        return _plain(t, files, repo, path)
    shown = "".join(f"{c.path}\n{c.text}{t.file_sep}" for c in files)
    return (f"{shown}{path}\n" if path else shown), ""


def _deepseek(
    t: FimTemplate, files: Sequence[ContextFile], repo: str | None, path: str | None
) -> tuple[str, str]:
    shown = "".join(f"#{c.path}\n{c.text}\n" for c in files)
    return "", (f"{shown}#{path}\n" if path else shown)


def _ended(text: str) -> str:
    return text if text.endswith("\n") else f"{text}\n"


_LAYOUTS: dict[str, _Layout] = {
    "santacoder": _plain,
    "codellama": _plain,
    "starcoder": _starcoder,
    "starcoder2": _starcoder2,
    "qwen": _qwen,
    "codegemma": _codegemma,
    "deepseek": _deepseek,
}

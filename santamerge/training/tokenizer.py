"""A byte-level BPE tokenizer with SantaCoder's special tokens.

The special tokens are SantaCoder's, with dashes (StarCoder uses underscores), and come
first, so ``<|endoftext|>`` is id 0. Digits are split one by one before the byte-level
step, as in SantaCoder and StarCoder. The result is saved as a transformers
``PreTrainedTokenizerFast`` that ``AutoTokenizer.from_pretrained`` loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

EOS = "<|endoftext|>"
FIM_PREFIX = "<fim-prefix>"
FIM_MIDDLE = "<fim-middle>"
FIM_SUFFIX = "<fim-suffix>"
FIM_PAD = "<fim-pad>"
SPECIAL_TOKENS = (EOS, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX, FIM_PAD)


class SpecialIds(NamedTuple):
    eos: int
    prefix: int
    middle: int
    suffix: int
    pad: int


def special_ids(tokenizer: PreTrainedTokenizerFast) -> SpecialIds:
    vocab = tokenizer.get_vocab()
    return SpecialIds(*(vocab[t] for t in SPECIAL_TOKENS))


def train_tokenizer(
    texts: Iterable[str], vocab_size: int, max_length: int = 2048
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on ``texts``; the five special tokens take ids 0-4."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        show_progress=False,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        model_max_length=max_length,
        bos_token=EOS,
        eos_token=EOS,
        unk_token=EOS,
        pad_token=FIM_PAD,
        additional_special_tokens=list(SPECIAL_TOKENS),
        clean_up_tokenization_spaces=False,
    )


def load_tokenizer(path: Path) -> PreTrainedTokenizerFast:
    from transformers import AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
    return tokenizer

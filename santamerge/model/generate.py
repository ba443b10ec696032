"""Generate: fill gaps with a backend's middles, with the clean-ups every FIM model needs.

- **Token healing of blanks.** A prefix that ends in spaces after code (``x = ``) ends in
  a token the model rarely saw before code (the blank before a digit, say); the blanks are
  taken off the prompt and off the front of the middle the model writes.
- **Suffix overlap.** A model that does not stop often writes the start of the suffix
  again; the middle is cut where it begins to repeat the suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from santamerge.model.backends.base import Completion
from santamerge.model.fim import ContextFile

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend


class Gap(NamedTuple):
    prefix: str
    suffix: str
    files: tuple[ContextFile, ...] = ()  # other "files" shown first, in the family's layout
    path: str | None = None  # the current file's path, where the layout shows it


def fill_gaps(
    backend: Backend,
    gaps: Sequence[Gap],
    n: int = 1,
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    top_p: float = 1.0,
) -> list[list[Completion]]:
    """``n`` middles for each gap, cleaned up; the samples of a gap share one prefill."""
    runs_on = backend.template.order == "spm"
    healed = [_heal(gap.prefix, runs_on) for gap in gaps]
    prompts = [
        backend.template.render(p, gap.suffix, gap.files, path=gap.path)
        for p, gap in zip(healed, gaps, strict=True)
    ]
    found = backend.generate(
        prompts, n=n, max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p
    )
    return [
        [_clean(c, gap, gap.prefix[len(p) :]) for c in cs]
        for cs, gap, p in zip(found, gaps, healed, strict=True)
    ]


def _heal(prefix: str, runs_on: bool = False) -> str:
    """The prefix cut where a byte-level BPE tokenizer would cut it if the middle's code
    followed (token healing, for GPT-2-style pre-tokenizers: SantaCoder's and the embedded
    model's). Blanks after code on the same line go (``x = `` ends ``x =``, the middle's
    first token is `` 1``).

    ``runs_on``: the middle follows the prefix in the prompt (SPM order). Then
    indentation after a newline also keeps all but its last space: a newline and 8 spaces
    before ``self`` are tokenized as a newline with 7 spaces and `` self``, so a prompt
    ending in all 8 ends in a token that training never saw before code. In PSM order the
    prefix is followed by ``<fim-suffix>``, in training as here, and the indentation stays.
    The cut blanks are taken off the front of the middle again (``_clean``)."""
    kept = prefix.rstrip(" \t")
    if kept and not kept.endswith("\n"):
        return kept
    return prefix[:-1] if runs_on and prefix.endswith(" ") else prefix  # a tab joins no word


def _clean(c: Completion, gap: Gap, blanks: str) -> Completion:
    text = trim_suffix_overlap(c.text, gap.suffix)
    if blanks and text.startswith(blanks):
        text = text[len(blanks) :]
    return c._replace(text=text)


def trim_suffix_overlap(middle: str, suffix: str, least: int = 4) -> str:
    """``middle`` cut where it starts to repeat ``suffix``: the first place where the rest
    of the middle and the suffix share a start of at least ``least`` characters that holds
    more than blanks."""
    for i in range(len(middle) - least + 1):
        shared = _common_start(middle[i:], suffix)
        if len(shared) >= least and shared.strip():
            return middle[:i]
    return middle


def _common_start(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]

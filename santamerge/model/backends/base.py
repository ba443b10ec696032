"""The backend protocol: what a model offers santamerge, and the errors it raises.

The rest of santamerge asks a :class:`Backend` for middles (``generate``), for the
log-likelihood of given middles (``score``), for the token ids of a text (``encode``) and
for its context length. Which backends exist, and how one is loaded by name, is
:mod:`santamerge.model.backends.registry`. Nothing here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from santamerge.errors import SantamergeError

if TYPE_CHECKING:
    from santamerge.model.fim import FimTemplate

MODEL_STACK = frozenset({"torch", "transformers", "tokenizers", "safetensors", "numpy", "lightgbm"})


class Completion(NamedTuple):
    """One generated middle, with the log-probability of each of its tokens."""

    text: str
    token_logprobs: tuple[float, ...]
    finish: str  # "stop": a stop token or string ended it; "length": max_new_tokens did
    tokens: tuple[str, ...] = ()  # each token's text, where the backend knows it

    @property
    def logprob(self) -> float:
        return sum(self.token_logprobs)


class Backend(Protocol):
    """What a model offers santamerge."""

    name: str  # how it was asked for: "embedded", a hub id, a folder, a URL

    @property
    def template(self) -> FimTemplate:
        """The FIM template, chosen from the tokenizer's vocabulary."""
        ...

    @property
    def context_length(self) -> int | None:
        """How many tokens the model sees at once; None where it does not say."""
        ...

    def generate(
        self,
        prompts: Sequence[str],
        n: int = 1,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_p: float = 1.0,
        stop: Sequence[str] = (),
    ) -> list[list[Completion]]:
        """``n`` middles per prompt; the ``n`` samples of a prompt share one prefill."""
        ...

    def score(self, prompt: str, middles: Sequence[str]) -> list[float]:
        """The log-likelihood of each middle after ``prompt``, its end included."""
        ...

    def encode(self, text: str) -> list[int]:
        """The model's token ids of ``text`` (no special tokens added); raises
        :class:`TokenizerUnavailable` where the backend cannot tokenize."""
        ...

    def describe(self) -> dict[str, object]:
        """What is loaded: family, parameters, device, dtype, FIM tokens, source."""
        ...


class BackendError(SantamergeError):
    """A model could not be loaded or used."""


class ScoringUnavailable(BackendError):
    """The backend offers no way to score given middles (a server without logprobs)."""


class TokenizerUnavailable(BackendError):
    """The backend cannot tokenize (a server without santamerge's tokenize endpoint)."""


class ModelStackMissing(BackendError):
    """A model (or training) was asked for, but the model stack is not installed."""

    def __init__(self, subject: str, extra: str = "model") -> None:
        what = "the model stack" if extra == "model" else f"the {extra} extra"
        super().__init__(f"{subject} needs {what}: pip install 'santamerge[{extra}]'")


def require_model_stack(
    subject: str, modules: Sequence[str] = ("torch", "transformers"), extra: str = "model"
) -> None:
    """Import ``modules``, or say in one line how to install them. Only a missing package
    of the stack gets that line: a broken install is not fixed by ``pip install``."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in MODEL_STACK:
                raise
            raise ModelStackMissing(subject, extra) from None

"""Model backends: one protocol, an explicit registry.

The rest of santamerge asks a :class:`Backend` for middles (``generate``) and for the
log-likelihood of given middles (``score``). Built-in backends register themselves here
exactly as a third-party one would, through :func:`register_backend`. Nothing in this
module imports torch or transformers; the backends import them inside their functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from santamerge.errors import SantamergeError

if TYPE_CHECKING:
    from santamerge.model.fim import FimTemplate


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

    def generate(self, prompts: Sequence[str], n: int = 1, max_new_tokens: int = 64,
                 temperature: float = 0.0, top_p: float = 1.0,
                 stop: Sequence[str] = ()) -> list[list[Completion]]:
        """``n`` middles per prompt; the ``n`` samples of a prompt share one prefill."""
        ...

    def score(self, prompt: str, middles: Sequence[str]) -> list[float]:
        """The log-likelihood of each middle after ``prompt``, its end included."""
        ...

    def describe(self) -> dict[str, object]:
        """What is loaded: family, parameters, device, dtype, FIM tokens, source."""
        ...


BackendFactory = Callable[[str, dict[str, object]], Backend]

_REGISTRY: dict[str, BackendFactory] = {}


class BackendError(SantamergeError):
    """A model could not be loaded or used."""


class ScoringUnavailable(BackendError):
    """The backend offers no way to score given middles (a server without logprobs)."""


def register_backend(kind: str, factory: BackendFactory) -> None:
    """Make ``kind:<spec>`` (and, for "transformers", a bare hub id or folder) loadable."""
    _REGISTRY[kind] = factory


def load_backend(spec: str = "embedded", **options: object) -> Backend:
    """``embedded``, ``transformers:<hub id or folder>``, a server URL (``http://``,
    ``https://``, ``unix://``), or a bare hub id or folder."""
    _register_builtins()
    kind, _, rest = spec.partition(":")
    if kind in _REGISTRY and (rest or kind == "embedded"):
        return _REGISTRY[kind](rest, options)
    if kind in _REGISTRY:
        raise BackendError(f"'{spec}' names no model; use {kind}:<model>")
    return _REGISTRY["transformers"](spec, options)


def _register_builtins() -> None:
    if "transformers" in _REGISTRY:
        return
    from santamerge.model.backends.embedded import load_embedded
    from santamerge.model.backends.http import load_http
    from santamerge.model.backends.transformers import load_transformers

    register_backend("transformers", load_transformers)
    register_backend("embedded", load_embedded)
    for scheme in ("http", "https", "unix"):
        register_backend(scheme, functools.partial(load_http, scheme=scheme))

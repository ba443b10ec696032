"""The in-process transformers backend: any causal LM, by hub id or local folder.

torch and transformers are imported inside the functions here and nowhere else in
santamerge's model layer; without them a load is one line saying how to install them
(:func:`~santamerge.model.backends.base.require_model_stack`). Devices: CUDA, then MPS,
then the CPU; dtypes: bf16 (or fp16) on a GPU, fp32 on the CPU; SDPA attention; left
padding for batches. Models load lazily, once per process. ``trust_remote_code`` stays
off unless asked for.

Decoding and scoring share one prefill per prompt. ``sample_middles`` prefills every
prompt once (left-padded batch), then repeats the KV cache ``n`` times and decodes all
``n`` samples of all prompts together, token by token, recording each chosen token's
log-probability. Each prompt's samples draw from a generator seeded by that prompt alone,
so they repeat whatever else is in the batch. ``score_middles`` prefills the prompt once
and scores every middle (with the end-of-middle token) on the repeated cache.
"""

from __future__ import annotations

import functools
import inspect
import os
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from santamerge.model.backends.base import BackendError, Completion, require_model_stack
from santamerge.model.fim import cut_at_stops

if TYPE_CHECKING:
    from santamerge.model.fim import FimTemplate


def load_transformers(spec: str, options: dict[str, object]) -> TransformersBackend:
    device = str(options.get("device") or "auto")
    dtype = str(options.get("dtype") or "auto")
    trust = bool(options.get("trust_remote_code", False))
    name = str(options.get("name") or spec)
    require_model_stack(f"the model '{name}'")
    model, tokenizer, device, dtype = _load(spec, device, dtype, trust)
    backend = TransformersBackend(name, spec, model, tokenizer, device, dtype)
    order = options.get("fim_order") or _folder_setting(spec, "fim_order")
    if order:
        if order not in ("psm", "spm"):
            raise BackendError(f"unknown FIM order '{order}'; use psm or spm")
        backend.use_order(str(order))
    return backend


def _folder_setting(spec: str, key: str) -> object:
    """A setting from ``santamerge.json`` in a model folder (the embedded model keeps its
    FIM order there), or None."""
    import json

    path = os.path.join(spec, "santamerge.json")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh).get(key)
    except (OSError, ValueError):
        return None


def pick_device(asked: str = "auto") -> str:
    import torch

    if asked != "auto":
        _check_available(torch, asked)
        return asked
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def _check_available(torch: Any, asked: str) -> None:
    """A clear error for a device this torch cannot use (a CUDA device on a CPU-only
    build, a GPU index past the last one, MPS off a Mac), instead of torch's own deep in
    the load."""
    try:
        device = torch.device(asked)
    except (RuntimeError, ValueError):
        raise BackendError(
            f"there is no device '{asked}'; give auto, cpu, cuda, cuda:N or mps"
        ) from None
    kind, index = device.type, device.index
    if kind == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            build = "a CPU-only build" if torch.version.cuda is None else "no GPU is visible"
            raise BackendError(
                f"device '{asked}': this torch ({torch.__version__}) cannot use "
                f"CUDA ({build}); use --device cpu or auto, or install a CUDA "
                "build of torch"
            )
        if index is not None and index >= count:
            raise BackendError(
                f"device '{asked}': there {'is' if count == 1 else 'are'} only "
                f"{count} CUDA device{'s' if count > 1 else ''} (cuda:0 to "
                f"cuda:{count - 1}); use one of them, or --device auto"
            )
    elif kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise BackendError(
                f"device '{asked}': MPS (Apple's GPU) is not available here; "
                "use --device cpu or auto"
            )
    elif kind == "xpu":
        xpu = getattr(torch, "xpu", None)
        if xpu is None or not xpu.is_available():
            raise BackendError(
                f"device '{asked}': no Intel XPU is available here; use --device cpu or auto"
            )


def pick_dtype(device: str, asked: str = "auto") -> str:
    import torch

    if asked != "auto":
        return asked
    if device.startswith("cuda"):
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "float16" if device == "mps" else "float32"


@functools.lru_cache(maxsize=4)
def _load(spec: str, device: str, dtype: str, trust: bool) -> tuple[Any, Any, str, str]:
    # Idle OpenMP threads sleep instead of spinning: santamerge runs beside git, editors
    # and other merges, and on a busy 2-core machine spinning threads made a 1-line
    # middle ten times slower (docs/serving.md). Set OMP_WAIT_POLICY=ACTIVE to override.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()  # no progress bars or deprecation chatter in santamerge's output
    logging.disable_progress_bar()
    device = pick_device(device)
    dtype = pick_dtype(device, dtype)
    kwargs: dict[str, Any] = {"trust_remote_code": trust}
    try:
        tokenizer = _from_pretrained(AutoTokenizer, spec, kwargs)
        model = _from_pretrained(
            AutoModelForCausalLM,
            spec,
            {**kwargs, "dtype": getattr(torch, dtype), "attn_implementation": "sdpa"},
        )
    except ValueError as exc:
        raise BackendError(f"could not load '{spec}': {str(exc).splitlines()[0]}") from None
    model.to(device).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer, device, dtype


def _from_pretrained(cls: Any, spec: str, kwargs: dict[str, Any]) -> Any:
    """Local folder or local cache first; the hub only when the cache lacks it."""
    if os.path.isdir(spec):
        return cls.from_pretrained(spec, **kwargs)
    try:
        return cls.from_pretrained(spec, local_files_only=True, **kwargs)
    except OSError:
        pass
    try:
        return cls.from_pretrained(spec, **kwargs)
    except OSError:
        home = os.environ.get("HF_HOME", "~/.cache/huggingface")
        raise BackendError(
            f"model '{spec}' is not in the local cache ({home}) and the hub cannot be "
            f"reached; download it where there is network (`hf download {spec}`), point "
            "HF_HOME at a cache that has it, or pass a local folder"
        ) from None


class TransformersBackend:
    """A loaded causal LM and its tokenizer."""

    def __init__(
        self, name: str, source: str, model: Any, tokenizer: Any, device: str, dtype: str
    ) -> None:
        from santamerge.model.fim import template_for_tokenizer

        self.name, self.source = name, source
        self.model, self.tokenizer = model, tokenizer
        self.device, self.dtype = device, dtype
        self._template = template_for_tokenizer(tokenizer)
        config = model.config
        self._context_length: int | None = getattr(config, "n_positions", None) or getattr(
            config, "max_position_embeddings", None
        )
        self.stop_ids = self._single_token_ids((*self._template.stop, tokenizer.eos_token))

    @property
    def template(self) -> FimTemplate:
        return self._template

    @property
    def context_length(self) -> int | None:
        return self._context_length

    def use_order(self, order: str) -> None:
        """Prompt in ``order`` ("psm", or SantaCoder's "spm" where the family has it)."""
        self._template = self._template._replace(order=order)

    def describe(self) -> dict[str, object]:
        config = self.model.config
        return {
            "name": self.name,
            "source": self.source,
            "architecture": config.model_type,
            "multi_query": getattr(config, "multi_query", None),
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "device": self.device,
            "dtype": self.dtype,
            "family": self._template.family,
            "fim_tokens": {
                "prefix": self._template.prefix,
                "suffix": self._template.suffix,
                "middle": self._template.middle,
            },
            "stop": list(self._template.stop),
            "context_length": self.context_length,
        }

    def generate(
        self,
        prompts: Sequence[str],
        n: int = 1,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        top_p: float = 1.0,
        stop: Sequence[str] = (),
    ) -> list[list[Completion]]:
        stops = tuple(dict.fromkeys((*self._template.stop, *stop)))
        flat = sample_middles(self, list(prompts), n, max_new_tokens, temperature, top_p, stops)
        return [flat[i * n : (i + 1) * n] for i in range(len(prompts))]

    def score(self, prompt: str, middles: Sequence[str]) -> list[float]:
        return score_middles(self, prompt, list(middles))

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _single_token_ids(self, tokens: Sequence[str | None]) -> frozenset[int]:
        vocab = self.tokenizer.get_vocab()
        return frozenset(vocab[t] for t in tokens if t and t in vocab)


# -- decoding and scoring, one prefill per prompt --------------------------------------


def sample_middles(
    backend: TransformersBackend,
    prompts: list[str],
    n: int,
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    stops: Sequence[str],
) -> list[Completion]:
    import torch

    stops = tuple(s for s in stops if s)  # an empty stop string stops nothing (cut_at_stops)
    encoded = [backend.encode(p) or [backend.tokenizer.eos_token_id] for p in prompts]
    max_new_tokens = _room(backend, max(len(e) for e in encoded), max_new_tokens)
    ids, mask = _left_padded(backend, encoded)
    rows = len(prompts) * n
    tokens: list[list[int]] = [[] for _ in range(rows)]
    logprobs: list[list[float]] = [[] for _ in range(rows)]
    finish: list[str | None] = [None] * rows
    # Sampling is seeded by each prompt: the same prompt gives the same middles, so a hook
    # or a benchmark run can be repeated exactly, and a prompt's samples do not depend on
    # the other prompts of its batch (each prompt's rows draw from their own generator).
    generators = [
        torch.Generator(device=backend.device).manual_seed(prompt_seed(p)) for p in prompts
    ]
    with torch.inference_mode():
        logits, cache = _forward(backend.model, ids, mask, _positions(mask))
        cache.batch_repeat_interleave(n)
        logits, mask = logits.repeat_interleave(n, 0), mask.repeat_interleave(n, 0)
        for _ in range(max_new_tokens):
            chosen = _choose(logits, temperature, top_p, generators)
            chosen_lp = torch.log_softmax(logits, -1).gather(1, chosen[:, None])[:, 0]
            for row in range(rows):
                if finish[row] is None:
                    finish[row] = _take(
                        backend,
                        tokens[row],
                        logprobs[row],
                        int(chosen[row]),
                        float(chosen_lp[row]),
                        stops,
                    )
            if all(f is not None for f in finish):
                break
            mask = torch.cat([mask, mask.new_ones((rows, 1))], dim=1)
            logits, cache = _forward(
                backend.model, chosen[:, None], mask, _positions(mask)[:, -1:], cache
            )
    decode = backend.tokenizer.decode
    return [
        Completion(
            cut_at_stops(decode(t), stops), tuple(lp), f or "length", tuple(decode([i]) for i in t)
        )
        for t, lp, f in zip(tokens, logprobs, finish, strict=True)
    ]


def score_middles(backend: TransformersBackend, prompt: str, middles: list[str]) -> list[float]:
    import torch

    if not middles:
        return []
    start = backend.encode(prompt) or [backend.tokenizer.eos_token_id]
    end = backend.tokenizer.eos_token_id
    seqs = [[*backend.encode(m), end] for m in middles]
    width = max(len(s) for s in seqs)
    window = backend.context_length
    if window is not None and len(start) + width > window:
        # Long candidates: drop the prompt's oldest tokens, keeping its first (the FIM
        # sentinel, or BOS), rather than fail; a middle alone too long cannot be scored.
        keep = window - width - 1
        if keep < 1:
            raise BackendError(
                f"a middle of {width} tokens does not fit the model's "
                f"context of {window} with its prompt"
            )
        start = start[:1] + start[len(start) - keep :]
    pad = backend.tokenizer.pad_token_id
    device = backend.device
    with torch.inference_mode():
        first = torch.tensor([start], device=device)
        logits, cache = _forward(
            backend.model, first, torch.ones_like(first), _positions(torch.ones_like(first))
        )
        cache.batch_repeat_interleave(len(seqs))
        body = torch.tensor([s + [pad] * (width - len(s)) for s in seqs], device=device)
        valid = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs], device=device)
        mask = torch.cat(
            [torch.ones((len(seqs), len(start)), dtype=valid.dtype, device=device), valid], dim=1
        )
        positions = torch.arange(len(start), len(start) + width, device=device).expand(
            len(seqs), width
        )
        rest, _ = _forward(backend.model, body, mask, positions, cache, all_positions=True)
        steps = torch.cat([logits.expand(len(seqs), -1)[:, None, :], rest[:, :-1, :]], dim=1)
        token_lp = torch.log_softmax(steps, -1).gather(2, body[:, :, None])[:, :, 0]
        return [float(x) for x in (token_lp * valid).sum(dim=1)]


def _take(
    backend: TransformersBackend,
    tokens: list[int],
    logprobs: list[float],
    token: int,
    logprob: float,
    stops: Sequence[str],
) -> str | None:
    """Record one sampled token; return "stop" when the middle has ended."""
    if token in backend.stop_ids:
        return "stop"
    tokens.append(token)
    logprobs.append(logprob)
    if stops and any(s in backend.tokenizer.decode(tokens[-8:]) for s in stops):
        return "stop"
    return None


def prompt_seed(prompt: str) -> int:
    """The seed of a prompt's samples."""
    return zlib.crc32(prompt.encode("utf-8", "replace"))


def _choose(logits: Any, temperature: float, top_p: float, generators: Sequence[Any] = ()) -> Any:
    """One token per row: greedy at temperature 0, else sampled. With ``generators``, the
    rows are split into that many equal groups (one prompt's samples each), and each group
    draws from its own generator."""
    import torch

    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits / temperature, -1)
    if top_p < 1.0:
        ordered, order = probs.sort(-1, descending=True)
        ordered[(ordered.cumsum(-1) - ordered) > top_p] = 0.0
        probs = torch.zeros_like(probs).scatter(1, order, ordered)
    if not generators:
        return torch.multinomial(probs, 1)[:, 0]
    size = probs.shape[0] // len(generators)
    return torch.cat(
        [
            torch.multinomial(probs[i * size : (i + 1) * size], 1, generator=g)
            for i, g in enumerate(generators)
        ]
    )[:, 0]


def _forward(
    model: Any, ids: Any, mask: Any, positions: Any, cache: Any = None, all_positions: bool = False
) -> tuple[Any, Any]:
    """One forward pass: (logits of the last position, or all, in fp32; the cache)."""
    kwargs: dict[str, Any] = {
        "input_ids": ids,
        "attention_mask": mask,
        "position_ids": positions,
        "use_cache": True,
    }
    if cache is not None:
        kwargs[_cache_argument(model.__class__)] = cache
    out = model(**kwargs)
    logits = out.logits.float() if all_positions else out.logits[:, -1, :].float()
    return logits, out.get("cache", out.get("past_key_values"))


@functools.cache
def _cache_argument(model_class: Any) -> str:
    """transformers 5.2x renamed ``past_key_values`` to ``cache``."""
    return (
        "cache"
        if "cache" in inspect.signature(model_class.forward).parameters
        else ("past_key_values")
    )


def _positions(mask: Any) -> Any:
    return (mask.cumsum(-1) - 1).clamp(min=0)


def _left_padded(backend: TransformersBackend, encoded: list[list[int]]) -> tuple[Any, Any]:
    import torch

    width = max(len(e) for e in encoded)
    pad = backend.tokenizer.pad_token_id
    ids = [[pad] * (width - len(e)) + e for e in encoded]
    mask = [[0] * (width - len(e)) + [1] * len(e) for e in encoded]
    return (torch.tensor(ids, device=backend.device), torch.tensor(mask, device=backend.device))


def _room(backend: TransformersBackend, prompt_tokens: int, new_tokens: int) -> int:
    """``new_tokens``, shortened to fit the model's context; an error if the prompt can't."""
    window = backend.context_length
    if window is None:
        return new_tokens
    if prompt_tokens >= window:
        raise BackendError(
            f"the prompt has {prompt_tokens} tokens, more than the model's "
            f"context of {window}; give it less context"
        )
    return min(new_tokens, window - prompt_tokens)

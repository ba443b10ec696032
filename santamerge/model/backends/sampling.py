"""Decoding and scoring for the transformers backend, with one prefill per prompt.

``sample_middles`` prefills every prompt once (left-padded batch), then repeats the KV
cache ``n`` times and decodes all ``n`` samples of all prompts together, token by token,
recording each chosen token's log-probability. Each prompt's samples draw from a
generator seeded by that prompt alone, so they repeat whatever else is in the batch.
``score_middles`` prefills the prompt once and scores every middle (with the
end-of-middle token) on the repeated cache.
"""

from __future__ import annotations

import functools
import inspect
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from santamerge.model.backends.base import BackendError, Completion
from santamerge.model.fim import cut_at_stops

if TYPE_CHECKING:
    from santamerge.model.backends.transformers import TransformersBackend


def sample_middles(backend: TransformersBackend, prompts: list[str], n: int,
                   max_new_tokens: int, temperature: float, top_p: float,
                   stops: Sequence[str]) -> list[Completion]:
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
    generators = [torch.Generator(device=backend.device).manual_seed(prompt_seed(p))
                  for p in prompts]
    with torch.inference_mode():
        logits, cache = _forward(backend.model, ids, mask, _positions(mask))
        cache.batch_repeat_interleave(n)
        logits, mask = logits.repeat_interleave(n, 0), mask.repeat_interleave(n, 0)
        for _ in range(max_new_tokens):
            chosen = _choose(logits, temperature, top_p, generators)
            chosen_lp = torch.log_softmax(logits, -1).gather(1, chosen[:, None])[:, 0]
            for row in range(rows):
                if finish[row] is None:
                    finish[row] = _take(backend, tokens[row], logprobs[row],
                                        int(chosen[row]), float(chosen_lp[row]), stops)
            if all(f is not None for f in finish):
                break
            mask = torch.cat([mask, mask.new_ones((rows, 1))], dim=1)
            logits, cache = _forward(backend.model, chosen[:, None], mask,
                                     _positions(mask)[:, -1:], cache)
    decode = backend.tokenizer.decode
    return [Completion(cut_at_stops(decode(t), stops), tuple(lp), f or "length",
                       tuple(decode([i]) for i in t))
            for t, lp, f in zip(tokens, logprobs, finish, strict=True)]


def score_middles(backend: TransformersBackend, prompt: str, middles: list[str]) -> list[float]:
    import torch

    if not middles:
        return []
    start = backend.encode(prompt) or [backend.tokenizer.eos_token_id]
    end = backend.tokenizer.eos_token_id
    seqs = [[*backend.encode(m), end] for m in middles]
    width = max(len(s) for s in seqs)
    context = backend.context_length
    if context is not None and len(start) + width > context:
        # Long candidates: drop the prompt's oldest tokens, keeping its first (the FIM
        # sentinel, or BOS), rather than fail; a middle alone too long cannot be scored.
        keep = context - width - 1
        if keep < 1:
            raise BackendError(f"a middle of {width} tokens does not fit the model's "
                               f"context of {context} with its prompt")
        start = start[:1] + start[len(start) - keep:]
    pad = backend.tokenizer.pad_token_id
    device = backend.device
    with torch.inference_mode():
        first = torch.tensor([start], device=device)
        logits, cache = _forward(backend.model, first, torch.ones_like(first),
                                 _positions(torch.ones_like(first)))
        cache.batch_repeat_interleave(len(seqs))
        body = torch.tensor([s + [pad] * (width - len(s)) for s in seqs], device=device)
        valid = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs],
                             device=device)
        mask = torch.cat([torch.ones((len(seqs), len(start)), dtype=valid.dtype,
                                     device=device), valid], dim=1)
        positions = torch.arange(len(start), len(start) + width, device=device).expand(
            len(seqs), width)
        rest, _ = _forward(backend.model, body, mask, positions, cache, all_positions=True)
        steps = torch.cat([logits.expand(len(seqs), -1)[:, None, :], rest[:, :-1, :]], dim=1)
        token_lp = torch.log_softmax(steps, -1).gather(2, body[:, :, None])[:, :, 0]
        return [float(x) for x in (token_lp * valid).sum(dim=1)]


def _take(backend: TransformersBackend, tokens: list[int], logprobs: list[float],
          token: int, logprob: float, stops: Sequence[str]) -> str | None:
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


def _choose(logits: Any, temperature: float, top_p: float,
            generators: Sequence[Any] = ()) -> Any:
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
    return torch.cat([torch.multinomial(probs[i * size:(i + 1) * size], 1, generator=g)
                      for i, g in enumerate(generators)])[:, 0]


def _forward(model: Any, ids: Any, mask: Any, positions: Any, cache: Any = None,
             all_positions: bool = False) -> tuple[Any, Any]:
    """One forward pass: (logits of the last position, or all, in fp32; the cache)."""
    kwargs: dict[str, Any] = {"input_ids": ids, "attention_mask": mask,
                              "position_ids": positions, "use_cache": True}
    if cache is not None:
        kwargs[_cache_argument(model.__class__)] = cache
    out = model(**kwargs)
    logits = out.logits.float() if all_positions else out.logits[:, -1, :].float()
    return logits, out.get("cache", out.get("past_key_values"))


@functools.cache
def _cache_argument(model_class: Any) -> str:
    """transformers 5.2x renamed ``past_key_values`` to ``cache``."""
    return "cache" if "cache" in inspect.signature(model_class.forward).parameters else (
        "past_key_values")


def _positions(mask: Any) -> Any:
    return (mask.cumsum(-1) - 1).clamp(min=0)


def _left_padded(backend: TransformersBackend, encoded: list[list[int]]) -> tuple[Any, Any]:
    import torch

    width = max(len(e) for e in encoded)
    pad = backend.tokenizer.pad_token_id
    ids = [[pad] * (width - len(e)) + e for e in encoded]
    mask = [[0] * (width - len(e)) + [1] * len(e) for e in encoded]
    return (torch.tensor(ids, device=backend.device),
            torch.tensor(mask, device=backend.device))


def _room(backend: TransformersBackend, prompt_tokens: int, new_tokens: int) -> int:
    """``new_tokens``, shortened to fit the model's context; an error if the prompt can't."""
    context = backend.context_length
    if context is None:
        return new_tokens
    if prompt_tokens >= context:
        raise BackendError(f"the prompt has {prompt_tokens} tokens, more than the model's "
                           f"context of {context}; give it less context")
    return min(new_tokens, context - prompt_tokens)


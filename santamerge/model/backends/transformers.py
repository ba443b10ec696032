"""The in-process transformers backend: any causal LM, by hub id or local folder.

torch and transformers are imported inside the functions here and nowhere else in
santamerge. Devices: CUDA, then MPS, then the CPU; dtypes: bf16 (or fp16) on a GPU, fp32
on the CPU; SDPA attention; left padding for batches. Models load lazily, once per
process. ``trust_remote_code`` stays off unless asked for.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from santamerge.model.backends.base import BackendError, Completion

if TYPE_CHECKING:
    from santamerge.model.fim import FimTemplate


def load_transformers(spec: str, options: dict[str, object]) -> TransformersBackend:
    device = str(options.get("device") or "auto")
    dtype = str(options.get("dtype") or "auto")
    trust = bool(options.get("trust_remote_code", False))
    model, tokenizer, device, dtype = _load(spec, device, dtype, trust)
    backend = TransformersBackend(str(options.get("name") or spec), spec, model, tokenizer,
                                  device, dtype)
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
        raise BackendError(f"there is no device '{asked}'; give auto, cpu, cuda, cuda:N or "
                           "mps") from None
    kind, index = device.type, device.index
    if kind == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            build = "a CPU-only build" if torch.version.cuda is None else "no GPU is visible"
            raise BackendError(f"device '{asked}': this torch ({torch.__version__}) cannot use "
                               f"CUDA ({build}); use --device cpu or auto, or install a CUDA "
                               "build of torch")
        if index is not None and index >= count:
            raise BackendError(f"device '{asked}': there {'is' if count == 1 else 'are'} only "
                               f"{count} CUDA device{'s' if count > 1 else ''} (cuda:0 to "
                               f"cuda:{count - 1}); use one of them, or --device auto")
    elif kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise BackendError(f"device '{asked}': MPS (Apple's GPU) is not available here; "
                               "use --device cpu or auto")
    elif kind == "xpu":
        xpu = getattr(torch, "xpu", None)
        if xpu is None or not xpu.is_available():
            raise BackendError(f"device '{asked}': no Intel XPU is available here; use "
                               "--device cpu or auto")


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
        model = _from_pretrained(AutoModelForCausalLM, spec,
                                 {**kwargs, "dtype": getattr(torch, dtype),
                                  "attn_implementation": "sdpa"})
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
            "HF_HOME at a cache that has it, or pass a local folder") from None


class TransformersBackend:
    """A loaded causal LM and its tokenizer."""

    def __init__(self, name: str, source: str, model: Any, tokenizer: Any, device: str,
                 dtype: str) -> None:
        from santamerge.model.fim import template_for_tokenizer

        self.name, self.source = name, source
        self.model, self.tokenizer = model, tokenizer
        self.device, self.dtype = device, dtype
        self._template = template_for_tokenizer(tokenizer)
        config = model.config
        self.context_length: int | None = getattr(config, "n_positions", None) or getattr(
            config, "max_position_embeddings", None)
        self.stop_ids = self._single_token_ids((*self._template.stop, tokenizer.eos_token))

    @property
    def template(self) -> FimTemplate:
        return self._template

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
            "fim_tokens": {"prefix": self._template.prefix, "suffix": self._template.suffix,
                           "middle": self._template.middle},
            "stop": list(self._template.stop),
            "context_length": self.context_length,
        }

    def generate(self, prompts: Sequence[str], n: int = 1, max_new_tokens: int = 64,
                 temperature: float = 0.0, top_p: float = 1.0,
                 stop: Sequence[str] = ()) -> list[list[Completion]]:
        from santamerge.model.backends.sampling import sample_middles

        stops = tuple(dict.fromkeys((*self._template.stop, *stop)))
        flat = sample_middles(self, list(prompts), n, max_new_tokens, temperature, top_p, stops)
        return [flat[i * n : (i + 1) * n] for i in range(len(prompts))]

    def score(self, prompt: str, middles: Sequence[str]) -> list[float]:
        from santamerge.model.backends.sampling import score_middles

        return score_middles(self, prompt, list(middles))

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _single_token_ids(self, tokens: Sequence[str | None]) -> frozenset[int]:
        vocab = self.tokenizer.get_vocab()
        return frozenset(vocab[t] for t in tokens if t and t in vocab)


"""Train the embedded GPT-BigCode model, resumably, and export it.

``train`` prepares a work folder (tokenizer, corpus manifest), then runs AdamW with a
linear warm-up and a cosine decay until a wall-clock budget or a step count is reached.
Every few minutes it writes a checkpoint (model, optimizer, step, RNG states, data
position); with ``resume=True`` a later run continues from it, the budget counting the
time already spent. The log is JSON lines in ``<work>/train-log.jsonl``. At the end the
model, its tokenizer, the corpus manifest and a training summary are exported with a
``SHA256SUMS`` file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.model.checksums import sha256sums

if TYPE_CHECKING:
    import torch
    from transformers import GPTBigCodeForCausalLM, PreTrainedTokenizerFast


class Recipe(NamedTuple):
    """A model shape and its optimisation settings."""

    name: str
    vocab_size: int
    n_layer: int
    n_embd: int
    n_head: int
    n_positions: int
    batch_size: int  # sequences of n_positions tokens per step
    lr: float
    warmup_steps: int
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    piece_chars: int = 1500  # documents are cut into pieces of at most this many chars
    eval_sequences: int = 48
    # Share of FIM cuts that are short spans (see fim_data): not in SantaCoder's recipe,
    # which cuts at random characters only; docs/model-card.md says why we add them.
    short_rate: float = 0.5


RECIPES = {
    # CPU, 2 cores, 45 minutes: a small vocabulary keeps the embedding and the output
    # layer cheap, and many small steps at a high learning rate learn the most.
    "tiny": Recipe("tiny", vocab_size=4096, n_layer=4, n_embd=256, n_head=8,
                   n_positions=512, batch_size=4, lr=3e-3, warmup_steps=100,
                   piece_chars=1600),
    # One GPU, bf16.
    "small": Recipe("small", vocab_size=8192, n_layer=8, n_embd=512, n_head=8,
                    n_positions=1024, batch_size=32, lr=1e-3, warmup_steps=300,
                    piece_chars=3500, eval_sequences=96),
    # The tiny model with a 1,024-token context, continued from the shipped one
    # (--init-from embedded): positions 0-511 kept, 512-1023 started from 256-511.
    "tiny-1k": Recipe("tiny-1k", vocab_size=4096, n_layer=4, n_embd=256, n_head=8,
                      n_positions=1024, batch_size=2, lr=1e-3, warmup_steps=50,
                      piece_chars=3400),
    # Tests only: a few seconds on a CPU.
    "micro": Recipe("micro", vocab_size=300, n_layer=2, n_embd=32, n_head=4,
                    n_positions=64, batch_size=2, lr=1e-3, warmup_steps=1,
                    piece_chars=200, eval_sequences=2, short_rate=0.0),
}


class TrainOptions(NamedTuple):
    recipe: str = "tiny"
    device: str = "auto"  # cpu, cuda or auto
    precision: str = "auto"  # fp32, bf16 (autocast) or auto: bf16 where the hardware has it
    minutes: float | None = None
    steps: int | None = None
    work_dir: Path = Path("/tmp/santamerge-train")
    out: Path | None = None
    resume: bool = False
    threads: int | None = None
    seed: int = 0
    npm_cache: Path | None = None  # add the npm packages to the corpus
    corpus: Path | None = None  # shards built by `santamerge model corpus` (instead)
    init_from: Path | None = None  # start from this checkpoint (its tokenizer and weights)
    log_every: int = 20
    eval_minutes: float = 5.0
    checkpoint_minutes: float = 5.0


class TrainResult(NamedTuple):
    out: Path
    parameters: int
    steps: int
    tokens: int
    train_loss: float | None
    heldout_loss: float | None
    heldout_bits_per_byte: float | None
    elapsed: float


Event = dict[str, Any]
OnEvent = Callable[[Event], None]

CHECKPOINT = "checkpoint.pt"
LOG = "train-log.jsonl"


def default_out() -> Path:
    """``santamerge/models/embedded`` next to the installed (or source) package."""
    import santamerge

    return Path(santamerge.__file__).resolve().parent / "models" / "embedded"


def pick_device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SantamergeError("--device cuda was asked for, but torch sees no CUDA device; "
                              "use --device cpu")
    if name not in ("cpu", "cuda"):
        raise SantamergeError(f"unknown device {name!r}; use cpu, cuda or auto")
    return name


def pick_precision(name: str, device: str) -> str:
    """``bf16`` autocast on CUDA, and on CPUs with AVX512-BF16 or AMX; else ``fp32``."""
    import torch

    if name not in ("auto", "fp32", "bf16"):
        raise SantamergeError(f"unknown precision {name!r}; use fp32, bf16 or auto")
    if name != "auto":
        return name
    if device == "cuda":
        return "bf16"
    cpu = torch.cpu
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return "bf16" if any(getattr(cpu, p, lambda: False)() for p in probes) else "fp32"


def build_model(recipe: Recipe, tokenizer: PreTrainedTokenizerFast) -> GPTBigCodeForCausalLM:
    from transformers import GPTBigCodeConfig, GPTBigCodeForCausalLM

    from santamerge.training.tokenizer import special_ids

    ids = special_ids(tokenizer)
    config = GPTBigCodeConfig(
        vocab_size=len(tokenizer), n_positions=recipe.n_positions, n_embd=recipe.n_embd,
        n_layer=recipe.n_layer, n_head=recipe.n_head, n_inner=4 * recipe.n_embd,
        multi_query=True, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        bos_token_id=ids.eos, eos_token_id=ids.eos, pad_token_id=ids.pad,
        tie_word_embeddings=True, architectures=["GPTBigCodeForCausalLM"],
    )
    return GPTBigCodeForCausalLM(config)


def start_from(model: Any, folder: Path) -> None:
    """Load ``folder``'s weights into ``model``. A longer context keeps the learned
    positions and starts each new one from an earlier position, stretched: position
    ``n + k`` from ``n/2 + k/2``, where ``n`` is the old context."""
    import torch
    from transformers import GPTBigCodeForCausalLM

    source = GPTBigCodeForCausalLM.from_pretrained(str(folder))
    state = source.state_dict()
    old = state["transformer.wpe.weight"]
    size = model.config.n_positions
    if old.shape[0] > size:
        raise SantamergeError(f"{folder} has a {old.shape[0]}-token context; config "
                              f"has {size}")
    n = old.shape[0]
    extra = torch.arange(size - n)
    state["transformer.wpe.weight"] = torch.cat([old, old[(n // 2 + extra // 2).clamp(
        max=n - 1)]])
    own = model.state_dict()
    wrong = [k for k, v in state.items() if k in own and own[k].shape != v.shape]
    if wrong:
        raise SantamergeError(f"{folder}: {wrong[0]} has another shape than the config's "
                              "model; choose the config it was trained with")
    missing, unexpected = model.load_state_dict(state, strict=False)
    if [k for k in missing if k != "lm_head.weight"] or unexpected:
        raise SantamergeError(f"{folder}: its weights do not fit the config's model "
                              f"(missing {missing[:2]}, unexpected {unexpected[:2]})")
    model.tie_weights()


def count_parameters(model: torch.nn.Module) -> int:
    """Parameters counted once each (the tied output layer is the input embedding)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())


def learning_rate(recipe: Recipe, step: int, progress: float) -> float:
    """Linear warm-up over ``warmup_steps``, then cosine from ``lr`` to ``min_lr``."""
    if step < recipe.warmup_steps:
        return recipe.lr * (step + 1) / recipe.warmup_steps
    floor = recipe.lr * recipe.min_lr_ratio
    progress = min(max(progress, 0.0), 1.0)
    return floor + 0.5 * (recipe.lr - floor) * (1 + math.cos(math.pi * progress))


def make_optimizer(model: torch.nn.Module, recipe: Recipe, device: str) -> torch.optim.AdamW:
    import torch

    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        embedding = name.endswith(("wte.weight", "wpe.weight"))
        (decay if p.dim() >= 2 and not embedding else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": recipe.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=recipe.lr, betas=(0.9, 0.95), eps=1e-8,
                             fused=device == "cuda")


class _Run:
    """The state of one training run; ``train`` drives it."""

    def __init__(self, options: TrainOptions, on_event: OnEvent) -> None:
        self.options = options
        self.on_event = on_event
        self.work = options.work_dir
        self.log_path = self.work / LOG

    def emit(self, event: Event) -> None:
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")
        self.on_event(event)


def _prepare(run: _Run, recipe: Recipe,
             documents: Sequence[tuple[str, str, str]] | None) -> tuple[Any, Any]:
    """Corpus, tokenizer and manifest in the work folder (the tokenizer is reused)."""
    from santamerge.training import corpus as corpora
    from santamerge.training.tokenizer import load_tokenizer, train_tokenizer

    if documents is None and run.options.corpus is not None:
        from santamerge.training.shards import read_shards

        corpus = read_shards(run.options.corpus)
    elif documents is None:
        corpus = corpora.collect(run.options.npm_cache)
    else:
        docs = tuple(corpora.Document(*d) for d in documents)
        sources = tuple(corpora.Source(s, "test", "", "given") for s in
                        dict.fromkeys(d.source for d in docs))
        corpus = corpora.Corpus(sources, docs)
    tok_dir = run.work / "tokenizer"
    if run.options.resume and (tok_dir / "tokenizer.json").is_file():
        tokenizer = load_tokenizer(tok_dir)
    elif run.options.init_from is not None:
        tokenizer = load_tokenizer(run.options.init_from)
        if len(tokenizer) != recipe.vocab_size:
            raise SantamergeError(f"{run.options.init_from} has a {len(tokenizer)}-token "
                                  f"vocabulary; config {recipe.name} has {recipe.vocab_size}")
        save_tokenizer(tokenizer, tok_dir)
        tokenizer = load_tokenizer(tok_dir)
    else:
        run.emit({"event": "tokenizer", "vocab_size": recipe.vocab_size,
                  "files": len(corpus.documents)})
        tokenizer = train_tokenizer(tokenizer_sample(corpus.train()), recipe.vocab_size,
                                    max_length=recipe.n_positions)
        save_tokenizer(tokenizer, tok_dir)
        tokenizer = load_tokenizer(tok_dir)
    backend = tokenizer.backend_tokenizer

    def count(texts: list[str]) -> int:
        encoded = backend.encode_batch(texts, add_special_tokens=False)
        return sum(len(e.ids) for e in encoded)

    corpora.write_manifest(run.work / "corpus.json", corpora.manifest(corpus, count))
    return corpus, tokenizer


TOKENIZER_SAMPLE_BYTES = 64 * 2**20  # a larger corpus trains its tokenizer on a sample


def tokenizer_sample(documents: Sequence[Any], limit: int = TOKENIZER_SAMPLE_BYTES
                     ) -> Iterator[str]:
    """Every ``k``-th document's text, so that about ``limit`` bytes from all sources
    train the tokenizer (all of them when the corpus is smaller)."""
    total = sum(len(d.text) for d in documents)
    step = max(1, round(total / limit))
    return (d.text for i, d in enumerate(documents) if i % step == 0)


def save_tokenizer(tokenizer: PreTrainedTokenizerFast, folder: Path) -> None:
    """Save it so that transformers 4 and 5 both load it as a fast tokenizer."""
    tokenizer.save_pretrained(str(folder))
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    extra = config.pop("extra_special_tokens", None)
    if isinstance(extra, list):
        config["additional_special_tokens"] = extra
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _evaluate(model: Any, batches: list[Any], token_bytes: Any, device: str,
              autocast: Any) -> tuple[float, float]:
    """Mean held-out loss (nats/token) and bits per byte of the predicted tokens."""
    import torch
    import torch.nn.functional as F

    model.eval()
    nats = 0.0
    count = 0
    nbytes = 0
    with torch.no_grad():
        for batch in batches:
            batch = batch.to(device)
            with autocast():
                logits = model(batch[:, :-1]).logits
            target = batch[:, 1:]
            loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                   target.reshape(-1), reduction="sum")
            nats += float(loss)
            count += target.numel()
            nbytes += int(token_bytes[target.cpu()].sum())
    model.train()
    return nats / max(count, 1), nats / math.log(2) / max(nbytes, 1)


def train(options: TrainOptions, on_event: OnEvent | None = None,
          documents: Sequence[tuple[str, str, str]] | None = None) -> TrainResult:
    """Train (or continue training) and export; ``documents`` replaces the corpus."""
    import torch
    import torch.nn.functional as F

    from santamerge.training.fim_data import (
        Packer,
        PackState,
        Prefetcher,
        plain_sequences,
        raw_encoder,
        split_pieces,
    )
    from santamerge.training.tokenizer import special_ids

    if options.recipe not in RECIPES:
        raise SantamergeError(f"unknown model config {options.recipe!r}; "
                              f"use one of {', '.join(RECIPES)}")
    if options.minutes is None and options.steps is None:
        raise SantamergeError("give a budget: --minutes, --steps, or both")
    recipe = RECIPES[options.recipe]
    device = pick_device(options.device)
    precision = pick_precision(options.precision, device)
    if options.threads:
        torch.set_num_threads(options.threads)
    work = options.work_dir
    work.mkdir(parents=True, exist_ok=True)
    ckpt_path = work / CHECKPOINT
    checkpoint = None
    if ckpt_path.is_file():
        if not options.resume:
            raise SantamergeError(f"{work} already holds a checkpoint; pass --resume to "
                                  "continue it, or choose another --work-dir")
        checkpoint = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if checkpoint["recipe"] != recipe.name:
            raise SantamergeError(f"the checkpoint in {work} is for config "
                                  f"{checkpoint['recipe']!r}, not {recipe.name!r}")
    run = _Run(options, on_event or (lambda event: None))
    corpus, tokenizer = _prepare(run, recipe, documents)
    corpus_digest = corpus.fingerprint()
    if checkpoint is not None and checkpoint.get("corpus", corpus_digest) != corpus_digest:
        raise SantamergeError(f"the corpus differs from the one the checkpoint in {work} was "
                              "trained on (another Python, other --npm-cache?); resume with "
                              "the same corpus, or start afresh in another --work-dir")
    ids = special_ids(tokenizer)
    encode = raw_encoder(tokenizer)

    seq = recipe.n_positions + 1
    pieces = [p for d in corpus.train() for p in split_pieces(d.text, recipe.piece_chars)]
    packer = Packer(pieces, encode, ids, seq, seed=options.seed, short_rate=recipe.short_rate)
    held = [d.text for d in corpus.held_out()] or [d.text for d in corpus.train()[:1]]
    eval_seqs = plain_sequences(held, encode, ids.eos, seq, recipe.eval_sequences)
    eval_batches = [torch.tensor(eval_seqs[i:i + recipe.batch_size])
                    for i in range(0, len(eval_seqs), recipe.batch_size)]
    vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    specials = set(tokenizer.all_special_tokens)
    token_bytes = torch.tensor([0 if t in specials else len(t) for t in vocab])

    torch.manual_seed(options.seed)
    model: Any = build_model(recipe, tokenizer)
    model.to(device)
    optimizer = make_optimizer(model, recipe, device)
    step, tokens, elapsed_before = 0, 0, 0.0
    if checkpoint is None and options.init_from is not None:
        start_from(model, options.init_from)
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        step, tokens = checkpoint["step"], checkpoint["tokens"]
        elapsed_before = checkpoint["elapsed"]
        packer.restore(PackState(*checkpoint["data"]))
        torch.set_rng_state(checkpoint["torch_rng"])
        random.setstate(checkpoint["python_rng"])
        if device == "cuda" and checkpoint.get("cuda_rng") is not None:
            torch.cuda.set_rng_state(checkpoint["cuda_rng"])
    params = count_parameters(model)

    def autocast() -> Any:
        if precision == "bf16":
            return torch.autocast(device, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def save_checkpoint() -> None:
        state = {"recipe": recipe.name, "corpus": corpus_digest, "model": model.state_dict(),
                 "optimizer": optimizer.state_dict(), "step": step, "tokens": tokens,
                 "elapsed": elapsed(), "data": tuple(stream.state()),
                 "torch_rng": torch.get_rng_state(), "python_rng": random.getstate(),
                 "cuda_rng": torch.cuda.get_rng_state() if device == "cuda" else None}
        tmp = ckpt_path.with_suffix(".tmp")
        torch.save(state, tmp)
        os.replace(tmp, ckpt_path)
        run.emit({"event": "checkpoint", "step": step, "path": str(ckpt_path)})

    budget = options.minutes * 60 if options.minutes is not None else None
    started = time.monotonic()

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - started

    def progress() -> float:
        parts = []
        if options.steps:
            parts.append(step / options.steps)
        if budget:
            parts.append(elapsed() / budget)
        return max(parts)

    def done() -> bool:
        return ((options.steps is not None and step >= options.steps)
                or (budget is not None and elapsed() >= budget))

    run.emit({"event": "start", "recipe": recipe._asdict(), "device": device,
              "precision": precision, "threads": torch.get_num_threads(),
              "parameters": params, "step": step,
              "tokens": tokens, "elapsed": round(elapsed_before, 1),
              "train_pieces": len(pieces), "heldout_tokens": len(eval_seqs) * seq,
              "resumed": checkpoint is not None})
    stream = Prefetcher(packer, recipe.batch_size)
    with _stop_on_signals() as stop, contextlib.closing(stream):
        last_ckpt = last_eval = time.monotonic()
        # the window's loss stays on the device until it is logged: no sync per step
        window_loss: Any = 0.0
        window_steps, window_tokens, window_start = 0, 0, time.monotonic()
        train_loss = heldout = bpb = None
        model.train()
        while not done() and not stop():
            lr = learning_rate(recipe, step, progress())
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = torch.tensor(stream.next()).to(device, non_blocking=True)
            with autocast():
                logits = model(batch[:, :-1]).logits
            loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                   batch[:, 1:].reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            tokens += batch[:, 1:].numel()
            window_loss = window_loss + loss.detach()
            window_steps += 1
            window_tokens += batch[:, 1:].numel()
            now = time.monotonic()
            if step % options.log_every == 0 or done():
                train_loss = float(window_loss) / window_steps
                run.emit({"event": "train", "step": step, "tokens": tokens,
                          "loss": round(train_loss, 4), "lr": lr,
                          "tokens_per_s": round(window_tokens / max(now - window_start, 1e-9), 1),
                          "elapsed": round(elapsed(), 1)})
                window_loss, window_steps, window_tokens, window_start = 0.0, 0, 0, now
            if now - last_eval >= options.eval_minutes * 60:
                heldout, bpb = _evaluate(model, eval_batches, token_bytes, device, autocast)
                run.emit({"event": "eval", "step": step, "tokens": tokens,
                          "heldout_loss": round(heldout, 4), "heldout_bpb": round(bpb, 4),
                          "elapsed": round(elapsed(), 1)})
                last_eval = time.monotonic()
            if now - last_ckpt >= options.checkpoint_minutes * 60:
                save_checkpoint()
                last_ckpt = time.monotonic()
        if window_steps:
            train_loss = float(window_loss) / window_steps
        save_checkpoint()
        stopped = stop()
    if stopped:
        raise SantamergeError(f"stopped at step {step}; the checkpoint is in {work}, "
                              "continue with --resume")
    heldout, bpb = _evaluate(model, eval_batches, token_bytes, device, autocast)
    run.emit({"event": "eval", "step": step, "tokens": tokens,
              "heldout_loss": round(heldout, 4), "heldout_bpb": round(bpb, 4),
              "elapsed": round(elapsed(), 1), "final": True})
    out = options.out or default_out()
    result = TrainResult(out, params, step, tokens, train_loss, heldout, bpb, elapsed())
    export(model, tokenizer, run, recipe, result, device)
    return result


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[Callable[[], bool]]:
    """A flag set by SIGTERM/SIGINT (in the main thread), so the loop can checkpoint."""
    import signal
    import threading

    flag = {"stop": False}
    previous = {}
    if threading.current_thread() is threading.main_thread():
        def handler(signum: int, frame: object) -> None:
            flag["stop"] = True

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield lambda: flag["stop"]
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def export(model: Any, tokenizer: PreTrainedTokenizerFast, run: _Run, recipe: Recipe,
           result: TrainResult, device: str) -> None:
    """Weights, config, tokenizer, manifest, summary and SHA256SUMS into ``result.out``."""
    import inspect
    import platform
    import shutil
    import sys

    import torch

    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    if (out / "SHA256SUMS").is_file():  # drop the files of the previous export
        for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
            (out / line.split("  ", 1)[1]).unlink(missing_ok=True)
    model = model.to("cpu")
    # fp32 when it fits the 40 MB the package can carry, bf16 otherwise.
    dtype = torch.float32 if result.parameters * 4 < 36_000_000 else torch.bfloat16
    model = model.to(dtype)
    model.generation_config.pad_token_id = model.config.pad_token_id
    kwargs = ({"safe_serialization": True}
              if "safe_serialization" in inspect.signature(model.save_pretrained).parameters
              else {})
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model.save_pretrained(str(out), **kwargs)
    save_tokenizer(tokenizer, out)
    shutil.copyfile(run.work / "corpus.json", out / "corpus.json")
    summary = {
        "recipe": recipe._asdict(), "parameters": result.parameters, "steps": result.steps,
        "tokens": result.tokens, "train_loss": result.train_loss,
        "heldout_loss": result.heldout_loss,
        "heldout_bits_per_byte": result.heldout_bits_per_byte,
        "minutes": round(result.elapsed / 60, 1), "device": device,
        "threads": torch.get_num_threads(), "dtype": str(dtype).replace("torch.", ""),
        "machine": platform.processor() or platform.machine(),
        "python": sys.version.split()[0], "torch": torch.__version__,
    }
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n",
                                       encoding="utf-8")
    for path in out.iterdir():
        if path.is_file():
            path.chmod(0o644)
    (out / "SHA256SUMS").write_text(sha256sums(out), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    run.emit({"event": "export", "path": str(out), "bytes": size, "step": result.steps})

"""Train the embedded GPT-BigCode model, resumably, and export it.

``train`` prepares a work folder (tokenizer, corpus manifest), then a :class:`Trainer`
runs AdamW with a linear warm-up and a cosine decay until a wall-clock budget or a step
count is reached. Every few minutes it writes a :class:`Checkpoint` (model, optimizer,
step, RNG states, data position); with ``resume=True`` a later run continues from it, the
budget counting the time already spent. The log is JSON lines in
``<work>/train-log.jsonl``. At the end the model, its tokenizer, the corpus manifest and
a training summary are exported with a ``SHA256SUMS`` file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.model.checksums import sha256sums

if TYPE_CHECKING:
    import torch
    from transformers import GPTBigCodeForCausalLM, PreTrainedTokenizerFast

    from santamerge.training.corpus import Corpus
    from santamerge.training.fim_data import Prefetcher


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
    "tiny": Recipe(
        "tiny",
        vocab_size=4096,
        n_layer=4,
        n_embd=256,
        n_head=8,
        n_positions=512,
        batch_size=4,
        lr=3e-3,
        warmup_steps=100,
        piece_chars=1600,
    ),
    # One GPU, bf16.
    "small": Recipe(
        "small",
        vocab_size=8192,
        n_layer=8,
        n_embd=512,
        n_head=8,
        n_positions=1024,
        batch_size=32,
        lr=1e-3,
        warmup_steps=300,
        piece_chars=3500,
        eval_sequences=96,
    ),
    # The tiny model with a 1,024-token context, continued from the shipped one
    # (--init-from embedded): positions 0-511 kept, 512-1023 started from 256-511.
    "tiny-1k": Recipe(
        "tiny-1k",
        vocab_size=4096,
        n_layer=4,
        n_embd=256,
        n_head=8,
        n_positions=1024,
        batch_size=2,
        lr=1e-3,
        warmup_steps=50,
        piece_chars=3400,
    ),
    # Tests only: a few seconds on a CPU.
    "micro": Recipe(
        "micro",
        vocab_size=300,
        n_layer=2,
        n_embd=32,
        n_head=4,
        n_positions=64,
        batch_size=2,
        lr=1e-3,
        warmup_steps=1,
        piece_chars=200,
        eval_sequences=2,
        short_rate=0.0,
    ),
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
        raise SantamergeError(
            "--device cuda was asked for, but torch sees no CUDA device; use --device cpu"
        )
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
        vocab_size=len(tokenizer),
        n_positions=recipe.n_positions,
        n_embd=recipe.n_embd,
        n_layer=recipe.n_layer,
        n_head=recipe.n_head,
        n_inner=4 * recipe.n_embd,
        multi_query=True,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=ids.eos,
        eos_token_id=ids.eos,
        pad_token_id=ids.pad,
        tie_word_embeddings=True,
        architectures=["GPTBigCodeForCausalLM"],
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
        raise SantamergeError(f"{folder} has a {old.shape[0]}-token context; config has {size}")
    n = old.shape[0]
    extra = torch.arange(size - n)
    state["transformer.wpe.weight"] = torch.cat([old, old[(n // 2 + extra // 2).clamp(max=n - 1)]])
    own = model.state_dict()
    wrong = [k for k, v in state.items() if k in own and own[k].shape != v.shape]
    if wrong:
        raise SantamergeError(
            f"{folder}: {wrong[0]} has another shape than the config's "
            "model; choose the config it was trained with"
        )
    missing, unexpected = model.load_state_dict(state, strict=False)
    if [k for k in missing if k != "lm_head.weight"] or unexpected:
        raise SantamergeError(
            f"{folder}: its weights do not fit the config's model "
            f"(missing {missing[:2]}, unexpected {unexpected[:2]})"
        )
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
    groups = [
        {"params": decay, "weight_decay": recipe.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(
        groups, lr=recipe.lr, betas=(0.9, 0.95), eps=1e-8, fused=device == "cuda"
    )


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


def _prepare(
    run: _Run, recipe: Recipe, documents: Sequence[tuple[str, str, str]] | None
) -> tuple[Any, Any]:
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
        sources = tuple(
            corpora.Source(s, "test", "", "given") for s in dict.fromkeys(d.source for d in docs)
        )
        corpus = corpora.Corpus(sources, docs)
    tok_dir = run.work / "tokenizer"
    if run.options.resume and (tok_dir / "tokenizer.json").is_file():
        tokenizer = load_tokenizer(tok_dir)
    elif run.options.init_from is not None:
        tokenizer = load_tokenizer(run.options.init_from)
        if len(tokenizer) != recipe.vocab_size:
            raise SantamergeError(
                f"{run.options.init_from} has a {len(tokenizer)}-token "
                f"vocabulary; config {recipe.name} has {recipe.vocab_size}"
            )
        save_tokenizer(tokenizer, tok_dir)
        tokenizer = load_tokenizer(tok_dir)
    else:
        run.emit(
            {"event": "tokenizer", "vocab_size": recipe.vocab_size, "files": len(corpus.documents)}
        )
        tokenizer = train_tokenizer(
            tokenizer_sample(corpus.train()), recipe.vocab_size, max_length=recipe.n_positions
        )
        save_tokenizer(tokenizer, tok_dir)
        tokenizer = load_tokenizer(tok_dir)
    backend = tokenizer.backend_tokenizer

    def count(texts: list[str]) -> int:
        encoded = backend.encode_batch(texts, add_special_tokens=False)
        return sum(len(e.ids) for e in encoded)

    corpora.write_manifest(run.work / "corpus.json", corpora.manifest(corpus, count))
    return corpus, tokenizer


TOKENIZER_SAMPLE_BYTES = 64 * 2**20  # a larger corpus trains its tokenizer on a sample


def tokenizer_sample(
    documents: Sequence[Any], limit: int = TOKENIZER_SAMPLE_BYTES
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


def _evaluate(
    model: Any, batches: list[Any], token_bytes: Any, device: str, autocast: Any
) -> tuple[float, float]:
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
            loss = F.cross_entropy(
                logits.float().reshape(-1, logits.size(-1)), target.reshape(-1), reduction="sum"
            )
            nats += float(loss)
            count += target.numel()
            nbytes += int(token_bytes[target.cpu()].sum())
    model.train()
    return nats / max(count, 1), nats / math.log(2) / max(nbytes, 1)


@dataclass
class Checkpoint:
    """What ``checkpoint.pt`` holds: enough to continue a run exactly where it was. The
    file is a plain dict of these fields (``torch.save``); ``corpus`` and ``cuda_rng``
    may be missing from an older one."""

    recipe: str
    model: dict[str, Any]
    optimizer: dict[str, Any]
    step: int
    tokens: int
    elapsed: float  # seconds trained so far, over every run
    data: tuple[Any, ...]  # the consumed stream's PackState
    torch_rng: Any
    python_rng: Any
    corpus: str | None = None  # the corpus' fingerprint
    cuda_rng: Any = None

    @classmethod
    def read(cls, path: Path) -> Checkpoint:
        import torch

        state = torch.load(path, map_location="cpu", weights_only=False)
        return cls(**{f.name: state[f.name] for f in fields(cls) if f.name in state})

    def write(self, path: Path) -> None:
        """Replace ``path`` at once (a temporary file, renamed): an interrupted write
        leaves the previous checkpoint."""
        import torch

        state = {
            "recipe": self.recipe,
            "corpus": self.corpus,
            "model": self.model,
            "optimizer": self.optimizer,
            "step": self.step,
            "tokens": self.tokens,
            "elapsed": self.elapsed,
            "data": self.data,
            "torch_rng": self.torch_rng,
            "python_rng": self.python_rng,
            "cuda_rng": self.cuda_rng,
        }
        tmp = path.with_suffix(".tmp")
        torch.save(state, tmp)
        os.replace(tmp, path)


def _checkpoint_to_resume(options: TrainOptions, recipe: Recipe) -> Checkpoint | None:
    """The work folder's checkpoint, when there is one and ``--resume`` asks for it."""
    path = options.work_dir / CHECKPOINT
    if not path.is_file():
        return None
    if not options.resume:
        raise SantamergeError(
            f"{options.work_dir} already holds a checkpoint; pass --resume "
            "to continue it, or choose another --work-dir"
        )
    checkpoint = Checkpoint.read(path)
    if checkpoint.recipe != recipe.name:
        raise SantamergeError(
            f"the checkpoint in {options.work_dir} is for config "
            f"{checkpoint.recipe!r}, not {recipe.name!r}"
        )
    return checkpoint


class Trainer:
    """One training run on a prepared corpus and tokenizer: the model, its optimizer, the
    data and the counters. :meth:`step` takes one optimizer step, :meth:`evaluate`
    measures the held-out loss, :meth:`save` writes a checkpoint, and :meth:`fit` runs
    them until the budget is spent."""

    def __init__(
        self,
        run: _Run,
        recipe: Recipe,
        corpus: Corpus,
        tokenizer: PreTrainedTokenizerFast,
        device: str,
        precision: str,
        checkpoint: Checkpoint | None,
    ) -> None:
        import torch

        from santamerge.training.fim_data import (
            Packer,
            PackState,
            plain_sequences,
            raw_encoder,
            split_pieces,
        )
        from santamerge.training.tokenizer import special_ids

        options = run.options
        self.run, self.options, self.recipe = run, options, recipe
        self.device, self.precision = device, precision
        self.corpus_digest = corpus.fingerprint()
        if checkpoint is not None and checkpoint.corpus not in (None, self.corpus_digest):
            raise SantamergeError(
                f"the corpus differs from the one the checkpoint in "
                f"{options.work_dir} was trained on (another Python, other "
                "--npm-cache?); resume with the same corpus, or start "
                "afresh in another --work-dir"
            )
        ids = special_ids(tokenizer)
        encode = raw_encoder(tokenizer)

        self.seq = recipe.n_positions + 1
        self.pieces = [p for d in corpus.train() for p in split_pieces(d.text, recipe.piece_chars)]
        self.packer = Packer(
            self.pieces, encode, ids, self.seq, seed=options.seed, short_rate=recipe.short_rate
        )
        held = [d.text for d in corpus.held_out()] or [d.text for d in corpus.train()[:1]]
        self.eval_seqs = plain_sequences(held, encode, ids.eos, self.seq, recipe.eval_sequences)
        self.eval_batches = [
            torch.tensor(self.eval_seqs[i : i + recipe.batch_size])
            for i in range(0, len(self.eval_seqs), recipe.batch_size)
        ]
        vocab = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        specials = set(tokenizer.all_special_tokens)
        self.token_bytes = torch.tensor([0 if t in specials else len(t) for t in vocab])

        torch.manual_seed(options.seed)
        model: Any = build_model(recipe, tokenizer)
        model.to(device)
        self.model = model
        self.optimizer = make_optimizer(model, recipe, device)
        self.step_count, self.tokens, self.elapsed_before = 0, 0, 0.0
        self.resumed = checkpoint is not None
        if checkpoint is None and options.init_from is not None:
            start_from(self.model, options.init_from)
        if checkpoint is not None:
            self.model.load_state_dict(checkpoint.model)
            self.optimizer.load_state_dict(checkpoint.optimizer)
            self.step_count, self.tokens = checkpoint.step, checkpoint.tokens
            self.elapsed_before = checkpoint.elapsed
            self.packer.restore(PackState(*checkpoint.data))
            torch.set_rng_state(checkpoint.torch_rng)
            random.setstate(checkpoint.python_rng)
            if device == "cuda" and checkpoint.cuda_rng is not None:
                torch.cuda.set_rng_state(checkpoint.cuda_rng)
        self.parameters = count_parameters(self.model)
        self.budget = options.minutes * 60 if options.minutes is not None else None
        self.started = time.monotonic()
        # the window's loss stays on the device until it is logged: no sync per step
        self.window_loss: Any = 0.0
        self.window_steps, self.window_tokens, self.window_start = 0, 0, time.monotonic()
        self.train_loss: float | None = None

    # -- the clock and the budget ------------------------------------------------------

    def elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.started

    def progress(self) -> float:
        parts = []
        if self.options.steps:
            parts.append(self.step_count / self.options.steps)
        if self.budget:
            parts.append(self.elapsed() / self.budget)
        return max(parts)

    def done(self) -> bool:
        return (self.options.steps is not None and self.step_count >= self.options.steps) or (
            self.budget is not None and self.elapsed() >= self.budget
        )

    def autocast(self) -> Any:
        import torch

        if self.precision == "bf16":
            return torch.autocast(self.device, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    # -- the three things a run does ---------------------------------------------------

    def announce(self) -> None:
        """The ``start`` event."""
        import torch

        self.run.emit(
            {
                "event": "start",
                "recipe": self.recipe._asdict(),
                "device": self.device,
                "precision": self.precision,
                "threads": torch.get_num_threads(),
                "parameters": self.parameters,
                "step": self.step_count,
                "tokens": self.tokens,
                "elapsed": round(self.elapsed_before, 1),
                "train_pieces": len(self.pieces),
                "heldout_tokens": len(self.eval_seqs) * self.seq,
                "resumed": self.resumed,
            }
        )

    def step(self, batch: Sequence[Sequence[int]]) -> None:
        """One optimizer step on ``batch``; a ``train`` event every ``log_every`` steps
        (and at the last), with the mean loss since the previous one."""
        import torch
        import torch.nn.functional as F

        model, optimizer = self.model, self.optimizer
        lr = learning_rate(self.recipe, self.step_count, self.progress())
        for group in optimizer.param_groups:
            group["lr"] = lr
        tensor = torch.tensor(batch).to(self.device, non_blocking=True)
        with self.autocast():
            logits = model(tensor[:, :-1]).logits
        loss = F.cross_entropy(
            logits.float().reshape(-1, logits.size(-1)), tensor[:, 1:].reshape(-1)
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        self.step_count += 1
        self.tokens += tensor[:, 1:].numel()
        self.window_loss = self.window_loss + loss.detach()
        self.window_steps += 1
        self.window_tokens += tensor[:, 1:].numel()
        now = time.monotonic()
        if self.step_count % self.options.log_every == 0 or self.done():
            self.train_loss = float(self.window_loss) / self.window_steps
            rate = self.window_tokens / max(now - self.window_start, 1e-9)
            self.run.emit(
                {
                    "event": "train",
                    "step": self.step_count,
                    "tokens": self.tokens,
                    "loss": round(self.train_loss, 4),
                    "lr": lr,
                    "tokens_per_s": round(rate, 1),
                    "elapsed": round(self.elapsed(), 1),
                }
            )
            self.window_loss, self.window_steps, self.window_tokens = 0.0, 0, 0
            self.window_start = now

    def evaluate(self, final: bool = False) -> tuple[float, float]:
        """The held-out loss (nats/token) and bits per byte, as an ``eval`` event."""
        heldout, bpb = _evaluate(
            self.model, self.eval_batches, self.token_bytes, self.device, self.autocast
        )
        event = {
            "event": "eval",
            "step": self.step_count,
            "tokens": self.tokens,
            "heldout_loss": round(heldout, 4),
            "heldout_bpb": round(bpb, 4),
            "elapsed": round(self.elapsed(), 1),
        }
        self.run.emit({**event, "final": True} if final else event)
        return heldout, bpb

    def save(self, data: Sequence[Any]) -> Checkpoint:
        """Write the checkpoint, with ``data``, the consumed stream's position."""
        import torch

        checkpoint = Checkpoint(
            recipe=self.recipe.name,
            corpus=self.corpus_digest,
            model=self.model.state_dict(),
            optimizer=self.optimizer.state_dict(),
            step=self.step_count,
            tokens=self.tokens,
            elapsed=self.elapsed(),
            data=tuple(data),
            torch_rng=torch.get_rng_state(),
            python_rng=random.getstate(),
            cuda_rng=torch.cuda.get_rng_state() if self.device == "cuda" else None,
        )
        path = self.options.work_dir / CHECKPOINT
        checkpoint.write(path)
        self.run.emit({"event": "checkpoint", "step": self.step_count, "path": str(path)})
        return checkpoint

    def fit(self, stream: Prefetcher, stop: Callable[[], bool]) -> bool:
        """Steps on ``stream``'s batches until the budget is spent
        or ``stop`` says so, with an eval and a checkpoint every few minutes, and a
        checkpoint at the end. Whether ``stop`` ended it."""
        options = self.options
        last_ckpt = last_eval = time.monotonic()
        self.model.train()
        while not self.done() and not stop():
            self.step(stream.next())
            now = time.monotonic()
            if now - last_eval >= options.eval_minutes * 60:
                self.evaluate()
                last_eval = time.monotonic()
            if now - last_ckpt >= options.checkpoint_minutes * 60:
                self.save(stream.state())
                last_ckpt = time.monotonic()
        if self.window_steps:
            self.train_loss = float(self.window_loss) / self.window_steps
        self.save(stream.state())
        return stop()


def train(
    options: TrainOptions,
    on_event: OnEvent | None = None,
    documents: Sequence[tuple[str, str, str]] | None = None,
) -> TrainResult:
    """Train (or continue training) and export; ``documents`` replaces the corpus."""
    import torch

    from santamerge.training.fim_data import Prefetcher

    if options.recipe not in RECIPES:
        raise SantamergeError(
            f"unknown model config {options.recipe!r}; use one of {', '.join(RECIPES)}"
        )
    if options.minutes is None and options.steps is None:
        raise SantamergeError("give a budget: --minutes, --steps, or both")
    recipe = RECIPES[options.recipe]
    device = pick_device(options.device)
    precision = pick_precision(options.precision, device)
    if options.threads:
        torch.set_num_threads(options.threads)
    work = options.work_dir
    work.mkdir(parents=True, exist_ok=True)
    checkpoint = _checkpoint_to_resume(options, recipe)
    run = _Run(options, on_event or (lambda event: None))
    corpus, tokenizer = _prepare(run, recipe, documents)
    trainer = Trainer(run, recipe, corpus, tokenizer, device, precision, checkpoint)
    trainer.announce()
    stream = Prefetcher(trainer.packer, recipe.batch_size)
    with _stop_on_signals() as stop, contextlib.closing(stream):
        stopped = trainer.fit(stream, stop)
    if stopped:
        raise SantamergeError(
            f"stopped at step {trainer.step_count}; the checkpoint is in "
            f"{work}, continue with --resume"
        )
    heldout, bpb = trainer.evaluate(final=True)
    out = options.out or default_out()
    result = TrainResult(
        out,
        trainer.parameters,
        trainer.step_count,
        trainer.tokens,
        trainer.train_loss,
        heldout,
        bpb,
        trainer.elapsed(),
    )
    export(trainer.model, tokenizer, run, recipe, result, device)
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


def export(
    model: Any,
    tokenizer: PreTrainedTokenizerFast,
    run: _Run,
    recipe: Recipe,
    result: TrainResult,
    device: str,
) -> None:
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
    kwargs = (
        {"safe_serialization": True}
        if "safe_serialization" in inspect.signature(model.save_pretrained).parameters
        else {}
    )
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model.save_pretrained(str(out), **kwargs)
    save_tokenizer(tokenizer, out)
    shutil.copyfile(run.work / "corpus.json", out / "corpus.json")
    summary = {
        "recipe": recipe._asdict(),
        "parameters": result.parameters,
        "steps": result.steps,
        "tokens": result.tokens,
        "train_loss": result.train_loss,
        "heldout_loss": result.heldout_loss,
        "heldout_bits_per_byte": result.heldout_bits_per_byte,
        "minutes": round(result.elapsed / 60, 1),
        "device": device,
        "threads": torch.get_num_threads(),
        "dtype": str(dtype).replace("torch.", ""),
        "machine": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
    }
    (out / "training.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for path in out.iterdir():
        if path.is_file():
            path.chmod(0o644)
    (out / "SHA256SUMS").write_text(sha256sums(out), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    run.emit({"event": "export", "path": str(out), "bytes": size, "step": result.steps})

"""SantaCoder's fill-in-the-middle transform, and packing into training sequences.

With probability ``fim_rate`` a document is cut at two random character positions into
prefix, middle and suffix, and emitted in one of two orders (each with probability 1/2
by default)::

    PSM: <fim-prefix> prefix <fim-suffix> suffix <fim-middle> middle <|endoftext|>
    SPM: <fim-prefix> <fim-suffix> suffix <fim-middle> prefix middle <|endoftext|>

(the SPM variant is SantaCoder's, which keeps the prefix and the middle adjacent).
With probability ``short_rate`` a FIM cut is instead a *short* span — the rest of one
line from a random column, or one to three whole lines — because santamerge asks for
short middles (a conflict hunk, a line), and random character cuts give middles of a
third of a document on average, which teach a small model never to stop.
Otherwise the document is emitted as plain text followed by ``<|endoftext|>``. The three
parts are tokenized separately, as a prompt's parts are at inference time. The token ids
are then concatenated and cut into fixed-length sequences.

Source files are first cut at line boundaries into pieces of at most ``piece_chars``
characters, each piece being one document: with a context of a few hundred tokens, a FIM
example cut out of a whole 50 KB file would almost never show its sentinels and its
middle in the same training sequence.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

from santamerge.training.tokenizer import EOS, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, SpecialIds

Encode = Callable[[list[str]], list[list[int]]]


class FimSample(NamedTuple):
    """A document as plain text (``prefix`` only) or cut for fill-in-the-middle."""

    mode: str  # "plain", "psm" or "spm"
    prefix: str
    middle: str
    suffix: str

    @property
    def document(self) -> str:
        return self.prefix + self.middle + self.suffix


def fim_split(
    text: str,
    rng: random.Random,
    fim_rate: float = 0.5,
    spm_rate: float = 0.5,
    short_rate: float = 0.0,
) -> FimSample:
    """Cut ``text`` for fill-in-the-middle with probability ``fim_rate``."""
    if rng.random() >= fim_rate:
        return FimSample("plain", text, "", "")
    if short_rate and rng.random() < short_rate:
        lo, hi = short_span(text, rng)
    else:
        lo, hi = sorted((rng.randint(0, len(text)), rng.randint(0, len(text))))
    mode = "spm" if rng.random() < spm_rate else "psm"
    return FimSample(mode, text[:lo], text[lo:hi], text[hi:])


def short_span(text: str, rng: random.Random) -> tuple[int, int]:
    """A short middle: a line's tail from a random column, or 1-3 whole lines."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text)]
    first = rng.randrange(len(starts))
    if rng.random() < 0.5:
        end = text.find("\n", starts[first])
        end = len(text) if end < 0 else end
        return rng.randint(starts[first], end), end
    last = min(first + rng.randint(1, 3), len(starts))
    return starts[first], starts[last] if last < len(starts) else len(text)


def render(sample: FimSample) -> str:
    """The sample as text with the special tokens spelled out (for reading and tests)."""
    p, m, s = sample.prefix, sample.middle, sample.suffix
    if sample.mode == "psm":
        return f"{FIM_PREFIX}{p}{FIM_SUFFIX}{s}{FIM_MIDDLE}{m}{EOS}"
    if sample.mode == "spm":
        return f"{FIM_PREFIX}{FIM_SUFFIX}{s}{FIM_MIDDLE}{p}{m}{EOS}"
    return f"{p}{EOS}"


def encode_sample(sample: FimSample, encode: Encode, ids: SpecialIds) -> list[int]:
    """The token ids of ``render(sample)``, with each part tokenized on its own."""
    if sample.mode == "plain":
        return [*encode([sample.prefix])[0], ids.eos]
    p, m, s = encode([sample.prefix, sample.middle, sample.suffix])
    if sample.mode == "psm":
        return [ids.prefix, *p, ids.suffix, *s, ids.middle, *m, ids.eos]
    return [ids.prefix, ids.suffix, *s, ids.middle, *p, *m, ids.eos]


def split_pieces(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` at line ends into pieces of at most ``max_chars`` (longer lines alone)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        if current and size + len(line) > max_chars:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        pieces.append("".join(current))
    return pieces


def raw_encoder(tokenizer: object) -> Encode:
    """A batch encoder that goes straight to the Rust tokenizer (no length warnings)."""
    backend = tokenizer.backend_tokenizer  # type: ignore[attr-defined]

    def encode(texts: list[str]) -> list[list[int]]:
        return [e.ids for e in backend.encode_batch(texts, add_special_tokens=False)]

    return encode


class PackState(NamedTuple):
    """Where a :class:`Packer` is: enough to continue the same stream after a restart."""

    epoch: int
    cursor: int
    carry: tuple[int, ...]
    rng: object  # random.Random.getstate()


class Packer:
    """An endless stream of fixed-length token sequences over shuffled documents.

    Each epoch visits every document once, in an order fixed by ``seed`` and the epoch
    number; the FIM cuts come from one seeded generator whose state is part of
    :meth:`state`, so a resumed run continues with exactly the sequences it would have
    seen.
    """

    def __init__(
        self,
        documents: Sequence[str],
        encode: Encode,
        ids: SpecialIds,
        length: int,
        seed: int = 0,
        fim_rate: float = 0.5,
        spm_rate: float = 0.5,
        short_rate: float = 0.0,
    ) -> None:
        if not documents:
            raise ValueError("no documents to pack")
        self.documents = documents
        self.encode = encode
        self.ids = ids
        self.length = length
        self.seed = seed
        self.fim_rate = fim_rate
        self.spm_rate = spm_rate
        self.short_rate = short_rate
        self.rng = random.Random(seed)
        self.epoch = 0
        self.cursor = 0
        self.carry: list[int] = []
        self._order = self._epoch_order(0)

    def _epoch_order(self, epoch: int) -> list[int]:
        order = list(range(len(self.documents)))
        random.Random(self.seed * 1_000_003 + epoch).shuffle(order)
        return order

    def state(self) -> PackState:
        return PackState(self.epoch, self.cursor, tuple(self.carry), self.rng.getstate())

    def restore(self, state: PackState) -> None:
        self.epoch, self.cursor = state.epoch, state.cursor
        self.carry = list(state.carry)
        self.rng.setstate(state.rng)  # type: ignore[arg-type]
        self._order = self._epoch_order(self.epoch)

    def _next_document(self) -> list[int]:
        if self.cursor >= len(self._order):
            self.epoch += 1
            self.cursor = 0
            self._order = self._epoch_order(self.epoch)
        text = self.documents[self._order[self.cursor]]
        self.cursor += 1
        sample = fim_split(text, self.rng, self.fim_rate, self.spm_rate, self.short_rate)
        return encode_sample(sample, self.encode, self.ids)

    def next_sequence(self) -> list[int]:
        while len(self.carry) < self.length:
            self.carry.extend(self._next_document())
        seq, self.carry = self.carry[: self.length], self.carry[self.length :]
        return seq

    def batch(self, size: int) -> list[list[int]]:
        return [self.next_sequence() for _ in range(size)]


class Prefetcher:
    """Batches of a :class:`Packer` made ahead in a background thread, each with the
    packer's state after it, so that a checkpoint records where the *consumed* stream
    is and a resumed run sees exactly the batches it would have seen.

    Tokenizing runs in Rust without the GIL and the training step waits on the device
    without it, so on a GPU the next batch is packed while the current one trains.
    """

    def __init__(self, packer: Packer, size: int, depth: int = 3) -> None:
        import queue
        import threading

        self.packer = packer
        self.size = size
        self._queue: queue.Queue[tuple[list[list[int]], PackState] | BaseException] = queue.Queue(
            maxsize=depth
        )
        self._stop = threading.Event()
        self._state = packer.state()
        self._thread = threading.Thread(target=self._fill, name="santamerge-packer", daemon=True)
        self._thread.start()

    def _fill(self) -> None:
        import queue

        try:
            while not self._stop.is_set():
                item = (self.packer.batch(self.size), self.packer.state())
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed to the consumer, raised there
            self._queue.put(exc)

    def next(self) -> list[list[int]]:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        batch, self._state = item
        return batch

    def state(self) -> PackState:
        """The packer's state after the last batch :meth:`next` returned."""
        return self._state

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def plain_sequences(
    documents: Sequence[str], encode: Encode, eos: int, length: int, limit: int
) -> list[list[int]]:
    """Up to ``limit`` sequences of plain text (each document + EOS), for held-out loss."""
    out: list[list[int]] = []
    carry: list[int] = []
    for ids in encode(list(documents)):
        carry.extend([*ids, eos])
        while len(carry) >= length and len(out) < limit:
            out.append(carry[:length])
            carry = carry[length:]
        if len(out) >= limit:
            break
    return out

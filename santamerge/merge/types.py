"""The values that pass between the pipeline stages.

Every stage takes and returns these immutable values; only ``pipeline`` knows the order
of the stages. Texts are kept exactly as they were read, line endings included.

They are ``NamedTuple`` s rather than frozen dataclasses: the merge driver starts once per
merged file, and on these machines importing ``dataclasses`` (which imports ``inspect``)
and generating thirteen frozen classes costs ~15 ms of a ~60 ms run; NamedTuples cost
~3 ms. See docs/design.md.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

# The sides of a merge: the three versions of a file that it reads. SIDES is their one
# tuple, in the order of git's index stages (1, 2, 3); the other orders are made from it.
Side = Literal["base", "ours", "theirs"]
SIDES: tuple[Side, Side, Side] = ("base", "ours", "theirs")
BOTH_SIDES: tuple[Side, Side] = SIDES[1:]  # ours and theirs: the two changes of the base
# as git's diff3 markers show them, and as a conflict's three labels are given
MARKER_ORDER: tuple[Side, Side, Side] = (SIDES[1], SIDES[0], SIDES[2])


class ConflictHunk(NamedTuple):
    """One conflict region of a file with markers.

    ``base`` is ``None`` for the plain ``merge`` style, which has no base section.
    The ``*_marker`` fields hold the marker lines exactly as read (with their line
    ending), so that an unresolved hunk can be written back byte for byte.
    """

    index: int  # type: ignore[assignment]  # 0-based, in file order (shadows tuple.index)
    line: int  # 1-based line number of the opening marker
    ours: str
    base: str | None
    theirs: str
    open_marker: str
    base_marker: str | None
    sep_marker: str
    close_marker: str
    marker_size: int

    @property
    def ours_label(self) -> str:
        return _label(self.open_marker, self.marker_size)

    @property
    def base_label(self) -> str:
        return _label(self.base_marker, self.marker_size) if self.base_marker else ""

    @property
    def theirs_label(self) -> str:
        return _label(self.close_marker, self.marker_size)

    def render(self) -> str:
        """The hunk as conflict markers, exactly as it was read."""
        base = f"{self.base_marker}{self.base}" if self.base_marker is not None else ""
        ours = f"{self.open_marker}{self.ours}"
        return f"{ours}{base}{self.sep_marker}{self.theirs}{self.close_marker}"


def _label(marker: str, size: int) -> str:
    return marker[size:].strip()


Chunk = str | ConflictHunk


class ParsedMerge(NamedTuple):
    """A text with conflict markers: resolved text and hunks, in file order."""

    chunks: tuple[Chunk, ...]
    newline: str = "\n"
    marker_size: int = 7

    @property
    def hunks(self) -> tuple[ConflictHunk, ...]:
        return tuple(c for c in self.chunks if isinstance(c, ConflictHunk))

    def side(self, which: Side) -> str:
        """Reconstruct ``ours``, ``theirs`` or ``base`` (diff3 style only). The text is
        built once per merge and side (the same string is returned again)."""
        memo = _memo(self)
        key = ("side", which)
        if key not in memo:
            parts = []
            for chunk in self.chunks:
                if isinstance(chunk, str):
                    parts.append(chunk)
                    continue
                text = getattr(chunk, which)
                if text is None:
                    raise ValueError("the merge style has no base section; use --diff3")
                parts.append(text)
            memo[key] = "".join(parts)
        joined: str = memo[key]
        return joined

    def offset(self, hunk: ConflictHunk, side: Side = "ours") -> int:
        """Where ``hunk`` starts, in characters, in the file with every hunk as ``side``
        (the table of starts is built once per merge and side)."""
        memo = _memo(self)
        key = ("offsets", side)
        if key not in memo:
            table, offset = {}, 0
            for position, chunk in enumerate(self.chunks):
                if isinstance(chunk, str):
                    offset += len(chunk)
                else:
                    table[chunk.index] = (position, offset)
                    offset += len(getattr(chunk, side) or "")
            memo[key] = table
        found = memo[key].get(hunk.index)
        if found is None or self.chunks[found[0]] is not hunk:
            raise ValueError("the hunk is not part of this merge")
        start: int = found[1]
        return start

    def splice(self, choices: dict[int, str], default: Side | Literal["markers"] = "ours") -> str:
        """The file with hunk ``i`` replaced by ``choices[i]``, other hunks by a side, or
        by their conflict markers as read when ``default`` is ``"markers"``."""
        if not choices and default in BOTH_SIDES:
            return self.side(default)
        parts = []
        for chunk in self.chunks:
            if isinstance(chunk, str):
                parts.append(chunk)
            elif chunk.index in choices:
                parts.append(choices[chunk.index])
            elif default == "markers":
                parts.append(chunk.render())
            else:
                parts.append(getattr(chunk, default) or "")
        return "".join(parts)


# Per-merge memos (side texts, hunk offsets). A ParsedMerge is immutable, so what is
# computed from it once stays true; the memo holds the merge itself, so that its id
# cannot be reused while the entry lives, and keeps only the newest few merges.
_MEMO: dict[int, tuple[ParsedMerge, dict[Any, Any]]] = {}
_MEMO_SIZE = 8


def _memo(parsed: ParsedMerge) -> dict[Any, Any]:
    entry = _MEMO.get(id(parsed))
    if entry is None or entry[0] is not parsed:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        entry = (parsed, {})
        _MEMO[id(parsed)] = entry
    return entry[1]


def merge_memo(parsed: ParsedMerge) -> dict[Any, Any]:
    """The memo of ``parsed``, for what another stage computes once per merge (a key of
    its own: a tuple that starts with the stage's name)."""
    return _memo(parsed)


class Candidate(NamedTuple):
    """A proposed text for one hunk, and the method that produced it.

    ``key`` names the candidate among its hunk's: gates' verdicts and withdrawals are
    kept by it. It is the method, with ``#<sample>`` after the first of several samples
    of one method (the model's, when it is asked for more than one middle).
    """

    hunk: int
    text: str
    method: str  # "ours", "theirs", "merged:words", "structured:union", ...
    note: str = ""
    sample: int = 0  # which of the method's samples, from 0

    @property
    def key(self) -> str:
        return f"{self.method}#{self.sample}" if self.sample else self.method


class Scored(NamedTuple):
    """A candidate after the gates and the ranking."""

    candidate: Candidate
    score: float
    keeps_ours: float
    keeps_theirs: float
    reasons: tuple[str, ...]
    rejected: tuple[str, ...] = ()


class HunkProposal(NamedTuple):
    """A hunk, its candidates, and the one the policy would write, if any.

    ``gated`` maps the key of each candidate that went through the gates to its
    rejections (empty when it passed). ``ranked`` is empty when nothing was ranked: the
    merge driver gates only what the policy may write, and ranks nothing; ``propose``
    does both for all.
    """

    hunk: ConflictHunk
    candidates: tuple[Candidate, ...]
    gated: dict[str, tuple[str, ...]]
    ranked: tuple[Scored, ...]
    chosen: Candidate | None
    policy: str
    # the policy's offers that failed the whole-file gates (``gates.check_together``),
    # by candidate key, with the reasons
    withdrawn: dict[str, tuple[str, ...]] = {}  # noqa: RUF012  (never mutated)
    # the model's mean log-probability per token of each candidate text as the middle,
    # when a model was asked and could score them
    likelihoods: dict[str, float] = {}  # noqa: RUF012  (never mutated)
    # the repository's evidence (santamerge learn) for the method written, or against the
    # method it no longer writes here (santamerge.merge.ranking.proof)
    evidence: str | None = None


class Outcome(NamedTuple):
    """The merged text after the chosen candidates were spliced in."""

    text: str
    resolved: tuple[int, ...]
    unresolved: tuple[int, ...]
    methods: dict[int, str]

    @property
    def clean(self) -> bool:
        return not self.unresolved


class MergeProposal(NamedTuple):
    """Every hunk of one file with its ranked candidates."""

    path: str
    language: str | None
    parsed: ParsedMerge
    hunks: tuple[HunkProposal, ...]


class StoredMiddles(NamedTuple):
    """The model's middles for the hunks a merge left open: kept, never written."""

    model: str  # the backend's name; "" when it could not be asked
    middles: tuple[Candidate, ...] = ()
    error: str | None = None  # why there are none: no model, no time left, a failure


class Merged(NamedTuple):
    """What the pipeline gives: the proposal, the text it writes, and the model's
    stored middles when they were asked for."""

    proposal: MergeProposal
    outcome: Outcome
    stored: StoredMiddles | None = None

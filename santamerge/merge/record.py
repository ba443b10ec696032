"""Records: the JSON santamerge writes and reads back, one codec for each kind.

- a proposal: ``propose --json``, ``resolve --json``, ``preview --json`` and each file of
  ``merge-tree --json``. The schema is documented in docs/propose-json.md; bump
  PROPOSAL_SCHEMA on any change that is not a pure addition;
- a merge-driver attempt: ``attempt.json`` (santamerge.merge.workspace.attempts), the
  proposal with when it was made, on which HEAD, and what the model said;
- a mined hunk: one hunk of the learned ranker's store (santamerge.training.hunkstore).

Each kind is a typed value (a NamedTuple): a writer makes it from the pipeline's values,
``to_json`` gives its JSON value, and a ``read_*`` function reads that JSON value back
into the typed value, so that writing, reading and writing again gives the same bytes
(tests/test_records.py). Nothing else reads these records key by key. A reader raises
RecordError where the data is not what the writer writes; keys added to schema 1 later
(``withdrawn``, an attempt's ``head`` and ``model``, a hunk's ``evidence``) may be missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from santamerge.merge.types import (
    MARKER_ORDER,
    Candidate,
    HunkProposal,
    MergeProposal,
    Outcome,
    Scored,
)

PROPOSAL_SCHEMA = 1

Labels = tuple[str, str, str]  # ours, base and theirs, as git's markers name them


class RecordError(ValueError):
    """A record that is not what its writer writes."""


# -- the typed values ----------------------------------------------------------------------


class CandidateRecord(NamedTuple):
    """One candidate of a proposal's hunk, as ranked (or not) and gated (or not)."""

    rank: int | None  # from 1; None when not ranked
    method: str
    text: str
    score: float | None  # None when not ranked
    keeps_ours: float | None
    keeps_theirs: float | None
    accepted: bool | None  # passed every gate; None when not gated
    rejected: tuple[str, ...]  # the gates it failed, in words
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "method": self.method,
            "text": self.text,
            "score": self.score,
            "keeps_ours": self.keeps_ours,
            "keeps_theirs": self.keeps_theirs,
            "accepted": self.accepted,
            "rejected": list(self.rejected),
            "reasons": list(self.reasons),
        }


class HunkRecord(NamedTuple):
    """One conflict hunk of a proposal, its candidates and the policy's choice."""

    index: int  # type: ignore[assignment]  # 0-based, in file order (shadows tuple.index)
    line: int  # 1-based line of the opening marker
    ours: str
    base: str | None
    theirs: str
    policy: str
    auto_apply: str | None  # the method written (or that would be), if any
    withdrawn: dict[str, tuple[str, ...]]  # the policy's offers that failed the whole-file
    # gates, by candidate key, with the reasons
    ranked: bool
    candidates: tuple[CandidateRecord, ...]
    # the repository's evidence (santamerge learn) for the method written, or against one
    # it no longer writes here; the key is left out when there is none
    evidence: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "index": self.index,
            "line": self.line,
            "ours": self.ours,
            "base": self.base,
            "theirs": self.theirs,
            "policy": self.policy,
            "auto_apply": self.auto_apply,
        }
        if self.evidence is not None:
            out["evidence"] = self.evidence
        return {
            **out,
            "withdrawn": {key: list(reasons) for key, reasons in self.withdrawn.items()},
            "ranked": self.ranked,
            "candidates": [c.to_json() for c in self.candidates],
        }


class OutcomeRecord(NamedTuple):
    clean: bool
    resolved: tuple[int, ...]  # hunk indexes written
    unresolved: tuple[int, ...]  # hunk indexes that keep their markers
    methods: dict[int, str]  # hunk index -> the method written

    def to_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "resolved": list(self.resolved),
            "unresolved": list(self.unresolved),
            "methods": {str(k): v for k, v in self.methods.items()},
        }


class ProposalRecord(NamedTuple):
    """One file's proposal (docs/propose-json.md)."""

    schema: int
    path: str
    language: str | None
    labels: Labels | None
    hunks: tuple[HunkRecord, ...]
    outcome: OutcomeRecord

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "path": self.path,
            "language": self.language,
            "labels": dict(zip(MARKER_ORDER, self.labels, strict=True)) if self.labels else None,
            "hunks": [h.to_json() for h in self.hunks],
            "outcome": self.outcome.to_json(),
        }


class AttemptRecord(NamedTuple):
    """A merge-driver attempt's ``attempt.json``: its proposal, when (the folder's time
    stamp), HEAD's commit when the driver ran (None: it could not be read), and the
    model's facts and middles when it was asked (docs/propose-json.md)."""

    time: str
    proposal: ProposalRecord
    head: str | None
    model: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        body = self.proposal.to_json()
        out = {"schema": body.pop("schema"), "path": body.pop("path"), "time": self.time, **body}
        if self.model is not None:
            out["model"] = self.model
        out["head"] = self.head
        return out


class MinedHunk(NamedTuple):
    """One hunk of a replayed merge commit in the learned ranker's store
    (santamerge.training.hunkstore): the hunk, the lines around it, what people
    committed, every candidate (learned ranker off, no policy) and the history facts."""

    merge: str  # the merge commit
    date: str  # its committer date, ISO 8601
    subject: str
    path: str
    language: str
    index: int  # type: ignore[assignment]  # the hunk's (shadows tuple.index)
    hunks_in_file: int
    base: str | None
    ours: str
    theirs: str
    before: str  # the file's lines just before the hunk (signals.context_of)
    after: str
    truth: str  # what people committed in its place
    candidates: tuple[Scored, ...]  # without reasons (they are not stored)
    likelihoods: dict[str, float] | None
    history: dict[str, Any]  # santamerge.git.history_facts of the path

    def to_json(self) -> dict[str, Any]:
        return {
            "merge": self.merge,
            "date": self.date,
            "subject": self.subject,
            "path": self.path,
            "language": self.language,
            "index": self.index,
            "hunks_in_file": self.hunks_in_file,
            "base": self.base,
            "ours": self.ours,
            "theirs": self.theirs,
            "before": self.before,
            "after": self.after,
            "truth": self.truth,
            "candidates": [
                {
                    "method": s.candidate.method,
                    "text": s.candidate.text,
                    "note": s.candidate.note,
                    "score": s.score,
                    "keeps_ours": s.keeps_ours,
                    "keeps_theirs": s.keeps_theirs,
                    "rejected": list(s.rejected),
                }
                for s in self.candidates
            ],
            "likelihoods": self.likelihoods,
            "history": self.history,
        }


# -- writers: from the pipeline's values -----------------------------------------------------


def proposal_record(
    proposal: MergeProposal, outcome: Outcome, labels: Labels | None = None
) -> ProposalRecord:
    return ProposalRecord(
        PROPOSAL_SCHEMA,
        proposal.path,
        proposal.language,
        labels if labels else None,
        tuple(hunk_record(h) for h in proposal.hunks),
        OutcomeRecord(
            outcome.clean, tuple(outcome.resolved), tuple(outcome.unresolved), dict(outcome.methods)
        ),
    )


def hunk_record(h: HunkProposal) -> HunkRecord:
    return HunkRecord(
        h.hunk.index,
        h.hunk.line,
        h.hunk.ours,
        h.hunk.base,
        h.hunk.theirs,
        h.policy,
        h.chosen.method if h.chosen else None,
        {key: tuple(reasons) for key, reasons in h.withdrawn.items()},
        bool(h.ranked),
        tuple(candidate_record(s, rank) for rank, s in enumerate(h.ranked, 1))
        if h.ranked
        else tuple(unranked_record(c, h) for c in h.candidates),
        h.evidence,
    )


def unranked_record(c: Candidate, h: HunkProposal) -> CandidateRecord:
    """A candidate the merge driver did not rank; gated only if the policy considered it."""
    rejected = h.gated.get(c.key)
    return CandidateRecord(
        None,
        c.method,
        c.text,
        None,
        None,
        None,
        None if rejected is None else not rejected,
        tuple(rejected or ()),
        (c.note,) if c.note else (),
    )


def candidate_record(s: Scored, rank: int) -> CandidateRecord:
    return CandidateRecord(
        rank,
        s.candidate.method,
        s.candidate.text,
        s.score,
        s.keeps_ours,
        s.keeps_theirs,
        not s.rejected,
        tuple(s.rejected),
        tuple(s.reasons),
    )


# -- readers: from JSON values ---------------------------------------------------------------


def read_proposal(data: object) -> ProposalRecord:
    """A proposal record (docs/propose-json.md) from its JSON value."""
    return _reading(_proposal, data)


def read_attempt(data: object) -> AttemptRecord:
    """An ``attempt.json`` from its JSON value."""
    return _reading(_attempt, data)


def read_mined(data: object) -> MinedHunk:
    """A hunk of the learned ranker's store from its JSON value."""
    return _reading(_mined, data)


def _reading(read: Any, data: object) -> Any:
    try:
        return read(_object(data))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError(f"not a santamerge record ({type(exc).__name__}: {exc})") from None


def _proposal(data: dict[str, Any]) -> ProposalRecord:
    labels = data["labels"]
    return ProposalRecord(
        _value(data, "schema", int),
        _value(data, "path", str),
        _value(data, "language", str, None),
        None if labels is None else _labels(labels),
        tuple(_hunk(_object(h)) for h in _value(data, "hunks", list)),
        _outcome(_object(data["outcome"])),
    )


def _labels(data: object) -> Labels:
    named = _object(data)
    return _value(named, "ours", str), _value(named, "base", str), _value(named, "theirs", str)


def _hunk(data: dict[str, Any]) -> HunkRecord:
    withdrawn = _object(data.get("withdrawn", {}))  # added in issue 11
    return HunkRecord(
        _value(data, "index", int),
        _value(data, "line", int),
        _value(data, "ours", str),
        _value(data, "base", str, None),
        _value(data, "theirs", str),
        _value(data, "policy", str),
        _value(data, "auto_apply", str, None),
        {str(key): _strings(reasons) for key, reasons in withdrawn.items()},
        _value(data, "ranked", bool),
        tuple(_candidate(_object(c)) for c in _value(data, "candidates", list)),
        _value(data, "evidence", str) if "evidence" in data else None,
    )  # added in issue 24


def _candidate(data: dict[str, Any]) -> CandidateRecord:
    return CandidateRecord(
        _value(data, "rank", int, None),
        _value(data, "method", str),
        _value(data, "text", str),
        _value(data, "score", float, int, None),
        _value(data, "keeps_ours", float, int, None),
        _value(data, "keeps_theirs", float, int, None),
        _value(data, "accepted", bool, None),
        _strings(data["rejected"]),
        _strings(data["reasons"]),
    )


def _outcome(data: dict[str, Any]) -> OutcomeRecord:
    methods = _object(data["methods"])
    return OutcomeRecord(
        _value(data, "clean", bool),
        _integers(data["resolved"]),
        _integers(data["unresolved"]),
        {int(key): _value(methods, key, str) for key in methods},
    )


def _attempt(data: dict[str, Any]) -> AttemptRecord:
    model = data.get("model")  # an addition, as is "head"
    return AttemptRecord(
        _value(data, "time", str),
        _proposal(data),
        _value(data, "head", str, None) if "head" in data else None,
        None if model is None else _object(model),
    )


def _mined(data: dict[str, Any]) -> MinedHunk:
    index = _value(data, "index", int)
    likelihoods = data["likelihoods"]
    return MinedHunk(
        _value(data, "merge", str),
        _value(data, "date", str),
        _value(data, "subject", str),
        _value(data, "path", str),
        _value(data, "language", str),
        index,
        _value(data, "hunks_in_file", int),
        _value(data, "base", str, None),
        _value(data, "ours", str),
        _value(data, "theirs", str),
        _value(data, "before", str),
        _value(data, "after", str),
        _value(data, "truth", str),
        tuple(_mined_candidate(_object(c), index) for c in _value(data, "candidates", list)),
        None if likelihoods is None else dict(_object(likelihoods)),
        _object(data["history"]),
    )


def _mined_candidate(data: dict[str, Any], hunk: int) -> Scored:
    return Scored(
        Candidate(
            hunk, _value(data, "text", str), _value(data, "method", str), _value(data, "note", str)
        ),
        _value(data, "score", float, int),
        _value(data, "keeps_ours", float, int),
        _value(data, "keeps_theirs", float, int),
        (),
        _strings(data["rejected"]),
    )


def _object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RecordError(f"expected an object, not {type(data).__name__}")
    return data


def _value(data: Mapping[str, Any], key: str, *kinds: type | None) -> Any:
    """``data[key]``, which must be of one of ``kinds`` (None: null)."""
    value = data[key]
    if value is None and None in kinds:
        return None
    if not isinstance(value, tuple(k for k in kinds if k is not None)):
        raise RecordError(f"{key!r}: unexpected {type(value).__name__}")
    return value


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError("expected a list of strings")
    return tuple(value)


def _integers(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise RecordError("expected a list of integers")
    return tuple(value)

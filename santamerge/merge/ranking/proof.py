"""Each writing method proven per repository: how often each method was right in this
repository's own merges, and what the policy then writes here.

``santamerge learn`` replays the repository's merges, oldest to newest, and judges the
newest of them (its hold-out): for each language and each method, the hunks where the
method gave a candidate that passes the gates (the hunks it would write), and how many
of those hold what people committed, judged by conflict region as ``bench merges``
judges (whitespace runs as one space). A candidate with the committed lines in another
order counts as right, and is counted apart too. The table goes to
``.git/santamerge/methods.json`` (:func:`proof_path`).

A policy that trusts methods then writes, in that repository and language, a method
whose precision there is at least :data:`PRECISION` on at least :data:`MIN_HUNKS`
hunks (proven), and a method the policy trusts unless the history shows it below
:data:`PRECISION` on at least :data:`MIN_HUNKS` hunks (contradicted). The merge driver
reads the table once per run: a small JSON file, no numerical library.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from santamerge.merge.ranking.methods import DETERMINISTIC

if TYPE_CHECKING:
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.types import Scored

PROOF_SCHEMA = 1
PRECISION = 0.97  # a method is proven at or above it, contradicted below it,
MIN_HUNKS = 20  # on at least this many hunks written


class Figures(NamedTuple):
    """One method's record in one language: hunks it would write, of those right
    (order-only included), and of those right only with the lines in another order."""

    written: int
    right: int
    order_only: int

    @property
    def precision(self) -> float:
        return self.right / self.written if self.written else 0.0

    @property
    def verdict(self) -> str:
        """ "proven", "contradicted", or "too few" hunks to say."""
        if self.written < MIN_HUNKS:
            return "too few"
        return "proven" if self.precision >= PRECISION else "contradicted"


class Proof(NamedTuple):
    """What ``santamerge learn`` measured: when, on which merges, and per language and
    method the figures."""

    measured: str  # when learn measured, ISO 8601 (UTC)
    merges: int  # the merges judged (learn's newest ones)
    since: str  # the oldest of them, by committer date
    table: dict[str, dict[str, Figures]]  # language -> method -> figures

    def figures(self, language: str | None, method: str) -> Figures | None:
        return self.table.get(language or "", {}).get(method)

    def line(self, language: str | None, method: str) -> str | None:
        """The evidence of ``method`` in words, e.g. "structured:tree: 31/32 right in
        this repository's history (learn, 2026-12-05)"; None without figures."""
        f = self.figures(language, method)
        if f is None:
            return None
        order = f", {f.order_only} in another order" if f.order_only else ""
        return (
            f"{method}: {f.right}/{f.written} right{order} in this repository's "
            f"history (learn, {self.measured[:10]})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": PROOF_SCHEMA,
            "measured": self.measured,
            "merges": self.merges,
            "since": self.since,
            "precision": PRECISION,
            "min_hunks": MIN_HUNKS,
            "languages": {
                lang: {
                    m: {**f._asdict(), "precision": round(f.precision, 4), "verdict": f.verdict}
                    for m, f in sorted(methods.items())
                }
                for lang, methods in sorted(self.table.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Proof:
        table = {
            str(lang): {
                str(m): Figures(int(f["written"]), int(f["right"]), int(f["order_only"]))
                for m, f in methods.items()
            }
            for lang, methods in data["languages"].items()
        }
        return cls(str(data["measured"]), int(data["merges"]), str(data["since"]), table)


def proof_path(git_dir: str | os.PathLike[str]) -> Path:
    return Path(git_dir) / "santamerge" / "methods.json"


@lru_cache(maxsize=4)
def read_proof(git_dir: str | None) -> Proof | None:
    """The table ``santamerge learn`` stored in this repository, read once per process;
    None when there is none. One that cannot be read counts as none, with one warning
    line (santamerge.merge.ranking.learned.warn_unusable)."""
    if git_dir is None:
        return None
    path = proof_path(git_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema") != PROOF_SCHEMA:
            return None
        return Proof.from_json(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        from santamerge.merge.ranking.learned import warn_unusable

        warn_unusable(path, exc, "the shipped policy is in effect")
        return None


def in_repository(
    policy: AutoApplyPolicy, proof: Proof | None, language: str | None
) -> AutoApplyPolicy:
    """``policy`` as this repository's history proves it for ``language``: proven
    methods added, contradicted ones removed, the evidence kept for the record. A policy
    that does not learn (``never``, a threshold given by hand) and a repository without
    a table are left as they are."""
    figures = proof.table.get(language or "", {}) if proof is not None else {}
    if not policy.learns or proof is None or not figures:
        return policy
    proven = {m for m, f in figures.items() if f.verdict == "proven" and m in DETERMINISTIC}
    contradicted = {m for m, f in figures.items() if f.verdict == "contradicted"}
    # what it would have written and no longer does: any method the ranker may put on
    # top (a threshold policy), else the methods it trusts
    refused = contradicted if policy.threshold is not None else contradicted & policy.methods
    evidence = tuple(
        (m, line) for m in sorted(figures) if (line := proof.line(language, m)) is not None
    )
    return policy._replace(
        methods=frozenset((policy.methods - contradicted) | proven),
        refused=frozenset(refused),
        evidence=evidence,
    )


# -- measuring (santamerge learn) --------------------------------------------------------------


class Judged(Protocol):
    """A replayed hunk as ``learn`` mines it (santamerge.merge.record.MinedHunk)."""

    @property
    def merge(self) -> str: ...

    @property
    def date(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def truth(self) -> str: ...

    @property
    def candidates(self) -> tuple[Scored, ...]: ...


def normalise(text: str) -> str:
    """Every run of whitespace as one space, none at either end (as ``bench merges``)."""
    return " ".join(text.split())


def judge(text: str, truth: str) -> str | None:
    """ "right" when ``text`` holds what was committed (whitespace runs as one space),
    "order" when it holds the same lines in another order, else None."""
    if normalise(text) == normalise(truth):
        return "right"
    lines = sorted(normalise(line) for line in text.splitlines() if line.strip())
    wanted = sorted(normalise(line) for line in truth.splitlines() if line.strip())
    return "order" if lines and lines == wanted else None


def measure(records: Iterable[Judged], measured: str) -> Proof:
    """The figures of every method, per language, on ``records`` (learn's newest
    merges): each hunk counts once for each method whose candidate passed the gates."""
    counts: dict[str, dict[str, list[int]]] = {}
    merges: set[str] = set()
    since = ""
    for record in records:
        merges.add(record.merge)
        since = min(since, record.date) if since else record.date
        for s in record.candidates:
            if s.rejected or s.candidate.method not in DETERMINISTIC:
                continue
            verdict = judge(s.candidate.text, record.truth)
            row = counts.setdefault(record.language, {}).setdefault(s.candidate.method, [0, 0, 0])
            row[0] += 1
            row[1] += verdict is not None
            row[2] += verdict == "order"
    table = {
        lang: {m: Figures(*row) for m, row in methods.items()} for lang, methods in counts.items()
    }
    return Proof(measured, len(merges), since, table)


def write_proof(git_dir: str | os.PathLike[str], proof: Proof) -> None:
    target = proof_path(git_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(proof.to_json(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise

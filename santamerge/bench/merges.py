"""``santamerge bench merges``: judge santamerge on a repository's own merge history.

Every replayed conflict hunk (:mod:`santamerge.bench.replay`) goes through the pipeline
(``run_pipeline``) as ``santamerge propose`` runs it, and its ranked candidates are
compared with the committed resolution after whitespace normalisation (runs of blanks
are one space, leading and trailing blanks go). The report:

- hunk level: top-1 and top-3 exact, mean edit similarity of the top-1
  (``Levenshtein.normalized_similarity``);
- auto-apply, under the policy: precision (written and right, of written), coverage
  (written, of matched hunks), silent-wrong rate (written and wrong, of matched hunks);
- file level: files the driver would resolve completely and exactly right;
- file level by language, git's line merge beside the policy, with totals over code and
  over config languages: coverage (files the driver writes: the policy resolved every
  hunk), precision (written files whose every region holds the commit's text; a written
  file with a region not found in the commit is "unjudged", never right), the same with
  order counted right (a region that holds the commit's lines in another order counts
  as right), whole-file equality beside it, the hunks written (in files written whole
  or in part: they add up to the auto-apply figures), silent-wrong (a wrong region
  written, whole or in part, of all conflicted files) and the time per file;
- with ``details``, one record per conflicted file (commit, path, language, verdicts,
  the method of each written hunk and the time; no text), for error analysis;
- time per file and per hunk (p50, p95) of the pipeline;
- baselines: git merge-file (resolves nothing), always ours, always theirs, and the best
  of the trivial candidates (ours, theirs, both orders, base) as an oracle bound;
- the same by language and by resolution class: one side, both concatenated,
  interleaved lines of both, the base, new code;
- a precision-against-coverage curve over a threshold on the top-1 score.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.bench.replay import ConflictedFile, match_hunks
from santamerge.languages.profiles import language_named
from santamerge.merge.candidates import side_texts
from santamerge.merge.structured.words import normalise
from santamerge.merge.types import ConflictHunk, HunkProposal

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend

CLASSES = ("one side", "both concatenated", "interleaved", "base", "new code")
BASELINES = ("git merge-file", "ours", "theirs", "oracle")


class HunkResult(NamedTuple):
    merge: str
    path: str
    language: str
    index: int  # type: ignore[assignment]  # the hunk's index (shadows tuple.index)
    resolution: str  # one of CLASSES
    top1: bool
    top3: bool
    similarity: float
    top_score: float
    top_method: str
    written: bool  # the policy would write it
    written_right: bool
    baselines: dict[str, bool]
    written_right_any_order: bool = False  # right, or the commit's lines in another order
    written_method: str = ""  # the method of the candidate the policy would write


class FileResult(NamedTuple):
    merge: str
    path: str
    language: str
    hunks: int
    unmatched: int
    resolved_right: bool  # every hunk written, and the file equals the committed one
    seconds: float
    results: tuple[HunkResult, ...]
    written: bool = False  # the policy resolved every hunk: the driver writes the file

    @property
    def verdict(self) -> str | None:
        """A written file's regions against the commit: "right" when the whole file
        equals it; else "wrong" when a region differs, "unjudged" when none differs but
        one was not found there, else "right". None for a file left conflicted."""
        if not self.written:
            return None
        if self.resolved_right:
            return "right"
        if not all(h.written_right for h in self.results):
            return "wrong"
        return "unjudged" if self.unmatched else "right"

    @property
    def verdict_any_order(self) -> str | None:
        """As :attr:`verdict`, with a region that holds the commit's lines in another
        order counted right."""
        if not self.written:
            return None
        if self.resolved_right:
            return "right"
        if not all(h.written_right_any_order for h in self.results):
            return "wrong"
        return "unjudged" if self.unmatched else "right"

    def record(self) -> dict[str, Any]:
        """What error analysis needs to find the file again and see what was written
        where: no text of the file."""
        return {
            "merge": self.merge,
            "path": self.path,
            "language": self.language,
            "hunks": self.hunks,
            "unmatched": self.unmatched,
            "written": self.written,
            "verdict": self.verdict,
            "verdict_any_order": self.verdict_any_order,
            "ms": round(self.seconds * 1000, 1),
            "regions": [
                {
                    "index": h.index,
                    "resolution": h.resolution,
                    "method": h.written_method or None,
                    "right": h.written_right,
                    "right_any_order": h.written_right_any_order,
                }
                for h in self.results
                if h.written
            ],
        }


def same_lines(text: str, truth: str) -> bool:
    """Whether ``text`` holds the lines of ``truth`` in some order: the same non-blank
    lines, each after whitespace normalisation, as many times each."""

    def lines(t: str) -> list[str]:
        return sorted(normalise(line) for line in t.splitlines() if line.strip())

    return lines(text) == lines(truth)


def classify(hunk: ConflictHunk, truth: str) -> str:
    t = normalise(truth)
    ours, theirs, base = normalise(hunk.ours), normalise(hunk.theirs), normalise(hunk.base or "")
    if t in (ours, theirs):
        return "one side"
    if t in (normalise(hunk.ours + hunk.theirs), normalise(hunk.theirs + hunk.ours)):
        return "both concatenated"
    if hunk.base is not None and t == base:
        return "base"
    kept = [normalise(line) for line in truth.splitlines() if line.strip()]
    ours_lines = {normalise(line) for line in hunk.ours.splitlines()}
    theirs_lines = {normalise(line) for line in hunk.theirs.splitlines()}
    if (
        kept
        and all(line in ours_lines | theirs_lines for line in kept)
        and any(line not in theirs_lines for line in kept)
        and any(line not in ours_lines for line in kept)
    ):
        return "interleaved"
    return "new code"


def trivial_texts(hunk: ConflictHunk, newline: str = "\n") -> dict[str, str]:
    """The sides, both concatenations and the base, built as the candidates are."""
    return {k: v for k, v in side_texts(hunk, newline).items() if v is not None}


def evaluate_file(
    conflicted: ConflictedFile,
    policy_name: str = "conservative",
    backend: Backend | None = None,
    sides: tuple[str, str] | None = None,
) -> FileResult | None:
    """The file's hunks, proposed for and compared; None when its markers do not parse.
    ``sides``: ours and theirs as whole files, as the merge driver has them (%A, %B);
    the gates read a side's changes in git's clean lines from them."""
    from santamerge.errors import MarkerError
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.ranking.policy import POLICIES

    started = time.perf_counter()
    try:
        proposal, outcome, _ = run_pipeline(
            conflicted.marked,
            conflicted.path,
            policy=POLICIES[policy_name],
            backend=backend,
            merge_message=conflicted.subject,
            sides=sides,
        )
    except MarkerError:
        return None
    seconds = time.perf_counter() - started
    parsed, language = proposal.parsed, proposal.language or "other"
    truths = match_hunks(parsed, conflicted.truth)
    results = tuple(
        judge_hunk(conflicted, language, hp, truth, parsed.newline)
        for hp, truth in zip(proposal.hunks, truths, strict=True)
        if truth is not None
    )
    written = not outcome.unresolved
    resolved_right = written and normalise(outcome.text) == normalise(conflicted.truth)
    return FileResult(
        conflicted.merge,
        conflicted.path,
        language,
        len(parsed.hunks),
        sum(t is None for t in truths),
        resolved_right,
        seconds,
        results,
        written,
    )


def judge_hunk(
    conflicted: ConflictedFile, language: str, hp: HunkProposal, truth: str, newline: str
) -> HunkResult:
    """One matched hunk's candidates and the policy's choice against the commit's text."""
    from rapidfuzz.distance import Levenshtein

    want = normalise(truth)
    ranked = [s for s in hp.ranked if not s.rejected] or list(hp.ranked)
    texts = [normalise(s.candidate.text) for s in ranked]
    top = ranked[0] if ranked else None
    top_text = top.candidate.text if top else hp.hunk.ours
    trivial = {k: normalise(v) == want for k, v in trivial_texts(hp.hunk, newline).items()}
    right = hp.chosen is not None and normalise(hp.chosen.text) == want
    return HunkResult(
        conflicted.merge,
        conflicted.path,
        language,
        hp.hunk.index,
        classify(hp.hunk, truth),
        bool(texts) and texts[0] == want,
        want in texts[:3],
        Levenshtein.normalized_similarity(top_text, truth),
        top.score if top else 0.0,
        top.candidate.method if top else "",
        hp.chosen is not None,
        right,
        {
            "git merge-file": False,
            "ours": trivial["ours"],
            "theirs": trivial["theirs"],
            "oracle": any(trivial.values()),
        },
        right or (hp.chosen is not None and same_lines(hp.chosen.text, truth)),
        hp.chosen.method if hp.chosen is not None else "",
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    }


def _ms(seconds: list[float]) -> dict[str, float | None]:
    return {k: v * 1000 if v is not None else None for k, v in _percentiles(seconds).items()}


def _writer(
    files: int,
    verdicts: Counter[str | None],
    whole: int,
    hunks: tuple[int, int] = (0, 0),
    silently_wrong: tuple[int, int] = (0, 0),
    any_order: Counter[str | None] | None = None,
) -> dict[str, Any]:
    """What one writer (git's line merge, or the policy) did with ``files`` conflicted
    files, from the verdicts of the files it wrote whole (FileResult.verdict), the
    ``hunks`` it wrote (and of those, wrong) in any of them, whole or in part, the files
    with a wrong hunk written (``silently_wrong``: nothing marks it; exact, and with
    order counted right), and the verdicts with order counted right
    (FileResult.verdict_any_order; the verdicts when None)."""
    right, wrong, unjudged = verdicts["right"], verdicts["wrong"], verdicts["unjudged"]
    written = right + wrong + unjudged
    right_any, wrong_any = ((any_order or verdicts)["right"], (any_order or verdicts)["wrong"])
    return {
        "written": written,
        "right": right,
        "wrong": wrong,
        "unjudged": unjudged,
        "whole_file_equal": whole,
        "coverage": _share(written, files),
        "precision": _share(right, written),
        "precision_judged": _share(right, right + wrong),
        "whole_file": _share(whole, written),
        "hunks_written": hunks[0],
        "hunks_wrong": hunks[1],
        "silent_wrong": _share(max(wrong, silently_wrong[0]), files),
        "right_any_order": right_any,
        "wrong_any_order": wrong_any,
        "precision_any_order": _share(right_any, written),
        "silent_wrong_any_order": _share(max(wrong_any, silently_wrong[1]), files),
    }


def file_figures(files: list[FileResult]) -> dict[str, Any]:
    """File-level figures of a group of conflicted files: git's line merge, which
    writes none of them, beside the policy, which writes the files it resolves whole,
    and the hunks it resolves in the others (the driver writes those too, and leaves
    the rest marked). Its hunks written add up to the report's ``auto_apply``; a file
    with a wrong hunk written is silent-wrong whether or not it is written whole.
    Their times are in the report's ``time_ms``, with every other time."""
    n = len(files)
    hunks = [h for f in files for h in f.results if h.written]
    wrong = sum(not h.written_right for h in hunks)
    silently = sum(
        f.verdict == "wrong" or any(h.written and not h.written_right for h in f.results)
        for f in files
    )
    silently_any = sum(
        f.verdict_any_order == "wrong"
        or any(h.written and not h.written_right_any_order for h in f.results)
        for f in files
    )
    return {
        "files": n,
        "git": _writer(n, Counter(), 0),
        "policy": _writer(
            n,
            Counter(f.verdict for f in files),
            sum(f.resolved_right for f in files),
            (len(hunks), wrong),
            (silently, silently_any),
            Counter(f.verdict_any_order for f in files),
        ),
    }


def kind_of(language: str) -> str | None:
    """ "code" or "config" for a language santamerge knows; None for "other"."""
    profile = language_named(language)
    return profile.kind if profile else None


def by_language(files: list[FileResult]) -> dict[str, list[FileResult]]:
    return {
        lang: [f for f in files if f.language == lang]
        for lang in sorted({f.language for f in files})
    }


def by_kind(files: list[FileResult]) -> dict[str, list[FileResult]]:
    """The files of code languages, of config languages, and all files."""
    return {
        "code": [f for f in files if kind_of(f.language) == "code"],
        "config": [f for f in files if kind_of(f.language) == "config"],
        "all": files,
    }


def _hunk_figures(hunks: list[HunkResult]) -> dict[str, Any]:
    n = len(hunks)
    return {
        "hunks": n,
        "top1": _share(sum(h.top1 for h in hunks), n),
        "top3": _share(sum(h.top3 for h in hunks), n),
        "similarity": statistics.fmean(h.similarity for h in hunks) if hunks else None,
        "baselines": {b: _share(sum(h.baselines[b] for h in hunks), n) for b in BASELINES},
    }


def curve(hunks: list[HunkResult]) -> list[dict[str, float]]:
    """Precision and coverage if exactly the hunks whose top-1 score reaches a threshold
    were written, for every distinct threshold, highest first."""
    ordered = sorted(hunks, key=lambda h: -h.top_score)
    points, right = [], 0
    for i, h in enumerate(ordered, 1):
        right += h.top1
        if i == len(ordered) or ordered[i].top_score < h.top_score:
            points.append(
                {"threshold": h.top_score, "coverage": i / len(ordered), "precision": right / i}
            )
    return points


def summarise(
    files: list[FileResult], meta: dict[str, Any], details: bool = False
) -> dict[str, Any]:
    hunks = [h for f in files for h in f.results]
    matched = len(hunks)
    written = sum(h.written for h in hunks)
    right = sum(h.written_right for h in hunks)
    per_hunk = [f.seconds / f.hunks for f in files if f.hunks]
    languages, kinds = by_language(files), by_kind(files)
    return {
        **meta,
        "files": {
            "conflicted": len(files),
            "resolved_right": sum(f.resolved_right for f in files),
            "share_resolved_right": _share(sum(f.resolved_right for f in files), len(files)),
        },
        "hunks": {
            "total": matched + sum(f.unmatched for f in files),
            "matched": matched,
            "unmatched": sum(f.unmatched for f in files),
        },
        "santamerge": _hunk_figures(hunks),
        "auto_apply": {
            "written": written,
            "right": right,
            "right_any_order": sum(h.written_right_any_order for h in hunks),
            "precision": _share(right, written),
            "coverage": _share(written, matched),
            "silent_wrong": _share(written - right, matched),
        },
        "time_ms": {
            "per_file": _ms([f.seconds for f in files]),
            "per_hunk": _ms(per_hunk),
            "per_file_by_language": {k: _ms([f.seconds for f in v]) for k, v in languages.items()},
            "per_file_by_kind": {k: _ms([f.seconds for f in v]) for k, v in kinds.items()},
        },
        "by_language": {
            lang: _hunk_figures([h for h in hunks if h.language == lang])
            for lang in sorted({h.language for h in hunks})
        },
        "by_class": {
            c: _hunk_figures([h for h in hunks if h.resolution == c])
            for c in CLASSES
            if any(h.resolution == c for h in hunks)
        },
        "curve": curve(hunks),
        "files_by_language": {
            k: {"kind": kind_of(k), **file_figures(v)} for k, v in languages.items()
        },
        "files_by_kind": {k: file_figures(v) for k, v in kinds.items()},
        **({"file_results": [f.record() for f in files]} if details else {}),
    }


def run_bench(
    conflicted: Iterable[ConflictedFile],
    policy: str = "conservative",
    progress: Callable[[int], None] | None = None,
    backend: Backend | None = None,
    sides: Callable[[ConflictedFile], tuple[str, str] | None] | None = None,
) -> list[FileResult]:
    """Each file evaluated; ``sides`` gives a file's whole sides, where known."""
    out = []
    for f in conflicted:
        found = evaluate_file(f, policy, backend, sides(f) if sides is not None else None)
        if found is not None:
            out.append(found)
        if progress:
            progress(1)
    return out

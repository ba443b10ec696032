"""Issue 24's measurement: how often each policy writes a conflicted file, how often what
it writes is what people committed, and how long the driver takes, on two sets of public
repositories (tests/bench/trust-sets.json): a frozen set that no tuning may look at, and
a development set to tune on.

    python tests/bench/trust.py run    --set frozen --clones DIR --reports OUT
                                       [--policy P] [--only CLONE] [--max-limit N]
    python tests/bench/trust.py table  --set frozen --reports OUT [--json F] [--markdown]
                                       [--same-merges-as OTHER]
    python tests/bench/trust.py driver --set frozen --clones DIR [--files 30] [--json F]
                                       [--policy P]
    python tests/bench/trust.py errors --set development --clones DIR --reports OUT
                                       [--json F] [--dump F.txt]

``run`` calls ``santamerge bench merges --details`` once per repository and policy
(conservative, the default, and words), one after another, into
``OUT/<set>-<clone>-<policy>.json``; a report already there is kept. ``DIR/<clone>``
is a clone of each repository (``git clone https://github.com/<repo> DIR/<clone>``;
the revision named in the sets file must be in it). Replays are cached in
~/.cache/santamerge/bench, keyed by the clone's path.

``table`` adds the reports up per language, per kind (code, config, no grammar) and in
total: coverage of conflicted files, precision by region (exact, and with the same
lines in another order counted right), silent-wrong of all conflicted files, and the
pipeline's p50/p95 time per file; git's line merge writes none of these files. Every
figure is recomputed from the per-file records, so totals over repositories are exact.

``driver`` times the real merge driver (a fresh ``python -m santamerge merge-driver``
per file, as git runs it; tests/bench/driver_replay_speed.py) on the first ``--files``
conflicted files of each repository, under each policy, with the package's bytecode
compiled first, as an installed copy has it.

``errors`` replays every file a policy wrote wrong, runs the pipeline on it again and
sorts each wrong region into a class (ERROR_CLASSES) by the rules in :func:`classify`.
``--json`` keeps the classes with commit, path, method and the evidence as numbers (no
text of the repositories); ``--dump`` writes the regions themselves, for reading, to a
file that is not to be committed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
SETS = HERE / "trust-sets.json"
POLICIES = ("conservative", "words")
ERROR_CLASSES = (
    "adaptation to a rewrite",
    "new code",
    "placement",
    "rendering",
    "versions",
    "lines people dropped",
    "order only",
    "markers committed",
)
MARKER = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)", re.MULTILINE)
KINDS = ("code", "config", "other")


# --- sets and reports ---------------------------------------------------------------


def load_sets(path: Path = SETS) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def report_path(reports: Path, set_name: str, clone: str, policy: str) -> Path:
    return reports / f"{set_name}-{clone}-{policy}.json"


def run(
    set_name: str,
    clones: Path,
    reports: Path,
    policies: Iterable[str],
    only: set[str],
    max_limit: int | None = None,
) -> None:
    """``max_limit`` replays at most that many of each repository's newest merges (a
    shorter run; compare with ``table --same-merges-as``)."""
    reports.mkdir(parents=True, exist_ok=True)
    for entry in load_sets()[set_name]:
        if only and entry["clone"] not in only:
            continue
        for policy in policies:
            out = report_path(reports, set_name, entry["clone"], policy)
            if out.exists():
                continue
            started = time.perf_counter()
            limit = min(entry["limit"], max_limit or entry["limit"])
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "santamerge",
                    "bench",
                    "merges",
                    "--repo",
                    str(clones / entry["clone"]),
                    "--rev",
                    entry["rev"],
                    "--limit",
                    str(limit),
                    "--policy",
                    policy,
                    "--details",
                    "--name",
                    entry["repo"],
                    "--output",
                    str(out),
                    "--json",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"{entry['repo']} ({policy}) failed: {done.stderr[-2000:]}")
            print(
                f"{entry['repo']:32} {policy:12} {time.perf_counter() - started:6.0f} s", flush=True
            )


def load_reports(
    reports: Path, set_name: str, policies: Iterable[str] = POLICIES
) -> dict[str, list[dict[str, Any]]]:
    """Per policy, the reports of the set's repositories that are there."""
    out: dict[str, list[dict[str, Any]]] = {}
    for policy in policies:
        found = []
        for entry in load_sets()[set_name]:
            path = report_path(reports, set_name, entry["clone"], policy)
            if path.exists():
                report = json.loads(path.read_text(encoding="utf-8"))
                report["_entry"] = entry
                found.append(report)
        out[policy] = found
    return out


# --- the table ----------------------------------------------------------------------


def kind_of(language: str) -> str:
    from santamerge.bench.merges import kind_of as known_kind

    return known_kind(language) or "other"


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    if q == 0.5:
        return statistics.median(ordered)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a group of per-file records (bench merges --details)."""
    n = len(records)
    verdicts = Counter(r["verdict"] for r in records)
    any_order = Counter(r["verdict_any_order"] for r in records)
    written = sum(r["written"] for r in records)

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    # a wrong hunk written in a file left partly marked is as silent as one in a file
    # written whole (bench merges counts both; its regions hold every hunk written)
    silently = sum(
        r["verdict"] == "wrong" or any(not g["right"] for g in r["regions"]) for r in records
    )
    silently_any = sum(
        r["verdict_any_order"] == "wrong" or any(not g["right_any_order"] for g in r["regions"])
        for r in records
    )
    times = [r["ms"] for r in records]
    return {
        "files": n,
        "written": written,
        "right": verdicts["right"],
        "wrong": verdicts["wrong"],
        "unjudged": verdicts["unjudged"],
        "right_any_order": any_order["right"],
        "wrong_any_order": any_order["wrong"],
        "hunks_written": sum(len(r["regions"]) for r in records),
        "hunks_right": sum(g["right"] for r in records for g in r["regions"]),
        "hunks_right_any_order": sum(g["right_any_order"] for r in records for g in r["regions"]),
        "silently_wrong_files": silently,
        "coverage": share(written, n),
        "precision": share(verdicts["right"], written),
        "precision_any_order": share(any_order["right"], written),
        "hunk_precision": share(
            sum(g["right"] for r in records for g in r["regions"]),
            sum(len(r["regions"]) for r in records),
        ),
        "silent_wrong": share(silently, n),
        "silent_wrong_any_order": share(silently_any, n),
        "silent_wrong_whole_files": share(verdicts["wrong"], n),
        "ms_p50": percentile(times, 0.5),
        "ms_p95": percentile(times, 0.95),
    }


def method_figures(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per method, the regions it wrote in files the policy wrote whole, and how many
    were right (exact, and with order counted right)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if not r["written"]:
            continue
        for region in r["regions"]:
            c = out[region["method"] or "?"]
            c["regions"] += 1
            c["right"] += region["right"]
            c["right_any_order"] += region["right_any_order"]
    return {k: dict(v) for k, v in sorted(out.items())}


def same_merges(
    by_policy: dict[str, list[dict[str, Any]]], other: Path, set_name: str
) -> dict[str, list[dict[str, Any]]]:
    """The reports cut to the repositories and merges that ``other``'s reports hold (a
    merge with a conflicted file there has one here too, as git's merge is the same)."""
    kept: dict[str, set[str]] = defaultdict(set)
    for found in load_reports(other, set_name).values():
        for rep in found:
            kept[rep["name"]] |= {r["merge"] for r in rep["file_results"]}
    return {
        policy: [
            dict(
                rep,
                file_results=[r for r in rep["file_results"] if r["merge"] in kept[rep["name"]]],
            )
            for rep in found
            if rep["name"] in kept
        ]
        for policy, found in by_policy.items()
    }


def table(set_name: str, reports: Path, same_merges_as: Path | None = None) -> dict[str, Any]:
    """The figures of the reports in ``reports``; with ``same_merges_as``, of the
    repositories and merges that folder's reports hold only."""
    by_policy = {k: v for k, v in load_reports(reports, set_name).items() if v}
    if same_merges_as is not None:
        by_policy = same_merges(by_policy, same_merges_as, set_name)
    out: dict[str, Any] = {"set": set_name, "policies": {}, "repositories": {}}
    for policy, found in by_policy.items():
        records = [dict(r, repo=rep["name"]) for rep in found for r in rep["file_results"]]
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in records:
            groups[r["language"]].append(r)
            groups["kind:" + kind_of(r["language"])].append(r)
            groups["all"].append(r)
        out["policies"][policy] = {
            "groups": {k: figures(v) for k, v in sorted(groups.items())},
            "methods": method_figures(records),
            "code_by_repository": {
                rep["name"]: figures(
                    [r for r in rep["file_results"] if kind_of(r["language"]) == "code"]
                )
                for rep in found
            },
        }
        for rep in found:
            m = rep["merges"]
            out["repositories"][rep["name"]] = {
                "rev": rep["_entry"]["rev"],
                "limit": rep["_entry"]["limit"],
                "replayed": m["replayed"],
                "with_conflicted_files": m["with_conflicted_files"],
                "newest": m["newest"],
                "oldest": m["oldest"],
                "conflicted_files": rep["files"]["conflicted"],
                "santamerge": rep["santamerge"],
            }
    return out


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f} %"


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


def markdown(summary: dict[str, Any]) -> str:
    """One table per policy: rows by language, kind and all, git's line merge beside
    the policy (git writes none of these files)."""
    out = []
    for policy, figs in summary["policies"].items():
        groups = figs["groups"]
        order = (
            [k for k in groups if not k.startswith("kind:") and k != "all" and kind_of(k) == "code"]
            + ["kind:code"]
            + [k for k in groups if not k.startswith("kind:") and kind_of(k) == "config"]
            + ["kind:config", "kind:other", "all"]
        )
        lines = [
            f"`{policy}`:",
            "",
            "| files | conflicted | git writes | written | coverage | precision | "
            "any order | hunks right | silent-wrong | of it, in files written whole | "
            "p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key in order:
            g = groups.get(key)
            if g is None:
                continue
            name = key.removeprefix("kind:")
            name = (
                f"**{name}, all**"
                if key.startswith("kind:")
                else ("**all**" if key == "all" else name)
            )
            lines.append(
                f"| {name} | {g['files']} | 0 | {g['written']} | {_pct(g['coverage'])} | "
                f"{_pct(g['precision'])} | {_pct(g['precision_any_order'])} | "
                f"{g['hunks_right']} of {g['hunks_written']} | "
                f"{_pct(g['silent_wrong'], 2)} | {_pct(g['silent_wrong_whole_files'], 2)} | "
                f"{_ms(g['ms_p50'])} | {_ms(g['ms_p95'])} |"
            )
        out.append("\n".join(lines))
    return "\n\n".join(out)


# --- the driver's time --------------------------------------------------------------


def driver_times(
    set_name: str, clones: Path, files: int, policies: Iterable[str] = POLICIES
) -> dict[str, Any]:
    """The real driver's wall time on the first ``files`` conflicted files of each
    repository, per policy and language."""
    sys.path.insert(0, str(HERE))
    from driver_replay_speed import as_installed, sides

    from santamerge.bench.replay import Replayer, default_cache, git_dir_of, list_merges
    from santamerge.languages.profiles import language_for_path

    times: dict[str, dict[str, list[float]]] = {p: defaultdict(list) for p in policies}
    fell_back: Counter[str] = Counter()
    compiled = as_installed()  # bytecode as pip install leaves it (driver_replay_speed)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        subprocess.run(["git", "init", "-q"], cwd=work, check=True)
        for entry in load_sets()[set_name]:
            git_dir = git_dir_of(clones / entry["clone"])
            taken = 0
            with Replayer(git_dir, default_cache(), None) as replayer:
                for merge in list_merges(git_dir, entry["rev"], entry["limit"]):
                    for conflicted in replayer.replay(merge)[0].files:
                        texts = sides(conflicted.marked)
                        if texts is None or taken >= files:
                            continue
                        taken += 1
                        profile = language_for_path(conflicted.path)
                        for policy in policies:
                            seconds, err = _driver_once(work, conflicted.path, texts, policy)
                            times[policy][profile.name if profile else "other"].append(seconds)
                            fell_back[policy] += "gave git's own merge" in err
                    if taken >= files:
                        break
    out: dict[str, Any] = {
        "files_per_repository": files,
        "cpus": os.cpu_count(),
        "bytecode_compiled": compiled,
        "policies": {},
    }
    for policy, by_language in times.items():
        groups: dict[str, list[float]] = defaultdict(list)
        for language, values in by_language.items():
            groups[language] += values
            groups["kind:" + kind_of(language)] += values
            groups["all"] += values
        out["policies"][policy] = {
            "fell_back_to_git": fell_back[policy],
            "groups": {
                k: {
                    "files": len(v),
                    "ms_p50": 1000 * (percentile(v, 0.5) or 0),
                    "ms_p95": 1000 * (percentile(v, 0.95) or 0),
                    "ms_max": 1000 * max(v),
                }
                for k, v in sorted(groups.items())
            },
        }
    return out


def _driver_once(
    work: Path, path: str, texts: tuple[str, str, str], policy: str
) -> tuple[float, str]:
    for name, text in zip(("base", "ours", "theirs"), texts, strict=True):
        (work / name).write_bytes(text.encode("utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANTAMERGE_")}
    env["SANTAMERGE_POLICY"] = policy
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "santamerge", "merge-driver", "base", "ours", "theirs", "7", path],
        cwd=work,
        env=env,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started, done.stderr.decode(errors="replace")


# --- error analysis -----------------------------------------------------------------


class Region(NamedTuple):
    """One wrong region: the hunk's three sides, what the policy wrote, what people
    committed, and the whole files of the three sides (for rewrite evidence)."""

    base: str
    ours: str
    theirs: str
    written: str
    truth: str
    base_file: str
    ours_file: str
    theirs_file: str


def lines_of(text: str) -> list[str]:
    from santamerge.merge.structured.words import normalise

    return [normalise(line) for line in text.splitlines() if line.strip()]


TOKEN = re.compile(r"\w+|[^\w\s]")
VERSION = re.compile(r"\d+\.\d+(\.\d+)?|\bversion\b|\bv\d+\b", re.IGNORECASE)
HEAD_LINE = re.compile(
    r"^(#!|#\s*-\*-|#\s*(type|pylint|mypy|noqa|ruff|flake8)|from __future__|['\"]use strict|"
    r"//\s*@|/\*|\*|//|#|package\s|@file)"
)
RENDER_NOISE = re.compile(r"[\s,()\[\]{}\\]")


def _multiset_minus(a: list[str], b: list[str]) -> list[str]:
    left = Counter(a)
    left.subtract(Counter(b))
    return [k for k, v in left.items() for _ in range(v) if v > 0]


def rewrite_evidence(written_line: str, truth_line: str, base_file: str, other_file: str) -> int:
    """How many changed places of ``other_file`` against the base make the change that
    turns ``written_line`` into ``truth_line``: removing a token the written line has
    and the committed one lacks, and adding one the committed line has and the written
    one lacks (or, for a pure addition such as a trailing comma, adding it)."""
    w, t = TOKEN.findall(written_line), TOKEN.findall(truth_line)
    removed, added = set(w) - set(t), set(t) - set(w)
    if not removed and not added:
        return 0
    base_lines, other_lines = base_file.splitlines(), other_file.splitlines()
    matcher = difflib.SequenceMatcher(None, base_lines, other_lines, autojunk=False)
    count = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        before = set(TOKEN.findall("\n".join(base_lines[i1:i2])))
        after = set(TOKEN.findall("\n".join(other_lines[j1:j2])))
        gone, new = before - after, after - before
        if (not removed or removed & gone) and (not added or added & new) and (gone or new):
            count += 1
    return count


def _shared_words(a: str, b: str) -> int:
    """Words of three letters or more, keywords aside, that both lines have."""

    def words(x: str) -> set[str]:
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]{2,}", x)) - KEYWORDS

    return len(words(a) & words(b))


KEYWORDS = {
    "import",
    "from",
    "const",
    "let",
    "var",
    "def",
    "class",
    "return",
    "self",
    "this",
    "public",
    "private",
    "static",
    "final",
    "void",
    "func",
    "pub",
    "use",
    "require",
    "new",
    "async",
    "await",
    "true",
    "false",
    "None",
    "True",
    "False",
    "null",
}


def in_head(line: str, file: str) -> bool:
    """Whether ``line`` (normalised) is in ``file``'s head: every non-blank line before
    it is a head line too (shebang, encoding, pragma, comment, licence, package)."""
    for other in lines_of(file):
        if not HEAD_LINE.match(other):
            return False
        if other == line:
            return True
    return False


def reformatted_places(base_file: str, side_file: str) -> int:
    """How many base lines ``side_file`` changed, in changed places that keep the same
    code but for whitespace, brackets and commas: a re-format."""
    base_lines, side_lines = base_file.splitlines(), side_file.splitlines()
    matcher = difflib.SequenceMatcher(None, base_lines, side_lines, autojunk=False)
    return sum(
        i2 - i1
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op == "replace"
        and RENDER_NOISE.sub("", "".join(base_lines[i1:i2]))
        == RENDER_NOISE.sub("", "".join(side_lines[j1:j2]))
    )


def classify(region: Region) -> tuple[str, dict[str, Any]]:
    """The class of one wrong region, and the numbers behind it, by the first rule that
    holds:

    - people committed the conflict markers themselves: "markers committed";
    - the committed lines in another order: "placement" when a moved line is in a
      side's file head (a pragma, shebang, comment block or ``from __future__`` with
      nothing but such lines above it), else "order only";
    - the same code but for whitespace, brackets and commas: "adaptation to a rewrite"
      when one side re-formatted two lines or more and the written text keeps the
      other side's lines in the old form, else "rendering";
    - the same tokens in another order within lines (names in one import line):
      "order only";
    - only version values differ: "versions";
    - every committed line is one the sides or the written text have: "lines people
      dropped" (people kept less, or one side's form of a line both changed;
      ``one_side`` says when they kept one side's text whole);
    - committed lines neither side has, each close to a written line, where the other
      side's own diff makes that same change for at least half of them: "adaptation to
      a rewrite";
    - else "new code".
    """
    from rapidfuzz import fuzz

    w, t = lines_of(region.written), lines_of(region.truth)
    facts: dict[str, Any] = {"written_lines": len(w), "committed_lines": len(t)}
    if MARKER.search(region.truth):
        return "markers committed", facts
    if sorted(w) == sorted(t):
        moved = [b for a, b in zip(w, t, strict=True) if a != b]
        head = any(
            in_head(line, f) for line in moved for f in (region.ours_file, region.theirs_file)
        )
        facts["moved"] = len(moved)
        return ("placement" if head else "order only"), facts
    extra, missing = _multiset_minus(w, t), _multiset_minus(t, w)
    if RENDER_NOISE.sub("", region.written) == RENDER_NOISE.sub("", region.truth):
        # a re-format on one side, and the written text keeps the other side's lines in
        # the form the re-format changed
        for side, other in (("ours", "theirs"), ("theirs", "ours")):
            places = reformatted_places(region.base_file, getattr(region, side + "_file"))
            old_form = set(lines_of(getattr(region, other + "_file"))) - set(
                lines_of(getattr(region, side + "_file"))
            )
            if places >= 2 and any(line in old_form for line in extra):
                facts.update(reformatted=side, reformatted_lines=places)
                return "adaptation to a rewrite", facts
        return "rendering", facts
    if Counter(TOKEN.findall(region.written)) == Counter(TOKEN.findall(region.truth)):
        facts["tokens_reordered"] = True
        return "order only", facts
    facts.update(extra=len(extra), missing=len(missing))
    if (
        extra
        and missing
        and all(VERSION.search(x) for x in extra + missing)
        and len(extra) == len(missing)
    ):
        return "versions", facts
    sides = set(lines_of(region.ours)) | set(lines_of(region.theirs)) | set(lines_of(region.base))
    new = [line for line in missing if line not in sides]
    facts["new"] = len(new)
    if not new:
        facts["one_side"] = next(
            (
                name
                for name, text in (
                    ("ours", region.ours),
                    ("theirs", region.theirs),
                    ("base", region.base),
                )
                if lines_of(text) == t
            ),
            None,
        )
        return "lines people dropped", facts
    ours_lines, theirs_lines = set(lines_of(region.ours)), set(lines_of(region.theirs))
    evidence = 0
    paired = 0
    for line in new:
        best = max(extra, key=lambda x: (_shared_words(x, line), fuzz.ratio(x, line)), default=None)
        if best is None or (fuzz.ratio(best, line) < 50 and not _shared_words(best, line)):
            continue
        paired += 1
        # the side whose line was kept in the old form, and the other side
        other = (
            region.theirs_file
            if best in ours_lines and best not in theirs_lines
            else region.ours_file
        )
        evidence += rewrite_evidence(best, line, region.base_file, other) > 0
    facts.update(paired=paired, evidence=evidence)
    if paired and 2 * evidence >= paired:
        return "adaptation to a rewrite", facts
    return "new code", facts


def wrong_regions(
    entry: dict[str, Any], clones: Path, policy: str, records: list[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], int, str, Region]]:
    """(record, hunk index, method, region) of every region that differs from the commit
    (whitespace normalised) in every file the policy wrote, whole or in part, with such
    a region; those right in another order are among them (class "order only" or
    "placement")."""
    from santamerge.bench.replay import (
        Replayer,
        default_cache,
        git_dir_of,
        list_merges,
        match_hunks,
    )
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.ranking.policy import POLICIES as NAMED
    from santamerge.merge.structured.words import normalise

    wanted = {
        (r["merge"], r["path"]): r
        for r in records
        if r["verdict"] == "wrong" or any(not g["right"] for g in r["regions"])
    }
    if not wanted:
        return
    git_dir = git_dir_of(clones / entry["clone"])
    merges = {m.oid: m for m in list_merges(git_dir, entry["rev"], entry["limit"])}
    with Replayer(git_dir, default_cache(), None) as replayer:
        for oid in dict.fromkeys(m for m, _ in wanted):
            for conflicted in replayer.replay(merges[oid])[0].files:
                record = wanted.get((oid, conflicted.path))
                if record is None:
                    continue
                blobs = [replayer.blob(f"{p}:{conflicted.path}") for p in merges[oid].parents]
                whole = None  # the sides as the driver has them (%A, %B), as bench merges
                if all(b is not None for b in blobs):
                    try:
                        whole = (blobs[0].decode("utf-8"), blobs[1].decode("utf-8"))  # type: ignore[union-attr]
                    except UnicodeDecodeError:
                        whole = None
                proposal, _, _ = run_pipeline(
                    conflicted.marked,
                    conflicted.path,
                    policy=NAMED[policy],
                    merge_message=conflicted.subject,
                    sides=whole,
                )
                parsed = proposal.parsed
                files = (parsed.side("base"), parsed.side("ours"), parsed.side("theirs"))
                truths = match_hunks(parsed, conflicted.truth)
                for hp, truth in zip(proposal.hunks, truths, strict=True):
                    if truth is None or hp.chosen is None:
                        continue
                    if normalise(hp.chosen.text) == normalise(truth):
                        continue
                    yield (
                        record,
                        hp.hunk.index,
                        hp.chosen.method,
                        Region(
                            hp.hunk.base or "",
                            hp.hunk.ours,
                            hp.hunk.theirs,
                            hp.chosen.text,
                            truth,
                            *files,
                        ),
                    )


def errors(set_name: str, clones: Path, reports: Path, dump: Path | None) -> dict[str, Any]:
    by_policy = load_reports(reports, set_name)
    rows: list[dict[str, Any]] = []
    out = dump.open("w", encoding="utf-8") if dump else None
    try:
        for policy, found in by_policy.items():
            for report in found:
                entry = report["_entry"]
                for record, index, method, region in wrong_regions(
                    entry, clones, policy, report["file_results"]
                ):
                    cls, facts = classify(region)
                    rows.append(
                        {
                            "set": set_name,
                            "repo": entry["repo"],
                            "policy": policy,
                            "merge": record["merge"],
                            "path": record["path"],
                            "language": record["language"],
                            "region": index,
                            "method": method,
                            "class": cls,
                            "facts": facts,
                        }
                    )
                    if out:
                        out.write(_dump(rows[-1], region))
    finally:
        if out:
            out.close()
    return {"set": set_name, "regions": rows, "counts": count_classes(rows)}


def count_classes(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per policy: wrong regions and wrong files by class (a file counts once, under the
    class of its first wrong region), and by method."""
    out: dict[str, Any] = {}
    for policy in sorted({r["policy"] for r in rows}):
        mine = [r for r in rows if r["policy"] == policy]
        first: dict[tuple[str, str, str], str] = {}
        for r in mine:
            first.setdefault((r["repo"], r["merge"], r["path"]), r["class"])
        out[policy] = {
            "regions": dict(Counter(r["class"] for r in mine).most_common()),
            "files": dict(Counter(first.values()).most_common()),
            "by_method": {
                m: dict(Counter(r["class"] for r in mine if r["method"] == m))
                for m in sorted({r["method"] for r in mine})
            },
            "by_language": {
                k: dict(Counter(r["class"] for r in mine if r["language"] == k))
                for k in sorted({r["language"] for r in mine})
            },
        }
    return out


def _dump(row: dict[str, Any], region: Region) -> str:
    def block(name: str, text: str) -> str:
        return f"--- {name}\n{text if text.endswith(chr(10)) or not text else text + chr(10)}"

    return (
        f"=== {row['repo']} {row['merge'][:10]} {row['path']} #{row['region']} "
        f"[{row['policy']}, {row['method']}] -> {row['class']} {row['facts']}\n"
        + block("base", region.base)
        + block("ours", region.ours)
        + block("theirs", region.theirs)
        + block("written", region.written)
        + block("committed", region.truth)
        + "\n"
    )


# --- command line -------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "table", "driver", "errors"):
        p = sub.add_parser(name)
        p.add_argument("--set", required=True, choices=sorted(load_sets()))
        if name in ("run", "driver", "errors"):
            p.add_argument("--clones", type=Path, required=True)
        if name in ("run", "table", "errors"):
            p.add_argument("--reports", type=Path, required=True)
        if name in ("table", "driver", "errors"):
            p.add_argument("--json", type=Path)
        if name in ("run", "driver"):
            p.add_argument("--policy", action="append", choices=POLICIES)
        if name == "run":
            p.add_argument("--only", action="append", default=[])
            p.add_argument("--max-limit", type=int)
        if name == "table":
            p.add_argument("--markdown", action="store_true")
            p.add_argument("--same-merges-as", type=Path)
        if name == "driver":
            p.add_argument("--files", type=int, default=30)
        if name == "errors":
            p.add_argument("--dump", type=Path)
    args = parser.parse_args()
    result: dict[str, Any] | None = None
    if args.command == "run":
        run(
            args.set,
            args.clones,
            args.reports,
            args.policy or POLICIES,
            set(args.only),
            args.max_limit,
        )
    elif args.command == "table":
        result = table(args.set, args.reports, args.same_merges_as)
        if args.markdown:
            print(markdown(result))
    elif args.command == "driver":
        result = driver_times(args.set, args.clones, args.files, args.policy or POLICIES)
    else:
        result = errors(args.set, args.clones, args.reports, args.dump)
        print(json.dumps(result["counts"], indent=1))
    if result is not None and args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    elif result is not None and args.command == "driver":
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

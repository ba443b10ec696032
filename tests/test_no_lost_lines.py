"""The differential no-lost-line harness in the suite: every writer of a person's files
against git's own merge, on thousands of generated merges (tests/differential.py says
how they are made and what is checked). CI runs a fixed, derandomized profile; the long
run is tests/bench/no_lost_lines.py (docs/no-lost-lines.md)."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import differential as d
import pytest
from conftest import Repo, git_merge_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXED = settings(
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
# What the driver runs below wrote, under the default policy and under ``words``.
TALLY: Counter[str] = Counter()
WORDS_TALLY: Counter[str] = Counter()
RUNS = itertools.count()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder outside any repository, made current, so that the driver stores no
    attempt anywhere."""
    folder = tmp_path / "cases"
    folder.mkdir()
    here = os.getcwd()
    os.chdir(folder)
    yield folder  # type: ignore[misc]
    os.chdir(here)


@pytest.mark.slow
@settings(FIXED, max_examples=1200)
@given(seed=SEEDS)
def test_the_driver_never_loses_a_line(workdir: Path, seed: int) -> None:
    merge = d.generate(random.Random(seed))
    problems = d.check_driver(merge, workdir / "case", stats=TALLY)
    shutil.rmtree(workdir / "case", ignore_errors=True)
    assert problems == [], (merge, problems)


@pytest.mark.slow
@settings(FIXED, max_examples=600)
@given(seed=SEEDS)
def test_the_driver_never_loses_a_line_under_the_words_policy(workdir: Path, seed: int) -> None:
    """The policy that also writes the unordered unions and tree merges, and word merges."""
    merge = d.generate(random.Random(seed))
    problems = d.check_driver(merge, workdir / "case", "words", stats=WORDS_TALLY)
    shutil.rmtree(workdir / "case", ignore_errors=True)
    assert problems == [], (merge, problems)


# Hunks written and left marked, at least, by policy: the runs above are only worth
# something if the driver wrote many hunks in them (with the config files of issue 22
# they write 84 and 113, and leave 785 and 321 marked).
WRITTEN = {"conservative": (45, 400), "words": (90, 200)}


@pytest.mark.parametrize("policy", sorted(WRITTEN))
def test_the_driver_run_wrote_hunks(policy: str) -> None:
    tally = TALLY if policy == "conservative" else WORDS_TALLY
    if not tally:
        pytest.skip(f"the driver property ({policy}) did not run in this session")
    written, left = WRITTEN[policy]
    assert tally["hunks written"] >= written, tally
    assert tally["hunks left marked"] >= left, tally


@settings(FIXED, max_examples=600)
@given(seed=SEEDS)
def test_the_union_never_loses_a_line(workdir: Path, seed: int) -> None:
    merge = d.generate(random.Random(seed))
    _, problems = d.check_union(merge, workdir / "union")
    shutil.rmtree(workdir / "union", ignore_errors=True)
    assert problems == [], (merge, problems)


def generated_merges(seed: int, count: int) -> list[d.Merge]:
    rng = random.Random(seed)
    merges = []
    for k in range(count):
        merge = d.generate(rng)
        folder, name = os.path.split(merge.path)
        merges.append(merge._replace(path=f"{folder}/f{k}_{name}"))
    return merges


def conflicted_repository(repo: Repo, merges: list[d.Merge]) -> list[str]:
    """Commit base, theirs on `feature`, ours on `main`, merge: the conflicted paths."""
    repo.commit({m.path: m.base for m in merges}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({m.path: m.theirs for m in merges}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({m.path: m.ours for m in merges}, "ours")
    repo.git("merge", "--no-edit", "feature", check=False)
    return repo.git("diff", "--name-only", "--diff-filter=U").stdout.split()


def stage_merge(repo: Repo, path: str) -> bytes:
    """git's diff3 merge of the index stages, with santamerge's labels."""
    stages = [repo.git_bytes("show", f":{stage}:{path}") for stage in (1, 2, 3)]
    return git_merge_file(repo.root.parent, stages).stdout


def gits_hunks_based(repo: Repo, path: str) -> bytes:
    """What `resolve` proposes on for git's default (merge-style) markers: the file's own
    hunks, each given a base section from git's merge of the index stages
    (differential.based_baseline). Its hunks' ours and theirs, and every line outside
    them, are checked against the file git left; git's diff3 merge of the stages where
    santamerge finds no base for them."""
    from santamerge.merge.locate import parse_conflicts

    left = repo.read(path)
    based = d.based_baseline(repo.root, path, left)
    if based is None:
        return stage_merge(repo, path)
    shape = [
        c if isinstance(c, str) else (c.ours, c.theirs)
        for c in parse_conflicts(based.decode("utf-8")).chunks
    ]
    assert shape == [
        c if isinstance(c, str) else (c.ours, c.theirs)
        for c in parse_conflicts(left.decode("utf-8")).chunks
    ]
    return based


@pytest.mark.slow
@pytest.mark.parametrize("style", ["diff3", "merge"])
@settings(FIXED, max_examples=2)
@given(seed=SEEDS)
def test_resolve_accept_never_loses_a_line(make_repo: object, style: str, seed: int) -> None:
    """`santamerge resolve --accept --threshold 0` on a real conflicted merge of 100
    generated files: conflicted files take one of their candidates per hunk and are
    git's merge everywhere else; files resolved by hand and clean files are untouched."""
    repo = BytesRepo.make(make_repo, f"resolve-{style}-{next(RUNS)}")  # type: ignore[arg-type]
    repo.git("config", "merge.conflictStyle", style)
    merges = generated_merges(seed, 100)
    conflicted = set(conflicted_repository(repo, merges))
    assert len(conflicted) >= 40
    by_path = {m.path: m for m in merges}
    before = {m.path: repo.read(m.path) for m in merges if (repo.root / m.path).exists()}
    baselines = {}
    rng = random.Random(seed)
    by_hand = set()
    edited: dict[str, int] = {}  # edited inside the markers: the hunk
    for path in sorted(conflicted):
        if b"<<<<<<<" not in before[path] or rng.random() < 0.1:
            if b"<<<<<<<" in before[path]:  # a person resolves it, and does not `git add`
                before[path] = by_path[path].ours
                repo.write(path, before[path])
            by_hand.add(path)
            continue
        if rng.random() < 0.1 and (found := d.edit_inside_markers(before[path], rng)):
            before[path], edited[path] = found  # a person's edit, markers kept
            repo.write(path, before[path])
            continue
        baselines[path] = before[path] if style == "diff3" else gits_hunks_based(repo, path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "santamerge",
            "resolve",
            "--accept",
            "--threshold",
            "0",
            "--no-model",
        ],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    problems = {}
    written = 0
    for m in merges:
        after = repo.read(m.path) if (repo.root / m.path).exists() else None
        if after == before.get(m.path):
            continue  # untouched: always safe (what is counted below must be written)
        if m.path in edited:
            kept = d.edits_kept(before[m.path], after or b"", [edited[m.path]])
            problems.update({m.path: kept} if kept else {})
            continue
        if m.path not in baselines:
            problems[m.path] = ["written, though it is not a conflict santamerge may touch"]
            continue
        written += 1
        if style == "merge":  # hunks left marked stay as git wrote them, without a base
            after = d.with_bases_of(after or b"", baselines[m.path])
        found = d.check_written(
            m, baselines[m.path], after or b"", None, d.candidate_rule, only_markers=True
        )
        if found:
            problems[m.path] = found
    assert problems == {}
    assert by_hand, "no file was resolved by hand in this run"
    assert edited, "no file was edited inside its markers in this run"
    assert written >= 0.8 * len(baselines), (written, len(baselines), done.stderr)


class BytesRepo(Repo):
    """Repo, with git's output as bytes where files may not be UTF-8."""

    @staticmethod
    def make(make_repo: object, name: str) -> BytesRepo:
        repo = make_repo(name)  # type: ignore[operator]
        repo.__class__ = BytesRepo
        return repo  # type: ignore[no-any-return]

    def git_bytes(self, *args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, check=True).stdout


def test_preview_accept_never_loses_a_line(tmp_path: Path) -> None:
    """The interactive review on 250 generated conflicts (differential.check_preview),
    with the actions of issue 26 among the keys: a side taken for the file, lines
    picked, the whole file edited."""
    rng = random.Random(20261128)
    tally: Counter[str] = Counter()
    for k in range(250):
        merge = d.generate(rng)
        problems = d.check_preview(merge, tmp_path / str(k), rng, tally)
        assert not problems, (k, merge, problems)
    assert tally["files"] >= 100 and tally["hunks written"] >= 50, tally
    for done in ("sides taken", "hunks decided by picking lines", "whole files edited"):
        assert tally[done] >= 10, tally


@pytest.mark.slow
def test_a_real_merge_of_hundreds_of_files_through_the_driver(repo: Repo) -> None:
    """One `git merge` of 400 generated files in six languages through the installed
    driver: every file is git's own result, or a written result that keeps the
    properties, and git's status says conflicted exactly where markers are left."""
    repo.install_driver(
        ["*.py", "*.java", "*.js", "*.ts", "*.go", "*.rs", "*.json", "*.yaml", "*.toml"]
    )
    merges = generated_merges(424242, 400)
    conflicted = set(conflicted_repository(repo, merges))
    assert len(conflicted) >= 200
    work = repo.root.parent / "baselines"
    problems = {}
    written = 0
    for m in merges:
        baseline, status = d.git_merge(m, work)
        result = repo.read(m.path)
        if status == -1:
            ok = result == m.ours and m.path in conflicted
            problems.update({} if ok else {m.path: ["binary: not git's own result"]})
            continue
        if status == 0:
            marked = result != baseline
            found = d.check_clean(baseline, result, 1 if marked else 0) or d.file_problems(
                m, baseline, result
            )
            if marked != (m.path in conflicted):
                found.append("a clean merge marked as a clash is not conflicted in git")
            problems.update({m.path: found} if found else {})
            continue
        still = b"<<<<<<< ours" in result
        found = d.check_written(
            m, baseline, result, 1 if still else 0, d.file_aware(d._union_rule, m, result)
        )
        if still != (m.path in conflicted):
            found.append("git's conflicted status disagrees with the markers left")
        written += not still
        if found:
            problems[m.path] = found
    assert problems == {}
    # 9 at dbcf109 (13 before it: four of those moved a side's trailing blanks onto
    # another line, and the tree merge now refuses them)
    assert written >= 8, written


def added_keys(merge: d.Merge) -> list[dict[str, set[str]]]:
    """For each side of a config merge, the keys its added lines bind: by value (quotes
    and escapes read), each with the spellings it was written in."""
    import ast
    import re

    texts = [t.decode("utf-8", "replace") for t in (merge.base, merge.ours, merge.theirs)]
    base = Counter(texts[0].splitlines())
    found: list[dict[str, set[str]]] = []
    for text in texts[1:]:
        keys: dict[str, set[str]] = {}
        for line in Counter(text.splitlines()) - base:
            match = re.match(r"\s*(.+?)\s*[=:](\s|$)", line)
            if match is None:
                continue
            spelled = match.group(1)
            try:
                value = ast.literal_eval(spelled) if spelled[0] in "'\"" else spelled
            except (ValueError, SyntaxError):
                value = spelled
            keys.setdefault(str(value), set()).add(spelled)
        found.append(keys)
    return found


def test_the_generators_make_the_inputs_that_found_issue_22() -> None:
    """What the runs above are fed: config files, one key added by both sides in two
    spellings, a TOML table added against a dotted key or a scalar, lines of 40,000
    characters, CRLF on one side, tabs against spaces."""
    tally: Counter[str] = Counter()
    for k in range(3000):
        merge = d.generate(random.Random(k))
        texts = [t.decode("utf-8", "replace") for t in (merge.base, merge.ours, merge.theirs)]
        tally["long lines"] += any(
            len(line) >= d.LONG_LINE for t in texts for line in t.split("\n")
        )
        tally["CRLF on a side only"] += "\r\n" not in texts[0] and any(
            "\r\n" in t for t in texts[1:]
        )
        tally["a tab against spaces"] += any(
            line.startswith("\t") and line.replace("\t", "    ", 1) in texts[0]
            for t in texts[1:]
            for line in t.split("\n")
        )
        if not merge.path.startswith("conf/"):
            continue
        tally["config files"] += 1
        ours, theirs = added_keys(merge)
        tally["one key, two spellings"] += any(
            key in theirs and ours[key] != theirs[key] for key in ours
        )
        if merge.path.endswith(".toml"):
            plain = [
                {k.replace(" ", "").replace('"', "").replace("'", "") for k in keys}
                for keys in (ours, theirs)
            ]
            dotted = [any(k == "lint" or k.startswith("lint.") for k in s) for s in plain]
            base = Counter(texts[0].splitlines())
            table = [
                any(
                    line.replace(" ", "").replace('"', "").replace("'", "") == "[tool.ruff.lint]"
                    for line in Counter(t.splitlines()) - base
                )
                for t in texts[1:]
            ]
            tally["a TOML table against a dotted key or a scalar"] += (table[0] and dotted[1]) or (
                table[1] and dotted[0]
            )
    assert tally["config files"] >= 450, tally
    assert tally["one key, two spellings"] >= 100, tally
    assert tally["a TOML table against a dotted key or a scalar"] >= 5, tally
    assert tally["long lines"] >= 3, tally
    assert tally["CRLF on a side only"] >= 100 and tally["a tab against spaces"] >= 50, tally

"""Each writing method proven per repository (issue 24, item 7; issue 25, item 10):
`santamerge learn` measures every method per language on the repository's newest
merges, and the merge driver, `resolve --accept` and `merge-tree` write a method there
where its history proves it, and stop writing one the history contradicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import Repo

from santamerge.merge.ranking.policy import CONSERVATIVE, NEVER, POLICIES
from santamerge.merge.ranking.proof import Figures, Proof, in_repository, judge

Files = dict[str, str | bytes]


def _santamerge(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _conflict(repo: Repo, topic: str, base: Files, ours: Files, theirs: Files) -> None:
    """Commit ``base`` on main, ``theirs`` on a new branch ``topic``, ``ours`` on main."""
    repo.commit(base, f"base of {topic}")
    repo.git("checkout", "-q", "-b", topic)
    repo.commit(theirs, f"theirs of {topic}")
    repo.git("checkout", "-q", "main")
    repo.commit(ours, f"ours of {topic}")


def _merge(repo: Repo, topic: str) -> subprocess.CompletedProcess[str]:
    return repo.git("-c", "merge.conflictStyle=diff3", "merge", "--no-edit", topic, check=False)


def _history(repo: Repo, merges: int, sides: object) -> None:
    """``merges`` past merges, each conflicted, each committed as people resolved it:
    ``sides(i)`` gives (base, ours, theirs, committed) for merge ``i``."""
    for i in range(merges):
        base, ours, theirs, committed = sides(i)  # type: ignore[operator]
        _conflict(repo, f"topic-{i}", base, ours, theirs)
        assert _merge(repo, f"topic-{i}").returncode != 0
        repo.commit(committed, f"merge topic-{i}")


# -- a history that proves word-level merges -------------------------------------------


def _words(call: str, arg: str) -> str:
    """Five lines far apart, each `value_k = CALL(alpha, ARG)`."""
    spacer = "\n# spacer\n# spacer\n# spacer\n\n"
    return spacer.join(f"value_{k} = {call}(alpha, {arg})" for k in range(5)) + "\n"


def _word_sides(tag: str, files: int = 3) -> tuple[Files, Files, Files, Files]:
    """Both sides change other words of the same five lines of each file: git leaves
    five hunks per file, and the word-level merge (merged:words) is what people commit."""
    names = [f"w{tag}_{j}.py" for j in range(files)]
    return (
        {n: _words("compute", "beta") for n in names},
        {n: _words(f"measure_{tag}", "beta") for n in names},
        {n: _words("compute", f"gamma_{tag}") for n in names},
        {n: _words(f"measure_{tag}", f"gamma_{tag}") for n in names},
    )


def test_a_history_that_proves_word_merges_gets_them_written(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("words")
    _history(repo, 4, lambda i: _word_sides(str(i)))
    base, ours, theirs, wanted = _word_sides("new", files=1)
    _conflict(repo, "new", base, ours, theirs)
    (path,) = wanted

    # before learn: the default does not write word merges, nor does resolve --accept
    assert _merge(repo, "new").returncode != 0
    before = _santamerge(repo, "resolve", "--accept", "--no-model")
    assert before.returncode == 1, before.stdout + before.stderr
    assert b"<<<<<<<" in repo.read(path)
    repo.git("merge", "--abort")

    learnt = _santamerge(repo, "learn", "--hold-out", "0.5")
    assert learnt.returncode == 0, learnt.stderr
    assert "merged:words" in learnt.stdout, learnt.stdout + learnt.stderr
    # the table: 2 newest merges of 3 files of 5 hunks, all right by words
    row = next(line.split() for line in learnt.stdout.splitlines() if "merged:words" in line)
    assert row[:6] == ["python", "merged:words", "30", "30", "0", "100.0%"], learnt.stdout
    assert "written here" in " ".join(row)
    table = json.loads((repo.root / ".git" / "santamerge" / "methods.json").read_text())
    assert table["languages"]["python"]["merged:words"]["verdict"] == "proven"
    assert table["languages"]["python"]["ours"]["right"] == 0

    # resolve --accept (no threshold) writes what the history proves
    assert _merge(repo, "new").returncode != 0
    done = _santamerge(repo, "resolve", "--accept", "--no-model", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.read(path).decode() == wanted[path]
    hunks = json.loads(done.stdout)["files"][0]["hunks"]
    assert {h["auto_apply"] for h in hunks} == {"merged:words"}
    assert all(
        h["evidence"].startswith("merged:words: 30/30 right in this repository's history (learn, ")
        for h in hunks
    )
    repo.git("merge", "--abort")
    # a threshold given by hand is the ranker's alone
    assert _merge(repo, "new").returncode != 0
    by_hand = _santamerge(repo, "resolve", "--accept", "--no-model", "--threshold", "0.999")
    assert by_hand.returncode == 1 and b"<<<<<<<" in repo.read(path)
    repo.git("merge", "--abort")

    # merge-tree says what the driver would write
    shown = _santamerge(repo, "merge-tree", "main", "new", "--json")
    assert shown.returncode == 0, shown.stderr
    assert [f["status"] for f in json.loads(shown.stdout)["files"]] == ["resolved"]
    said = _santamerge(repo, "merge-tree", "main", "new").stdout
    assert "hunk 1: written, merged:words (merged:words: 30/30 right in this " in said, said

    # the driver, run by git's own merge, writes them; attempts names the evidence
    repo.install_driver(["*.py"])
    repo.commit({}, "route python files to santamerge")
    merged = _merge(repo, "new")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert repo.read(path).decode() == wanted[path]
    listed = _santamerge(repo, "attempts")
    assert listed.returncode == 0, listed.stderr
    assert "wrote 5 hunk(s)" in listed.stdout
    assert (
        "hunk 1: merged:words: 30/30 right in this repository's history (learn, " in listed.stdout
    ), listed.stdout
    rows = json.loads(_santamerge(repo, "attempts", "--json").stdout)["attempts"]
    assert set(rows[0]["evidence"]) == {"1", "2", "3", "4", "5"}


# -- a history that contradicts a method the default trusts ----------------------------


def _key_sides(tag: str, files: int = 10) -> tuple[Files, Files, Files, Files]:
    """Both sides add another key at one place of each JSON file: the default writes
    the union of both (structured:tree); people here join them into one new key."""
    names = [f"k{tag}_{j}.json" for j in range(files)]
    return (
        {n: '{\n  "alpha": 1,\n  "omega": 2\n}\n' for n in names},
        {n: '{\n  "alpha": 1,\n  "beta": 4,\n  "omega": 2\n}\n' for n in names},
        {n: '{\n  "alpha": 1,\n  "kappa": 3,\n  "omega": 2\n}\n' for n in names},
        {n: '{\n  "alpha": 1,\n  "beta_kappa": 7,\n  "omega": 2\n}\n' for n in names},
    )


def test_a_history_that_contradicts_tree_merges_stops_them(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Repo = make_repo("keys")
    _history(repo, 4, lambda i: _key_sides(str(i)))
    repo.install_driver(["*.json"])
    repo.commit({}, "route JSON files to santamerge")
    base, ours, theirs, _ = _key_sides("new", files=1)
    _conflict(repo, "new", base, ours, theirs)
    (path,) = base

    # before learn: the default writes the union of both keys
    assert _merge(repo, "new").returncode == 0
    assert '"kappa"' in repo.read(path).decode()
    repo.git("reset", "-q", "--hard", "HEAD~1")

    learnt = _santamerge(repo, "learn", "--hold-out", "0.5", "--json")
    assert learnt.returncode == 0, learnt.stderr
    figures = json.loads(learnt.stdout)["methods"]["languages"]["json"]["structured:tree"]
    assert figures == {
        "written": 20,
        "right": 0,
        "order_only": 0,
        "precision": 0.0,
        "verdict": "contradicted",
    }
    shown = _santamerge(repo, "learn", "--hold-out", "0.5")
    assert "not written here" in next(
        line for line in shown.stdout.splitlines() if "structured:tree" in line
    )

    # now the driver leaves the hunk to a person, and says why
    assert _merge(repo, "new").returncode != 0
    assert b"<<<<<<<" in repo.read(path)
    listed = _santamerge(repo, "attempts")
    assert (
        "hunk 1: not written here: structured:tree: 0/20 right in this repository's "
        "history (learn, " in listed.stdout
    ), listed.stdout
    repo.git("merge", "--abort")

    forgot = _santamerge(repo, "learn", "--forget")
    assert forgot.returncode == 0
    assert not (repo.root / ".git" / "santamerge" / "methods.json").exists()
    assert _merge(repo, "new").returncode == 0  # the shipped policy again


# -- the rule itself -------------------------------------------------------------------


def _proof(**figures: Figures) -> Proof:
    return Proof(
        "2026-12-05T10:00:00Z",
        9,
        "2026-11-01",
        {"python": {m.replace("_", ":"): f for m, f in figures.items()}},
    )


def test_the_rule_proven_contradicted_and_too_few() -> None:
    proof = _proof(
        merged_words=Figures(20, 20, 1),
        structured_tree=Figures(32, 30, 0),
        structured_union=Figures(19, 0, 0),
        ours=Figures(40, 39, 0),
    )
    policy = in_repository(CONSERVATIVE, proof, "python")
    assert "merged:words" in policy.methods  # 20/20: proven
    assert "ours" in policy.methods  # 39/40 = 0.975: proven
    assert "structured:tree" not in policy.methods  # 30/32 < 0.97 on 32: contradicted
    assert policy.refused == {"structured:tree"}
    assert "structured:union" in policy.methods  # 0/19: too few to contradict the default
    assert (
        policy.why("merged:words") == "merged:words: 20/20 right, 1 in another order in "
        "this repository's history (learn, 2026-12-05)"
    )
    # another language, no table, or a policy that does not learn: as shipped
    assert in_repository(CONSERVATIVE, proof, "java") == CONSERVATIVE
    assert in_repository(CONSERVATIVE, None, "python") == CONSERVATIVE
    assert in_repository(NEVER, proof, "python") == NEVER
    # the calibrated policy (resolve's) gains the proven methods, keeps its threshold
    calibrated = in_repository(POLICIES["calibrated"], proof, "python")
    assert calibrated.threshold == POLICIES["calibrated"].threshold
    assert calibrated.methods == {"merged:words", "ours"}


def test_judging_by_region_with_order_apart() -> None:
    assert judge("a = 1\n  b = 2\n", "a = 1\nb  = 2") == "right"
    assert judge("b = 2\na = 1\n", "a = 1\nb = 2\n") == "order"
    assert judge("a = 1\n", "a = 1\nb = 2\n") is None
    assert judge("", "a = 1\n") is None

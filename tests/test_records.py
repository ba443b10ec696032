"""The record codec (santamerge.merge.record): each record santamerge writes reads back
into its typed value, and writing that value again gives the same bytes, on records
made by real merges: ``propose --json``, ``resolve --json``, ``merge-tree --json``,
the merge driver's ``attempt.json`` and the ranker store's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Repo, git_merge_file

from santamerge.merge.record import (
    RecordError,
    proposal_record,
    read_attempt,
    read_mined,
    read_proposal,
)
from santamerge.merge.workspace.attempts import list_attempts

BASE = 'import os\nimport sys\n\n\ndef limit():\n    return 1\n\n\ndef name():\n    return "a"\n'
OURS = BASE.replace("import sys\n", "import sys\nimport json\n").replace(
    "def limit():\n    return 1", "def limit(n):\n    return 2  # café"
)
THEIRS = BASE.replace("import sys\n", "import sys\nimport re\n").replace(
    "def limit():\n    return 1", "def limit(m):\n    return 3"
)
UNION = {"SANTAMERGE_POLICY": "union"}  # writes the imports' union, leaves the numbers

# the keys, in the order written (docs/propose-json.md, santamerge.training.hunkstore)
PROPOSAL = ["schema", "path", "language", "labels", "hunks", "outcome"]
ATTEMPT = ["schema", "path", "time", "language", "labels", "hunks", "outcome", "head"]
HUNK = [
    "index",
    "line",
    "ours",
    "base",
    "theirs",
    "policy",
    "auto_apply",
    "withdrawn",
    "ranked",
    "candidates",
]
CANDIDATE = [
    "rank",
    "method",
    "text",
    "score",
    "keeps_ours",
    "keeps_theirs",
    "accepted",
    "rejected",
    "reasons",
]
OUTCOME = ["clean", "resolved", "unresolved", "methods"]
MINED = [
    "merge",
    "date",
    "subject",
    "path",
    "language",
    "index",
    "hunks_in_file",
    "base",
    "ours",
    "theirs",
    "before",
    "after",
    "truth",
    "candidates",
    "likelihoods",
    "history",
]
MINED_CANDIDATE = ["method", "text", "note", "score", "keeps_ours", "keeps_theirs", "rejected"]


def keys_of_proposal(data: dict[str, object], keys: list[str] = PROPOSAL) -> None:
    assert list(data) == keys
    assert list(data["labels"]) == ["ours", "base", "theirs"]  # type: ignore[call-overload]
    assert list(data["outcome"]) == OUTCOME  # type: ignore[call-overload]
    for hunk in data["hunks"]:  # type: ignore[attr-defined]
        assert list(hunk) == HUNK
        assert all(list(c) == CANDIDATE for c in hunk["candidates"])


def _santamerge(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "santamerge", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
    )


def test_propose_json_reads_back_and_writes_the_same_bytes(tmp_path: Path) -> None:
    for name, text in (("base.py", BASE), ("ours.py", OURS), ("theirs.py", THEIRS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = _santamerge(
        tmp_path, "propose", "base.py", "ours.py", "theirs.py", "--path", "app.py", "--json"
    )
    assert done.returncode == 0, done.stderr
    record = read_proposal(json.loads(done.stdout))
    assert json.dumps(record.to_json(), indent=2) + "\n" == done.stdout
    keys_of_proposal(json.loads(done.stdout))
    # the typed value says what the JSON says
    assert (record.path, record.language) == ("app.py", "python")
    assert record.labels == ("ours", "base", "theirs")
    assert [h.index for h in record.hunks] == [0, 1] and all(h.ranked for h in record.hunks)
    union = {c.method: c for c in record.hunks[0].candidates}["structured:union-unordered"]
    assert union.accepted and union.rank is not None and union.score is not None
    assert any(c.rejected for c in record.hunks[1].candidates)  # a gate's verdict, kept
    assert "café" in record.hunks[1].ours


def test_a_proposal_record_is_the_same_value_after_json(tmp_path: Path) -> None:
    from santamerge.merge.pipeline import run_pipeline

    marked = git_merge_file(tmp_path, (BASE, OURS, THEIRS))
    merged = run_pipeline(marked.stdout.decode("utf-8"), "app.py")
    written = proposal_record(merged.proposal, merged.outcome, ("ours", "base", "theirs"))
    assert read_proposal(json.loads(json.dumps(written.to_json()))) == written


def test_attempts_read_back_and_write_the_same_bytes(repo: Repo) -> None:
    result = repo.merge_branches({"app.py": BASE}, {"app.py": OURS}, {"app.py": THEIRS}, env=UNION)
    assert result.returncode == 1, result.stdout + result.stderr
    (folder,) = list_attempts(repo.root / ".git")
    raw = (folder / "attempt.json").read_text(encoding="utf-8")
    attempt = read_attempt(json.loads(raw))
    assert json.dumps(attempt.to_json(), indent=1) == raw
    keys_of_proposal(json.loads(raw), ATTEMPT)
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    assert (attempt.head, attempt.model, attempt.proposal.path) == (head, None, "app.py")
    outcome = attempt.proposal.outcome
    assert (outcome.resolved, outcome.unresolved) == ((0,), (1,))
    assert outcome.methods == {0: attempt.proposal.hunks[0].auto_apply}
    assert not attempt.proposal.hunks[0].ranked  # the driver ranks nothing

    # what `attempts` and `preview --attempt` read from it
    listed = json.loads(_santamerge(repo.root, "attempts", "--json").stdout)
    (row,) = listed["attempts"]
    assert (row["path"], row["head"], row["time"], row["left"]) == (
        "app.py",
        head,
        attempt.time,
        [2],
    )
    assert row["written"] == {"1": outcome.methods[0]}


def test_an_attempt_with_the_models_facts_reads_back_and_writes_the_same_bytes(repo: Repo) -> None:
    repo.git("config", "santamerge.drivermodel", "true")
    repo.git("config", "santamerge.autostart", "false")
    result = repo.merge_branches({"a.py": "X = 1\n"}, {"a.py": "X = 2\n"}, {"a.py": "X = 3\n"})
    assert result.returncode != 0
    (folder,) = list_attempts(repo.root / ".git")
    raw = (folder / "attempt.json").read_text(encoding="utf-8")
    attempt = read_attempt(json.loads(raw))
    assert attempt.model is not None and "never loads a model" in attempt.model["error"]
    assert json.dumps(attempt.to_json(), indent=1) == raw
    keys_of_proposal(json.loads(raw), [*ATTEMPT[:-1], "model", "head"])


def test_merge_tree_and_resolve_json_read_back_and_write_the_same_bytes(
    make_repo: Callable[[str], Repo],
) -> None:
    repo = make_repo("mt")
    repo.commit({"app.py": BASE, "b.py": "X = 1\n"}, "base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit({"app.py": THEIRS, "b.py": "X = 3\n"}, "theirs")
    repo.git("checkout", "-q", "main")
    repo.commit({"app.py": OURS, "b.py": "X = 2\n"}, "ours")
    done = _santamerge(repo.root, "merge-tree", "main", "topic", "--json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    files = [
        {"path": f["path"], "status": f["status"], **read_proposal(f).to_json()}
        for f in document["files"]
    ]
    assert len(files) == 2
    assert json.dumps({**document, "files": files}, indent=2) + "\n" == done.stdout
    for f in document["files"]:
        keys_of_proposal(f, ["path", "status", *PROPOSAL[:1], *PROPOSAL[2:]])

    assert repo.git("merge", "--no-edit", "topic", check=False).returncode != 0
    shown = _santamerge(repo.root, "resolve", "--no-model", "--json")
    document = json.loads(shown.stdout)
    files = [read_proposal(f).to_json() for f in document["files"]]
    assert len(files) == 2
    assert json.dumps({**document, "files": files}, indent=2) + "\n" == shown.stdout
    for f in document["files"]:
        keys_of_proposal(f)


def test_the_ranker_store_reads_back_and_writes_the_same_bytes(
    make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    from santamerge.training.hunkstore import mine_repository, read_store, write_merge

    repo = make_repo("mined")
    for i in range(2):
        name = f"m{i}.py"
        repo.commit({name: BASE}, f"add {name}")
        repo.git("checkout", "-q", "-b", f"topic-{i}")
        repo.commit({name: THEIRS}, f"theirs {name}")
        repo.git("checkout", "-q", "main")
        repo.commit({name: OURS}, f"ours {name}")
        assert repo.git("merge", "--no-edit", f"topic-{i}", check=False).returncode != 0
        repo.commit(
            {name: THEIRS.replace("import re\n", "import json\nimport re\n")}, f"merge topic-{i}"
        )
    store = tmp_path / "store"
    assert mine_repository(repo.root, store, limit=None) == (2, 2)
    again = tmp_path / "again"
    for path in sorted(store.glob("*.json")):
        hunks = list(read_store(store, {path.stem}))
        assert [h.index for h in hunks] == [0, 1]
        assert hunks[1].candidates[0].candidate.hunk == 1 and hunks[1].history
        write_merge(again, path.stem, hunks)
        assert (again / path.name).read_bytes() == path.read_bytes()
        for hunk in json.loads(path.read_text(encoding="utf-8"))["hunks"]:
            assert list(hunk) == MINED
            assert all(list(c) == MINED_CANDIDATE for c in hunk["candidates"])


def test_a_reader_refuses_what_its_writer_does_not_write_and_takes_later_additions(
    tmp_path: Path,
) -> None:
    from santamerge.merge.pipeline import run_pipeline

    marked = git_merge_file(tmp_path, (BASE, OURS, THEIRS))
    merged = run_pipeline(marked.stdout.decode("utf-8"), "app.py")
    good = proposal_record(merged.proposal, merged.outcome).to_json()
    for broken in (
        {**good, "hunks": None},
        {**good, "path": 3},
        [good],
        {**good, "outcome": {**good["outcome"], "methods": {"x": "ours"}}},
        {k: v for k, v in good.items() if k != "outcome"},
    ):
        with pytest.raises(RecordError):
            read_proposal(broken)
    with pytest.raises(RecordError):
        read_mined({"merge": "abc"})
    # a record of schema 1 written before `withdrawn` and `head` were added
    old = {
        **good,
        "time": "20240101T000000.000000",
        "hunks": [{k: v for k, v in h.items() if k != "withdrawn"} for h in good["hunks"]],
    }
    attempt = read_attempt(old)
    assert attempt.head is None and attempt.model is None
    assert all(h.withdrawn == {} for h in attempt.proposal.hunks)

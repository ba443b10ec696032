"""A block one side deleted whole and the other side changed stays a conflict
(santamerge.merge.checks.deletions): the rule on the hunk's texts, through the gates with
a real grammar, in a file with no grammar, and in a real ``git merge`` that runs the
driver."""

from __future__ import annotations

import pytest
from conftest import Repo

from santamerge.languages.profiles import language_for_path
from santamerge.merge.checks.deletions import MIN_LINES, deleted_and_changed
from santamerge.merge.gates import check_candidate, check_together, prepare_gates
from santamerge.merge.locate import parse_conflicts
from santamerge.merge.types import Candidate

BLOCK = "".join(f"    step_{k}()\n" for k in range(MIN_LINES))
SHIM = "    run_all()\n"


def conflict(ours: str, base: str, theirs: str) -> str:
    return (
        f"def job():\n<<<<<<< ours\n{ours}||||||| base\n{base}=======\n{theirs}"
        ">>>>>>> theirs\n    done()\n"
    )


def test_the_rule_reads_the_three_texts() -> None:
    (hunk,) = parse_conflicts(conflict("", BLOCK, SHIM)).hunks
    why = deleted_and_changed(hunk)
    assert why is not None and why.startswith(f"ours deleted these {MIN_LINES} lines")
    (mirrored,) = parse_conflicts(conflict(SHIM, BLOCK, "")).hunks
    assert (deleted_and_changed(mirrored) or "").startswith("theirs deleted")
    # a short block is noise, not a decision; both deleting is no change to keep
    (short,) = parse_conflicts(conflict("", "    step_0()\n", SHIM)).hunks
    assert deleted_and_changed(short) is None
    (both,) = parse_conflicts(conflict("", BLOCK, "\n")).hunks
    assert deleted_and_changed(both) is None


@pytest.mark.parametrize("method", ["structured:tree", "structured:union", "merged:words"])
def test_a_merge_of_the_block_is_refused(method: str) -> None:
    parsed = parse_conflicts(conflict("", BLOCK, SHIM))
    baseline = prepare_gates(parsed, language_for_path("job.py"), "job.py")
    merged = Candidate(0, SHIM, method)
    assert any("ours deleted" in why for why in check_candidate(baseline, merged))
    assert any("ours deleted" in why for why in check_together(baseline, {0: merged})[0])


@pytest.mark.parametrize("method", ["ours", "theirs", "base"])
def test_a_side_taken_as_it_is_is_a_persons_choice(method: str) -> None:
    parsed = parse_conflicts(conflict("", BLOCK, SHIM))
    baseline = prepare_gates(parsed, language_for_path("job.py"), "job.py")
    text = {"ours": "", "theirs": SHIM, "base": BLOCK}[method]
    reasons = check_candidate(baseline, Candidate(0, text, method))
    assert not any("deleted these" in why for why in reasons)


def test_files_without_a_grammar_are_checked_too() -> None:
    parsed = parse_conflicts(conflict("", BLOCK, SHIM))
    baseline = prepare_gates(parsed, None, "job.txt")
    reasons = check_candidate(baseline, Candidate(0, SHIM, "merged:words"))
    assert any("ours deleted" in why for why in reasons)


def test_git_merge_keeps_the_conflict(repo: Repo) -> None:
    """ours removes the deprecated classes; theirs replaces them with a shim."""
    base = (
        "from .store import Cache as _Cache\n\n\n"
        "def lookup(key):\n    return _Cache.default().get(key)\n\n\n"
        "class Cache(_Cache):\n    def __init__(self, *args, **kwargs):\n"
        "        warn('moved')\n        super().__init__(*args, **kwargs)\n\n\n"
        "class Old(_Cache):\n    def __init__(self, *args, **kwargs):\n"
        "        warn('moved')\n        super().__init__(*args, **kwargs)\n"
    )
    ours = base.split("\n\n\nclass Cache")[0] + "\n"
    theirs = ours + "\n\nmoved(__name__, ['Cache', 'Old'])\n"
    done = repo.merge_branches({"compat.py": base}, {"compat.py": ours}, {"compat.py": theirs})
    assert done.returncode != 0, done.stdout
    text = repo.read("compat.py").decode()
    assert "<<<<<<< " in text and "moved(__name__" in text and "class Cache" in text

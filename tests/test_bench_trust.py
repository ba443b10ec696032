"""tests/bench/trust.py (issue 24's measurement): the error classes of wrong writes, and
the figures added up over repositories, on hand-made regions and records."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def trust() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trust", HERE / "bench" / "trust.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["trust"] = module
    spec.loader.exec_module(module)
    return module


def region(
    trust: ModuleType,
    base: str,
    ours: str,
    theirs: str,
    written: str,
    truth: str,
    files: tuple[str, str, str] | None = None,
):  # type: ignore[no-untyped-def]
    base_file, ours_file, theirs_file = files or (base, ours, theirs)
    return trust.Region(base, ours, theirs, written, truth, base_file, ours_file, theirs_file)


def test_the_same_lines_in_another_order(trust: ModuleType) -> None:
    r = region(
        trust, "", "import a\n", "import b\n", "import a\nimport b\n", "import b\nimport a\n"
    )
    assert trust.classify(r)[0] == "order only"
    # an import written above the file's pragma comment, which people kept first
    r = region(
        trust,
        "",
        "import a\n",
        "# pragma: no cover\n",
        "import a\n# pragma: no cover\n",
        "# pragma: no cover\nimport a\n",
    )
    assert trust.classify(r)[0] == "placement"
    # the names of one import line in another order
    r = region(
        trust,
        "from m import a, b\n",
        "from m import a, b, c\n",
        "from m import a, d, b\n",
        "from m import a, d, b, c\n",
        "from m import a, b, c, d\n",
    )
    assert trust.classify(r)[0] == "order only"
    # comment lines in the middle of a file are no head: two bullets swapped
    body = "x = 1\n"
    r = region(
        trust,
        "",
        "# b\n",
        "# a\n",
        "# b\n# a\n",
        "# a\n# b\n",
        ("", body + "# b\n", body + "# a\n"),
    )
    assert trust.classify(r)[0] == "order only"


def test_rendering_versions_and_dropped_lines(trust: ModuleType) -> None:
    joined = region(
        trust,
        "from x import a\n",
        "from x import (\n    a,\n    b,\n)\n",
        "from x import a, c\n",
        "from x import a, b, c\n",
        "from x import (\n    a,\n    b,\n    c,\n)\n",
    )
    assert trust.classify(joined)[0] == "rendering"
    # theirs re-formatted the file (`x= 1` to `x = 1` on three lines); ours added a
    # line in the old form, which people re-formatted: an adaptation, not rendering
    base_file = "a= 1\nb= 2\nc= 3\n"
    theirs_file = "a = 1\n\nb = 2\n\nc = 3\n"
    ours_file = base_file + "d= 4\n"
    reformat = region(
        trust,
        "c= 3\n",
        "c= 3\nd= 4\n",
        "c = 3\n",
        "c = 3\nd= 4\n",
        "c = 3\nd = 4\n",
        (base_file, ours_file, theirs_file),
    )
    cls, facts = trust.classify(reformat)
    assert cls == "adaptation to a rewrite" and facts["reformatted"] == "theirs"
    versions = region(
        trust,
        'version = "1.0.0"\n',
        'version = "1.1.0"\n',
        'version = "1.0.1"\n',
        'version = "1.1.0"\n',
        'version = "1.2.0"\n',
    )
    assert trust.classify(versions)[0] == "versions"
    dropped = region(trust, "", "import a\n", "import b\n", "import a\nimport b\n", "import a\n")
    markers = region(
        trust,
        "v = 1\n",
        "v = 2\n",
        "v = 3\n",
        "v = 3\n",
        "<<<<<<< HEAD\nv = 2\n=======\nv = 3\n>>>>>>> other\n",
    )
    assert trust.classify(markers)[0] == "markers committed"
    cls, facts = trust.classify(dropped)
    assert cls == "lines people dropped" and facts["one_side"] == "ours"


def test_adaptation_needs_the_other_sides_rewrite(trust: ModuleType) -> None:
    """Theirs adds a `require`; ours moved every `require` to `import`: people wrote the
    new line as an import. The same committed line without that rewrite in ours is new
    code."""
    base_file = "const fs = require('fs')\nconst os = require('os')\n\nrun(fs, os)\n"
    ours_file = "import fs from 'fs'\nimport os from 'os'\n\nrun(fs, os)\n"
    theirs_file = base_file.replace("\n\nrun", "\nconst chalk = require('chalk')\n\nrun")
    written = "import os from 'os'\nconst chalk = require('chalk')\n"
    truth = "import os from 'os'\nimport chalk from 'chalk'\n"
    r = region(
        trust,
        "const os = require('os')\n",
        "import os from 'os'\n",
        "const os = require('os')\nconst chalk = require('chalk')\n",
        written,
        truth,
        (base_file, ours_file, theirs_file),
    )
    cls, facts = trust.classify(r)
    assert cls == "adaptation to a rewrite" and facts["evidence"] == 1
    plain = region(
        trust,
        "const os = require('os')\n",
        "const os = require('os')\n",
        "const os = require('os')\nconst chalk = require('chalk')\n",
        written,
        truth,
        (base_file, base_file, theirs_file),
    )
    assert trust.classify(plain)[0] == "new code"
    unlike = region(
        trust, "", "x = 1\n", "y = 2\n", "x = 1\ny = 2\n", "x = 1\nzzz_entirely_other(3)\n"
    )
    assert trust.classify(unlike)[0] == "new code"


def test_figures_add_up_records_over_repositories(trust: ModuleType, tmp_path: Path) -> None:
    def record(
        verdict: str | None, any_order: str | None, language: str = "python", ms: float = 10.0
    ) -> dict[str, object]:
        return {
            "merge": "m" * 40,
            "path": "p",
            "language": language,
            "hunks": 1,
            "unmatched": 0,
            "written": verdict is not None,
            "verdict": verdict,
            "verdict_any_order": any_order,
            "ms": ms,
            "regions": []
            if verdict is None
            else [
                {
                    "index": 0,
                    "resolution": "one side",
                    "method": "structured:tree",
                    "right": verdict == "right",
                    "right_any_order": any_order == "right",
                }
            ],
        }

    records = [
        record("right", "right"),
        record("wrong", "right"),
        record("wrong", "wrong"),
        record(None, None),
        record(None, None, "markdown", 30.0),
    ]
    f = trust.figures(records)
    assert (f["files"], f["written"], f["right"], f["right_any_order"]) == (5, 3, 1, 2)
    assert (f["coverage"], f["precision"], f["precision_any_order"]) == (0.6, 1 / 3, 2 / 3)
    assert (f["silent_wrong"], f["silent_wrong_any_order"], f["ms_p50"]) == (0.4, 0.2, 10.0)
    assert (f["hunks_written"], f["hunks_right"], f["hunks_right_any_order"]) == (3, 1, 2)
    # a wrong hunk written in a file left partly marked is silent-wrong too
    partial = dict(record("wrong", "wrong"), written=False, verdict=None, verdict_any_order=None)
    g = trust.figures([partial, record(None, None)])
    assert (g["written"], g["hunks_written"], g["silent_wrong"]) == (0, 1, 0.5)
    assert g["silent_wrong_whole_files"] == 0.0
    assert trust.method_figures(records) == {
        "structured:tree": {"regions": 3, "right": 1, "right_any_order": 2}
    }
    assert trust.kind_of("python") == "code" and trust.kind_of("markdown") == "other"
    assert trust.kind_of("toml") == "config"
    sets = trust.load_sets()
    assert len(sets["frozen"]) >= 10 and len(sets["development"]) == 14
    assert not {e["repo"] for e in sets["frozen"]} & {e["repo"] for e in sets["development"]}
    # two repositories' reports in a reports folder: the totals are over their files
    entries = sets["frozen"][:2]
    for i, entry in enumerate(entries):
        for policy in trust.POLICIES:
            report = {
                "name": entry["repo"],
                "files": {"conflicted": 2},
                "merges": {"replayed": 5, "with_conflicted_files": 1, "newest": {}, "oldest": {}},
                "santamerge": {},
                "file_results": records[i : i + 2],
            }
            path = trust.report_path(tmp_path, "frozen", entry["clone"], policy)
            path.write_text(json.dumps(report), encoding="utf-8")
    summary = trust.table("frozen", tmp_path)
    total = summary["policies"]["conservative"]["groups"]["all"]
    assert (total["files"], total["written"], total["right"]) == (4, 4, 1)
    assert set(summary["repositories"]) == {e["repo"] for e in entries}
    assert "| **all** | 4 |" in trust.markdown(summary)
    # cut to the merges another folder's reports hold: the first repository's only
    other = tmp_path / "other"
    other.mkdir()
    report = {"name": entries[0]["repo"], "file_results": [dict(records[0], merge="a" * 40)]}
    path = trust.report_path(other, "frozen", entries[0]["clone"], "conservative")
    path.write_text(json.dumps(report), encoding="utf-8")
    assert trust.table("frozen", tmp_path, other)["policies"]["words"]["groups"] == {}
    for i, r in enumerate(records):
        r["merge"] = "a" * 40 if i == 0 else "b" * 40
    for i, entry in enumerate(entries):
        for policy in trust.POLICIES:
            report = {
                "name": entry["repo"],
                "files": {"conflicted": 2},
                "merges": {"replayed": 5, "with_conflicted_files": 1, "newest": {}, "oldest": {}},
                "santamerge": {},
                "file_results": records[i : i + 2],
            }
            path = trust.report_path(tmp_path, "frozen", entry["clone"], policy)
            path.write_text(json.dumps(report), encoding="utf-8")
    cut = trust.table("frozen", tmp_path, other)
    assert set(cut["repositories"]) == {entries[0]["repo"]}
    assert cut["policies"]["conservative"]["groups"]["all"]["files"] == 1

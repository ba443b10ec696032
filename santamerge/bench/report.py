"""What ``santamerge bench`` prints: the tables and lines of its reports (the reports
themselves are JSON, santamerge.bench.merges and santamerge.bench.stubs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from santamerge.ui.render import console

if TYPE_CHECKING:
    from rich.table import Table


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_ranker(result: dict[str, Any], target: Path) -> None:
    from rich.table import Table

    out = console()
    facts = result["facts"]
    out.print(
        f"{facts['candidates']} candidates of {sum(facts['hunks'].values())} hunks "
        f"from {len(facts['repositories'])} repositories; written to {target}",
        highlight=False,
    )
    columns = (
        "held out",
        "hunks",
        "hand top-1",
        "learned top-1",
        "top-3",
        "oracle",
        "threshold",
        "written",
        "precision",
        "coverage",
        "silent-wrong",
    )
    for name, evaluation in facts["leave_one_repository_out"].items():
        table = Table(
            title=f"{name} ranker ({result.get('learner', 'logistic')}), each "
            f"repository left out (shipped threshold "
            f"{result['threshold'][name]:.3f})"
        )
        for column in columns:
            table.add_column(column, justify="left" if column == "held out" else "right")

        def row(label: str, f: dict[str, Any], table: Table = table) -> None:
            if not f.get("hunks"):
                return
            threshold = "-" if f.get("threshold") is None else f"{f['threshold']:.3f}"
            table.add_row(
                label,
                str(f["hunks"]),
                pct(f["hand_top1"]),
                pct(f["top1"]),
                pct(f["top3"]),
                pct(f["oracle"]),
                threshold,
                str(f["written"]),
                pct(f["precision"]),
                pct(f["coverage"]),
                pct(f["silent_wrong"]),
            )

        for repo, f in evaluation["by_repository"].items():
            row(repo, f)
        row("all", evaluation["all"])
        if "all_without_history" in evaluation:
            row("  all, scored without history", evaluation["all_without_history"])
        for committed, f in evaluation["by_committed"].items():
            row(f"  committed {committed}", f)
        out.print(table)
        misses = Table(title="top-1 by what people committed, and what it picked instead")
        misses.add_column("committed")
        misses.add_column("picked", justify="left")
        for committed, cell in evaluation["misses"].items():
            total = sum(cell.values())
            misses.add_row(
                committed,
                ", ".join(
                    f"{k} {v / total:.0%}" for k, v in sorted(cell.items(), key=lambda kv: -kv[1])
                ),
            )
        out.print(misses)


def print_merges(report: dict[str, Any]) -> None:
    from rich.table import Table

    out = console()
    m, h, s, a = report["merges"], report["hunks"], report["santamerge"], report["auto_apply"]
    out.print(
        f"[bold]{report['name']}[/] ({report['repo']}): {m['replayed']} merges replayed "
        f"({m['from_cache']} from the cache), {m['with_conflicted_files']} with "
        f"conflicted files; {report['files']['conflicted']} files, {h['matched']} "
        f"hunks matched to the commit, {h['unmatched']} not matched",
        highlight=False,
    )
    table = Table(title="hunks: exact match after whitespace normalisation")
    for column in (
        "",
        "hunks",
        "santamerge top-1",
        "top-3",
        "similarity",
        *report["santamerge"]["baselines"],
    ):
        table.add_column(column, justify="right" if column else "left")

    def row(name: str, f: dict[str, Any]) -> None:
        table.add_row(
            name,
            str(f["hunks"]),
            pct(f["top1"]),
            pct(f["top3"]),
            "-" if f["similarity"] is None else f"{f['similarity']:.3f}",
            *(pct(v) for v in f["baselines"].values()),
        )

    row("all", s)
    for lang, f in report["by_language"].items():
        row(f"  {lang}", f)
    for cls, f in report["by_class"].items():
        row(f"  {cls}", f)
    out.print(table)
    files, t = report["files"], report["time_ms"]
    out.print(
        f"auto-apply ({report['policy']}), by hunk: wrote {a['written']} of "
        f"{h['matched']} matched hunks, {a['right']} right: precision "
        f"{pct(a['precision'])}, coverage {pct(a['coverage'])}, silent-wrong "
        f"{pct(a['silent_wrong'])} of hunks\nfiles resolved completely and right: "
        f"{files['resolved_right']} of {files['conflicted']} "
        f"({pct(files['share_resolved_right'])})\ntime: per file p50 "
        f"{ms(t['per_file']['p50'])} ms, p95 {ms(t['per_file']['p95'])} ms; per hunk p50 "
        f"{ms(t['per_hunk']['p50'])} ms, p95 {ms(t['per_hunk']['p95'])} ms",
        highlight=False,
    )
    out.print(files_table(report))


FILE_COLUMNS = (
    "",
    "files",
    "",
    "files written",
    "hunks written",
    "coverage",
    "precision",
    "any order",
    "unjudged",
    "whole file",
    "silent-wrong",
    "p50 ms",
    "p95 ms",
)


def files_table(report: dict[str, Any]) -> Table:
    """Conflicted files by language, git's line merge above the policy: what the driver
    would write, and how it compares with the commit."""
    from rich.table import Table

    table = Table(
        title=f"files: git's line merge vs the {report['policy']} policy "
        "(regions against the commit, whitespace normalised)",
        caption="files written: with no conflict left; hunks written: in "
        "files written whole or in part (as auto-apply above counts "
        "them); coverage: files written, of conflicted; precision: every "
        "region right, of files written (unjudged: a region not found in "
        "the commit, not counted right); any order: the same with a "
        "region that holds the commit's lines in another order counted "
        "right; whole file: equal to the commit, of files written; "
        "silent-wrong: a file with a wrong hunk written, of conflicted; "
        "time: the pipeline",
    )
    for i, column in enumerate(FILE_COLUMNS):
        table.add_column(column, justify="left" if i in (0, 2) else "right")
    times = report["time_ms"]
    for lang, f in report["files_by_language"].items():
        _file_rows(table, lang, f, report["policy"], times["per_file_by_language"][lang])
    table.add_section()
    for kind, f in report["files_by_kind"].items():
        _file_rows(
            table,
            f"{kind} (total)" if kind != "all" else "all",
            f,
            report["policy"],
            times["per_file_by_kind"][kind],
        )
    return table


def _file_rows(
    table: Table, name: str, figures: dict[str, Any], policy: str, times: dict[str, float | None]
) -> None:
    """Two rows: git's line merge (not timed: it ran before), then the policy."""
    for i, (writer, label) in enumerate((("git", "git"), ("policy", policy))):
        f, t = figures[writer], times if i else {"p50": None, "p95": None}
        table.add_row(
            name if i == 0 else "",
            str(figures["files"]) if i == 0 else "",
            label,
            str(f["written"]),
            str(f.get("hunks_written", "-")),
            pct(f["coverage"]),
            pct(f["precision"]),
            pct(f.get("precision_any_order")),
            str(f["unjudged"]) if f["written"] else "-",
            pct(f["whole_file"]),
            pct(f["silent_wrong"]),
            ms(t["p50"]),
            ms(t["p95"]),
        )


def stubs_line(report: dict[str, Any]) -> str:
    """``bench stubs``: its report in one line."""
    t = report["seconds_per_stub"]
    return (
        f"{report['repo']}: {report['stubs']} stubs refilled (of "
        f"{report['functions_found']} candidate functions) with {report['model']}: "
        f"exact {pct(report['exact'])}, similarity {_fixed(report['similarity'], 3)}, "
        f"parses {pct(report['parsed'])}; per stub p50 {_fixed(t['p50'], 2)} s, p95 "
        f"{_fixed(t['p95'], 2)} s"
    )


def _fixed(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"

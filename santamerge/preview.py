"""Show proposals in the terminal with rich: each hunk, its candidates, their scores."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


def render_proposal(record: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    hunks = record["hunks"]
    if not hunks:
        console.print(f"[green]{record['path']}: git merges it cleanly; nothing to propose.")
        return
    for hunk in hunks:
        console.print(_hunk_panel(record, hunk))
    outcome = record["outcome"]
    console.print(f"{len(outcome['resolved'])} of {len(hunks)} hunks would be written; "
                  f"{len(outcome['unresolved'])} would keep their markers.")


def _hunk_panel(record: dict[str, Any], hunk: dict[str, Any]) -> Panel:
    sides = Table.grid(padding=(0, 2))
    for name in ("ours", "base", "theirs"):
        if hunk[name] is not None:
            sides.add_row(Text(name, style="bold"), Text(hunk[name].rstrip("\r\n")))
    table = Table(show_edge=False, expand=True)
    for column in ("#", "method", "score", "keeps ours", "keeps theirs", "why"):
        table.add_column(column, overflow="fold")
    for c in hunk["candidates"]:
        style = "dim strike" if c["rejected"] else ("bold green" if c["method"] == hunk[
            "auto_apply"] else "")
        table.add_row(str(c["rank"]), c["method"], f"{c['score']:.3f}",
                      f"{c['keeps_ours']:.0%}", f"{c['keeps_theirs']:.0%}",
                      "; ".join(c["reasons"]), style=style)
    verdict = (f"[green]would write {hunk['auto_apply']}" if hunk["auto_apply"]
               else "[yellow]would keep the conflict markers")
    title = f"{record['path']} hunk {hunk['index'] + 1}, line {hunk['line']}"
    return Panel(Group(sides, table, Text.from_markup(verdict)), title=title)

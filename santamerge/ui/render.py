"""Show proposals in the terminal with rich: each hunk, its candidates, their scores."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
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


# ``santamerge preview``: one hunk in full (each side highlighted, each candidate with its
# diffs against both sides), for the report and for the interactive review in ``tui``.

DIFF_LINES = 8  # lines of each short diff; the rest is counted, not shown


def render_report(record: dict[str, Any], console: Console) -> None:
    """Every hunk of one file in full, then one line on what the policy would write."""
    hunks = record["hunks"]
    for hunk in hunks:
        console.print(hunk_view(record, hunk, heading=hunk_heading(record, hunk)))
    outcome = record["outcome"]
    console.print(Text(f"{record['path']}: {len(hunks)} conflict hunk(s); the "
                       f"{_policy(record)} policy would write {len(outcome['resolved'])}, "
                       f"{len(outcome['unresolved'])} would keep their markers.", style="bold"))


def hunk_heading(record: dict[str, Any], hunk: dict[str, Any]) -> str:
    return (f"{record['path']} hunk {hunk['index'] + 1} of {len(record['hunks'])}, "
            f"line {hunk['line']}")


def hunk_view(record: dict[str, Any], hunk: dict[str, Any], heading: str,
              decision: tuple[str, str] | None = None) -> Panel:
    """One hunk: ours, base and theirs stacked, then the ranked candidates; last, if
    given, the ``(how, text)`` decided for it."""
    labels = record.get("labels") or {}
    parts: list[RenderableType] = []
    for name, style in (("ours", "cyan"), ("base", "magenta"), ("theirs", "yellow")):
        if hunk[name] is None:
            continue
        label = labels.get(name)
        title = Text(name if not label or label == name else f"{name} ({label})", style=style)
        parts.append(Panel(side_text(hunk[name], record.get("language")), title=title,
                           title_align="left", border_style=style, padding=(0, 1)))
    parts.append(Text("candidates, best first (the key accepts it):", style="bold"))
    for c in hunk["candidates"]:
        parts.append(candidate_view(c, hunk))
    if decision:
        how, text = decision
        parts.append(Panel(side_text(text, record.get("language")),
                           title=Text(f"decided: {how}", style="bold green"),
                           title_align="left", border_style="green", padding=(0, 1)))
    return Panel(Group(*parts), title=Text(heading, style="bold"), title_align="left")


def side_text(text: str, language: str | None) -> RenderableType:
    """A side of a hunk, highlighted when santamerge knows the language."""
    if not text:
        return Text("(empty)", style="dim italic")
    code = _display(text)
    if language is None:
        return Text(code)
    from rich.syntax import Syntax

    return Syntax(code, language, theme="ansi_dark", background_color="default",
                  word_wrap=True)


def candidate_view(c: dict[str, Any], hunk: dict[str, Any]) -> RenderableType:
    """One candidate: rank, method, score, how much of each side it keeps, why; then its
    short diffs against ours and against theirs."""
    line = Text()
    line.append(f"{c['rank'] or '-'}. ", style="bold")
    line.append(c["method"], style="bold")
    line.append(f"  score {_number(c['score'], '{:.3f}')}"
                f"  keeps ours {_number(c['keeps_ours'], '{:.0%}')}"
                f"  keeps theirs {_number(c['keeps_theirs'], '{:.0%}')}")
    if c["method"] == hunk["auto_apply"]:
        line.append("  (the policy would write this)", style="green")
    why = Text("; ".join(c["reasons"]), style="dim")
    if c["rejected"]:
        why.append(("; " if c["reasons"] else "") + "failed: " + "; ".join(c["rejected"]),
                   style="red")
    diffs = Table.grid(padding=(0, 2), expand=True)
    diffs.add_column(ratio=1)
    diffs.add_column(ratio=1)
    diffs.add_row(_diff_block("vs ours", hunk["ours"], c["text"]),
                  _diff_block("vs theirs", hunk["theirs"], c["text"]))
    if c["rejected"]:
        line.stylize("dim")
    body = Group(why, diffs) if c["reasons"] or c["rejected"] else diffs
    return Group(line, Padding(body, (0, 0, 0, 3)))


def short_diff(old: str, new: str, limit: int = DIFF_LINES) -> Text:
    """A unified diff without context (difflib) and without its headers, at most
    ``limit`` lines; ⋯ separates its parts."""
    import difflib

    if old == new:
        return Text("(identical)", style="dim")
    lines = list(difflib.unified_diff(_display(old).splitlines(), _display(new).splitlines(),
                                      lineterm="", n=0))[2:]
    lines = ["⋯" if line.startswith("@@") else line for line in lines[1:]]
    out = Text()
    for line in lines[:limit]:
        style = {"-": "red", "+": "green", "⋯": "dim"}.get(line[:1], "")
        out.append(line + "\n", style=style)
    if len(lines) > limit:
        out.append(f"… {len(lines) - limit} more diff lines\n", style="dim")
    out.rstrip()
    return out


def _diff_block(title: str, old: str, new: str) -> RenderableType:
    return Group(Text(title, style="bold dim"), short_diff(old, new))


def _display(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def _number(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _policy(record: dict[str, Any]) -> str:
    hunks = record["hunks"]
    return hunks[0]["policy"] if hunks else "auto-apply"

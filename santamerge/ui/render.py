"""Show proposals in the terminal with rich: each hunk, its candidates, their scores.

One renderer for ``propose`` (a table per hunk), ``preview`` (each hunk in full, with
short diffs) and ``resolve`` (the top candidates and what ``--accept`` would do). It
renders from the typed proposal (santamerge.merge.types), never from its JSON record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from santamerge.merge.types import ConflictHunk, HunkProposal, MergeProposal, Outcome

if TYPE_CHECKING:
    from santamerge.merge.sources import Proposed

DIFF_LINES = 8  # lines of each short diff; the rest is counted, not shown
TOP = 3  # candidates shown per hunk by resolve
PIPED_WIDTH = 10_000  # piped output is not wrapped: no line is this long
SIDES = (("ours", "cyan"), ("base", "magenta"), ("theirs", "yellow"))
Labels = Mapping[str, str]


def console(stderr: bool = False, **options: Any) -> Console:
    """A console for lines and tables. Piped (not a terminal, no COLUMNS), it does not
    wrap at 80 columns: each line stays whole and each table takes the width it needs."""
    made = Console(stderr=stderr, **options)
    if not made.is_terminal and not os.environ.get("COLUMNS"):
        made.width = PIPED_WIDTH
        made.soft_wrap = True
    return made


class Row(NamedTuple):
    """One candidate as shown: ranked (a Scored), or unranked (a bare Candidate)."""

    rank: int | None
    method: str
    text: str
    score: float | None
    keeps_ours: float | None
    keeps_theirs: float | None
    reasons: tuple[str, ...]
    rejected: tuple[str, ...]


def rows(h: HunkProposal) -> list[Row]:
    """The hunk's candidates, best first (the order of the keys that accept them)."""
    if h.ranked:
        return [Row(rank, s.candidate.method, s.candidate.text, s.score, s.keeps_ours,
                    s.keeps_theirs, s.reasons, s.rejected)
                for rank, s in enumerate(h.ranked, 1)]
    return [Row(None, c.method, c.text, None, None, None, (c.note,) if c.note else (),
                h.gated.get(c.key, ())) for c in h.candidates]


def _chosen(h: HunkProposal) -> str | None:
    return h.chosen.method if h.chosen else None


# -- propose ---------------------------------------------------------------------------


def render_proposal(proposal: MergeProposal, outcome: Outcome,
                    out: Console | None = None) -> None:
    """``propose``: a panel per hunk, its candidates in a table."""
    out = out or Console()
    if not proposal.hunks:
        out.print(f"[green]{proposal.path}: git merges it cleanly; nothing to propose.")
        return
    for h in proposal.hunks:
        out.print(_hunk_panel(proposal, h))
    out.print(f"{len(outcome.resolved)} of {len(proposal.hunks)} hunks would be written; "
              f"{len(outcome.unresolved)} would keep their markers.")


def _hunk_panel(proposal: MergeProposal, h: HunkProposal) -> Panel:
    sides = Table.grid(padding=(0, 2))
    for name, _ in SIDES:
        text = getattr(h.hunk, name)
        if text is not None:
            sides.add_row(Text(name, style="bold"), Text(text.rstrip("\r\n")))
    table = candidate_table(h, rows(h), keeps=True)
    verdict = (f"[green]would write {_chosen(h)}" if h.chosen
               else "[yellow]would keep the conflict markers")
    title = f"{proposal.path} hunk {h.hunk.index + 1}, line {h.hunk.line}"
    return Panel(Group(sides, table, Text.from_markup(verdict)), title=title)


def candidate_table(h: HunkProposal, shown: Sequence[Row], keeps: bool = False,
                    more: int = 0, failures: bool = False) -> Table:
    """The candidates in a table: rank, method, score, (what each keeps,) why; ``more``
    counts those left out, ``failures`` adds the gates each failed to its why."""
    table = Table(show_edge=False, expand=True)
    columns = ("#", "method", "score", "keeps ours", "keeps theirs", "why") if keeps \
        else ("#", "method", "score", "why")
    for column in columns:
        table.add_column(column, overflow="fold")
    for c in shown:
        why = "; ".join(c.reasons)
        if failures and c.rejected:
            why += ("; " if why else "") + "failed: " + "; ".join(c.rejected)
        style = "dim strike" if c.rejected else ("bold green" if c.method == _chosen(h) else "")
        kept = (f"{c.keeps_ours:.0%}", f"{c.keeps_theirs:.0%}") if keeps else ()
        table.add_row(str(c.rank), c.method, f"{c.score:.3f}", *kept, why, style=style)
    if more:
        table.add_row("", f"(and {more} more)", "", "", style="dim")
    return table


# -- preview ---------------------------------------------------------------------------


def render_report(proposal: MergeProposal, outcome: Outcome, labels: Labels | None,
                  out: Console) -> None:
    """``preview`` piped: every hunk of one file in full, then one line on what the
    policy would write."""
    for h in proposal.hunks:
        out.print(hunk_view(proposal, h, labels, heading=hunk_heading(proposal, h)))
    policy = proposal.hunks[0].policy if proposal.hunks else "auto-apply"
    out.print(Text(f"{proposal.path}: {len(proposal.hunks)} conflict hunk(s); the {policy} policy "
                   f"would write {len(outcome.resolved)}, {len(outcome.unresolved)} would "
                   "keep their markers.", style="bold"))


def hunk_heading(proposal: MergeProposal, h: HunkProposal) -> str:
    return f"{proposal.path} hunk {h.hunk.index + 1} of {len(proposal.hunks)}, line {h.hunk.line}"


def hunk_view(proposal: MergeProposal, h: HunkProposal, labels: Labels | None, heading: str,
              decision: tuple[str, str] | None = None) -> Panel:
    """One hunk: ours, base and theirs stacked, then the ranked candidates; last, if
    given, the ``(how, text)`` decided for it."""
    parts = side_panels(h.hunk, proposal.language, labels)
    parts.append(Text("candidates, best first (the key accepts it):", style="bold"))
    for c in rows(h):
        parts.append(candidate_view(c, h))
    if decision:
        how, text = decision
        parts.append(Panel(side_text(text, proposal.language),
                           title=Text(f"decided: {how}", style="bold green"),
                           title_align="left", border_style="green", padding=(0, 1)))
    return Panel(Group(*parts), title=Text(heading, style="bold"), title_align="left")


def side_panels(hunk: ConflictHunk, language: str | None,
                labels: Labels | None = None) -> list[RenderableType]:
    """Ours, base and theirs, each in a panel titled with its name (and its label)."""
    parts: list[RenderableType] = []
    for name, style in SIDES:
        text = getattr(hunk, name)
        if text is None:
            continue
        label = (labels or {}).get(name)
        title = Text(name if not label or label == name else f"{name} ({label})", style=style)
        parts.append(Panel(side_text(text, language), title=title, title_align="left",
                           border_style=style, padding=(0, 1)))
    return parts


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


def candidate_view(c: Row, h: HunkProposal) -> RenderableType:
    """One candidate: rank, method, score, how much of each side it keeps, why; then its
    short diffs against ours and against theirs."""
    line = Text()
    line.append(f"{c.rank or '-'}. ", style="bold")
    line.append(c.method, style="bold")
    line.append(f"  score {_number(c.score, '{:.3f}')}"
                f"  keeps ours {_number(c.keeps_ours, '{:.0%}')}"
                f"  keeps theirs {_number(c.keeps_theirs, '{:.0%}')}")
    if c.method == _chosen(h):
        line.append("  (the policy would write this)", style="green")
    why = Text("; ".join(c.reasons), style="dim")
    if c.rejected:
        why.append(("; " if c.reasons else "") + "failed: " + "; ".join(c.rejected),
                   style="red")
    diffs = Table.grid(padding=(0, 2), expand=True)
    diffs.add_column(ratio=1)
    diffs.add_column(ratio=1)
    diffs.add_row(_diff_block("vs ours", h.hunk.ours, c.text),
                  _diff_block("vs theirs", h.hunk.theirs, c.text))
    if c.rejected:
        line.stylize("dim")
    body = Group(why, diffs) if c.reasons or c.rejected else diffs
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


# -- resolve ---------------------------------------------------------------------------


def render_resolve(files: Sequence[Proposed], policy: str, threshold: float | None,
                   out: Console) -> None:
    """``resolve`` without --accept: each hunk, its top candidates, and what --accept
    would do with it (``threshold`` None: the ``policy`` has none)."""
    for r in files:
        where = "git's diff3 merge rebuilt from the index" if r.source.rebuilt \
            else "the working tree"
        out.print(Text(f"{r.source.shown} ({where})", style="bold"))
        for h in r.proposal.hunks:
            out.print(_resolve_hunk(r, h, policy, threshold))
        total = len(r.proposal.hunks)
        n = len(r.outcome.resolved)
        out.print(Text(f"{r.source.shown}: --accept would write {n} of {total} hunks; "
                       f"{total - n} would keep their markers.", style="bold"))
    if files:
        rule = (f"Threshold {threshold:.3f}; `santamerge resolve --accept` writes the hunks "
                "above it." if threshold is not None else f"`santamerge resolve --accept "
                f"--policy {policy}` writes the hunks the {policy} policy would write.")
        out.print(Text(f"Nothing was written. {rule}", style="dim"))


def _resolve_hunk(r: Proposed, h: HunkProposal, policy: str, threshold: float | None
                  ) -> Panel:
    parts = side_panels(h.hunk, r.proposal.language)
    shown = rows(h)[:TOP] if h.ranked else []
    parts.append(candidate_table(h, shown, more=max(0, len(h.ranked) - TOP), failures=True))
    parts.append(_verdict(h, threshold) if threshold is not None else _plain_verdict(h, policy))
    title = f"{r.source.shown} hunk {h.hunk.index + 1} of {len(r.proposal.hunks)}"
    if not r.source.rebuilt:
        title += f", line {h.hunk.line}"
    return Panel(Group(*parts), title=Text(title, style="bold"), title_align="left")


def _verdict(h: HunkProposal, threshold: float) -> RenderableType:
    top = next((s for s in h.ranked if not s.rejected), None)
    if h.chosen is not None and top is not None:
        head = Text(f"--accept writes {h.chosen.method} (score {top.score:.3f} ≥ "
                    f"{threshold:.3f}):", style="green")
        return Group(head, side_text(h.chosen.text, None))
    if top is None:
        why = "every candidate fails the gates"
    elif top.score < threshold:
        why = f"the top candidate, {top.candidate.method}, scores {top.score:.3f} < " \
              f"{threshold:.3f}"
    else:
        failed = "; ".join(h.gated.get(top.candidate.key, ())) or "a gate"
        why = f"the top candidate, {top.candidate.method}, fails {failed}"
    return Text(f"--accept keeps the markers: {why}", style="yellow")


def _plain_verdict(h: HunkProposal, policy: str) -> RenderableType:
    """What --accept does with a hunk under a policy without a threshold."""
    if h.chosen is not None:
        return Group(Text(f"--accept writes {h.chosen.method} (the {policy} policy):",
                          style="green"), side_text(h.chosen.text, None))
    return Text(f"--accept keeps the markers: the {policy} policy writes no candidate",
                style="yellow")


def written_lines(files: Sequence[Proposed], written: frozenset[str],
                  staged: frozenset[str]) -> list[str]:
    """``resolve --accept``: one line per file on what was written."""
    lines = []
    for r in files:
        total = len(r.proposal.hunks)
        done = len(r.outcome.resolved) if r.source.path in written else 0
        line = f"{r.source.shown}: {done} of {total} hunks written, {total - done} left marked"
        lines.append(line + "; staged" if r.source.path in staged else line)
    return lines

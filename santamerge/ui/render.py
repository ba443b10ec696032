"""Show proposals in the terminal with rich: each hunk, its candidates, their scores.

One card for a hunk and its candidates (``hunk_card``), the same in ``propose``,
``preview`` off a terminal and in its full-screen review (santamerge.ui.tui), the review
of merge-driver attempts and ``resolve``, with one numbering of hunks: git's diff3 merge,
which every command reads (plain markers are rebuilt from the index). It renders from the
typed proposal (santamerge.merge.types), never from its JSON record.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from santamerge.merge.types import (
    MARKER_ORDER,
    ConflictHunk,
    HunkProposal,
    MergeProposal,
    Outcome,
    Side,
)
from santamerge.ui.review import Row, rows

if TYPE_CHECKING:
    from santamerge.merge.record import Labels
    from santamerge.merge.workspace.sources import Proposed

DIFF_LINES = 8  # lines of each short diff; the rest is counted, not shown
TOP = 3  # candidates shown per hunk by resolve
PIPED_WIDTH = 10_000  # piped output is not wrapped: no line is this long
CARD_MARGIN = 12  # columns a hunk card adds around a line of code: two boxes, an indent
SIDE_STYLES: dict[Side, str] = {"ours": "cyan", "base": "magenta", "theirs": "yellow"}
SIDE_BY_SIDE = (100, 400)  # terminal widths where the three sides stand side by side


class _Console(Console):
    """rich's console, except that a closed pipe is left to santamerge's one handler
    (santamerge.errors.report_errors, santamerge.entry): it ends quietly there."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError("the reader of santamerge's output has gone")


def console(stderr: bool = False, **options: Any) -> Console:
    """A console for lines and tables. Piped (not a terminal, no COLUMNS), it does not
    wrap at 80 columns: each line stays whole and each table takes the width it needs.
    It has no colour off a terminal, on TERM=dumb, or with NO_COLOR set (rich reads
    them)."""
    made = _Console(stderr=stderr, **options)
    if not made.is_terminal and not os.environ.get("COLUMNS"):
        made.width = PIPED_WIDTH
        made.soft_wrap = True
    return made


def report_console(texts: Iterable[str] = ()) -> Console:
    """The console for hunk cards (``propose``, ``resolve``, ``preview`` off the full
    screen). In a terminal, the terminal's width. Piped, wide enough that no line of
    ``texts`` (the code the cards show) wraps inside its boxes, and at least 80 columns;
    the cards then stack what they would show side by side (``piped``)."""
    made = _Console(highlight=False)
    if piped(made):
        widest = max(
            (len(line) for text in texts for line in _display(text).split("\n")), default=0
        )
        made.width = max(80, min(PIPED_WIDTH, widest + CARD_MARGIN))
    return made


def piped(out: Console) -> bool:
    """Whether ``out`` writes to something that is not a terminal, with no COLUMNS."""
    return not out.is_terminal and not os.environ.get("COLUMNS")


def card_texts(proposal: MergeProposal) -> list[str]:
    """Every text a hunk card of ``proposal`` may show: the sides and the candidates."""
    out: list[str] = []
    for h in proposal.hunks:
        out += [t for t in (h.hunk.ours, h.hunk.base, h.hunk.theirs) if t]
        out += [c.text for c in rows(h)]
    return out


def full_screen() -> bool:
    """Whether this terminal can hold the full-screen review: standard input and output
    are a terminal, TERM names one that is not dumb, and its terminfo entry has
    colours (at least 8). Anything else gets the plain report."""
    import sys

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return False
    try:
        import curses

        curses.setupterm(term, sys.stdout.fileno())
        return curses.tigetnum("colors") >= 8
    except Exception:  # no terminfo entry for TERM, or no curses
        return False


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut at a word boundary with an
    ellipsis, never in the middle of a token. A first word too long by itself (a
    path) loses its leading folders first (``…/name.py``); only a single name longer
    than ``width`` is cut."""
    if len(text) <= width:
        return text
    first, space, rest = text.partition(" ")
    if len(first) >= width - 1 and "/" in first.lstrip("…/"):
        tail = first.lstrip("…/").split("/", 1)[1]
        return shorten(f"…/{tail}{space}{rest}", width)
    cut = text[: max(0, width - 1)]
    at = cut.rfind(" ")
    if at > 0:
        cut = cut[:at]
    return cut.rstrip(" ,;:·-") + "…"


def _chosen(h: HunkProposal) -> str | None:
    return h.chosen.method if h.chosen else None


# -- one hunk and its candidates: every command's view ---------------------------------


def hunk_heading(shown: str, proposal: MergeProposal, h: HunkProposal) -> str:
    """The one numbering of hunks: ``app.py hunk 2 of 3, line 14`` (the line of the
    opening marker in git's diff3 merge, which every command reads)."""
    return f"{shown} hunk {h.hunk.index + 1} of {len(proposal.hunks)}, line {h.hunk.line}"


def hunk_card(
    proposal: MergeProposal,
    h: HunkProposal,
    heading: str,
    *,
    labels: Labels | None = None,
    top: int | None = None,
    verdict: RenderableType | None = None,
    diffs: bool = False,
    decision: tuple[str, str] | None = None,
    width: int | None = None,
) -> Panel:
    """One hunk as every command shows it: ours, base and theirs (side by side when
    ``width`` allows; ``width`` None, piped: everything one above another), then its
    candidates best first, one line each (rank, method, one score, would the policy
    write it, why in a few words), ``diffs`` against ours and theirs under each; ``top``
    shows that many and counts the rest; last the ``verdict`` and, if given, the
    ``(how, text)`` decided for it. Its heading is shortened at a word to fit."""
    parts: list[RenderableType] = [sides_view(h.hunk, proposal.language, labels, width)]
    shown = rows(h)
    more = len(shown) - top if top is not None and len(shown) > top else 0
    parts.append(
        Text("candidates, best first" + (" (the key accepts it):" if diffs else ":"), style="bold")
    )
    for c in shown[:top] if top is not None else shown:
        parts.append(candidate_view(c, h, diffs, stacked=width is None))
    if more:
        parts.append(Text(f"   (and {more} more: --json lists them all)", style="dim"))
    if verdict is not None:
        parts.append(verdict)
    if decision:
        how, text = decision
        parts.append(
            Panel(
                side_text(text, proposal.language),
                title=Text(f"decided: {how}", style="bold green"),
                title_align="left",
                border_style="green",
                padding=(0, 1),
            )
        )
    title = heading if width is None else shorten(heading, width - 6)
    return Panel(Group(*parts), title=Text(title, style="bold"), title_align="left")


def sides_view(
    hunk: ConflictHunk, language: str | None, labels: Labels | None = None, width: int | None = None
) -> RenderableType:
    """Ours, base and theirs: side by side in a wide terminal, else one above another."""
    panels = side_panels(hunk, language, labels)
    if width is None or not SIDE_BY_SIDE[0] <= width <= SIDE_BY_SIDE[1]:
        return Group(*panels)
    grid = Table.grid(padding=(0, 1), expand=True)
    for _ in panels:
        grid.add_column(ratio=1)
    grid.add_row(*panels)
    return grid


def side_panels(
    hunk: ConflictHunk, language: str | None, labels: Labels | None = None
) -> list[RenderableType]:
    """Ours, base and theirs, each in a panel titled with its name (and its label)."""
    parts: list[RenderableType] = []
    for name in MARKER_ORDER:
        style = SIDE_STYLES[name]
        text = getattr(hunk, name)
        if text is None:
            continue
        parts.append(
            Panel(
                side_text(text, language),
                title=side_title(name, labels),
                title_align="left",
                border_style=style,
                padding=(0, 1),
            )
        )
    return parts


def side_title(name: Side, labels: Labels | None) -> Text:
    label = labels[MARKER_ORDER.index(name)] if labels else None
    style = SIDE_STYLES[name]
    return Text(name if not label or label == name else f"{name} ({label})", style=style)


def side_text(text: str, language: str | None) -> RenderableType:
    """A side of a hunk, highlighted when santamerge knows the language."""
    if not text:
        return Text("(empty)", style="dim italic")
    code = _display(text)
    if language is None:
        return Text(code)
    from rich.syntax import Syntax

    return Syntax(code, language, theme="ansi_dark", background_color="default", word_wrap=True)


def why(c: Row) -> str:
    """Why a candidate, in a few words: its method's description and what sets it apart.
    The score says how likely it is once; the reasons that repeat it in prose (the
    ranker's percentage, what share of each side's change it keeps) are left out, and
    so are the gates it failed, which ``candidate_line`` says once, after "failed:"."""
    kept = [r for r in c.reasons if not r.startswith(("keeps ", "learned ranker", "rejected: "))]
    return "; ".join(kept)


def candidate_line(c: Row, h: HunkProposal) -> Text:
    """``1  structured:union  48%  would write  why``: one line per candidate."""
    line = Text()
    line.append(f"{c.rank or '-'}. ", style="bold")
    line.append(c.method, style="bold")
    score = "" if c.score is None else f"{c.score:.0%}" if c.score >= 0.01 or not c.score else "<1%"
    if score:
        line.append(f"  {score}", style="cyan")
    if c.method == _chosen(h):
        line.append("  would write", style="green")
    if text := why(c):
        line.append(f"  {text}", style="dim")
    if c.rejected:
        line.append("  failed: " + "; ".join(c.rejected), style="red")
        line.stylize("dim")
    return line


def candidate_view(
    c: Row,
    h: HunkProposal,
    diffs: bool = True,
    against: tuple[str, str] | None = None,
    stacked: bool = False,
) -> RenderableType:
    """One candidate's line; with ``diffs``, its short diffs against ours and theirs (or
    only against ``against``: a (title, text), the hunk's current result), side by side
    unless ``stacked``. A line too long for its column folds onto the next: it is never
    cut."""
    line = candidate_line(c, h)
    if not diffs:
        return line
    if against is not None:
        title, old = against
        return Group(line, Padding(_diff_block(title, old, c.text), (0, 0, 0, 3)))
    if stacked:
        return Group(
            line,
            Padding(
                Group(
                    _diff_block("vs ours", h.hunk.ours, c.text),
                    _diff_block("vs theirs", h.hunk.theirs, c.text),
                ),
                (0, 0, 0, 3),
            ),
        )
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(ratio=1, overflow="fold")
    table.add_column(ratio=1, overflow="fold")
    table.add_row(
        _diff_block("vs ours", h.hunk.ours, c.text), _diff_block("vs theirs", h.hunk.theirs, c.text)
    )
    return Group(line, Padding(table, (0, 0, 0, 3)))


# -- propose ---------------------------------------------------------------------------


def render_proposal(proposal: MergeProposal, outcome: Outcome, out: Console | None = None) -> None:
    """``propose``: each hunk's card, then what the driver would write."""
    out = out or report_console(card_texts(proposal))
    if not proposal.hunks:
        out.print(f"[green]{proposal.path}: git merges it cleanly; nothing to propose.")
        return
    for h in proposal.hunks:
        verdict = (
            Text(f"would write {_chosen(h)}", style="green")
            if h.chosen
            else Text("would keep the conflict markers", style="yellow")
        )
        out.print(
            hunk_card(
                proposal,
                h,
                hunk_heading(proposal.path, proposal, h),
                verdict=verdict,
                width=_width(out),
            )
        )
    out.print(
        f"{len(outcome.resolved)} of {len(proposal.hunks)} hunks would be written; "
        f"{len(outcome.unresolved)} would keep their markers."
    )


# -- preview ---------------------------------------------------------------------------


def render_report(
    shown: str,
    proposal: MergeProposal,
    outcome: Outcome,
    labels: Labels | None,
    out: Console,
    written: Mapping[int, tuple[str, str]] | None = None,
) -> None:
    """``preview`` off a terminal: every hunk of one file with its candidates and their
    diffs (and, for an attempt, what the driver wrote), then what the policy would
    write."""
    for h in proposal.hunks:
        done = (written or {}).get(h.hunk.index)
        out.print(
            hunk_card(
                proposal,
                h,
                hunk_heading(shown, proposal, h),
                labels=labels,
                diffs=True,
                width=_width(out),
                decision=(done[1], done[0]) if done else None,
            )
        )
    policy = proposal.hunks[0].policy if proposal.hunks else "auto-apply"
    line = (
        f"{shown}: {len(proposal.hunks)} conflict hunk(s); the {policy} policy would "
        f"write {len(outcome.resolved)}, {len(outcome.unresolved)} would keep their "
        "markers."
    )
    if written is not None:
        line = (
            f"{shown}: the merge driver wrote {len(written)} of {len(proposal.hunks)} "
            "hunk(s); the others keep git's markers."
        )
    out.print(Text(line, style="bold"))


def short_diff(old: str, new: str, limit: int = DIFF_LINES) -> Text:
    """A unified diff without context (difflib) and without its headers, at most
    ``limit`` lines; ⋯ separates its parts."""
    import difflib

    if old == new:
        return Text("(identical)", style="dim")
    lines = list(
        difflib.unified_diff(
            _display(old).splitlines(), _display(new).splitlines(), lineterm="", n=0
        )
    )[2:]
    lines = ["⋯" if line.startswith("@@") else line for line in lines[1:]]
    out = Text()
    for line in lines[:limit]:
        style = {"-": "red", "+": "green", "⋯": "dim"}.get(line[:1], "")
        out.append(line + "\n", style=style)
    if len(lines) > limit:
        out.append(f"… {len(lines) - limit} more diff lines\n", style="dim")
    out.rstrip()
    return out


def _width(out: Console) -> int | None:
    """The width cards are laid out for: None when piped (stacked, never wrapped)."""
    return None if piped(out) else out.width


def _diff_block(title: str, old: str, new: str) -> RenderableType:
    return Group(Text(title, style="bold dim"), short_diff(old, new))


def _display(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


# -- resolve ---------------------------------------------------------------------------


def render_resolve(
    files: Sequence[Proposed], policy: str, threshold: float | None, out: Console
) -> None:
    """``resolve`` without --accept: each hunk, its top candidates, and what --accept
    would do with it (``threshold`` None: the ``policy`` has none)."""
    for r in files:
        where = (
            "the working tree's hunks, bases from the index"
            if r.source.lines is not None
            else "git's diff3 merge rebuilt from the index"
            if r.source.rebuilt
            else "the working tree"
        )
        out.print(Text(f"{r.source.shown} ({where})", style="bold"))
        for h in r.proposal.hunks:
            verdict = _verdict(h, threshold) if threshold is not None else _plain_verdict(h, policy)
            out.print(
                hunk_card(
                    r.proposal,
                    h,
                    hunk_heading(r.source.shown, r.proposal, h),
                    labels=r.source.labels,
                    top=TOP if h.ranked else 0,
                    verdict=verdict,
                    width=_width(out),
                )
            )
        total = len(r.proposal.hunks)
        n = len(r.outcome.resolved)
        out.print(
            Text(
                f"{r.source.shown}: --accept would write {n} of {total} hunks; "
                f"{total - n} would keep their markers.",
                style="bold",
            )
        )
    if files:
        rule = (
            f"Threshold {threshold:.3f}; `santamerge resolve --accept` writes the hunks above it."
            if threshold is not None
            else f"`santamerge resolve --accept "
            f"--policy {policy}` writes the hunks the {policy} policy would write."
        )
        out.print(Text(f"Nothing was written. {rule}", style="dim"))


def _verdict(h: HunkProposal, threshold: float) -> RenderableType:
    top = next((s for s in h.ranked if not s.rejected), None)
    if h.chosen is not None and top is not None:
        head = Text(
            f"--accept writes {h.chosen.method} (score {top.score:.3f} ≥ {threshold:.3f}):",
            style="green",
        )
        return Group(head, side_text(h.chosen.text, None))
    if top is None:
        why = "every candidate fails the gates"
    elif top.score < threshold:
        why = f"the top candidate, {top.candidate.method}, scores {top.score:.3f} < {threshold:.3f}"
    else:
        failed = "; ".join(h.gated.get(top.candidate.key, ())) or "a gate"
        why = f"the top candidate, {top.candidate.method}, fails {failed}"
    return Text(f"--accept keeps the markers: {why}", style="yellow")


def _plain_verdict(h: HunkProposal, policy: str) -> RenderableType:
    """What --accept does with a hunk under a policy without a threshold."""
    if h.chosen is not None:
        return Group(
            Text(f"--accept writes {h.chosen.method} (the {policy} policy):", style="green"),
            side_text(h.chosen.text, None),
        )
    return Text(
        f"--accept keeps the markers: the {policy} policy writes no candidate", style="yellow"
    )


def written_lines(
    files: Sequence[Proposed], written: frozenset[str], staged: frozenset[str]
) -> list[str]:
    """``resolve --accept``: one line per file on what was written."""
    lines = []
    for r in files:
        total = len(r.proposal.hunks)
        done = len(r.outcome.resolved) if r.source.path in written else 0
        line = f"{r.source.shown}: {done} of {total} hunks written, {total - done} left marked"
        lines.append(line + "; staged" if r.source.path in staged else line)
    return lines

"""The full-screen review (Textual): ``santamerge preview`` and ``santamerge mergetool``
in a terminal.

It draws santamerge.ui.review's state and sends it every key; the review decides.

    ┌ ours ────────┐┌ base ────────┐┌ theirs ──────┐   each side of the whole file,
    │ ...          ││ ...          ││ ...          │   scrolled to the hunk, which is
    └──────────────┘└──────────────┘└──────────────┘   highlighted; base is left out
    ┌ candidates ─────────────────┐┌ result ──────┐   when the terminal is narrow
    │ 1. merged:words 81% ...     ││ the file as w│
    │    diff to the result       ││ would write  │
    └─────────────────────────────┘└──────────────┘
     status: what the last key did          keys

Only ``preview`` and ``mergetool`` import this module (a test in
tests/test_review_screen.py holds the other commands to that), so no other command pays
for Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.widgets import Static

from santamerge.merge.types import MARKER_ORDER, Side
from santamerge.ui.render import candidate_view, hunk_heading, shorten, side_title
from santamerge.ui.review import KEYS, Review, rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual import events

    from santamerge.ui.review import FileResult, FileState, PreviewFile

WIDE = 120  # columns from which base is shown beside ours and theirs
CONTEXT = 3  # lines shown above a hunk when a pane scrolls to it
WINDOW = 300  # lines of a side drawn at most (around the hunk)
NAMES = {"right": "right", "left": "left", "question_mark": "?", "ctrl+c": "q",
         "escape": "escape"}


class ReviewApp(App[list["FileResult"]]):
    """Review ``files``; the app's return value is one result per file."""

    TITLE = "santamerge review"
    CSS = """
    Screen { layout: vertical; }
    #heading { height: 1; background: $boost; text-style: bold; padding: 0 1; }
    #sides { height: 45%; }
    #lower { height: 1fr; }
    .pane { border: round $panel-lighten-2; padding: 0 1; height: 1fr; }
    .pane:focus { border: round $accent; }
    .code { width: auto; }
    #ours { border-title-color: cyan; }
    #base { border-title-color: magenta; }
    #theirs { border-title-color: yellow; }
    #candidates { width: 3fr; }
    #result { width: 2fr; border-title-color: green; }
    #status { height: auto; max-height: 3; padding: 0 1; }
    #keys { height: 1; background: $boost; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar = [("ctrl+q", "press('q')", "quit")]

    def __init__(self, files: list[PreviewFile],
                 edit: Callable[[str, str], str] | None = None) -> None:
        super().__init__()
        self.review = Review(files, edit)
        self.custom_editor = edit is not None

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        with Horizontal(id="sides"):
            for name in MARKER_ORDER:
                yield ScrollableContainer(Static(id=f"{name}-text", classes="code"), id=name,
                                          classes="pane")
        with Horizontal(id="lower"):
            yield VerticalScroll(Static(id="candidates-text"), id="candidates", classes="pane")
            yield ScrollableContainer(Static(id="result-text", classes="code"), id="result",
                                      classes="pane")
        with Vertical(id="status"):
            yield Static(id="message")
        yield Static(id="keys")

    def on_mount(self) -> None:
        self.query_one("#keys", Static).update(
            "1-9 accept · e edit · k keep conflict · u undo · n/p next/previous · w write · "
            "q quit · ? help")
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def action_press(self, key: str) -> None:
        self.send(key)

    def on_key(self, event: events.Key) -> None:
        key = NAMES.get(event.key, event.character or event.key)
        if key in ("up", "down", "pageup", "pagedown", "home", "end", "tab", "shift+tab"):
            return  # scrolling and focus: Textual's own
        event.stop()
        self.send(key)

    def send(self, key: str) -> None:
        if key == "e" and not self.custom_editor:
            try:
                with self.suspend():
                    self.review.press(key)
            except SuspendNotSupported:  # headless (the pilot): edit without it
                self.review.press(key)
        else:
            self.review.press(key)
        if self.review.done:
            self.exit(self.review.results())
            return
        self.redraw()

    # -- drawing ------------------------------------------------------------------------

    def redraw(self) -> None:
        review = self.review
        state = review.file
        h = review.hunk
        proposal = state.file.proposal
        decided = len(state.decisions)
        written = " · not written (w writes)" if state.pending else (
            " · written" if state.wrote else "")
        heading = (f"file {review.current + 1} of {len(review.files)} · "
                   f"{hunk_heading(state.file.shown, proposal, h)} · {decided} of "
                   f"{len(state.hunks)} decided{written}")
        # one line: shortened at a word, never cut in the middle of a token
        self.query_one("#heading", Static).update(shorten(heading, max(20, self.size.width - 2)))
        wide = self.size.width >= WIDE and h.hunk.base is not None
        labels = state.file.record.labels
        for name in MARKER_ORDER:
            pane = self.query_one(f"#{name}", ScrollableContainer)
            shown = name != "base" or wide
            pane.display = shown
            if shown:
                pane.border_title = side_title(name, labels).plain
                self._show_side(pane, name, state)
        self._show_candidates(state)
        self._show_result(state)
        message = Text(review.message, style="bold red" if review.error else "green")
        if header := state.file.header:
            message = Text.assemble((header + "\n", "dim"), message)
        if reason := state.stale():
            message = Text.assemble((f"{reason}: you can look, but not write\n", "red"), message)
        self.query_one("#message", Static).update(message)

    def _show_side(self, pane: ScrollableContainer, name: Side, state: FileState) -> None:
        parsed = state.file.proposal.parsed
        hunk = self.review.hunk.hunk
        text = parsed.side(name)
        start = text.count("\n", 0, parsed.offset(hunk, name)) + 1
        length = max(1, (getattr(hunk, name) or "").count("\n"))
        self._fill(pane, f"#{name}-text", text, start, length, state.file.proposal.language)

    def _show_result(self, state: FileState) -> None:
        parsed = state.file.proposal.parsed
        hunk = self.review.hunk.hunk
        choices = {i: d.text for i, d in state.decisions.items()}
        before = parsed.splice(choices, default="markers")
        # where the hunk starts in the result: the text of every chunk before it
        start_chars = 0
        for chunk in parsed.chunks:
            if chunk is hunk:
                break
            start_chars += len(chunk if isinstance(chunk, str)
                               else choices.get(chunk.index, chunk.render()))
        start = before.count("\n", 0, start_chars) + 1
        length = max(1, choices.get(hunk.index, hunk.render()).count("\n"))
        pane = self.query_one("#result", ScrollableContainer)
        decision = state.decisions.get(hunk.index)
        pane.border_title = f"result: {decision.how}" if decision else "result: conflict kept"
        self._fill(pane, "#result-text", before, start, length, state.file.proposal.language)

    def _fill(self, pane: ScrollableContainer, widget: str, text: str, start: int, length: int,
              language: str | None) -> None:
        lines = (text.replace("\r\n", "\n").rstrip("\n") or " ").split("\n")
        first = 1  # a long file is shown around the hunk, so that each key stays quick
        if len(lines) > WINDOW:
            first = max(1, start - WINDOW // 2)
            lines = lines[first - 1:first - 1 + WINDOW]
        syntax = Syntax("\n".join(lines), language or "text", theme="ansi_dark",
                        line_numbers=True, start_line=first, background_color="default",
                        code_width=max(map(len, lines)) + 1,
                        highlight_lines=set(range(start, start + length)), word_wrap=False)
        self.query_one(widget, Static).update(syntax)
        pane.scroll_to(x=0, y=max(0, start - first - CONTEXT), animate=False)

    def _show_candidates(self, state: FileState) -> None:
        review = self.review
        h = review.hunk
        pane = self.query_one("#candidates", VerticalScroll)
        decision = state.decisions.get(h.hunk.index)
        against = ("vs the decided text", decision.text) if decision else \
            ("vs ours", h.hunk.ours)
        parts: list[RenderableType] = []
        if review.help_shown:
            parts += [Text(f"{key:<6} {what}") for key, what in KEYS]
            parts.append(Text(""))
        for c in rows(h):
            parts.append(candidate_view(c, h, diffs=True, against=against))
        if not parts:
            parts.append(Text("no candidate: press e to edit the hunk", style="yellow"))
        count = len(rows(h))
        pane.border_title = f"candidates ({count}), best first: 1-{min(count, 9)} accepts" \
            if count else "candidates"
        self.query_one("#candidates-text", Static).update(Group(*parts))
        pane.scroll_to(y=0, animate=False)


def run_review(files: list[PreviewFile], **options: Any) -> list[FileResult]:
    """Run the full-screen review in this terminal; one result per file. NO_COLOR set
    (and not empty, as no-color.org has it, and rich reads it) makes it monochrome."""
    import os

    if os.environ.get("NO_COLOR") == "":  # Textual would read an empty one as set
        del os.environ["NO_COLOR"]
    app = ReviewApp(files)
    results = app.run(**options)
    return results if results is not None else app.review.results()

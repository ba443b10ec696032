"""The full-screen review (Textual): ``santamerge preview`` and ``santamerge mergetool``
in a terminal.

It draws santamerge.ui.review's state and sends it every key; the review decides.

     app.py hunk 2 of 3, line 14 · 1 of 3 decided · w writes 1 of 3 hunks decided; ...
     ours            │base            │theirs         one view (santamerge.ui.panes):
    ❱ 5~ def f(a=5): │❱ 4· def f(a=3):│❱ 5~ def f(a=4):  the sides aligned row by row
    ❱ 6+ check(a)    │❱               │❱                 with fillers, scrolled together
    ┌ candidates ─────────────────┐┌ result ──────┐   the file as w would write it;
    │ 1. merged:words 81% ...     ││ (i edits it  │   below 100x30 these stack
    └─────────────────────────────┘└ in place)  ──┘
     status: what the last key did
     keys

Keys that change only the view (``b`` base, ``<`` ``>`` sideways, ``i`` the in-place
editor, ``f`` the file list, clicks) stay here; everything else is a ``press`` or an
action of the review.

Only ``preview`` and ``mergetool`` import this module (a test in
tests/test_review_screen.py holds the other commands to that), so no other command pays
for Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from santamerge.ui.panes import CandidateView, FileView, ResultView, ThreeWay
from santamerge.ui.render import candidate_view, hunk_heading, shorten, side_title
from santamerge.ui.review import KEYS, Review, rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual import events

    from santamerge.merge.types import Side
    from santamerge.ui.review import FileResult, FileState, PreviewFile

WIDE = 120  # columns from which base is shown beside ours and theirs (b shows it anyway)
SMALL = (100, 30)  # below this width or height the panes stack
CONTEXT = 3  # rows shown above a hunk when the panes scroll to it
SIDEWAYS = 8  # columns one < or > scrolls
SLOTS = 9  # candidates shown (keys 1-9)
NAMES = {
    "right": "right",
    "left": "left",
    "question_mark": "?",
    "ctrl+c": "q",
    "escape": "escape",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "enter": "enter",
}
SCREEN_KEYS = ("b", "<", ">", "enter", "i", "f")  # keys the screen answers itself
SCREEN_HELP = (
    ("i", "edit the whole file in the result pane; Esc or Ctrl+S ends the edit"),
    ("f", "the list of files, to jump to one"),
    ("b", "show or hide base"),
    ("< >", "scroll the sides and the result sideways"),
    ("click", "a candidate: show it, again (or Enter): accept it; a side's line: pick it"),
)
KEY_BAR = (
    "1-9 accept (or click twice) · O/T/B take a side · click a line: pick it · "
    "i edit the file · e edit the hunk · k keep · u undo · n/p hunk · f files · "
    "Tab focus · < > sideways · b base · w write · q quit · ? help"
)
KEY_BAR_SHORT = (
    "1-9 accept · O/T/B side · i edit · u undo · n/p hunk · f files · "
    "b base · w write · q quit · ? help"
)


class ReviewApp(App[list["FileResult"]]):
    """Review ``files``; the app's return value is one result per file."""

    TITLE = "santamerge review"
    CSS = """
    Screen { layout: vertical; }
    #heading { height: 1; background: $boost; text-style: bold; padding: 0 1; }
    #heading.long { height: 2; }
    #titles { height: 1; padding: 0 0; }
    #sides { height: 45%; border: none; }
    #lower { height: 1fr; }
    .box { border: round $panel-lighten-2; height: 1fr; }
    .box:focus-within { border: round $accent; }
    #candidates { width: 3fr; padding: 0 0 0 1; }
    #result-box { width: 2fr; border-title-color: green; }
    #status { height: 3; padding: 0 1; }
    #editor { display: none; height: 1fr; }
    #files { display: none; height: auto; max-height: 12; border: round $accent; }
    #keys { height: 1; background: $boost; padding: 0 1; }
    Screen.narrow #keys { height: 2; }
    Screen.small #sides { height: 35%; }
    Screen.small #lower { layout: vertical; }
    Screen.small #candidates { width: 1fr; height: 1fr; }
    Screen.small #result-box { width: 1fr; height: 1fr; }
    Screen.small #status { height: 2; }
    """
    BINDINGS: ClassVar = [("ctrl+q", "press('q')", "quit")]

    def __init__(
        self, files: list[PreviewFile], edit: Callable[[str, str], str] | None = None
    ) -> None:
        super().__init__()
        self.review = Review(files, edit)
        self.custom_editor = edit is not None
        self.views: dict[int, FileView] = {}  # per file, built when first shown
        self.base_shown: bool | None = None  # None: shown when wide
        self.shown_candidate: int | None = None  # clicked once, shown in the result
        self.candidate_key: object = None
        self.result_placed: tuple[int, int, int, str] | None = None
        self.warmed: set[tuple[int, int]] = set()  # (view, hunk) highlighted ahead
        self.drawn: dict[str, object] = {}  # what each Static shows: unchanged, not redrawn

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield Static(id="titles")
        yield ThreeWay(id="sides")
        with Horizontal(id="lower"):
            with Vertical(id="candidates", classes="box"):
                yield CandidateView(id="candidate-list")
            with Vertical(id="result-box", classes="box"):
                yield ResultView(id="result")
                yield TextArea(id="editor", show_line_numbers=True)
        yield OptionList(id="files")
        with Vertical(id="status"):
            yield Static(id="message")
        yield Static(id="keys")

    def on_mount(self) -> None:
        self.query_one("#result", ResultView).focus()
        self.redraw()
        self.set_interval(0.05, self.warm_next)

    def warm_next(self) -> None:
        """While no key is pressed: highlight the sides around the next hunks of the file
        shown, one hunk per tick, so that moving to them draws without highlighting."""
        view = self.file_view()
        position = self.review.file.position
        for step in range(1, len(view.aligned.hunks)):
            hunk = (position + step) % len(view.aligned.hunks)
            if (id(view), hunk) not in self.warmed:
                self.warmed.add((id(view), hunk))
                view.warm(hunk)
                return

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def action_press(self, key: str) -> None:
        self.send(key)

    def on_key(self, event: events.Key) -> None:
        key = NAMES.get(event.key, event.character or event.key)
        if self.editing:
            if event.key in ("escape", "ctrl+s"):
                event.stop()
                self.finish_edit()
            return  # every other key is the editor's
        if self.query_one("#files", OptionList).display:
            if event.key == "escape":
                event.stop()
                self.close_files()
            return
        if key in ("up", "down", "pageup", "pagedown", "home", "end"):
            return  # scrolling: Textual's own, in the pane with the focus
        event.stop()
        if key in ("tab", "shift+tab"):
            self.review.press("tab")
            pane = "#sides" if self.review.focus_panes else "#result"
            self.query_one(pane).focus()
            self.redraw()
            return
        if key in SCREEN_KEYS:
            self.view_key(key)
            return
        self.send(key)

    def view_key(self, key: str) -> None:
        """Keys that change only the view, never the review."""
        if key == "b":
            self.base_shown = not self.base_columns_shown()
        elif key in "<>":
            step = -SIDEWAYS if key == "<" else SIDEWAYS
            for pane in (self.query_one("#sides", ThreeWay), self.query_one("#result", ResultView)):
                pane.scroll_to(x=max(0, pane.scroll_offset.x + step), animate=False)
            return
        elif key == "enter" and self.shown_candidate is not None:
            self.send(str(self.shown_candidate))
            return
        elif key == "i":
            self.start_edit()
            return
        elif key == "f":
            self.open_files()
            return
        self.redraw()

    # -- the in-place editor and the file list --------------------------------------------

    @property
    def editing(self) -> bool:
        return bool(self.query_one("#editor", TextArea).display)

    def start_edit(self) -> None:
        """The result pane becomes an editor of the whole file; Esc (or Ctrl+S) ends it
        and hands the text to the review."""
        state = self.review.file
        if reason := state.stale():
            self.review.say(f"{reason}; editing is refused", error=True)
            self.redraw()
            return
        editor = self.query_one("#editor", TextArea)
        language = state.file.proposal.language
        try:
            editor.language = language
        except Exception:  # no tree-sitter grammar in Textual for it: plain text
            editor.language = None
        editor.load_text(state.result())
        hunk_row = self.query_one("#result", ResultView).span[0]
        editor.move_cursor((hunk_row, 0), center=True)
        self.query_one("#result", ResultView).display = False
        editor.display = True
        editor.focus()
        self.query_one(
            "#result-box"
        ).border_title = (
            "editing the whole file: Esc (or Ctrl+S) ends and applies, u then undoes it"
        )

    def finish_edit(self) -> None:
        editor = self.query_one("#editor", TextArea)
        text = editor.text
        editor.display = False
        self.query_one("#result", ResultView).display = True
        self.query_one("#result", ResultView).focus()
        self.shown_candidate = None
        self.review.edit_file(text)
        self.redraw()

    def open_files(self) -> None:
        files = self.query_one("#files", OptionList)
        files.clear_options()
        for entry in self.review.file_list():
            mark = "❱" if entry.index == self.review.current else " "
            files.add_option(
                Option(
                    f"{mark} {entry.path}: {entry.hunks_left} of {entry.hunks} hunk(s) left · "
                    f"{self.review.would_write(entry.index)}",
                    id=str(entry.index),
                )
            )
        files.border_title = "files: Enter shows one, Esc goes back"
        files.display = True
        files.highlighted = self.review.current
        files.focus()

    def close_files(self) -> None:
        self.query_one("#files", OptionList).display = False
        pane = "#sides" if self.review.focus_panes else "#result"
        self.query_one(pane).focus()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self.close_files()
        self.shown_candidate = None
        self.review.jump(int(message.option.id or 0))
        self.redraw()

    def click_candidate(self, number: int) -> None:
        if self.shown_candidate == number:
            self.send(str(number))
            return
        self.shown_candidate = number
        self.review.say(
            f"candidate {number} shown in the result: click it again or press Enter to accept it"
        )
        self.redraw()

    def on_candidate_view_clicked(self, message: CandidateView.Clicked) -> None:
        self.click_candidate(message.number)

    def on_three_way_picked(self, message: ThreeWay.Picked) -> None:
        """A click on a side's line: take that line, where the review can."""
        review = self.review
        view = self.file_view()
        index = view.aligned.rows[message.row][("ours", "base", "theirs").index(message.side)]
        hunk = view.hunk_at(message.row)
        if hunk is None or index is None:
            return
        if hunk != review.file.position:
            review.file.position = hunk
            review.say(f"hunk {hunk + 1} of {len(review.file.hunks)}")
        else:
            start = view.aligned.rows[view.aligned.hunks[hunk][0] : message.row + 1]
            side = ("ours", "base", "theirs").index(message.side)
            review.pick_line(message.side, sum(1 for r in start if r[side] is not None) - 1)
        self.redraw()

    def send(self, key: str) -> None:
        self.shown_candidate = None
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

    def put(self, widget: str, content: Text | str) -> None:
        """Update Static ``widget`` only when what it shows changes (an update lays the
        screen out again)."""
        key = content.markup if isinstance(content, Text) else content
        if self.drawn.get(widget) != key:
            self.drawn[widget] = key
            self.query_one(widget, Static).update(content, layout=False)  # fixed heights

    def file_view(self) -> FileView:
        """The panes' view of the file shown (built once per text: a whole-file edit
        makes a new one)."""
        proposal = self.review.file.file.proposal
        view = self.views.get(id(proposal.parsed))
        if view is None or view.parsed is not proposal.parsed:
            view = self.views[id(proposal.parsed)] = FileView(proposal.parsed, proposal.language)
        return view

    def base_columns_shown(self) -> bool:
        if not self.file_view().aligned.has_base:
            return False
        return self.size.width >= WIDE if self.base_shown is None else self.base_shown

    def redraw(self) -> None:
        review = self.review
        state = review.file
        h = review.current_hunk
        view = self.file_view()
        small = self.size.width < SMALL[0] or self.size.height < SMALL[1]
        self.screen.set_class(small, "small")
        self.screen.set_class(self.size.width < 160, "narrow")
        width = max(20, self.size.width - 2)
        where = (
            hunk_heading(state.file.shown, state.file.proposal, h)
            if h is not None
            else f"{state.file.shown}: no conflict left"
        )
        heading = (
            f"{where} · {len(state.decisions)} of {len(state.hunks)} decided · "
            f"{review.would_write()}"
        )
        if len(review.files) > 1:
            heading += f" · file {review.current + 1} of {len(review.files)} (f lists them)"
        heading = shorten(heading, 2 * width)
        self.query_one("#heading").set_class(len(heading) > width, "long")
        self.put("#heading", heading)
        columns: tuple[Side, ...] = (
            ("ours", "base", "theirs") if self.base_columns_shown() else ("ours", "theirs")
        )
        sides = self.query_one("#sides", ThreeWay)
        position = state.position if h is not None else -1
        moved = view is not sides.view or position != sides.focus_hunk
        sides.show(view, columns, position)
        if moved and h is not None:
            sides.scroll_to(
                y=max(0, sides.hunk_row() - min(CONTEXT, sides.size.height // 4)), animate=False
            )
        self._titles(columns, sides)
        self._show_candidates(state)
        self._show_result(state, view)
        message = Text(review.message, style="bold red" if review.error else "green")
        if header := state.file.header:
            message = Text.assemble((header + "\n", "dim"), message)
        if reason := state.stale():
            message = Text.assemble((f"{reason}: you can look, but not write\n", "red"), message)
        self.put("#message", message)
        self.put("#keys", KEY_BAR if self.size.width >= 160 else KEY_BAR_SHORT)

    def _titles(self, columns: tuple[Side, ...], sides: ThreeWay) -> None:
        labels = self.review.file.file.record.labels
        width = sides.column_width(sides.inner_width or self.size.width)
        title = Text()
        hidden = "base" not in columns and sides.view is not None and sides.view.aligned.has_base
        for n, name in enumerate(columns):
            if n:
                title.append("│", style="grey50")
            cell = side_title(name, labels)
            if hidden and name == "theirs":
                cell.append("  (b shows base)", style="dim")
            cell.stylize("bold")
            cell.truncate(width - 1)
            cell.pad_right(width - cell.cell_len)
            title.append_text(cell)
        self.put("#titles", title)

    def _show_result(self, state: FileState, view: FileView) -> None:
        h = self.review.current_hunk
        choices = {i: d.text for i, d in state.decisions.items()}
        parsed = state.file.proposal.parsed
        pane = self.query_one("#result", ResultView)
        box = self.query_one("#result-box")
        if h is None:
            box.border_title = "result: edited, no conflict left"
            pane.show(state.result(), view.highlighter, (0, 0), "decided")
            return
        hunk = h.hunk
        how = "decided" if hunk.index in choices else "conflict"
        decision = state.decisions.get(hunk.index)
        title = f"result: {decision.how}" if decision else "result: conflict kept"
        if self.shown_candidate is not None:
            candidate = rows(h)[self.shown_candidate - 1]
            choices[hunk.index] = candidate.text
            how = "preview"
            title = f"result: candidate {self.shown_candidate} shown (Enter accepts)"
        text = parsed.splice(choices, default="markers")
        start = 0
        for chunk in parsed.chunks:
            if chunk is hunk:
                break
            piece = chunk if isinstance(chunk, str) else choices.get(chunk.index, chunk.render())
            start += piece.count("\n")
        length = max(1, choices.get(hunk.index, hunk.render()).count("\n"))
        box.border_title = title
        placed = (id(parsed), hunk.index, start, how)
        pane.show(text, view.highlighter, (start, start + length), how)
        if placed != self.result_placed:  # follow the hunk; leave a pane scrolled by hand
            self.result_placed = placed
            pane.scroll_to(y=max(0, start - min(CONTEXT, pane.size.height // 4)), animate=False)

    def _show_candidates(self, state: FileState) -> None:
        review = self.review
        h = review.current_hunk
        decision = state.decisions.get(h.hunk.index) if h is not None else None
        found = rows(h) if h is not None else []
        key = (
            id(state.file),
            state.position if h is not None else -1,
            hash(decision),
            review.help_shown,
        )
        parts: list[tuple[int | None, object]] = []
        if key != self.candidate_key:
            self.candidate_key = key
            if review.help_shown:
                parts += [(None, Text(f"{k:<8} {what}")) for k, what in KEYS]
                parts += [(None, Text(f"{k:<8} {what}")) for k, what in SCREEN_HELP]
                parts.append((None, Text("")))
            against = (
                ("vs the decided text", decision.text)
                if decision
                else ("vs ours", h.hunk.ours if h is not None else "")
            )
            for number, c in enumerate(found[:SLOTS], 1):
                assert h is not None
                parts.append((number, candidate_view(c, h, diffs=True, against=against)))
            if not found:
                parts.append(
                    (
                        None,
                        Text(
                            "no candidate: press e to edit the hunk, or i to edit the file",
                            style="yellow",
                        ),
                    )
                )
        self.query_one("#candidate-list", CandidateView).show(key, parts, self.shown_candidate)
        count = len(found)
        self.query_one("#candidates").border_title = (
            f"candidates ({count}), best first: 1-{min(count, 9)} accepts"
            if count
            else "candidates"
        )


def run_review(files: list[PreviewFile], **options: Any) -> list[FileResult]:
    """Run the full-screen review in this terminal; one result per file. NO_COLOR set
    (and not empty, as no-color.org has it, and rich reads it) makes it monochrome."""
    import os

    if os.environ.get("NO_COLOR") == "":  # Textual would read an empty one as set
        del os.environ["NO_COLOR"]
    app = ReviewApp(files)
    results = app.run(**options)
    return results if results is not None else app.review.results()

"""The review's code panes (Textual line API): ours, base and theirs aligned in one
scrolling view (so they always scroll together, by key or wheel), and the result.

Only the rows on the screen are drawn. Syntax highlighting is done in blocks of
``BLOCK`` lines, when a block is first shown, and kept by its text; a drawn row is kept
until the file, the hunk in focus, the width or the sideways scroll changes. So a key
redraws what it changed and nothing is highlighted twice.

Colour says what each side did (added, changed, removed, and the changed words inside
a line), and the gutter says it again with a marker (``+``, ``~``, ``-``), the changed
words are also bold and underlined, and the hunk in focus has ``❱``: it reads the same
with 256 colours or none (NO_COLOR).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from santamerge.merge.types import MARKER_ORDER, Side
from santamerge.ui.align import Aligned, Kind, align_merge, kind, lines_of, word_spans

if TYPE_CHECKING:
    from textual import events

    from santamerge.merge.types import ParsedMerge

BLOCK = 16  # lines highlighted at once
TAB = 4
# backgrounds: (in the hunk in focus, in another hunk)
BACKGROUNDS: dict[str, tuple[str, str]] = {
    "added": ("#1c4a28", "#142a1a"),
    "removed": ("#5a2020", "#2e1818"),
    "changed": ("#1d3d62", "#15243a"),
    "base": ("#4a3a12", "#28200e"),  # a base line a side changed
    "words": ("#3a6fb0", "#2a4a70"),  # the changed words of a changed line
    "decided": ("#1c4a28", "#1c4a28"),
    "conflict": ("#4a3a12", "#4a3a12"),
    "preview": ("#3a2d5c", "#3a2d5c"),
}
MARKS: dict[str, str] = {
    "added": "+",
    "removed": "-",
    "changed": "~",
    "base": "·",
    "same": " ",
    "none": " ",
}
PLAIN = Style()  # every segment has a style: Textual's NO_COLOR filter reads each one
SIDE_COLOURS: dict[Side, str] = {"ours": "cyan", "base": "magenta", "theirs": "yellow"}


class Highlighter:
    """Syntax-highlighted lines (rich's Syntax, the ansi_dark theme), a block at a time,
    kept by the block's text."""

    def __init__(self, language: str | None) -> None:
        self.syntax = (
            Syntax("", language, theme="ansi_dark", background_color="default")
            if language
            else None
        )
        self.blocks: dict[str, list[Text]] = {}

    def line(self, lines: list[str], index: int) -> Text:
        if self.syntax is None:
            return Text(lines[index])
        first = index - index % BLOCK
        block = lines[first : first + BLOCK]
        key = "\n".join(block)
        done = self.blocks.get(key)
        if done is None:
            if len(self.blocks) > 4096:
                self.blocks.clear()
            done = self.syntax.highlight(key).split("\n")[: len(block)]
            while len(done) < len(block):
                done.append(Text(""))
            self.blocks[key] = done
        return done[index - first]


def display(text: str) -> list[str]:
    return [line.expandtabs(TAB) for line in lines_of(text)]


class FileView:
    """What the panes need of one file, computed once: each side's lines, their
    alignment, and the highlighter."""

    def __init__(self, parsed: ParsedMerge, language: str | None) -> None:
        self.parsed = parsed
        self.aligned: Aligned = align_merge(parsed)
        names: tuple[Side, ...] = MARKER_ORDER if self.aligned.has_base else ("ours", "theirs")
        self.lines: dict[Side, list[str]] = {n: display(parsed.side(n)) for n in names}
        self.highlighter = Highlighter(language)
        self.starts = [start for start, _ in self.aligned.hunks]
        self.widest = max((len(line) for lines in self.lines.values() for line in lines), default=0)

    def warm(self, hunk: int, around: int = 48) -> None:
        """Highlight the lines of each side around hunk ``hunk`` now (the screen does it
        for the next hunks while it waits for a key), so that moving there is quick."""
        start, end = self.aligned.hunks[hunk]
        rows = self.aligned.rows[max(0, start - around // 2) : end + around]
        for side, lines in self.lines.items():
            found = [r[MARKER_ORDER.index(side)] for r in rows]
            present = [i for i in found if i is not None]
            for i in range(min(present, default=0), max(present, default=-1) + 1, BLOCK):
                self.highlighter.line(lines, i)

    def hunk_at(self, row: int) -> int | None:
        """The hunk (its position) that ``row`` belongs to, or None."""
        k = bisect_right(self.starts, row) - 1
        if k >= 0 and row < self.aligned.hunks[k][1]:
            return k
        return None

    def text(self, side: Side, index: int | None) -> str | None:
        return None if index is None else self.lines[side][index]

    def kinds(self, row: int) -> dict[Side, Kind | str]:
        """What each side did in ``row`` (outside a hunk: nothing)."""
        o, b, t = self.aligned.rows[row]
        if self.hunk_at(row) is None:
            return {"ours": "same", "base": "same", "theirs": "same"}
        ours, theirs = self.text("ours", o), self.text("theirs", t)
        if self.aligned.has_base:
            base = self.text("base", b)
            ko, kt = kind(ours, base, b is not None), kind(theirs, base, b is not None)
            kb = "none" if b is None else "same" if ko == kt == "same" else "base"
            return {"ours": ko, "base": kb, "theirs": kt}
        return {
            "ours": kind(ours, theirs, t is not None),
            "theirs": kind(theirs, ours, o is not None),
            "base": "none",
        }

    def reference(self, side: Side, row: int) -> str | None:
        """The line a changed line of ``side`` in ``row`` is compared with."""
        o, b, t = self.aligned.rows[row]
        if self.aligned.has_base:
            return self.text("base", b)
        return self.text("theirs", t) if side == "ours" else self.text("ours", o)


class _Inner:
    @property
    def inner_width(self) -> int:
        """Columns left for the rows: the width less a vertical scrollbar."""
        width: int = self.scrollable_content_region.width  # type: ignore[attr-defined]
        return width


def _code(text: Text, start: int, width: int, console: object) -> list[Segment]:
    """The columns ``start`` to ``start + width`` of ``text``; a line that goes on past
    them ends in ``›`` (< and > scroll sideways)."""
    segments = [Segment(s.text, s.style or PLAIN) for s in text.render(console, end="")]  # type: ignore[arg-type]
    if text.cell_len > start + width and width > 1:
        cut = Strip(segments).crop_extend(start, start + width - 1, PLAIN)
        return [*cut, Segment("›", Style(bold=True, color="grey70"))]
    return list(Strip(segments).crop_extend(start, start + width, PLAIN))


class ThreeWay(_Inner, ScrollView, can_focus=True):
    """Ours, base and theirs in aligned columns, one scroll for all."""

    DEFAULT_CSS = """
    ThreeWay { background: $surface; }
    """

    class Picked(Message):
        """A line of a side was clicked: ``row`` of the alignment, in ``side``."""

        def __init__(self, side: Side, row: int) -> None:
            super().__init__()
            self.side, self.row = side, row

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.view: FileView | None = None
        self.columns: tuple[Side, ...] = ("ours", "theirs")
        self.focus_hunk = 0
        self.rows_cache: dict[tuple[int, int, int], Strip] = {}
        self.colour = True

    def show(self, view: FileView, columns: tuple[Side, ...], focus_hunk: int) -> None:
        """Draw ``view``'s ``columns``, with hunk ``focus_hunk`` in focus."""
        if view is not self.view or columns != self.columns:
            self.rows_cache.clear()
        elif focus_hunk != self.focus_hunk:  # only the two hunks' rows change
            for k in (focus_hunk, self.focus_hunk):
                if 0 <= k < len(view.aligned.hunks):
                    start, end = view.aligned.hunks[k]
                    for key in [key for key in self.rows_cache if start <= key[0] < end]:
                        del self.rows_cache[key]
        self.view, self.columns, self.focus_hunk = view, columns, focus_hunk
        self._fit()
        self.refresh()

    def _fit(self) -> None:
        if self.view is None:
            return
        width = self.inner_width or 80
        overflow = max(0, self.view.widest - self.code_width(width))
        self.virtual_size = Size(width + overflow, len(self.view.aligned.rows))

    def on_resize(self, event: events.Resize) -> None:
        self.rows_cache.clear()
        self._fit()

    def number_width(self) -> int:
        assert self.view is not None
        return len(str(max(len(lines) for lines in self.view.lines.values()) or 1))

    def column_width(self, width: int) -> int:
        return max(8, (width - (len(self.columns) - 1)) // len(self.columns))

    def code_width(self, width: int) -> int:
        return max(1, self.column_width(width) - self.number_width() - 3)

    def hunk_row(self) -> int:
        assert self.view is not None
        return self.view.aligned.hunks[self.focus_hunk][0]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.inner_width
        if self.view is None or row >= len(self.view.aligned.rows):
            return Strip.blank(width, PLAIN)
        key = (row, scroll_x, width)
        strip = self.rows_cache.get(key)
        if strip is None:
            if len(self.rows_cache) > 2000:
                self.rows_cache.clear()
            strip = self._row(row, scroll_x, width)
            self.rows_cache[key] = strip
        return strip

    def _row(self, row: int, scroll_x: int, width: int) -> Strip:
        view = self.view
        assert view is not None
        console = self.app.console
        hunk = view.hunk_at(row)
        focused = hunk == self.focus_hunk
        shade = 0 if focused else 1
        kinds = view.kinds(row)
        numbers = self.number_width()
        colw = self.column_width(width)
        codew = self.code_width(width)
        parts: list[Segment] = []
        for n, side in enumerate(self.columns):
            if n:
                parts.append(Segment("│", Style(color="grey50")))
            index = view.aligned.rows[row][MARKER_ORDER.index(side)]
            what = kinds[side]
            back = BACKGROUNDS.get(str(what))
            bg = Style(bgcolor=back[shade]) if back and hunk is not None else Style()
            focus_mark = ("❱" if focused else "│") if hunk is not None else " "
            number = "" if index is None else str(index + 1)
            parts.append(Segment(focus_mark, Style(color=SIDE_COLOURS[side], bold=focused)))
            parts.append(Segment(f"{number:>{numbers}}", Style(dim=not focused, bold=focused) + bg))
            parts.append(Segment(MARKS.get(str(what), " ") + " ", Style(bold=True) + bg))
            if index is None:
                filler = "╌" * codew if what == "removed" else " " * codew
                parts.append(Segment(filler, Style(dim=True) + bg))
            else:
                text = view.highlighter.line(view.lines[side], index).copy()
                if what == "changed" and (other := view.reference(side, row)) is not None:
                    for a, b in word_spans(view.lines[side][index], other):
                        text.stylize(
                            Style(bgcolor=BACKGROUNDS["words"][shade], bold=True, underline=True),
                            a,
                            b,
                        )
                code = _code(text, scroll_x, codew, console)
                parts += [Segment(s.text, bg + (s.style or Style())) for s in code]
            used = 1 + numbers + 2 + codew
            if used < colw:
                parts.append(Segment(" " * (colw - used), PLAIN))
        return Strip(parts).crop_extend(0, width, PLAIN)

    def on_click(self, event: events.Click) -> None:
        if self.view is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        column = min(len(self.columns) - 1, offset.x // (self.column_width(self.inner_width) + 1))
        if row < len(self.view.aligned.rows):
            self.post_message(self.Picked(self.columns[column], row))


class ResultView(_Inner, ScrollView, can_focus=True):
    """The file as ``w`` would write it; the hunk in focus marked."""

    DEFAULT_CSS = """
    ResultView { background: $surface; }
    """
    STYLES: ClassVar[dict[str, str]] = {
        "decided": "decided",
        "conflict": "conflict",
        "preview": "preview",
    }

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.lines: list[str] = []
        self.highlighter = Highlighter(None)
        self.span = (0, 0)
        self.how = "conflict"
        self.widest = 0
        self.rows_cache: dict[tuple[int, int, int], Strip] = {}

    def show(self, text: str, highlighter: Highlighter, span: tuple[int, int], how: str) -> None:
        """Show ``text``; rows ``span`` (first, end) are the hunk in focus, ``how`` it
        stands: decided, conflict or preview."""
        lines = display(text)
        if lines != self.lines or highlighter is not self.highlighter:
            self.lines = lines
            self.widest = max(map(len, lines), default=0)
            self.rows_cache.clear()
        elif span != self.span or how != self.how:
            for key in [
                k
                for k in self.rows_cache
                if self.span[0] <= k[0] < self.span[1] or span[0] <= k[0] < span[1]
            ]:
                del self.rows_cache[key]
        self.highlighter, self.span, self.how = highlighter, span, how
        self._fit()
        self.refresh()

    def _fit(self) -> None:
        width = self.inner_width or 80
        gutter = len(str(len(self.lines) or 1)) + 3
        self.virtual_size = Size(max(width, self.widest + gutter), len(self.lines))

    def on_resize(self, event: events.Resize) -> None:
        self.rows_cache.clear()
        self._fit()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.inner_width
        if row >= len(self.lines):
            return Strip.blank(width, PLAIN)
        key = (row, scroll_x, width)
        strip = self.rows_cache.get(key)
        if strip is None:
            if len(self.rows_cache) > 2000:
                self.rows_cache.clear()
            strip = self._row(row, scroll_x, width)
            self.rows_cache[key] = strip
        return strip

    def _row(self, row: int, scroll_x: int, width: int) -> Strip:
        numbers = len(str(len(self.lines) or 1))
        inside = self.span[0] <= row < self.span[1]
        bg = Style(bgcolor=BACKGROUNDS[self.how][0]) if inside else Style()
        line = self.lines[row]
        marker = line.startswith(("<<<<<<<", "|||||||", "=======", ">>>>>>>"))
        text = self.highlighter.line(self.lines, row).copy()
        if marker:
            text.stylize(Style(bold=True))
        codew = max(1, width - numbers - 3)
        parts = [
            Segment("❱" if inside else " ", Style(color="green", bold=True)),
            Segment(f"{row + 1:>{numbers}}", Style(dim=not inside, bold=inside) + bg),
            Segment("! " if marker else "  ", Style(bold=True) + bg),
        ]
        parts += [
            Segment(s.text, bg + (s.style or Style())) if inside else s
            for s in _code(text, scroll_x, codew, self.app.console)
        ]
        return Strip(parts).crop_extend(0, width, PLAIN)


class CandidateView(_Inner, ScrollView, can_focus=True):
    """The candidates of the hunk in focus, rendered once per hunk, decision and width
    into rows (so that a key that moves to another hunk lays nothing out again). A
    click on a candidate's rows posts ``Clicked`` with its number."""

    DEFAULT_CSS = """
    CandidateView { background: $surface; }
    """

    class Clicked(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.parts: list[tuple[int | None, object]] = []
        self.key: object = None
        self.rows: list[Strip] = []
        self.owners: list[int | None] = []
        self.shown: int | None = None
        self.laid_out: tuple[object, int] | None = None

    def show(self, key: object, parts: list[tuple[int | None, object]], shown: int | None) -> None:
        """``parts``: (candidate number or None, a rich renderable), in order; ``key``
        says when they are the same as last time."""
        if key != self.key:
            self.key, self.parts = key, parts
            self.laid_out = None
            self.scroll_to(y=0, animate=False)
        if shown != self.shown:
            self.shown = shown
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        width = max(10, self.inner_width or 80)
        if self.laid_out == (self.key, width):
            return
        console = self.app.console
        options = console.options.update_width(width)
        rows: list[Strip] = []
        owners: list[int | None] = []
        for number, part in self.parts:
            for line in console.render_lines(part, options, pad=False):  # type: ignore[arg-type]
                rows.append(Strip([Segment(s.text, s.style or PLAIN) for s in line]))
                owners.append(number)
        self.rows, self.owners = rows, owners
        self.laid_out = (self.key, width)
        self.virtual_size = Size(width, len(rows))

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()

    def first_row(self, number: int) -> int:
        return self.owners.index(number)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.inner_width
        if row >= len(self.rows):
            return Strip.blank(width, PLAIN)
        strip = self.rows[row]
        if self.shown is not None and self.owners[row] == self.shown:
            strip = strip.apply_style(Style(bgcolor=BACKGROUNDS["preview"][0], bold=True))
        return strip.crop_extend(0, width, PLAIN)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        if row < len(self.owners) and (number := self.owners[row]) is not None:
            self.post_message(self.Clicked(number))

"""The interactive review of ``santamerge preview``: one hunk at a time, one key each.

Choices are kept in memory while a file is reviewed, and the file is written, once and
atomically, when the review moves past its last hunk: accepted and edited hunks take
their text, every other hunk keeps its markers exactly as read. ``q`` leaves at once and
writes nothing more, so the current file's choices are dropped. A file is written only
if it still holds the conflict markers that were shown (it may have changed elsewhere).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.merge.locate import has_markers

if TYPE_CHECKING:
    from rich.console import Console

    from santamerge.merge.policy import AutoApplyPolicy
    from santamerge.merge.sources import Note, PreviewSource
    from santamerge.merge.types import MergeProposal, Outcome, ParsedMerge
    from santamerge.ui.render import Row

KEYS = (
    ("1-9", "accept that candidate for this hunk, and go on"),
    ("e", "edit the hunk in $VISUAL / $EDITOR (default vi): the chosen candidate, or the "
          "hunk with its markers; an edit that leaves markers is refused"),
    ("s", "skip: this hunk keeps its conflict markers"),
    ("n, →", "next hunk (past the last one: write this file's choices)"),
    ("p, ←", "previous hunk"),
    ("q", "quit: this file's choices are dropped; files already left stay written"),
    ("?", "this help"),
)


class PreviewFile(NamedTuple):
    """One file to review: where to show and write it, its proposal, and its record."""

    shown: str  # the path as shown to the person
    target: str  # the file written when a choice is accepted
    proposal: MergeProposal
    record: dict[str, Any]  # santamerge.merge.record.proposal_record of the proposal
    outcome: Outcome | None = None  # what the policy would write


class Decision(NamedTuple):
    text: str
    how: str  # "candidate 1 (ours)", "edited"


class FileResult(NamedTuple):
    file: PreviewFile
    summary: str
    error: str | None = None


class EditorError(SantamergeError):
    """The editor could not be run, failed, or left text that is not UTF-8."""


def load_preview(source: PreviewSource, policy: AutoApplyPolicy, note: Note,
                 git_dir: str | None = None,
                 history: Callable[[str], Mapping[str, Any] | None] | None = None,
                 ) -> PreviewFile | None:
    """The file's proposal, or None (with a note) when it has nothing to review."""
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.record import proposal_record
    from santamerge.merge.sources import read_marked

    text = read_marked(source, note)
    if text is None:
        return None
    try:
        proposal, outcome, _ = run_pipeline(
            text, source.repo_path, None, policy=policy, git_dir=git_dir,
            history=history(source.repo_path) if history else None)
    except SantamergeError as exc:
        raise SantamergeError(f"{source.shown}: {exc}") from None
    labels = source.labels
    if labels is None and proposal.parsed.hunks:
        first = proposal.parsed.hunks[0]
        labels = (first.ours_label, first.base_label, first.theirs_label)
    record = proposal_record(proposal, outcome, labels)
    return PreviewFile(source.shown, source.target, proposal, record, outcome)


def review(files: list[PreviewFile], console: Console, read_key: Callable[[], str],
           edit: Callable[[str, str], str] | None = None) -> list[FileResult]:
    """Review ``files`` in order; return one result per file, reviewed or not."""
    session = _Session(console, read_key, edit or run_editor)
    results: list[FileResult] = []
    for number, file in enumerate(files, 1):
        if session.quit:
            results.append(FileResult(file, f"{file.shown}: unchanged (not reviewed)"))
            continue
        results.append(session.review_file(file, number, len(files)))
    return results


class _Session:
    def __init__(self, console: Console, read_key: Callable[[], str],
                 edit: Callable[[str, str], str]) -> None:
        self.console, self.read_key, self.edit = console, read_key, edit
        self.quit = False

    def say(self, message: str, style: str = "yellow") -> None:
        from rich.text import Text

        self.console.print(Text(message, style=style))

    def review_file(self, file: PreviewFile, number: int, total: int) -> FileResult:
        hunks = file.proposal.parsed.hunks
        decisions: dict[int, Decision] = {}
        position, show = 0, True
        while position < len(hunks):
            hunk = hunks[position]
            if show:
                self.show(file, number, total, position, decisions)
                show = False
            self.prompt(file, position)
            key = self.read_key()
            self.console.print(key if key.isprintable() else repr(key), markup=False)
            if key.isdigit() and key != "0":
                decision = self.accept(file, position, int(key))
                if decision is not None:
                    decisions[hunk.index] = decision
                    position, show = position + 1, True
            elif key == "e":
                decision = self.edit_hunk(file, position, decisions.get(hunk.index))
                if decision is not None:
                    decisions[hunk.index] = decision
                    position, show = position + 1, True
            elif key == "s":
                decisions.pop(hunk.index, None)
                position, show = position + 1, True
            elif key == "n":
                position, show = position + 1, True
            elif key == "p":
                if position == 0:
                    self.say("this is the first hunk of this file")
                else:
                    position, show = position - 1, True
            elif key == "q":
                self.quit = True
                dropped = f"; {len(decisions)} choice(s) dropped" if decisions else ""
                return FileResult(file, f"{file.shown}: unchanged (quit{dropped})")
            elif key == "?":
                self.help()
            else:
                self.say(f"no command for {key!r}; press ? for help")
        return self.finish(file, decisions)

    def show(self, file: PreviewFile, number: int, total: int, position: int,
             decisions: dict[int, Decision]) -> None:
        from santamerge.ui.render import hunk_heading, hunk_view

        proposal = file.proposal
        h = proposal.hunks[position]
        decided = decisions.get(h.hunk.index)
        self.console.clear()
        self.say(f"file {number} of {total}: {file.shown}; {len(decisions)} of "
                 f"{len(proposal.hunks)} hunk(s) decided, written when you leave the last "
                 "hunk", style="bold")
        if reason := stale(file):
            self.say(f"{reason}: you can look, but accepting is refused", style="red")
        heading = hunk_heading(proposal, h)
        self.console.print(hunk_view(proposal, h, file.record.get("labels"), heading,
                                     decision=(decided.how, decided.text) if decided else None))

    def prompt(self, file: PreviewFile, position: int) -> None:
        from rich.text import Text

        count = len(_rows(file, position))
        keys = "1" if count == 1 else f"1-{min(count, 9)}"
        self.console.print(Text(f"[{keys}] accept  e edit  s skip  n next  p previous  "
                                "q quit  ? help > ", style="bold"), end="")

    def help(self) -> None:
        for key, what in KEYS:
            self.say(f"  {key:<5} {what}", style="")

    def accept(self, file: PreviewFile, position: int, number: int) -> Decision | None:
        candidates = _rows(file, position)
        if number > len(candidates):
            self.say(f"there is no candidate {number}; this hunk has {len(candidates)}")
            return None
        if reason := stale(file):
            self.say(f"santamerge: {reason}; accepting is refused", style="red")
            return None
        c = candidates[number - 1]
        return Decision(c.text, f"candidate {number} ({c.method})")

    def edit_hunk(self, file: PreviewFile, position: int,
                  decided: Decision | None) -> Decision | None:
        if reason := stale(file):
            self.say(f"santamerge: {reason}; editing is refused", style="red")
            return None
        hunk = file.proposal.parsed.hunks[position]
        current = decided.text if decided else hunk.render()
        try:
            text = self.edit(current, os.path.splitext(file.target)[1])
        except EditorError as exc:
            self.say(f"santamerge: {exc}", style="red")
            return None
        if text == hunk.render():
            self.say("the hunk is unchanged and keeps its markers")
            return None
        if has_markers(text):
            self.say("the edited text still holds conflict markers, so the hunk is not "
                     "resolved: it keeps its markers (press e to edit it again)")
            return None
        if text and not text.endswith("\n") and hunk.close_marker.endswith("\n"):
            text += file.proposal.parsed.newline  # the next line must not join this one
        return Decision(text, "edited")

    def finish(self, file: PreviewFile, decisions: dict[int, Decision]) -> FileResult:
        total = len(file.proposal.parsed.hunks)
        if not decisions:
            return FileResult(file, f"{file.shown}: unchanged (no hunk accepted)")
        try:
            write_decisions(file, decisions)
        except SantamergeError as exc:
            return FileResult(file, f"{file.shown}: unchanged (nothing written)", str(exc))
        left = total - len(decisions)
        how = ", ".join(f"hunk {i + 1}: {d.how}" for i, d in sorted(decisions.items()))
        return FileResult(file, f"{file.shown}: wrote {len(decisions)} of {total} hunk(s) "
                                f"({how}); {left} keep their markers")


def _rows(file: PreviewFile, position: int) -> list[Row]:
    from santamerge.ui.render import rows

    return rows(file.proposal.hunks[position])


def stale(file: PreviewFile) -> str | None:
    """Why ``file.target`` may not be written now, or None when it still holds the shown
    conflict markers (the rest of the file may have changed)."""
    if current_merge(file) is None:
        return f"{file.shown} no longer holds the conflict markers shown here"
    return None


def current_merge(file: PreviewFile) -> ParsedMerge | None:
    """The target file as it is now, if its hunks are exactly the ones shown."""
    from santamerge.merge.locate import parse_conflicts

    shown = file.proposal.parsed
    try:
        with open(file.target, "rb") as fh:
            now = parse_conflicts(fh.read().decode("utf-8"), shown.marker_size)
    except (OSError, UnicodeDecodeError, SantamergeError):
        return None
    if [h.render() for h in now.hunks] != [h.render() for h in shown.hunks]:
        return None
    return now


def write_decisions(file: PreviewFile, decisions: dict[int, Decision]) -> None:
    """Write the decided hunks into the target, atomically; the others keep their markers."""
    from santamerge.files import write_atomically
    from santamerge.merge.apply import apply_choices
    from santamerge.merge.types import Candidate

    now = current_merge(file)
    if now is None:
        raise SantamergeError(f"{file.shown} no longer holds the conflict markers shown; "
                              "nothing was written to it")
    marked = [i + 1 for i, d in sorted(decisions.items()) if has_markers(d.text)]
    if marked:  # never write markers as a resolution (edits are refused before this)
        raise SantamergeError(f"{file.shown}: hunk(s) {marked} would be written with "
                              "conflict markers; nothing was written to it")
    choices = {i: Candidate(i, d.text, d.how) for i, d in decisions.items()}
    try:
        write_atomically(file.target, apply_choices(now, choices).text.encode("utf-8"))
    except OSError as exc:
        raise SantamergeError(f"could not write {file.shown} ({exc.strerror}); it is "
                              "unchanged") from None


def run_editor(text: str, suffix: str = "") -> str:
    """Open ``text`` in $VISUAL, else $EDITOR, else vi; return what the editor left."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise EditorError(f"cannot split the editor command {editor!r}: {exc}") from None
    fd, name = tempfile.mkstemp(prefix="santamerge-hunk-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        try:
            proc = subprocess.run([*command, name], check=False)
        except OSError as exc:
            raise EditorError(f"could not run the editor {editor!r} ({exc.strerror}); set "
                              "VISUAL or EDITOR") from None
        if proc.returncode != 0:
            raise EditorError(f"the editor {editor!r} exited with status {proc.returncode}; "
                              "the hunk is unchanged")
        with open(name, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditorError("the edited text is not UTF-8; the hunk is unchanged") from None


_ESCAPES = {"\x1b[C": "n", "\x1b[D": "p", "\x1bOC": "n", "\x1bOD": "p"}
_QUIT = {"", "\x03", "\x04"}  # end of input, Ctrl-C and Ctrl-D (raw mode sends no signal)


def terminal_key_reader(fd: int) -> Callable[[], str]:
    """Read one key press from the terminal ``fd``, without Enter (raw mode while it
    waits, restored in any case). Arrow keys read as n and p; Ctrl-C, Ctrl-D and the
    end of input as q."""
    try:
        import termios
        import tty
    except ImportError:  # no termios (Windows): one line at a time
        return _line_reader

    def read() -> str:
        import select

        saved = termios.tcgetattr(fd)
        try:
            tty.setraw(fd, termios.TCSANOW)  # keep keys typed ahead
            data = os.read(fd, 1)
            if data == b"\x1b":
                while select.select([fd], [], [], 0.05)[0]:
                    data += os.read(fd, 8)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        return _key(data.decode("utf-8", errors="replace"))

    return read


def _line_reader() -> str:
    line = sys.stdin.readline()
    return _key(line.strip()[:1] if line else "")


def _key(key: str) -> str:
    if key in _QUIT:
        return "q"
    return _ESCAPES.get(key, key[:1] if not key.startswith("\x1b") else key)

"""The review behind ``santamerge preview``, ``santamerge mergetool`` and the review of
merge-driver attempts: which hunks are decided, how, and what is on disk.

It is the whole review without a screen. Each key a person presses is one call of
``Review.press``; the full-screen view (santamerge.ui.tui) draws this state and sends it
the keys, and tests send them directly. Nothing here imports rich or Textual.

Decisions are kept in memory until ``w`` writes the current file, once and atomically:
decided hunks take their text, every other hunk keeps git's conflict markers. A file is
written only while it holds what was shown: the same conflict hunks (a diff3 file, the
rest of it may have changed), or exactly the bytes read or last written (a file whose
conflict was rebuilt from the index, a merge-driver attempt, git mergetool's file).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.merge.locate import has_markers

if TYPE_CHECKING:
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.record import ProposalRecord
    from santamerge.merge.types import HunkProposal, MergeProposal, Outcome, ParsedMerge
    from santamerge.merge.workspace.sources import Note, PreviewSource

KEYS = (
    ("1-9", "accept that candidate for this hunk, and go on to the next"),
    ("e", "edit the hunk in $VISUAL / $EDITOR (default vi): the decided text, or the hunk "
          "with its markers; an edit that leaves markers is refused"),
    ("k", "keep the conflict: this hunk keeps git's markers (a hunk the merge driver wrote "
          "goes back to git's conflict)"),
    ("u", "undo this file's last decision"),
    ("n, →", "next hunk (past the last: the next file)"),
    ("p, ←", "previous hunk"),
    ("w", "write this file: decided hunks take their text, the others keep their markers"),
    ("q", "quit (asks first when decisions are not written)"),
    ("?", "this help"),
)
DIGITS = "123456789"


class Decision(NamedTuple):
    text: str
    how: str  # "candidate 1 (ours)", "edited", "the merge driver (structured:union)"


class PreviewFile(NamedTuple):
    """One file to review: where to show and write it, its proposal, and its record."""

    shown: str  # the path as shown to the person
    target: str  # the file written when a choice is accepted
    proposal: MergeProposal
    record: ProposalRecord  # the proposal's record (santamerge.merge.record)
    outcome: Outcome | None = None  # what the policy would write
    written: Mapping[int, Decision] = {}  # hunks the target already holds resolved (an attempt)
    expected: bytes | None = None  # the target must hold exactly these bytes to be written;
    # None: it must hold the conflict hunks shown
    reconflict: Callable[[], str | None] | None = None  # after writing markers back into a
    # file git has staged as merged: make git list it as conflicted again; says what it did
    header: str | None = None  # a line shown above the file (an attempt's name)


class FileResult(NamedTuple):
    file: PreviewFile
    summary: str
    clean: bool = False  # the file on disk holds no conflict markers


class EditorError(SantamergeError):
    """The editor could not be run, failed, or left text that is not UTF-8."""


def load_preview(source: PreviewSource, policy: AutoApplyPolicy, note: Note,
                 git_dir: str | None = None,
                 history: Callable[[str], Mapping[str, Any] | None] | None = None,
                 ) -> PreviewFile | None:
    """The file's proposal, or None (with a note) when it has nothing to review."""
    from santamerge.merge.record import proposal_record
    from santamerge.merge.workspace.sources import propose_text, read_marked

    text = source.text if source.text is not None else read_marked(source, note)
    if text is None:
        return None
    try:
        proposal, outcome, _ = propose_text(
            text, source.repo_path, source.marker_size, policy, git_dir=git_dir,
            facts=history(source.repo_path) if history else None, sides=source.sides)
    except SantamergeError as exc:
        raise SantamergeError(f"{source.shown}: {exc}") from None
    labels = source.labels
    if labels is None and proposal.parsed.hunks:
        first = proposal.parsed.hunks[0]
        labels = (first.ours_label, first.base_label, first.theirs_label)
    record = proposal_record(proposal, outcome, labels)
    written = {}
    if source.written:
        written = {i: Decision(text, f"the merge driver ({how})")
                   for i, (text, how) in source.written.items()}
    return PreviewFile(source.shown, source.target, proposal, record, outcome, written,
                       source.expected, source.reconflict, source.header)


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


# -- the state of one file --------------------------------------------------------------


class FileState:
    """One file under review: its decisions, what its target holds, and an undo list."""

    def __init__(self, file: PreviewFile) -> None:
        self.file = file
        self.on_disk: dict[int, Decision] = dict(file.written)
        self.decisions: dict[int, Decision] = dict(file.written)
        self.undo_list: list[tuple[int, Decision | None]] = []
        self.position = 0
        self.expected = file.expected
        self.wrote = 0  # times written

    @property
    def hunks(self) -> tuple[HunkProposal, ...]:
        return self.file.proposal.hunks

    @property
    def pending(self) -> bool:
        """Decisions not yet written."""
        return self.decisions != self.on_disk

    def decide(self, index: int, decision: Decision | None) -> None:
        before = self.decisions.get(index)
        if before == decision:
            return
        self.undo_list.append((index, before))
        if decision is None:
            self.decisions.pop(index)
        else:
            self.decisions[index] = decision

    def undo(self) -> int | None:
        """Take back the last decision; the hunk it was about, or None."""
        if not self.undo_list:
            return None
        index, before = self.undo_list.pop()
        if before is None:
            self.decisions.pop(index, None)
        else:
            self.decisions[index] = before
        return index

    def result(self) -> str:
        """The file as ``w`` would write it (decided hunks with their text)."""
        return self.file.proposal.parsed.splice(
            {i: d.text for i, d in self.decisions.items()}, default="markers")

    def stale(self) -> str | None:
        """Why the target may not be written now, or None."""
        if self.expected is not None:
            try:
                with open(self.file.target, "rb") as fh:
                    now = fh.read()
            except OSError as exc:
                return f"{self.file.shown} cannot be read ({exc.strerror})"
            if now != self.expected:
                what = "was written" if self.wrote else "was read"
                return f"{self.file.shown} changed since it {what} here"
            return None
        if current_merge(self.file) is None:
            return f"{self.file.shown} no longer holds the conflict markers shown here"
        return None

    def write(self) -> str:
        """Write the decisions; what was done, in words. A SantamergeError when nothing
        could be written."""
        from santamerge.files import write_atomically

        if reason := self.stale():
            raise SantamergeError(f"{reason}; nothing was written to it")
        marked = [i + 1 for i, d in sorted(self.decisions.items()) if has_markers(d.text)]
        if marked:  # never write markers as a resolution (edits are refused before this)
            raise SantamergeError(f"{self.file.shown}: hunk(s) {marked} would be written "
                                  "with conflict markers; nothing was written to it")
        parsed = self.file.proposal.parsed if self.expected is not None \
            else current_merge(self.file)
        assert parsed is not None  # not stale
        text = parsed.splice({i: d.text for i, d in self.decisions.items()},
                             default="markers")
        data = text.encode("utf-8")
        try:
            write_atomically(self.file.target, data)
        except OSError as exc:
            raise SantamergeError(f"could not write {self.file.shown} ({exc.strerror}); it "
                                  "is unchanged") from None
        self.expected, self.on_disk = data, dict(self.decisions)
        self.wrote += 1
        left = len(self.hunks) - len(self.decisions)
        said = f"wrote {self.file.shown}: {len(self.decisions)} of {len(self.hunks)} " \
               f"hunk(s) resolved, {left} keep their markers"
        if left and self.file.reconflict is not None and (done := self.file.reconflict()):
            said += f"; {done}"
        return said

    def summary(self) -> FileResult:
        shown = self.file.shown
        total = len(self.hunks)
        left = total - len(self.on_disk)
        if not self.wrote:
            dropped = f"; {len(self.decisions)} decision(s) not written" if self.pending \
                else ""
            return FileResult(self.file, f"{shown}: unchanged{dropped}",
                              clean=left == 0 or not self._marked_on_disk())
        how = ", ".join(f"hunk {i + 1}: {d.how}" for i, d in sorted(self.on_disk.items()))
        dropped = "; later decisions not written" if self.pending else ""
        return FileResult(self.file, f"{shown}: wrote {len(self.on_disk)} of {total} "
                                     f"hunk(s) ({how or 'none'}); {left} keep their "
                                     f"markers{dropped}", clean=left == 0)


    def _marked_on_disk(self) -> bool:
        """Whether the target holds conflict markers now (a file resolved by hand since
        it was read holds none); True when it cannot be read."""
        try:
            with open(self.file.target, "rb") as fh:
                return has_markers(fh.read().decode("utf-8", "replace"))
        except OSError:
            return True


# -- the review -------------------------------------------------------------------------


class Review:
    """Every file under review, the one shown, and what the last key did."""

    def __init__(self, files: list[PreviewFile],
                 edit: Callable[[str, str], str] | None = None) -> None:
        if not files or not all(f.proposal.hunks for f in files):
            raise ValueError("every file under review needs a conflict hunk")
        self.files = [FileState(f) for f in files]
        self.current = 0
        self.edit = edit or run_editor
        self.message = ""  # what the last key did, in words
        self.error = False  # the message reports a refusal
        self.asking_quit = False
        self.done = False
        self.help_shown = False

    @property
    def file(self) -> FileState:
        return self.files[self.current]

    @property
    def hunk(self) -> HunkProposal:
        return self.file.hunks[self.file.position]

    def unwritten(self) -> list[FileState]:
        return [f for f in self.files if f.pending]

    def say(self, message: str, error: bool = False) -> None:
        self.message, self.error = message, error

    def press(self, key: str) -> None:
        """Do what ``key`` means (see KEYS); ``self.message`` says what happened."""
        self.say("")
        if self.asking_quit:
            self._answer_quit(key)
            return
        self.help_shown = key == "?"
        action = {"e": self._edit, "k": self._keep, "s": self._keep, "u": self._undo,
                  "n": self._next, "right": self._next, "p": self._previous,
                  "left": self._previous, "w": self._write, "q": self._quit,
                  "?": lambda: None}.get(key)
        if key in DIGITS:
            self._accept(int(key))
        elif action is not None:
            action()
        else:
            self.say(f"no command for {key!r}; press ? for help", error=True)

    # -- the keys -------------------------------------------------------------------

    def _accept(self, number: int) -> None:
        candidates = rows(self.hunk)
        if number > len(candidates):
            self.say(f"there is no candidate {number}; this hunk has {len(candidates)}",
                     error=True)
            return
        if reason := self.file.stale():
            self.say(f"{reason}; accepting is refused", error=True)
            return
        c = candidates[number - 1]
        self.file.decide(self.hunk.hunk.index, Decision(c.text, f"candidate {number} "
                                                                 f"({c.method})"))
        self.say(f"hunk {self.file.position + 1}: candidate {number} ({c.method}) accepted; "
                 "w writes the file")
        self._next(quiet=True)

    def _edit(self) -> None:
        if reason := self.file.stale():
            self.say(f"{reason}; editing is refused", error=True)
            return
        hunk = self.hunk.hunk
        decided = self.file.decisions.get(hunk.index)
        current = decided.text if decided else hunk.render()
        try:
            text = self.edit(current, os.path.splitext(self.file.file.target)[1])
        except EditorError as exc:
            self.say(str(exc), error=True)
            return
        if text == current:
            self.say("the hunk is unchanged")
            return
        if has_markers(text):
            self.say("the edited text still holds conflict markers, so the hunk is not "
                     "resolved: nothing changed (press e to edit it again)", error=True)
            return
        newline = self.file.file.proposal.parsed.newline
        if text and not text.endswith("\n") and hunk.close_marker.endswith("\n"):
            text += newline  # the next line must not join this one
        self.file.decide(hunk.index, Decision(text, "edited"))
        self.say(f"hunk {self.file.position + 1}: edited; w writes the file")
        self._next(quiet=True)

    def _keep(self) -> None:
        index = self.hunk.hunk.index
        if index not in self.file.decisions:
            self.say(f"hunk {self.file.position + 1} keeps its conflict")
        else:
            self.file.decide(index, None)
            self.say(f"hunk {self.file.position + 1}: back to git's conflict; w writes "
                     "the file")

    def _undo(self) -> None:
        index = self.file.undo()
        if index is None:
            self.say("nothing to undo in this file", error=True)
            return
        self.file.position = next(p for p, h in enumerate(self.file.hunks)
                                  if h.hunk.index == index)
        decided = self.file.decisions.get(index)
        self.say(f"hunk {self.file.position + 1}: undone; now "
                 + (decided.how if decided else "the conflict"))

    def _next(self, quiet: bool = False) -> None:
        if self.file.position + 1 < len(self.file.hunks):
            self.file.position += 1
        elif self.current + 1 < len(self.files):
            self.current += 1
            self.file.position = 0
        elif not quiet:
            left = f"; {len(self.unwritten())} file(s) not written (w)" if self.unwritten() \
                else ""
            self.say(f"this is the last hunk{left}; q quits")

    def _previous(self) -> None:
        if self.file.position > 0:
            self.file.position -= 1
        elif self.current > 0:
            self.current -= 1
            self.file.position = len(self.file.hunks) - 1
        else:
            self.say("this is the first hunk")

    def _write(self) -> None:
        if not self.file.pending and self.file.wrote:
            self.say(f"{self.file.file.shown}: nothing new to write")
            return
        if not self.file.pending:
            self.say(f"{self.file.file.shown}: no decision to write (accept a candidate "
                     "first)")
            return
        try:
            self.say(self.file.write())
        except SantamergeError as exc:
            self.say(str(exc), error=True)

    def _quit(self) -> None:
        unwritten = self.unwritten()
        if not unwritten:
            self.done = True
            return
        self.asking_quit = True
        names = ", ".join(f.file.shown for f in unwritten[:3])
        self.say(f"not written: {names}{' ...' if len(unwritten) > 3 else ''}. "
                 "w writes them and quits, q quits without writing, any other key goes back",
                 error=True)

    def _answer_quit(self, key: str) -> None:
        self.asking_quit = False
        if key == "q":
            self.done = True
        elif key == "w":
            errors = []
            for state in self.unwritten():
                try:
                    state.write()
                except SantamergeError as exc:
                    errors.append(str(exc))
            if errors:
                self.say(errors[0], error=True)
            else:
                self.done = True
        else:
            self.say("not quitting")

    def results(self) -> list[FileResult]:
        return [f.summary() for f in self.files]


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

"""The review behind ``santamerge preview``, ``santamerge mergetool`` and the review of
merge-driver attempts: which hunks are decided, how, and what is on disk.

It is the whole review without a screen. Each key a person presses is one call of
``Review.press``; the full-screen view (santamerge.ui.tui) draws this state and sends it
the keys, and tests send them directly. Nothing here imports rich or Textual.

Decisions are kept in memory until ``w`` writes the current file, once and atomically:
decided hunks take their text, every other hunk keeps git's conflict markers. A file is
written only while it holds what was shown: the same conflict hunks (a diff3 file, the
rest of it may have changed), or exactly the bytes read or last written (a file whose
conflict was rebuilt from the index, a merge-driver attempt, git mergetool's file, and
any file once its whole text was edited here).

Besides a hunk's candidates and its editor, a whole side can be taken for the file
(``take_side``), lines picked from the sides into a hunk (``pick_line``), and the whole
file edited (``edit_file``: the conflict markers left in it are its hunks from then on).
``u`` undoes each of them, one file's actions in turn.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge.errors import MarkerError, SantamergeError
from santamerge.merge.locate import has_markers
from santamerge.merge.types import Side

if TYPE_CHECKING:
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.record import ProposalRecord
    from santamerge.merge.types import (
        ConflictHunk,
        HunkProposal,
        MergeProposal,
        Outcome,
        ParsedMerge,
    )
    from santamerge.merge.workspace.sources import Note, PreviewSource

KEYS = (
    ("1-9", "accept that candidate for this hunk, and go on to the next"),
    (
        "e",
        "edit the hunk in $VISUAL / $EDITOR (default vi): the decided text, or the hunk "
        "with its markers; an edit that leaves markers is refused",
    ),
    (
        "k",
        "keep the conflict: this hunk keeps git's markers (a hunk the merge driver wrote "
        "goes back to git's conflict)",
    ),
    (
        "O, T, B",
        "take ours, theirs or base for every hunk of this file (git's merge kept "
        "outside the hunks; B only where the hunks have a base)",
    ),
    ("u", "undo this file's last action: a decision, a side taken, a line picked, an edit"),
    ("n, →", "next hunk (past the last: the next file)"),
    ("p, ←", "previous hunk"),
    ("w", "write this file: decided hunks take their text, the others keep their markers"),
    ("q", "quit (asks first when decisions are not written)"),
    (
        "Tab",
        "move the focus between the result and the sides (↑ ↓ PgUp PgDn scroll the sides together)",
    ),
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


def load_preview(
    source: PreviewSource,
    policy: AutoApplyPolicy,
    note: Note,
    git_dir: str | None = None,
    history: Callable[[str], Mapping[str, Any] | None] | None = None,
) -> PreviewFile | None:
    """The file's proposal, or None (with a note) when it has nothing to review."""
    from santamerge.merge.record import proposal_record
    from santamerge.merge.workspace.sources import at_lines, propose_text, read_marked

    text = source.text if source.text is not None else read_marked(source, note)
    if text is None:
        return None
    try:
        merged = propose_text(
            text,
            source.repo_path,
            source.marker_size,
            policy,
            git_dir=git_dir,
            facts=history(source.repo_path) if history else None,
            sides=source.sides,
        )
        if source.lines is not None:  # base sections inserted: number hunks as the file
            merged = at_lines(merged, source.lines)
        proposal, outcome, _ = merged
    except SantamergeError as exc:
        raise SantamergeError(f"{source.shown}: {exc}") from None
    labels = source.labels
    if labels is None and proposal.parsed.hunks:
        first = proposal.parsed.hunks[0]
        labels = (first.ours_label, first.base_label, first.theirs_label)
    record = proposal_record(proposal, outcome, labels)
    written = {}
    if source.written:
        written = {
            i: Decision(text, f"the merge driver ({how})")
            for i, (text, how) in source.written.items()
        }
    return PreviewFile(
        source.shown,
        source.target,
        proposal,
        record,
        outcome,
        written,
        source.expected,
        source.reconflict,
        source.header,
    )


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
        return [
            Row(
                rank,
                s.candidate.method,
                s.candidate.text,
                s.score,
                s.keeps_ours,
                s.keeps_theirs,
                s.reasons,
                s.rejected,
            )
            for rank, s in enumerate(h.ranked, 1)
        ]
    return [
        Row(
            None,
            c.method,
            c.text,
            None,
            None,
            None,
            (c.note,) if c.note else (),
            h.gated.get(c.key, ()),
        )
        for c in h.candidates
    ]


# -- the state of one file --------------------------------------------------------------

Pick = tuple[Side, int]  # a line picked into a hunk's result: its side, and its line there
# (0-based, in that side of the hunk)
LINES_PICKED = "lines picked"  # how a hunk decided by picking lines is decided


class Step(NamedTuple):
    """One undoable action: what it was, and the file's state before it."""

    what: str | None  # in words, for a whole-file action; None: one hunk's decision
    file: PreviewFile
    decisions: dict[int, Decision]
    picks: dict[int, tuple[Pick, ...]]
    edited: bool
    position: int  # the hunk shown when it was done


class FileEntry(NamedTuple):
    """One line of the list of files to jump to (``Review.file_list``)."""

    index: int  # type: ignore[assignment]  # for Review.jump (shadows tuple.index)
    path: str  # as shown
    hunks: int  # conflict hunks in the result now
    hunks_left: int  # of those, the ones that keep git's markers (undecided)
    decided: int
    pending: bool  # decisions or an edit that w has not written
    written: bool  # w wrote the file in this review


class FileState:
    """One file under review: its decisions, what its target holds, and an undo list.

    ``file`` is the file as it is being decided: after ``edit_file`` its proposal holds
    the edited text, whose hunks are the conflict markers left in it (``original`` is the
    file as it was loaded). ``decisions`` maps a hunk's index to its decision, ``picks``
    the lines picked into a hunk decided by picking lines, in the order picked.
    """

    def __init__(self, file: PreviewFile) -> None:
        self.file = file
        self.original = file
        self.on_disk: dict[int, Decision] = dict(file.written)
        self.on_disk_file = file  # the file whose hunks the decisions on disk are about
        self.on_disk_edited = False
        self.decisions: dict[int, Decision] = dict(file.written)
        self.picks: dict[int, tuple[Pick, ...]] = {}
        self.edited = False  # the whole file was edited here (edit_file)
        self.undo_list: list[Step] = []
        self.position = 0
        self.expected = file.expected
        self.wrote = 0  # times written

    @property
    def hunks(self) -> tuple[HunkProposal, ...]:
        return self.file.proposal.hunks

    @property
    def pending(self) -> bool:
        """Decisions, or an edit of the whole file, not yet written."""
        return self.file is not self.on_disk_file or self.decisions != self.on_disk

    def _save(self, what: str | None) -> None:
        self.undo_list.append(
            Step(
                what, self.file, dict(self.decisions), dict(self.picks), self.edited, self.position
            )
        )

    def decide(self, index: int, decision: Decision | None, picks: tuple[Pick, ...] = ()) -> bool:
        """Decide hunk ``index`` (None: back to its conflict), as one undoable step;
        False when that changes nothing."""
        if self.decisions.get(index) == decision and self.picks.get(index, ()) == picks:
            return False
        self._save(None)
        if decision is None:
            self.decisions.pop(index, None)
        else:
            self.decisions[index] = decision
        if picks:
            self.picks[index] = picks
        else:
            self.picks.pop(index, None)
        return True

    def decide_all(self, decisions: dict[int, Decision], what: str) -> bool:
        """Replace every decision by ``decisions``, as one undoable step called ``what``;
        False when that changes nothing."""
        if decisions == self.decisions and not self.picks:
            return False
        self._save(what)
        self.decisions, self.picks = dict(decisions), {}
        return True

    def replace(self, file: PreviewFile, what: str) -> None:
        """Go on with ``file`` (an edited text and its hunks), every hunk undecided, as one
        undoable step called ``what``."""
        self._save(what)
        self.file, self.decisions, self.picks, self.edited = file, {}, {}, True
        self.position = 0

    def undo(self) -> Step | None:
        """Take back the last action (the state before it is restored, and the hunk it
        was about shown); that action, or None when there is none."""
        if not self.undo_list:
            return None
        step = self.undo_list.pop()
        self.file, self.decisions, self.picks = step.file, dict(step.decisions), dict(step.picks)
        self.edited, self.position = step.edited, step.position
        return step

    def picked(self, index: int) -> tuple[Pick, ...]:
        """The lines picked into hunk ``index``, in the order picked (empty unless it is
        decided by picking lines)."""
        return self.picks.get(index, ())

    def result(self) -> str:
        """The file as ``w`` would write it (decided hunks with their text)."""
        return self.file.proposal.parsed.splice(
            {i: d.text for i, d in self.decisions.items()}, default="markers"
        )

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

    def pin(self) -> str | None:
        """Before the whole file is replaced: make ``w`` write only while the target holds
        exactly the bytes it holds now, which must be the file shown here (a diff3 file
        may otherwise have changed outside its hunks, and a whole new text would write
        over that). Why not, or None."""
        if reason := self.stale():
            return reason
        if self.expected is not None:
            return None
        try:
            with open(self.file.target, "rb") as fh:
                now = fh.read()
        except OSError as exc:
            return f"{self.file.shown} cannot be read ({exc.strerror})"
        if now != self.file.proposal.parsed.splice({}, default="markers").encode("utf-8"):
            return f"{self.file.shown} changed since it was read here"
        self.expected = now
        return None

    def would_write(self) -> str:
        """What ``w`` would do now, in words."""
        if reason := self.stale():
            return f"w writes nothing: {reason}"
        if not self.pending:
            return "nothing new to write (written)" if self.wrote else "nothing to write"
        total, decided = len(self.hunks), len(self.decisions)
        left = total - decided
        kept = (
            f"{left} stay conflicts"
            if left > 1
            else "1 stays a conflict"
            if left
            else "no conflict left"
        )
        if self.edited:
            counts = f"{decided} of {total} hunks left in it decided; {kept}" if total else kept
            return f"w writes the file as edited here; {counts}"
        return f"w writes {decided} of {total} hunks decided; {kept}"

    def write(self) -> str:
        """Write the decisions; what was done, in words. A SantamergeError when nothing
        could be written."""
        from santamerge.files import write_atomically

        if reason := self.stale():
            raise SantamergeError(f"{reason}; nothing was written to it")
        marked = [i + 1 for i, d in sorted(self.decisions.items()) if has_markers(d.text)]
        if marked:  # never write markers as a resolution (edits are refused before this)
            raise SantamergeError(
                f"{self.file.shown}: hunk(s) {marked} would be written "
                "with conflict markers; nothing was written to it"
            )
        parsed = (
            self.file.proposal.parsed if self.expected is not None else current_merge(self.file)
        )
        assert parsed is not None  # not stale
        text = parsed.splice({i: d.text for i, d in self.decisions.items()}, default="markers")
        data = text.encode("utf-8")
        try:
            write_atomically(self.file.target, data)
        except OSError as exc:
            raise SantamergeError(
                f"could not write {self.file.shown} ({exc.strerror}); it is unchanged"
            ) from None
        self.expected, self.on_disk = data, dict(self.decisions)
        self.on_disk_file, self.on_disk_edited = self.file, self.edited
        self.wrote += 1
        left = len(self.hunks) - len(self.decisions)
        counts = (
            f"{len(self.decisions)} of {len(self.hunks)} hunk(s) resolved, {left} "
            "keep their markers"
            if self.hunks
            else "no conflict left"
        )
        said = f"wrote {self.file.shown}{' as edited here' if self.edited else ''}: {counts}"
        if left and self.file.reconflict is not None and (done := self.file.reconflict()):
            said += f"; {done}"
        return said

    def summary(self) -> FileResult:
        shown = self.file.shown
        total = len(self.on_disk_file.proposal.hunks)
        left = total - len(self.on_disk)
        if not self.wrote:
            dropped = (
                ""
                if not self.pending
                else "; the edit of the whole file not written"
                if self.edited
                else f"; {len(self.decisions)} decision(s) not written"
            )
            return FileResult(
                self.file,
                f"{shown}: unchanged{dropped}",
                clean=left == 0 or not self._marked_on_disk(),
            )
        how = ", ".join(f"hunk {i + 1}: {d.how}" for i, d in sorted(self.on_disk.items()))
        dropped = "; later decisions not written" if self.pending else ""
        if self.on_disk_edited:
            return FileResult(
                self.file,
                f"{shown}: wrote the file as edited here, "
                f"{len(self.on_disk)} of {total} hunk(s) left in it "
                f"decided ({how or 'none'}); {left} keep their "
                f"markers{dropped}",
                clean=left == 0,
            )
        return FileResult(
            self.file,
            f"{shown}: wrote {len(self.on_disk)} of {total} "
            f"hunk(s) ({how or 'none'}); {left} keep their "
            f"markers{dropped}",
            clean=left == 0,
        )

    def _marked_on_disk(self) -> bool:
        """Whether the target holds conflict markers now (a file resolved by hand since
        it was read holds none); True when it cannot be read."""
        try:
            with open(self.file.target, "rb") as fh:
                return has_markers(fh.read().decode("utf-8", "replace"))
        except OSError:
            return True


def edited_file(file: PreviewFile, text: str) -> PreviewFile:
    """``file`` with ``text`` as its merge: the hunks are the conflict markers left in
    ``text``. A hunk left as it was keeps its candidates; one edited inside its markers
    is offered its sides. A MarkerError when the markers do not parse."""
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.types import Candidate, HunkProposal

    proposal = file.proposal
    parsed = parse_conflicts(text, proposal.parsed.marker_size)
    unused = list(proposal.hunks)
    hunks = []
    for hunk in parsed.hunks:
        i = hunk.index
        same = next((h for h in unused if h.hunk.render() == hunk.render()), None)
        if same is not None:
            unused.remove(same)
            hunks.append(
                same._replace(
                    hunk=hunk,
                    candidates=tuple(c._replace(hunk=i) for c in same.candidates),
                    ranked=tuple(
                        s._replace(candidate=s.candidate._replace(hunk=i)) for s in same.ranked
                    ),
                    chosen=same.chosen._replace(hunk=i) if same.chosen else None,
                )
            )
            continue
        sides = [
            Candidate(i, hunk.ours, "ours", "our side as it is"),
            Candidate(i, hunk.theirs, "theirs", "their side as it is"),
        ]
        if hunk.base is not None:
            sides.append(Candidate(i, hunk.base, "base", "the common ancestor"))
        policy = proposal.hunks[0].policy
        hunks.append(HunkProposal(hunk, tuple(sides), {}, (), None, policy))
    return file._replace(proposal=proposal._replace(parsed=parsed, hunks=tuple(hunks)))


def lines_of(text: str | None) -> list[str]:
    """The lines of a hunk's side as ``pick_line`` counts them: each ends after a "\n"
    (a "\r" before it stays with the line), the last may have none."""
    if not text:
        return []
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def picked_text(hunk: ConflictHunk, picks: tuple[Pick, ...], newline: str) -> str:
    """The lines ``picks`` names, in that order. A line without a line end gets the
    file's, unless it is the last and the hunk ends the file without one."""
    parts = []
    for n, (side, line) in enumerate(picks):
        text = lines_of(getattr(hunk, side))[line]
        last = n == len(picks) - 1
        if not text.endswith("\n") and (not last or hunk.close_marker.endswith("\n")):
            text += newline
        parts.append(text)
    return "".join(parts)


# -- the review -------------------------------------------------------------------------

SIDE_KEYS: dict[str, Side] = {"O": "ours", "T": "theirs", "B": "base"}


class Review:
    """Every file under review, the one shown, and what the last key did.

    Each key is one ``press``; the actions the screen starts otherwise (a click, the
    in-place editor, the list of files) are the methods ``take_side``, ``pick_line``,
    ``edit_file`` and ``jump``. Each says what it did in ``message`` (``error`` when it
    refused) and returns whether it changed anything.
    """

    def __init__(
        self, files: list[PreviewFile], edit: Callable[[str, str], str] | None = None
    ) -> None:
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
        self.focus_panes = False  # Tab: the keys that scroll move the sides, not the result

    @property
    def file(self) -> FileState:
        return self.files[self.current]

    @property
    def hunk(self) -> HunkProposal:
        """The hunk shown; only while the file has one (see ``current_hunk``)."""
        return self.file.hunks[self.file.position]

    @property
    def current_hunk(self) -> HunkProposal | None:
        """The hunk shown, or None in a file whose whole-file edit left no conflict."""
        hunks = self.file.hunks
        return hunks[min(self.file.position, len(hunks) - 1)] if hunks else None

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
        action = {
            "e": self._edit,
            "k": self._keep,
            "s": self._keep,
            "u": self._undo,
            "n": self._next,
            "right": self._next,
            "p": self._previous,
            "left": self._previous,
            "w": self._write,
            "q": self._quit,
            "tab": self._focus,
            "\t": self._focus,
            "shift+tab": self._focus,
            "?": lambda: None,
        }.get(key)
        digit = len(key) == 1 and key in DIGITS
        if key in SIDE_KEYS:
            self.take_side(SIDE_KEYS[key])
        elif (digit or key in ("e", "k", "s")) and self.current_hunk is None:
            self.say(f"{self.file.file.shown} has no conflict left; u undoes the edit", error=True)
        elif digit:
            self._accept(int(key))
        elif action is not None:
            action()
        else:
            self.say(f"no command for {key!r}; press ? for help", error=True)

    # -- the actions of issue 26 -------------------------------------------------------

    def take_side(self, side: Side) -> bool:
        """Every hunk of the current file resolved as ``side`` (IntelliJ's Accept Left
        or Right); git's merge outside the hunks is kept. One step for ``u``. Base only
        where every hunk has one (diff3)."""
        state = self.file
        if not state.hunks:
            self.say(f"{state.file.shown} has no conflict left", error=True)
            return False
        if side == "base" and any(h.hunk.base is None for h in state.hunks):
            self.say(
                "these hunks have no base section (git's plain markers); nothing changed",
                error=True,
            )
            return False
        if reason := state.stale():
            self.say(f"{reason}; taking a side is refused", error=True)
            return False
        how = f"{side}, for the whole file"
        decisions = {h.hunk.index: Decision(getattr(h.hunk, side) or "", how) for h in state.hunks}
        count = len(decisions)
        if not state.decide_all(decisions, f"{side} taken for the whole file"):
            self.say(f"every hunk is already {side}")
            return False
        self.say(
            f"{side} taken for all {count} hunk(s) of {state.file.shown} (git's "
            "merge kept outside them); w writes the file"
        )
        return True

    def pick_line(self, side: Side, line_index: int) -> bool:
        """Line ``line_index`` (from 0, as ``lines_of`` counts) of ``side`` of the current
        hunk appended to the hunk's result, or taken out of it if already picked; the hunk
        is then decided as "lines picked", its text the lines in the order picked. Taking
        out the last one puts the hunk back to its conflict. One step for ``u``."""
        state, h = self.file, self.current_hunk
        if h is None:
            self.say(f"{state.file.shown} has no conflict left", error=True)
            return False
        text = getattr(h.hunk, side)
        if text is None:
            self.say("this hunk has no base section (git's plain markers)", error=True)
            return False
        lines = lines_of(text)
        if not 0 <= line_index < len(lines):
            self.say(
                f"{side} has no line {line_index + 1} in this hunk (it has {len(lines)})",
                error=True,
            )
            return False
        if reason := state.stale():
            self.say(f"{reason}; picking is refused", error=True)
            return False
        index = h.hunk.index
        decided = state.decisions.get(index)
        picks = state.picked(index) if decided and decided.how == LINES_PICKED else ()
        pick = (side, line_index)
        dropped = pick in picks
        picks = tuple(p for p in picks if p != pick) if dropped else (*picks, pick)
        newline = state.file.proposal.parsed.newline
        decision = Decision(picked_text(h.hunk, picks, newline), LINES_PICKED) if picks else None
        state.decide(index, decision, picks)
        where = f"hunk {state.position + 1}: {side} line {line_index + 1}"
        if not picks:
            self.say(f"{where} taken out; no line picked: back to git's conflict")
        else:
            self.say(
                f"{where} {'taken out' if dropped else 'picked'}; {len(picks)} "
                "line(s) picked; w writes the file"
            )
        return True

    def edit_file(self, text: str) -> bool:
        """The whole result of the current file replaced by ``text`` (what the screen's
        editor holds): edits outside the hunks too. Conflict markers left in ``text``
        are the file's hunks from then on, undecided; a hunk left as it was keeps its
        candidates. Refused when the markers do not parse, or when the file changed on
        disk since it was read (then ``w`` would write over that change). ``w`` then
        writes only while the file holds the bytes it holds now. One step for ``u``."""
        state = self.file
        if text == state.result():
            self.say("the file is unchanged")
            return False
        try:
            file = edited_file(state.file, text)
        except MarkerError as exc:
            self.say(
                f"the edited file's conflict markers do not parse ({exc}); nothing changed",
                error=True,
            )
            return False
        if reason := state.pin():
            self.say(f"{reason}; editing the whole file is refused", error=True)
            return False
        state.replace(file, "the edit of the whole file")
        left = len(file.proposal.hunks)
        self.say(
            f"{state.file.shown} edited; "
            + (f"{left} hunk(s) left with their markers" if left else "no conflict left")
            + "; w writes the file"
        )
        return True

    def jump(self, file_index: int) -> bool:
        """Show file ``file_index`` (from 0), at the hunk it was last shown at."""
        if not 0 <= file_index < len(self.files):
            self.say(
                f"there is no file {file_index + 1}; the review has {len(self.files)}", error=True
            )
            return False
        self.current = file_index
        self.say(
            f"file {file_index + 1} of {len(self.files)}: {self.file.file.shown}; "
            f"{self.would_write()}"
        )
        return True

    def file_list(self) -> list[FileEntry]:
        """Every file under review, to jump to, with its hunks left."""
        entries = []
        for i, f in enumerate(self.files):
            total, decided = len(f.hunks), len(f.decisions)
            entries.append(
                FileEntry(i, f.file.shown, total, total - decided, decided, f.pending, f.wrote > 0)
            )
        return entries

    def would_write(self, file_index: int | None = None) -> str:
        """What ``w`` would write for that file (the current one by default) now, in
        words: "w writes 3 of 5 hunks decided; 2 stay conflicts", "nothing to write",
        or why it would write nothing."""
        return self.files[self.current if file_index is None else file_index].would_write()

    # -- the keys -------------------------------------------------------------------

    def _focus(self) -> None:
        self.focus_panes = not self.focus_panes
        self.say(
            "the sides have the focus: ↑ ↓ PgUp PgDn scroll them together"
            if self.focus_panes
            else "the result has the focus"
        )

    def _accept(self, number: int) -> None:
        candidates = rows(self.hunk)
        if number > len(candidates):
            self.say(f"there is no candidate {number}; this hunk has {len(candidates)}", error=True)
            return
        if reason := self.file.stale():
            self.say(f"{reason}; accepting is refused", error=True)
            return
        c = candidates[number - 1]
        self.file.decide(self.hunk.hunk.index, Decision(c.text, f"candidate {number} ({c.method})"))
        self._decided(f"hunk {self.file.position + 1}: candidate {number} ({c.method}) accepted")

    def _decided(self, said: str) -> None:
        """Say ``said`` and go on to the next hunk; when that is in another file, say
        that the file decided is not written."""
        before = self.file
        self._next(quiet=True)
        if self.file is before:
            self.say(f"{said}; w writes the file")
        else:
            self.say(
                f"{before.file.shown} {said}; {before.file.shown} is not written (p "
                f"goes back to it, w there writes it); now {self.file.file.shown}"
            )

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
            self.say(
                "the edited text still holds conflict markers, so the hunk is not "
                "resolved: nothing changed (press e to edit it again)",
                error=True,
            )
            return
        newline = self.file.file.proposal.parsed.newline
        if text and not text.endswith("\n") and hunk.close_marker.endswith("\n"):
            text += newline  # the next line must not join this one
        self.file.decide(hunk.index, Decision(text, "edited"))
        self._decided(f"hunk {self.file.position + 1}: edited")

    def _keep(self) -> None:
        index = self.hunk.hunk.index
        if index not in self.file.decisions:
            self.say(f"hunk {self.file.position + 1} keeps its conflict")
        else:
            self.file.decide(index, None)
            self.say(f"hunk {self.file.position + 1}: back to git's conflict; w writes the file")

    def _undo(self) -> None:
        step = self.file.undo()
        if step is None:
            self.say("nothing to undo in this file", error=True)
            return
        if step.what is not None:
            self.say(f"undone: {step.what}")
            return
        decided = self.file.decisions.get(self.hunk.hunk.index)
        self.say(
            f"hunk {self.file.position + 1}: undone; now "
            + (decided.how if decided else "the conflict")
        )

    def _next(self, quiet: bool = False) -> None:
        if self.file.position + 1 < len(self.file.hunks):
            self.file.position += 1
        elif self.current + 1 < len(self.files):
            self.current += 1
            self.file.position = 0
        elif not quiet:
            left = f"; {len(self.unwritten())} file(s) not written (w)" if self.unwritten() else ""
            self.say(f"this is the last hunk{left}; q quits")

    def _previous(self) -> None:
        if self.file.position > 0:
            self.file.position -= 1
        elif self.current > 0:
            self.current -= 1
            self.file.position = max(0, len(self.file.hunks) - 1)
        else:
            self.say("this is the first hunk")

    def _write(self) -> None:
        if not self.file.pending and self.file.wrote:
            self.say(f"{self.file.file.shown}: nothing new to write")
            return
        if not self.file.pending:
            self.say(f"{self.file.file.shown}: no decision to write (accept a candidate first)")
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
        self.say(
            f"not written: {names}{' ...' if len(unwritten) > 3 else ''}. "
            "w writes them and quits, q quits without writing, any other key goes back",
            error=True,
        )

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
            raise EditorError(
                f"could not run the editor {editor!r} ({exc.strerror}); set VISUAL or EDITOR"
            ) from None
        if proc.returncode != 0:
            raise EditorError(
                f"the editor {editor!r} exited with status {proc.returncode}; the hunk is unchanged"
            )
        with open(name, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditorError("the edited text is not UTF-8; the hunk is unchanged") from None

"""Conflicts from markers or from the index: which conflicted files ``resolve`` and
``preview`` propose on, and the text each proposes on.

``resolve`` only ever reads for writing, and writes, paths that git lists as conflicted
(``git diff --name-only --diff-filter=U``). For each one the text proposed on is the
working-tree file when it holds diff3 markers, else git's diff3 merge rebuilt from the
index stages 1, 2 and 3. A file whose markers are not git's own (edited inside them,
or resolved by hand) is a person's work: it is not proposed on unless ``--force``.
``preview`` reads the files named, every conflicted file, or a stored merge-driver
attempt. See docs/resolve.md.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import git
from santamerge.errors import SantamergeError
from santamerge.git import IndexEntry, Repository
from santamerge.merge.types import BOTH_SIDES, MARKER_ORDER, SIDES

if TYPE_CHECKING:
    from santamerge.merge.ranking.policy import AutoApplyPolicy
    from santamerge.merge.record import AttemptRecord, ProposalRecord
    from santamerge.merge.types import Merged, MergeProposal, Outcome
    from santamerge.merge.workspace.gitmerge import Based
    from santamerge.model.backends.base import Backend

LABELS = MARKER_ORDER  # git's labels where santamerge merges the index stages: the sides' names
EDITED = (
    "its conflict markers are not the ones git wrote (edited by hand?); not touched "
    "(--force proposes on git's merge rebuilt from the index, and --accept then backs "
    "the file up first)"
)

Note = Callable[[str], None]


class Source(NamedTuple):
    """One conflicted file and the diff3 text to propose on."""

    path: str  # in the repository, with '/'
    full: str  # the working-tree file
    shown: str  # as shown to the person (relative to the current folder)
    original: bytes  # the working-tree bytes as read
    text: str  # git's diff3 merge: the working-tree text, or rebuilt from the index
    marker_size: int | None  # None: taken from the markers
    rebuilt: bool  # True: the text was rebuilt from the index stages
    labels: tuple[str, str, str]
    sides: tuple[str, str] | None = None  # ours and theirs, whole (index stages 2 and 3)
    lines: tuple[int, ...] | None = None  # each hunk's line in the file, where ``text``
    # is not the file (merge-style markers given their base sections)


# -- which files -----------------------------------------------------------------------


def select_paths(
    repo: Repository, conflicted: Sequence[str], given: Sequence[str], cwd: str, note: Note
) -> list[str]:
    """``conflicted``, restricted to ``given`` (files or folders, relative to ``cwd``);
    a given path that is not conflicted gets a note and is skipped."""
    if not given:
        return list(conflicted)
    chosen: set[str] = set()
    for raw in dict.fromkeys(given):
        rel = repo_relative(repo, raw, cwd)
        if rel is None:
            note(f"{raw}: outside this repository; skipped")
            continue
        inside = [p for p in conflicted if p == rel or not rel or p.startswith(rel + "/")]
        if not inside:
            note(f"{raw}: not conflicted (git diff --diff-filter=U does not list it); skipped")
        chosen.update(inside)
    return [p for p in conflicted if p in chosen]


def shown_path(repo: Repository, path: str, cwd: str) -> str:
    full = os.path.join(repo.root, path)
    try:
        return os.path.relpath(full, os.path.realpath(cwd))
    except ValueError:
        return full


def load_source(
    repo: Repository, path: str, cwd: str, max_bytes: int, note: Note, force: bool = False
) -> Source | None:
    """The diff3 text to propose on for the conflicted ``path``; None (with a note)
    when santamerge cannot propose on it, or must not write it.

    The working-tree file is the conflict only while it holds git's markers. A file
    without markers was resolved by a person (not yet ``git add``-ed); a file whose
    markers are not the ones git would write for its index stages was edited. Neither
    is proposed on, so that nothing writes over a person's work, unless ``force``: then
    git's diff3 merge is rebuilt from the index (and ``--accept`` backs the file up
    before it writes)."""
    from santamerge.merge.locate import has_markers

    full = os.path.join(repo.root, path)
    shown = shown_path(repo, path, cwd)
    if os.path.islink(full) or not os.path.isfile(full):
        note(f"{shown}: not a regular file in the working tree; skipped")
        return None
    if not os.path.realpath(full).startswith(os.path.realpath(repo.root) + os.sep):
        note(f"{shown}: outside the working tree; skipped")
        return None
    with open(full, "rb") as fh:
        original = fh.read(max_bytes + 1)
    if len(original) > max_bytes:
        note(f"{shown}: larger than {max_bytes} bytes; skipped")
        return None
    text = _text(original)
    if text is None:
        note(f"{shown}: binary or not UTF-8 text; skipped")
        return None
    entries = git.unmerged_entries(repo, path)
    stages = stage_texts(repo, entries)
    if sides_hold_markers(repo, entries, stages):
        note(
            f"{shown}: a side of the conflict already holds lines that look like conflict "
            "markers, which cannot be told from git's; not touched (resolve it by hand)"
        )
        return None
    ours, theirs = stages.get(2), stages.get(3)
    sides = (ours, theirs) if ours is not None and theirs is not None else None
    marked = has_markers(text)
    edited = False
    if marked and _diff3(text):
        if gits_own_hunks(repo, path, entries, text):
            first = _first_hunk_labels(text)
            return Source(path, full, shown, original, text, None, False, first, sides)
        if not force:
            note(f"{shown}: {EDITED}")
            return None
        edited = True
    elif marked and not force:
        based = gits_own_plain_hunks(repo, path, entries, text)
        if based is None:
            note(f"{shown}: {EDITED}")
            return None
        note(
            f"{shown}: its markers have no base section (merge.conflictStyle is merge); "
            "proposing on its own hunks, each with its base from git's merge rebuilt from "
            "the index (stages 1-3)"
        )
        first = _first_hunk_labels(based.text)
        return Source(
            path, full, shown, original, based.text, None, True, first, sides, based.lines
        )
    if not marked and not force:
        if _complete_stages(entries, shown, note):
            note(
                f"{shown}: no conflict markers in the working tree: resolved by hand? Not "
                "touched; `git add` it when it is right (--force proposes on git's merge "
                "rebuilt from the index, and --accept then backs the file up first)"
            )
        return None
    rebuilt = _rebuild(repo, path, entries, shown, note)
    if rebuilt is None:
        return None
    merged, size, _plain = rebuilt
    why = (
        "its conflict hunks are not the ones git wrote (--force)"
        if edited or marked
        else "no conflict markers in the working tree (--force)"
    )
    note(f"{shown}: {why}; proposing on git's diff3 merge rebuilt from the index (stages 1-3)")
    return Source(path, full, shown, original, merged, size, True, LABELS, sides)


def sides_hold_markers(
    repo: Repository, entries: Sequence[IndexEntry], texts: Mapping[int, str | None] | None = None
) -> bool:
    """True when a side of a conflict (its unmerged index ``entries``) already holds
    lines that look like conflict markers: git's markers in the working tree cannot then
    be told from the file's own, and a hunk read from them may be cut in the wrong place
    (the merge driver steps aside for the same reason). ``texts``: the stages' texts,
    when already read (:func:`stage_texts`)."""
    from santamerge.merge.locate import has_markers

    texts = stage_texts(repo, entries) if texts is None else texts
    return any(text is not None and has_markers(text) for text in texts.values())


def stage_texts(repo: Repository, entries: Sequence[IndexEntry]) -> dict[int, str | None]:
    """Each regular file's stage -> its text as stored (None: binary, not UTF-8, or
    missing), in one ``git cat-file`` for all."""
    files = [e for e in entries if e.mode.startswith("100")]
    if not files:
        return {}
    blobs = git.cat_blobs(repo.root, [e.oid for e in files])
    return {
        e.stage: None if blob is None else _text(blob) for e, blob in zip(files, blobs, strict=True)
    }


def gits_own_hunks(repo: Repository, path: str, entries: Sequence[IndexEntry], text: str) -> bool:
    """True when every hunk of ``text`` (diff3 markers) is, section for section, a hunk of
    git's diff3 merge of the index ``entries`` (stage 1 missing: an empty base, as git
    merges an add/add), in file order: hunks the merge driver resolved are gone from the
    file, the others are as git wrote them. A person's edit inside the markers is not,
    so nothing proposes on it or writes over it. git's merge is made again by merge-ort
    itself, as ``diff3`` and as ``zdiff3`` (santamerge.merge.workspace.gitmerge), and by
    ``git merge-file`` as a fallback. Where git merges the stages cleanly, the hunks must
    be the merge driver's clash hunks (``merge.structured.clashes``): each wraps lines of
    git's merge, with an empty base and an empty other side."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.workspace.gitmerge import reproduce

    stages = {e.stage: e for e in entries}
    if not {2, 3} <= stages.keys() or any(not e.mode.startswith("100") for e in entries):
        return False
    parsed = parse_conflicts(text)
    hunks = [(h.ours, h.base, h.theirs) for h in parsed.hunks]
    size = git.marker_size_attribute(repo, path)

    def agrees(rebuilt: str, clean: bool) -> bool:
        if clean:
            return (
                all(base == "" and "" in (ours, theirs) for ours, base, theirs in hunks)
                and parsed.splice({h.index: h.ours + h.theirs for h in parsed.hunks}) == rebuilt
            )
        try:
            gits = iter((h.ours, h.base, h.theirs) for h in parse_conflicts(rebuilt, size).hunks)
        except MarkerError:
            return False
        return all(any(h == g for g in gits) for h in hunks)

    made = reproduce(repo, path, entries, ("diff3", "zdiff3"))
    if any(agrees(r.text, r.clean) for r in made.values()):
        return True
    for style, algorithm in (
        ("diff3", None),
        ("zdiff3", None),
        ("diff3", "histogram"),
        ("zdiff3", "histogram"),
    ):
        found = _merge_file_stages(repo, path, stages, size, style, algorithm)
        if found is not None and agrees(*found):
            return True
    return False


def gits_own_plain_hunks(
    repo: Repository, path: str, entries: Sequence[IndexEntry], text: str
) -> Based | None:
    """``text`` (git's default ``merge``-style markers, no base sections) with each
    hunk's base section inserted, when its hunks are, in order and exactly, hunks of
    git's merge of the index ``entries`` (santamerge.merge.workspace.gitmerge: merge-ort's
    own merge made again; ``git merge-file``'s only where its hunks are the file's);
    None when one is not (a person's edit inside the markers)."""
    from santamerge.merge.workspace.gitmerge import reproduce, with_bases

    made = reproduce(repo, path, entries, ("merge", "diff3"))
    if {"merge", "diff3"} <= made.keys():
        based = with_bases(text, made["merge"].text, made["diff3"].text, None)
        if based is not None:
            return based
    stages = {e.stage: e for e in entries}
    if not {2, 3} <= stages.keys() or any(not e.mode.startswith("100") for e in entries):
        return None
    size = git.marker_size_attribute(repo, path)
    plain = _merge_file_stages(repo, path, stages, size, "merge", None)
    diff3 = _merge_file_stages(repo, path, stages, size, "diff3", None)
    if plain is None or diff3 is None:
        return None
    return with_bases(text, plain[0], diff3[0], None)


def _merge_file_stages(
    repo: Repository,
    path: str,
    stages: Mapping[int, IndexEntry],
    size: int,
    style: str,
    algorithm: str | None,
) -> tuple[str, bool] | None:
    """``git merge-file``'s merge of the index stages (through the working tree's
    filters) in ``style``: (the text, merged cleanly); None when it refused."""
    with tempfile.TemporaryDirectory(prefix="santamerge-resolve-") as folder:
        files = []
        for stage, name in enumerate(SIDES, 1):
            files.append(os.path.join(folder, name))
            with open(files[-1], "wb") as fh:
                fh.write(git.stage_bytes(repo, path, stage) if stage in stages else b"")
        merged, status = git.merge_file(
            files[1], files[0], files[2], LABELS, size, style, algorithm
        )
    rebuilt = _text(merged)
    if status == git.MERGE_FILE_ERROR or rebuilt is None:
        return None
    return rebuilt, status == 0


def same_conflict(worktree: str, plain: str, marker_size: int) -> bool:
    """True when ``worktree`` is git's merge-style conflict ``plain`` (the same text
    outside the hunks, the same ours and theirs in each), whatever the labels."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    def shape(text: str) -> list[object]:
        return [
            c if isinstance(c, str) else (c.ours, c.theirs)
            for c in parse_conflicts(text, marker_size).chunks
        ]

    try:
        return shape(worktree) == shape(plain)
    except MarkerError:
        return False


def _text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _diff3(text: str) -> bool:
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        hunks = parse_conflicts(text).hunks
    except MarkerError:
        return False
    return bool(hunks) and all(h.base is not None for h in hunks)


def _first_hunk_labels(text: str) -> tuple[str, str, str]:
    from santamerge.merge.locate import parse_conflicts

    first = parse_conflicts(text).hunks[0]
    return (first.ours_label, first.base_label, first.theirs_label)


def _complete_stages(entries: Sequence[IndexEntry], shown: str, note: Note) -> bool:
    """True when ``entries`` are the index stages 1, 2 and 3 of a file (a content
    conflict); else False, with a note saying what kind of conflict it is."""
    stages = {e.stage: e for e in entries}
    missing = [s for s in (1, 2, 3) if s not in stages]
    if missing:
        kinds: dict[tuple[int, ...], str] = {
            (1,): "added on both sides",
            (2,): "deleted on our side",
            (3,): "deleted on their side",
        }
        kind = kinds.get(tuple(missing), "not on every side")
        note(
            f"{shown}: {kind} (no index stage {', '.join(map(str, missing))}); "
            "santamerge merges content conflicts only; skipped"
        )
        return False
    if any(not e.mode.startswith("100") for e in entries):
        note(f"{shown}: a symbolic link or submodule conflict; skipped")
        return False
    return True


def _rebuild(
    repo: Repository, path: str, entries: Sequence[IndexEntry], shown: str, note: Note
) -> tuple[str, int, str] | None:
    """git's diff3 merge of the index stages 1, 2 and 3, through the working tree's
    filters, its marker size, and the same merge in the plain ``merge`` style (what
    ``git merge`` leaves in the working tree by default); None (with a note) when a
    stage is missing or it is not text."""
    if not _complete_stages(entries, shown, note):
        return None
    size = git.marker_size_attribute(repo, path)
    with tempfile.TemporaryDirectory(prefix="santamerge-resolve-") as folder:
        files = {}
        for stage, name in enumerate(SIDES, 1):
            data = git.stage_bytes(repo, path, stage)
            if _text(data) is None:
                note(f"{shown}: binary or not UTF-8 text; skipped")
                return None
            files[name] = os.path.join(folder, name)
            with open(files[name], "wb") as fh:
                fh.write(data)
        merged, status = git.merge_file(files["ours"], files["base"], files["theirs"], LABELS, size)
        plain, _ = git.merge_file(
            files["ours"], files["base"], files["theirs"], LABELS, size, style="merge"
        )
    text = _text(merged)
    if status == git.MERGE_FILE_ERROR or text is None:
        note(f"{shown}: git merge-file refused its stages (binary?); skipped")
        return None
    if status == 0:
        note(
            f"{shown}: git merge-file merges its stages cleanly (git's merge differed: a "
            "rename, or merge options); nothing to propose; skipped"
        )
        return None
    return text, size, _text(plain) or ""


# -- proposing on every source ----------------------------------------------------------


class Proposed(NamedTuple):
    source: Source
    proposal: MergeProposal
    outcome: Outcome


def propose_text(
    text: str,
    path: str,
    marker_size: int | None,
    policy: AutoApplyPolicy,
    backend: Backend | None = None,
    message: str | None = None,
    git_dir: str | None = None,
    facts: Mapping[str, Any] | None = None,
    sides: tuple[str, str] | None = None,
) -> Merged:
    """A file's proposal: the pipeline on ``text`` (git's merge with diff3 markers;
    ``path``, in the repository, picks the language), with the merge's ``message``, the
    repository's ranker adjustment (``git_dir``), the path's history ``facts`` and the
    whole ``sides`` (ours, theirs) where known. The one call through which ``resolve``
    and ``preview`` propose on a file."""
    from santamerge.merge.pipeline import run_pipeline

    return run_pipeline(
        text,
        path,
        marker_size,
        policy=policy,
        backend=backend,
        merge_message=message,
        history=facts,
        git_dir=git_dir,
        sides=sides,
    )


def propose_sources(
    sources: Sequence[Source],
    policy: AutoApplyPolicy,
    backend: Backend | None,
    message: str | None,
    note: Note,
    step: Callable[[str], None],
    git_dir: str | None = None,
    history: Callable[[str], Mapping[str, Any] | None] | None = None,
) -> list[Proposed]:
    """Propose on each source with one backend; a model that fails is dropped for the
    rest (with a note), a file whose markers do not parse is skipped. ``step`` is told
    each file's shown path before it is proposed on. ``git_dir`` and ``history`` (a
    path's history facts) feed the learned ranker (santamerge.merge.pipeline)."""
    from santamerge.errors import MarkerError
    from santamerge.model.backends.base import BackendError

    results = []
    for source in sources:
        step(source.shown)
        facts = history(source.path) if history else None
        try:
            try:
                merged = propose_text(
                    source.text,
                    source.path,
                    source.marker_size,
                    policy,
                    backend,
                    message,
                    git_dir,
                    facts,
                    source.sides,
                )
            except BackendError as exc:
                note(f"{source.shown}: the model failed ({exc}); proposing without it from here on")
                backend = None
                merged = propose_text(
                    source.text,
                    source.path,
                    source.marker_size,
                    policy,
                    None,
                    message,
                    git_dir,
                    facts,
                    source.sides,
                )
        except MarkerError as exc:
            note(f"{source.shown}: {exc}; skipped")
            continue
        if source.lines is not None:
            merged = at_lines(merged, source.lines)
        results.append(Proposed(source, merged.proposal, merged.outcome))
    return results


def at_lines(merged: Merged, lines: Sequence[int]) -> Merged:
    """``merged`` as the file's own (``merge``-style) markers hold it, where the text
    proposed on is not the file (base sections were inserted): its hunks numbered at
    ``lines``, and the hunks its outcome leaves marked written back as the file has
    them, without the inserted base section. As it is when the counts differ."""
    proposal = merged.proposal
    parsed = proposal.parsed
    if len(parsed.hunks) != len(lines):
        return merged
    moved = {h.index: h._replace(line=line) for h, line in zip(parsed.hunks, lines, strict=True)}
    chunks = tuple(c if isinstance(c, str) else moved[c.index] for c in parsed.chunks)
    hunks = tuple(h._replace(hunk=moved[h.hunk.index]) for h in proposal.hunks)
    outcome = merged.outcome
    chosen = {
        h.hunk.index: h.chosen.text
        for h in proposal.hunks
        if h.chosen is not None and h.hunk.index in outcome.resolved
    }
    if parsed.splice(chosen, default="markers") == outcome.text:
        plain = parsed._replace(
            chunks=tuple(
                c if isinstance(c, str) else c._replace(base=None, base_marker=None) for c in chunks
            )
        )
        outcome = outcome._replace(text=plain.splice(chosen, default="markers"))
    return merged._replace(
        proposal=proposal._replace(parsed=parsed._replace(chunks=chunks), hunks=hunks),
        outcome=outcome,
    )


# -- preview's files -------------------------------------------------------------------


class PreviewSource(NamedTuple):
    """A conflicted file for ``preview``, and where accepting writes."""

    shown: str  # the path as shown
    read_from: str  # the text with markers
    target: str  # the working-tree file that accepting writes
    repo_path: str  # the path in the repository (its extension picks the language)
    labels: tuple[str, str, str] | None = None
    header: str | None = None
    text: str | None = None  # the diff3 text to review, when already read (else read_from)
    marker_size: int | None = None  # None: taken from the markers
    expected: bytes | None = None  # the target must hold exactly these bytes to be written
    written: Mapping[int, tuple[str, str]] | None = None  # hunk -> (text, method) that the
    # target already holds (a merge-driver attempt)
    reconflict: Callable[[], str | None] | None = None
    sides: tuple[str, str] | None = None  # ours and theirs, whole, where known
    lines: tuple[int, ...] | None = None  # each hunk's line in the file, where ``text``
    # is not the file (merge-style markers given their base sections)


def preview_sources(paths: Sequence[str], note: Note) -> list[PreviewSource]:
    """What ``preview`` reviews: in a repository, the conflicted files among ``paths``
    (files or folders; all of them without ``paths``), read as ``resolve`` reads them
    (plain markers: git's diff3 merge rebuilt from the index), and any other file named
    that holds conflict markers; outside a repository, the files named."""
    try:
        repo = git.find_repository(
            outside="is not inside a git repository; name the files to preview"
        )
    except SantamergeError:
        if not paths:
            raise
        folders = [p for p in paths if os.path.isdir(p)]
        if folders:
            raise SantamergeError(
                f"{folders[0]}: a folder outside a git repository; name "
                "the files with conflict markers"
            ) from None
        return [PreviewSource(p, p, p, p) for p in dict.fromkeys(paths)]
    from santamerge.config import load_settings

    cwd = os.getcwd()
    conflicted = git.conflicted_paths(repo)
    listed = set(conflicted)
    plain = [
        p
        for p in dict.fromkeys(paths)
        if os.path.isfile(p) and repo_relative(repo, p, cwd) not in listed
    ]
    given = [p for p in paths if p not in plain]
    chosen = select_paths(repo, conflicted, given, cwd, note) if given or not paths else []
    if not conflicted and not plain:
        note("no conflicted files in this repository (git diff --diff-filter=U lists none)")
    max_bytes = load_settings(repo.root).max_bytes
    sources = []
    for path in chosen:
        s = load_source(repo, path, cwd, max_bytes, note)
        if s is not None:
            sources.append(
                PreviewSource(
                    s.shown,
                    s.full,
                    s.full,
                    s.path,
                    s.labels,
                    None,
                    s.text,
                    s.marker_size,
                    s.original if s.rebuilt else None,
                    sides=s.sides,
                    lines=s.lines,
                )
            )
    return sources + [PreviewSource(p, p, p, repo_relative(repo, p, cwd) or p) for p in plain]


def repo_relative(repo: Repository, raw: str, cwd: str) -> str | None:
    """``raw`` (relative to ``cwd``) as a path in the repository, with '/'; None outside."""
    absolute = os.path.abspath(os.path.join(cwd, raw))
    real = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    rel = os.path.relpath(real, os.path.realpath(repo.root)).replace(os.sep, "/")
    if rel == "..":
        return None
    return None if rel.startswith("../") else ("" if rel == "." else rel)


# -- merge-driver attempts ---------------------------------------------------------------


class Attempt(NamedTuple):
    folder: str
    record: AttemptRecord  # attempt.json

    @property
    def name(self) -> str:
        return os.path.basename(self.folder)

    @property
    def path(self) -> str:
        return self.record.proposal.path

    @property
    def merge_key(self) -> tuple[str | None, str | None]:
        """What the attempts of one merge share: HEAD, and the label of their side."""
        labels = self.record.proposal.labels
        return self.record.head, labels[2] if labels else None


def read_attempts(git_dir: str) -> list[Attempt]:
    """The stored attempts that can be read, oldest first."""
    from santamerge.merge.workspace.attempts import list_attempts

    attempts = []
    for folder in list_attempts(git_dir):
        try:
            attempts.append(Attempt(str(folder), _attempt_record(str(folder))))
        except SantamergeError:
            continue
    return attempts


def last_merge(attempts: Sequence[Attempt]) -> list[Attempt]:
    """The attempts of the newest merge (the newest attempt's HEAD and side), the newest
    one per path, in the order they were made."""
    if not attempts:
        return []
    key = attempts[-1].merge_key
    newest: dict[str, Attempt] = {}
    for a in attempts:
        if a.merge_key == key:
            newest[a.path] = a
    return sorted(newest.values(), key=lambda a: a.name)


def find_attempts(ident: str) -> tuple[Repository, list[Attempt]]:
    """The attempt named ``ident`` (or by a unique prefix), or every attempt of the last
    merge when ``ident`` is ``last``."""
    repo = git.find_repository(
        outside="is not inside a git repository; --attempt reads "
        "the attempts stored under .git/santamerge/attempts/"
    )
    attempts = read_attempts(repo.git_dir)
    where = os.path.join(repo.git_dir, "santamerge", "attempts")
    if ident == "last":
        if not attempts:
            raise SantamergeError(
                f"no stored attempts under {where}: the merge driver "
                "stores one for each file it merges with conflicts"
            )
        return repo, last_merge(attempts)
    matches = [a for a in attempts if a.name == ident] or [
        a for a in attempts if a.name.startswith(ident)
    ]
    if not matches:
        raise SantamergeError(
            f"no stored attempt named {ident!r} (there are {len(attempts)} "
            f"under {where}; `santamerge attempts` lists them)"
        )
    if len(matches) > 1:
        raise SantamergeError(
            f"{ident!r} starts {len(matches)} attempt names "
            f"({matches[0].name}, {matches[1].name}, ...); give more of it"
        )
    return repo, matches


def attempt_source(repo: Repository, attempt: Attempt, cwd: str) -> PreviewSource:
    """An attempt to review: git's diff3 merge (its ``baseline``) with the hunks the driver
    wrote already decided. The working-tree file is written only while it holds exactly
    what the driver wrote (or what this review last wrote)."""
    folder, path = attempt.folder, attempt.path
    target = os.path.join(repo.root, path)
    shown = shown_path(repo, path, cwd)
    header = f"attempt {attempt.name}: {path}"
    labels = attempt.record.proposal.labels
    try:
        with open(os.path.join(folder, "baseline"), "rb") as fh:
            baseline = fh.read()
        with open(os.path.join(folder, "result"), "rb") as fh:
            result = fh.read()
    except OSError as exc:
        raise SantamergeError(f"attempt {attempt.name}: cannot read it ({exc.strerror})") from None
    text = _text(baseline)
    if text is None:
        raise SantamergeError(f"attempt {attempt.name}: its baseline is not UTF-8 text")
    sides = _attempt_sides(folder)
    written = _driver_choices(attempt.record.proposal, text, result)
    if written is None:  # the record does not rebuild the result: review what is left
        return PreviewSource(
            shown,
            os.path.join(folder, "result"),
            target,
            path,
            labels,
            header + " (only the hunks it left)",
            sides=sides,
        )
    return PreviewSource(
        shown,
        os.path.join(folder, "baseline"),
        target,
        path,
        labels,
        header,
        text,
        None,
        result,
        written,
        lambda: _reconflict(repo, path, folder),
        sides,
    )


def _attempt_sides(folder: str) -> tuple[str, str] | None:
    """The ours and theirs an attempt stored beside its result; None if unreadable."""
    texts = []
    for name in BOTH_SIDES:
        try:
            with open(os.path.join(folder, name), "rb") as fh:
                texts.append(_text(fh.read()))
        except OSError:
            return None
    ours, theirs = texts
    return (ours, theirs) if ours is not None and theirs is not None else None


def _driver_choices(
    record: ProposalRecord, baseline: str, result: bytes
) -> dict[int, tuple[str, str]] | None:
    """Hunk -> (text, method) the driver wrote, from its record; None unless they turn
    the baseline into exactly the result it wrote."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        chosen = {}
        for index in record.outcome.resolved:
            method = record.outcome.methods[index]
            text = next(c.text for c in record.hunks[index].candidates if c.method == method)
            chosen[index] = (text, method)
        parsed = parse_conflicts(baseline)
    except (KeyError, IndexError, StopIteration, MarkerError):
        return None
    rebuilt = parsed.splice({i: t for i, (t, _) in chosen.items()}, default="markers")
    return chosen if rebuilt.encode("utf-8") == result else None


def _reconflict(repo: Repository, path: str, folder: str) -> str | None:
    """Markers written back into a file the driver resolved: while the merge waits, make
    git list it as conflicted again (index stages 1-3 from the attempt's inputs)."""
    entries = git.index_entries(repo, path)
    if [e.stage for e in entries] != [0]:
        return None  # already unmerged (or not in the index): git lists it as it is
    if not git.operation_in_progress(repo):
        return (
            "the merge is committed: the conflict is back as an uncommitted change "
            "(commit its resolution, or `git checkout -- FILE` to take the merge back)"
        )
    stages = []
    for stage, name in enumerate(SIDES, 1):
        with open(os.path.join(folder, name), "rb") as fh:
            stages.append(
                git.IndexEntry(entries[0].mode, git.write_blob(repo, fh.read()), stage, path)
            )
    git.restore_unmerged(repo, path, stages)
    return "git lists it as conflicted again"


def _attempt_record(folder: str) -> AttemptRecord:
    """An attempt's attempt.json."""
    import json

    from santamerge.merge.record import read_attempt

    try:
        with open(os.path.join(folder, "attempt.json"), encoding="utf-8") as fh:
            return read_attempt(json.load(fh))
    except (OSError, ValueError) as exc:  # RecordError is a ValueError
        raise SantamergeError(
            f"attempt {os.path.basename(folder)}: cannot read its attempt.json ({exc})"
        ) from None


def read_marked(source: PreviewSource, note: Note) -> str | None:
    """The text with conflict markers to review; None (with a note) when there is
    nothing to review in it."""
    from santamerge.merge.locate import has_markers

    try:
        with open(source.read_from, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SantamergeError(f"cannot read {source.read_from} ({exc.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        note(f"{source.shown}: not UTF-8 text; skipped")
        return None
    if not has_markers(text):
        note(f"{source.shown}: no conflict markers; skipped")
        return None
    if _preview_sides_hold_markers(source):
        note(
            f"{source.shown}: a side of the conflict already holds lines that look like "
            "conflict markers, which cannot be told from git's; skipped (resolve it by hand)"
        )
        return None
    return text


def _preview_sides_hold_markers(source: PreviewSource) -> bool:
    """Whether a side of the conflict shown already holds marker-like lines: the stored
    inputs of an attempt, or the index stages of a conflicted file of a repository.
    (A file outside a conflicted repository has no sides to look at.)"""
    from santamerge.merge.locate import has_markers

    if source.header is not None:  # an attempt: its inputs lie beside its result
        folder = os.path.dirname(os.path.abspath(source.read_from))
        for name in SIDES:
            try:
                with open(os.path.join(folder, name), "rb") as fh:
                    if has_markers(fh.read().decode("utf-8", "replace")):
                        return True
            except OSError:
                continue
        return False
    try:
        repo = git.find_repository(os.path.dirname(os.path.abspath(source.target)))
    except SantamergeError:
        return False
    path = os.path.relpath(os.path.realpath(source.target), os.path.realpath(repo.root))
    return sides_hold_markers(repo, git.unmerged_entries(repo, path.replace(os.sep, "/")))

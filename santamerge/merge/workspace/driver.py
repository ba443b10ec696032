"""The git merge driver: ``santamerge merge-driver %O %A %B %L %P``.

The contract: whatever happens, ``%A`` ends up holding either santamerge's result or
exactly git's own ``git merge-file --diff3`` result, written atomically, and the exit
status tells git whether conflicts remain. The baseline is computed first; everything
santamerge adds runs inside one guard (errors, a timeout, unsupported input), and any
failure of it gives the baseline.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from santamerge import git
from santamerge.errors import EXIT_CONFLICTS, EXIT_OK, ConfigError
from santamerge.files import write_atomically

if TYPE_CHECKING:
    import re
    from collections import Counter

    from santamerge.config import Settings
    from santamerge.languages.profiles import LanguageProfile
    from santamerge.merge.record import ProposalRecord
    from santamerge.merge.types import Outcome, StoredMiddles
    from santamerge.model.backends.base import Backend

_GIT_PLACEHOLDERS = {"%S", "%X", "%Y", ""}


class DriverArgs(NamedTuple):
    base: str  # %O
    ours: str  # %A: read, then overwritten with the result
    theirs: str  # %B
    marker_size: int = 7  # %L
    path: str = ""  # %P: the path in the repository, for the language
    ours_label: str | None = None  # %X
    base_label: str | None = None  # %S
    theirs_label: str | None = None  # %Y
    timeout: float | None = None

    @property
    def labels(self) -> tuple[str, str, str]:
        """The conflict's labels; a side's name where git gave none."""
        from santamerge.merge.types import MARKER_ORDER

        given = (self.ours_label, self.base_label, self.theirs_label)
        return tuple(  # type: ignore[return-value]
            default if label is None or label in _GIT_PLACEHOLDERS else label
            for label, default in zip(given, MARKER_ORDER, strict=True)
        )


_LABEL_FLAGS = {"-s": "base_label", "-x": "ours_label", "-y": "theirs_label"}


def parse_driver_args(argv: list[str]) -> DriverArgs | None:
    """Parse git's usual call without click; None when it is anything else."""
    positional: list[str] = []
    labels: dict[str, str] = {}
    timeout = None
    it = iter(argv)
    for arg in it:
        if arg in _LABEL_FLAGS:
            labels[_LABEL_FLAGS[arg]] = next(it, "")
        elif arg == "--timeout":
            try:
                timeout = float(next(it, ""))
            except ValueError:
                return None
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            positional.append(arg)
    if len(positional) not in (3, 4, 5):
        return None
    try:
        size = int(positional[3]) if len(positional) > 3 else 7
    except ValueError:
        return None
    path = positional[4] if len(positional) > 4 else ""
    base, ours, theirs = positional[:3]
    return DriverArgs(
        base,
        ours,
        theirs,
        size,
        path,
        timeout=timeout,
        ours_label=labels.get("ours_label"),
        base_label=labels.get("base_label"),
        theirs_label=labels.get("theirs_label"),
    )


class _Unsupported(Exception):
    """Input santamerge leaves to git: binary, not UTF-8, too large, markers already."""


class _Timeout(BaseException):
    pass


class _Stopped(BaseException):
    """SIGTERM or SIGINT: leave git's own result (when there is one) and go."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Orphaned(BaseException):
    """git no longer waits for this driver (_orphaned): write nothing, and go."""


_STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")
_PARENT: list[int] = []  # the parent that started this driver
_TOLD: list[str] = []  # a write that failed, said already


def run_merge_driver(args: DriverArgs) -> int:
    """Merge, write ``%A``, return the exit status for git. SIGTERM, SIGINT and SIGHUP
    stop it quietly: ``%A`` then holds our side, untouched, or git's own result, and
    the status is 128 + the signal's number, which git reads as a conflict. A driver
    whose caller is gone (git's ``sh -c`` killed) writes nothing: _Orphaned."""
    _PARENT[:] = [os.getppid()]
    _TOLD.clear()
    state: dict[str, bytes] = {}
    saved = _catch_stop_signals()
    try:
        return _run(args, state)
    except _Stopped as stop:
        _ignore_stop_signals()
        if "baseline" in state:
            with contextlib.suppress(_Orphaned):
                _write(args.ours, state["baseline"])
        return 128 + stop.signum
    except _Orphaned:
        return EXIT_CONFLICTS  # nobody reads it: git has moved on, and removed %A
    finally:
        _restore_signals(saved)


def _run(args: DriverArgs, state: dict[str, bytes]) -> int:
    """git's merge first; then the kill switch and the settings, before any work of
    santamerge's; then that work, clean merge or not, inside one time limit."""
    import time

    started = time.monotonic()
    disabled = _disabled_by_environment()
    config = None if disabled else git.start_config_read("santamerge")  # runs while git merges
    baseline, conflicts = git.merge_file(
        args.ours, args.base, args.theirs, args.labels, args.marker_size
    )
    git_values = {} if config is None else git.finish_config_read(config)
    if conflicts == git.MERGE_FILE_ERROR:
        return EXIT_CONFLICTS  # git refused (binary): %A keeps ours, as git's driver does
    state["baseline"] = baseline
    gits = EXIT_OK if conflicts == 0 else EXIT_CONFLICTS
    if disabled:
        return _give_gits(args, baseline, gits)
    try:
        from santamerge.config import load_settings

        settings = load_settings(git_values=git_values, timeout=args.timeout)
    except ConfigError as exc:
        print(
            f"santamerge: {exc}; gave git's own merge of {args.path or args.ours}", file=sys.stderr
        )
        return _give_gits(args, baseline, gits)
    if settings.disable:
        return _give_gits(args, baseline, gits)
    left = max(0.05, settings.timeout - (time.monotonic() - started))
    if conflicts == 0:
        return _clean(args, baseline, settings, left)
    try:
        with _deadline(left):
            inputs, result, outcome, record, model = _improve(args, baseline, settings, started)
    except (Exception, _Timeout) as exc:
        _note_fallback(exc)
        return _give_gits(args, baseline, EXIT_CONFLICTS)
    if not _write(args.ours, result):
        return _give_gits(args, baseline, EXIT_CONFLICTS)
    unresolved = len(outcome.unresolved)
    if not _into_working_tree():  # git merge-tree and the like: no attempt, no advice
        return EXIT_OK if unresolved == 0 else EXIT_CONFLICTS
    from santamerge.merge.types import SIDES

    files: dict[str, bytes] = dict(zip(SIDES, inputs, strict=True))
    _store(
        args,
        {**files, "baseline": baseline, "result": result},
        record,
        model,
        settings.keep_attempts,
    )
    if unresolved:
        shown = args.path or args.ours
        print(
            f"santamerge: {shown}: {unresolved} conflict{'s' if unresolved > 1 else ''} "
            f"left marked; `santamerge preview {shown}` shows the ranked proposals",
            file=sys.stderr,
        )
    return EXIT_OK if unresolved == 0 else EXIT_CONFLICTS


def _disabled_by_environment() -> bool:
    """``SANTAMERGE_DISABLE`` set true: read before anything else, since it overrides
    every other source of the setting (santamerge.config)."""
    from santamerge.config import _TRUE

    return os.environ.get("SANTAMERGE_DISABLE", "").strip().lower() in _TRUE


def _give_gits(args: DriverArgs, baseline: bytes, status: int) -> int:
    """Write git's own merge to ``%A`` and return ``status``: git's, or a conflict when
    even that write failed (then %A still holds ours and git keeps all three)."""
    return status if _write(args.ours, baseline) else EXIT_CONFLICTS


def _clean(args: DriverArgs, baseline: bytes, settings: Settings, seconds: float) -> int:
    """git merged the file cleanly: write its merge, unless it is wrong in a way that
    hides itself: both sides added a definition of one name (santamerge.merge.structured.clashes),
    or it does not load where both sides do (santamerge.merge.loads). Then it is left
    marked, and it is a conflict."""
    found = _clean_check(args, baseline, settings, seconds)
    if found is None:
        return _give_gits(args, baseline, EXIT_OK)
    marked, said = found
    if not _write(args.ours, marked):
        return _give_gits(args, baseline, EXIT_CONFLICTS)
    if _into_working_tree():
        print(f"santamerge: {args.path or args.ours}: {said}", file=sys.stderr)
    return EXIT_CONFLICTS


def _into_working_tree() -> bool:
    """Whether git merges into the working tree (santamerge.git.writes_working_tree):
    only then is an attempt stored, and advice about the working tree printed."""
    return git.writes_working_tree(git.find_git_dir())


def _clean_check(
    args: DriverArgs, baseline: bytes, settings: Settings, seconds: float
) -> tuple[bytes, str] | None:
    """The marked file and what to tell, or None: nothing wrong, or anything failed or
    ran out of time (then git's clean merge stands, as without santamerge). tree-sitter
    is loaded only when both sides added a line defining one name."""
    from santamerge.languages.profiles import language_for_path

    profile = language_for_path(args.path or args.ours)
    if profile is None:
        return None
    try:
        with _deadline(seconds):
            texts = _clean_texts(args, baseline, settings.max_bytes)
            if texts is None:
                return None
            found = _clashes(args, texts, profile) if _maybe_clashing(texts) else None
            return found or _unloadable(args, texts, profile)
    except (Exception, _Timeout) as exc:
        _note_fallback(exc)
        return None


def _clean_texts(args: DriverArgs, baseline: bytes, limit: int) -> tuple[str, ...] | None:
    """Base, ours, theirs and git's merge; None when the merge is over the size limit."""
    if len(baseline) > limit:
        return None
    inputs = [_read(p, limit) for p in (args.base, args.ours, args.theirs)]
    return tuple(_decode(data) for data in [*inputs, baseline])


def _maybe_clashing(texts: tuple[str, ...]) -> bool:
    """Whether both sides added a line that may define one name."""
    from collections import Counter

    lines = Counter(texts[0].splitlines())
    added = [Counter(text.splitlines()) - lines for text in texts[1:3]]
    return bool(_heads(added[0]) & _heads(added[1]))


def _clashes(
    args: DriverArgs, texts: tuple[str, ...], profile: LanguageProfile
) -> tuple[bytes, str] | None:
    from santamerge.merge.locate import has_markers
    from santamerge.merge.structured.clashes import clash_report, mark

    base, ours, theirs, merged = texts
    if any(has_markers(t) for t in (base, ours, theirs)):
        return None
    found, unmarkable = clash_report(profile, ours, theirs, merged)
    if unmarkable and profile.name in ("json", "toml"):
        return None  # their strict loaders judge the merge (_unloadable)
    if unmarkable:  # a copy that cannot stand between markers alone: mark each change
        from santamerge.merge.loads import mark_changes

        names = ", ".join(f"`{n}`" for n in dict.fromkeys(unmarkable))
        marked = mark_changes(base, ours, theirs, merged, args.labels, args.marker_size)
        return (
            marked.encode("utf-8"),
            f"both sides added {names}; git's line merge kept both copies, one on a "
            "line a marker cannot stand beside: each side's changes are left marked "
            "as conflicts: keep one",
        )
    if not found:
        return None
    names = ", ".join(f"`{n}`" for n in dict.fromkeys(c.name for c in found))
    return (
        mark(merged, found, args.labels, args.marker_size).encode("utf-8"),
        f"both sides added {names}; git's line merge kept both copies, left marked as "
        "a conflict: keep one",
    )


def _unloadable(
    args: DriverArgs, texts: tuple[str, ...], profile: LanguageProfile
) -> tuple[bytes, str] | None:
    """A JSON or TOML merge that its strict loader refuses where both sides load: each
    side's changes marked (santamerge.merge.loads)."""
    if profile.name not in ("json", "toml"):
        return None
    from santamerge.merge.loads import load_failure, mark_changes
    from santamerge.merge.locate import has_markers

    base, ours, theirs, merged = texts
    why = load_failure(profile.name, ours, theirs, merged)
    if why is None or any(has_markers(t) for t in (base, ours, theirs)):
        return None
    marked = mark_changes(base, ours, theirs, merged, args.labels, args.marker_size)
    return (
        marked.encode("utf-8"),
        f"git's line merge does not load as {profile.name.upper()} ({why}) where both "
        "sides do; each side's changes are left marked as conflicts: choose what to keep",
    )


# A name (or a quoted key) before ``(``, ``<``, ``{``, ``:``, ``=``, ``;`` or ``,``. It
# starts only where a run of name characters starts (the lookbehind), and its quantifiers
# never give back, so a line is read once: a 40,000-character word used to be tried from
# each of its characters, each try to its end (quadratic, a minute). A name is the run
# from its first letter, ``_`` or ``$`` on, as a backtracking match found it.
_HEAD = r"(?<![\w$.-])(?:[^\WA-Za-z_]|[.-])*+([A-Za-z_$][\w$.-]*+)[\"'`]?\s*+[(<{:=;,]"
# A key that starts with a digit (``1:``, ``"404":``, ``1.0 =``), read the same way.
_NUMBER_HEAD = r"(?<![\w$.-])(\d[\w.]*+)[\"'`]?\s*+[:=]"
# What a key's value may hide in a line: escapes (``"bet\u0061"``, ``'\x74imeout'``, an
# escaped backslash left as it is) and adjacent string literals (``"time" "out"``).
_ESCAPED = (
    r"\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})"
    r"|x([0-9A-Fa-f]{2})|([0-7]{1,3})|N\{([A-Za-z0-9 -]{1,88})\}|\\)"
)
_ADJACENT = r"[\"']\s*+[rRbBuUfF]{0,2}[\"']"


def _heads(lines: Counter[str]) -> set[str]:
    """Names that added lines may define, loosely (_HEAD), each also as its value where
    that is cheap to read: a line with an escape or adjacent string literals is read
    again with those read (``"bet\\u0061"`` and ``"time" "out"`` are ``beta`` and
    ``timeout``), and numbers as numbers (``1``, ``1.0`` and ``True`` are one key). A
    clash needs both sides to add a line that defines the name, so where the two sets
    do not meet, nothing is parsed (most clean merges). Every pattern reads a line in
    one pass."""
    import re

    head, number = re.compile(_HEAD), re.compile(_NUMBER_HEAD)
    found: set[str] = set()
    for line in lines:
        for text in {line, _by_value(line)}:
            found.update(m.group(1) for m in head.finditer(text))
            found.update(_number(m.group(1)) for m in number.finditer(text))
    return found | {str(int(name == "True")) for name in found & {"True", "False"}}


def _by_value(line: str) -> str:
    """``line`` with its escapes read and its adjacent string literals joined, loosely:
    only names are read from it, and only to find more of them."""
    import re

    if "\\" in line:
        line = re.sub(_ESCAPED, _unescaped, line)
    if "'" in line or '"' in line:
        line = re.sub(_ADJACENT, "", line)
    return line


def _unescaped(match: re.Match[str]) -> str:
    import unicodedata

    code = next((group for group in match.groups() if group is not None), None)
    try:
        if code is None:
            return match.group(0)  # an escaped backslash
        if match.group(6) is not None:
            return unicodedata.lookup(code)
        return chr(int(code, 8 if match.group(5) is not None else 16))
    except (KeyError, ValueError, OverflowError):
        return match.group(0)


def _number(text: str) -> str:
    """A number key as its value (``1.0`` and ``0x1`` are ``1``); else its text."""
    digits = text.replace("_", "")
    try:
        return str(int(digits, 0))
    except ValueError:
        pass
    try:
        value = float(digits)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else repr(value)


def _catch_stop_signals() -> dict[int, Any]:
    saved: dict[int, Any] = {}
    for name in _STOP_SIGNALS:
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        with contextlib.suppress(OSError, ValueError):  # not the main thread
            saved[signum] = signal.signal(signum, _stop)
    return saved


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def _ignore_stop_signals() -> None:
    for name in _STOP_SIGNALS:
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_IGN)


def _restore_signals(saved: dict[int, Any]) -> None:
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _write(path: str, data: bytes) -> bool:
    """Write ``%A``; if it cannot be written, say so in one line and return False: ``%A``
    then still holds our side, git keeps all three in the index, and the exit status
    must report a conflict. Raises _Orphaned, having written nothing, when git no longer
    waits for it."""
    from santamerge.files import WriteAbandoned

    if _orphaned(path):
        raise _Orphaned()
    try:
        write_atomically(path, data, still_wanted=lambda: not _orphaned(path))
    except WriteAbandoned:
        raise _Orphaned() from None
    except OSError as exc:
        if not _TOLD:  # the write of git's own result that follows fails alike: one line
            _TOLD.append(path)
            print(
                f"santamerge: could not write the merge to {path} ({exc.strerror}); it "
                "still holds our side, and git keeps all three versions in the index",
                file=sys.stderr,
            )
        return False
    return True


def _orphaned(path: str) -> bool:
    """Whether git has given up on this driver: the process that started it (git's
    ``sh -c`` wrapper, or git) is gone, or ``%A`` was removed. git then reads ``%A`` as it
    is and removes it; a write after that would leave a stray ``.merge_file_*`` behind."""
    return (bool(_PARENT) and os.getppid() != _PARENT[0]) or not os.path.lexists(path)


def _improve(
    args: DriverArgs, baseline: bytes, settings: Settings, started: float
) -> tuple[list[bytes], bytes, Outcome, ProposalRecord, dict[str, Any] | None]:
    """The inputs, the result to write, its outcome, its record, and the model's facts
    and middles (None: the model was not asked)."""
    from santamerge.merge.locate import has_markers
    from santamerge.merge.pipeline import run_pipeline
    from santamerge.merge.ranking.policy import POLICIES
    from santamerge.merge.record import proposal_record

    _inject_fault()
    inputs = [_read(p, settings.max_bytes) for p in (args.base, args.ours, args.theirs)]
    texts = [_decode(data) for data in [*inputs, baseline]]
    if any(has_markers(t) for t in texts[:3]):
        raise _Unsupported("an input already holds conflict markers")
    policy = POLICIES.get(settings.policy)
    if policy is None:
        raise _Unsupported(f"unknown policy {settings.policy!r}")
    model = _ModelOpener(settings, started) if settings.driver_model else None
    # the repository's `santamerge learn` files: its measured methods (a small JSON read,
    # once per run) and, for a policy that decides by rank, its ranker adjustment
    git_dir = git.find_git_dir()
    merged = run_pipeline(
        texts[3],
        args.path or args.ours,
        args.marker_size,
        policy=policy,
        rank_all=False,
        ask_unresolved=model,
        git_dir=git_dir,
        sides=(texts[1], texts[2]),
    )
    record = proposal_record(merged.proposal, merged.outcome, args.labels)
    asked = model.record(merged.stored) if model is not None and merged.stored is not None else None
    return inputs, merged.outcome.text.encode("utf-8"), merged.outcome, record, asked


class _ModelOpener:
    """Opens the model for the pipeline's middles of the hunks left open, within what
    remains of the time budget, and never in this process; they are stored with the
    attempt and never written."""

    def __init__(self, settings: Settings, started: float) -> None:
        self.settings, self.started = settings, started
        self.facts: dict[str, Any] = {}

    def __call__(self) -> Backend:
        import time

        from santamerge.errors import SantamergeError
        from santamerge.model.backends.choose import choose_backend, open_backend

        left = self.settings.timeout - (time.monotonic() - self.started) - 1.0
        choice = choose_backend(self.settings, per_file=True)
        self.facts = {"backend": choice.kind, "where": choice.where}
        if choice.kind == "in process":
            raise SantamergeError(
                "no warm server (santamerge.server, or santamerge.autostart "
                "on): the driver never loads a model per file"
            )
        if left <= 0.5:
            raise SantamergeError("no time left for the model")
        timeout = min(self.settings.server_timeout, left)
        return open_backend(
            self.settings._replace(server_timeout=timeout), per_file=True, wait=max(0.0, left - 0.5)
        )

    def record(self, stored: StoredMiddles) -> dict[str, Any]:
        import time

        if stored.error is not None:
            return {**self.facts, "error": stored.error}
        return {
            **self.facts,
            "model": stored.model,
            "ms": round(1000 * (time.monotonic() - self.started)),
            "middles": [
                {"hunk": c.hunk, "method": c.method, "text": c.text, "note": c.note}
                for c in stored.middles
            ],
        }


def _read(path: str, limit: int) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _Unsupported(f"larger than {limit} bytes")
    if b"\0" in data:
        raise _Unsupported("binary")
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unsupported("not UTF-8") from None


class _deadline:
    """Raise _Timeout in the main thread after ``seconds`` (where SIGALRM exists)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = hasattr(signal, "setitimer") and seconds > 0

    def __enter__(self) -> None:
        if self.armed:
            signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)

    @staticmethod
    def _fire(signum: int, frame: object) -> None:
        raise _Timeout()


def _store(
    args: DriverArgs,
    files: dict[str, bytes],
    record: ProposalRecord,
    model: dict[str, Any] | None,
    keep: int,
) -> None:
    try:
        from santamerge.merge.workspace.attempts import store_attempt

        git_dir = git.find_git_dir()
        if git_dir is not None:
            head = git.head_from_files(git_dir)  # tells merges apart
            store_attempt(
                git_dir, args.path or os.path.basename(args.ours), files, record, keep, head, model
            )
    except Exception:
        pass


def _inject_fault() -> None:
    """A testing hook: SANTAMERGE_FAULT=crash|hang makes the guarded part fail
    (``hang-write`` hangs in the middle of a write instead: santamerge.files)."""
    fault = os.environ.get("SANTAMERGE_FAULT")
    if fault == "crash":
        raise RuntimeError("injected failure (SANTAMERGE_FAULT=crash)")
    if fault == "hang":
        import time

        time.sleep(3600)


def _note_fallback(exc: BaseException) -> None:
    if os.environ.get("SANTAMERGE_VERBOSE"):
        print(f"santamerge: gave git's own merge ({type(exc).__name__}: {exc})", file=sys.stderr)

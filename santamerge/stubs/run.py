"""What ``santamerge fill`` does, step by step: pick the files and their stubs, decide
whether the bodies are written, fill each file, and write it or hand back the proposal.

The command prints; this module returns typed results (:class:`Selection`,
:class:`FilledFile`). Picking the stubs loads no model: ``fill --check`` must not import
torch, so the model layer is imported only inside the functions that fill.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from santamerge.errors import SantamergeError
from santamerge.languages.profiles import code_language_for_path, language_for_path
from santamerge.stubs.detect import Stub, find_stubs, named_by

if TYPE_CHECKING:
    from santamerge.config import Settings
    from santamerge.model.backends.base import Backend
    from santamerge.stubs.evidence import Evidence
    from santamerge.stubs.fill import Filled

LANGUAGES = "Python, Java, JavaScript, TypeScript, Go and Rust"


class Selection(NamedTuple):
    """The files ``fill`` works on, and their stubs."""

    texts: dict[str, str]  # path -> text, for the readable files santamerge can parse
    stubs: dict[str, list[Stub]]  # path -> its stubs (those that --only names)

    @property
    def total(self) -> int:
        """How many stubs, in all the files."""
        return sum(len(found) for found in self.stubs.values())


class Filler(NamedTuple):
    """How ``fill`` fills: the backend, and whether it writes, on what evidence."""

    backend: Backend
    model: str  # the model setting
    mode: str  # "write", "diff" (asked not to write) or "propose" (no evidence to write)
    evidence: Evidence | None


class FilledFile(NamedTuple):
    """One file after filling: what happened to each stub, and the new text."""

    path: str
    text: str
    new: str
    results: tuple[Filled, ...]
    written: bool

    @property
    def proposed(self) -> int:
        """How many bodies this file got (written or proposed)."""
        return sum(r.chosen is not None for r in self.results) if self.new != self.text else 0

    def diff(self) -> list[str]:
        """The new text as a unified diff of the file."""
        import difflib

        return list(
            difflib.unified_diff(
                self.text.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


def select_stubs(
    paths: Sequence[str], named: bool, only: str | None, warn: Callable[[str], None]
) -> Selection:
    """The stubs of ``paths`` (named on the command line, or else the staged files) that
    ``only`` names; ``warn`` gets each file skipped and each note, as they come."""
    texts = _read_files(paths, named, warn)
    stubs = {
        path: [s for s in find_stubs(path, text) if named_by(s, only)]
        for path, text in texts.items()
    }
    selection = Selection(texts, stubs)
    if only is not None and not selection.total:
        warn(explain_only(only, texts, named))
    return selection


def _read_files(paths: Sequence[str], named: bool, warn: Callable[[str], None]) -> dict[str, str]:
    texts: dict[str, str] = {}
    unsupported = []
    for path in paths:
        if path.lower().endswith(".pyi"):
            continue  # stubs by design: never filled
        if code_language_for_path(path) is None:
            if named:
                unsupported.append(path)
            continue
        try:
            texts[path] = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SantamergeError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            warn(f"{path}: not UTF-8, skipped")
    if unsupported:
        warn(_unsupported(unsupported, len(paths)))
    return texts


def _unsupported(skipped: list[str], total: int) -> str:
    """The warning for named files without a grammar; an error when no file has one."""
    names = ", ".join(skipped)
    if len(skipped) == total:
        raise SantamergeError(
            f"{names}: santamerge has no grammar for "
            f"{'this kind of file' if total == 1 else 'these files'}; "
            f"fill works on {LANGUAGES} files"
        )
    return (
        f"warning: {names} skipped: no grammar for "
        f"{'this kind of file' if len(skipped) == 1 else 'these kinds of file'} "
        f"(fill works on {LANGUAGES} files)"
    )


def explain_only(only: str, texts: dict[str, str], named: bool) -> str:
    """``--only NAME`` matched no stub: a note when a function of that name exists and
    is not a stub; an error when none exists (a typo)."""
    from santamerge.treesitter import matches, node_text, parse, query

    short = only.rsplit(".", 1)[-1]
    for path, text in texts.items():
        profile = language_for_path(path)
        q = query(profile, "stubs") if profile is not None else None
        if profile is None or q is None:
            continue
        for match in matches(q, parse(profile, text).root_node):
            if any(node_text(n) == short for n in match.get("name", [])):
                return f"{only} is not a stub; nothing to fill"
    where = ", ".join(texts) if texts else ("the files given" if named else "the staged files")
    raise SantamergeError(
        f"--only {only}: no function or method of that name in {where}; "
        "check the spelling (`santamerge fill --check` lists the stubs)"
    )


def open_filler(settings: Settings, mode: str | None) -> Filler:
    """The backend, and the mode: ``mode`` when asked (``write`` or ``diff``), else
    ``write`` when the setting fill_write or the model's evidence says so, or ``propose``."""
    from santamerge.model.backends.choose import open_backend
    from santamerge.stubs.evidence import fill_evidence

    evidence = fill_evidence(settings.model)
    if mode is None:
        sufficient = evidence is not None and evidence.sufficient
        mode = "write" if settings.fill_write or sufficient else "propose"
    return Filler(open_backend(settings, per_file=True), settings.model, mode, evidence)


def fill_files(
    filler: Filler,
    selection: Selection,
    samples: int,
    only: str | None,
    progress: Callable[[int], None],
) -> Iterator[FilledFile]:
    """Fill the stubs of each selected file with ``samples`` bodies sampled per stub;
    in the mode ``write``, write each file that changed before it is yielded."""
    from santamerge.files import write_atomically
    from santamerge.stubs.fill import fill_text
    from santamerge.stubs.retrieval import repo_root_of

    for path, text in selection.texts.items():
        if not selection.stubs[path]:
            continue
        new, results = fill_text(
            filler.backend, path, text, repo_root_of(path), n=samples, only=only, progress=progress
        )
        written = filler.mode == "write" and new != text
        if written:
            write_atomically(path, new.encode("utf-8"))
        yield FilledFile(path, text, new, tuple(results), written)

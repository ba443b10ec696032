"""Two changes of one version value are a conflict (issue 24, item 6).

Where both sides change one version value, each to another value (``version =
"1.2.4"`` against ``"1.3.0"``; a dependency's version in package.json, Cargo.toml,
pyproject.toml, go.mod, pom.xml or a requirements file; ``__version__``, ``VERSION``), or
both add one key with different versions, no method may pick one, or merge them digit
by digit: which release a branch makes is a person's decision. Every candidate of such
a hunk is refused, whatever method wrote it.

A version value is a token like ``1.2.3``, ``v2.0`` or ``^4.17.1`` on a line, and the
line with the token masked is its key: the same key on each side is the same value.
A two-part number (``1.5``) counts only on a line that names a version, or in a
manifest, so that code's floats are not versions. Only the hunk's three texts are read;
the result is kept per hunk in the gate baseline's memo.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from santamerge.merge.types import ConflictHunk, ParsedMerge

_VERSION = re.compile(
    r"(?<![\w.])(?P<op>[~^=<>!]=?|~=|==)?\s*(?P<v>v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?"
    r"|\d+\.\d+\.\d+)(?![\w.])"
)
_THREE_PARTS = re.compile(r"\d+\.\d+\.\d+|^v\d")
_NAMES_VERSION = re.compile(r"version|release", re.IGNORECASE)
_MANIFESTS = re.compile(
    r"(?:^|/)(?:package\.json|cargo\.toml|pyproject\.toml|go\.mod|pom\.xml|setup\.py|setup\.cfg"
    r"|build\.gradle(?:\.kts)?|gemfile|composer\.json|requirements[^/]*\.txt|[^/]*\.csproj)$",
    re.IGNORECASE,
)
_MASK = "\x00"


class Baseline(Protocol):
    @property
    def parsed(self) -> ParsedMerge: ...
    @property
    def path(self) -> str: ...
    @property
    def memo(self) -> dict[str, Any] | None: ...


def versions(text: str, manifest: bool) -> dict[str, list[str]]:
    """Each version value's key (its line, the value masked, spaces dropped) with its
    values, in order."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        matches = [
            m
            for m in _VERSION.finditer(line)
            if manifest or _THREE_PARTS.search(m.group("v")) or _NAMES_VERSION.search(line)
        ]
        if not matches:
            continue
        key = "".join(_VERSION.sub(_MASK, line).split()).rstrip(",;")
        found.setdefault(key, []).append(" ".join("".join(m.group(0).split()) for m in matches))
    return found


def _readable(key: str) -> str:
    return key.replace(_MASK, "…")[:60]


def hunk_conflict(hunk: ConflictHunk, path: str) -> str | None:
    """Why the hunk's sides change one version value two ways, or None."""
    manifest = bool(_MANIFESTS.search(path))
    ours, theirs = versions(hunk.ours, manifest), versions(hunk.theirs, manifest)
    if not ours or not theirs:
        return None
    base = versions(hunk.base or "", manifest)
    for key in ours.keys() & theirs.keys():
        a, b = ours[key], theirs[key]
        was = base.get(key, [])
        if len(a) != len(b):
            continue
        if was and len(was) != len(a):
            continue
        for k, (mine, other) in enumerate(zip(a, b, strict=True)):
            old = was[k] if was else None
            if mine != other and mine != old and other != old:
                if old is None:
                    return (
                        f"both sides add `{_readable(key)}` with other versions: "
                        f"ours {mine}, theirs {other}"
                    )
                return (
                    f"both sides change the version in `{_readable(key)}`: "
                    f"{old} to {mine} (ours) and to {other} (theirs)"
                )
    return None


def version_conflicts(baseline: Baseline, hunks: list[int]) -> list[tuple[int, str]]:
    """(hunk, reason) for each of ``hunks`` whose sides change one version value two
    ways."""
    if baseline.memo is None:
        return []
    known: dict[int, str | None] = baseline.memo.setdefault("versions", {})
    found = []
    for i in hunks:
        if i not in known:
            known[i] = hunk_conflict(baseline.parsed.hunks[i], baseline.path)
        why = known[i]
        if why is not None:
            found.append((i, why))
    return found

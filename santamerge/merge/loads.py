"""A clean line merge that does not load: left as a conflict, each side's change marked.

git merges a JSON or TOML file cleanly when the two sides changed different lines, and
those lines can still contradict each other: ours' dotted key ``lint.select`` under
``[tool.ruff]`` and theirs' ``[tool.ruff.lint]`` table further down declare one table
twice, and tomllib refuses the file git wrote (issue 22, item 4). Where both sides load
with a strict loader (:data:`LOADERS`, which the gates use too: JSON without a key twice
in one object, TOML by tomllib) and git's merge does not, the driver writes no such
file: each region where a side changed the base becomes a diff3 conflict, ours against
theirs with the base between, so that a person decides; the side that left a region
alone shows the base there. No line is lost or moved: taking ours in every conflict
gives ours, taking theirs gives theirs, and taking in each the side that changed it
gives git's merge. Where the regions found here (difflib) would not give git's merge,
one conflict spans every change instead.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class _Region(NamedTuple):
    start: int  # the base's lines [start, end)
    end: int
    ours: list[str]  # what each side has in their place
    theirs: list[str]


def load_failure(language: str, ours: str, theirs: str, merged: str) -> str | None:
    """Why ``merged`` does not load where both sides do, in a few words; None when it
    loads, when a side does not load either (then the merge is not to blame), or when
    ``language`` has no strict loader here."""
    load = LOADERS.get(language)
    if load is None:
        return None
    failure = load(merged)
    if failure is None or any(load(side) is not None for side in (ours, theirs)):
        return None
    return failure[0]  # its line is git's merge's, not the marked file's


def mark_changes(
    base: str, ours: str, theirs: str, merged: str, labels: tuple[str, str, str], size: int
) -> str:
    """``merged`` (git's clean merge of the three) as conflicts: each region a side
    changed in its own diff3 hunk (see the module's text)."""
    texts = [_lines(text) for text in (base, ours, theirs)]
    regions = _regions(*texts)
    if _taken(texts[0], regions) != merged:
        regions = [_everything(*texts)]
    first = merged.find("\n")
    newline = "\r\n" if first > 0 and merged[first - 1] == "\r" else "\n"
    parts, at = [], 0
    for region in regions:
        parts += texts[0][at : region.start]
        parts += [
            f"{'<' * size} {labels[0]}{newline}",
            _section(region.ours, newline),
            f"{'|' * size} {labels[1]}{newline}",
            _section(texts[0][region.start : region.end], newline),
            f"{'=' * size}{newline}",
            _section(region.theirs, newline),
            f"{'>' * size} {labels[2]}{newline}",
        ]
        at = region.end
    return "".join([*parts, *texts[0][at:]])


def _lines(text: str) -> list[str]:
    """Lines at ``\\n`` only, with their ends: a marker must never land inside a line
    (str.splitlines also splits at a form feed or U+2028, which a JSON string may hold)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _section(lines: list[str], newline: str) -> str:
    """A conflict's section; a last line without its line end gets one, as git's own
    markers give it, so that the next marker starts a line."""
    text = "".join(lines)
    return text + newline if text and not text.endswith("\n") else text


def _regions(base: list[str], ours: list[str], theirs: list[str]) -> list[_Region]:
    """The base's regions that either side changed, in order; changes of the two sides
    that overlap or touch share one region."""
    from difflib import SequenceMatcher

    changes = sorted(
        (i1, i2, side, j1, j2)
        for side, lines in enumerate((ours, theirs))
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, lines, autojunk=False).get_opcodes()
        if tag != "equal"
    )
    groups: list[list[tuple[int, int, int, int, int]]] = []
    end = -1
    for change in changes:
        if groups and change[0] <= end:
            groups[-1].append(change)
            end = max(end, change[1])
        else:
            groups.append([change])
            end = change[1]
    regions = []
    for group in groups:
        start, stop = group[0][0], max(change[1] for change in group)
        regions.append(
            _Region(
                start,
                stop,
                _side(base, ours, [c for c in group if c[2] == 0], start, stop),
                _side(base, theirs, [c for c in group if c[2] == 1], start, stop),
            )
        )
    return regions


def _side(
    base: list[str],
    lines: list[str],
    changes: list[tuple[int, int, int, int, int]],
    start: int,
    end: int,
) -> list[str]:
    """What one side has in place of the base's lines [start, end): its changes there,
    the base's lines between them (which it kept)."""
    out, at = [], start
    for i1, i2, _, j1, j2 in changes:
        out += base[at:i1] + lines[j1:j2]
        at = i2
    return out + base[at:end]


def _taken(base: list[str], regions: list[_Region]) -> str | None:
    """The file with each region as the side that changed it; None when both did."""
    parts, at = [], 0
    for region in regions:
        old = base[region.start : region.end]
        if region.ours != old and region.theirs != old:
            return None
        parts += base[at : region.start] + (region.ours if region.ours != old else region.theirs)
        at = region.end
    return "".join([*parts, *base[at:]])


def _everything(base: list[str], ours: list[str], theirs: list[str]) -> _Region:
    """One region from the first line the three do not share to the last."""
    texts = (base, ours, theirs)
    shortest = min(len(t) for t in texts)
    head = 0
    while head < shortest and base[head] == ours[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < shortest - head and base[-1 - tail] == ours[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    return _Region(
        head, len(base) - tail, ours[head : len(ours) - tail], theirs[head : len(theirs) - tail]
    )


# -- the strict loaders: the text -> why it does not load and on which line, or None ----
# (here, not in santamerge.merge.gates, so that the driver's clean path loads no
# tree-sitter for them)


def _load_json(text: str) -> tuple[str, int | None] | None:
    import json

    def refuse_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise _Twice(key)
            found[key] = value
        return found

    try:
        json.loads(text, object_pairs_hook=refuse_twice)
    except _Twice as twice:
        return f"the key {json.dumps(twice.args[0], ensure_ascii=False)} twice in one object", None
    except json.JSONDecodeError as exc:
        return exc.msg, exc.lineno
    except (ValueError, RecursionError) as exc:
        return str(exc) or type(exc).__name__, None
    return None


def _load_toml(text: str) -> tuple[str, int | None] | None:
    import re
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column \d+\)$", message)
        return (message[: at.start()].strip(), int(at.group(1))) if at else (message, None)
    except (ValueError, RecursionError) as exc:
        return str(exc) or type(exc).__name__, None
    return None


class _Twice(ValueError):
    """A JSON object with one key twice."""


LOADERS = {"json": _load_json, "toml": _load_toml}

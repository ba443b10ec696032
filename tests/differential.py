"""The differential no-lost-line harness: random three-way merges of code-like text, and
the properties every writer of a person's files must keep against git's own merge.

Used by tests/test_no_lost_lines.py (a bounded, fixed run in CI) and by
tests/bench/no_lost_lines.py (the long run recorded in docs/no-lost-lines.md).

The generator builds a base file in one of the six languages from items (imports,
functions, classes, members) and noise (comments, Unicode, tabs, blank and
whitespace-only lines, very long lines, lines that look like conflict markers), then
edits it twice, once per side, often at the same place: added items, the same item
added by both sides alike or with a difference in a comment, a line ending, indentation
or trailing whitespace, duplicated and deleted items, changed lines, changed line
endings, whitespace alone (CRLF on one side or on one item, tabs for spaces), a missing
final newline, one side deleting everything. One merge in five is of a config file
instead (JSON, YAML, TOML, a Python dict; ``generate_config``): the sides add keys at one
place, often one key in two spellings (quotes, escapes, adjacent literals), TOML dotted
keys against ``[table]`` headers and a scalar against a table. About one merge in 500
gets a line of 40,000 characters.

The properties, checked against ``git merge-file --diff3`` of the same three files:

- the exit status is 0 or 1, and 0 exactly when no hunk is left marked;
- a hunk left marked is git's own hunk, byte for byte;
- outside the hunks, the file is git's own merge, byte for byte;
- a hunk written by an order-free union holds every line of both sides, byte for byte
  and as often as each side has it, and no line (or extra copy of a line) that the two
  sides' additions do not give; one written by the tree merge holds every line that a
  side added or changed, and no line the sides do not give (``merge_problem``);
- a merged hunk keeps each line's whitespace: a line taken from a side is that side's
  line, byte for byte, line ending and indentation included (``whitespace_problem``);
- where santamerge steps aside (markers already in an input, not UTF-8, binary), the
  file is git's own result;
- a written JSON, YAML or TOML file loads with a strict loader (no key twice) wherever
  ours and theirs load, and no mapping (a JSON object, a YAML mapping, a TOML table, a
  Python dict literal) binds a key twice by value where neither side does
  (``file_problems``; a file with hunks left marked is judged with them as ours);
- a hunk a person edited inside its markers is left byte for byte (``edits_kept``:
  ``resolve --accept``, and the review when the file changes while it is open).

Nothing here uses santamerge's own checks to judge santamerge: the splitting of a
result into git's chunks and the line counting are written again below.
"""

from __future__ import annotations

import functools
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

LABELS = ("ours", "base", "theirs")
MARKER_LIKE = ("=======", "<<<<<<< HEAD", ">>>>>>> feature", "||||||| merged common ancestors")


class Merge(NamedTuple):
    """Three files to merge, and the repository path that picks their language."""

    path: str
    base: bytes
    ours: bytes
    theirs: bytes


# -- the generator ----------------------------------------------------------------------

Line = tuple[str, str]  # the text, and its line ending ("\n", "\r\n" or "")
Segment = list[Line]
NAMES = ("alpha", "beta", "gamma", "load", "save")
MODULES = ("os", "re", "json", "sys", "util")


class Kit(NamedTuple):
    ext: str
    head: tuple[str, ...]  # lines before the imports
    middle: tuple[str, ...]  # lines between the imports and the definitions
    tail: tuple[str, ...]  # lines after the definitions
    comment: str
    imports: Callable[[random.Random], list[str]]
    definitions: Callable[[random.Random], list[str]]


def _py_import(rng: random.Random) -> list[str]:
    module = rng.choice(MODULES)
    if rng.random() < 0.5:
        return [f"import {module}"]
    return [f"from {module} import {rng.choice(NAMES)}"]


def _py_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice(
        [
            [f"def {name}(x):", "    return x"],
            [f"def {name}(x):", "    return x + 1"],
            [f"def {name}(x):", "    if x:", "        log(x)", "    return x"],
            [f"def {name}(x):", "    if x:", "        log(x)", "        return x"],
            [f"def {name}(x):", "\treturn x"],
            [f"class {name.title()}:", "    def run(self):", "        return 1"],
            [f"class {name.title()}:", "    def run(self):", "        return 2"],
            ["@cache", f"def {name}():", "    return 2"],
            ["with open(p) as fh:", "    data = fh.read()"],
            ["with open(p) as fh:"],
            [f"{name.upper()} = {rng.randint(0, 3)}"],
        ]
    )


def _java_import(rng: random.Random) -> list[str]:
    return [f"import java.util.{rng.choice(NAMES).title()};"]


def _java_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice(
        [
            [f"    int {name}() {{", "        return 1;", "    }"],
            [f"    int {name}() {{", "        return 2;", "    }"],
            [f"    int {name}(int x) {{", "        return x;", "    }"],
            [f"    private int {name} = 1;"],
            [f"    void {name}() {{"],
        ]
    )


def _js_import(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice([[f"const {name} = require('{name}');"], [f"import {name} from './{name}';"]])


def _js_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice(
        [
            [f"function {name}() {{", "  return 1;", "}"],
            [f"function {name}() {{", "  return 2;", "}"],
            [f"function {name}(a) {{", "\treturn a;", "}"],
            [f"const {name}Value = {rng.randint(0, 3)};"],
            [f"function {name}() {{"],
        ]
    )


def _ts_import(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return [f"import {{ {name} }} from './{name}';"]


def _ts_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice(
        [
            [f"export function {name}(x: number): number {{", "  return x;", "}"],
            [f"export function {name}(x: number): number {{", "  return x + 1;", "}"],
            [f"export interface {name.title()} {{", "  id: number;", "}"],
            [f"export const {name}Value: number = {rng.randint(0, 3)};"],
        ]
    )


def _go_import(rng: random.Random) -> list[str]:
    return [f'import "{rng.choice(MODULES)}"']


def _go_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES).title()
    return rng.choice(
        [
            [f"func {name}() int {{", "\treturn 1", "}"],
            [f"func {name}() int {{", "\treturn 2", "}"],
            [f"func (s *Server) {name}() int {{", "\treturn 3", "}"],
            [f"var {name}Value = {rng.randint(0, 3)}"],
        ]
    )


def _rust_import(rng: random.Random) -> list[str]:
    return [f"use std::{rng.choice(MODULES)};"]


def _rust_definition(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return rng.choice(
        [
            [f"fn {name}() -> i32 {{", "    1", "}"],
            [f"fn {name}() -> i32 {{", "    2", "}"],
            [f"pub fn {name}(x: i32) -> i32 {{", "    x", "}"],
            [f"const {name.upper()}: i32 = {rng.randint(0, 3)};"],
        ]
    )


KITS = (
    Kit("py", (), (), (), "#", _py_import, _py_definition),
    Kit(
        "java",
        ("package app;",),
        ("", "public class App {"),
        ("}",),
        "//",
        _java_import,
        _java_definition,
    ),
    Kit("js", ('"use strict";',), (), (), "//", _js_import, _js_definition),
    Kit("ts", (), (), (), "//", _ts_import, _ts_definition),
    Kit("go", ("package main",), (), (), "//", _go_import, _go_definition),
    Kit("rs", (), (), (), "//", _rust_import, _rust_definition),
)


class _Doc(NamedTuple):
    imports: list[Segment]
    definitions: list[Segment]


def _noise(rng: random.Random, kit: Kit) -> list[str]:
    return rng.choice(
        [
            [f"{kit.comment} note"],
            [f"{kit.comment} café ünïcödé 中文 🚀"],
            [""],
            ["   "],
            [f"{kit.comment} " + "x" * rng.choice((200, 3000))],
            [rng.choice(MARKER_LIKE)] if rng.random() < 0.2 else [f"{kit.comment} todo"],
        ]
    )


def _segment(lines: Sequence[str], eol: str) -> Segment:
    return [(line, eol) for line in lines]


def _item(rng: random.Random, kit: Kit, zone: str, eol: str) -> Segment:
    if rng.random() < 0.15:
        return _segment(_noise(rng, kit), eol)
    lines = (kit.imports if zone == "imports" else kit.definitions)(rng)
    if zone == "definitions" and kit.ext in ("py", "js", "ts", "go", "rs") and rng.random() < 0.7:
        lines = ["", *lines]  # a blank line before a definition, as people write them
    if rng.random() < 0.2:
        lines = [f"{kit.comment} {rng.choice(NAMES)} comes first", *lines]
    return _segment(lines, eol)


def _tweak(rng: random.Random, segment: Segment, kit: Kit) -> Segment:
    """The same addition with one small difference (or none)."""
    lines = list(segment)
    which = rng.randrange(len(lines))
    text, eol = lines[which]
    kind = rng.choice(["same", "same", "comment", "crlf", "indent", "trailing", "twice", "word"])
    if kind == "comment":
        lines.insert(0, (f"{kit.comment} needed by the fix", eol))
    elif kind == "crlf":
        lines[which] = (text, "\r\n" if eol != "\r\n" else "\n")
    elif kind == "indent":
        lines[which] = (("    " + text) if rng.random() < 0.5 else text.lstrip(), eol)
    elif kind == "trailing":
        lines[which] = (text + " ", eol)
    elif kind == "twice":
        lines = lines + lines
    elif kind == "word" and text:
        lines[which] = (text.replace("1", "9", 1) if "1" in text else text + "x", eol)
    return lines


def _edit(
    rng: random.Random,
    doc: _Doc,
    kit: Kit,
    eol: str,
    spots: list[tuple[str, int]],
    shared: list[Segment | None],
) -> None:
    """Edit ``doc`` in place: one to three changes, often at the shared spots."""
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        zone = rng.choice(["imports", "definitions"])
        segments = getattr(doc, zone)
        if op < 0.55:  # add at a shared spot (both sides add at the same place)
            which = rng.randrange(len(spots))
            zone, at = spots[which]
            segments = getattr(doc, zone)
            if shared[which] is not None and rng.random() < 0.35:
                new = _tweak(rng, shared[which] or [], kit)  # the other side's, or nearly
            else:
                new = _item(rng, kit, zone, "\r\n" if rng.random() < 0.1 else eol)
                shared[which] = new
            segments.insert(min(at, len(segments)), new)
        elif op < 0.65:  # add somewhere
            segments.insert(rng.randint(0, len(segments)), _item(rng, kit, zone, eol))
        elif op < 0.75 and segments:  # delete
            segments.pop(rng.randrange(len(segments)))
        elif op < 0.85 and segments:  # change a line
            k = rng.randrange(len(segments))
            segments[k] = _tweak(rng, segments[k], kit)
        elif op < 0.9 and segments:  # duplicate
            k = rng.randrange(len(segments))
            segments.insert(k, list(segments[k]))
        elif op < 0.93 and segments:  # line endings
            k = rng.randrange(len(segments))
            segments[k] = [(t, "\r\n" if e == "\n" else "\n") for t, e in segments[k]]
        elif op < 0.95:  # delete everything
            doc.imports.clear()
            doc.definitions.clear()
        elif op < 0.98:  # whitespace alone: every line ending CRLF, or tabs for spaces
            _whitespace(rng, doc)


def _whitespace(rng: random.Random, doc: _Doc) -> None:
    """A side's whitespace edit (issue 22): all its items' line endings made CRLF, one
    item's made CRLF, or one item re-indented with tabs for four spaces (or back)."""
    places = [(zone, k) for zone in (doc.imports, doc.definitions) for k in range(len(zone))]
    if not places:
        return
    kind = rng.choice(["crlf everywhere", "crlf", "tabs"])
    if kind != "crlf everywhere":
        places = [rng.choice(places)]
    swap = ("    ", "\t") if rng.random() < 0.7 else ("\t", "    ")
    for zone, k in places:
        if kind == "tabs":
            zone[k] = [
                (swap[1] + t[len(swap[0]) :] if t.startswith(swap[0]) else t, e) for t, e in zone[k]
            ]
        else:
            zone[k] = [(t, "\r\n" if e else e) for t, e in zone[k]]


def _render(doc: _Doc | None, kit: Kit, eol: str, final_newline: bool) -> str:
    if doc is None:
        return ""
    lines: list[Line] = [(line, eol) for line in kit.head]
    if kit.head and doc.imports:
        lines.append(("", eol))
    for segment in doc.imports:
        lines.extend(segment)
    lines.extend((line, eol) for line in kit.middle)
    for segment in doc.definitions:
        lines.extend(segment)
    lines.extend((line, eol) for line in kit.tail)
    text = "".join(t + e for t, e in lines)
    if not final_newline:
        text = text.rstrip("\r\n")
    return text


def generate(rng: random.Random) -> Merge:
    """One random three-way merge: of code (one case in five: of a config file), and in
    about one case in 500 with a line of 40,000 characters."""
    merge = generate_config(rng) if rng.random() < CONFIG_SHARE else _generate_code(rng)
    if rng.random() < LONG_LINE_SHARE:
        merge = _with_long_line(rng, merge)
    return merge


def _generate_code(rng: random.Random) -> Merge:
    """One random three-way merge of code."""
    kit = rng.choice(KITS)
    eol = rng.choices(["\n", "\r\n", "mixed"], weights=[85, 12, 3])[0]
    base_eol = "\r\n" if eol == "mixed" else eol
    base = _Doc(
        [_item(rng, kit, "imports", base_eol) for _ in range(rng.randint(0, 4))],
        [_item(rng, kit, "definitions", base_eol) for _ in range(rng.randint(0, 5))],
    )
    if eol == "mixed":
        for segment in base.definitions:
            segment[:] = [(t, rng.choice(["\n", "\r\n"])) for t, _ in segment]
    spots = [
        (zone, rng.randint(0, len(getattr(base, zone))))
        for zone in rng.sample(["imports", "definitions"], rng.randint(1, 2))
    ]
    shared: list[Segment | None] = [None] * len(spots)
    sides = []
    for _ in range(2):
        doc = _Doc([list(s) for s in base.imports], [list(s) for s in base.definitions])
        _edit(rng, doc, kit, base_eol, spots, shared)
        sides.append(doc)
    empty_base = rng.random() < 0.08
    texts = [
        _render(None if empty_base else base, kit, base_eol, rng.random() > 0.08),
        *(_render(d, kit, base_eol, rng.random() > 0.08) for d in sides),
    ]
    data = [t.encode("utf-8") for t in texts]
    if rng.random() < 0.01:  # not UTF-8, or binary
        k = rng.randrange(3)
        data[k] += rng.choice([b"\xff\xfe bad\n", b"\0\0binary\n"])
    return Merge(f"src/app.{kit.ext}", data[0], data[1], data[2])


# -- the config generator (issue 22) ----------------------------------------------------

CONFIG_SHARE = 0.2  # of the generated merges, those of a config file
LONG_LINE_SHARE = 0.002  # of the generated merges, those with a line of 40,000 characters
LONG_LINE = 40_000
CONFIG_EXTS = ("json", "yaml", "toml", "py")
# Keys the sides add, often both at one place, each in a spelling of its own.
CONFIG_KEYS = ("alpha", "beta", "timeout", "lint", "select")
BASE_KEYS = ("name", "version", "line-length", "debug", "alpha")
SECTION_NAMES = {
    "toml": ("tool.ruff", "server", "tool.ruff.lint", "lint"),
    "other": ("tool", "server", "lint", "beta"),
}


class _Section(NamedTuple):
    name: str  # as the language reads it
    spelled: str  # as this side wrote it (a TOML header's text, or a key)
    entries: list[Segment]


class _Config(NamedTuple):
    top: list[Segment]  # one line each: ``key: value`` without indentation or comma
    sections: list[_Section]  # nested mappings (TOML: tables), after the top's keys


def _u(char: str) -> str:
    return f"\\u{ord(char):04x}"


def _spell(rng: random.Random, ext: str, key: str) -> str:
    """``key`` as a side may write it: quoted, single-quoted, bare where the language
    allows, with an escape, or as two adjacent literals; every spelling is one key."""
    head, last = key[:-1], key[-1]
    options = {
        "json": [f'"{key}"', f'"{key}"', f'"{head}{_u(last)}"', f'"{_u(key[0])}{key[1:]}"'],
        "py": [
            f'"{key}"',
            f"'{key}'",
            f'"{head}\\x{ord(last):02x}"',
            f"'{_u(key[0])}{key[1:]}'",
            f'"{key[:2]}" "{key[2:]}"',
        ],
        "yaml": [
            key,
            key,
            f'"{key}"',
            f"'{key}'",
            f'"{head}\\x{ord(last):02x}"',
            f'"{head}{_u(last)}"',
        ],
        "toml": [key, key, f'"{key}"', f"'{key}'", f'"{head}{_u(last)}"'],
    }[ext]
    return rng.choice(options)


def _spell_dotted(rng: random.Random, ext: str, name: str) -> str:
    """A dotted TOML name (a table header's, or a dotted key), each part spelled."""
    if ext != "toml":
        return _spell(rng, ext, name)
    parts = [_spell(rng, ext, part) if "-" not in part else part for part in name.split(".")]
    return rng.choice([".", ".", " . "]).join(parts)


def _config_value(rng: random.Random, ext: str) -> str:
    n = rng.randint(0, 99)
    return rng.choice([str(n), f'"v{n}"', "True" if ext == "py" else "true", f'["E", "F{n}"]'])


def _config_entry(rng: random.Random, ext: str, key: str, eol: str) -> Segment:
    sep = " = " if ext == "toml" else ": "
    spelled = _spell_dotted(rng, ext, key) if "." in key else _spell(rng, ext, key)
    return [(f"{spelled}{sep}{_config_value(rng, ext)}", eol)]


def _config_base(rng: random.Random, ext: str, eol: str) -> _Config:
    top = [_config_entry(rng, ext, key, eol) for key in rng.sample(BASE_KEYS, rng.randint(0, 3))]
    names = ["tool.ruff"] if ext == "toml" and rng.random() < 0.7 else []
    pool = [n for n in ("server", "tool") if n not in names]
    names += rng.sample(pool, rng.randint(0, 2 - len(names)))
    sections = []
    for name in names:
        name = "tool" if name == "tool" and ext == "toml" else name
        keys = ["line-length"] if name == "tool.ruff" else []
        keys += rng.sample([k for k in BASE_KEYS if k not in keys], rng.randint(0, 2))
        sections.append(
            _Section(
                name,
                _spell_dotted(rng, ext, name),
                [_config_entry(rng, ext, key, eol) for key in keys],
            )
        )
    return _Config(top, sections)


def _edit_config(
    rng: random.Random,
    doc: _Config,
    ext: str,
    eol: str,
    spots: list[tuple[int, int]],
    shared: list[str | None],
) -> None:
    """Edit ``doc`` in place: one to three changes, often one key added by both sides at
    one place (in two spellings), a table added against a dotted key or a scalar."""
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        places = [doc.top, *(s.entries for s in doc.sections)]
        if op < 0.5:  # a key added at a shared spot, often the other side's key
            which = rng.randrange(len(spots))
            where, at = spots[which]
            entries = doc.top if where < 0 else doc.sections[where].entries
            key = shared[which] if shared[which] and rng.random() < 0.6 else rng.choice(CONFIG_KEYS)
            shared[which] = key
            entries.insert(min(at, len(entries)), _config_entry(rng, ext, key, eol))
        elif op < 0.62:  # a section (a table) added at the end
            names = SECTION_NAMES["toml" if ext == "toml" else "other"]
            name = rng.choice(names)
            doc.sections.append(
                _Section(
                    name,
                    _spell_dotted(rng, ext, name),
                    [
                        _config_entry(rng, ext, rng.choice(CONFIG_KEYS), eol)
                        for _ in range(rng.randint(0, 2))
                    ],
                )
            )
        elif op < 0.7 and ext == "toml":  # a dotted key, or a scalar, where a table may come
            ruff = [s for s in doc.sections if s.name == "tool.ruff"]
            entries = ruff[0].entries if ruff else doc.top
            key = rng.choice(
                ["lint.select", "lint", "tool.ruff.lint.ignore"]
                if not ruff
                else ["lint.select", "lint"]
            )
            entries.insert(rng.randint(0, len(entries)), _config_entry(rng, ext, key, eol))
        elif op < 0.8 and any(places):  # a value changed
            entries = rng.choice([p for p in places if p])
            k = rng.randrange(len(entries))
            text, end = entries[k][0]
            sep = " = " if ext == "toml" else ": "
            entries[k] = [(text.split(sep)[0] + sep + _config_value(rng, ext), end)]
        elif op < 0.88 and any(places):  # a key deleted
            entries = rng.choice([p for p in places if p])
            entries.pop(rng.randrange(len(entries)))
        elif op < 0.94 and any(places):  # one line's ending changed
            entries = rng.choice([p for p in places if p])
            k = rng.randrange(len(entries))
            entries[k] = [(t, "\r\n" if e == "\n" else "\n") for t, e in entries[k]]


def _table_against_key(rng: random.Random, keyed: _Config, tabled: _Config, eol: str) -> None:
    """``keyed`` binds ``tool.ruff.lint`` with a dotted key or a scalar (in its
    ``[tool.ruff]`` table, else at the top), and ``tabled`` adds the ``[tool.ruff.lint]``
    table: each side loads, and a merge that keeps both does not."""
    ruff = [s for s in keyed.sections if s.name == "tool.ruff"]
    entries = ruff[0].entries if ruff else keyed.top
    key = rng.choice(["lint.select", "lint"]) if ruff else "tool.ruff.lint.select"
    entries.insert(rng.randint(0, len(entries)), _config_entry(rng, "toml", key, eol))
    tabled.sections.append(
        _Section(
            "tool.ruff.lint",
            _spell_dotted(rng, "toml", "tool.ruff.lint"),
            [_config_entry(rng, "toml", "ignore", eol)],
        )
    )


def _render_config(doc: _Config | None, ext: str, eol: str, final_newline: bool) -> str:
    if doc is None:
        return ""
    lines: list[Line] = []
    if ext == "toml":
        for entry in doc.top:
            lines += entry
        for section in doc.sections:
            if lines:
                lines.append(("", eol))
            lines.append((f"[{section.spelled}]", eol))
            for entry in section.entries:
                lines += entry
    elif ext == "yaml":
        for entry in doc.top:
            lines += entry
        for section in doc.sections:
            if not section.entries:
                lines.append((f"{section.spelled}: {{}}", eol))
                continue
            lines.append((f"{section.spelled}:", eol))
            for entry in section.entries:
                lines += [("  " + t, e) for t, e in entry]
    else:  # a JSON object, or a Python dict
        indent = "    " if ext == "py" else "  "
        items: list[list[Line]] = [[(indent + t, e) for t, e in entry] for entry in doc.top]
        for section in doc.sections:
            if not section.entries:
                items.append([(f"{indent}{section.spelled}: {{}}", eol)])
                continue
            inner = [[(indent * 2 + t, e) for t, e in entry] for entry in section.entries]
            items.append(
                [(f"{indent}{section.spelled}: {{", eol), *_joined(inner, ext), (indent + "}", eol)]
            )
        lines.append(("CONFIG = {" if ext == "py" else "{", eol))
        lines += _joined(items, ext)
        lines.append(("}", eol))
    text = "".join(t + e for t, e in lines)
    return text if final_newline else text.rstrip("\r\n")


def _joined(items: list[list[Line]], ext: str) -> list[Line]:
    """Items of one object: a comma after each (Python), or between them (JSON)."""
    out: list[Line] = []
    for k, item in enumerate(items):
        if ext == "py" or k < len(items) - 1:
            (text, end), rest = item[-1], item[:-1]
            item = [*rest, (text + ",", end)]
        out += item
    return out


def generate_config(rng: random.Random) -> Merge:
    """One random three-way merge of a config file: JSON, YAML, TOML or a Python dict."""
    ext = rng.choice(CONFIG_EXTS)
    eol = "\r\n" if rng.random() < 0.1 else "\n"
    base = _config_base(rng, ext, eol)
    spots = [
        (where, rng.randint(0, len(base.top if where < 0 else base.sections[where].entries)))
        for where in rng.sample(
            range(-1, len(base.sections)), min(rng.randint(1, 2), len(base.sections) + 1)
        )
    ]
    shared: list[str | None] = [None] * len(spots)
    sides = []
    for _ in range(2):
        doc = _Config(
            [list(e) for e in base.top],
            [s._replace(entries=[list(e) for e in s.entries]) for s in base.sections],
        )
        _edit_config(rng, doc, ext, eol, spots, shared)
        sides.append(doc)
    if ext == "toml" and rng.random() < 0.2:  # one side's dotted key (or scalar), the
        _table_against_key(rng, *rng.sample(sides, 2), eol)  # other side's table
    empty_base = rng.random() < 0.05
    texts = [
        _render_config(None if empty_base else base, ext, eol, rng.random() > 0.05),
        *(_render_config(d, ext, eol, rng.random() > 0.05) for d in sides),
    ]
    path = "conf/settings.py" if ext == "py" else f"conf/app.{ext}"
    return Merge(path, *(t.encode("utf-8") for t in texts))


def _with_long_line(rng: random.Random, merge: Merge) -> Merge:
    """``merge`` with a line of 40,000 characters: issue 22's (base and theirs empty,
    ours one line ``s = '…'``), one side's added line, both sides' (a conflict), or the
    base's, changed by one side at its end."""
    ext = os.path.splitext(merge.path)[1]
    long = "a" * LONG_LINE
    line = {".py": f"s = '{long}'", ".toml": f'long = "{long}"', ".yaml": f"long: {long}"}.get(
        ext, f"// {long}"
    )
    kind = rng.choice(["issue", "one side", "both", "base"])
    if kind == "issue" or ext == ".json":  # JSON: no comments, and a key needs a comma
        return Merge(merge.path[: -len(ext)] + ".py", b"", f"s = '{long}'\n".encode(), b"")

    def put(data: bytes, text: str) -> bytes:
        lines = data.splitlines(keepends=True)
        at = len(lines) if ext != ".toml" else 0  # before any TOML table
        if lines and not lines[-1].endswith(b"\n"):
            lines[-1] += b"\n"
        return b"".join([*lines[:at], f"{text}\n".encode(), *lines[at:]])

    if kind == "one side":
        return merge._replace(ours=put(merge.ours, line))
    if kind == "both":
        return merge._replace(
            ours=put(merge.ours, line + "b"), theirs=put(merge.theirs, line + "c")
        )
    return merge._replace(
        base=put(merge.base, line), ours=put(merge.ours, line), theirs=put(merge.theirs, line + "d")
    )


# -- git's merge, and a result split against it -------------------------------------------


def write_inputs(merge: Merge, folder: Path) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "base", folder / "ours", folder / "theirs")
    for path, data in zip(paths, (merge.base, merge.ours, merge.theirs), strict=True):
        path.write_bytes(data)
    return paths


def git_merge(merge: Merge, folder: Path) -> tuple[bytes, int]:
    """git's own ``merge-file --diff3`` of the merge, with the driver's labels: (bytes,
    status); status is the number of conflicts (at most 127), or -1 when git refused."""
    base, ours, theirs = write_inputs(merge, folder / "git")
    args = ["git", "merge-file", "-p", "--diff3"]
    for label in LABELS:
        args += ["-L", label]
    proc = subprocess.run(
        [*args, str(ours), str(base), str(theirs)], capture_output=True, check=False
    )
    return proc.stdout, (proc.returncode if 0 <= proc.returncode <= 127 else -1)


class Split(NamedTuple):
    """A result cut along git's merge: each hunk's text, None where it is left marked."""

    hunks: tuple[object, ...]  # santamerge.merge.types.ConflictHunk, from git's merge
    written: tuple[str | None, ...]


def split_result(
    baseline: str,
    result: str,
    marker_size: int = 7,
    accept: Callable[[object, str], bool] | None = None,
) -> Split | None:
    """Cut ``result`` into git's chunks: the text between the hunks must be git's byte for
    byte, and each hunk is either git's own (left marked) or some written text (that
    ``accept`` takes, when given: a cut is ambiguous where a hunk's text could end at
    several copies of the text after it). None when no such cut exists."""
    from santamerge.merge.locate import parse_conflicts
    from santamerge.merge.types import ConflictHunk

    chunks = parse_conflicts(baseline, marker_size).chunks
    hunks = tuple(c for c in chunks if isinstance(c, ConflictHunk))
    n = len(chunks)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * n + 100))

    @functools.cache
    def go(k: int, pos: int) -> tuple[str | None, ...] | None:
        if k == n:
            return () if pos == len(result) else None
        chunk = chunks[k]
        if isinstance(chunk, str):
            return go(k + 1, pos + len(chunk)) if result.startswith(chunk, pos) else None
        marked = chunk.render()
        if result.startswith(marked, pos):
            rest = go(k + 1, pos + len(marked))
            if rest is not None:
                return (None, *rest)
        following = chunks[k + 1] if k + 1 < n else None
        if following is None:
            ends: Sequence[int] = [len(result)]
        elif isinstance(following, str):
            ends = _occurrences(result, following, pos)
        else:
            ends = range(pos, len(result) + 1)
        for end in ends:
            if accept is not None and not accept(chunk, result[pos:end]):
                continue
            rest = go(k + 1, end)
            if rest is not None:
                return (result[pos:end], *rest)
        return None

    try:
        found = go(0, 0)
    finally:
        sys.setrecursionlimit(limit)
    return None if found is None else Split(hunks, found)


def _occurrences(text: str, needle: str, start: int) -> list[int]:
    found = []
    at = text.find(needle, start)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def union_problem(ours: str, base: str | None, theirs: str, written: str) -> str | None:
    """What is wrong with ``written`` as the order-free union of a hunk, or None."""
    have = Counter(written.splitlines(keepends=True))
    o = Counter(ours.splitlines(keepends=True))
    t = Counter(theirs.splitlines(keepends=True))
    b = Counter((base or "").splitlines(keepends=True))
    lost = (o - have) + (t - have)
    if lost:
        return f"lost {_lines(lost)}"
    extra = have - ((o + t) - b)
    if extra:
        return f"added {_lines(extra)}, which the sides' additions do not give"
    return None


def merge_problem(ours: str, base: str | None, theirs: str, written: str) -> str | None:
    """What is wrong with ``written`` as a three-way merge of a hunk (the tree merge's
    promise), or None: every line either side added or changed is there, and no line
    (or more copies of one) than the two sides give. Lines are compared without a
    trailing ``,`` (a merged list moves its separators), and blank lines are left out:
    a blank line belongs to no child, and where a side removed the child it separated
    (or both sides added at one place), which blank lines stay is not a line's matter."""

    def lines(text: str | None) -> Counter[str]:
        stripped = (line.rstrip("\r\n").rstrip().rstrip(",") for line in (text or "").splitlines())
        return Counter(line for line in stripped if line.strip())

    have, o, t, b = lines(written), lines(ours), lines(theirs), lines(base)
    lost = ((o - b) - have) + ((t - b) - have)
    if lost:
        return f"lost {_lines(lost)}, which a side added"
    extra = have - (o + t)
    if extra:
        return f"added {_lines(extra)}, which the sides do not give"
    return None


def whitespace_problem(ours: str, base: str | None, theirs: str, written: str) -> str | None:
    """What is wrong with the whitespace of a merged hunk, or None (issue 22: a taken
    line is byte-equal to its side's line, line ending included). Lines are matched by
    their text without the blanks around it:

    - a text on one line of each side that has it, and once in ``written``: the line is
      the three-way merge of those lines, byte for byte (the side that changed it); both
      sides changing it differently (one its ending, one its indentation) is a conflict;
    - a text on several lines of a side: the line is one of those lines;
    - a text no side has (two edits merged into one line): every line of the sides ends
      with the same blanks and line end, and is indented with the same character, and
      the line follows them. Never a CR, nor a tab, that no side has there."""

    def split(text: str | None) -> list[str]:
        out = (text or "").split("\n")
        return [x + "\n" for x in out[:-1]] + [x for x in out[-1:] if x]

    def key(line: str) -> str:
        return line.strip(" \t\r\n\f\v")

    sides = [split(text) for text in (base, ours, theirs)]
    mine = Counter(key(line) for line in split(written))
    for line in split(written):
        same = [[x for x in side if key(x) == key(line)] for side in sides]
        if not any(same):
            ended = [x for side in sides for x in side if x.endswith("\n") and key(x)]
            ends = {x[len(x.rstrip(" \t\r\n\f\v")) :] for x in ended}
            starts = {x[0] for x in ended if x[0] in " \t"}
            end = line[len(line.rstrip(" \t\r\n\f\v")) :]
            if line.endswith("\n") and ends != {end}:
                return f"{line!r}, merged from two edits, ends unlike the sides' lines"
            if not line.endswith("\n") and end:
                return f"{line!r} ends the file with blanks no side has there"
            if key(line) and line[0] in " \t" and not starts <= {line[0]}:
                return f"{line!r}, merged from two edits, is indented unlike the sides"
            continue
        if key(line) and mine[key(line)] == 1 and all(len(x) <= 1 for x in same):
            b, o, t = (x[0] if x else None for x in same)
            if o != b and t != b and o != t and None not in (o, t):
                return f"{key(line)!r}: the sides changed its whitespace differently"
            want = t if o == b else o if t in (b, o) else (o or t)
            if want is not None and line != want:
                return f"{line!r} should be {want!r}, as the side that changed it has it"
            if want is not None or line in (b, o, t):
                continue
        if not any(line in x for x in same):
            return f"{line!r} is no side's line with that text"
    return None


# -- whole-file properties: a strict load, and no key twice (issue 22) -------------------

FILE_LANGUAGES = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".py": "python",
}
KeyPlace = tuple[tuple[str, ...], str]  # the keys that lead to a mapping, and a key in it


def file_problems(merge: Merge, baseline: bytes, result: bytes) -> list[str]:
    """What is wrong with a written file as a whole, or []:

    - a JSON, YAML or TOML file loads with a strict loader (no key twice in one mapping,
      no table declared twice) wherever ours and theirs load;
    - no key is bound twice by value (``"k"``, ``'k'``, ``"\\u006b"``, a bare ``k``) in
      one mapping (a JSON object, a YAML mapping, a TOML table, a Python dict literal)
      where neither side binds it twice there.

    A file with hunks left marked is judged with each of those hunks taken as ours,
    against git's merge ``baseline`` with every hunk taken as ours (what git wrote outside
    the hunks is not the writer's doing): the file a person gets by keeping our side of
    what is left."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    language = FILE_LANGUAGES.get(os.path.splitext(merge.path)[1])
    if language is None:
        return []
    try:
        ours, theirs, text = (d.decode("utf-8") for d in (merge.ours, merge.theirs, result))
        gits = baseline.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if "\0" in text or _has_marker_line(ours) or _has_marker_line(theirs):
        return []
    before = None
    if _has_marker_line(text):
        try:
            text = parse_conflicts(text).splice({}, default="ours")
            before = parse_conflicts(gits).splice({}, default="ours")
        except MarkerError:
            return []
    problems = []
    sides = [ours, theirs] + ([before] if before is not None else [])
    if all(strict_load(language, side) is None for side in sides):
        why = strict_load(language, text)
        if why is not None:
            problems.append(f"does not load strictly ({why}), where both sides do")
    twice = keys_twice(language, text)
    if twice:
        allowed = [keys_twice(language, side) for side in sides]
        if all(a is not None for a in allowed):
            new = twice.difference(*(a for a in allowed if a is not None))
            if new:
                shown = ", ".join(".".join((*path, key)) for path, key in sorted(new)[:3])
                problems.append(f"binds {shown} twice, which neither side does")
    return problems


def strict_load(language: str, text: str) -> str | None:
    """Why ``text`` does not load with a strict loader (a key twice in one mapping, a
    TOML table declared twice), or None: JSON with the standard library, refusing a key
    twice; TOML with tomllib; YAML with PyYAML's safe loader refusing a key twice, where
    PyYAML is installed (else, and for Python, None)."""
    import json
    import tomllib

    try:
        if language == "json":
            _json_pairs(json.loads(text, object_pairs_hook=_Pairs), (), set(), refuse=True)
        elif language == "toml":
            tomllib.loads(text)
        elif language == "yaml":
            found = _yaml_twice(text)
            if found:
                (path, key), *_ = sorted(found)
                return f"the key {'.'.join((*path, key))} twice in one mapping"
    except _KeyTwice as twice:
        return f"the key {twice.args[0]} twice in one object"
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, TOMLDecodeError
        return str(exc) or type(exc).__name__
    except _YamlError as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def keys_twice(language: str, text: str) -> set[KeyPlace] | None:
    """The keys bound twice by value in one mapping of ``text``, each with the keys that
    lead to its mapping; None when the text cannot be read (it does not parse, or does
    not load for a reason other than a key twice). TOML's loader refuses a key twice,
    so a TOML text that does not load is None too: there the strict load
    (:func:`strict_load`) is this property."""
    import ast
    import json
    import tomllib

    found: set[KeyPlace] = set()
    try:
        if language == "json":
            _json_pairs(json.loads(text, object_pairs_hook=_Pairs), (), found)
        elif language == "yaml":
            return _yaml_twice(text)
        elif language == "toml":
            tomllib.loads(text)
        elif language == "python":
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes
                tree = ast.parse(text)
            _python_dicts(tree, (), found)
    except (ValueError, SyntaxError, RecursionError, _YamlError):
        return None
    return found


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its pairs, in order, keys twice included."""


class _KeyTwice(ValueError):
    pass


def _json_pairs(
    value: object, path: tuple[str, ...], found: set[KeyPlace], refuse: bool = False
) -> None:
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, inner in value:
            if key in seen:
                if refuse:
                    raise _KeyTwice(json.dumps(key))
                found.add((path, key))
            seen.add(key)
            _json_pairs(inner, (*path, key), found, refuse)
    elif isinstance(value, list):
        for inner in value:
            _json_pairs(inner, (*path, "[]"), found, refuse)


def _python_dicts(node: object, path: tuple[str, ...], found: set[KeyPlace]) -> None:
    """Dict literals' constant keys, compared as Python compares them (``1``, ``1.0``
    and ``True`` are one key; ``"k"``, ``'k'``, ``"\\x6b"`` and ``"" "k"`` are one)."""
    import ast

    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        path = (node.targets[0].id,)
    if isinstance(node, ast.Dict):
        seen: set[object] = set()
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant):
                try:
                    if key.value in seen:
                        found.add((path, repr(key.value)))
                    seen.add(key.value)
                except TypeError:  # not hashable
                    pass
            inner = (*path, repr(key.value)) if isinstance(key, ast.Constant) else path
            _python_dicts(value, inner, found)
        return
    for child in ast.iter_child_nodes(node):  # type: ignore[arg-type]
        _python_dicts(child, path, found)


try:
    import yaml as _yaml

    _YamlError: type[Exception] = _yaml.YAMLError
except ImportError:  # PyYAML is no dependency of santamerge: YAML is then not judged
    _yaml = None  # type: ignore[assignment]
    _YamlError = ImportError


def _yaml_twice(text: str) -> set[KeyPlace] | None:
    """The keys a YAML document's mappings hold twice, by the value PyYAML's safe
    loader gives them (``k``, ``"k"``, ``'k'`` and ``"\\x6b"`` are one key); None where
    PyYAML is not installed, or the text is not YAML."""
    if _yaml is None:
        return None
    loader = _yaml.SafeLoader(text)
    found: set[KeyPlace] = set()
    try:
        while loader.check_node():
            _yaml_mappings(loader, loader.get_node(), (), found, set())
    finally:
        loader.dispose()
    return found


def _yaml_mappings(
    loader: Any, node: Any, path: tuple[str, ...], found: set[KeyPlace], seen_nodes: set[int]
) -> None:
    if id(node) in seen_nodes:  # an alias of a node already walked
        return
    seen_nodes.add(id(node))
    if isinstance(node, _yaml.MappingNode):
        keys: set[object] = set()
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                if key in keys:
                    found.add((path, str(key)))
                keys.add(key)
            except TypeError:
                pass
            _yaml_mappings(loader, value_node, (*path, str(key)), found, seen_nodes)
    elif isinstance(node, _yaml.SequenceNode):
        for item in node.value:
            _yaml_mappings(loader, item, (*path, "[]"), found, seen_nodes)


def _lines(counts: Counter[str]) -> str:
    shown = [line if len(line) < 60 else line[:57] + "..." for line in sorted(counts)[:3]]
    more = f" and {len(counts) - 3} more" if len(counts) > 3 else ""
    return f"{shown!r}{more}"


# -- the writers --------------------------------------------------------------------------


def check_driver(
    merge: Merge, folder: Path, policy: str = "conservative", stats: Counter[str] | None = None
) -> list[str]:
    """Run the merge driver in this process on ``merge``; the broken properties.
    ``stats`` counts cases, conflicted ones, and hunks written and left marked."""
    from santamerge.merge.workspace.driver import DriverArgs, run_merge_driver

    baseline, status = git_merge(merge, folder)
    base, ours, theirs = write_inputs(merge, folder / "driver")
    saved = os.environ.get("SANTAMERGE_POLICY")
    os.environ["SANTAMERGE_POLICY"] = policy
    try:
        with _quiet():
            got = run_merge_driver(DriverArgs(str(base), str(ours), str(theirs), 7, merge.path))
    finally:
        if saved is None:
            os.environ.pop("SANTAMERGE_POLICY", None)
        else:
            os.environ["SANTAMERGE_POLICY"] = saved
    result = ours.read_bytes()
    problems = []
    if got not in (0, 1):
        problems.append(f"exit status {got}")
    if status == -1:
        if result != merge.ours:
            problems.append("git refused the merge, and %A is not our side")
        return problems
    if status == 0:
        return problems + (
            check_clean(baseline, result, got, stats, (merge.base, merge.ours, merge.theirs))
            or file_problems(merge, baseline, result)
        )
    rule = with_whitespace(
        file_aware(_words_rule if policy == "words" else _union_rule, merge, result, baseline)
    )
    return problems + check_written(merge, baseline, result, got, rule, stats)


def with_whitespace(
    rule: Callable[[object, str], str | None],
) -> Callable[[object, str], str | None]:
    """``rule``, then ``whitespace_problem`` on the hunk (never excused file-wide: a
    line's ending is the line's matter, wherever git drew the hunk's edges)."""

    def both(hunk: object, written: str) -> str | None:
        sides = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
        return rule(hunk, written) or whitespace_problem(*sides, written)

    return both


CLASH_MARKERS = ("<<<<<<< ", "||||||| ", "=======", ">>>>>>> ")


def check_clean(
    baseline: bytes,
    result: bytes,
    status: int,
    stats: Counter[str] | None = None,
    sides: tuple[bytes, bytes, bytes] | None = None,
) -> list[str]:
    """git merged cleanly: the driver writes git's merge (0), or marks a clash (1): git's
    merge, line for line, with conflicts added whose one side is empty; or marks a JSON
    or TOML merge that does not load (1): conflicts in each of which one side is the
    base, and taking the other in each gives git's merge; or, where those regions would
    not give git's merge, one conflict over every change, each of whose sections gives
    back that side's whole file (``sides``: base, ours, theirs)."""
    if (status, result) == (0, baseline):
        return []
    if status != 1:
        return ["git merges it cleanly; the driver wrote something else and said so (0)"]
    from santamerge.merge.locate import parse_conflicts

    parsed = parse_conflicts(result.decode("utf-8"))
    hunks = parsed.hunks
    if sides is not None and len(hunks) == 1 and hunks[0].base is not None:
        whole = [
            parsed.splice({0: text}) for text in (hunks[0].base, hunks[0].ours, hunks[0].theirs)
        ]
        if all(
            w in (s.decode("utf-8"), s.decode("utf-8") + "\n", s.decode("utf-8") + "\r\n")
            for w, s in zip(whole, sides, strict=True)
        ):
            if stats is not None:
                stats["clean merges marked as not loading"] += 1
            return []
    # santamerge.merge.loads's form (each side's changes marked; a region both sides
    # only added to has an empty base, as a clash's hunk has): taking the changed side
    # of each hunk gives git's merge.
    if hunks and all(h.ours == h.base or h.theirs == h.base for h in hunks):
        taken = parsed.splice(
            {i: h.theirs if h.ours == h.base else h.ours for i, h in enumerate(hunks)}
        )
        # a last line without its line end gets the file's one between markers, as git's
        # own markers give it (CRLF in a CRLF file)
        ends = ("", "\n", "\r\n")
        if any(taken == baseline.decode() + end for end in ends) and (
            any(h.base for h in hunks)
            or any(h.ours and h.theirs for h in hunks)
            or "".join(
                x
                for x in result.decode("utf-8").splitlines(keepends=True)
                if not x.startswith(CLASH_MARKERS)
            )
            != baseline.decode()
        ):
            if stats is not None:
                stats["clean merges marked as not loading"] += 1
            return []
    if hunks and any(h.base for h in hunks):
        if any(h.ours != h.base and h.theirs != h.base for h in hunks):
            return ["a clean merge was marked with a conflict where both sides changed"]
        return ["a clean merge was marked, and its changes do not give git's merge"]
    lines = result.decode("utf-8").splitlines(keepends=True)
    if "".join(x for x in lines if not x.startswith(CLASH_MARKERS)) != baseline.decode():
        return ["a clean merge was marked as a clash, with a line of git's merge lost or moved"]
    if not hunks or any(h.ours and h.theirs for h in hunks):
        return ["a clash was marked with a base, or with code on both sides"]
    if stats is not None:
        stats["clean merges marked as clashes"] += 1
    return []


def file_aware(
    rule: Callable[[object, str], str | None],
    merge: Merge,
    result: bytes,
    baseline: bytes | None = None,
) -> Callable[[object, str], str | None]:
    """``rule``, or, where a hunk breaks it, the three-way rule over the whole file: git
    draws a hunk's edges where lines happen to repeat (a ``}`` of a new function aligned
    with the ``}`` of a deleted one), so a tree merge that is right for the file can look
    as if it lost the line the hunk's edge took. Lines are still counted, file-wide."""

    def whole_file(hunk: object, written: str) -> str | None:
        problem = rule(hunk, written)
        if problem is None:
            return None
        if baseline is not None and _with_context(baseline, hunk, written) is None:
            return None
        try:
            texts = [d.decode("utf-8") for d in (merge.ours, merge.base, merge.theirs, result)]
        except UnicodeDecodeError:
            return problem
        return None if merge_problem(*texts) is None else problem

    return whole_file


def _union_rule(hunk: object, written: str) -> str | None:
    """A written hunk is an order-free union, or a three-way merge of the sides."""
    sides = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
    problem = union_problem(*sides, written)
    return problem if problem is None else merge_problem(*sides, written)


def _words_rule(hunk: object, written: str) -> str | None:
    """Under the ``words`` policy a written hunk may also be the word-level merge."""
    from santamerge.merge.structured.words import merge_words

    ours, base, theirs = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
    if base and written == merge_words(base, ours, theirs):
        return None
    return _union_rule(hunk, written)


def check_written(
    merge: Merge,
    baseline: bytes,
    result: bytes,
    status: int | None,
    rule: Callable[[object, str], str | None],
    stats: Counter[str] | None = None,
    only_markers: bool = False,
) -> list[str]:
    """The result of a writer against git's conflicted merge ``baseline``: git's bytes
    outside the hunks, git's hunks where left marked, ``rule`` for each written hunk, and
    (unless ``status`` is None) 0 exactly when nothing is left marked. Where the writer
    must step aside, the result must be ``baseline``: the merge driver steps aside for
    inputs that are not UTF-8 or hold marker-like lines; ``resolve`` (``only_markers``)
    works on git's result and steps aside only for marker-like lines in a side."""
    from santamerge.errors import MarkerError

    inputs_text = []
    for data in (merge.base, merge.ours, merge.theirs, baseline):
        try:
            inputs_text.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            inputs_text.append(None)
    unreadable = any(
        t is None or b"\0" in d
        for t, d in zip(inputs_text, (merge.base, merge.ours, merge.theirs, baseline), strict=True)
    )
    marker_lines = any(
        _has_marker_line(d.decode("utf-8", "replace"))
        for d in (merge.base, merge.ours, merge.theirs)
    )
    steps_aside = marker_lines or (unreadable and not only_markers) or inputs_text[3] is None
    if steps_aside:
        problems = [] if result == baseline else ["stepped aside, but did not leave git's result"]
        if status not in (None, 1):
            problems.append(f"stepped aside with exit status {status}")
        return problems
    try:
        text = result.decode("utf-8")
        split = split_result(
            inputs_text[3] or "", text, accept=lambda hunk, written: rule(hunk, written) is None
        )
        if split is None:  # no cut keeps the rule: find one that shows what breaks it
            split = split_result(inputs_text[3] or "", text)
    except (UnicodeDecodeError, MarkerError):
        split = None
    if split is None:
        return ["the result is not git's merge outside the hunks (a line lost or changed)"]
    problems = []
    for hunk, written in zip(split.hunks, split.written, strict=True):
        if written is not None:
            problem = rule(hunk, written)
            if problem:
                problems.append(f"hunk {hunk.index + 1}: {problem}")  # type: ignore[attr-defined]
    left = sum(w is None for w in split.written)
    if stats is not None:
        stats["hunks left marked"] += left
        stats["hunks written"] += len(split.written) - left
    if status is not None and status != (1 if left else 0):
        problems.append(f"exit status {status} with {left} hunk(s) left marked")
    return problems + file_problems(merge, baseline, result)


def based_baseline(root: Path, path: str, left: bytes) -> bytes | None:
    """What ``resolve`` proposes on for git's default (``merge``-style) markers in the
    working tree of the repository at ``root``: the file's own hunks ``left``, each given
    its base section from git's merge of the index stages; None when santamerge finds no
    base for them (it then leaves the file alone)."""
    from santamerge.git import Repository, unmerged_entries
    from santamerge.merge.workspace.sources import gits_own_plain_hunks

    repository = Repository(str(root), os.path.join(str(root), ".git"))
    try:
        text = left.decode("utf-8")
    except UnicodeDecodeError:
        return None
    based = gits_own_plain_hunks(repository, path, unmerged_entries(repository, path), text)
    return None if based is None else based.text.encode("utf-8")


def with_bases_of(result: bytes, based: bytes) -> bytes:
    """``result`` (a writer's file for ``merge``-style markers) with each hunk it left
    marked, which must be the file's own hunk as git wrote it, given back the base
    section of that hunk in ``based`` (:func:`based_baseline`), so that it reads as the
    baseline's hunk; ``result`` as it is where a hunk left marked is none of git's (the
    check then says so)."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        mine = parse_conflicts(result.decode("utf-8"))
        gits = parse_conflicts(based.decode("utf-8")).hunks
    except (UnicodeDecodeError, MarkerError):
        return result
    parts, j = [], 0
    for chunk in mine.chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        plain = chunk.render()
        while j < len(gits) and gits[j]._replace(base=None, base_marker=None).render() != plain:
            j += 1
        if j == len(gits):
            return result
        parts.append(gits[j].render())
        j += 1
    return "".join(parts).encode("utf-8")


# -- a person's edit inside the markers (issue 22) ----------------------------------------


def edit_inside_markers(data: bytes, rng: random.Random) -> tuple[bytes, int] | None:
    """``data`` (a file with git's conflict markers) as a person leaves it who edited a
    line inside one hunk's markers and kept the markers: a line of a section changed,
    removed or added. The edited file, and the hunk edited; None when it has none."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        parsed = parse_conflicts(data.decode("utf-8"))
    except (UnicodeDecodeError, MarkerError):
        return None
    if not parsed.hunks:
        return None
    hunk = rng.choice(parsed.hunks)
    sections = ["ours", "theirs"] + (["base"] if hunk.base is not None else [])
    section = rng.choice(sections)
    lines = getattr(hunk, section).splitlines(keepends=True)
    newline = parsed.newline
    kind = rng.choice(["change", "remove", "add"]) if lines else "add"
    at = rng.randrange(len(lines)) if lines else 0
    if kind == "change":
        text = lines[at].rstrip("\r\n")
        lines[at] = f"{text} edited by hand" + lines[at][len(text) :]
        if not lines[at].endswith("\n"):  # the section's last line had no line end
            lines[at] += newline
    elif kind == "remove":
        del lines[at]
    else:
        lines.insert(rng.randint(0, len(lines)), f"added by hand{newline}")
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline  # the next marker starts a line
    edited = hunk._replace(**{section: "".join(lines)})
    text = "".join(
        edited.render() if c is hunk else c if isinstance(c, str) else c.render()
        for c in parsed.chunks
    )
    return text.encode("utf-8"), hunk.index


def edits_kept(edited: bytes, result: bytes, hunks: Sequence[int]) -> list[str]:
    """The result of a writer on a file a person ``edited`` inside the markers of
    ``hunks``: each of those hunks is left as the person left it, byte for byte, and
    nothing outside the hunks changed."""
    from santamerge.errors import MarkerError

    try:
        split = split_result(edited.decode("utf-8"), result.decode("utf-8"))
    except (UnicodeDecodeError, MarkerError):
        split = None
    if split is None:
        return ["a file edited inside its markers was changed outside its hunks"]
    return [
        f"hunk {i + 1}, edited by a person inside its markers, was written over"
        for i in hunks
        if split.written[i] is not None
    ]


class _quiet:
    """Send file descriptor 2 to /dev/null (the driver's one-line notes), then back."""

    def __enter__(self) -> None:
        sys.stderr.flush()
        self.saved = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)

    def __exit__(self, *exc: object) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)


def _has_marker_line(text: str | None) -> bool:
    if text is None:
        return False
    import re

    marker = re.compile(r"^(<{7,}|\|{7,}|={7,}|>{7,})(?:[ \t][^\r\n]*)?\r?$")
    return any(marker.match(line) for line in text.splitlines())


CONTEXT_LINES = 3


def _with_context(baseline: bytes, hunk: object, written: str) -> str | None:
    """``tree_problem`` of a written hunk of git's merge ``baseline``."""
    from santamerge.errors import MarkerError
    from santamerge.merge.locate import parse_conflicts

    try:
        parsed = parse_conflicts(baseline.decode("utf-8"))
        return tree_problem(parsed, hunk, written)
    except (UnicodeDecodeError, MarkerError, ValueError):
        return "cannot judge"


def tree_problem(parsed: object, hunk: object, written: str) -> str | None:
    """``merge_problem`` for a tree merge of one hunk; where it fails, again with the
    lines around the hunk (the same in every side and in the result) added to each: git
    draws a hunk's edges where lines repeat (a new function's ``}`` aligned with a deleted
    one's), and a line it left outside the hunk is not lost."""
    sides = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
    problem = merge_problem(*sides, written)
    if problem is None:
        return None
    chunks = parsed.chunks  # type: ignore[attr-defined]
    at = chunks.index(hunk)
    before = _edge(chunks[:at], last=True)
    after = _edge(chunks[at + 1 :], last=False)
    wide = [before + (text or "") + after for text in (*sides, written)]
    return None if merge_problem(*wide) is None else problem


def _edge(chunks: object, last: bool) -> str:
    """The CONTEXT_LINES lines of resolved text next to a hunk (before or after it)."""
    texts = [c for c in chunks if isinstance(c, str)]  # type: ignore[attr-defined]
    if not texts:
        return ""
    lines = (texts[-1] if last else texts[0]).splitlines(keepends=True)
    return "".join(lines[-CONTEXT_LINES:] if last else lines[:CONTEXT_LINES])


def check_union(merge: Merge, folder: Path) -> tuple[int, list[str]]:
    """The structured candidates alone (the union, the tree merge), on every hunk of
    git's merge: (offered, problems)."""
    from santamerge.errors import MarkerError
    from santamerge.languages.profiles import language_for_path
    from santamerge.merge.candidates import build_candidates
    from santamerge.merge.locate import parse_conflicts

    baseline, status = git_merge(merge, folder)
    if status <= 0:
        return 0, []
    try:
        texts = [d.decode("utf-8") for d in (merge.base, merge.ours, merge.theirs, baseline)]
        if any(_has_marker_line(t) for t in texts[:3]) or "\0" in texts[3]:
            return 0, []
        parsed = parse_conflicts(texts[3])
    except (UnicodeDecodeError, MarkerError):
        return 0, []
    profile = language_for_path(merge.path)
    offered, problems = 0, []
    for hunk in parsed.hunks:
        for candidate in build_candidates(parsed, hunk, profile):
            if not candidate.method.startswith("structured:"):
                continue
            offered += 1
            if candidate.method.startswith("structured:union"):
                problem = union_problem(hunk.ours, hunk.base, hunk.theirs, candidate.text)
            else:
                problem = tree_problem(parsed, hunk, candidate.text)
            problem = problem or whitespace_problem(
                hunk.ours, hunk.base, hunk.theirs, candidate.text
            )
            if problem:
                problems.append(f"hunk {hunk.index + 1}: {problem}")
    return offered, problems


def candidate_rule(hunk: object, written: str) -> str | None:
    """What ``resolve --accept`` and ``preview`` may write for a hunk: one of the
    candidates a person is shown (each side, the base, both concatenations, the word
    merge), or a union that keeps every line; never conflict markers."""
    from santamerge.merge.structured.words import merge_words

    ours, base, theirs = hunk.ours, hunk.base, hunk.theirs  # type: ignore[attr-defined]
    if _has_marker_line(written):
        return "wrote conflict markers as a resolution"
    allowed = {ours, theirs, *_concats(ours, theirs), *_concats(theirs, ours), base}
    if written in allowed:
        return None
    if (
        (base is not None and written == merge_words(base, ours, theirs))
        or union_problem(ours, base, theirs, written) is None
        or (merge_problem(ours, base, theirs, written) is None)
    ):
        return whitespace_problem(ours, base, theirs, written)  # a merge: lines kept whole
    return "wrote a text that is none of the candidates shown"


def _concats(first: str, second: str) -> list[str]:
    """``first`` then ``second``, with the newline that ends ``first`` if it has none
    (either kind: the file's own is used)."""
    if first and not first.endswith("\n"):
        return [first + "\n" + second, first + "\r\n" + second]
    return [first + second]


def run_cases(
    count: int, seed: int, check: Callable[[Merge, Path], list[str]], scratch: Path
) -> dict[str, object]:
    """``count`` generated merges from ``seed``, each checked; a summary."""
    import shutil

    failures = []
    for k in range(count):
        merge = generate(random.Random(seed * 1_000_003 + k))
        folder = scratch / str(k % 8)
        problems = check(merge, folder)
        shutil.rmtree(folder, ignore_errors=True)
        if problems:
            failures.append(
                {"case": seed * 1_000_003 + k, "path": merge.path, "problems": problems}
            )
    return {"cases": count, "failures": failures}


def check_preview(
    merge: Merge, folder: Path, rng: random.Random, stats: Counter[str] | None = None
) -> list[str] | None:
    """The review, in this process and key by key, on git's conflicted merge of
    ``merge``: each hunk accepted (a random candidate), skipped, edited, edited with its
    markers left in (which must be refused), accepted then kept as a conflict, accepted,
    undone and accepted again, or decided by picking lines from its sides (some picked
    twice, which takes them out; now and then the last pick undone). Now and then a
    whole side is taken for the file first (and sometimes undone), and the whole file is
    edited last (a line added above the hunks, hunks resolved or edited inside their
    markers, or the markers broken, which must be refused), then more decided or the
    edit undone. Then ``w``. The file written must be git's merge with exactly those
    choices (the edit's text where the file was edited), every undecided hunk keeping
    its markers. None when there is nothing to review."""
    from santamerge.merge.ranking.policy import DEFAULT_POLICY
    from santamerge.merge.workspace.sources import PreviewSource
    from santamerge.ui.review import Review, load_preview

    baseline, status = git_merge(merge, folder)
    if status <= 0 or b"\0" in baseline:
        return None
    try:
        baseline.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(
        _has_marker_line(t.decode("utf-8", "replace"))
        for t in (merge.base, merge.ours, merge.theirs)
    ):
        return None  # outside a repository there are no index stages to tell them apart
    target = folder / f"file{os.path.splitext(merge.path)[1]}"
    target.write_bytes(baseline)
    # the whole sides, as preview reads them from the index stages in a repository
    sides = (merge.ours.decode("utf-8", "replace"), merge.theirs.decode("utf-8", "replace"))
    file = load_preview(
        PreviewSource(target.name, str(target), str(target), merge.path, sides=sides),
        DEFAULT_POLICY,
        lambda message: None,
    )
    if file is None:
        return ["a conflicted file was not offered for review"]
    written: dict[int, str] = {}
    if rng.random() < 0.3:  # a merge-driver attempt: some hunks already written
        file, written = _as_attempt(file, rng)
    script = ReviewScript(rng, file.record.to_json(), list(file.proposal.parsed.chunks), written)
    review = Review([file], _editor(script.edits))
    edited = None
    problems: list[str] = []
    with _quiet():
        for action in script.actions:
            if isinstance(action, str):
                review.press(action)
            elif action[0] == "pick":
                review.pick_line(action[1], action[2])
            else:  # ("edit file", the result shown before, the text, must it be taken)
                if review.file.result() != action[1]:
                    problems.append("the result shown is not the decisions made")
                if review.edit_file(action[2]) != action[3]:
                    problems.append(
                        f"the edit of the whole file was wrongly "
                        f"{'refused' if action[3] else 'taken'}: {review.message}"
                    )
        if rng.random() < 0.1:  # a person edits inside the markers while the review is open
            edited = edit_inside_markers(target.read_bytes(), rng)
            if edited is not None:
                target.write_bytes(edited[0])
        review.press("w")
        error = review.message if review.error and script.changed else None
        review.press("q")
        if not review.done:  # asked: the file was not written
            review.press("q")
    expected = script.expected
    if stats is not None:
        stats["files"] += 1
        stats["hunks written"] += len(expected)
        stats["hunks left marked"] += sum(not isinstance(c, str) for c in script.chunks) - len(
            expected
        )
        stats.update(script.tally)
    if problems:
        return problems
    if edited is not None:  # nothing may be written over the person's edit
        return edits_kept(edited[0], target.read_bytes(), [edited[1]])
    if error:
        return [error]
    unchanged = file.expected if file.expected is not None else baseline
    want = script.result()
    if target.read_bytes() != (want.encode("utf-8") if script.changed else unchanged):
        return ["the file written is not git's merge with exactly the choices made"]
    if (
        not written
        and not script.edited
        and len(expected) == 1
        and _gated(file.record.to_json(), expected)
    ):
        return file_problems(merge, baseline, target.read_bytes())
    return []


def _gated(record: dict[str, Any], decided: dict[int, str]) -> bool:
    """Whether each decided hunk took a candidate that passed the gates (the review also
    lets a person take one that did not: that is then the person's doing)."""
    return all(
        any(c["text"] == text and c["accepted"] for c in record["hunks"][i]["candidates"])
        for i, text in decided.items()
    )


def _as_attempt(file: Any, rng: random.Random) -> tuple[Any, dict[int, str]]:
    """``file`` as the review of a merge-driver attempt: a random half of its hunks
    written with a candidate (in the target too), which the review must keep unless
    taken back."""
    from santamerge.ui.review import Decision

    written = {
        h.hunk.index: h.ranked[0].candidate.text
        for h in file.proposal.hunks
        if h.ranked and rng.random() < 0.5
    }
    data = file.proposal.parsed.splice(written, default="markers").encode("utf-8")
    with open(file.target, "wb") as fh:
        fh.write(data)
    decisions = {i: Decision(t, "the merge driver (test)") for i, t in written.items()}
    return file._replace(written=decisions, expected=data), written


def _side_lines(text: str | None) -> list[str]:
    """A side's lines: each ends after a "\\n"; the last may have none."""
    found = []
    while text:
        end = text.find("\n") + 1 or len(text)
        found.append(text[:end])
        text = text[end:]
    return found


class ReviewScript:
    """What a person does in the review of one file, and what each hunk must become.

    ``actions`` are keys (str), ``("pick", side, line)`` and ``("edit file", the result
    shown before it, the new text, whether the review must take it)``; ``edits`` the
    texts the hunk editor returns, in order; ``chunks`` the file as the person leaves it
    (git's text between hunks, and the hunks, as objects with git's hunk fields:
    ``ours``, ``base``, ``theirs``, ``close_marker``, ``render()``); ``expected`` the
    text of each decided hunk, by its place among the hunks of ``chunks``.
    """

    def __init__(
        self,
        rng: random.Random,
        record: dict[str, Any],
        chunks: list[Any],
        written: dict[int, str] | None,
    ) -> None:
        self.rng = rng
        self.record = record
        self.chunks = chunks
        self.actions: list[Any] = []
        self.edits: list[str] = []
        self.expected: dict[int, str] = dict(written or {})
        self.written = dict(written or {})
        self.edited = False
        self.tally: Counter[str] = Counter()
        self.hunks = hunks = [c for c in self.chunks if not isinstance(c, str)]
        # the file's line end: the one at least half its lines end with, as git's merge
        # has it (what a picked line that has none gets)
        text = "".join(c if isinstance(c, str) else c.render() for c in self.chunks)
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
        # candidate 1 of each hunk (a hunk edited inside its markers is offered ours first)
        self.first = [
            h["candidates"][0]["text"] if h["candidates"] else None for h in record["hunks"]
        ]
        if rng.random() < 0.15:
            self._take_side(hunks, undo=rng.random() < 0.3)
        for hunk in record["hunks"]:
            self._decide(hunk, hunks[hunk["index"]])
        if rng.random() < (0.6 if len(hunks) > 1 else 0.2):  # most often where hunks
            self._edit_file()  # can be left beside others decided

    @property
    def changed(self) -> bool:
        """Whether ``w`` has something to write."""
        return self.edited or self.expected != self.written

    def result(self) -> str:
        """The file as the review must write it."""
        parts, k = [], 0
        for chunk in self.chunks:
            if isinstance(chunk, str):
                parts.append(chunk)
            else:
                parts.append(self.expected.get(k, chunk.render()))
                k += 1
        return "".join(parts)

    def _take_side(self, hunks: list[Any], undo: bool) -> None:
        sides = ["ours", "theirs"] + (["base"] if all(h.base is not None for h in hunks) else [])
        side = self.rng.choice(sides)
        self.actions.append(side[0].upper())
        if undo:
            self.actions.append("u")
            self.tally["sides taken and undone"] += 1
        elif hunks:
            self.expected = {k: getattr(h, side) for k, h in enumerate(hunks)}
            self.tally["sides taken"] += 1

    def _pick(self, index: int, hunk: Any) -> None:
        """Lines picked into hunk ``index``, one picked again now and then (taken out),
        the last pick undone now and then."""
        sides = [s for s in ("ours", "theirs", "base") if _side_lines(getattr(hunk, s))]
        picks: list[tuple[str, int]] = []
        states = [self.expected.get(index)]
        for _ in range(self.rng.randint(1, 4)):
            side = self.rng.choice(sides)
            pick = (side, self.rng.randrange(len(_side_lines(getattr(hunk, side)))))
            if picks and self.rng.random() < 0.2:
                pick = self.rng.choice(picks)  # picked again: taken out
            picks = [p for p in picks if p != pick] if pick in picks else [*picks, pick]
            self.actions.append(("pick", *pick))
            states.append(self._picked(hunk, picks) if picks else None)
        if self.rng.random() < 0.2:
            self.actions.append("u")
            states.pop()
        if states[-1] is None:
            self.expected.pop(index, None)
        else:
            self.expected[index] = states[-1]
        self.actions.append("n")
        self.tally["hunks decided by picking lines"] += states[-1] is not None

    def _picked(self, hunk: Any, picks: list[tuple[str, int]]) -> str:
        """The lines picked, in order; one without a line end gets the file's, unless it
        is the last and the hunk ends the file without one."""
        parts = []
        for n, (side, line) in enumerate(picks):
            text = _side_lines(getattr(hunk, side))[line]
            if not text.endswith("\n") and (n < len(picks) - 1 or hunk.close_marker.endswith("\n")):
                text += self.newline
            parts.append(text)
        return "".join(parts)

    def _decide(self, hunk: dict[str, Any], conflict: Any) -> None:
        rng, keys, expected = self.rng, self.actions, self.expected
        candidates = hunk["candidates"]
        if hunk["index"] in expected and rng.random() < 0.5:  # the driver's: taken back
            keys += ["k", "n"]
            del expected[hunk["index"]]
            return
        kinds = [
            "accept",
            "accept",
            "skip",
            "edit",
            "edit with markers",
            "accept then keep",
            "accept, undo, accept",
        ]
        what = rng.choice([*kinds, "pick lines"])
        last_hunk = hunk is self.record["hunks"][-1]
        if what == "accept then keep":  # accepted, back to it, its conflict kept
            keys += ["1", "k"] if last_hunk else ["1", "p", "k", "n"]
            expected.pop(hunk["index"], None)
        elif what == "accept, undo, accept":
            last = min(9, len(candidates))
            keys += [str(last), "u", "1"]  # undo goes back to the hunk; then candidate 1
            expected[hunk["index"]] = candidates[0]["text"]
        elif what == "accept":
            number = rng.randint(1, min(9, len(candidates)))
            keys.append(str(number))
            expected[hunk["index"]] = candidates[number - 1]["text"]
        elif what == "skip":
            keys.append("n")  # an attempt's written hunk stays written
        elif what == "edit":
            keys.append("e")
            self.edits.append("resolved = 'by hand'\n")
            expected[hunk["index"]] = "resolved = 'by hand'\n"
        elif what == "pick lines":
            self._pick(hunk["index"], conflict)
        else:
            keys += ["e", "n"]  # refused (markers left): the hunk stays as it was
            self.edits.append("<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n")

    def _edit_file(self) -> None:
        """The whole file edited: a line added above everything, each hunk left resolved
        with its theirs, edited inside its markers (a line added to ours), or kept; or
        one hunk's separator deleted, which must be refused. Then, now and then, the
        edit undone, a side taken, candidate 1 accepted or a line picked."""
        rng = self.rng
        before = self.result()
        left = [
            k
            for k, c in enumerate(c for c in self.chunks if not isinstance(c, str))
            if k not in self.expected
        ]
        if left and rng.random() < 0.15:  # a marker deleted: the edit is refused
            hunk = [c for c in self.chunks if not isinstance(c, str)][left[0]]
            broken = before.replace(hunk.render(), hunk.render().replace(hunk.sep_marker, "", 1), 1)
            self.actions.append(("edit file", before, broken, False))
            self.tally["whole-file edits refused (markers broken)"] += 1
            return
        chunks: list[Any] = ["# edited here\n"]
        # each hunk left: the hunk of the record it keeps the candidates of (the first one
        # left as it was with its text), or None: edited inside its markers
        origin: list[int | None] = []
        used: set[int] = set()
        k = 0
        for chunk in self.chunks:
            if isinstance(chunk, str):
                chunks.append(chunk)
                continue
            if k in self.expected:
                chunks.append(self.expected[k])
            elif (roll := rng.random()) < 0.4:
                chunks.append(chunk.theirs)  # resolved by hand
            elif roll < 0.5:
                chunks.append(chunk._replace(ours="edited = 1\n" + chunk.ours))
                origin.append(None)
            else:
                chunks.append(chunk)
                origin.append(self._origin(chunk, used))
            k += 1
        saved = (self.chunks, self.expected, self.first)
        self.chunks, self.expected, self.edited = chunks, {}, True
        self.first = [
            self.first[o] if o is not None else h.ours
            for o, h in zip(origin, (c for c in chunks if not isinstance(c, str)), strict=True)
        ]
        self.actions.append(("edit file", before, self.result(), True))
        self.tally["whole files edited"] += 1
        hunks = [c for c in chunks if not isinstance(c, str)]
        then = rng.random()
        if then < 0.2:
            self.actions.append("u")
            self.chunks, self.expected, self.first = saved
            self.edited = False
            self.tally["whole-file edits undone"] += 1
        elif then < 0.4 and hunks:
            self._take_side(hunks, undo=False)
        elif then < 0.6 and hunks and self.first[0] is not None:
            self.actions.append("1")
            self.expected[0] = self.first[0]
        elif then < 0.8 and hunks:
            self._pick(0, hunks[0])

    def _origin(self, chunk: Any, used: set[int]) -> int:
        """The first hunk not yet ``used`` whose markers are ``chunk``'s, byte for byte:
        the one whose candidates a hunk left as it was keeps (two hunks alike are one
        conflict, whichever's candidates it keeps)."""
        found = next(
            h.index for h in self.hunks if h.index not in used and h.render() == chunk.render()
        )
        used.add(found)
        return found


def _editor(texts: list[str]) -> Callable[[str, str], str]:
    """An editor that returns ``texts`` in order, one per edit."""
    return lambda current, suffix: texts.pop(0)

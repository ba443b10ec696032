"""Measure a model on held-out code: single-line infilling and short function bodies,
beside the trivial baselines, in one run (`santamerge model eval`)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from santamerge.model.budget import fit_around_gap, token_counter
from santamerge.model.generate import Gap, fill_gaps

if TYPE_CHECKING:
    from santamerge.model.backends.base import Backend


class Task(NamedTuple):
    kind: str  # "line" or "body"
    path: str
    prefix: str
    middle: str
    suffix: str


class Row(NamedTuple):
    kind: str
    method: str  # "model", or a baseline
    samples: int
    exact: float  # share of exact matches, whitespace-stripped
    similarity: float  # mean Levenshtein.normalized_similarity
    ms_per_sample: float | None = None


def line_tasks(path: str, text: str, rng: random.Random, k: int) -> list[Task]:
    """``k`` lines of ``text`` to fill: the line's code, after its indentation."""
    lines = text.splitlines(keepends=True)
    starts = [sum(len(x) for x in lines[:i]) for i in range(len(lines))]
    usable = [
        i
        for i, line in enumerate(lines)
        if 10 <= len(line.strip()) <= 80 and not line.lstrip().startswith("#")
    ]
    tasks = []
    for i in rng.sample(usable, min(k, len(usable))):
        line = lines[i].rstrip("\r\n")
        indent = len(line) - len(line.lstrip())
        begin, end = starts[i] + indent, starts[i] + len(line)
        tasks.append(Task("line", path, text[:begin], text[begin:end], text[end:]))
    return tasks


def body_tasks(path: str, text: str, rng: random.Random, k: int) -> list[Task]:
    """``k`` Python function bodies of 2 to 8 lines to fill; docstrings stay in the prefix."""
    from santamerge import treesitter
    from santamerge.languages.profiles import language_named

    profile = language_named("python")
    assert profile is not None
    data = text.encode("utf-8")
    tree = treesitter.parse(profile, text)
    query = treesitter.query(profile, "definitions")
    assert query is not None
    found = []
    for node in treesitter.captures(query, tree.root_node).get("definition", []):
        body = node.child_by_field_name("body")
        if node.type != "function_definition" or body is None:
            continue
        statements = [c for c in body.named_children if c.type != "comment"]
        if (
            statements
            and statements[0].type == "expression_statement"
            and statements[0].named_children[:1]
            and statements[0].named_children[0].type == "string"
        ):
            statements = statements[1:]
        if not statements or not 2 <= body.end_point[0] - statements[0].start_point[0] + 1 <= 8:
            continue
        begin = data.rfind(b"\n", 0, statements[0].start_byte) + 1
        end = data.find(b"\n", body.end_byte)
        end = len(data) if end < 0 else end + 1
        found.append(
            Task("body", path, data[:begin].decode(), data[begin:end].decode(), data[end:].decode())
        )
    return rng.sample(found, min(k, len(found)))


def baselines(task: Task) -> dict[str, str]:
    """The trivial answers: nothing; the line before; the prefix line most like the truth
    (an oracle: it peeks at the answer, so it bounds what copying can reach)."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    lines = [line.strip() for line in task.prefix.splitlines() if line.strip()]
    best = (
        process.extractOne(task.middle.strip(), lines, scorer=Levenshtein.normalized_similarity)
        if lines
        else None
    )
    return {
        "empty": "",
        "previous line": lines[-1] if lines else "",
        "best prefix line (oracle)": best[0] if best else "",
    }


def evaluate(
    backend: Backend,
    tasks: Sequence[Task],
    budget: int,
    batch: int = 8,
    progress: Callable[[int], None] | None = None,
) -> list[Row]:
    """Fill every task greedily with the model; score it and the baselines."""
    count = token_counter(backend)
    answers: dict[int, str] = {}
    started = time.perf_counter()
    for group in _chunks(tasks, batch):
        limit = 24 if tasks[group[0]].kind == "line" else 128
        gaps = [
            Gap(*fit_around_gap(tasks[i].prefix, tasks[i].suffix, count, budget - limit))
            for i in group
        ]
        for i, found in zip(group, fill_gaps(backend, gaps, max_new_tokens=limit), strict=True):
            text = found[0].text
            answers[i] = text.split("\n", 1)[0] if tasks[i].kind == "line" else text
        if progress:
            progress(len(group))
    per_sample = 1000 * (time.perf_counter() - started) / max(1, len(tasks))
    rows = []
    for kind in sorted({t.kind for t in tasks}):
        chosen = [(t, answers[i]) for i, t in enumerate(tasks) if t.kind == kind]
        rows.append(_row(kind, "model", chosen, per_sample))
        for name in baselines(chosen[0][0]):
            rows.append(_row(kind, name, [(t, baselines(t)[name]) for t, _ in chosen], None))
    return rows


def _row(kind: str, method: str, pairs: list[tuple[Task, str]], ms: float | None) -> Row:
    from rapidfuzz.distance import Levenshtein

    exact = sum(a.strip() == t.middle.strip() for t, a in pairs)
    sim = sum(Levenshtein.normalized_similarity(a.strip(), t.middle.strip()) for t, a in pairs)
    n = max(1, len(pairs))
    return Row(kind, method, len(pairs), exact / n, sim / n, ms)


def _chunks(tasks: Sequence[Task], size: int) -> Iterable[list[int]]:
    """Batches of task indexes of one kind, so that a batch shares its token limit."""
    for kind in ("line", "body"):
        same = [i for i, t in enumerate(tasks) if t.kind == kind]
        for start in range(0, len(same), size):
            yield same[start : start + size]

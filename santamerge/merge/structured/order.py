"""Where both sides add one-line items at one place (imports, a configuration file's
keys, the children of an order-free parent), the file's own order decides theirs: the
one rule, here, by which a group counts as kept sorted. A group is sorted by a rule
when its lines, whitespace-normalised and read through the rule, are in order; the
rules are exact and case-blind, exact first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from santamerge.merge.structured.words import normalise


def _exact(text: str) -> str:
    return text


SORT_KEYS: tuple[Callable[[str], str], ...] = (_exact, str.casefold)


def sorted_by(groups: Iterable[Sequence[str]]) -> list[Callable[[str], str]]:
    """The rules (of :data:`SORT_KEYS`, in its order) by which every one of ``groups``
    is sorted."""
    texts = [[normalise(line) for line in group] for group in groups]
    return [
        key
        for key in SORT_KEYS
        if all([key(t) for t in group] == sorted(key(t) for t in group) for group in texts)
    ]


def sort_key(rule: Callable[[str], str]) -> Callable[[str], str]:
    """The key that puts items in ``rule``'s order."""
    return lambda text: rule(normalise(text))

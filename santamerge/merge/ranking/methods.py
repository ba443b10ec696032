"""The candidate methods: one record per method, and nothing else.

A method is named ``family:how`` where a module builds it, or after the sides it takes:

- ``structured:union``: merge/structured/union.py, the order-free union of both sides'
  additions (``structured:union-unordered`` where both added at one place in no order
  the file shows: offered, written only by the ``words`` and ``union`` policies);
- ``structured:tree``: merge/structured/tree.py, the three-way merge of the children of
  an order-free parent (imports, class bodies, object literals, keys), matched by
  signature;
  ``structured:tree-unordered`` where both sides added there and no order shows which
  comes first (offered; written only by the ``words`` policy);
- ``merged:words``: merge/structured/words.py, the word-level 3-way merge inside the hunk;
- ``ours``, ``theirs``, ``base``, ``ours+theirs``, ``theirs+ours``: merge/candidates.py,
  the sides as they are and both concatenations;
- ``model:<strategy>``: merge/middles.py, the model's middle under a strategy.

The names are stored in attempts, ``propose --json`` and santamerge/data/ranker.json;
they never change. Each record says how the stages treat its method: the order (most
specific first: when two methods give the same text, the first one names it), the hand
ranking's prior, the description a person reads, the learned ranker's signal, what a
model middle was shown, and which policies may write it.
"""

from __future__ import annotations

from typing import NamedTuple


class Method(NamedTuple):
    name: str
    order: int  # most specific first; the model's middles share the last place
    # how often the method is right when it applies, before looking at the text
    prior: float
    description: str
    feature: str  # the learned ranker's method signal (santamerge.merge.ranking.learned)
    sees: str = ""  # a model middle: what the model was shown
    policies: frozenset[str] = frozenset()  # the policies that may write it unasked


# The priors come from the public figures in DESIGN.md: always-ours matches ~41 % of
# hunks, word merges ~68 % of those they resolve; an order-free union passes the gates
# by construction. They are hand-set until the learned ranker replaces them.
TABLE = (
    Method(
        "structured:union",
        0,
        1.0,
        "order-free union of both sides' added imports or definitions",
        "m_union",
        policies=frozenset({"conservative", "words", "union"}),
    ),
    Method(
        "structured:union-unordered",
        1,
        0.4,
        "order-free union of both sides' additions at one place, in no order the file "
        "shows (ours first)",
        "m_union",
        policies=frozenset({"words", "union"}),
    ),
    Method(
        "structured:tree",
        2,
        1.0,
        "three-way merge of an order-free parent's children, matched by signature",
        "m_union",
        policies=frozenset({"conservative", "words"}),
    ),
    Method(
        "structured:tree-unordered",
        3,
        0.4,
        "three-way merge of an order-free parent's children, where both sides added at "
        "one place and the file shows no order (ours first)",
        "m_union",
        policies=frozenset({"words"}),
    ),
    Method(
        "merged:words",
        4,
        0.9,
        "word-level 3-way merge inside the hunk",
        "m_words",
        policies=frozenset({"words"}),
    ),
    Method("ours", 5, 0.8, "our side as it is", "m_ours"),
    Method("theirs", 6, 0.7, "their side as it is", "m_theirs"),
    Method("ours+theirs", 7, 0.6, "our side, then theirs", "m_concat"),
    Method("theirs+ours", 8, 0.55, "their side, then ours", "m_concat"),
    Method("base", 9, 0.2, "the common ancestor: drops both changes", "m_base"),
    Method(
        "model:ours",
        10,
        0.5,
        "the model's middle, shown our side",
        "m_model",
        "our side as context",
    ),
    Method(
        "model:theirs",
        10,
        0.5,
        "the model's middle, shown their side",
        "m_model",
        "their side as context",
    ),
    Method(
        "model:merged",
        10,
        0.5,
        "the model's middle, shown both sides",
        "m_model",
        "both sides as context",
    ),
    Method(
        "model:fim",
        10,
        0.5,
        "the model's middle, from the file around the hunk",
        "m_model",
        "the file around the hunk",
    ),
)
METHODS = {m.name: m for m in TABLE}
# The deterministic methods (no model), in order: what candidates.py builds.
DETERMINISTIC = tuple(m.name for m in TABLE if not m.name.startswith("model:"))
LAST = len(DETERMINISTIC)  # the order of a method not in the table, and of model middles


def order(method: str) -> int:
    found = METHODS.get(method)
    return found.order if found is not None else LAST


def prior(method: str) -> float:
    found = METHODS.get(method)
    return found.prior if found is not None else 0.5


def description(method: str) -> str:
    found = METHODS.get(method)
    return found.description if found is not None else method


def feature(method: str) -> str | None:
    """The learned ranker's method signal; any model middle is ``m_model``."""
    if method.startswith("model:"):
        return "m_model"
    found = METHODS.get(method)
    return found.feature if found is not None else None


def written_by(policy: str) -> frozenset[str]:
    """The methods that the named policy may write unasked."""
    return frozenset(m.name for m in TABLE if policy in m.policies)

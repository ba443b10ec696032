"""Gradient-boosted trees, evaluated in plain Python.

The shipped ranker's trees are fitted with LightGBM at training time (the ``train``
extra) and stored as JSON arrays; evaluating them needs nothing but this module, so the
merge driver imports no numerical library. Each tree is five parallel arrays over its
split nodes: the feature, the threshold (go left when the value is at most it), the left
and the right child (a child below zero is the leaf ``-child - 1``), and the leaves'
values. A candidate's raw score is the sum of its leaves; its probability the logistic
of that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


class Tree(NamedTuple):
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    leaf: tuple[float, ...]

    def value(self, x: Sequence[float]) -> float:
        if not self.feature:  # a tree of one leaf
            return self.leaf[0]
        node = 0
        while node >= 0:
            node = (
                self.left[node]
                if x[self.feature[node]] <= self.threshold[node]
                else self.right[node]
            )
        return self.leaf[-node - 1]


class Trees(NamedTuple):
    features: tuple[str, ...]
    trees: tuple[Tree, ...]
    offset: float = 0.0

    def raw(self, row: Mapping[str, float]) -> float:
        x = [float(row.get(f, 0.0)) for f in self.features]
        return self.offset + sum(t.value(x) for t in self.trees)

    def probability(self, row: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, self.raw(row)))))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "trees",
            "features": list(self.features),
            "offset": self.offset,
            "trees": [
                [list(t.feature), list(t.threshold), list(t.left), list(t.right), list(t.leaf)]
                for t in self.trees
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Trees:
        return cls(
            tuple(data["features"]),
            tuple(
                Tree(
                    tuple(f),
                    tuple(float(v) for v in th),
                    tuple(lf),
                    tuple(rt),
                    tuple(float(v) for v in lv),
                )
                for f, th, lf, rt, lv in data["trees"]
            ),
            float(data.get("offset", 0.0)),
        )


def from_lightgbm(dump: Mapping[str, Any], features: Sequence[str]) -> Trees:
    """The trees of a LightGBM model's ``dump_model()`` (numerical splits only)."""
    return Trees(
        tuple(features), tuple(_flatten(info["tree_structure"]) for info in dump["tree_info"])
    )


def _flatten(root: Mapping[str, Any]) -> Tree:
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    leaf: list[float] = []

    def walk(node: Mapping[str, Any]) -> int:
        if "leaf_value" in node:
            leaf.append(float(node["leaf_value"]))
            return -len(leaf)
        if node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')!r}")
        i = len(feature)
        feature.append(int(node["split_feature"]))
        threshold.append(float(node["threshold"]))
        left.append(0)
        right.append(0)
        left[i] = walk(node["left_child"])
        right[i] = walk(node["right_child"])
        return i

    walk(root)
    return Tree(tuple(feature), tuple(threshold), tuple(left), tuple(right), tuple(leaf))

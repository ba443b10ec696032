"""Does `santamerge learn` help? Chronologically, per repository, out of sample.

For each repository of the hunk stores (built by `santamerge bench ranker`, see
docs/ranking-data.json) with at least --min-hunks hunks: the ranker is fitted on the
other repositories (as the shipped one is, LambdaRank trees, with the shipped
calibration); the repository's merges are ordered by date, the newest --held share held
back; the adjustment of `santamerge learn` is fitted on the older ones and both are
scored on the newest: top-1 without and with it. "gated" applies the adjustment only
where an inner split of the older merges (its newest --held share) showed a gain, as a
cautious `learn` would.

    .venv/bin/python tests/bench/local_learning.py [--json F]

Needs the train extra (LightGBM). Measured figures: docs/ranking.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    from santamerge.merge.ranking.learned import RICH, Ranker, shipped_ranker
    from santamerge.training.hunkstore import default_store, read_store, usable
    from santamerge.training.local import Hunk, fit_adjustment, split_by_date, top1_right
    from santamerge.training.ranker import fit_trees, sample_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-hunks", type=int, default=50)
    parser.add_argument("--held", type=float, default=0.2)
    parser.add_argument("--json", dest="out", default=None)
    args = parser.parse_args()

    shipped = shipped_ranker()
    assert shipped is not None
    root = default_store("x").parent
    samples = {}
    for store in sorted(root.iterdir()):
        found = [sample_of(store.name, r) for r in usable(read_store(store))]
        samples[store.name] = [s for s in found if s.rows]
    everything = [s for found in samples.values() for s in found]
    rows = []
    totals = {"hunks": 0, "before": 0.0, "after": 0.0, "gated": 0.0}
    for repo, own in samples.items():
        hunks = [Hunk(s.rows, s.labels, s.date, s.merge) for s in own]
        older, newest = split_by_date(hunks, args.held)
        if len(hunks) < args.min_hunks or len(older) < 20:
            continue
        trees = fit_trees([s for s in everything if s.repo != repo], RICH)
        ranker = Ranker(
            {"deterministic": trees}, shipped.threshold, {}, calibration=shipped.calibration
        )
        before = top1_right(newest, ranker)
        after = top1_right(newest, ranker._replace(local=fit_adjustment(older, ranker)))
        inner_old, inner_new = split_by_date(older, args.held)
        trial = ranker._replace(local=fit_adjustment(inner_old, ranker))
        gated = after if top1_right(inner_new, trial) > top1_right(inner_new, ranker) else before
        since = min(h.date for h in newest)[:10]
        rows.append(
            {
                "repository": repo,
                "older": len(older),
                "newest": len(newest),
                "since": since,
                "before": before,
                "after": after,
                "gated": gated,
            }
        )
        print(
            f"{repo:32s} older {len(older):5d} newest {len(newest):4d} since {since} "
            f"without {before:6.1%} with {after:6.1%} gated {gated:6.1%}",
            flush=True,
        )
        totals["hunks"] += len(newest)
        for key in ("before", "after", "gated"):
            totals[key] += rows[-1][key] * len(newest)
    n = totals["hunks"] or 1
    print(
        f"all {totals['hunks']} newest hunks: without {totals['before'] / n:.1%}, with "
        f"{totals['after'] / n:.1%}, gated {totals['gated'] / n:.1%}"
    )
    if args.out:
        Path(args.out).write_text(
            json.dumps({"repositories": rows, "totals": totals}, indent=1) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

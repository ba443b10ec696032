"""`santamerge learn`'s table of each method on public repositories: what would be proven
or contradicted, and what the default policy then writes per language.

For each git directory given: mine its newest --limit merges (at most --budget seconds)
into a hunk store under --store, as `learn` does, and measure each method per language
on the newest --held share of them (santamerge.merge.ranking.proof), and on all of them
for comparison.

    .venv/bin/python tests/bench/method_proof.py /path/to/repo.git ... [--json F]

Measured figures: docs/ranking.md, "Each method proven per repository".
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> int:
    from santamerge.merge.ranking.policy import CONSERVATIVE
    from santamerge.merge.ranking.proof import in_repository, measure
    from santamerge.training.hunkstore import mine_repository, read_store, repo_name, usable
    from santamerge.training.local import split_by_date

    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+")
    parser.add_argument("--store", default="/tmp/santamerge-method-proof")
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--budget", type=float, default=420.0)
    parser.add_argument("--held", type=float, default=0.2)
    parser.add_argument("--json")
    args = parser.parse_args()
    out = {}
    for repo in args.repos:
        name = repo_name(repo)
        store = Path(args.store) / name
        started = time.monotonic()
        _, stored = mine_repository(repo, store, args.limit, args.budget)
        records = list(usable(read_store(store)))
        _, newest = split_by_date(records, args.held)
        proof = measure(newest, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        every = measure(records, proof.measured)
        policy = {
            lang: sorted(in_repository(CONSERVATIVE, proof, lang).methods) for lang in proof.table
        }
        out[name] = {
            "merges": stored,
            "hunks": len(records),
            "newest": proof.to_json(),
            "all": every.to_json(),
            "conservative_writes": policy,
            "seconds": round(time.monotonic() - started),
        }
        print(f"{name}: {stored} merges, {len(records)} hunks, newest {proof.merges} merges")
        for which, table in (("newest", proof.table), ("all", every.table)):
            for lang, methods in sorted(table.items()):
                row = ", ".join(
                    f"{m} {f.right}/{f.written}"
                    for m, f in sorted(methods.items(), key=lambda kv: -kv[1].written)
                )
                print(f"  {which} {lang}: {row}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``santamerge learn``: fit this repository's own adjustment of the shipped ranker from
its past merges."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from santamerge.commands.options import json_option
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from santamerge.merge.record import MinedHunk
    from santamerge.training.local import Hunk

LEARN_SCHEMA = 1
WHERE = (
    "is not inside a git working tree; run santamerge learn in the repository whose "
    "merges to learn from"
)


@click.command(short_help="Learn how this repository resolves conflicts, from its past merges.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Read at most this many merge commits, newest first.",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=1),
    default=600.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop replaying new merges after this long; a later run goes on where this one stopped.",
)
@click.option(
    "--hold-out",
    "held",
    type=click.FloatRange(0.05, 0.5),
    default=0.2,
    show_default=True,
    help="The share of the newest merges held back to measure the adjustment and each method.",
)
@click.option(
    "--forget",
    is_flag=True,
    help="Remove what learn stored (.git/santamerge/learn/, ranker.json and "
    "methods.json) and stop.",
)
@json_option
@report_errors
def learn(limit: int, budget: float, held: float, forget: bool, as_json: bool) -> None:
    """Replay this repository's past merges with git's own merge, see which candidate
    the people committed in each conflict hunk, and fit a local adjustment of the
    shipped ranker. propose, preview, resolve and the merge driver (under the
    calibrated policy) then use it, and say so in their reasons.

    Nothing in the working tree, index, refs or objects is written: merges are replayed
    in a private scratch repository (docs/ranking.md). The hunks mined go to
    .git/santamerge/learn/, one file per merge commit, so a second run reads only the
    merges it has not seen; the adjustment to .git/santamerge/ranker.json.

    It is measured before it is used: fitted on the older merges, it ranks the newest
    ones (--hold-out), and it is stored only if it ranks them better than the shipped
    ranker alone. It is then fitted again on every hunk.

    It also measures each writing method (structured:tree, merged:words, ...) per
    language on those newest merges: the hunks it would write, and how many hold what
    people committed (the same lines in another order count as right, and are shown
    apart). The table goes to .git/santamerge/methods.json. The merge driver,
    resolve --accept and merge-tree then write a method here where it was right in at
    least 97 % of at least 20 hunks, and stop writing one the default trusts where the
    history shows it below that (docs/ranking.md).

    \b
    Examples:
      santamerge learn                  mine up to 1000 merges (10 minutes at most), fit
      santamerge learn --budget 60      a minute of mining now; run again to go on
      santamerge learn --json           what it learnt, for scripts
      santamerge learn --forget         back to the shipped ranker
    """
    from santamerge.git import find_repository
    from santamerge.merge.ranking.learned import local_path
    from santamerge.merge.ranking.proof import proof_path

    repo = find_repository(os.getcwd(), WHERE)
    state = Path(repo.git_dir) / "santamerge"
    if os.path.lexists(state) and not state.is_dir():
        raise SantamergeError(
            f"{state} is not a folder; learn keeps its hunks and ranker "
            "there: move it away and run learn again"
        )
    store = state / "learn"
    target = local_path(repo.git_dir)
    if forget:
        import shutil

        shutil.rmtree(store, ignore_errors=True)
        _remove(target)
        _remove(proof_path(repo.git_dir))
        click.echo(
            "santamerge: forgot what learn stored; the shipped ranker and policy are in effect"
        )
        return
    mined, stored = _mine(repo.root, store, limit, budget, quiet=as_json)
    records = _records(store)
    result = _fit(records, target, held)
    result["methods"] = _prove(records, repo.git_dir, held)
    result.update(
        {
            "schema": LEARN_SCHEMA,
            "merges_read_now": mined,
            "merges_stored": stored,
            "store": str(store),
            "ranker": str(target),
        }
    )
    if as_json:
        click.echo(json.dumps(result, indent=1))
    else:
        _print(result)


def _mine(root: str, store: Path, limit: int, budget: float, quiet: bool) -> tuple[int, int]:
    from rich.console import Console
    from rich.progress import Progress

    from santamerge.training.hunkstore import mine_repository

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=quiet) as bar:

        def progress(total: int) -> Any:
            job = bar.add_task("replaying merges", total=total)
            return lambda: bar.advance(job)

        return mine_repository(root, store, limit, budget, progress=progress)


def _records(store: Path) -> list[MinedHunk]:
    from santamerge.training.hunkstore import read_store, usable

    return list(usable(read_store(store)))


def _prove(records: list[MinedHunk], git_dir: str, held: float) -> dict[str, Any]:
    """Each writing method's figures per language on the newest merges (the hold-out),
    stored in .git/santamerge/methods.json for the policy (santamerge.merge.ranking.proof)."""
    from santamerge.merge.ranking.proof import measure, proof_path, write_proof
    from santamerge.training.local import split_by_date

    _, newest = split_by_date(records, held)
    proof = measure(newest, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    out: dict[str, Any] = {**proof.to_json(), "file": str(proof_path(git_dir))}
    out.pop("schema")
    try:
        write_proof(git_dir, proof)
        out["stored"] = True
    except OSError as exc:
        out.update(
            stored=False,
            why=f"could not store the table in {proof_path(git_dir)} "
            f"({exc.strerror}); move that away and run learn again",
        )
    return out


def _fit(records: list[MinedHunk], target: Path, held: float) -> dict[str, Any]:
    from santamerge.merge.ranking.learned import shipped_ranker
    from santamerge.training.local import (
        MIN_HUNKS,
        fit_adjustment,
        split_by_date,
        top1_right,
    )

    ranker = shipped_ranker()
    if ranker is None:
        raise SantamergeError("this installation ships no ranker to adjust; reinstall santamerge")
    hunks = _hunks(records)
    out: dict[str, Any] = {"hunks": len(hunks), "merges": len({h.merge for h in hunks})}
    if len(hunks) < MIN_HUNKS:
        _remove(target)
        out.update(
            stored=False,
            why=f"{len(hunks)} conflict hunks matched to their commits; "
            f"learn needs {MIN_HUNKS} (raise --limit, or run again later)",
        )
        return out
    older, newest = split_by_date(hunks, held)
    before = top1_right(newest, ranker)
    trial = fit_adjustment(older, ranker)
    after = top1_right(newest, ranker._replace(local=trial))
    out.update(
        held_out={
            "hunks": len(newest),
            "merges": len({h.merge for h in newest}),
            "since": min((h.date for h in newest), default=""),
            "top1_shipped": before,
            "top1_adjusted": after,
        }
    )
    if after <= before:
        _remove(target)
        out.update(
            stored=False,
            why="the adjustment ranked the newest merges no better "
            "than the shipped ranker; nothing stored, the shipped ranker stays",
        )
        return out
    facts = {
        "hunks": len(hunks),
        "merges": out["merges"],
        "fitted": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "held_out": out["held_out"],
    }
    adjustment = fit_adjustment(hunks, ranker, facts=facts)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(adjustment.to_json(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:  # a folder in its place, say: the shipped ranker stays
        tmp.unlink(missing_ok=True)
        out.update(
            stored=False,
            why=f"could not store the adjustment in {target} "
            f"({exc.strerror}); move that away and run learn again",
        )
        return out
    out.update(
        stored=True,
        weights=dict(zip(adjustment.features, (round(c, 3) for c in adjustment.coef), strict=True)),
    )
    return out


def _remove(target: Path) -> None:
    """Remove the stored adjustment; anything else in its place (a folder) is left as it
    is, with one warning line."""
    from santamerge.merge.ranking.learned import warn_unusable

    try:
        target.unlink(missing_ok=True)
    except OSError as exc:
        warn_unusable(target, exc)


def _hunks(records: list[MinedHunk]) -> list[Hunk]:
    from santamerge.training.local import Hunk
    from santamerge.training.ranker import sample_of

    out = []
    for record in records:
        sample = sample_of("", record)
        if sample.rows:
            out.append(Hunk(sample.rows, sample.labels, sample.date, sample.merge))
    return out


def _print(result: dict[str, Any]) -> None:
    click.echo(
        f"read {result['merges_read_now']} new merge commit(s); "
        f"{result['merges_stored']} stored in all"
    )
    click.echo(
        f"{result['hunks']} conflict hunk(s) matched to their commits, in "
        f"{result['merges']} merge(s)"
    )
    held = result.get("held_out")
    if held:
        click.echo(
            f"held back the newest {held['merges']} merge(s) ({held['hunks']} hunks, "
            f"since {held['since'][:10]}): top-1 right {held['top1_shipped']:.1%} "
            f"with the shipped ranker, {held['top1_adjusted']:.1%} adjusted"
        )
    _print_methods(result["methods"])
    if result["stored"]:
        click.echo(
            f"stored the adjustment in {result['ranker']}; propose, preview, resolve "
            "and the driver use it from now on (santamerge learn --forget undoes it)"
        )
    else:
        click.echo(f"santamerge: {result['why']}")


VERDICTS = {
    "proven": "written here",
    "contradicted": "not written here",
    "too few": "too few hunks: the policy decides",
}


def _print_methods(methods: dict[str, Any]) -> None:
    """The table of each method's figures per language, and what the policy makes of it."""
    languages = methods["languages"]
    if not languages:
        click.echo("no method gave a candidate in the newest merges: the policy is as shipped")
        return
    click.echo(
        f"each method on the newest {methods['merges']} merge(s) (since "
        f"{methods['since'][:10]}): written = hunks it would write, right = "
        "holds the commit's text (order-only counted right, and shown apart)"
    )
    rows = [("language", "method", "written", "right", "order-only", "precision", "")]
    for language, figures in languages.items():
        for method, f in figures.items():
            rows.append(
                (
                    language,
                    method,
                    str(f["written"]),
                    str(f["right"]),
                    str(f["order_only"]),
                    f"{f['precision']:.1%}",
                    VERDICTS[f["verdict"]],
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=False))
        ]
        click.echo("  " + "  ".join(cells) + (f"  {row[-1]}" if row[-1] else ""))
    where = methods["file"] if methods["stored"] else None
    click.echo(
        f"stored the table in {where}; the driver, resolve --accept and merge-tree "
        f"write a method here at >= {methods['precision']:.0%} precision on >= "
        f"{methods['min_hunks']} hunks"
        if where
        else f"santamerge: {methods['why']}"
    )

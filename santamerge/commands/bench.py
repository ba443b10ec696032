"""``santamerge bench``: measure santamerge on a repository's own history."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from santamerge.commands.options import (
    check_device,
    json_option,
    model_options,
    output_option,
    policy_option,
)
from santamerge.errors import SantamergeError, report_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from santamerge.bench.replay import MergeCommit


@click.group(short_help="Judge santamerge on a repository's own history.")
def bench() -> None:
    """Replay what people did in a repository and compare santamerge with it.

    Nothing in the repository is written: no working tree, index, ref, object, config
    or merge-driver attempt. Merges are replayed with git's own merge in a private
    scratch repository, whatever merge drivers (santamerge's included) and attributes
    the repository or your git config set up.
    """


@bench.command(short_help="Replay past merges; compare proposals with the commits.")
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False),
    default=".",
    show_default=True,
    help="The repository (a working tree or a bare one).",
)
@click.option(
    "--rev",
    default="HEAD",
    show_default=True,
    help="Replay the merges reachable from this revision (or range, a..b).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many merge commits, newest first.",
)
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Only merges committed after DATE (anything `git log --since` takes).",
)
@click.option(
    "--paths",
    default=None,
    metavar="GLOB",
    help="Only files whose path matches GLOB, e.g. '*.py' or 'src/*'.",
)
@policy_option
@json_option
@output_option
@click.option(
    "--plot",
    "plot_path",
    default=None,
    metavar="FILE.png",
    help="Draw precision against coverage over a threshold on the top-1 score "
    "(needs matplotlib: pip install 'santamerge[bench]').",
)
@click.option(
    "--name",
    default=None,
    help="What to call the repository in the report (default: its folder's name).",
)
@click.option(
    "--no-cache", is_flag=True, help="Replay again instead of reading ~/.cache/santamerge/bench."
)
@click.option(
    "--details",
    is_flag=True,
    help="Also put one record per conflicted file in the JSON report (commit, "
    "path, verdicts, the method of each written region; no text), for "
    "error analysis.",
)
@report_errors
def merges(
    repo: str,
    rev: str,
    limit: int | None,
    since: str | None,
    paths: str | None,
    policy: str | None,
    as_json: bool,
    output: str | None,
    plot_path: str | None,
    name: str | None,
    no_cache: bool,
    details: bool,
) -> None:
    """For each two-parent merge commit, merge its parents again with git (diff3), run
    santamerge's proposal pipeline (the code path of `propose`) on every conflict hunk,
    and compare with the resolution that was committed.

    \b
    Reported: top-1 / top-3 exact match after whitespace normalisation, edit
    similarity, auto-apply precision, coverage and silent-wrong rate by hunk and by
    file (the files the driver would write, per language, beside git's line merge),
    time per file and hunk, and the baselines (git merge-file, always ours, always
    theirs, best trivial candidate), by language and by how the hunk was resolved.
    Hunks whose context the merge changed are counted as unmatched, not guessed.

    \b
    Example:
      santamerge bench merges --repo ~/src/flask --limit 300 --output flask.json
    """
    from santamerge.bench.plot import check_plot, plot_curve
    from santamerge.bench.replay import git_dir_of, list_merges

    if output:
        check_writable(output, "--output")
    if plot_path:
        check_writable(plot_path, "--plot")
        check_plot(plot_path)
    git_dir = git_dir_of(repo)
    found = list_merges(git_dir, rev, limit, since)
    if not found:
        raise SantamergeError(
            f"no two-parent merge commits are reachable from {rev}"
            f"{' since ' + since if since else ''}; try another --rev"
        )
    meta = {
        "repo": str(Path(repo).resolve()),
        "name": name or Path(repo).resolve().name,
        "rev": rev,
        "policy": policy or "conservative",
        "since": since,
        "paths": paths,
    }
    report = _replay_all(git_dir, found, meta, no_cache, quiet=as_json, details=details)
    _emit(report, as_json, output)
    if plot_path:
        try:
            plot_curve(report, plot_path)
        except OSError as exc:
            raise SantamergeError(
                f"could not write --plot {plot_path}: {exc.strerror or exc}"
            ) from None
    if not as_json:
        from santamerge.bench.report import print_merges

        print_merges(report)


def _replay_all(
    git_dir: Path,
    found: list[MergeCommit],
    meta: dict[str, Any],
    no_cache: bool,
    quiet: bool,
    details: bool = False,
) -> dict[str, Any]:
    """Replay ``found``, propose on every conflicted file, and summarise."""
    from rich.progress import Progress

    from santamerge import __version__
    from santamerge.bench.merges import run_bench, summarise
    from santamerge.bench.replay import ConflictedFile, Replayer, default_cache
    from santamerge.ui.render import console

    conflicted: list[ConflictedFile] = []
    skipped: dict[str, int] = {}
    with_conflicts = cached = 0
    with (
        Replayer(git_dir, None if no_cache else default_cache(), meta["paths"]) as replayer,
        Progress(console=console(stderr=True), transient=True, disable=quiet) as bar,
    ):
        job = bar.add_task("replaying merges", total=len(found))
        for merge in found:
            replay, hit = replayer.replay(merge)
            cached += hit
            with_conflicts += bool(replay.files)
            conflicted.extend(replay.files)
            for why, count in replay.skipped.items():
                skipped[why] = skipped.get(why, 0) + count
            bar.advance(job)
        job = bar.add_task("proposing", total=len(conflicted))
        parents = {merge.oid: merge.parents for merge in found}

        def sides(f: ConflictedFile) -> tuple[str, str] | None:
            """The merge's two parents' files, as the driver gets them (%A, %B)."""
            texts = []
            for parent in parents[f.merge]:
                data = replayer.blob(f"{parent}:{f.path}")
                try:
                    texts.append(data.decode("utf-8") if data is not None else None)
                except UnicodeDecodeError:
                    return None
            if texts[0] is None or texts[1] is None:
                return None
            return texts[0], texts[1]

        files = run_bench(
            conflicted, meta["policy"], progress=lambda k: bar.advance(job, k), sides=sides
        )
    merges = {
        "replayed": len(found),
        "from_cache": cached,
        "with_conflicted_files": with_conflicts,
        "newest": {"commit": found[0].oid, "date": found[0].date},
        "oldest": {"commit": found[-1].oid, "date": found[-1].date},
    }
    head = {k: meta[k] for k in ("repo", "name", "rev", "policy")}
    return summarise(
        files,
        {
            "schema": 1,
            "santamerge": __version__,
            **head,
            "merges": merges,
            "skipped_paths": skipped,
            "since": meta["since"],
            "paths": meta["paths"],
        },
        details,
    )


def _emit(report: dict[str, Any], as_json: bool, output: str | None) -> None:
    """The report as JSON: on standard output with --json, to the file of --output."""
    text = json.dumps(report, indent=2)
    if as_json:
        click.echo(text)
    if output:
        write_output(output, "--output", text + "\n")


@bench.command(short_help="Fit and calibrate the learned ranker on merge history.")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="A repository whose merges to learn from (repeat; at least two: the "
    "evaluation leaves one repository out at a time).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Merge commits per repository, newest first.",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Stop replaying a repository's new merges after this long (what is "
    "mined stays in the store; a later run goes on).",
)
@click.option(
    "--learner",
    type=click.Choice(["trees", "logistic"]),
    default="trees",
    show_default=True,
    help="Gradient-boosted trees (LightGBM; pip install 'santamerge[train]') or "
    "logistic regression.",
)
@click.option(
    "--model",
    "model_name",
    default=None,
    metavar="MODEL",
    help="Also mine the model's middles and likelihoods, and fit the 'model' "
    "variant (slow: the model runs on every hunk).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the ranker (default: santamerge/data/ranker.json in the package).",
)
@click.option(
    "--data",
    "data_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write what the data was built from (repository, commits, hunks) "
    "as JSON, e.g. docs/ranking-data.json.",
)
@click.option(
    "--plot",
    "plot_path",
    default=None,
    metavar="FILE.png",
    help="Draw precision against coverage of the held-out top-1 over a threshold "
    "on its probability (needs matplotlib: pip install 'santamerge[bench]').",
)
@report_errors
def ranker(
    repos: tuple[str, ...],
    limit: int,
    budget: float | None,
    learner: str,
    model_name: str | None,
    out: str | None,
    data_out: str | None,
    plot_path: str | None,
) -> None:
    """Replay the merges of each repository into the hunk store
    (~/.cache/santamerge/hunks/<repository>/, one file per merge: a second run reads
    only new merges), see which candidate of each matched hunk people committed, fit
    the ranker, choose the write threshold for 99 % precision on out-of-sample
    probabilities, and report leave-one-repository-out figures: top-1 and top-3 by what
    people committed, the misses by the candidate picked instead, and precision against
    coverage.

    \b
    Example (the command behind the shipped ranker; see docs/ranking.md):
      santamerge bench ranker --repo jinja --repo junit4 --repo express --limit 3000
    """
    from rich.console import Console
    from rich.progress import Progress

    from santamerge.bench.report import print_ranker
    from santamerge.model.backends.base import require_model_stack
    from santamerge.training.ranker import load_samples, train_ranker

    if len(repos) < 2:
        raise SantamergeError("give at least two --repo: the evaluation leaves one out")
    require_model_stack(
        "santamerge bench ranker",
        ("numpy",) + (("lightgbm",) if learner == "trees" else ()),
        extra="train",
    )
    target = Path(out) if out else _package_ranker_path()
    check_writable(str(target), "--out" if out else "the default --out", make_parents=True)
    if data_out:
        check_writable(data_out, "--data", make_parents=True)
    if plot_path:
        from santamerge.bench.plot import check_plot

        check_plot(plot_path)
    backend = None
    if model_name:
        from santamerge.model.backends.registry import load_backend

        backend = load_backend(model_name)
    console = Console(stderr=True)
    with Progress(console=console, transient=True) as bar:

        def progress(label: str) -> Callable[[int], Callable[[], None]]:
            def start(total: int) -> Callable[[], None]:
                job = bar.add_task(label, total=total)
                return lambda: bar.advance(job)

            return start

        samples, manifest = load_samples(repos, limit, budget, backend, progress)
        result = train_ranker(
            samples,
            backend is not None,
            learner,
            progress=lambda text: console.print(text, highlight=False),
        )
    if backend is not None:
        result["facts"]["model"] = backend.name
    from santamerge.training.hunkstore import repo_name

    result["facts"]["command"] = (
        "santamerge bench ranker "
        + " ".join(f"--repo {repo_name(r)}" for r in repos)
        + f" --limit {limit}"
        + f" --learner {learner}"
        + (f" --model {model_name}" if model_name else "")
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SantamergeError(
            f"could not create the folder of --out {target}: {exc.strerror or exc}"
        ) from None
    write_output(str(target), "--out", json.dumps(result, separators=(",", ":")) + "\n")
    if data_out:
        write_output(data_out, "--data", json.dumps(manifest, indent=1) + "\n")
    if plot_path:
        from santamerge.bench.plot import plot_curve

        held = result["facts"]["leave_one_repository_out"]["deterministic"]["all"]
        plot_curve(
            {
                "curve": result["facts"]["leave_one_repository_out"]["deterministic"]["curve"],
                "policy": "calibrated",
                "auto_apply": held,
                "name": f"learned ranker, {len(repos)} repositories each left out",
                "hunks": {"matched": held["hunks"]},
            },
            plot_path,
        )
    print_ranker(result, target)


def _package_ranker_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("santamerge"))) / "data" / "ranker.json"


@bench.command(short_help="Blank real function bodies, refill them, compare.")
@click.option(
    "--repo", type=click.Path(exists=True, file_okay=False), default=".", show_default=True
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="How many functions to blank and refill (chosen at random).",
)
@click.option(
    "-n",
    "samples",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Bodies sampled per stub.",
)
@click.option("--seed", default=0, show_default=True)
@model_options
@json_option
@output_option
@report_errors
def stubs(
    repo: str,
    limit: int,
    samples: int,
    seed: int,
    model_name: str | None,
    device: str | None,
    server: str | None,
    as_json: bool,
    output: str | None,
) -> None:
    """Take real functions of the repository (not tests, not one-liners), blank each body
    into a stub, refill it with the stub path of `santamerge fill`, and compare with the
    original: exact match after whitespace normalisation, edit similarity, the share
    that got a body that parses, and the time per stub.

    \b
    Example:
      santamerge bench stubs --repo ~/src/flask --limit 50 --output flask-stubs.json
    """
    from rich.progress import Progress

    from santamerge.bench.report import stubs_line
    from santamerge.bench.stubs import bench_stubs
    from santamerge.config import load_settings
    from santamerge.git import root_of
    from santamerge.model.backends.choose import open_backend
    from santamerge.ui.render import console

    root = root_of(str(Path(repo) / "x"))
    if root is None:
        raise SantamergeError(
            f"{repo} is not a git working tree (bench stubs reads the files); clone it first"
        )
    if output:
        check_writable(output, "--output")
    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    backend = open_backend(settings)
    with Progress(console=console(stderr=True), transient=True, disable=as_json) as bar:
        job = bar.add_task("refilling stubs", total=limit)
        report = bench_stubs(
            backend, root, limit, samples, seed, progress=lambda k: bar.advance(job, k)
        )
    report["model"] = backend.name
    _emit(report, as_json, output)
    if not as_json:
        click.echo(stubs_line(report))


def check_writable(path: str, option: str, make_parents: bool = False) -> None:
    """Refuse, before any work, an output path that could not be written at the end.

    With ``make_parents``, missing folders are fine when the nearest existing one is
    writable (the command creates them)."""
    target = Path(path)
    if target.is_dir():
        raise SantamergeError(
            f"{option} {path} is a folder; give a file name, e.g. {target / 'report.json'}"
        )
    folder = target.parent
    if make_parents:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    if not folder.exists():
        raise SantamergeError(
            f"{option} {path}: the folder {folder} does not exist; create "
            "it first or give another path"
        )
    if not folder.is_dir():
        raise SantamergeError(f"{option} {path}: {folder} is not a folder; give another path")
    if target.exists() and not os.access(target, os.W_OK):
        raise SantamergeError(f"{option} {path} is not writable; give another path")
    if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise SantamergeError(
            f"{option} {path}: the folder {folder} is not writable; give another path"
        )


def write_output(path: str, option: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SantamergeError(f"could not write {option} {path}: {exc.strerror or exc}") from None

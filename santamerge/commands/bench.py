"""``santamerge bench``: measure santamerge on a repository's own history."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from santamerge.commands.options import (
    check_device,
    device_option,
    model_option,
    server_option,
)
from santamerge.errors import SantamergeError, report_errors


@click.group(short_help="Judge santamerge on a repository's own history.")
def bench() -> None:
    """Replay what people did in a repository and compare santamerge with it.

    Nothing in the repository is written: no working tree, index, ref, object, config
    or merge-driver attempt. Merges are replayed with git's own merge in a private
    scratch repository, whatever merge drivers (santamerge's included) and attributes
    the repository or your git config set up.
    """


@bench.command(short_help="Replay past merges; compare proposals with the commits.")
@click.option("--repo", type=click.Path(exists=True, file_okay=False), default=".",
              show_default=True, help="The repository (a working tree or a bare one).")
@click.option("--rev", default="HEAD", show_default=True,
              help="Replay the merges reachable from this revision (or range, a..b).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most this many merge commits, newest first.")
@click.option("--since", default=None, metavar="DATE",
              help="Only merges committed after DATE (anything `git log --since` takes).")
@click.option("--paths", default=None, metavar="GLOB",
              help="Only files whose path matches GLOB, e.g. '*.py' or 'src/*'.")
@click.option("--policy", type=click.Choice(["conservative", "words", "never", "calibrated"]),
              default="conservative", show_default=True,
              help="The auto-apply policy whose precision and coverage are measured.")
@click.option("--json", "json_path", default=None, metavar="FILE",
              help="Write the full report as JSON ('-': standard output, no table).")
@click.option("--plot", "plot_path", default=None, metavar="FILE.png",
              help="Draw precision against coverage over a threshold on the top-1 score "
                   "(needs matplotlib: pip install 'santamerge[bench]').")
@click.option("--name", default=None,
              help="What to call the repository in the report (default: its folder's name).")
@click.option("--no-cache", is_flag=True,
              help="Replay again instead of reading ~/.cache/santamerge/bench.")
@report_errors
def merges(repo: str, rev: str, limit: int | None, since: str | None, paths: str | None,
           policy: str, json_path: str | None, plot_path: str | None, name: str | None,
           no_cache: bool) -> None:
    """For each two-parent merge commit, merge its parents again with git (diff3), run
    santamerge's proposal pipeline (the code path of `propose`) on every conflict hunk,
    and compare with the resolution that was committed.

    \b
    Reported: top-1 / top-3 exact match after whitespace normalisation, edit
    similarity, auto-apply precision, coverage and silent-wrong rate, files resolved
    completely and right, time per file and hunk, and the baselines (git merge-file,
    always ours, always theirs, best trivial candidate), by language and by how the
    hunk was resolved. Hunks whose surrounding context the merge changed cannot be
    located in the commit; they are counted as unmatched, not guessed.

    \b
    Example:
      santamerge bench merges --repo ~/src/flask --limit 300 --json flask.json
    """
    from rich.console import Console
    from rich.progress import Progress

    from santamerge import __version__
    from santamerge.bench.merges import run_bench, summarise
    from santamerge.bench.replay import (
        ConflictedFile,
        Replayer,
        default_cache,
        git_dir_of,
        list_merges,
    )

    if json_path and json_path != "-":
        check_writable(json_path, "--json")
    if plot_path:
        _need_matplotlib()
        check_writable(plot_path, "--plot")
        _check_plot_format(plot_path)
    quiet = json_path == "-"
    console = Console(stderr=True)
    git_dir = git_dir_of(repo)
    found = list_merges(git_dir, rev, limit, since)
    if not found:
        raise SantamergeError(f"no two-parent merge commits are reachable from {rev}"
                              f"{' since ' + since if since else ''}; try another --rev")
    conflicted: list[ConflictedFile] = []
    skipped: dict[str, int] = {}
    with_conflicts = cached = 0
    with Replayer(git_dir, None if no_cache else default_cache(), paths) as replayer, \
            Progress(console=console, transient=True, disable=quiet) as bar:
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
        files = run_bench(conflicted, policy, progress=lambda k: bar.advance(job, k))
    meta = {"schema": 1, "santamerge": __version__, "repo": str(Path(repo).resolve()),
            "name": name or Path(repo).resolve().name,
            "rev": rev, "policy": policy,
            "merges": {"replayed": len(found), "from_cache": cached,
                       "with_conflicted_files": with_conflicts,
                       "newest": {"commit": found[0].oid, "date": found[0].date},
                       "oldest": {"commit": found[-1].oid, "date": found[-1].date}},
            "skipped_paths": skipped, "since": since, "paths": paths}
    report = summarise(files, meta)
    if json_path == "-":
        click.echo(json.dumps(report, indent=2))
    elif json_path:
        write_output(json_path, "--json", json.dumps(report, indent=2) + "\n")
    if plot_path:
        try:
            plot_curve(report, plot_path)
        except OSError as exc:
            raise SantamergeError(f"could not write --plot {plot_path}: "
                                  f"{exc.strerror or exc}") from None
    if not quiet:
        _print_report(report)


@bench.command(short_help="Fit and calibrate the learned ranker on merge history.")
@click.option("--repo", "repos", multiple=True, required=True,
              type=click.Path(exists=True, file_okay=False),
              help="A repository whose merges to learn from (repeat; at least two: the "
                   "evaluation leaves one repository out at a time).")
@click.option("--limit", type=click.IntRange(min=1), default=300, show_default=True,
              help="Merge commits per repository, newest first.")
@click.option("--model", "model_name", default=None, metavar="MODEL",
              help="Also mine the model's middles and likelihoods, and fit the 'model' "
                   "variant (slow: the model runs on every hunk).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Where to write the ranker (default: santamerge/data/ranker.json in the "
                   "package).")
@report_errors
def ranker(repos: tuple[str, ...], limit: int, model_name: str | None,
           out: str | None) -> None:
    """Replay the merges of each repository, mine every matched hunk's candidates with
    their signals and whether they equal the commit, fit the logistic-regression
    ranker, choose the write threshold for 99 % precision on out-of-sample
    probabilities, and report leave-one-repository-out figures.

    \b
    Example (the command behind the shipped ranker; see docs/ranking.md):
      santamerge bench ranker --repo jinja --repo junit4 --repo express --repo flask
    """
    from rich.console import Console
    from rich.progress import Progress

    from santamerge.bench.replay import Replayer, default_cache, git_dir_of, list_merges
    from santamerge.training.ranker import mine_file, train_ranker

    if len(repos) < 2:
        raise SantamergeError("give at least two --repo: the evaluation leaves one out")
    target = Path(out) if out else _package_ranker_path()
    check_writable(str(target), "--out" if out else "the default --out", make_parents=True)
    backend = None
    if model_name:
        from santamerge.model.backends.base import load_backend

        backend = load_backend(model_name)
    console = Console(stderr=True)
    samples = []
    with Progress(console=console, transient=True) as bar:
        for repo in repos:
            git_dir = git_dir_of(repo)
            name = Path(repo).resolve().name
            name = Path(repo).resolve().parent.name if name == "repo" else name
            found = list_merges(git_dir, limit=limit)
            job = bar.add_task(f"mining {name}", total=len(found))
            with Replayer(git_dir, default_cache()) as replayer:
                for merge in found:
                    replay, _ = replayer.replay(merge)
                    for f in replay.files:
                        samples.extend(mine_file(name, f, backend))
                    bar.advance(job)
        result = train_ranker(samples, backend is not None,
                              progress=lambda text: console.print(text, highlight=False))
    if backend is not None:
        result["facts"]["model"] = backend.name
    result["facts"]["command"] = ("santamerge bench ranker " + " ".join(
        f"--repo {Path(r).resolve().name}" for r in repos) + f" --limit {limit}"
        + (f" --model {model_name}" if model_name else ""))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SantamergeError(f"could not create the folder of --out {target}: "
                              f"{exc.strerror or exc}") from None
    write_output(str(target), "--out", json.dumps(result, indent=1) + "\n")
    _print_ranker(result, target)


def _package_ranker_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("santamerge"))) / "data" / "ranker.json"


def _print_ranker(result: dict[str, Any], target: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    facts = result["facts"]
    console.print(f"{facts['candidates']} candidates of {sum(facts['hunks'].values())} hunks "
                  f"from {', '.join(facts['repositories'])}; written to {target}",
                  highlight=False)
    for name, figures in facts["leave_one_repository_out"].items():
        table = Table(title=f"{name} ranker, each repository left out "
                            f"(shipped threshold {result['threshold'][name]:.3f})")
        for column in ("held out", "hunks", "hand top-1", "learned top-1", "oracle",
                       "threshold", "written", "precision", "coverage", "silent-wrong"):
            table.add_column(column, justify="left" if column == "held out" else "right")
        for repo, f in figures.items():
            table.add_row(repo, str(f["hunks"]), _pct(f["hand_top1"]), _pct(f["top1"]),
                          _pct(f["oracle"]), f"{f['threshold']:.3f}", str(f["written"]),
                          _pct(f["precision"]), _pct(f["coverage"]), _pct(f["silent_wrong"]))
        console.print(table)


@bench.command(short_help="Blank real function bodies, refill them, compare.")
@click.option("--repo", type=click.Path(exists=True, file_okay=False), default=".",
              show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True,
              help="How many functions to blank and refill (chosen at random).")
@click.option("-n", "samples", type=click.IntRange(min=1), default=4, show_default=True,
              help="Bodies sampled per stub.")
@click.option("--seed", default=0, show_default=True)
@model_option
@device_option
@server_option
@click.option("--json", "json_path", default=None, metavar="FILE",
              help="Write the report as JSON ('-': standard output, no table).")
@report_errors
def stubs(repo: str, limit: int, samples: int, seed: int, model_name: str | None,
          device: str | None, server: str | None, json_path: str | None) -> None:
    """Take real functions of the repository (not tests, not one-liners), blank each body
    into a stub, refill it with the stub path of `santamerge fill`, and compare with the
    original: exact match after whitespace normalisation, edit similarity, the share
    that got a body that parses, and the time per stub.

    \b
    Example:
      santamerge bench stubs --repo ~/src/flask --limit 50 --json flask-stubs.json
    """
    from rich.console import Console
    from rich.progress import Progress

    from santamerge.bench.stubs import bench_stubs
    from santamerge.config import load_settings
    from santamerge.model.backends.choose import open_backend
    from santamerge.stubs.retrieval import repo_root_of

    root = repo_root_of(str(Path(repo) / "x"))
    if root is None:
        raise SantamergeError(f"{repo} is not a git working tree (bench stubs reads the "
                              "files); clone it first")
    if json_path and json_path != "-":
        check_writable(json_path, "--json")
    settings = load_settings(model=model_name, device=device, server=server)
    check_device(settings.device)
    backend = open_backend(settings)
    quiet = json_path == "-"
    with Progress(console=Console(stderr=True), transient=True, disable=quiet) as bar:
        job = bar.add_task("refilling stubs", total=limit)
        report = bench_stubs(backend, root, limit, samples, seed,
                             progress=lambda k: bar.advance(job, k))
    report["model"] = backend.name
    if json_path == "-":
        click.echo(json.dumps(report, indent=2))
        return
    if json_path:
        write_output(json_path, "--json", json.dumps(report, indent=2) + "\n")
    t = report["seconds_per_stub"]
    click.echo(f"{report['repo']}: {report['stubs']} stubs refilled (of "
               f"{report['functions_found']} candidate functions) with {report['model']}: "
               f"exact {_pct(report['exact'])}, similarity "
               f"{'-' if report['similarity'] is None else format(report['similarity'], '.3f')}, "
               f"parses {_pct(report['parsed'])}; per stub p50 "
               f"{'-' if t['p50'] is None else format(t['p50'], '.2f')} s, p95 "
               f"{'-' if t['p95'] is None else format(t['p95'], '.2f')} s")


def check_writable(path: str, option: str, make_parents: bool = False) -> None:
    """Refuse, before any work, an output path that could not be written at the end.

    With ``make_parents``, missing folders are fine when the nearest existing one is
    writable (the command creates them)."""
    target = Path(path)
    if target.is_dir():
        raise SantamergeError(f"{option} {path} is a folder; give a file name, e.g. "
                              f"{target / 'report.json'}")
    folder = target.parent
    if make_parents:
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    if not folder.exists():
        raise SantamergeError(f"{option} {path}: the folder {folder} does not exist; create "
                              "it first or give another path")
    if not folder.is_dir():
        raise SantamergeError(f"{option} {path}: {folder} is not a folder; give another path")
    if target.exists() and not os.access(target, os.W_OK):
        raise SantamergeError(f"{option} {path} is not writable; give another path")
    if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise SantamergeError(f"{option} {path}: the folder {folder} is not writable; give "
                              "another path")


def write_output(path: str, option: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SantamergeError(f"could not write {option} {path}: "
                              f"{exc.strerror or exc}") from None


def _check_plot_format(path: str) -> None:
    """matplotlib picks the format from the extension (none: PNG, with .png added)."""
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = Path(path).suffix.lower().lstrip(".")
    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix and suffix not in formats:
        raise SantamergeError(f"--plot {path}: matplotlib cannot write .{suffix} files; use "
                              f"one of {', '.join('.' + f for f in sorted(formats))}")


def _need_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SantamergeError("--plot needs matplotlib; install it with "
                              "pip install 'santamerge[bench]'") from None


def plot_curve(report: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = report["curve"]
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=120)
    ax.plot([p["coverage"] for p in points], [p["precision"] for p in points],
            marker=".", label="santamerge top-1, score >= threshold")
    auto = report["auto_apply"]
    if auto["coverage"]:
        ax.scatter([auto["coverage"]], [auto["precision"]], color="C3", zorder=3,
                   label=f"policy '{report['policy']}'")
    ax.axhline(0.99, color="grey", linestyle=":", linewidth=1, label="99 % precision")
    ax.set_xlabel("coverage (share of matched hunks written)")
    ax.set_ylabel("precision (written and right)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{report['name']}: {report['hunks']['matched']} hunks")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    m, h, s, a = report["merges"], report["hunks"], report["santamerge"], report["auto_apply"]
    console.print(f"[bold]{report['name']}[/] ({report['repo']}): {m['replayed']} merges replayed "
                  f"({m['from_cache']} from the cache), {m['with_conflicted_files']} with "
                  f"conflicted files; {report['files']['conflicted']} files, {h['matched']} "
                  f"hunks matched to the commit, {h['unmatched']} not matched", highlight=False)
    table = Table(title="hunks: exact match after whitespace normalisation")
    for column in ("", "hunks", "santamerge top-1", "top-3", "similarity", *report[
            "santamerge"]["baselines"]):
        table.add_column(column, justify="right" if column else "left")

    def row(name: str, f: dict[str, Any]) -> None:
        table.add_row(name, str(f["hunks"]), _pct(f["top1"]), _pct(f["top3"]),
                      "-" if f["similarity"] is None else f"{f['similarity']:.3f}",
                      *(_pct(v) for v in f["baselines"].values()))

    row("all", s)
    for lang, f in report["by_language"].items():
        row(f"  {lang}", f)
    for cls, f in report["by_class"].items():
        row(f"  {cls}", f)
    console.print(table)
    files, t = report["files"], report["time_ms"]
    console.print(
        f"auto-apply ({report['policy']}): wrote {a['written']} hunks, {a['right']} right: "
        f"precision {_pct(a['precision'])}, coverage {_pct(a['coverage'])}, silent-wrong "
        f"{_pct(a['silent_wrong'])}\nfiles resolved completely and right: "
        f"{files['resolved_right']} of {files['conflicted']} "
        f"({_pct(files['share_resolved_right'])})\ntime: per file p50 "
        f"{_ms(t['per_file']['p50'])} ms, p95 {_ms(t['per_file']['p95'])} ms; per hunk p50 "
        f"{_ms(t['per_hunk']['p50'])} ms, p95 {_ms(t['per_hunk']['p95'])} ms", highlight=False)

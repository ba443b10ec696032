"""The command line: it only assembles the commands in ``santamerge.commands``."""

from __future__ import annotations

import click

from santamerge import __version__
from santamerge.commands.attempts import attempts
from santamerge.commands.bench import bench
from santamerge.commands.complete import complete
from santamerge.commands.demo import demo
from santamerge.commands.doctor import doctor
from santamerge.commands.fill import fill
from santamerge.commands.install import install, uninstall
from santamerge.commands.languages import languages
from santamerge.commands.learn import learn
from santamerge.commands.merge_driver import merge_driver
from santamerge.commands.merge_tree import merge_tree
from santamerge.commands.mergetool import mergetool
from santamerge.commands.model import model
from santamerge.commands.preview import preview
from santamerge.commands.propose import propose
from santamerge.commands.resolve import resolve
from santamerge.commands.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="santamerge")
def cli() -> None:
    """santamerge: a repository-aware merge assistant for git.

    \b
    Start here:
      santamerge install          route this repository's source files to the driver
      santamerge doctor PATH      does PATH go through santamerge? what is routed where
      santamerge demo             watch a real `git merge` go through it, in a scratch repo
      santamerge propose B O T    show the ranked candidates for each conflict hunk
      santamerge preview          review each conflict hunk full-screen; accept with one key
      santamerge attempts         what the merge driver did in the last merge (to undo a hunk)
      santamerge resolve          after a conflicted merge/rebase: write the confident hunks
      santamerge learn            learn how this repository resolves, from its past merges
      santamerge merge-tree A B   merge two commits in memory (CI, bots); write nothing
      santamerge install --mergetool   make `git mergetool --tool=santamerge` open the review
      santamerge fill FILES       fill stub function bodies (a pre-commit hook)
      santamerge model info       which code model is in effect, and why
      santamerge serve            keep the model loaded for every git process
      santamerge bench merges     replay this repository's merges and score santamerge
    """


for command in (
    merge_driver,
    propose,
    preview,
    resolve,
    fill,
    install,
    uninstall,
    doctor,
    languages,
    demo,
    complete,
    model,
    serve,
    bench,
    learn,
    merge_tree,
    mergetool,
    attempts,
):
    cli.add_command(command)

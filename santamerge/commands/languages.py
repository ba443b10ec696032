"""``santamerge languages``: what santamerge understands."""

from __future__ import annotations

import json

import click

from santamerge.commands.install import ATTRIBUTE
from santamerge.commands.options import json_option
from santamerge.languages.profiles import PROFILES, gitattributes_patterns


@click.command(short_help="List the supported languages and their queries.")
@click.option(
    "--gitattributes",
    is_flag=True,
    help="Print the .gitattributes lines that route these files to santamerge.",
)
@json_option
def languages(gitattributes: bool, as_json: bool) -> None:
    """List the supported languages, their file extensions and their tree-sitter queries."""
    if gitattributes:
        for pattern in gitattributes_patterns():
            click.echo(f"{pattern} {ATTRIBUTE}")
        return
    from santamerge.treesitter import query_names

    rows = [
        {
            "name": p.name,
            "extensions": list(p.extensions),
            "grammar": p.grammar,
            "queries": query_names(p),
        }
        for p in PROFILES
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    from santamerge.ui.render import console

    table = Table("language", "extensions", "grammar package", "queries")
    for p in PROFILES:
        table.add_row(p.name, " ".join(p.extensions), p.grammar, " ".join(query_names(p)))
    console().print(table)

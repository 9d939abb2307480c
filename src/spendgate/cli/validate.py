"""`spendgate validate [PATH]`: load and validate every document and reference."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import repository_and_files, wants_colour
from spendgate.reporters.problems import FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@format_option(FORMATS)
def validate(paths: tuple[Path, ...], output_format: str) -> int:
    """Validate every document and reference in the governance repository at PATH (the one
    around the current folder by default). Given files instead, report only their problems,
    with the whole repository as context (what pre-commit and editors pass).

    Exits 0 when everything is valid, 1 when documents have problems, 2 when the configuration
    (spendgate.yaml, policies) has problems.
    """
    from spendgate.app.validate import validate_repository

    path, files = repository_and_files(paths)
    report = validate_repository(path, files)
    colour = output_format == "text" and wants_colour()
    click.echo(FORMATS[output_format](report, colour=colour), nl=False)
    if report.has_configuration_errors:
        return 2
    return 1 if report.errors else 0

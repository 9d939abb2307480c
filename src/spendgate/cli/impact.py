"""`spendgate impact --base REF`: the decisions a governance change would change."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.reporters.formats import COMMAND_FORMATS


@click.command()
@click.argument("path", type=RepositoryPath(), default=".")
@click.option("--base", "base_ref", required=True, help="The git ref whose rules are compared.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@format_option(COMMAND_FORMATS["impact"])
def impact(path: Path, base_ref: str, as_of: datetime | None, output_format: str) -> int:
    """List every request whose status, route or classification the change's rules would change.

    Exits 0, or 2 when the base's or the change's configuration does not load (its problems on
    standard error), since nothing can be compared then.
    """
    from spendgate.app.pull_request import impact_against_base
    from spendgate.reporters.formats import command_renderer
    from spendgate.reporters.problems import problem_line

    report = impact_against_base(path, base_ref, as_of=as_of.date() if as_of else date.today())
    if report.problems:
        for problem in report.problems:
            click.echo(problem_line(problem), err=True)
        return 2
    click.echo(command_renderer("impact", output_format)(report), nl=False)
    return 0

"""`spendgate impact --base REF`: the decisions a governance change would change."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.cli.paths import RepositoryPath


@click.command()
@click.argument("path", type=RepositoryPath(), default=".")
@click.option("--base", "base_ref", required=True, help="The git ref whose rules are compared.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def impact(path: Path, base_ref: str, as_of: datetime | None) -> int:
    """List every request whose status, route or classification the change's rules would change."""
    from spendgate.app.pull_request import impact_against_base
    from spendgate.reporters import impact_text

    report = impact_against_base(path, base_ref, as_of=as_of.date() if as_of else date.today())
    click.echo(impact_text.render(report), nl=False)
    return 0

"""`spendgate explain REQUEST_ID`: the whole trace of one decision, with evidence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.errors import UsageError
from spendgate.reporters.formats import COMMAND_FORMATS


@click.command()
@click.argument("request_id")
@click.option(
    "--repo",
    "path",
    type=RepositoryPath(),
    default=".",
    show_default=True,
    help="The governance repository.",
)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@format_option(COMMAND_FORMATS["explain"])
def explain(request_id: str, path: Path, as_of: datetime | None, output_format: str) -> int:
    """Show every rule considered for REQUEST_ID, why it applied or not, and its evidence."""
    from spendgate.policy.engine import Engine
    from spendgate.policy.gate import load, rule_infos
    from spendgate.reporters.formats import command_renderer
    from spendgate.reporters.guidance import Guide
    from spendgate.reporters.problems import problem_line

    repository, config, book, problems = load(path)
    if book is None:
        for problem in problems:
            click.echo(problem_line(problem), err=True)
        return 2
    entry = repository.index.get("PurchaseRequest", {}).get(request_id)
    if entry is None:
        raise UsageError(f"no request {request_id!r} in {path}")
    evaluation_date = as_of.date() if as_of else date.today()
    engine = Engine(book, repository, config, evaluation_date, explain=True)
    decision = engine.decide(entry.document)
    rules = rule_infos(book, engine.rules.role_holders)
    guide = Guide.to(rules, waivers=config.paths.waivers)
    click.echo(command_renderer("explain", output_format)(decision, guide=guide), nl=False)
    return 0

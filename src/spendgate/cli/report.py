"""`spendgate report [PATH] --out DIR`: the KPI dashboard and its figures as JSON."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.paths import RepositoryPath
from spendgate.errors import UsageError

_CSV = click.Path(exists=True, dir_okay=False, path_type=Path)
_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("path", type=RepositoryPath(), default=".")
@click.option(
    "--out",
    "target",
    metavar="DIR",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write index.html and figures.json into.",
)
@click.option("--since", type=_DAY, default=None, help="Start of the period (YYYY-MM-DD).")
@click.option(
    "--as-of", type=_DAY, default=None, help="Report date (YYYY-MM-DD); today by default."
)
@click.option("--spend", type=_CSV, default=None, help="Accounts-payable export (CSV).")
@click.option(
    "--billing",
    metavar="FILE",
    multiple=True,
    help="FinOps FOCUS cloud billing export: CSV, .csv.gz or Parquet; a path, a glob in quotes "
    "or an s3:// gs:// az:// URL; repeat for several.",
)
@click.option("--usage", type=_CSV, default=None, help="SaaS seat usage export (CSV).")
@click.option(
    "--dates",
    type=click.Choice(["git", "documents"]),
    default="git",
    show_default=True,
    help="Date requests and approvals by their git commits, or by their documents' own dates.",
)
def report(
    path: Path,
    target: Path,
    since: object,
    as_of: object,
    spend: Path | None,
    billing: tuple[str, ...],
    usage: Path | None,
    dates: str,
) -> int:
    """Write the spend and governance dashboard of the repository at PATH into DIR.

    Exits 0 when written; 1 when written but some billing rows or decision-log records were
    left out (each printed as FILE:ROW:COLUMN: [warning] message, the first 50 of each, and
    counted in figures.json); 2 when an input cannot be used (a CSV problem is printed as
    FILE:ROW:COLUMN: [error] message) and nothing is written.
    """
    from datetime import date

    from spendgate.analytics.focus import start_billing

    if not path.is_dir():
        raise UsageError(f"{path} is not a governance repository directory")
    # DuckDB scans the billing files while the models and the policy engine are imported.
    scan = start_billing(billing) if billing else None

    from spendgate.analytics.csv_table import CsvErrors
    from spendgate.analytics.dashboard import write_dashboard
    from spendgate.analytics.figures import ReportInputs, build_report
    from spendgate.reporters.problems import problem_line

    inputs = ReportInputs(
        root=path,
        as_of=as_of.date() if hasattr(as_of, "date") else date.today(),
        since=since.date() if hasattr(since, "date") else None,
        spend=spend,
        billing=billing,
        usage=usage,
        dates=dates,
    )
    try:
        built = build_report(inputs, scan)
    except CsvErrors as failure:
        for problem in failure.problems:
            click.echo(problem_line(problem), err=True)
        return failure.exit_code
    try:
        written = write_dashboard(built.figures, target)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None
    for problem in built.excluded:
        click.echo(problem_line(problem), err=True)
    click.echo(f"wrote {written.page} and {written.figures}")
    return 1 if built.excluded else 0

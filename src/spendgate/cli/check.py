"""`spendgate check [PATH]`: decide every request; the CI gate."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from spendgate.reporters import check_json, check_text

FORMATS = {"text": check_text.render, "json": check_json.render}


@click.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--format", "output_format", type=click.Choice(list(FORMATS)), default="text", show_default=True
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluation date (YYYY-MM-DD); today by default. Recorded in every decision.",
)
@click.option("--allow-pending", is_flag=True, help="Pass requests that only wait for approvals.")
@click.option(
    "--github-reviews",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A pull request's reviews (GitHub REST API JSON); approving reviews count as approvals.",
)
@click.option("--pr-author", default=None, help="GitHub login of the pull request's author.")
def check(
    path: Path,
    output_format: str,
    as_of: object,
    allow_pending: bool,
    github_reviews: Path | None,
    pr_author: str | None,
) -> int:
    """Decide every purchase request in the repository at PATH.

    Exits 0 when every request is approved (or pending, with --allow-pending), 1 when one is
    blocked, invalid or pending, 2 on a configuration error such as a policy that does not compile.
    """
    from spendgate.policy.gate import PullRequest, check_repository

    evaluation_date = as_of.date() if hasattr(as_of, "date") else date.today()
    pull_request = PullRequest(reviews=github_reviews, author_login=pr_author)
    report = check_repository(path, as_of=evaluation_date, pull_request=pull_request)
    colour = output_format == "text" and sys.stdout.isatty()
    click.echo(FORMATS[output_format](report, colour=colour), nl=False)
    return gate_exit_code(report, allow_pending=allow_pending)


def gate_exit_code(report: object, *, allow_pending: bool) -> int:
    """SPEC §8: 2 for configuration errors, 1 when the gate blocks, 0 when all pass."""
    from spendgate.policy.gate import CheckReport

    assert isinstance(report, CheckReport)
    if report.has_configuration_errors:
        return 2
    failing = {"blocked", "invalid"} if allow_pending else {"blocked", "invalid", "pending"}
    problems = any(problem.is_error for problem in report.problems)
    if problems or any(decision.status in failing for decision in report.decisions):
        return 1
    return 0

"""`spendgate policies list`: every rule with its id, policy, version and enforcement."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.reporters.formats import COMMAND_FORMATS


@click.group()
def policies() -> None:
    """The policies a repository is judged by."""


@policies.command("list")
@click.argument("path", type=RepositoryPath(), default=".")
@format_option(COMMAND_FORMATS["policies list"])
def list_rules(path: Path, output_format: str) -> int:
    """List every rule of the policies that apply to the repository at PATH."""
    from spendgate.documents.repository import open_repository
    from spendgate.policy.compile import PolicyErrors
    from spendgate.policy.gate import policy_rules
    from spendgate.policy.library import load_policy_book
    from spendgate.reporters.formats import command_renderer
    from spendgate.reporters.problems import problem_line

    repository = open_repository(path)
    try:
        book = load_policy_book(repository)
    except PolicyErrors as failure:
        for problem in failure.problems:
            click.echo(problem_line(problem), err=True)
        return 2
    click.echo(
        command_renderer("policies list", output_format)(
            policy_rules(book, repository.people.values())
        ),
        nl=False,
    )
    return 0

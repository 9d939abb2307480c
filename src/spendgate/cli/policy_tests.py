"""`spendgate test [PATH]`: run the policy test cases of the repository at PATH."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.reporters.formats import COMMAND_FORMATS


@click.command("test")
@click.argument("path", type=RepositoryPath(), default=".")
@click.option("-k", "pattern", default="", help="Only cases whose name contains this text.")
@format_option(COMMAND_FORMATS["test"])
def policy_test(path: Path, pattern: str, output_format: str) -> int:
    """Run the policy test cases under PATH's policies/tests/ against PATH's policies.

    Exits 0 when every case passes, 1 when one fails, 2 when the cases or policies cannot load.
    """
    from spendgate.documents.config import Paths
    from spendgate.documents.repository import open_repository
    from spendgate.policy.compile import PolicyErrors
    from spendgate.policy.library import load_policy_book
    from spendgate.policy.testing import run_cases
    from spendgate.reporters.formats import command_renderer
    from spendgate.reporters.problems import problem_line

    repository = open_repository(path)
    try:
        book = load_policy_book(repository)
    except PolicyErrors as failure:
        for problem in failure.problems:
            click.echo(problem_line(problem), err=True)
        return 2
    paths = repository.config.paths if repository.config else Paths()
    results = run_cases(path / paths.policies / "tests", book, pattern=pattern)
    click.echo(command_renderer("test", output_format)(results), nl=False)
    return 0 if all(result.passed for result in results) else 1

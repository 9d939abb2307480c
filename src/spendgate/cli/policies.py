"""`spendgate policies list`: every rule with its id, policy, version and enforcement."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.paths import RepositoryPath


@click.group()
def policies() -> None:
    """The policies a repository is judged by."""


@policies.command("list")
@click.argument("path", type=RepositoryPath(), default=".")
def list_rules(path: Path) -> int:
    """List every rule of the policies that apply to the repository at PATH."""
    from spendgate.documents.repository import open_repository
    from spendgate.policy.compile import PolicyErrors
    from spendgate.policy.library import load_policy_book
    from spendgate.reporters.escaping import text_line
    from spendgate.reporters.problems import problem_line

    try:
        book = load_policy_book(open_repository(path))
    except PolicyErrors as failure:
        for problem in failure.problems:
            click.echo(problem_line(problem), err=True)
        return 2
    click.echo(f"{'RULE':<10} {'POLICY':<24} {'VERSION':<8} {'ENFORCE':<9} {'EFFECT':<8} TITLE")
    for policy, rule in book.rules:
        click.echo(
            f"{rule.id:<10} {policy.name:<24} {policy.version:<8} {rule.enforcement:<9} "
            f"{rule.effect:<8} {text_line(rule.title)}"
        )
    click.echo(
        f"{len(book.rules)} rules in {len(book.policies)} policies of {book.name} {book.version}"
    )
    return 0

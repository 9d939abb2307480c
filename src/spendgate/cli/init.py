"""`spendgate init [DIR] --industry X`: scaffold a governance repository."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

#: The industries of `spendgate.documents.fields.Industry`, listed here so that start-up does not
#: load the models; a test keeps the two equal.
INDUSTRIES = (
    "finance",
    "insurance",
    "manufacturing",
    "retail",
    "healthcare",
    "public_sector",
    "technology",
    "telecom",
    "other",
)
KEEP = ".gitkeep"
POLICIES = "policies/"
POLICY_TESTS = "policies/tests/"
CASE = "/expect.yaml"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--industry",
    type=click.Choice(INDUSTRIES),
    required=True,
    help="The organisation's industry: it selects the industry routing rules.",
)
@click.option("--name", default=None, help="The organisation's name; DIR's name by default.")
@click.option(
    "--currency",
    default="EUR",
    show_default=True,
    help="Base currency (ISO 4217) that thresholds and budgets are in.",
)
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
def init(directory: Path, industry: str, name: str | None, currency: str, force: bool) -> int:
    """Scaffold a governance repository in DIR (default: the current directory).

    It holds spendgate.yaml, placeholder people and budgets, a copy of the reference policies
    with their tests, a GitHub workflow, a pre-commit config and a README for its users, and
    validates and checks cleanly as written.
    """
    from spendgate.app.scaffold import new_organisation, scaffold_files, write_scaffold

    chosen = new_organisation(directory, industry=industry, name=name, currency=currency)
    files = scaffold_files(chosen, today=date.today())
    written = write_scaffold(directory, files, force=force)
    click.echo(
        f"Scaffolded the governance repository of {chosen.name} in {directory} "
        f"(industry {chosen.industry}, base currency {chosen.currency}):"
    )
    for line in listing(written):
        click.echo(f"  {line}")
    click.echo(next_steps(directory))
    return 0


def listing(written: list[str]) -> list[str]:
    """The files written, with kept folders, policies and policy test cases summed up."""
    folders = [path.removesuffix(KEEP) for path in written if path.endswith(KEEP)]
    policies = [path for path in written if path.startswith(POLICIES) and path.count("/") == 1]
    cases = [path for path in written if path.startswith(POLICY_TESTS) and path.endswith(CASE)]
    shown = [path for path in written if not path.endswith(KEEP) and not path.startswith(POLICIES)]
    if folders:
        shown.append(f"{' '.join(folders)} (empty, for your documents)")
    if policies:
        shown.append(f"{POLICIES} ({len(policies)} reference policy files)")
    if cases:
        shown.append(f"{POLICY_TESTS} ({len(cases)} policy test cases)")
    return shown


def next_steps(directory: Path) -> str:
    """What to do after `init` in `directory`: the lines printed at the end."""
    target = "" if directory == Path() else f" {directory}"
    return (
        "\nNext steps:\n"
        "  1. Replace the placeholders in org/people.yaml, org/budgets.yaml and the FX rates\n"
        "     in spendgate.yaml with your own people, budgets and rates.\n"
        f"  2. spendgate validate{target} && spendgate check{target} && spendgate test{target}\n"
        "  3. Commit and push; require the spendgate workflow on the default branch, and run\n"
        "     `pre-commit install` to check every commit.\n"
        "README.md tells requesters and approvers how to use the repository."
    )

"""`spendgate init [DIR] --industry X`: scaffold a governance repository."""

from __future__ import annotations

import shlex
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the core loads only when the command runs, keeping start-up lean
    from spendgate.app.scaffold import Scaffolded

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
SCHEMAS = "schemas/"


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
    validates and checks cleanly as written. DIR becomes a git repository (`git init`, on the
    branch git's configuration names) unless it is in one already; nothing is committed.
    """
    from spendgate.app.scaffold import new_organisation, scaffold_repository

    chosen = new_organisation(directory, industry=industry, name=name, currency=currency)
    done = scaffold_repository(directory, chosen, today=date.today(), force=force)
    click.echo(
        f"Scaffolded the governance repository of {chosen.name} in {directory} "
        f"(industry {chosen.industry}, base currency {chosen.currency}):"
    )
    for line in listing(list(done.written)):
        click.echo(f"  {line}")
    click.echo(repository_line(directory, done))
    click.echo(next_steps(directory, done.branch))
    return 0


def listing(written: list[str]) -> list[str]:
    """The files written, with kept folders, policies, policy test cases and schemas summed up."""
    folders = [path.removesuffix(KEEP) for path in written if path.endswith(KEEP)]
    policies = [path for path in written if path.startswith(POLICIES) and path.count("/") == 1]
    cases = [path for path in written if path.startswith(POLICY_TESTS) and path.endswith(CASE)]
    schemas = [path for path in written if path.startswith(SCHEMAS)]
    summed = (POLICIES, SCHEMAS)
    shown = [path for path in written if not path.endswith(KEEP) and not path.startswith(summed)]
    if folders:
        shown.append(f"{' '.join(folders)} (empty, for your documents)")
    if policies:
        shown.append(f"{POLICIES} ({len(policies)} reference policy files)")
    if cases:
        shown.append(f"{POLICY_TESTS} ({len(cases)} policy test cases)")
    if schemas:
        shown.append(f"{SCHEMAS} ({len(schemas)} JSON Schemas, for editors)")
    return shown


def repository_line(directory: Path, done: Scaffolded) -> str:
    """Which git repository the files are in: a new one, or the one `directory` was in."""
    if done.initialised:
        return f"Initialised a git repository in {directory}, on branch {done.branch}."
    return f"{directory} is in a git repository already (branch {done.branch}): none was made."


def next_steps(directory: Path, branch: str) -> str:
    """What to do after `init` in `directory`, whose default branch is `branch`: the lines
    printed at the end. Nothing is committed, so that the files are reviewed first."""
    here = directory == Path()
    target = "" if here else f" {shlex.quote(str(directory))}"
    git = "git" if here else f"git -C {shlex.quote(str(directory))}"
    return (
        "\nNext steps:\n"
        "  1. Replace the placeholders in org/people.yaml, org/budgets.yaml and the FX rates\n"
        "     in spendgate.yaml with your own people, budgets and rates.\n"
        f"  2. spendgate validate{target} && spendgate check{target} && spendgate test{target}\n"
        f"  3. Review the files, then commit them: {git} add . && {git} commit\n"
        f"  4. Push {branch} to GitHub and require the spendgate workflow's check job there;\n"
        f"     after each merge into {branch} its record job appends the decisions to\n"
        "     audit/decisions.jsonl.\n"
        "  5. Run `pre-commit install` to check every commit.\n"
        "README.md tells requesters and approvers how to use the repository."
    )

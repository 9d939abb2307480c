"""`spendgate approve REQUEST_ID --role ROLE [--as PERSON] [--reject] [--comment TEXT]`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.errors import UsageError
from spendgate.reporters.formats import COMMAND_FORMATS


@click.command()
@click.argument("request_id", required=False)
@click.option(
    "--change",
    "change",
    default=None,
    help="Approve a change to this governance file (e.g. policies/esg.yaml) instead of a request.",
)
@click.option("--role", required=True, help="The route step to fill, e.g. cfo or budget_owner.")
@click.option(
    "--as",
    "person",
    default=None,
    help="Who approves (a People id); the git user by default. Anyone else's approval is "
    "recorded as written on their behalf and never counts as theirs.",
)
@click.option("--reject", is_flag=True, help="Record a rejection instead of an approval.")
@click.option("--comment", default=None, help="Why: kept in the record.")
@click.option("--repo", "path", type=RepositoryPath(), default=".", show_default=True)
@click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The approval date; today by default.",
)
@format_option(COMMAND_FORMATS["approve"])
def approve(
    request_id: str | None,
    change: str | None,
    role: str,
    person: str | None,
    reject: bool,
    comment: str | None,
    path: Path,
    on: datetime | None,
    output_format: str,
) -> int:
    """Write an approval record for REQUEST_ID with the digest of the request as it stands.

    With --change FILE instead, write the owner role's ChangeApproval of a governance file's
    content, which a pull request changing that file needs.

    Refuses, saying why, an approval that would not count: by the requester, for a role the
    route does not need, by someone who does not hold the role that day, or for a step filled
    already. Approving again after a change to the request voided your approval replaces your
    earlier record (git keeps it).
    """
    from spendgate.app.approve import (
        ApprovalRequest,
        record_approval,
        record_change_approval,
    )
    from spendgate.reporters.approval import behalf_warning
    from spendgate.reporters.formats import command_renderer
    from spendgate.vcs import user_email

    if (request_id is None) == (change is None):
        raise UsageError("give either REQUEST_ID or --change FILE")
    target = request_id or change or ""
    when = on.date() if on else date.today()
    asked = ApprovalRequest(target, role, person or "", reject, comment, when, user_email(path))
    written = record_change_approval(path, asked) if change else record_approval(path, asked)
    click.echo(behalf_warning(written), nl=False, err=True)
    click.echo(command_renderer("approve", output_format)(written), nl=False)
    return 0

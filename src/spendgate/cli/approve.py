"""`spendgate approve REQUEST_ID --role ROLE [--as PERSON] [--reject] [--comment TEXT]`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.errors import UsageError


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
    "--as", "person", default=None, help="Who approves (a People id); the git user by default."
)
@click.option("--reject", is_flag=True, help="Record a rejection instead of an approval.")
@click.option("--comment", default=None, help="Why: kept in the record.")
@click.option("--repo", "path", type=click.Path(path_type=Path), default=".", show_default=True)
@click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The approval date; today by default.",
)
def approve(
    request_id: str | None,
    change: str | None,
    role: str,
    person: str | None,
    reject: bool,
    comment: str | None,
    path: Path,
    on: datetime | None,
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
    from spendgate.documents.repository import open_repository
    from spendgate.vcs import user_email

    if person is None:
        email = user_email(path)
        people = open_repository(path).people.values()
        match = [
            someone.id for someone in people if email and someone.email.lower() == email.lower()
        ]
        if not match:
            raise UsageError(
                f"cannot tell who you are from git's user.email ({email}); pass --as PERSON"
            )
        person = match[0]
    if (request_id is None) == (change is None):
        raise UsageError("give either REQUEST_ID or --change FILE")
    target = request_id or change or ""
    when = on.date() if on else date.today()
    asked = ApprovalRequest(target, role, person, reject, comment, when)
    written = record_change_approval(path, asked) if change else record_approval(path, asked)
    what = "rejection" if reject else "approval"
    replacing = f", replacing {written.replaced}" if written.replaced else ""
    click.echo(f"wrote {written.path.relative_to(path)}: {what} by {person} as {role}{replacing}")
    return 0

"""`spendgate approve REQUEST_ID --role ROLE [--as PERSON] [--reject] [--comment TEXT]`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from spendgate.errors import UsageError


@click.command()
@click.argument("request_id")
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
    request_id: str,
    role: str,
    person: str | None,
    reject: bool,
    comment: str | None,
    path: Path,
    on: datetime | None,
) -> int:
    """Write an approval record for REQUEST_ID with the digest of the request as it stands.

    Refuses, saying why, an approval that would not count: by the requester, for a role the
    route does not need, by someone who does not hold the role that day, or for a step filled
    already.
    """
    from spendgate.approvals.recording import ApprovalRequest, record_approval
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
    asked = ApprovalRequest(
        request_id, role, person, reject, comment, on.date() if on else date.today()
    )
    written = record_approval(path, asked)
    what = "rejection" if reject else "approval"
    click.echo(f"wrote {written.relative_to(path)}: {what} by {person} as {role}")
    return 0

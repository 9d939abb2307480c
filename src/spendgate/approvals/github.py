"""Approvals from a GitHub pull request's reviews (the REST API's list-reviews JSON).

Reviews count as GitHub counts them: per reviewer, only the latest decisive review (`APPROVED`,
`CHANGES_REQUESTED` or `DISMISSED`, in the order submitted) stands, so an approval followed by
"changes requested" is a rejection, and a dismissed review approves nothing. Comments decide
nothing. The reviewer is the person whose `github` login in People matches. A review says which
role it is for with a line `role: cfo` (or `/approve cfo`) in its body; without one it fills the
earliest open step its author may fill. A review of a deleted account (`user` is null) or
without a submission time is skipped with a note. A review given on a commit where the request
had other material content is void (`spendgate.approvals.review_commits`), as a changed request
voids an approval record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from spendgate.documents.people import Person
from spendgate.errors import UsageError

_ROLE = re.compile(r"^\s*(?:role:|/approve)\s*([a-z0-9_-]+)\s*$", re.MULTILINE | re.IGNORECASE)
_DECISIONS = {"APPROVED": "approve", "CHANGES_REQUESTED": "reject"}
#: The states that replace a reviewer's earlier decision; a dismissal leaves none standing.
_DECISIVE = {*_DECISIONS, "DISMISSED"}


@dataclass(frozen=True)
class Review:
    """One review that approves or rejects, mapped to a person."""

    login: str
    person: str | None
    decision: str
    role: str | None
    on: date
    commit: str


@dataclass(frozen=True)
class Reviews:
    """The reviews that stand, one per reviewer, and a note for each review skipped."""

    standing: tuple[Review, ...] = ()
    notes: tuple[str, ...] = ()


def read_reviews(path: Path, people: dict[str, Person]) -> Reviews:
    """The standing approving and rejecting reviews of a payload file; a file that is not the
    API's JSON list is a usage error, a review that cannot be read is skipped with a note."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: not a GitHub reviews JSON file ({error})") from None
    if not isinstance(payload, list):
        raise UsageError(f"{path}: expected the JSON list the GitHub reviews API returns")
    by_login = {person.github.lower(): person.id for person in people.values() if person.github}
    latest: dict[str, tuple[datetime, int, dict[str, Any]]] = {}
    notes: list[str] = []
    for position, item in enumerate(payload):
        if not isinstance(item, dict) or item.get("state") not in _DECISIVE:
            continue
        login, submitted, skipped = _reviewer(item)
        if skipped:
            notes.append(skipped)
            continue
        assert login is not None and submitted is not None
        key = login.lower()
        if key not in latest or (submitted, position) >= latest[key][:2]:
            latest[key] = (submitted, position, item)
    standing = [
        _review(item, submitted, by_login)
        for submitted, _, item in sorted(latest.values(), key=lambda entry: entry[:2])
        if item["state"] in _DECISIONS
    ]
    return Reviews(tuple(standing), tuple(notes))


def person_of_login(people: dict[str, Person], login: str | None) -> str | None:
    """The id of the person whose `github` login is `login` (case-insensitive), if any."""
    if login is None:
        return None
    return next(
        (person.id for person in people.values() if (person.github or "").lower() == login.lower()),
        None,
    )


def _reviewer(item: dict[str, Any]) -> tuple[str | None, datetime | None, str]:
    """The review's login and submission time, or why it is skipped."""
    described = f"review {item.get('id')} ({item.get('state')})"
    user = item.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    if not isinstance(login, str) or not login:
        return None, None, f"{described} has no user (a deleted account?); it is skipped"
    try:
        submitted = datetime.fromisoformat(str(item["submitted_at"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError):
        return None, None, f"{described} by {login} has no valid submitted_at; it is skipped"
    if submitted.tzinfo is None:
        submitted = submitted.replace(tzinfo=UTC)
    return login, submitted, ""


def _review(item: dict[str, Any], submitted: datetime, by_login: dict[str, str]) -> Review:
    login = str(item["user"]["login"])
    found = _ROLE.search(str(item.get("body") or ""))
    return Review(
        login=login,
        person=by_login.get(login.lower()),
        decision=_DECISIONS[item["state"]],
        role=found.group(1).lower() if found else None,
        on=submitted.astimezone(UTC).date(),
        commit=str(item.get("commit_id") or ""),
    )

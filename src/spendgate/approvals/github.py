"""Approvals from a GitHub pull request's reviews (the REST API's list-reviews JSON).

Each `APPROVED` review is an approval, each `CHANGES_REQUESTED` review a rejection, by the
person whose `github` login in People matches the reviewer. A review says which role it is for
with a line `role: cfo` (or `/approve cfo`) in its body; without one it fills the earliest open
step its author may fill. A review given for another commit than the one being checked is
void, as a changed request voids an approval record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spendgate.documents.people import Person
from spendgate.errors import UsageError

_ROLE = re.compile(r"^\s*(?:role:|/approve)\s*([a-z0-9_-]+)\s*$", re.MULTILINE | re.IGNORECASE)
_DECISIONS = {"APPROVED": "approve", "CHANGES_REQUESTED": "reject"}


@dataclass(frozen=True)
class Review:
    """One review that approves or rejects, mapped to a person."""

    login: str
    person: str | None
    decision: str
    role: str | None
    on: date
    commit: str


def read_reviews(path: Path, people: dict[str, Person]) -> list[Review]:
    """The approving and rejecting reviews of a payload file; a bad file is a usage error."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: not a GitHub reviews JSON file ({error})") from None
    if not isinstance(payload, list):
        raise UsageError(f"{path}: expected the JSON list the GitHub reviews API returns")
    by_login = {person.github.lower(): person.id for person in people.values() if person.github}
    return [review for item in payload if (review := _review(item, by_login, path)) is not None]


def person_of_login(people: dict[str, Person], login: str | None) -> str | None:
    """The id of the person whose `github` login is `login` (case-insensitive), if any."""
    if login is None:
        return None
    return next(
        (person.id for person in people.values() if (person.github or "").lower() == login.lower()),
        None,
    )


def _review(item: Any, by_login: dict[str, str], path: Path) -> Review | None:
    if not isinstance(item, dict) or item.get("state") not in _DECISIONS:
        return None
    try:
        login = str(item["user"]["login"])
        submitted = datetime.fromisoformat(str(item["submitted_at"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError):
        raise UsageError(
            f"{path}: review {item.get('id')} lacks user.login or submitted_at"
        ) from None
    found = _ROLE.search(str(item.get("body") or ""))
    return Review(
        login=login,
        person=by_login.get(login.lower()),
        decision=_DECISIONS[item["state"]],
        role=found.group(1).lower() if found else None,
        on=submitted.date(),
        commit=str(item.get("commit_id") or ""),
    )

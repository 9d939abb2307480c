"""Who holds a role on a given day: directly, or through a dated delegation (SPEC §6).

A delegate acts in the delegator's role between the delegation's start and end (inclusive). A
delegate cannot pass the role on: only a delegation from someone who holds the role directly
counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from spendgate.documents.people import Delegation


@dataclass(frozen=True)
class Authority:
    """Whether someone may act for a step on a day, and for whom when through a delegation."""

    allowed: bool
    acting_for: str | None = None
    reason: str = ""


def authority(
    person: str,
    role: str,
    on: date,
    *,
    eligible: Iterable[str],
    delegations: Iterable[Delegation],
) -> Authority:
    """May `person` fill a step for `role` that `eligible` people may fill, on day `on`?"""
    holders = set(eligible)
    if person in holders:
        return Authority(True)
    outside: Delegation | None = None
    for delegation in delegations:
        if (
            delegation.to != person
            or role not in delegation.roles
            or delegation.from_ not in holders
        ):
            continue
        if delegation.start <= on <= delegation.end:
            return Authority(True, acting_for=delegation.from_)
        outside = delegation
    if outside is not None:
        return Authority(
            False,
            reason=f"{person}'s delegation from {outside.from_} for {role} runs {outside.start} to "
            f"{outside.end}; {on} is outside it",
        )
    return Authority(False, reason=f"{person} does not hold {role} for this request on {on}")

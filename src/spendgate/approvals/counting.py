"""Which approvals count, step by step, and why the others do not (SPEC §6).

An approval fills a step of the route when it is for the request as it stands (its digest
matches), comes from someone other than the requester, from someone who holds the step's role
on the approval's date (directly or by delegation), and, unless the configuration allows it,
from someone who has not filled another step already. Every approval that does not count is
reported with the reason. Stage order, git authenticity and GitHub reviews are not weighed here
yet (issue #4).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spendgate.approvals.roles import authority
from spendgate.decisions import RouteStep
from spendgate.documents.approval import Approval
from spendgate.documents.people import Delegation


@dataclass(frozen=True)
class Ignored:
    """An approval on file that fills no step, and why."""

    approval: Approval
    reason: str


@dataclass(frozen=True)
class Walk:
    route: tuple[RouteStep, ...]
    ignored: tuple[tuple[int, Ignored], ...]
    """(index of the approval in the order given, why it does not count)."""


def walk_route(
    route: tuple[RouteStep, ...],
    approvals: list[Approval],
    *,
    requester: str,
    digest: str,
    delegations: tuple[Delegation, ...],
    allow_many_steps: bool,
) -> Walk:
    """Fill the route's steps with the approvals that count, earliest first."""
    steps = list(route)
    ignored: list[tuple[int, Ignored]] = []
    filled_by: dict[str, str] = {}
    for index, approval in sorted(enumerate(approvals), key=lambda pair: pair[1].date):
        reason = _fill(steps, approval, requester, digest, delegations, filled_by, allow_many_steps)
        if reason:
            ignored.append((index, Ignored(approval, reason)))
    return Walk(tuple(steps), tuple(sorted(ignored, key=lambda pair: pair[0])))


def _fill(
    steps: list[RouteStep],
    approval: Approval,
    requester: str,
    digest: str,
    delegations: tuple[Delegation, ...],
    filled_by: dict[str, str],
    allow_many_steps: bool,
) -> str:
    """Fill a step with `approval` and return "", or return why it does not count."""
    who, role = approval.approver, approval.role
    given = f"{approval.decision} by {who} as {role} on {approval.date}"
    if approval.request_digest != digest:
        return f"{given} is void: the request has changed since; it needs approving again"
    if who == requester:
        return f"{given} does not count: {who} is the requester"
    candidates = [position for position, step in enumerate(steps) if role in step.roles]
    if not candidates:
        return f"{given} does not count: the route needs no {role}"
    open_steps = [position for position in candidates if steps[position].approved_by is None]
    if not open_steps:
        return f"{given} does not count: the {role} step is already filled"
    if not allow_many_steps and who in filled_by:
        return f"{given} does not count: {who} already fills the {filled_by[who]} step"
    position = open_steps[0]
    step = steps[position]
    decided = authority(who, role, approval.date, eligible=step.eligible, delegations=delegations)
    if not decided.allowed:
        return f"{given} does not count: {decided.reason}"
    rejected = approval.decision == "reject"
    steps[position] = replace(
        step,
        satisfied=not rejected,
        rejected=rejected,
        approved_by=who,
        approved_on=approval.date,
        acting_for=decided.acting_for,
    )
    filled_by[who] = role
    return ""

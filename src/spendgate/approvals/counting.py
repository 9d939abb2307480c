"""Which approvals count, step by step, and why the others do not (SPEC §6).

An approval fills a step of the route when it is for the request as it stands (its digest
matches), comes from someone who holds the step's role on the approval's date (directly or by
delegation), and, unless the configuration allows it, from someone who has not filled another
step already; stages are kept unless the policy set is parallel. Every approval that does not
count is reported with the reason. Who wrote the record, and who may not approve at all, the
`Notary` has judged before (`spendgate.approvals.authenticity`).
"""

from __future__ import annotations

from collections.abc import Mapping
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
    """The route with the approvals that fill its steps, and the approvals that fill none."""

    route: tuple[RouteStep, ...]
    ignored: tuple[tuple[int, Ignored], ...]
    """(index of the approval in the order given, why it does not count)."""


def walk_route(
    route: tuple[RouteStep, ...],
    approvals: list[Approval],
    levels: list[str],
    *,
    digests: Mapping[int, str],
    delegations: tuple[Delegation, ...],
    allow_many_steps: bool,
    parallel: bool = False,
) -> Walk:
    """Fill the route's steps with the approvals that count, earliest first; `levels` says how
    each approval is authenticated (recorded on the step it fills).

    Unless the policy set says `parallel`, stages are kept: an approval for a later stage given
    before every earlier stage was approved does not count, and must be given again. A
    rejection counts whenever it is given, and by anyone who may fill a step of the role even
    when someone else approved it: a no from the route stops the request (SPEC §5, `rejected`).
    """
    steps = list(route)
    ignored: list[tuple[int, Ignored]] = []
    filled_by: dict[str, str] = {}

    def order(pair: tuple[int, Approval]) -> tuple[object, int]:
        stages = [step.stage for step in steps if pair[1].role in step.roles]
        return pair[1].date, min(stages, default=0)

    for index, approval in sorted(enumerate(approvals), key=order):
        reason = _fill(steps, approval, digests, delegations, filled_by, allow_many_steps)
        if not reason:
            _note_authenticity(steps, approval, levels[index])
        if not reason and not parallel and approval.decision == "approve":
            reason = _out_of_order(steps, approval)
            if reason:
                filled_by.pop(approval.approver, None)
        if reason:
            ignored.append((index, Ignored(approval, reason)))
    return Walk(tuple(steps), tuple(sorted(ignored, key=lambda pair: pair[0])))


def described(approval: Approval) -> str:
    """`approve by dora as cfo on 2026-11-03`: how messages name an approval."""
    return f"{approval.decision} by {approval.approver} as {approval.role} on {approval.date}"


def _note_authenticity(steps: list[RouteStep], approval: Approval, how: str) -> None:
    for position, step in enumerate(steps):
        if step.approved_by == approval.approver and step.approved_on == approval.date:
            steps[position] = replace(step, authenticity=how)


def _out_of_order(steps: list[RouteStep], approval: Approval) -> str:
    """Undo `approval` and say why when an earlier stage was not yet approved on its date."""
    position = next(
        index
        for index, step in enumerate(steps)
        if step.approved_by == approval.approver
        and approval.role in step.roles
        and step.approved_on == approval.date
    )
    step = steps[position]
    waiting = [other for other in steps if other.stage < step.stage and not other.satisfied]
    if not waiting:
        return ""
    steps[position] = replace(
        step,
        satisfied=False,
        rejected=False,
        approved_by=None,
        approved_on=None,
        acting_for=None,
        authenticity=None,
        comment=None,
    )
    roles = ", ".join(sorted({other.role for other in waiting}))
    given = described(approval)
    return (
        f"{given} does not count yet: stage {step.stage} was approved before earlier stages "
        f"({roles}); approve again once they are"
    )


def _fill(
    steps: list[RouteStep],
    approval: Approval,
    digests: Mapping[int, str],
    delegations: tuple[Delegation, ...],
    filled_by: dict[str, str],
    allow_many_steps: bool,
) -> str:
    """Fill a step with `approval` and return "", or return why it does not count."""
    who, role = approval.approver, approval.role
    given = described(approval)
    if approval.request_digest != digests.get(approval.digest_version):
        return (
            f"{given} is void: the request has changed materially since; it needs approving again"
        )
    candidates = [position for position, step in enumerate(steps) if role in step.roles]
    if not candidates:
        return f"{given} does not count: the route needs no {role}"
    open_steps = [position for position in candidates if steps[position].approved_by is None]
    if not open_steps and approval.decision == "reject":
        open_steps = [position for position in candidates if not steps[position].rejected]
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
        comment=approval.comment,
    )
    filled_by[who] = role
    return ""

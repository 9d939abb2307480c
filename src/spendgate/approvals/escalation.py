"""Escalation: a step that nobody but the requester can fill passes up the chain (SPEC §6).

A requester who owns the budget cannot approve as its owner, and a department without a
director cannot give a director's approval. Delegation-of-authority practice passes such an
approval to the next level up rather than leave it open forever: a policy's `escalation` lists
the levels of its management chain, lowest first. A step of that policy whose role nobody but
the requester holds goes to the first later rung that someone other than the requester can
fill (a role not on the chain, such as the budget owner, starts at the chain's first rung,
the requester's line manager). The step keeps its stage and veto; its role becomes the rung's,
and `escalated_from` says what was asked for. When no rung can be filled either, the request
can never be approved as its rules stand, and that is a blocking finding rather than a silent
step that waits forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spendgate.decisions import Evidence
from spendgate.documents.policy import Requirement, Rung
from spendgate.documents.purchase_request import PurchaseRequest

#: The people a requirement names for one request; what `routing.holders` answers.
Finder = Callable[[Requirement], tuple[str, ...]]


@dataclass(frozen=True)
class Staffed:
    """Who fills a step: its requirement (raised when escalated), the people eligible, and the
    finding to report when it escalated (advisory) or cannot be filled at all (hard)."""

    requirement: Requirement
    eligible: tuple[str, ...]
    escalated_from: str | None = None
    enforcement: str = ""
    note: str = ""
    evidence: Evidence = ()


def staff(
    requirement: Requirement,
    request: PurchaseRequest,
    *,
    chain: Sequence[Rung],
    policy: str,
    hold: Finder,
) -> Staffed:
    """Staff the step `requirement` asks for on `request`: `hold` says who holds a requirement;
    all of them may fill it but the requester."""

    def find(wanted: Requirement) -> tuple[str, ...]:
        held = hold(wanted)  # often the run's shared tuple: kept as it is when it can be
        if request.requester not in held:
            return held
        return tuple(person for person in held if person != request.requester)

    eligible = find(requirement)
    if eligible:
        return Staffed(requirement, eligible)
    held = hold(requirement)
    reason = (
        f"only the requester, {request.requester}, holds that role"
        if held
        else "nobody holds that role"
    )
    evidence: Evidence = (
        ("request.requester", request.requester),
        ("request.department", request.department),
        (f"holders of {described(requirement)}", list(held)),
    )
    raised = escalate(requirement, chain, find)
    if raised is None:
        text = unfillable_message(requirement, request.department, reason, policy if chain else "")
        return Staffed(requirement, (), None, "hard", text, evidence)
    text = escalation_message(requirement, request.department, reason, raised, policy)
    return Staffed(
        raised.requirement, raised.eligible, described(requirement), "advisory", text, evidence
    )


@dataclass(frozen=True)
class Escalated:
    """The requirement a step passed to, and who may fill it."""

    requirement: Requirement
    eligible: tuple[str, ...]


def escalate(requirement: Requirement, chain: Sequence[Rung], find: Finder) -> Escalated | None:
    """The first rung above `requirement` on `chain` that someone may fill, or None."""
    position = next(
        (index for index, rung in enumerate(chain) if rung.role == requirement.role),
        -1,
    )
    for rung in chain[position + 1 :]:
        raised = requirement.model_copy(update={"role": rung.role, "of": rung.of})
        eligible = find(raised)
        if eligible:
            return Escalated(raised, eligible)
    return None


def described(requirement: Requirement | Rung) -> str:
    """`director of department`, `vp`: how routes name a level."""
    if requirement.of is None:
        return requirement.role
    return f"{requirement.role} of {requirement.of}"


def _named(requirement: Requirement, scope: str) -> str:
    """`director of the finance department`: how messages name a level for one request."""
    role = requirement.role.replace("_", " ")
    if requirement.of is None:
        return role
    return f"{role} of the {scope} {requirement.of.replace('_', ' ')}"


def escalation_message(
    asked: Requirement, scope: str, reason: str, escalated: Escalated, policy: str
) -> str:
    """The advisory finding's text: what was asked, why it could not be, where it went."""
    people = ", ".join(escalated.eligible)
    raised = _named(escalated.requirement, scope)
    return (
        f"the {_named(asked, scope)} approves this request, but {reason}; the step passes up "
        f"the {policy} escalation chain to the {raised} ({people})"
    )


def unfillable_message(asked: Requirement, scope: str, reason: str, policy: str) -> str:
    """The blocking finding's text when nobody anywhere on the chain can fill the step."""
    chain = f"the {policy} escalation chain" if policy else "no escalation chain"
    return (
        f"the {_named(asked, scope)} approves this request, but {reason}, and nobody on "
        f"{chain} above it can either: it can never be approved until People names someone"
    )

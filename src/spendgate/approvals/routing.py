"""Approval routes: who may fill each required step, and one step per role and person.

Which approvals fill the steps is `spendgate.approvals.counting`'s job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from spendgate.decisions import RouteStep
from spendgate.documents.people import Person
from spendgate.documents.policy import Requirement
from spendgate.documents.purchase_request import PurchaseRequest

#: Roles filled from the request itself (`holders`), held by nobody in People.
FILLED_FROM_REQUEST = frozenset({"budget_owner", "line_manager"})


class RoleHolders:
    """Who holds each role, and of each department: worked out once per role and department
    and shared by every request of a run, not found by scanning People for every step."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._people: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            for role in person.roles:
                self._people[role].append(person)
        self._known: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self._lists: dict[tuple[str, ...], tuple[str, ...]] = {}

    def of(self, role: str, department: str | None) -> tuple[str, ...]:
        """The sorted ids of `role`'s holders; of `department`'s only, unless it is None."""
        key = (role, department)
        if key not in self._known:
            self._known[key] = tuple(
                sorted(
                    {
                        person.id
                        for person in self._people.get(role, [])
                        if department is None or department in person.departments
                    }
                )
            )
        return self._known[key]

    def shared(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """One tuple per list of people for the whole run: the people eligible for a step are
        the same few lists across thousands of requests, and each decision keeps its route."""
        return self._lists.setdefault(names, names)


def holders(
    requirement: Requirement,
    request: PurchaseRequest,
    *,
    people: RoleHolders,
    budget: dict[str, Any],
    requester: Person | None,
) -> tuple[str, ...]:
    """The ids of everyone who holds the step's role for this request, the requester included."""
    if requirement.role == "budget_owner":
        return (budget["owner"],) if budget.get("owner") else ()
    if requirement.role == "line_manager":
        return (requester.manager,) if requester and requester.manager else ()
    scope = request.department if requirement.of == "department" else None
    return people.of(requirement.role, scope)


def merge_steps(steps: Iterable[RouteStep]) -> tuple[RouteStep, ...]:
    """One step per role and scope; the rules that asked for it are listed together.

    The merged step sits at the *latest* stage any of its rules asked for (SPEC §6): when an
    AI rule wants the CFO at stage 1 and decision rights want the CFO at stage 4, the CFO
    still signs after the VP, who signs at stage 3. Signing earlier would let the higher
    authority approve before the lower levels have looked at the request.
    """
    merged: dict[tuple[str, str | None], RouteStep] = {}
    for step in steps:
        key = (step.role, step.of)
        if key not in merged:
            merged[key] = step
            continue
        first = merged[key]
        merged[key] = replace(
            first,
            rule_id=f"{first.rule_id}, {step.rule_id}",
            stage=max(first.stage, step.stage),
            veto=first.veto or step.veto,
        )
    ordered = tuple(sorted(merged.values(), key=lambda step: step.stage))
    return tuple(sorted(collapse_sole_approvers(ordered), key=lambda step: step.stage))


def collapse_sole_approvers(route: tuple[RouteStep, ...]) -> tuple[RouteStep, ...]:
    """Steps that only the same one person can fill become one step, approved once.

    In a small organisation the line manager is often the director and the budget owner too;
    asking them to approve three times proves nothing, and with one person to a step it could
    never be done. As approval suites remove duplicate approvers from a chain, the later steps
    fold into the first one (`covers`), keeping their rules and any veto. The folded step sits
    at the latest of their stages, as a merged step does: the one approval stands for the
    highest level it covers, so it comes after everything due before that level.
    """
    collapsed: list[RouteStep] = []
    for step in route:
        twin = next(
            (
                index
                for index, earlier in enumerate(collapsed)
                if len(step.eligible) == 1 and earlier.eligible == step.eligible
            ),
            None,
        )
        if twin is None:
            collapsed.append(step)
            continue
        first = collapsed[twin]
        collapsed[twin] = replace(
            first,
            covers=(*first.covers, step.role),
            rule_id=f"{first.rule_id}, {step.rule_id}",
            stage=max(first.stage, step.stage),
            veto=first.veto or step.veto,
        )
    return tuple(collapsed)

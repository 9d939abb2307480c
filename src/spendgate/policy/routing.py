"""Approval routes: who may fill each required role, and which approvals on file fill it.

Which approvals on file fill the steps is `spendgate.approvals.counting`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from spendgate.decisions import RouteStep
from spendgate.documents.people import Person
from spendgate.documents.policy import Requirement
from spendgate.documents.purchase_request import PurchaseRequest


def eligible_people(
    requirement: Requirement,
    request: PurchaseRequest,
    *,
    people: dict[str, list[Person]],
    budget: dict[str, Any],
    requester: Person | None,
) -> tuple[str, ...]:
    """The ids of everyone who may fill this step, the requester never among them.

    `people` lists the people holding each role.
    """
    if requirement.role == "budget_owner":
        candidates = [budget["owner"]] if budget.get("owner") else []
    elif requirement.role == "line_manager":
        candidates = [requester.manager] if requester and requester.manager else []
    else:
        candidates = [
            person.id
            for person in people.get(requirement.role, [])
            if requirement.of != "department" or request.department in person.departments
        ]
    return tuple(sorted(person for person in candidates if person != request.requester))


def merge_steps(steps: Iterable[RouteStep]) -> tuple[RouteStep, ...]:
    """One step per role and scope; the rules that asked for it are listed together."""
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
            stage=min(first.stage, step.stage),
            veto=first.veto or step.veto,
        )
    return tuple(sorted(merged.values(), key=lambda step: step.stage))

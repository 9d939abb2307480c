"""budget_available: the request's cost centre has a budget for its fiscal year, with room.

The remaining budget is the budget's amount less every other submitted request of the same
cost centre and fiscal year, in base currency. With `allow_overrun` (default false) only a
missing budget fails; routing an overrun to the CFO is a `require` rule's job.
"""

from __future__ import annotations

from collections.abc import Iterator

from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import Failure, Subject


class Params(StrictModel):
    allow_overrun: bool = False


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    request = subject.context["request"]
    budget = subject.context["budget"]
    if not budget:
        yield Failure(
            f"cost centre {request['cost_centre']} has no budget for fiscal year "
            f"{request['fiscal_year']}",
            ("cost_centre",),
            (
                ("request.cost_centre", request["cost_centre"]),
                ("request.fiscal_year", request["fiscal_year"]),
            ),
        )
        return
    if not params.allow_overrun and request["total_base"] > budget["remaining_base"]:
        yield Failure(
            f"{request['total_base']:,.2f} exceeds the {budget['remaining_base']:,.2f} left in "
            f"the {request['cost_centre']} budget",
            ("cost_centre",),
            (
                ("request.total_base", request["total_base"]),
                ("budget.remaining_base", budget["remaining_base"]),
            ),
        )

"""split_purchase: requests that together cross an approval threshold each of them stays under.

Requests to the same vendor from the same requester or cost centre, submitted within
`window_days` (default 30) of each other and not withdrawn, form a group; a change order or
renewal and the request it amends or renews are one purchase, not a split. When every request of
the group stays under a threshold of `thresholds` (base currency) but their sum exceeds it, the
check fails and names every request in the group.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pydantic import Field

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.policy.checks.base import Failure, Subject, linked


class Params(StrictModel):
    """The check's parameters: the window that groups requests, and the thresholds."""

    window_days: int = Field(default=30, ge=1, le=366)
    thresholds: list[float] = Field(min_length=1)


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for each threshold the group crosses together but no request alone."""
    request = subject.request
    if len(subject.ledger.by_vendor.get(request.vendor, ())) < 2:
        return
    group = [request, *_related(subject, params.window_days)]
    if len(group) < 2:
        return
    currency = subject.ledger.config.organization.base_currency
    totals = {member.id: subject.ledger.total_base(member) for member in group}
    combined = sum(totals.values(), Decimal(0))
    for threshold in sorted(params.thresholds):
        limit = Decimal(str(threshold))
        if all(total <= limit for total in totals.values()) and combined > limit:
            names = ", ".join(sorted(totals))
            yield Failure(
                f"{names} together total {combined:,.2f}, above the {limit:,.0f} threshold "
                f"that each stays under",
                ("vendor",),
                tuple(
                    (f"{member}.total_base", round_amount(total, currency))
                    for member, total in sorted(totals.items())
                ),
            )
            return


def _related(subject: Subject, window_days: int) -> list[PurchaseRequest]:
    request = subject.request
    return [
        other
        for other in subject.ledger.by_vendor.get(request.vendor, [])
        if other.id != request.id
        and other.status != "withdrawn"
        and other.vendor == request.vendor
        and not linked(request, other)
        and (other.requester == request.requester or other.cost_centre == request.cost_centre)
        and abs((other.submitted - request.submitted).days) <= window_days
    ]

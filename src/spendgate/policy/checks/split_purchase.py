"""split_purchase: requests that together cross an approval threshold each of them stays under.

Requests to the same vendor from the same requester or cost centre, submitted within
`window_days` (default 30) of each other and not withdrawn, form a group; a change order or
renewal and the request it amends or renews are one purchase, not a split. When every request of
the group stays under a threshold of `thresholds` (base currency) but their sum exceeds it, the
check fails and names the requests of the group (the first five, and how many more). The
requests within the window are found through the ledger's index by vendor and day, so a vendor
with thousands of requests costs no more than one with a few.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pydantic import Field

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.policy.checks.base import NAMED, Failure, Subject, linked, named


class Params(StrictModel):
    """The check's parameters: the window that groups requests, and the thresholds."""

    window_days: int = Field(default=30, ge=1, le=366)
    thresholds: list[float] = Field(min_length=1)


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for the lowest threshold the group crosses together but no request alone."""
    request = subject.request
    group = [request, *_related(subject, params.window_days)]
    if len(group) < 2:
        return
    currency = subject.ledger.config.organization.base_currency
    totals = {member.id: subject.ledger.total_base(member) for member in group}
    combined = sum(totals.values(), Decimal(0))
    largest = max(totals.values())
    for threshold in sorted(params.thresholds):
        limit = Decimal(str(threshold))
        if largest <= limit < combined:
            members = sorted(totals)
            yield Failure(
                f"{named(members)} together total {combined:,.2f}, above the {limit:,.0f} "
                f"threshold that each stays under",
                ("vendor",),
                tuple(
                    (f"{member}.total_base", round_amount(totals[member], currency))
                    for member in members[: NAMED if len(members) > NAMED else None]
                ),
            )
            return


def _related(subject: Subject, window_days: int) -> list[PurchaseRequest]:
    """The other requests of the group: same vendor, and same requester or cost centre, within
    the window, not withdrawn, not a change order or renewal of this one."""
    request = subject.request
    ledger = subject.ledger
    nearby = [
        *ledger.nearby("split_purchase:requester", _by_requester).around(request, window_days),
        *ledger.nearby("split_purchase:cost_centre", _by_cost_centre).around(request, window_days),
    ]
    unique = {other.id: other for other in nearby if other.id != request.id}
    return [
        other
        for other in unique.values()
        if other.status != "withdrawn" and not linked(request, other)
    ]


def _by_requester(request: PurchaseRequest) -> tuple[str, str]:
    return request.vendor, request.requester


def _by_cost_centre(request: PurchaseRequest) -> tuple[str, str]:
    return request.vendor, request.cost_centre

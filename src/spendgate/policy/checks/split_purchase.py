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
from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.documents.request_facts import RequestFacts
from spendgate.policy.checks.base import NAMED, Failure, Subject, named
from spendgate.policy.ledger import Request


class Params(StrictModel):
    """The check's parameters: the window that groups requests, and the thresholds."""

    window_days: int = Field(default=30, ge=1, le=366)
    thresholds: list[float] = Field(min_length=1)


@dataclass(frozen=True)
class _Group:
    """Requests judged together, with what the check asks of them."""

    members: tuple[RequestFacts, ...]
    totals: dict[str, Decimal]
    """Each member's total in base currency, by id."""
    combined: Decimal
    largest: Decimal


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for the lowest threshold the group crosses together but no request alone."""
    group = _group(subject, params.window_days)
    if len(group.members) < 2:
        return
    currency = subject.ledger.config.organization.base_currency
    for threshold in sorted(params.thresholds):
        limit = Decimal(str(threshold))
        if group.largest <= limit < group.combined:
            members = sorted(group.totals)
            yield Failure(
                f"{named(members)} together total {group.combined:,.2f}, above the "
                f"{limit:,.0f} threshold that each stays under",
                ("vendor",),
                tuple(
                    (f"{member}.total_base", round_amount(group.totals[member], currency))
                    for member in members[: NAMED if len(members) > NAMED else None]
                ),
            )
            return


def _group(subject: Subject, window_days: int) -> _Group:
    """The request and the others of its group: same vendor, and same requester or cost
    centre, within the window, not withdrawn, not a change order or renewal of this one.

    The requests around a request depend only on where its windows lie (`Nearby.span`), so the
    group of every request with the same spans is worked out once a run: a thousand requests
    in one window cost one group, not a thousand.
    """
    request = subject.request
    ledger = subject.ledger
    by_requester = ledger.nearby("split_purchase:requester", _by_requester)
    by_cost_centre = ledger.nearby("split_purchase:cost_centre", _by_cost_centre)
    spans = (
        by_requester.span(request, window_days),
        by_cost_centre.span(request, window_days),
    )

    def around() -> _Group:
        # The two windows overlap in the requests of the same requester and cost centre: take
        # those from the first only, so the union needs no deduplication.
        members = [
            *by_requester.members(spans[0]),
            *(m for m in by_cost_centre.members(spans[1]) if m.requester != request.requester),
        ]
        return _totalled(subject, members)

    shared = ledger.memoized(("split_purchase", spans), around)
    linked = ledger.linked_ids(request) & shared.totals.keys()
    if not linked:
        return shared
    return _totalled(subject, [m for m in shared.members if m.id not in linked])


def _totalled(subject: Subject, members: list[RequestFacts]) -> _Group:
    totals = {member.id: subject.ledger.total_base(member) for member in members}
    values = list(totals.values())
    return _Group(tuple(members), totals, sum(values, Decimal(0)), max(values, default=Decimal(0)))


def _by_requester(request: Request) -> tuple[str, str]:
    return request.vendor, request.requester


def _by_cost_centre(request: Request) -> tuple[str, str]:
    return request.vendor, request.cost_centre

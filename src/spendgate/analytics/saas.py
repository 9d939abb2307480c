"""SaaS utilisation: paid seats that were used in the last 30 days, and what the idle ones cost.

Per vendor, from the `--usage` CSV (one row per seat: vendor, product, user, last_active):
a seat is active when its user was active on one of the 30 days up to the report date. Seats
bought are the quantities of the vendor's `saas_subscription` and `term_license` lines in
approved requests; the seats paid for are the larger of the seats listed and the seats bought.
The yearly cost is the annualised value of those lines in the approved requests, or, when none
is approved, in the pending ones (the price on file, marked so). A seat costs the yearly cost
÷ the seats paid; an idle seat is a paid one that is not active.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from spendgate.analytics.csv_inputs import UsageRow
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.stats import CENT, ratio

ACTIVE_DAYS = 30
SEAT_CATEGORIES = ("saas_subscription", "term_license")


@dataclass(frozen=True)
class Subscription:
    """One vendor's seats: listed, active, bought, paid, and what idle ones cost."""

    vendor: str
    """The vendor's id."""
    products: tuple[str, ...]
    """The products of the vendor in the usage file."""
    listed: int
    """Seats in the usage file."""
    active: int
    """Seats used in the period, per the usage file."""
    bought: int
    """Seats bought in approved requests."""
    paid: int
    """Seats paid for: the larger of the seats listed and the seats bought."""
    utilisation: float | None
    """Active seats ÷ paid seats, from 0 to 1; null without paid seats."""
    idle: int
    """Paid seats not used."""
    yearly_cost: Decimal | None
    """What the paid seats cost per year, in the base currency (a decimal string); null when
    unpriced."""
    idle_cost: Decimal | None
    """What the idle seats cost per year, in the base currency (a decimal string); null when
    unpriced."""
    priced_from: tuple[str, ...]
    """The ids of the requests the seat price comes from."""
    price_status: str | None
    """`approved` or `pending`: which requests the price comes from; None when unpriced."""


@dataclass(frozen=True)
class SaasUtilisation:
    """SaaS utilisation over every subscription, with each one's figures."""

    subscriptions: tuple[Subscription, ...]
    """Each vendor's seats and their cost."""
    paid: int
    """Seats paid for, over every subscription."""
    active: int
    """Seats used, over every subscription."""
    utilisation: float | None
    """Active seats ÷ paid seats, from 0 to 1; null without paid seats."""
    idle: int
    """Paid seats not used, over every subscription."""
    idle_cost: Decimal
    """The cost of idle seats, for the subscriptions with a price on file."""
    unpriced: int
    """Subscriptions whose vendor has no approved or pending request to price them."""


@dataclass(frozen=True)
class Price:
    """What a vendor's seats cost: how many, per year, from which requests."""

    seats: int
    yearly: Decimal
    requests: tuple[str, ...]


def prices(evaluated: Evaluated, status: str) -> dict[str, Price]:
    """Per vendor: seats and yearly value of its seat lines in requests with `status`."""
    seats: dict[str, Decimal] = defaultdict(Decimal)
    yearly: dict[str, Decimal] = defaultdict(Decimal)
    requests: dict[str, list[str]] = defaultdict(list)
    for identifier, request in sorted(evaluated.requests.items()):
        decision = evaluated.decisions.get(identifier)
        lines = [item for item in request.line_items if item.category in SEAT_CATEGORIES]
        if not lines or decision is None or decision.status != status:
            continue
        requests[request.vendor].append(identifier)
        for item in lines:
            seats[request.vendor] += item.quantity
            annual = evaluated.config.to_base(item.annualised, item.currency) or Decimal(0)
            yearly[request.vendor] += annual
    return {
        vendor: Price(int(seats[vendor]), yearly[vendor], tuple(found))
        for vendor, found in requests.items()
    }


def is_active(row: UsageRow, as_of: date) -> bool:
    """Whether the seat's user was active in the ACTIVE_DAYS up to `as_of`."""
    first_day = as_of - timedelta(days=ACTIVE_DAYS - 1)
    return row.last_active is not None and first_day <= row.last_active <= as_of


def saas_utilisation(evaluated: Evaluated, rows: list[UsageRow], *, as_of: date) -> SaasUtilisation:
    """The utilisation of every subscription in the usage file, on `as_of`."""
    by_vendor: dict[str, list[UsageRow]] = defaultdict(list)
    for row in rows:
        by_vendor[row.vendor].append(row)
    approved, pending = prices(evaluated, "approved"), prices(evaluated, "pending")
    subscriptions = [
        _subscription(vendor, seats, approved.get(vendor), pending.get(vendor), as_of)
        for vendor, seats in sorted(by_vendor.items())
    ]
    subscriptions.sort(key=lambda s: (-(s.idle_cost or Decimal(0)), -s.idle, s.vendor))
    return _total(subscriptions)


def _subscription(
    vendor: str, rows: list[UsageRow], approved: Price | None, pending: Price | None, as_of: date
) -> Subscription:
    active = sum(1 for row in rows if is_active(row, as_of))
    bought = approved.seats if approved else 0
    paid = max(len(rows), bought)
    idle = paid - active
    price = approved or pending
    idle_cost = (price.yearly * idle / paid).quantize(CENT) if price and paid else None
    return Subscription(
        vendor=vendor,
        products=tuple(sorted({row.product for row in rows})),
        listed=len(rows),
        active=active,
        bought=bought,
        paid=paid,
        utilisation=ratio(Decimal(active), Decimal(paid)),
        idle=idle,
        yearly_cost=price.yearly.quantize(CENT) if price else None,
        idle_cost=idle_cost,
        priced_from=price.requests if price else (),
        price_status=("approved" if approved else "pending") if price else None,
    )


def _total(subscriptions: list[Subscription]) -> SaasUtilisation:
    paid = sum(s.paid for s in subscriptions)
    active = sum(s.active for s in subscriptions)
    return SaasUtilisation(
        subscriptions=tuple(subscriptions),
        paid=paid,
        active=active,
        utilisation=ratio(Decimal(active), Decimal(paid)),
        idle=paid - active,
        idle_cost=sum((s.idle_cost or Decimal(0) for s in subscriptions), Decimal(0)),
        unpriced=sum(1 for s in subscriptions if s.yearly_cost is None),
    )

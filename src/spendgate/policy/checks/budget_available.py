"""budget_available: every fiscal year the request is paid in has a budget, with room.

The request's value is split over the fiscal years it is paid in, from the contract's start
(needed_by, else submitted) and each line's term and billing (`spendgate.documents.in_year`):
upfront at the start, annual instalments every 12 months, monthly and usage spread evenly. Each
year's share is compared with the cost centre's budget for that year, less what every other
submitted request of the cost centre commits in that year (split the same way), in base
currency. A year without a budget is a failure; with `allow_overrun` (default false) a year over
budget is not, as routing an overrun to the CFO is a `require` rule's job. `years` picks which
years are checked: `all` (the default), `first` (the year the spending starts, whose budget must
exist when the money is committed) or `later` (out-years, whose budgets are usually not set yet:
a planning matter, which the reference library reports as advisory).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import Failure, Subject


class Params(StrictModel):
    """The check's parameters: whether an overrun passes, and which years count."""

    allow_overrun: bool = False
    years: Literal["all", "first", "later"] = "all"


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for each year without a budget, or over it when overruns do not pass."""
    request = subject.request
    currency = subject.ledger.config.organization.base_currency

    def shown(amount: Decimal) -> str:
        return f"{round_amount(amount, currency):,f} {currency}"

    years = sorted(subject.ledger.budget_years(request), key=lambda year: year.fiscal_year)
    if params.years == "first":
        years = years[:1]
    elif params.years == "later":
        years = years[1:]
    for year in years:
        seen = (
            ("request.cost_centre", request.cost_centre),
            ("request.in_year.fiscal_year", year.fiscal_year),
            ("request.in_year.amount_base", round_amount(year.in_year, currency)),
        )
        if year.amount is None:
            yield Failure(
                f"cost centre {request.cost_centre} has no budget for fiscal year "
                f"{year.fiscal_year}, in which {shown(year.in_year)} of this request falls",
                ("cost_centre",),
                seen,
            )
        elif year.over and not params.allow_overrun:
            remaining = year.amount - year.committed
            yield Failure(
                f"fiscal year {year.fiscal_year}: {shown(year.in_year)} of this request exceeds "
                f"the {shown(remaining)} left in the {request.cost_centre} budget "
                f"({shown(year.amount)}, of which other requests commit {shown(year.committed)})",
                ("cost_centre",),
                (
                    *seen,
                    ("request.in_year.budget_remaining_base", round_amount(remaining, currency)),
                ),
            )

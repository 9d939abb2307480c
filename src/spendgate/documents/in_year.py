"""How a request's value falls across fiscal years: the in-year split that budgets are judged on.

A budget is an amount per cost centre and fiscal year, so a three-year contract billed annually
spends a third of its value in each of three budgets, not all of it in the year it is signed.
From the contract's start (`PurchaseRequest.start`: needed_by, else submitted) each line is
paid by its billing:

- `upfront`, or no term: all of it at the start;
- `annual`: one instalment per 12 months from the start, each for the months it covers (the
  last one pro rata when the term is not a whole number of years);
- `monthly` and `usage`: evenly over the months of the term.

A fiscal year starts on the first of a month, so only the month of a payment matters. Each
year's share is `total * months / term`, one exact division, in O(years) per distinct
(billing, term) of a request, never a loop over months.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache

from spendgate.documents.config import Config
from spendgate.documents.currencies import EXACT
from spendgate.documents.purchase_request import PurchaseRequest

Part = tuple[str, int | None]
"""A way of paying: effective billing and term in months (None without a term)."""

SPREAD = frozenset({"monthly", "usage"})
ZERO = Decimal(0)


def fiscal_year(day: date, start_month: int) -> int:
    """The fiscal year a date falls in, named by the calendar year in which that year ends."""
    if start_month == 1 or day.month < start_month:
        return day.year
    return day.year + 1


def months_left(start: date, fiscal_year_start: int) -> int:
    """The months from `start`'s month to the end of its fiscal year, both included (1-12)."""
    return (fiscal_year_start - start.month - 1) % 12 + 1


def parts(request: PurchaseRequest) -> dict[Part, Decimal]:
    """The request's exact total per way of paying: lines paid alike are split once."""
    found: dict[Part, Decimal] = {}
    for item in request.line_items:
        billing = item.effective_billing
        term = item.term_months
        key: Part = ("upfront", None) if term is None or billing == "upfront" else (billing, term)
        found[key] = EXACT.add(found.get(key, ZERO), item.total)
    return found


def _months_per_year(first: int, term: int) -> Iterator[int]:
    """Months of a term of `term` months in each fiscal year from the first, which has `first`
    months left."""
    remaining = term
    size = first
    while remaining > 0:
        taken = min(size, remaining)
        yield taken
        remaining -= taken
        size = 12


def _instalment_years(first: int, term: int) -> Iterator[tuple[int, int]]:
    """(year index, months covered) of each annual instalment: paid at months 0, 12, 24 ..."""
    for offset in range(0, term, 12):
        year = 0 if offset < first else 1 + (offset - first) // 12
        yield year, min(12, term - offset)


@cache
def _shares(billing: str, term: int, first: int) -> tuple[tuple[int, int], ...]:
    """(fiscal year index, months of the term) of a way of paying over a term; the same few
    combinations recur across a repository, so each is worked out once."""
    if billing in SPREAD:
        return tuple(enumerate(_months_per_year(first, term)))
    return tuple(_instalment_years(first, term))


def split(
    amounts: Iterable[tuple[Part, Decimal]], first_year: int, first_months: int
) -> dict[int, Decimal]:
    """Each fiscal year's exact share of `amounts`, from the year the contract starts in
    (`first_year`, of which `first_months` months are left)."""
    years: dict[int, Decimal] = {}
    for (billing, term), total in amounts:
        if term is None or billing == "upfront":
            years[first_year] = EXACT.add(years.get(first_year, ZERO), total)
            continue
        for index, months in _shares(billing, term, first_months):
            share = total if months == term else EXACT.divide(EXACT.multiply(total, months), term)
            year = first_year + index
            years[year] = EXACT.add(years.get(year, ZERO), share)
    return years


def in_year_base(
    amounts: Iterable[tuple[Part, Decimal]],
    *,
    start: date,
    currency: str,
    config: Config,
    first_year: int,
) -> dict[int, Decimal]:
    """Each fiscal year's share in base currency, each rounded once (0 without an FX rate,
    as the request's total then is)."""
    first_months = months_left(start, config.organization.fiscal_year_start)
    exact = split(amounts, first_year, first_months)
    return {
        year: config.to_base(amount, currency) or Decimal(0)
        for year, amount in sorted(exact.items())
    }


def encode(amounts: dict[Part, Decimal]) -> str:
    """The parts of a request as catalogue text: `billing:term:total` joined by U+001F."""
    return "\x1f".join(
        f"{billing}:{'' if term is None else term}:{total}"
        for (billing, term), total in amounts.items()
    )


def decode(text: str) -> list[tuple[Part, Decimal]]:
    """The parts `encode` wrote (ValueError or decimal.InvalidOperation on other text)."""
    found: list[tuple[Part, Decimal]] = []
    for entry in filter(None, text.split("\x1f")):
        billing, term, total = entry.split(":")
        found.append(((billing, int(term) if term else None), Decimal(total)))
    return found

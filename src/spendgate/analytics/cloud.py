"""Cloud cost accuracy: what cloud requests forecast against what the FOCUS billing data shows.

Forecast: every `cloud_consumption` and `cloud_commitment` line of the approved and pending
requests, spread evenly over its term's months from the term's start (`needed_by`, else
`submitted`); a line without a term falls in its start month. Actual: the FOCUS EffectiveCost
(amortised: a commitment's upfront `Purchase` row is spread over the usage it covers) of every
row but `Purchase` rows, per month of ChargePeriodStart. Providers are matched to vendors by
vendor id or legal name. The error of a month and provider is |actual − forecast| ÷ forecast;
the overall error weighs every month and provider with a forecast by its forecast
(Σ|actual − forecast| ÷ Σ forecast).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from spendgate.analytics.csv_inputs import BillingRow
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.stats import CENT, ratio
from spendgate.documents.purchase_request import LineItem, PurchaseRequest

CLOUD_CATEGORIES = ("cloud_consumption", "cloud_commitment")
FORECAST_STATUSES = ("approved", "pending")


@dataclass(frozen=True)
class CloudMonth:
    """One month of one provider: forecast, actual cost and the error between them."""

    month: str
    """YYYY-MM."""
    provider: str
    """The cloud provider, as the billing file names it."""
    forecast: Decimal
    """The cost the approved requests forecast for the month, in the base currency (a decimal
    string)."""
    actual: Decimal
    """The billed cost of the month, in the base currency (a decimal string)."""
    error: float | None
    """|actual − forecast| ÷ forecast; None without a forecast."""


@dataclass(frozen=True)
class CommitmentPurchase:
    """A FOCUS `Purchase` row: a commitment bought (BilledCost)."""

    month: str
    """The month of the purchase (YYYY-MM)."""
    provider: str
    """The cloud provider, as the billing file names it."""
    commitment: str
    """The commitment bought, as the billing file describes it."""
    billed: Decimal
    """What it cost (BilledCost), in the base currency (a decimal string)."""


@dataclass(frozen=True)
class CloudAccuracy:
    """Cloud cost accuracy: each month's figures and the overall error."""

    months: tuple[CloudMonth, ...]
    """Each month and provider: forecast, actual and error."""
    forecast: Decimal
    """The forecast of the months and providers that have one."""
    actual: Decimal
    """The actuals of those same months and providers."""
    error: float | None
    """|actual − forecast| ÷ forecast over the months with a forecast (0 is exact); null without a
    forecast."""
    unforecast: Decimal
    """Actuals of months and providers without a forecast."""
    commitments: tuple[CommitmentPurchase, ...]
    """The commitments bought in the period (FOCUS `Purchase` rows)."""
    requests: tuple[str, ...]
    """The requests whose cloud lines make the forecast."""
    forecast_starts: str | None
    """The first month any forecast covers (billed or not)."""


def month_of(day: date) -> str:
    """The month of `day`, as YYYY-MM."""
    return f"{day.year:04d}-{day.month:02d}"


def _add_months(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def line_forecast(request: PurchaseRequest, item: LineItem, rate: Decimal) -> dict[str, Decimal]:
    """A cloud line's cost per month, in base currency."""
    start = request.needed_by or request.submitted
    months = item.term_months or 1
    monthly = item.total * rate / months
    return {_add_months(start, offset): monthly for offset in range(months)}


def forecasts(evaluated: Evaluated) -> tuple[dict[tuple[str, str], Decimal], list[str]]:
    """(month, vendor) to forecast, and the requests it comes from."""
    found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    sources = []
    for identifier, request in sorted(evaluated.requests.items()):
        decision = evaluated.decisions.get(identifier)
        lines = [item for item in request.line_items if item.category in CLOUD_CATEGORIES]
        rate = evaluated.config.rate(request.currency)
        if not lines or decision is None or decision.status not in FORECAST_STATUSES or not rate:
            continue
        sources.append(identifier)
        for item in lines:
            for month, amount in line_forecast(request, item, rate).items():
                found[(month, request.vendor)] += amount
    return found, sources


def provider_names(evaluated: Evaluated) -> dict[str, str]:
    """Case-folded vendor ids and legal names, to vendor id."""
    names = {vendor.legal_name.casefold(): vendor.id for vendor in evaluated.vendors.values()}
    names.update({vendor.id.casefold(): vendor.id for vendor in evaluated.vendors.values()})
    return names


def cloud_accuracy(
    evaluated: Evaluated, rows: list[BillingRow], *, since: date | None
) -> CloudAccuracy:
    """Forecast against actuals for every month of the billing data and every provider."""
    rows = [row for row in rows if since is None or row.period_start >= since]
    names = provider_names(evaluated)
    actual: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    commitments = []
    for row in rows:
        key = (month_of(row.period_start), names.get(row.provider.casefold(), row.provider))
        if row.charge_category == "Purchase":
            commitments.append(CommitmentPurchase(*key, row.commitment, row.billed_base))
        else:
            actual[key] += row.effective_base
    forecast, sources = forecasts(evaluated)
    billed_months = {month_of(row.period_start) for row in rows}
    cells = _cells(forecast, actual, billed_months)
    starts = min((month for month, _ in forecast), default=None)
    return _accuracy(cells, commitments, sources, starts)


def _cells(
    forecast: dict[tuple[str, str], Decimal],
    actual: dict[tuple[str, str], Decimal],
    months: set[str],
) -> list[CloudMonth]:
    keys = {key for key in (*forecast, *actual) if key[0] in months}
    cells = []
    for month, provider in sorted(keys):
        expected = forecast.get((month, provider), Decimal(0)).quantize(CENT)
        spent = actual.get((month, provider), Decimal(0)).quantize(CENT)
        error = ratio(abs(spent - expected), expected)
        cells.append(CloudMonth(month, provider, expected, spent, error))
    return cells


def _accuracy(
    cells: list[CloudMonth],
    commitments: list[CommitmentPurchase],
    sources: list[str],
    starts: str | None,
) -> CloudAccuracy:
    forecast_cells = [cell for cell in cells if cell.forecast]
    expected = sum((cell.forecast for cell in forecast_cells), Decimal(0))
    deviation = sum((abs(cell.actual - cell.forecast) for cell in forecast_cells), Decimal(0))
    return CloudAccuracy(
        months=tuple(cells),
        forecast=expected,
        actual=sum((cell.actual for cell in forecast_cells), Decimal(0)),
        error=ratio(deviation, expected),
        unforecast=sum((cell.actual for cell in cells if not cell.forecast), Decimal(0)),
        commitments=tuple(sorted(commitments, key=lambda c: (c.month, c.provider, c.commitment))),
        requests=tuple(sources),
        forecast_starts=starts,
    )

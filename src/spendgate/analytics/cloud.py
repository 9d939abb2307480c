"""Cloud cost accuracy: what cloud requests forecast against what the FOCUS billing data shows.

Forecast: every `cloud_consumption` and `cloud_commitment` line of the approved and pending
requests, spread evenly over its term's months from the term's start (`needed_by`, else
`submitted`); a line without a term falls in its start month. Actual: the FOCUS EffectiveCost
(amortised: a commitment's upfront `Purchase` row is spread over the usage it covers) of every
row but `Purchase` and `Tax` rows, per month of ChargePeriodStart (a `Correction` row counts in
the month it corrects), each converted into the base currency with the FX table recorded for its
charge date (`fx_history`), summed exactly and rounded once. A charge is matched to a vendor by
ProviderName, else InvoiceIssuerName (vendor id or legal name). A month of a provider is
reported when the billing data has that provider's rows for it. The error of a month and
provider is |actual − forecast| ÷ forecast; the overall error weighs every month and provider
with a forecast by its forecast (Σ|actual − forecast| ÷ Σ forecast).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.focus import BillingData, ChargeTotal
from spendgate.analytics.fx_lookup import FxRate, converted_early
from spendgate.analytics.stats import CENT, ratio
from spendgate.documents.currencies import EXACT, round_amount
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
class ExcludedRows:
    """Billing rows left out of the figures, and why."""

    reason: str
    """What is wrong with them, e.g. `BillingCurrency is not an ISO 4217 currency code`."""
    rows: int
    """How many."""


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
    tax: Decimal = Decimal(0)
    """The EffectiveCost of FOCUS `Tax` rows, left out of the actuals (a decimal string)."""
    rows: int = 0
    """The billing rows the figures count."""
    excluded: tuple[ExcludedRows, ...] = ()
    """The billing rows left out because a cell cannot be read, by reason."""
    notes: tuple[str, ...] = ()
    """What the reader should know about how the figures were made (FX tables, corrections)."""


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
    evaluated: Evaluated, billing: BillingData, rates: list[FxRate], *, since: date | None
) -> CloudAccuracy:
    """Forecast against actuals for every month of the billing data and every provider."""
    totals = [total for total in billing.totals if since is None or total.day >= since]
    names = provider_names(evaluated)
    convert = _converter(rates)
    base = evaluated.config.organization.base_currency
    actual: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    purchases: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    tax = Decimal(0)
    for total in totals:
        key = (month_of(total.day), vendor_of(names, total.provider, total.issuer))
        if total.category == "Purchase":
            bought = (*key, total.commitment or "")
            purchases[bought] = EXACT.add(purchases[bought], convert(total, total.billed))
        elif total.category == "Tax":
            tax = EXACT.add(tax, convert(total, total.effective))
        else:
            actual[key] = EXACT.add(actual[key], convert(total, total.effective))
    commitments = [
        CommitmentPurchase(*key, round_amount(amount, base)) for key, amount in purchases.items()
    ]
    forecast, sources = forecasts(evaluated)
    billed = {(month_of(t.day), vendor_of(names, t.provider, t.issuer)) for t in totals}
    cells = _cells(
        forecast, {key: round_amount(value, base) for key, value in actual.items()}, billed
    )
    starts = min((month for month, _ in forecast), default=None)
    accuracy = _accuracy(cells, commitments, sources, starts)
    return replace(
        accuracy,
        tax=round_amount(tax, base),
        rows=sum(total.rows for total in totals),
        excluded=tuple(ExcludedRows(*item) for item in sorted(billing.excluded.items())),
        notes=_notes(totals, rates),
    )


def vendor_of(names: dict[str, str], provider: str, issuer: str | None) -> str:
    """The vendor a charge is bought from: the vendor named by ProviderName, else by
    InvoiceIssuerName (a marketplace resells another provider's service), else the provider as
    the file names it."""
    for name in (provider, issuer):
        if name is not None and name.casefold() in names:
            return names[name.casefold()]
    return provider


def _converter(rates: list[FxRate]) -> Callable[[ChargeTotal, Decimal], Decimal]:
    by_table = {(rate.currency, rate.as_of): rate.rate for rate in rates}

    def convert(total: ChargeTotal, amount: Decimal) -> Decimal:
        return EXACT.multiply(amount, by_table[(total.currency, total.fx_as_of)])

    return convert


def _notes(totals: list[ChargeTotal], rates: list[FxRate]) -> tuple[str, ...]:
    notes = []
    early = sum(total.before_fx for total in totals)
    if early:
        first = min(rate.as_of for rate in rates if rate.valid_from != rate.as_of)
        notes.append(converted_early(early, "billing row(s)", first))
    corrections = sum(total.corrections for total in totals)
    if corrections:
        notes.append(
            f"{corrections} correction row(s) (ChargeClass Correction) count in the month "
            "they correct."
        )
    return tuple(notes)


def _cells(
    forecast: dict[tuple[str, str], Decimal],
    actual: dict[tuple[str, str], Decimal],
    billed: set[tuple[str, str]],
) -> list[CloudMonth]:
    keys = {key for key in (*forecast, *actual) if key in billed}
    cells = []
    for month, provider in sorted(keys):
        expected = forecast.get((month, provider), Decimal(0)).quantize(CENT)
        spent = actual.get((month, provider), Decimal("0.00"))
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

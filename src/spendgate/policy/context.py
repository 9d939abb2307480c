"""What a policy expression can see (SPEC §4), built once per request as plain data.

The context holds only what CEL understands: maps, lists, strings, integers, doubles and
booleans. Money is a double in base currency where the name says `_base`. Dates are day numbers
(days since 1970-01-01), so `now - vendor.sanctions.screened_on <= 90` reads as it should; an
absent optional value is an absent key, so `has(vendor.esg.ecovadis)` works. Line items carry
defaults (0, "", false) for the optional fields classification rows compare, so a row never
fails on a missing key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.config import Config
from spendgate.documents.currencies import round_amount
from spendgate.documents.in_year import fiscal_year
from spendgate.documents.people import Person
from spendgate.documents.purchase_request import LineItem, PurchaseRequest
from spendgate.documents.vendor import Vendor

if TYPE_CHECKING:
    from spendgate.policy.ledger import BudgetYear, Ledger

EPOCH = date(1970, 1, 1)

#: The names an expression may start from; `line` only inside classification rows.
VARIABLES = ("request", "vendor", "ai", "org", "budget", "requester", "now", "this_year", "line")


def day_number(value: date) -> int:
    """A date as CEL sees it: days since 1970-01-01."""
    return (value - EPOCH).days


def from_day_number(value: int) -> date:
    """The date of a CEL day number."""
    return date.fromordinal(EPOCH.toordinal() + value)


def plain(value: Any) -> Any:
    """A model dump made CEL-friendly: dates to day numbers, decimals to doubles, no None."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, date):
        return day_number(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def model_context(model: BaseModel | None) -> dict[str, Any]:
    """A document as CEL sees it, without apiVersion and kind; empty for None."""
    if model is None:
        return {}
    result: dict[str, Any] = plain(model.model_dump(by_alias=True, exclude={"api_version", "kind"}))
    return result


def line_context(item: LineItem, ledger: Ledger) -> dict[str, Any]:
    """One line item; amounts in base currency are rounded once, to its minor unit (0 without
    an FX rate)."""
    config = ledger.config

    def base(amount: Decimal) -> float:
        return float(config.to_base(amount, item.currency) or 0)

    benchmark = ledger.benchmarks.get(item.benchmark or "")
    return {
        "description": item.description,
        "category": item.category,
        "quantity": float(item.quantity),
        "unit_price": float(item.unit_price),
        "unit_price_base": base(item.unit_price),
        "currency": item.currency,
        "price_per": item.price_per,
        "total": float(round_amount(item.total, item.currency)),
        "total_base": base(item.total),
        "annualised_base": base(item.annualised),
        **({} if item.asset_value is None else {"asset_value_base": base(item.asset_value)}),
        "term_months": item.term_months or 0,
        "useful_life_months": item.useful_life_months or 0,
        "billing": item.effective_billing,
        "possession_right": item.possession_right,
        "implementation_of": item.implementation_of or "",
        "funded": bool(item.funded),
        "probable": bool(item.probable),
        **(
            {"forecast_utilisation": item.forecast_utilisation}
            if item.forecast_utilisation is not None
            else {}
        ),
        "negotiation_note": item.negotiation_note or "",
        **(
            {
                "benchmark_median_base": float(benchmark[0]),
                "benchmark_p75_base": float(benchmark[1]),
            }
            if benchmark
            else {}
        ),
    }


def _optional(**values: Any) -> dict[str, Any]:
    return {key: plain(value) for key, value in values.items() if value is not None}


def request_context(request: PurchaseRequest, ledger: Ledger) -> dict[str, Any]:
    """The request's own fields (built by hand: a model dump costs three times as much)."""
    config = ledger.config
    data = request.data
    context: dict[str, Any] = {
        "id": request.id,
        "title": request.title,
        "requester": request.requester,
        "department": request.department,
        "cost_centre": request.cost_centre,
        "vendor": request.vendor,
        "submitted": day_number(request.submitted),
        "type": request.type,
        "justification": request.justification,
        "benefits": _optional(roi=request.benefits.roi, kpis=list(request.benefits.kpis)),
        "data": {
            "classification": data.classification,
            "personal_data": data.personal_data,
            "special_category": data.special_category,
            "regions": list(data.regions),
        },
        "integrates_with_ot": request.integrates_with_ot,
        "status": request.status,
        **_optional(
            needed_by=request.needed_by,
            renews=request.renews,
            amends=request.amends,
            ai_assessment=request.ai_assessment,
        ),
    }
    lines = [line_context(item, ledger) for item in request.line_items]
    end = max((item.term_months or 0 for item in request.line_items), default=0)
    start = request.start
    years = ledger.budget_years(request)
    context.update(
        line_items=lines,
        currency=request.currency,
        total=float(round_amount(request.total, request.currency)),
        total_base=float(ledger.total_base(request)),
        annualised_base=float((config.to_base(request.annualised, request.currency)) or 0),
        cumulative_total_base=float(ledger.cumulative_total_base(request)),
        categories=sorted({item.category for item in request.line_items}),
        fiscal_year=ledger.fiscal_year_of(request),
        in_year_base=float(years[0].in_year),
        in_year=[_year_context(year) for year in years],
        start=day_number(start),
        end=day_number(start) + round(end * 365 / 12),
    )
    return context


def _year_context(year: BudgetYear) -> dict[str, Any]:
    """One fiscal year of the request: its share, and what its budget has left (if any)."""
    remaining = year.remaining
    return {
        "fiscal_year": year.fiscal_year,
        "amount_base": float(year.in_year),
        **({} if remaining is None else {"budget_remaining_base": float(remaining)}),
    }


def budget_context(request: PurchaseRequest, ledger: Ledger) -> dict[str, Any]:
    """The budget of the fiscal year the request starts in, less what other submitted
    requests commit in that year (in-year figures, `Ledger.budget_years`).

    When that year has no budget yet (a contract starting next year), only the cost centre and
    the owner of the budget the request was raised under (its submission year) are given: the
    budget owner still approves, and budget_available reports the missing budget.
    """
    first = ledger.budget_years(request)[0]
    if first.budget is None or first.amount is None:
        raised_under = ledger.budgets.get(
            (
                request.cost_centre,
                fiscal_year(request.submitted, ledger.config.organization.fiscal_year_start),
            )
        )
        if raised_under is None:
            return {}
        return {"cost_centre": raised_under.cost_centre, "owner": raised_under.owner}
    return {
        "cost_centre": first.budget.cost_centre,
        "fiscal_year": first.fiscal_year,
        "owner": first.budget.owner,
        "amount_base": float(first.amount),
        "committed_base": float(first.committed),
        "remaining_base": float(first.amount - first.committed),
    }


def org_context(config: Config) -> dict[str, Any]:
    """`org` in an expression: the organisation's settings."""
    organization = config.organization
    return {
        "name": organization.name,
        "industry": organization.industry,
        "jurisdictions": list(organization.jurisdictions),
        "base_currency": organization.base_currency,
        "fiscal_year_start": organization.fiscal_year_start,
        "accounting_framework": organization.accounting_framework,
        "capitalization_threshold": float(config.capitalization_threshold),
    }


def build_context(
    request: PurchaseRequest,
    *,
    ledger: Ledger,
    vendor: Vendor | None,
    assessment: AIAssessment | None,
    requester: Person | None,
    today: date,
) -> dict[str, Any]:
    """The whole context of one request: the variables every expression may read."""
    return {
        "request": request_context(request, ledger),
        "vendor": ledger.shared("Vendor", vendor),
        "ai": ledger.shared("AIAssessment", assessment),
        "org": ledger.memoized("org context", lambda: org_context(ledger.config)),
        "budget": budget_context(request, ledger),
        "requester": ledger.shared("Person", requester),
        "now": day_number(today),
        "this_year": today.year,
    }

"""What a policy expression can see (SPEC §4), built once per request as plain data.

The context holds only what CEL understands: maps, lists, strings, integers, doubles and
booleans. Money is a double in base currency where the name says `_base`. Dates are day numbers
(days since 1970-01-01), so `now - vendor.sanctions.screened_on <= 90` reads as it should; an
absent optional value is an absent key, so `has(vendor.esg.ecovadis)` works. Line items carry
defaults (0, "", false) for the optional fields classification rows compare, so a row never
fails on a missing key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.budgets import Budget
from spendgate.documents.config import Config
from spendgate.documents.people import Person
from spendgate.documents.purchase_request import LineItem, PurchaseRequest
from spendgate.documents.vendor import Vendor

EPOCH = date(1970, 1, 1)

#: The names an expression may start from; `line` only inside classification rows.
VARIABLES = ("request", "vendor", "ai", "org", "budget", "requester", "now", "this_year", "line")


def day_number(value: date) -> int:
    return (value - EPOCH).days


def from_day_number(value: int) -> date:
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
    if model is None:
        return {}
    result: dict[str, Any] = plain(model.model_dump(by_alias=True, exclude={"api_version", "kind"}))
    return result


def fiscal_year(day: date, start_month: int) -> int:
    """The fiscal year a date falls in, named by the calendar year in which that year ends."""
    if start_month == 1 or day.month < start_month:
        return day.year
    return day.year + 1


@dataclass
class Ledger:
    """Totals per request and per cost centre that context building needs from the whole repo."""

    config: Config
    requests: dict[str, PurchaseRequest]
    budgets: dict[tuple[str, int], Budget]
    _committed: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    benchmarks: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    """Benchmark id to its median and upper quartile in base currency."""
    _documents: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _totals: dict[str, Decimal] = field(default_factory=dict)
    by_vendor: dict[str, list[PurchaseRequest]] = field(default_factory=dict)
    committed: dict[tuple[str, int], Decimal] | None = None
    """What submitted requests commit per cost centre and fiscal year, when `requests` is only
    part of the repository (a pull-request check); otherwise summed from `requests`."""

    def __post_init__(self) -> None:
        if self.committed is not None:
            self._committed = dict(self.committed)
        for request in self.requests.values():
            self.by_vendor.setdefault(request.vendor, []).append(request)
            if request.status != "submitted" or self.committed is not None:
                continue
            key = (request.cost_centre, self.fiscal_year_of(request))
            self._committed[key] = self._committed.get(key, Decimal(0)) + self.total_base(request)

    def shared(self, kind: str, model: BaseModel | None) -> dict[str, Any]:
        """The context of a vendor, assessment or person, built once for all its requests.

        Nothing downstream mutates these dicts; only the request's own context is changed.
        """
        if model is None:
            return {}
        key = (kind, str(getattr(model, "id", "")))
        if key not in self._documents:
            self._documents[key] = model_context(model)
        return self._documents[key]

    def fiscal_year_of(self, request: PurchaseRequest) -> int:
        return fiscal_year(request.submitted, self.config.organization.fiscal_year_start)

    def total_base(self, request: PurchaseRequest) -> Decimal:
        """The request's total in base currency, computed once per request and run."""
        total = self._totals.get(request.id)
        if total is None:
            total = self._totals[request.id] = request.total_base(self.config) or Decimal(0)
        return total

    def cumulative_total_base(self, request: PurchaseRequest) -> Decimal:
        """A change order counts with everything it amends (decision rights are cumulative)."""
        total = Decimal(0)
        seen: set[str] = set()
        current: PurchaseRequest | None = request
        while current is not None and current.id not in seen:
            seen.add(current.id)
            total += self.total_base(current)
            current = self.requests.get(current.amends) if current.amends else None
        return total

    def committed_elsewhere(self, request: PurchaseRequest) -> Decimal:
        key = (request.cost_centre, self.fiscal_year_of(request))
        committed = self._committed.get(key, Decimal(0))
        if request.status == "submitted":
            committed -= self.total_base(request)
        return committed


def line_context(item: LineItem, ledger: Ledger) -> dict[str, Any]:
    rate = ledger.config.rate(item.currency) or Decimal(0)
    benchmark = ledger.benchmarks.get(item.benchmark or "")
    return {
        "description": item.description,
        "category": item.category,
        "quantity": float(item.quantity),
        "unit_price": float(item.unit_price),
        "unit_price_base": float(item.unit_price * rate),
        "currency": item.currency,
        "price_per": item.price_per,
        "total": float(item.total),
        "total_base": float(item.total * rate),
        "annualised_base": float(item.annualised * rate),
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
    start = request.needed_by or request.submitted
    context.update(
        line_items=lines,
        currency=request.currency,
        total=float(request.total),
        total_base=float(ledger.total_base(request)),
        annualised_base=float((config.to_base(request.annualised, request.currency)) or 0),
        cumulative_total_base=float(ledger.cumulative_total_base(request)),
        categories=sorted({item.category for item in request.line_items}),
        fiscal_year=ledger.fiscal_year_of(request),
        start=day_number(start),
        end=day_number(start) + round(end * 365 / 12),
    )
    return context


def budget_context(request: PurchaseRequest, ledger: Ledger) -> dict[str, Any]:
    budget = ledger.budgets.get((request.cost_centre, ledger.fiscal_year_of(request)))
    if budget is None:
        return {}
    amount = ledger.config.to_base(budget.amount, budget.currency) or Decimal(0)
    committed = ledger.committed_elsewhere(request)
    return {
        "cost_centre": budget.cost_centre,
        "fiscal_year": budget.fiscal_year,
        "owner": budget.owner,
        "amount_base": float(amount),
        "committed_base": float(committed),
        "remaining_base": float(amount - committed),
    }


def org_context(config: Config) -> dict[str, Any]:
    organization = config.organization
    return {
        "name": organization.name,
        "industry": organization.industry,
        "jurisdictions": list(organization.jurisdictions),
        "base_currency": organization.base_currency,
        "fiscal_year_start": organization.fiscal_year_start,
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
        "org": org_context(ledger.config),
        "budget": budget_context(request, ledger),
        "requester": ledger.shared("Person", requester),
        "now": day_number(today),
        "this_year": today.year,
    }

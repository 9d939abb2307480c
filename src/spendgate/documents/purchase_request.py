"""PurchaseRequest (`requests/**/*.yaml`): what is bought, from whom, for how much, and why.

Money is `Decimal` throughout. Totals are computed here, once, so that every policy and report
reads the same figures: a line's total, the request's total in its own currency and in the base
currency (through the Config FX table), and its annualised value.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from spendgate.documents.fields import (
    Amount,
    Currency,
    Document,
    Identifier,
    IsoDate,
    Months,
    Percent,
    Quantity,
    Slug,
    StrictModel,
    _parse_amount,
)

if TYPE_CHECKING:
    from spendgate.documents.config import Config

CENT = Decimal("0.01")

Category = Literal[
    "hardware",
    "hardware_lease",
    "perpetual_license",
    "term_license",
    "saas_subscription",
    "cloud_consumption",
    "cloud_commitment",
    "professional_services",
    "implementation",
    "internal_development",
    "support_maintenance",
    "telecom_service",
    "training",
]

Ratio = Annotated[
    Decimal,
    BeforeValidator(_parse_amount),
    WithJsonSchema({"type": "number"}),
]


class LineItem(StrictModel):
    description: str = Field(min_length=1)
    category: Category
    quantity: Quantity = Decimal(1)
    unit_price: Amount
    currency: Currency
    price_per: Literal["unit", "month", "year"] = "unit"
    """`unit`: the price buys the unit outright or for the whole term; `month`/`year`: recurring."""
    term_months: Months | None = None
    useful_life_months: Months | None = None
    billing: Literal["upfront", "monthly", "annual", "usage"] | None = None
    """When it is invoiced; by default as the price is quoted (`effective_billing`)."""
    possession_right: bool = False
    """The right to take possession of the software (ASC 350-40): a licence, not a service."""
    implementation_of: Literal["internal_use", "saas"] | None = None
    """For implementation work: internal-use software (capitalisable) or a SaaS product."""
    funded: bool | None = None
    probable: bool | None = None
    """For internal development: completion is probable and the project is funded."""
    forecast_utilisation: Percent | None = None
    """For cloud commitments: the share of the commitment expected to be used."""
    negotiation_note: str | None = None
    benchmark: Identifier | None = None
    """The PriceBenchmarks entry this line's unit price compares with."""

    @model_validator(mode="after")
    def _recurring_price_needs_term(self) -> LineItem:
        if self.price_per != "unit" and self.term_months is None:
            raise ValueError(f"a price per {self.price_per} needs term_months")
        return self

    @property
    def effective_billing(self) -> str:
        """The billing given, or the one the price implies: monthly, annual, else upfront."""
        if self.billing is not None:
            return self.billing
        return {"month": "monthly", "year": "annual"}.get(self.price_per, "upfront")

    @property
    def periods(self) -> Decimal:
        """How many times the unit price is paid over the term."""
        if self.price_per == "month":
            return Decimal(self.term_months or 0)
        if self.price_per == "year":
            return Decimal(self.term_months or 0) / 12
        return Decimal(1)

    @cached_property
    def total(self) -> Decimal:
        """What the line costs over its whole term, in its currency."""
        return (self.quantity * self.unit_price * self.periods).quantize(CENT)

    @cached_property
    def annualised(self) -> Decimal:
        """The line's value per year of its term (its total when the term is a year or less)."""
        if self.term_months is None or self.term_months <= 12:
            return self.total
        return (self.total * 12 / self.term_months).quantize(CENT)


class Benefits(StrictModel):
    roi: Ratio | None = None
    """Expected return on investment over the term, in percent."""
    kpis: list[str] = []


class RequestData(StrictModel):
    classification: Literal["public", "internal", "confidential", "restricted"] = "internal"
    personal_data: bool = False
    special_category: bool = False
    """GDPR Art. 9 data: health, biometrics, beliefs and the like."""
    regions: list[str] = []


MAX_LINE_ITEMS = 1000
"""A request holds at most this many line items: classifying them costs time that grows with
the square of their number (about 65 ms at 1,000, 5 s near 10,000), and a pull request controls
it."""


class PurchaseRequest(Document):
    kind: Literal["PurchaseRequest"]
    id: Identifier
    title: str = Field(min_length=1)
    requester: Identifier
    department: Slug
    cost_centre: Slug
    vendor: Identifier
    submitted: IsoDate
    needed_by: IsoDate | None = None
    type: Literal["new", "renewal", "upgrade", "change_order"] = "new"
    renews: Identifier | None = None
    amends: Identifier | None = None
    """For a change order: the request it changes (decision rights then apply cumulatively)."""
    justification: str = Field(min_length=1)
    benefits: Benefits = Benefits()
    line_items: list[LineItem] = Field(min_length=1, max_length=MAX_LINE_ITEMS)
    data: RequestData = RequestData()
    ai_assessment: Identifier | None = None
    integrates_with_ot: bool = False
    """Connects to operational technology (plant control systems, PLCs, SCADA)."""
    status: Literal["draft", "submitted", "withdrawn"] = "submitted"

    @model_validator(mode="after")
    def _one_currency(self) -> PurchaseRequest:
        first = self.line_items[0].currency
        for item in self.line_items[1:]:
            if item.currency != first:
                raise ValueError(
                    f"line items mix {first} and {item.currency}; a request is in one currency"
                )
        return self

    @model_validator(mode="after")
    def _change_order_names_what_it_amends(self) -> PurchaseRequest:
        if self.type == "change_order" and self.amends is None:
            raise ValueError("a change order names the request it amends in 'amends'")
        return self

    @property
    def currency(self) -> str:
        return self.line_items[0].currency

    @cached_property
    def total(self) -> Decimal:
        """Total contract value in the request's currency."""
        return sum((item.total for item in self.line_items), Decimal(0))

    @cached_property
    def annualised(self) -> Decimal:
        return sum((item.annualised for item in self.line_items), Decimal(0))

    def total_base(self, config: Config) -> Decimal | None:
        """Total contract value in the base currency; None when the FX table lacks the rate."""
        return config.to_base(self.total, self.currency)

"""PurchaseRequest (`requests/**/*.yaml`): what is bought, from whom, for how much, and why.

Money is `Decimal` throughout. Totals are computed here, once, so that every policy and report
reads the same figures: a line's total, the request's total in its own currency and in the base
currency (through the Config FX table), and its annualised value. They are exact (an 80-digit
context: no product of amounts is rounded); a figure is rounded once, to its currency's minor
unit, where it is converted or shown (`Config.to_base`, `currencies.round_amount`). A unit price
has at most its currency's decimal places (ISO 4217): JPY 1000.5 is an error at the price.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from spendgate.documents.currencies import EXACT, exact_sum
from spendgate.documents.fields import (
    Amount,
    Currency,
    Document,
    Identifier,
    IsoDate,
    Months,
    Percent,
    Quantity,
    RefersTo,
    Slug,
    StrictModel,
    _parse_amount,
    check_minor_units,
)

if TYPE_CHECKING:
    from spendgate.documents.config import Config

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
    """One line of a request: what is bought, how many, at what price and terms."""

    description: str = Field(min_length=1)
    """What the line buys, in plain words."""
    category: Category
    """The kind of purchase, which classification and policy scopes go by, e.g.
    `saas_subscription`."""
    quantity: Quantity = Decimal(1)
    """How many units (a positive decimal number)."""
    unit_price: Amount
    """The price of one unit, per `price_per`, in `currency` (a decimal amount with at most the
    currency's minor-unit decimals)."""
    currency: Currency
    """The line's currency, an ISO 4217 code such as EUR; every line of a request has the same."""
    price_per: Literal["unit", "month", "year"] = "unit"
    """`unit`: the price buys the unit outright or for the whole term; `month`/`year`: recurring."""
    term_months: Months | None = None
    """The contract term in months (1 to 600); required for a price per month or year."""
    useful_life_months: Months | None = None
    """How many months the item will be used, for capitalisation (1 to 600)."""
    billing: Literal["upfront", "monthly", "annual", "usage"] | None = None
    """When it is invoiced; by default as the price is quoted (`effective_billing`)."""
    possession_right: bool = False
    """The right to take possession of the software (ASC 350-40): a licence, not a service."""
    implementation_of: Literal["internal_use", "saas"] | None = None
    """For implementation work: internal-use software (capitalisable) or a SaaS product."""
    funded: bool | None = None
    """For internal development: whether the project is funded."""
    probable: bool | None = None
    """For internal development: completion is probable and the project is funded."""
    forecast_utilisation: Percent | None = None
    """For cloud commitments: the share of the commitment expected to be used."""
    negotiation_note: str | None = None
    """How the price was negotiated, e.g. why it is above the benchmark."""
    benchmark: Annotated[Identifier | None, RefersTo("Benchmark")] = None
    """The PriceBenchmarks entry this line's unit price compares with."""
    asset_value: Amount | None = None
    """For a lease: what one leased asset is worth new, in the line's currency. IFRS 16's
    low-value exemption is judged on that value (IFRS 16.B3-B8), never on the lease payment."""

    @model_validator(mode="after")
    def _recurring_price_needs_term(self) -> LineItem:
        if self.price_per != "unit" and self.term_months is None:
            raise ValueError(f"a price per {self.price_per} needs term_months")
        return self

    @model_validator(mode="after")
    def _amounts_fit_the_currency(self) -> LineItem:
        check_minor_units(
            "LineItem",
            self.currency,
            {"unit_price": self.unit_price, "asset_value": self.asset_value},
        )
        return self

    @property
    def effective_billing(self) -> str:
        """The billing given, or the one the price implies: monthly, annual, else upfront."""
        if self.billing is not None:
            return self.billing
        return {"month": "monthly", "year": "annual"}.get(self.price_per, "upfront")

    @cached_property
    def total(self) -> Decimal:
        """What the line costs over its whole term, in its currency, exact: the price times the
        quantity, times the months or years of the term for a recurring price."""
        amount = EXACT.multiply(self.quantity, self.unit_price)
        if self.price_per == "month":
            return EXACT.multiply(amount, self.term_months or 0)
        if self.price_per == "year":
            return EXACT.divide(EXACT.multiply(amount, self.term_months or 0), 12)
        return amount

    @cached_property
    def annualised(self) -> Decimal:
        """The line's value per year of its term (its total when the term is a year or less)."""
        if self.term_months is None or self.term_months <= 12:
            return self.total
        return EXACT.divide(EXACT.multiply(self.total, 12), self.term_months)


class Benefits(StrictModel):
    """What the request is expected to return: ROI and KPIs."""

    roi: Ratio | None = None
    """Expected return on investment over the term, in percent."""
    kpis: list[str] = []
    """The measures by which the purchase's benefits will be judged."""


class RequestData(StrictModel):
    """The data the purchase touches: classification, personal data, regions."""

    classification: Literal["public", "internal", "confidential", "restricted"] = "internal"
    """The most sensitive data the purchase touches: `public`, `internal`, `confidential` or
    `restricted`."""
    personal_data: bool = False
    """Whether the purchase processes personal data (GDPR)."""
    special_category: bool = False
    """GDPR Art. 9 data: health, biometrics, beliefs and the like."""
    regions: list[str] = []
    """Where the data will be held or processed: ISO country codes or regions such as EU."""


MAX_LINE_ITEMS = 1000
"""A request holds at most this many line items: classifying them costs time that grows with
the square of their number (about 65 ms at 1,000, 5 s near 10,000), and a pull request controls
it."""


class PurchaseRequest(Document):
    """A purchase request: who asks, from which vendor, its lines and its data."""

    kind: Literal["PurchaseRequest"]
    """The document kind: always `PurchaseRequest`."""
    id: Identifier
    """The request's id, unique among documents, e.g. `NB-2026-0142`."""
    title: str = Field(min_length=1)
    """What is bought, in a line."""
    requester: Annotated[Identifier, RefersTo("Person")]
    """The id (in People) of the person who asks for the purchase."""
    department: Slug
    """The requesting department (its director approves larger requests)."""
    cost_centre: Slug
    """The cost centre charged; its budget for the fiscal year is in Budgets."""
    vendor: Annotated[Identifier, RefersTo("Vendor")]
    """The id of the vendor bought from."""
    submitted: IsoDate
    """The day the request was submitted (ISO date, YYYY-MM-DD)."""
    needed_by: IsoDate | None = None
    """The day the purchase is needed (ISO date, YYYY-MM-DD); the contract starts then."""
    type: Literal["new", "renewal", "upgrade", "change_order"] = "new"
    """`new`, `renewal` (of `renews`), `upgrade` or `change_order` (to `amends`)."""
    renews: Annotated[Identifier | None, RefersTo("PurchaseRequest")] = None
    """For a renewal: the id of the request renewed."""
    amends: Annotated[Identifier | None, RefersTo("PurchaseRequest")] = None
    """For a change order: the request it changes (decision rights then apply cumulatively)."""
    justification: str = Field(min_length=1)
    """Why the purchase is needed."""
    benefits: Benefits = Benefits()
    """What the purchase is expected to return: ROI and KPIs."""
    line_items: list[LineItem] = Field(min_length=1, max_length=MAX_LINE_ITEMS)
    """What is bought: one to 1,000 lines, all in one currency."""
    data: RequestData = RequestData()
    """The data the purchase touches: how sensitive, whether personal, and where it is held."""
    ai_assessment: Annotated[Identifier | None, RefersTo("AIAssessment")] = None
    """The id of the AIAssessment of the AI system bought, if any."""
    integrates_with_ot: bool = False
    """Connects to operational technology (plant control systems, PLCs, SCADA)."""
    status: Literal["draft", "submitted", "withdrawn"] = "submitted"
    """`draft`, `submitted` or `withdrawn`: a withdrawn request is no longer decided nor counted
    against budgets (a request is withdrawn, never deleted)."""

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
        """The request's currency: that of its lines (they share one)."""
        return self.line_items[0].currency

    @property
    def start(self) -> date:
        """When the contract starts: needed_by, else the submission date."""
        return self.needed_by or self.submitted

    @cached_property
    def total(self) -> Decimal:
        """Total contract value in the request's currency, exact."""
        return exact_sum(item.total for item in self.line_items)

    @cached_property
    def annualised(self) -> Decimal:
        """The value per year of the lines' terms, exact."""
        return exact_sum(item.annualised for item in self.line_items)

    def total_base(self, config: Config) -> Decimal | None:
        """Total contract value in the base currency, rounded once to its minor unit; None when
        the FX table lacks the rate."""
        return config.to_base(self.total, self.currency)

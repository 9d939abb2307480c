"""Config (`spendgate.yaml`): the organisation, its base currency and FX table, paths, options."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from spendgate.documents.currencies import EXACT, round_amount
from spendgate.documents.fields import (
    Amount,
    Currency,
    Document,
    Industry,
    IsoDate,
    StrictModel,
    check_minor_units,
)

PositiveRate = Annotated[Amount, Field(gt=0)]


class Organization(StrictModel):
    """The organisation: name, industry, jurisdictions, currency and fiscal year."""

    name: str
    """The organisation's name."""
    industry: Industry
    """The organisation's industry: it selects the industry routing rules."""
    jurisdictions: list[str] = []
    """Where the organisation operates: ISO country codes, or EU."""
    base_currency: Currency
    """The currency (ISO 4217) that amounts are compared in and thresholds and budgets are stated
    in."""
    fiscal_year_start: int = Field(default=1, ge=1, le=12)
    """The month (1-12) in which the fiscal year starts; a fiscal year is named by the calendar
    year in which it ends (with 2, fiscal 2027 runs from February 2026 to January 2027)."""
    accounting_framework: Literal["us-gaap", "ifrs"] = "us-gaap"
    """The framework the books are kept under; classification follows it where US GAAP and
    IFRS differ (SaaS implementation costs, low-value leases)."""


class FxTable(StrictModel):
    """The exchange rates into the base currency, as of one date."""

    as_of: IsoDate
    """The day the rates are of (ISO date, YYYY-MM-DD)."""
    rates: dict[Currency, PositiveRate]
    """Units of the base currency that one unit of each listed currency buys."""


class Paths(StrictModel):
    """Where each kind of document lives, relative to the repository root."""

    people: str = "org/people.yaml"
    """The People file."""
    budgets: str = "org/budgets.yaml"
    """The Budgets file."""
    vendors: str = "vendors"
    """The folder of Vendor documents."""
    requests: str = "requests"
    """The folder of PurchaseRequest documents (at any depth)."""
    ai: str = "ai"
    """The folder of AIAssessment documents."""
    approvals: str = "approvals"
    """The folder of Approval and ChangeApproval records (at any depth)."""
    waivers: str = "waivers"
    """The folder of Waiver documents."""
    policies: str = "policies"
    """The folder of Policy and PolicySet documents, read unless `policy_set` is `builtin`."""
    benchmarks: str = "benchmarks"
    """The folder of PriceBenchmarks documents."""
    audit_log: str = "audit/decisions.jsonl"
    """The decision log that `spendgate audit record` appends to (JSON lines)."""


class ApprovalSettings(StrictModel):
    """Where approvals come from and what proves a record is its person's."""

    source: Literal["records", "github", "both"] = "records"
    """Where approvals come from: approval `records` in the repository, `github` pull-request
    reviews, or `both`."""
    require_authenticity: Literal["none", "author-match", "signed"] = "author-match"
    """What proves that a governance record (approval, waiver, change approval) is its person's,
    in a git repository: `signed`, the last commit touching it is signed with their key;
    `author-match`, it is authored with their email (or signed); `none`, nothing (the level
    reached is still recorded). `true` and `false` read as `author-match` and `none`."""
    allow_one_person_many_steps: bool = False
    """Whether one person may fill more than one approval step of a request (segregation of duties
    forbids it by default)."""

    @field_validator("require_authenticity", mode="before")
    @classmethod
    def _boolean_means_author_match(cls, value: object) -> object:
        if isinstance(value, bool):
            return "author-match" if value else "none"
        return value


class Config(Document):
    """The repository's settings (`spendgate.yaml`): organisation, FX, paths, approvals."""

    kind: Literal["Config"]
    """The document kind: always `Config`."""
    organization: Organization
    """The organisation: name, industry, jurisdictions, base currency, fiscal year, accounting
    framework."""
    fx: FxTable | None = None
    """The exchange rates into the base currency; needed as soon as a document uses another
    currency."""
    capitalization_threshold: Amount = Decimal(5000)
    """In base currency: hardware and licences at or above it may be capitalised."""
    paths: Paths = Paths()
    """The folders and files of each kind of document, when not where `spendgate init` puts them."""
    approvals: ApprovalSettings = ApprovalSettings()
    """Where approvals come from, what proves them, and whether one person may fill many steps."""
    policy_set: str = "builtin"
    """`builtin` for the reference library shipped with spendgate, or a path to a PolicySet."""

    def rate(self, currency: str) -> Decimal | None:
        """The rate that converts `currency` into the base currency, or None if unknown."""
        if currency == self.organization.base_currency:
            return Decimal(1)
        if self.fx is None:
            return None
        return self.fx.rates.get(currency)

    @model_validator(mode="after")
    def _threshold_fits_the_base_currency(self) -> Config:
        check_minor_units(
            "Config",
            self.organization.base_currency,
            {"capitalization_threshold": self.capitalization_threshold},
        )
        return self

    def to_base(self, amount: Decimal, currency: str) -> Decimal | None:
        """An exact `amount` in the base currency, rounded once to the base currency's minor
        unit (half up); None when no rate is known."""
        rate = self.rate(currency)
        if rate is None:
            return None
        return round_amount(EXACT.multiply(amount, rate), self.organization.base_currency)

"""Vendor (`vendors/*.yaml`): the supplier profile that risk, ESG and security rules read."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import (
    CountryCode,
    Document,
    Identifier,
    IsoDate,
    Percent,
    StrictModel,
)
from spendgate.documents.transfers import Transfer


class Contract(StrictModel):
    """The vendor's master agreement: id, signing, expiry, renewal and notice."""

    msa_id: str
    """The master services agreement's id."""
    signed: IsoDate
    """The day it was signed (ISO date, YYYY-MM-DD)."""
    expires: IsoDate | None = None
    """The last day it runs (ISO date, YYYY-MM-DD); none for no end date."""
    auto_renew: bool = False
    """Whether it renews itself unless notice is given."""
    notice_days: int = Field(default=0, ge=0, le=3650)
    """How many days' notice ends or stops the renewal of the contract."""

    @model_validator(mode="after")
    def _expires_after_signing(self) -> Contract:
        if self.expires is not None and self.expires < self.signed:
            raise ValueError(
                f"contract expires ({self.expires}) before it is signed ({self.signed})"
            )
        return self


class Risk(StrictModel):
    """The vendor's risk rating: score, tier, last review and domains."""

    score: Percent
    """0 (no risk) to 100."""
    tier: Literal["low", "medium", "high", "critical"]
    """The risk tier: `low`, `medium`, `high` or `critical`."""
    last_review: IsoDate
    """The day of the last risk review (ISO date, YYYY-MM-DD)."""
    domains: list[str] = []
    """The risk domains reviewed or of concern, e.g. `information_security`."""


class Sanctions(StrictModel):
    """The vendor's sanctions screening: status, date and lists checked."""

    status: Literal["clear", "pending", "hit"]
    """The screening's result: `clear`, `pending` or `hit`."""
    screened_on: IsoDate
    """The day of the screening (ISO date, YYYY-MM-DD)."""
    lists: list[str] = []
    """The sanctions lists screened against, e.g. `EU-CFSP`, `OFAC-SDN`."""


class EcoVadis(StrictModel):
    """The vendor's EcoVadis rating: score, medal and when assessed."""

    score: Percent
    """The EcoVadis score, 0 to 100."""
    medal: Literal["none", "bronze", "silver", "gold", "platinum"] = "none"
    """The EcoVadis medal: `none`, `bronze`, `silver`, `gold` or `platinum`."""
    assessed_on: IsoDate
    """The day of the assessment (ISO date, YYYY-MM-DD)."""


class Cdp(StrictModel):
    """The vendor's CDP climate score."""

    climate: Literal["A", "A-", "B", "B-", "C", "C-", "D", "D-", "F"]
    """The CDP climate change score, from `A` (best) to `F`."""


class Sbti(StrictModel):
    """The vendor's Science Based Targets status, and since when."""

    status: Literal["none", "committed", "targets_set", "removed"]
    """The Science Based Targets initiative status: `none`, `committed`, `targets_set` or
    `removed`."""
    since: IsoDate | None = None
    """The day the status was reached (ISO date, YYYY-MM-DD)."""


class Expiry(StrictModel):
    """A certificate, by the day it expires."""

    expires: IsoDate
    """The day the certificate expires (ISO date, YYYY-MM-DD)."""


class ModernSlaveryStatement(StrictModel):
    """The vendor's modern slavery statement: where it is and its year."""

    url: str
    """Where the statement is published."""
    year: int = Field(ge=2000, le=2100)
    """The year the statement covers."""


class Esg(StrictModel):
    """The vendor's ESG evidence: EcoVadis, CDP, SBTi, ISO 14001, modern slavery."""

    ecovadis: EcoVadis | None = None
    """The EcoVadis rating."""
    cdp: Cdp | None = None
    """The CDP climate score."""
    sbti: Sbti | None = None
    """The Science Based Targets status."""
    iso14001: Expiry | None = None
    """The ISO 14001 (environmental management) certificate."""
    modern_slavery_statement: ModernSlaveryStatement | None = None
    """The modern slavery statement."""


class Soc2TypeII(StrictModel):
    """A SOC 2 Type II report, by the end of the period it covers."""

    period_end: IsoDate
    """The last day of the period the report covers (ISO date, YYYY-MM-DD)."""


class Security(StrictModel):
    """The vendor's security evidence: SOC 2 Type II and ISO 27001."""

    soc2_type2: Soc2TypeII | None = None
    """The latest SOC 2 Type II report."""
    iso27001: Expiry | None = None
    """The ISO/IEC 27001 (information security) certificate."""


class VendorData(StrictModel):
    """Where the vendor holds and sends data: residency, sub-processors, transfers."""

    residency: list[CountryCode] = []
    """The countries where the vendor holds the data (ISO 3166-1 alpha-2)."""
    sub_processors: list[str] = []
    """Who else processes the data, by name; the countries they reach it from are `transfers`."""
    transfers: list[Transfer] = []
    """The vendor's transfers of personal data out of the EEA, one per destination country and
    mechanism: to its own residency outside the EEA, its affiliates and its sub-processors."""


class Dora(StrictModel):
    """EU Digital Operational Resilience Act: is the vendor an ICT provider, and critical?"""

    ict_provider: bool = False
    """Whether the vendor provides ICT services under DORA."""
    critical: bool = False
    """Whether those services support a critical or important function (DORA)."""


class Vendor(Document):
    """A vendor: legal name, country, status, contract and the evidence about it."""

    kind: Literal["Vendor"]
    """The document kind: always `Vendor`."""
    id: Identifier
    """The vendor's id, which requests name as `vendor`, e.g. `kestrel-systems`."""
    legal_name: str
    """The vendor's registered legal name."""
    country: CountryCode
    """The vendor's country of registration, as an ISO 3166-1 alpha-2 code."""
    status: Literal["approved", "onboarding", "blocked"]
    """`approved`, `onboarding` (procurement approves its first purchase) or `blocked` (no
    purchases)."""
    strategic: bool = False
    """Whether the vendor is a strategic supplier (stricter ESG expectations)."""
    contract: Contract | None = None
    """The vendor's master agreement, if signed."""
    risk: Risk
    """The vendor's risk rating."""
    sanctions: Sanctions
    """The vendor's latest sanctions screening."""
    esg: Esg = Esg()
    """The vendor's ESG evidence."""
    security: Security = Security()
    """The vendor's security evidence."""
    data: VendorData = VendorData()
    """Where the vendor holds and sends data."""
    dora: Dora = Dora()
    """The vendor under the EU Digital Operational Resilience Act (DORA)."""

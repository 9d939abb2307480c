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
    signed: IsoDate
    expires: IsoDate | None = None
    auto_renew: bool = False
    notice_days: int = Field(default=0, ge=0, le=3650)

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
    last_review: IsoDate
    domains: list[str] = []


class Sanctions(StrictModel):
    """The vendor's sanctions screening: status, date and lists checked."""

    status: Literal["clear", "pending", "hit"]
    screened_on: IsoDate
    lists: list[str] = []


class EcoVadis(StrictModel):
    """The vendor's EcoVadis rating: score, medal and when assessed."""

    score: Percent
    medal: Literal["none", "bronze", "silver", "gold", "platinum"] = "none"
    assessed_on: IsoDate


class Cdp(StrictModel):
    """The vendor's CDP climate score."""

    climate: Literal["A", "A-", "B", "B-", "C", "C-", "D", "D-", "F"]


class Sbti(StrictModel):
    """The vendor's Science Based Targets status, and since when."""

    status: Literal["none", "committed", "targets_set", "removed"]
    since: IsoDate | None = None


class Expiry(StrictModel):
    """A certificate, by the day it expires."""

    expires: IsoDate


class ModernSlaveryStatement(StrictModel):
    """The vendor's modern slavery statement: where it is and its year."""

    url: str
    year: int = Field(ge=2000, le=2100)


class Esg(StrictModel):
    """The vendor's ESG evidence: EcoVadis, CDP, SBTi, ISO 14001, modern slavery."""

    ecovadis: EcoVadis | None = None
    cdp: Cdp | None = None
    sbti: Sbti | None = None
    iso14001: Expiry | None = None
    modern_slavery_statement: ModernSlaveryStatement | None = None


class Soc2TypeII(StrictModel):
    """A SOC 2 Type II report, by the end of the period it covers."""

    period_end: IsoDate


class Security(StrictModel):
    """The vendor's security evidence: SOC 2 Type II and ISO 27001."""

    soc2_type2: Soc2TypeII | None = None
    iso27001: Expiry | None = None


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
    critical: bool = False


class Vendor(Document):
    """A vendor: legal name, country, status, contract and the evidence about it."""

    kind: Literal["Vendor"]
    id: Identifier
    legal_name: str
    country: CountryCode
    status: Literal["approved", "onboarding", "blocked"]
    strategic: bool = False
    contract: Contract | None = None
    risk: Risk
    sanctions: Sanctions
    esg: Esg = Esg()
    security: Security = Security()
    data: VendorData = VendorData()
    dora: Dora = Dora()

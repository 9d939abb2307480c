"""Supplier risk and ESG: the vendor base by risk tier and EcoVadis medal, attestations about to
lapse, and the spend with vendors below the ESG bar.

Attestations and when they lapse: ISO 27001 and ISO 14001 certificates on their expiry date; a
SOC 2 Type II report and an EcoVadis assessment 12 months after their period end or assessment
date (what the reference policies accept). A vendor meets the ESG bar (the reference library's
ESG-010) with an EcoVadis assessment from the last 12 months that scores 45 or more or carries
a medal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from spendgate.analytics.csv_inputs import SpendRow
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.stats import Count, ratio
from spendgate.documents.vendor import Vendor

HORIZON_DAYS = 90
YEAR = timedelta(days=365)
ECOVADIS_BAR = 45
RISK_TIERS = ("low", "medium", "high", "critical")
MEDALS = ("platinum", "gold", "silver", "bronze", "none", "not assessed")


@dataclass(frozen=True)
class Lapse:
    """An attestation of a vendor that lapses within the horizon, or has lapsed."""

    vendor: str
    """The vendor's id."""
    attestation: str
    """What lapses: `ISO 27001`, `ISO 14001`, `SOC 2 Type II report` or `EcoVadis assessment`."""
    lapses: date
    """The day it lapses (ISO date, YYYY-MM-DD)."""
    days_left: int
    """Negative once lapsed."""


@dataclass(frozen=True)
class EsgShortfall:
    """A vendor below the ESG bar: why, and what was paid to it."""

    vendor: str
    """The vendor's id."""
    reason: str
    """Why the vendor is below the bar."""
    spend: Decimal
    """What was paid to it in the period, in the base currency (a decimal string)."""


@dataclass(frozen=True)
class SupplierRisk:
    """The vendor base by risk and medal, lapsing evidence, and spend below the ESG bar."""

    vendors: int
    """How many vendors there are."""
    risk_tiers: tuple[Count, ...]
    """How many vendors are in each risk tier."""
    medals: tuple[Count, ...]
    """How many vendors hold each EcoVadis medal."""
    lapsing: tuple[Lapse, ...]
    """Lapsing within HORIZON_DAYS of the report date."""
    lapsed: tuple[Lapse, ...]
    """Evidence that has lapsed by the report date."""
    below_esg_bar: tuple[EsgShortfall, ...]
    """The vendors below the ESG bar, and what was paid to each."""
    spend_below_bar: Decimal | None
    """What was paid to vendors below the bar, in the base currency (a decimal string); null without
    a spend file."""
    spend_total: Decimal | None
    """What was paid to every vendor, in the base currency (a decimal string); null without a spend
    file."""
    spend_below_ratio: float | None
    """Spend below the bar ÷ total spend, from 0 to 1; null without a spend file."""


def attestations(vendor: Vendor) -> list[tuple[str, date]]:
    """What the vendor holds and when each lapses."""
    found = []
    if vendor.security.iso27001:
        found.append(("ISO 27001", vendor.security.iso27001.expires))
    if vendor.esg.iso14001:
        found.append(("ISO 14001", vendor.esg.iso14001.expires))
    if vendor.security.soc2_type2:
        found.append(("SOC 2 Type II report", vendor.security.soc2_type2.period_end + YEAR))
    if vendor.esg.ecovadis:
        found.append(("EcoVadis assessment", vendor.esg.ecovadis.assessed_on + YEAR))
    return found


def esg_shortfall(vendor: Vendor, as_of: date) -> str | None:
    """Why the vendor misses the ESG bar, or None when it meets it."""
    ecovadis = vendor.esg.ecovadis
    if ecovadis is None:
        return "no EcoVadis assessment"
    if ecovadis.assessed_on + YEAR < as_of:
        return f"EcoVadis assessment of {ecovadis.assessed_on} is older than 12 months"
    if ecovadis.score < ECOVADIS_BAR and ecovadis.medal == "none":
        return f"EcoVadis score {ecovadis.score} (below {ECOVADIS_BAR}) and no medal"
    return None


def _lapses(vendors: list[Vendor], as_of: date) -> list[Lapse]:
    horizon = as_of + timedelta(days=HORIZON_DAYS)
    found = [
        Lapse(vendor.id, name, lapses, (lapses - as_of).days)
        for vendor in vendors
        for name, lapses in attestations(vendor)
        if lapses <= horizon
    ]
    return sorted(found, key=lambda lapse: (lapse.lapses, lapse.vendor, lapse.attestation))


def supplier_risk(
    evaluated: Evaluated, spend: list[SpendRow] | None, *, as_of: date
) -> SupplierRisk:
    """The supplier risk figures on `as_of`, with spend when it is known."""
    vendors = sorted(evaluated.vendors.values(), key=lambda vendor: vendor.id)
    tiers: Counter[str] = Counter(vendor.risk.tier for vendor in vendors)
    medals = Counter(v.esg.ecovadis.medal if v.esg.ecovadis else "not assessed" for v in vendors)
    lapses = _lapses(vendors, as_of)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for row in spend or []:
        paid[row.vendor] += row.amount_base
    shortfalls = [
        EsgShortfall(vendor.id, reason, paid[vendor.id])
        for vendor in vendors
        if (reason := esg_shortfall(vendor, as_of))
    ]
    shortfalls.sort(key=lambda item: (-item.spend, item.vendor))
    below = sum((item.spend for item in shortfalls), Decimal(0)) if spend is not None else None
    total = sum(paid.values(), Decimal(0)) if spend is not None else None
    return SupplierRisk(
        vendors=len(vendors),
        risk_tiers=tuple(Count(tier, tiers[tier]) for tier in RISK_TIERS),
        medals=tuple(Count(medal, medals[medal]) for medal in MEDALS),
        lapsing=tuple(lapse for lapse in lapses if lapse.days_left >= 0),
        lapsed=tuple(lapse for lapse in lapses if lapse.days_left < 0),
        below_esg_bar=tuple(shortfalls),
        spend_below_bar=below,
        spend_total=total,
        spend_below_ratio=ratio(below, total) if below is not None and total else None,
    )

"""Spend under management and contract compliance, from the accounts-payable export.

Spend is what was paid (the `--spend` CSV, dated on or after `--since`), each payment converted
into the base currency with the FX table in force on its date.
A payment is under management when it names a purchase request that spendgate decides
`approved`. It is contract-compliant when its vendor held an active contract (MSA) at the time
of the request it names, or, naming none, on the day it was paid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from spendgate.analytics.csv_inputs import SpendRow
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.fx_lookup import converted_early
from spendgate.analytics.stats import Share, ratio, shares
from spendgate.documents.vendor import Vendor

UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class SpendUnderManagement:
    """How much of what was paid was approved, overall and by department and category."""

    payments: int
    """How many payments the spend file lists for the period."""
    total: Decimal
    """What they add up to, in the base currency (a decimal string)."""
    managed: Decimal
    """The part paid under an approved request, in the base currency (a decimal string)."""
    ratio: float | None
    """Managed ÷ total, from 0 to 1; null when nothing was paid."""
    by_department: tuple[Share, ...]
    """The managed share of each department's spend."""
    by_category: tuple[Share, ...]
    """The managed share of each category's spend."""
    notes: tuple[str, ...] = ()
    """What the reader should know about how the figures were made (FX tables)."""


@dataclass(frozen=True)
class VendorContract:
    """A vendor's spend, the part paid under an active contract, and its contract on file."""

    vendor: str
    """The vendor, by id or as the spend file names it."""
    spend: Decimal
    """What was paid to it, in the base currency (a decimal string)."""
    compliant: Decimal
    """The part paid while its contract was active, in the base currency (a decimal string)."""
    contract: str
    """Its contract in words: the agreement's id, signing and end, or `no contract on file`."""


@dataclass(frozen=True)
class ContractCompliance:
    """How much of what was paid went to vendors under contract, by vendor."""

    total: Decimal
    """What was paid, in the base currency (a decimal string)."""
    compliant: Decimal
    """The part paid to vendors under an active contract, in the base currency (a decimal
    string)."""
    ratio: float | None
    """Compliant ÷ total, from 0 to 1; null when nothing was paid."""
    by_vendor: tuple[VendorContract, ...]
    """Vendors with spend outside a contract first, then by spend."""


def in_period(rows: list[SpendRow], since: date | None) -> list[SpendRow]:
    """The payments made on or after `since` (all of them without one)."""
    return [row for row in rows if since is None or row.day >= since]


def _managed(evaluated: Evaluated, row: SpendRow) -> bool:
    decision = evaluated.decisions.get(row.request or "")
    return decision is not None and decision.status == "approved"


def _department(evaluated: Evaluated, row: SpendRow) -> str:
    if row.department:
        return row.department
    request = evaluated.requests.get(row.request or "")
    return request.department if request else UNASSIGNED


def spend_under_management(evaluated: Evaluated, rows: list[SpendRow]) -> SpendUnderManagement:
    """Approved-request spend ÷ all technology spend, overall, by department and by category."""
    departments: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    categories: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for row in rows:
        managed = row.amount_base if _managed(evaluated, row) else Decimal(0)
        for totals, name in (
            (departments, _department(evaluated, row)),
            (categories, row.category),
        ):
            part, whole = totals[name]
            totals[name] = (part + managed, whole + row.amount_base)
    total = sum((row.amount_base for row in rows), Decimal(0))
    managed_total = sum((part for part, _ in departments.values()), Decimal(0))
    return SpendUnderManagement(
        len(rows),
        total,
        managed_total,
        ratio(managed_total, total),
        shares(departments),
        shares(categories),
        _notes(rows),
    )


def _notes(rows: list[SpendRow]) -> tuple[str, ...]:
    early = [row.fx_as_of for row in rows if row.fx_as_of is not None and row.day < row.fx_as_of]
    if not early:
        return ()
    return (converted_early(len(early), "payment line(s)", min(early)),)


def contract_active(vendor: Vendor | None, on: date) -> bool:
    """The vendor has a contract signed by `on` that has not expired (or renews itself)."""
    contract = vendor.contract if vendor else None
    if contract is None or contract.signed > on:
        return False
    return contract.expires is None or contract.auto_renew or contract.expires >= on


def describe_contract(vendor: Vendor | None) -> str:
    """A vendor's contract in words: its id, signing and end."""
    if vendor is None:
        return "not a vendor of the repository"
    contract = vendor.contract
    if contract is None:
        return "no contract on file"
    ends = "auto-renews" if contract.auto_renew else f"to {contract.expires or 'open-ended'}"
    return f"{contract.msa_id}, signed {contract.signed}, {ends}"


def _reference_day(evaluated: Evaluated, row: SpendRow) -> date:
    request = evaluated.requests.get(row.request or "")
    return request.submitted if request else row.day


def contract_compliance(evaluated: Evaluated, rows: list[SpendRow]) -> ContractCompliance:
    """Spend with vendors holding an active contract at the time of the request ÷ all spend."""
    spend: dict[str, Decimal] = defaultdict(Decimal)
    compliant: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        vendor = evaluated.vendors.get(row.vendor)
        spend[row.vendor] += row.amount_base
        if contract_active(vendor, _reference_day(evaluated, row)):
            compliant[row.vendor] += row.amount_base
    vendors = [
        VendorContract(
            name, amount, compliant[name], describe_contract(evaluated.vendors.get(name))
        )
        for name, amount in spend.items()
    ]
    vendors.sort(key=lambda item: (item.compliant >= item.spend, -item.spend, item.vendor))
    total = sum(spend.values(), Decimal(0))
    compliant_total = sum(compliant.values(), Decimal(0))
    return ContractCompliance(total, compliant_total, ratio(compliant_total, total), tuple(vendors))

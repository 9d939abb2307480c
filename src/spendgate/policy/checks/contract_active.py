"""contract_active: the vendor holds a signed contract (MSA) that covers the request's whole term.

The term runs from the request's `needed_by` date (or its submission date) for the longest
`term_months` of its lines. A contract that renews automatically covers any term. Parameters:
`grace_days` (default 0) tolerates a contract ending that many days before the term does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import Failure, Subject
from spendgate.policy.context import from_day_number


class Params(StrictModel):
    """The check's parameters: the days a contract may end before the term does."""

    grace_days: int = Field(default=0, ge=0, le=3650)


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure when no contract covers the request's term."""
    vendor = subject.vendor
    if vendor is None:
        return
    contract = vendor.contract
    if contract is None:
        yield Failure(
            f"{vendor.id} has no contract (MSA) on file", ("vendor",), (("vendor.contract", None),)
        )
        return
    start = from_day_number(subject.context["request"]["start"])
    end = from_day_number(subject.context["request"]["end"])
    evidence = (("vendor.contract.signed", contract.signed.isoformat()),)
    if contract.signed > start:
        yield Failure(
            f"{vendor.id}'s contract {contract.msa_id} is signed on {contract.signed}, "
            f"after the term starts on {start}",
            ("vendor",),
            evidence,
        )
    if contract.expires is None or contract.auto_renew:
        return
    if contract.expires + timedelta(days=params.grace_days) < end:
        yield Failure(
            f"{vendor.id}'s contract {contract.msa_id} expires on {contract.expires}, "
            f"before the term ends on {end}",
            ("vendor",),
            (
                *evidence,
                ("vendor.contract.expires", contract.expires.isoformat()),
                ("request.end", end.isoformat()),
            ),
        )

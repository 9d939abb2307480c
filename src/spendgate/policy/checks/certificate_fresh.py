"""certificate_fresh: the vendor's security attestations are current on the evaluation date.

A SOC 2 Type II report whose period ended no more than `soc2_max_age_days` ago (default 365),
and, when `require_iso27001` (default true), an ISO/IEC 27001 certificate not yet expired.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import Failure, Subject


class Params(StrictModel):
    """The check's parameters: the oldest SOC 2 report allowed; ISO 27001 or not."""

    soc2_max_age_days: int = Field(default=365, ge=1, le=3650)
    require_iso27001: bool = True


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for each attestation that is missing, too old or expired."""
    vendor = subject.vendor
    if vendor is None:
        return
    soc2 = vendor.security.soc2_type2
    if soc2 is None:
        yield Failure(
            f"{vendor.id} has no SOC 2 Type II report on file",
            ("vendor",),
            (("vendor.security.soc2_type2", None),),
        )
    elif (subject.today - soc2.period_end).days > params.soc2_max_age_days:
        yield Failure(
            f"{vendor.id}'s SOC 2 Type II period ended on {soc2.period_end}, more than "
            f"{params.soc2_max_age_days} days ago",
            ("vendor",),
            (("vendor.security.soc2_type2.period_end", soc2.period_end.isoformat()),),
        )
    if not params.require_iso27001:
        return
    iso = vendor.security.iso27001
    if iso is None:
        yield Failure(
            f"{vendor.id} has no ISO 27001 certificate on file",
            ("vendor",),
            (("vendor.security.iso27001", None),),
        )
    elif iso.expires < subject.today:
        yield Failure(
            f"{vendor.id}'s ISO 27001 certificate expired on {iso.expires}",
            ("vendor",),
            (("vendor.security.iso27001.expires", iso.expires.isoformat()),),
        )

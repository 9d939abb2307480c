"""duplicate_request: another request looks like the same purchase.

Same vendor, same requester and the same total, submitted within `window_days` (default 30) of
this one, not withdrawn, and not a change order or renewal of it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.policy.checks.base import Failure, Subject, linked


class Params(StrictModel):
    """The check's parameters: the days within which alike requests are duplicates."""

    window_days: int = Field(default=30, ge=1, le=366)


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for each other request that looks like the same purchase."""
    request = subject.request
    for other in subject.ledger.by_vendor.get(request.vendor, []):
        if other.id != request.id and _alike(request, other, params.window_days):
            yield Failure(
                f"{request.id} looks like a duplicate of {other.id} (same vendor, requester "
                f"and total, submitted {other.submitted})",
                ("vendor",),
                (
                    ("request.total", round_amount(request.total, request.currency)),
                    (f"{other.id}.total", round_amount(other.total, other.currency)),
                ),
            )


def _alike(request: PurchaseRequest, other: PurchaseRequest, window_days: int) -> bool:
    return (
        other.status != "withdrawn"
        and not linked(request, other)
        and other.vendor == request.vendor
        and other.requester == request.requester
        and other.total == request.total
        and other.currency == request.currency
        and abs((other.submitted - request.submitted).days) <= window_days
    )

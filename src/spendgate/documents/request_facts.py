"""What judging the other requests needs of one purchase request, without the request itself.

The budget, duplicate and split-purchase checks weigh each request against the others: their
vendor, requester, cost centre, status, links, dates and amounts. A `RequestFacts` holds exactly
that, a tenth of the memory of the loaded request, so that deciding can let go of each request
once it is decided (`Repository.let_go`) while the others are still weighed against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from spendgate.documents import in_year
from spendgate.documents.purchase_request import PurchaseRequest


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """One purchase request as the checks of other requests see it."""

    id: str
    vendor: str
    requester: str
    cost_centre: str
    status: str
    amends: str | None
    renews: str | None
    submitted: date
    start: date
    """When the contract starts: needed_by, else the submission date."""
    currency: str
    total: Decimal
    """Total contract value in the request's currency, exact."""
    parts: tuple[tuple[in_year.Part, Decimal], ...]
    """The exact total per way of paying (`in_year.parts`), what the in-year split is made of."""

    @classmethod
    def of(cls, request: PurchaseRequest | RequestFacts) -> RequestFacts:
        """The facts of a loaded request (facts are their own)."""
        if isinstance(request, RequestFacts):
            return request
        return cls(
            id=request.id,
            vendor=request.vendor,
            requester=request.requester,
            cost_centre=request.cost_centre,
            status=request.status,
            amends=request.amends,
            renews=request.renews,
            submitted=request.submitted,
            start=request.start,
            currency=request.currency,
            total=request.total,
            parts=tuple(in_year.parts(request).items()),
        )

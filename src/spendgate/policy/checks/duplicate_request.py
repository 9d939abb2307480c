"""duplicate_request: another request looks like the same purchase.

Same vendor, same requester and the same total, submitted within `window_days` (default 30) of
this one, not withdrawn, and not a change order or renewal of it. The alike requests are found
through the ledger's index by (vendor, requester, total) and day, never by comparing every pair;
a request alike to many is one finding that names the first five and counts the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import islice

from pydantic import Field

from spendgate.documents.currencies import round_amount
from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import NAMED, Failure, Subject, named
from spendgate.policy.ledger import Request


class Params(StrictModel):
    """The check's parameters: the days within which alike requests are duplicates."""

    window_days: int = Field(default=30, ge=1, le=366)


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure when other requests look like the same purchase: one naming the other, or one
    naming the first few of them and counting the rest."""
    request = subject.request
    ledger = subject.ledger
    index = ledger.nearby("duplicate_request", _purchase)
    span = index.span(request, params.window_days)
    alike = index.members(span)
    ids = ledger.memoized(("duplicate_request", span), lambda: frozenset(m.id for m in alike))
    skipped = (ledger.linked_ids(request) | {request.id}) & ids
    count = len(alike) - len(skipped)
    if count < 1:
        return
    others = list(islice((other for other in alike if other.id not in skipped), NAMED))
    evidence = [("request.total", round_amount(request.total, request.currency))]
    evidence += [
        (f"{other.id}.total", round_amount(other.total, other.currency)) for other in others
    ]
    if count == 1:
        message = (
            f"{request.id} looks like a duplicate of {others[0].id} (same vendor, requester "
            f"and total, submitted {others[0].submitted})"
        )
    else:
        listed = named([other.id for other in others], count)
        message = (
            f"{request.id} looks like a duplicate of {listed} (same vendor, requester and "
            f"total, submitted within {params.window_days} days of it)"
        )
    yield Failure(message, ("vendor",), tuple(evidence))


def _purchase(request: Request) -> tuple[str, str, str, Decimal]:
    """What two requests share when they look like one purchase: vendor, requester, total."""
    return request.vendor, request.requester, request.currency, request.total

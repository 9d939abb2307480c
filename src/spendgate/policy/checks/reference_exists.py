"""reference_exists: a field of the request names a document of the given kind that exists.

Parameters: `field` (a top-level request field holding an id, such as `renews` or
`ai_assessment`) and `kind` (the kind of document it must name). An empty field fails too: the
rule's `when` says when the reference is required.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from spendgate.documents.fields import StrictModel
from spendgate.policy.checks.base import Failure, Subject


class Params(StrictModel):
    """The check's parameters: the request field, and the kind it must name."""

    field: Literal["renews", "amends", "ai_assessment", "vendor"]
    kind: Literal["PurchaseRequest", "AIAssessment", "Vendor"]


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure when the field is empty or names no document of the kind."""
    value = getattr(subject.request, params.field)
    evidence = ((f"request.{params.field}", value),)
    if value is None:
        yield Failure(f"{params.field} must name a {params.kind}", (params.field,), evidence)
    elif not subject.repository.defines(params.kind, value):
        yield Failure(
            f"{params.field} names {value}, which does not exist", (params.field,), evidence
        )

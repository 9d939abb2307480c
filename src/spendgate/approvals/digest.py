"""The digest an approval is given for: what changes what is approved, not its wording.

An approval binds to a digest of the request; a material change voids it, and the approver
looks again (SPEC §6). Digests are versioned, and a record says which version it carries, so
that a change of what counts as material never voids, or silently revives, a record written
under the old rule:

- **Version 2** (what `spendgate approve` writes): SHA-256 over the RFC 8785 (JSON
  Canonicalization Scheme) serialisation, money as decimal strings, of the request's *material*
  fields, `MATERIAL_FIELDS`, together with the material content of the AI assessment it
  references. Editing the title, the justification or a comment keeps the approvals; changing
  the vendor, an amount, a quantity, the currency, a date or term, a line item, a
  classification input, the data flags, the business case or the AI assessment's risk facts
  voids them.
  An AI assessment downgraded after the approvals were given voids them too: the route was
  built on it.
- **Version 1** (records written before version 2; a record without `digest_version`):
  spendgate's own canonical JSON (keys sorted, no insignificant white space) over every field
  the request model had then except `status`.

Anyone can recompute a version 2 digest with their own RFC 8785 implementation.

`spendgate explain` lists the material fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import rfc8785

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.purchase_request import PurchaseRequest

CURRENT_VERSION = 2

#: The request fields an approval binds to (version 2): who buys what, from whom, for how much,
#: when, charged where, the facts its classification and data rules read, and the business case
#: (`benefits`: the ROI and KPIs an approver weighs are figures, not wording).
MATERIAL_FIELDS = (
    "id",
    "requester",
    "department",
    "cost_centre",
    "vendor",
    "submitted",
    "needed_by",
    "type",
    "renews",
    "amends",
    "line_items",
    "data",
    "ai_assessment",
    "integrates_with_ot",
    "benefits",
)

#: Wording: editing these keeps the approvals (version 2).
WORDING_FIELDS = ("title", "justification", "status")

#: What an AI assessment's wording is: the rest of it is material (version 2).
_ASSESSMENT_WORDING: dict[str, Any] = {
    "api_version": True,
    "kind": True,
    "eu_ai_act": {"rationale"},
    "stakeholders": {"__all__": {"note"}},
}

#: Every field of the request model when version 1 was the only version; a field added since
#: must not change a version-1 digest, or upgrading spendgate would void every approval.
_VERSION_1_FIELDS = frozenset(
    {
        "api_version",
        "kind",
        "id",
        "title",
        "requester",
        "department",
        "cost_centre",
        "vendor",
        "submitted",
        "needed_by",
        "type",
        "renews",
        "amends",
        "justification",
        "benefits",
        "line_items",
        "data",
        "ai_assessment",
        "integrates_with_ot",
    }
)
_VERSION_1_LINE_FIELDS = frozenset(
    {
        "description",
        "category",
        "quantity",
        "unit_price",
        "currency",
        "price_per",
        "term_months",
        "useful_life_months",
        "billing",
        "possession_right",
        "implementation_of",
        "funded",
        "probable",
        "forecast_utilisation",
        "negotiation_note",
        "benchmark",
    }
)


def request_digest(request: PurchaseRequest, assessment: AIAssessment | None = None) -> str:
    """`sha256:<hex>` of the request's material content (the current version)."""
    content: dict[str, Any] = request.model_dump(
        mode="json", by_alias=True, exclude_none=True, include=set(MATERIAL_FIELDS)
    )
    if assessment is not None:
        content["ai_assessment_content"] = assessment.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude=_ASSESSMENT_WORDING
        )
    return "sha256:" + hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def version_1_digest(request: PurchaseRequest) -> str:
    """The digest records written before version 2 carry: all the content but `status`."""
    content: dict[str, Any] = request.model_dump(
        mode="json", by_alias=True, exclude_none=True, include=set(_VERSION_1_FIELDS)
    )
    content["line_items"] = [
        {key: value for key, value in line.items() if key in _VERSION_1_LINE_FIELDS}
        for line in content["line_items"]
    ]
    return _version_1_sha256(content)


def digests(
    request: PurchaseRequest, assessment: AIAssessment | None, versions: Iterable[int] = (1, 2)
) -> Mapping[int, str]:
    """The request's digest under each of `versions` (those the records on file carry)."""
    computed = {}
    for version in versions:
        if version == 1:
            computed[1] = version_1_digest(request)
        elif version == 2:
            computed[2] = request_digest(request, assessment)
    return computed


def _version_1_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

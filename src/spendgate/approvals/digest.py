"""The digest an approval is given for: the request's content, not its formatting.

SHA-256 over the canonical JSON of the validated request (keys sorted, no insignificant white
space, money as decimal strings). Comments, key order and quoting do not change it; any change
of a value does, and voids the approvals given before it (SPEC §6). The request's `status`
is left out: submitting a draft is not a material change.
"""

from __future__ import annotations

import hashlib
import json

from spendgate.documents.purchase_request import PurchaseRequest

_NOT_MATERIAL = {"status"}


def request_digest(request: PurchaseRequest) -> str:
    """`sha256:<hex>` of the request's material content."""
    content = request.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude=_NOT_MATERIAL
    )
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

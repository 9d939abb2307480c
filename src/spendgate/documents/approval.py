"""Approval (`approvals/**/*.yaml`): one approval or rejection of one request by one person."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from spendgate.documents.fields import Document, Identifier, IsoDate, RefersTo, Slug

RequestDigest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]


class Approval(Document):
    """One person's approval or rejection of a request, in a role, with the digest approved."""

    kind: Literal["Approval"]
    """The document kind: always `Approval`."""
    request: Annotated[Identifier, RefersTo("PurchaseRequest")]
    """The id of the purchase request approved or rejected."""
    approver: Annotated[Identifier, RefersTo("Person")]
    """The id (in People) of the person who approves or rejects."""
    role: Slug
    """The role of the approval step they fill, e.g. `line_manager`, `cfo`."""
    decision: Literal["approve", "reject"]
    """`approve` or `reject`."""
    date: IsoDate
    """The day of the decision (ISO date, YYYY-MM-DD)."""
    comment: str | None = None
    """What the approver wants to say with the decision."""
    request_digest: RequestDigest
    """The digest of the request content that was approved; a material change voids it."""
    digest_version: Literal[1, 2] = 1
    """Which fields `request_digest` covers (`spendgate.approvals.digest`): 1, every field but
    `status` (records written before version 2 existed); 2, the material fields only."""
    written_by: str | None = Field(default=None, min_length=1)
    """Who wrote the record when it is not the approver's own (`approve --as` someone else):
    such a record is never better than `unverified`, whoever commits it."""


class ChangeApproval(Document):
    """The owner role's approval of a change to a governance file (a policy, People, Budgets,
    spendgate.yaml) made in a pull request; it counts for that file's content only."""

    kind: Literal["ChangeApproval"]
    """The document kind: always `ChangeApproval`."""
    change: str = Field(min_length=1)
    """The governance file's path in the repository, e.g. `policies/esg.yaml`."""
    approver: Annotated[Identifier, RefersTo("Person")]
    """The id (in People) of the person who approves or rejects the change."""
    role: Slug
    """The owner role of the governance file, which they hold, e.g. `procurement`."""
    decision: Literal["approve", "reject"]
    """`approve` or `reject`."""
    date: IsoDate
    """The day of the decision (ISO date, YYYY-MM-DD)."""
    comment: str | None = None
    """What the approver wants to say with the decision."""
    content_digest: RequestDigest
    """`sha256:` of the file's content as approved; any later edit voids the approval."""
    written_by: str | None = Field(default=None, min_length=1)
    """Who wrote the record when it is not the approver's own (`approve --as` someone else):
    such a record is never better than `unverified`, whoever commits it."""

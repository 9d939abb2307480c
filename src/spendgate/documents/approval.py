"""Approval (`approvals/**/*.yaml`): one approval or rejection of one request by one person."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from spendgate.documents.fields import Document, Identifier, IsoDate, Slug

RequestDigest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]


class Approval(Document):
    kind: Literal["Approval"]
    request: Identifier
    approver: Identifier
    role: Slug
    decision: Literal["approve", "reject"]
    date: IsoDate
    comment: str | None = None
    request_digest: RequestDigest
    """The digest of the request content that was approved; a later change voids it."""

"""Waiver (`waivers/*.yaml`): lifts named soft findings for named documents until it expires."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import Document, Identifier, IsoDate, RefersTo


class Waiver(Document):
    """An exception to rules for some requests or vendors, approved and dated."""

    kind: Literal["Waiver"]
    """The document kind: always `Waiver`."""
    id: Identifier
    """The waiver's id, unique among documents, e.g. `WV-NB-2026-004`."""
    rules: list[Identifier] = Field(min_length=1)
    """The ids of the soft rules waived (hard rules cannot be)."""
    applies_to: Annotated[list[Identifier], RefersTo("PurchaseRequest", also=("Vendor",))] = Field(
        min_length=1
    )
    """Request or vendor ids."""
    justification: str = Field(min_length=1)
    """Why the exception is granted."""
    approved_by: Annotated[Identifier, RefersTo("Person")]
    """The id (in People) of the person who granted it: they hold the owner role of each waived
    rule's policy, and it is not their own request."""
    granted: IsoDate
    """The day it was granted (ISO date, YYYY-MM-DD)."""
    expires: IsoDate
    """The last day (inclusive, UTC) on which the waiver counts."""

    @model_validator(mode="after")
    def _expires_after_grant(self) -> Waiver:
        if self.expires < self.granted:
            raise ValueError(
                f"waiver expires ({self.expires}) before it is granted ({self.granted})"
            )
        return self

"""What `spendgate approve` wrote: the record, as plain data for the command and its reporter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ApprovalWritten:
    """An approval or rejection record `spendgate approve` wrote: where, for what, by whom, and
    what it replaced (the same person's earlier record for the same role, which no longer
    counted; "" when there was none, the record being new)."""

    path: str
    """The record's file, relative to the repository (POSIX separators)."""
    request_id: str | None
    """The request approved; None for a governance change (`change`)."""
    change: str | None
    """The governance file whose content is approved; None for a request."""
    role: str
    person: str
    """The approver (a People id)."""
    decision: Literal["approve", "reject"]
    written_by: str | None = None
    """Who ran the command, when it was not `person` (`--as` someone else)."""
    replaced: str = ""

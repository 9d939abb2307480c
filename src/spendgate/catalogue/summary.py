"""Summaries: one document reduced to what judging the other documents needs of it.

A `Summary` holds a document's kind, id, references and, for a purchase request, what it commits
and when, so that the catalogue answers "who defines this id", "who refers to it" and "what does
this budget carry" without loading the document. `summaries` makes them from a loaded file, and
`catalogued_folders` names the record folders whose files are summarised at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from spendgate.documents import in_year
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval, ChangeApproval
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import belongs
from spendgate.documents.in_year import fiscal_year
from spendgate.documents.loading import LoadedFile
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver

_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Summary:
    """One valid document of a file, reduced to what judging other documents needs of it."""

    path: str
    position: int
    kind: str
    id: str = ""
    vendor: str | None = None
    request: str | None = None
    ai_assessment: str | None = None
    amends: str | None = None
    renews: str | None = None
    applies_to: str | None = None
    """A waiver's targets, joined by U+001F."""
    cost_centre: str | None = None
    status: str | None = None
    submitted: str | None = None
    currency: str | None = None
    total: str | None = None
    start: str | None = None
    """When a request's contract starts (needed_by, else submitted), ISO."""
    schedule: str | None = None
    """How a request is paid: its exact totals per billing and term (`in_year.encode`)."""

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.applies_to.split(_SEPARATOR)) if self.applies_to else ()

    def in_place(self, paths: Paths) -> bool:
        """Whether the document is where its kind is read from (if not, it does not count)."""
        return belongs(self.kind, self.path, paths)

    def commitments(self, config: Config) -> list[tuple[tuple[str, int], Decimal]]:
        """What a submitted request commits per (cost centre, fiscal year) in base currency,
        split in-year as the Ledger splits it; nothing for any other document."""
        if self.kind != "PurchaseRequest" or self.status != "submitted":
            return []
        if self.cost_centre is None or self.start is None or self.currency is None:
            return []
        try:
            start = date.fromisoformat(self.start)
            amounts = in_year.decode(self.schedule or "")
            years = in_year.in_year_base(
                amounts,
                start=start,
                currency=self.currency,
                config=config,
                first_year=fiscal_year(start, config.organization.fiscal_year_start),
            )
        except (InvalidOperation, ValueError, KeyError):
            return []
        return [((self.cost_centre, year), amount) for year, amount in years.items()]


def summaries(loaded: LoadedFile) -> list[Summary]:
    """The summary of each valid document of a loaded file (wherever the file lies: a query
    leaves out those not in place, `Summary.in_place`)."""
    found = []
    for document in loaded.documents:
        model = document.model
        where = (loaded.file, document.index, document.kind or "")
        if isinstance(model, PurchaseRequest):
            found.append(
                Summary(
                    *where,
                    id=model.id,
                    vendor=model.vendor,
                    ai_assessment=model.ai_assessment,
                    amends=model.amends,
                    renews=model.renews,
                    cost_centre=model.cost_centre,
                    status=model.status,
                    submitted=model.submitted.isoformat(),
                    currency=model.currency,
                    total=str(model.total),
                    start=model.start.isoformat(),
                    schedule=in_year.encode(in_year.parts(model)),
                )
            )
        elif isinstance(model, (Approval, AIAssessment)):
            identifier = model.id if isinstance(model, AIAssessment) else ""
            found.append(Summary(*where, id=identifier, request=model.request))
        elif isinstance(model, (Vendor, Waiver)):
            targets = _SEPARATOR.join(model.applies_to) if isinstance(model, Waiver) else None
            found.append(Summary(*where, id=model.id, applies_to=targets))
        elif isinstance(model, ChangeApproval):
            found.append(Summary(*where))
    return found


def catalogued_folders(paths: Paths) -> tuple[str, ...]:
    """The record folders (vendors, requests, AI assessments, approvals, waivers): what the
    catalogue summarises (the rest is always loaded), and what is withdrawn, never deleted."""
    return (paths.vendors, paths.requests, paths.ai, paths.approvals, paths.waivers)


def in_record_folder(path: str, paths: Paths) -> bool:
    """True when `path` (relative to the repository) lies in one of the record folders."""
    return path.startswith(tuple(f.rstrip("/") + "/" for f in catalogued_folders(paths)))

"""Summaries: one document reduced to what judging the other documents needs of it.

A `Summary` holds a document's kind, id, the documents it refers to and, for a purchase request,
what it commits and when, so that the catalogue answers "who defines this id", "who refers to
it" and "what does this budget carry" without loading the document. Its references are derived
from the models' declarations (`RefersTo`, walked by `references.references_in`), never named
here. `summaries` makes them from a loaded file, and `catalogued_folders` names the record
folders whose files are summarised at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel

from spendgate.documents import in_year
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import HOMES, belongs
from spendgate.documents.fields import Document
from spendgate.documents.in_year import fiscal_year
from spendgate.documents.loading import LoadedFile
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.references import references_in

#: The `paths` settings of the record folders: vendors, requests, AI assessments, approvals,
#: waivers.
RECORD_SETTINGS = ("vendors", "requests", "ai", "approvals", "waivers")
#: The kinds the catalogue holds: those read from a record folder (every other kind is loaded).
CATALOGUED_KINDS = frozenset(
    kind for kind, home in HOMES.items() if home.setting in RECORD_SETTINGS
)

Reference = tuple[str, str]
"""A reference to a catalogued document: (its kind, its id)."""


@dataclass(frozen=True)
class Summary:
    """One valid document of a file, reduced to what judging other documents needs of it."""

    path: str
    position: int
    kind: str
    id: str = ""
    references: tuple[Reference, ...] = ()
    """The catalogued documents it refers to, as (kind, id), sorted: one pair per kind a
    declaration allows, so a waiver's target is both a request and a vendor."""
    cost_centre: str | None = None
    status: str | None = None
    submitted: str | None = None
    currency: str | None = None
    total: str | None = None
    start: str | None = None
    """When a request's contract starts (needed_by, else submitted), ISO."""
    schedule: str | None = None
    """How a request is paid: its exact totals per billing and term (`in_year.encode`)."""

    def refers_to(self, kind: str) -> tuple[str, ...]:
        """The ids of the documents of `kind` it refers to."""
        return tuple(target for target_kind, target in self.references if target_kind == kind)

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
    """The summary of each valid document of a catalogued kind in a loaded file (wherever the
    file lies: a query leaves out those not in place, `Summary.in_place`)."""
    return [
        _summary((loaded.file, document.index, document.kind or ""), document.model)
        for document in loaded.documents
        if document.model is not None and document.kind in CATALOGUED_KINDS
    ]


def _summary(where: tuple[str, int, str], model: Document) -> Summary:
    identifier = str(getattr(model, "id", ""))  # approvals have no id of their own
    references = catalogued_references(model)
    if not isinstance(model, PurchaseRequest):
        return Summary(*where, id=identifier, references=references)
    return Summary(
        *where,
        id=identifier,
        references=references,
        cost_centre=model.cost_centre,
        status=model.status,
        submitted=model.submitted.isoformat(),
        currency=model.currency,
        total=str(model.total),
        start=model.start.isoformat(),
        schedule=in_year.encode(in_year.parts(model)),
    )


def catalogued_references(model: BaseModel) -> tuple[Reference, ...]:
    """The catalogued documents `model` refers to by its declarations, as sorted (kind, id)."""
    return tuple(
        sorted(
            {
                (kind, identifier)
                for _, refers_to, identifier in references_in(model)
                for kind in refers_to.kinds
                if kind in CATALOGUED_KINDS
            }
        )
    )


def catalogued_folders(paths: Paths) -> tuple[str, ...]:
    """The record folders (vendors, requests, AI assessments, approvals, waivers): what the
    catalogue summarises (the rest is always loaded), and what is withdrawn, never deleted."""
    return tuple(str(getattr(paths, setting)) for setting in RECORD_SETTINGS)


def in_record_folder(path: str, paths: Paths) -> bool:
    """True when `path` (relative to the repository) lies in one of the record folders."""
    return path.startswith(tuple(f.rstrip("/") + "/" for f in catalogued_folders(paths)))

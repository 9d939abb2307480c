"""Every request decided by the policy engine, with the documents the figures read.

The report asks the same engine as `spendgate check` (same policies, approvals and waivers, and
git authenticity from the repository's history), so its statuses are the gate's statuses.
On a large repository and a machine with more than one core, the requests are decided in two
processes, as `check` decides them (`spendgate.policy.parallel`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from spendgate.decisions import Decision, Inputs
from spendgate.documents.approval import Approval
from spendgate.documents.config import Config
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver
from spendgate.errors import ConfigurationError
from spendgate.policy import parallel
from spendgate.policy.engine import Engine
from spendgate.policy.gate import load


@dataclass(frozen=True)
class Evaluated:
    """The repository's documents and the decision on each request, as of one date."""

    config: Config
    decisions: dict[str, Decision]
    """By request id, for every submitted request (drafts and withdrawn requests are left out,
    and so are requests that do not load: they have no id to show)."""
    requests: dict[str, PurchaseRequest]
    request_files: dict[str, str]
    request_blobs: dict[str, str]
    """The git blob id of each request's file, by request id: the text a decision is of (a
    decision records it among its inputs)."""
    vendors: dict[str, Vendor]
    approvals: dict[str, list[tuple[str, Approval]]]
    """(file, record) of every approval on file, by request id."""
    waivers: tuple[Waiver, ...]
    parallel: bool
    """Whether the policy set lets every stage approve at once (`stages: parallel`)."""
    invalid: int
    """How many requests do not load or validate."""


def evaluate(root: Path, *, as_of: date) -> Evaluated:
    """Decide every request of the repository at `root` as of `as_of`."""
    with _without_cyclic_collection():
        repository, config, book, problems = load(root)
        if book is not None:
            engine = Engine(book, repository, config, as_of, history=root)
            decisions = decide(engine)
    if book is None:
        first = problems[0]
        raise ConfigurationError(
            f"the policies do not compile ({len(problems)} problem(s)); the first: "
            f"{first.message}; run `spendgate validate {root}`",
            location=first.location,
        )
    return _evaluated(repository, config, decisions, parallel=book.parallel)


@contextmanager
def _without_cyclic_collection() -> Iterator[None]:
    """Loading and deciding make millions of objects that all live until the report is done:
    the cyclic garbage collector would walk them again and again for nothing (a quarter of the
    time on a large repository)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_NO_INPUTS = Inputs(date.min, "", "", ())


def slim(decision: Decision) -> Decision:
    """The decision without what the figures never read (inputs, evidence, trace): lighter to
    hold and to pass between processes."""
    findings = tuple(replace(finding, evidence=()) for finding in decision.findings)
    return replace(decision, inputs=_NO_INPUTS, findings=findings, trace=())


def decide(engine: Engine) -> list[Decision]:
    """Every decision of the engine's repository, slimmed; in two processes when that pays."""
    return parallel.decide_all(engine, transform=slim)


def _evaluated(
    repository: Repository, config: Config, decisions: list[Decision], *, parallel: bool
) -> Evaluated:
    requests = {request.id: (document.file, request) for document, request in _requests(repository)}
    blobs = {loaded.file: loaded.digest for loaded in repository.files}
    return Evaluated(
        config=config,
        decisions={d.request_id: d for d in decisions if d.request_id in requests},
        requests={identifier: request for identifier, (_, request) in requests.items()},
        request_files={identifier: file for identifier, (file, _) in requests.items()},
        request_blobs={
            identifier: blobs.get(file, "") for identifier, (file, _) in requests.items()
        },
        vendors={vendor.id: vendor for _, vendor in repository.models(Vendor)},
        approvals=_approvals(repository),
        waivers=tuple(waiver for _, waiver in repository.models(Waiver)),
        parallel=parallel,
        invalid=sum(1 for decision in decisions if decision.status == "invalid"),
    )


def _approvals(repository: Repository) -> dict[str, list[tuple[str, Approval]]]:
    found: dict[str, list[tuple[str, Approval]]] = {}
    for document, record in repository.models(Approval):
        found.setdefault(record.request, []).append((document.file, record))
    return found


def _requests(repository: Repository) -> list[tuple[LoadedDocument, PurchaseRequest]]:
    """Submitted requests: drafts are not asking for anything yet, withdrawn ones no longer."""
    return [
        (document, request)
        for document, request in repository.models(PurchaseRequest)
        if request.status == "submitted"
    ]

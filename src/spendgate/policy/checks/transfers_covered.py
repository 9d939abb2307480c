"""transfers_covered: personal data goes outside the EEA only where GDPR Chapter V allows it.

Judged by geography (`spendgate.policy.privacy`): a country in the EEA needs nothing; a country
with an EU adequacy decision in force on the evaluation date (GDPR Art. 45) needs nothing,
unless the decision is partial (US: EU-US Data Privacy Framework participants; CA: commercial
organisations), when the transfer must declare `adequacy` and `within_scope: true`; any other
country needs one of the accepted `mechanisms` (default `scc` and `bcr`, GDPR Art. 46(2)(c) and
47). Declaring `adequacy` where no decision is in force does not count. The lists come from the
repository's AdequacyDecisions document, or the reference library's.

Parameters: `of` says whose transfers are judged. `vendor`: the vendor's `data.transfers`, and
each country of its `data.residency` that no transfer names (as a transfer with no mechanism;
`EU` and `EEA` count as inside the EEA). `ai_assessment`: the request's AI assessment's
`data.transfers`. `mechanisms` lists the safeguards accepted besides
adequacy (`derogation` only if a policy owner adds it: Art. 49 derogations are for occasional
transfers, not a supplier's standing processing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.fields import StrictModel
from spendgate.documents.transfers import Transfer
from spendgate.policy import privacy
from spendgate.policy.checks.base import Failure, Subject


class Params(StrictModel):
    """The check's parameters: whose transfers, and the mechanisms accepted."""

    of: Literal["vendor", "ai_assessment"]
    mechanisms: list[Literal["scc", "bcr", "derogation"]] = ["scc", "bcr"]


def run(subject: Subject, params: Params) -> Iterator[Failure]:
    """A failure for each transfer out of the EEA that Chapter V does not allow."""
    if params.of == "vendor":
        yield from _vendor(subject, params)
    else:
        yield from _assessment(subject, params)


def _vendor(subject: Subject, params: Params) -> Iterator[Failure]:
    vendor = subject.vendor
    if vendor is None:
        return
    data = vendor.data
    destinations = privacy.vendor_destinations(data.transfers, data.residency)
    adequacy = privacy.in_effect(subject.repository)
    found = privacy.gaps(destinations, adequacy.decisions, subject.today, params.mechanisms)
    if not found:
        return
    yield Failure(
        f"{vendor.id} holds or processes personal data outside the EEA without "
        f"{_safeguards(params)}: {privacy.describe(found)}",
        ("vendor",),
        (
            ("vendor.data.residency", list(data.residency)),
            ("vendor.data.transfers", _shown(data.transfers)),
            ("adequacy", adequacy.label),
        ),
    )


def _assessment(subject: Subject, params: Params) -> Iterator[Failure]:
    identifier = subject.request.ai_assessment
    assessment = subject.repository.get("AIAssessment", identifier) if identifier else None
    if not isinstance(assessment, AIAssessment):
        return
    transfers = assessment.data.transfers
    destinations = [privacy.Destination.of(transfer) for transfer in transfers]
    adequacy = privacy.in_effect(subject.repository)
    found = privacy.gaps(destinations, adequacy.decisions, subject.today, params.mechanisms)
    if not found:
        return
    yield Failure(
        f"{assessment.id} transfers personal data outside the EEA without "
        f"{_safeguards(params)}: {privacy.describe(found)}",
        ("ai_assessment",),
        (("ai.data.transfers", _shown(transfers)), ("adequacy", adequacy.label)),
    )


def _safeguards(params: Params) -> str:
    """`adequacy, SCCs or BCRs`: what would have made the transfer lawful."""
    names = {"scc": "SCCs", "bcr": "BCRs", "derogation": "a derogation"}
    shown = ["adequacy", *(names[mechanism] for mechanism in dict.fromkeys(params.mechanisms))]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _shown(transfers: list[Transfer]) -> list[dict[str, Any]]:
    return [transfer.model_dump(mode="json", exclude_defaults=True) for transfer in transfers]

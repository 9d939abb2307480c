"""AIAssessment (`ai/*.yaml`): the AI-procurement decision record for one request.

Its fields follow the EU AI Act (role, risk tier, Annex III area, the Art. 6(3) exemption,
general-purpose AI), GDPR transfers (adequacy, SCC, BCR, derogation) and the EU model
contractual clauses for AI procurement (MCC-AI, high-risk and light versions).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from spendgate.documents.fields import (
    Amount,
    Document,
    Identifier,
    IsoDate,
    RefersTo,
    StrictModel,
)
from spendgate.documents.transfers import Transfer


class EuAiAct(StrictModel):
    """The system under the EU AI Act: our role, its risk tier and why."""

    role: Literal["deployer", "provider"]
    risk_tier: Literal["prohibited", "high", "limited", "minimal"]
    annex_iii_area: str | None = None
    """The Annex III area for a high-risk system, e.g. `5b creditworthiness`."""
    art_6_3_exemption: bool = False
    gpai: bool = False
    """Built on a general-purpose AI model."""
    rationale: str = Field(min_length=1)


class Model(StrictModel):
    """How the model is built and hosted, and whether it trains on our data."""

    approach: Literal["pretrained", "fine_tuned", "custom"]
    hosting: Literal["saas", "vpc", "on_prem"]
    training_on_our_data: bool = False


class AiData(StrictModel):
    """The data the system handles and where it is transferred."""

    categories: list[str] = []
    """The kinds of data the system handles, in the organisation's words. `personal` and
    `special_category` (GDPR Art. 9) mark personal data: the transfer rules then apply even
    when the request does not say `personal_data`."""
    transfers: list[Transfer] = []


class Logging(StrictModel):
    """Whether the system's use is logged, and for how long the logs are kept."""

    enabled: bool
    retention_days: int = Field(default=0, ge=0, le=36500)


class Fria(StrictModel):
    """Fundamental rights impact assessment (EU AI Act Art. 27)."""

    required: bool
    completed: IsoDate | None = None


class Controls(StrictModel):
    """The safeguards around the system: oversight, logging, bias tests, FRIA, DPIA."""

    explainability: Literal["none", "global", "local"] = "none"
    human_oversight_owner: Annotated[Identifier | None, RefersTo("Person")] = None
    """The person (an id in People) who oversees the system: EU AI Act Art. 14, and Art. 26(2),
    under which a deployer assigns human oversight to natural persons with the competence,
    training and authority it needs."""
    logging: Logging = Logging(enabled=False)
    bias_testing: bool = False
    fria: Fria = Fria(required=False)
    dpia: IsoDate | None = None
    """When the GDPR data protection impact assessment was completed."""
    transparency_plan: str | None = None
    """How people are told they deal with AI (EU AI Act Art. 50), or where that is set out."""


class AiContract(StrictModel):
    """The AI terms of the contract: model clauses, IP, liability, audit, exit."""

    mcc_ai: Literal["high_risk", "light", "none"] = "none"
    ip_ownership: Literal["customer", "vendor", "shared"] | None = None
    liability_cap: Amount | None = None
    audit_rights: bool = False
    model_change_notice_days: int | None = Field(default=None, ge=0, le=3650)
    exit_data_return: bool = False


class Pilot(StrictModel):
    """The pilot before full roll-out: whether one is planned, its length and criteria."""

    planned: bool
    weeks: int | None = Field(default=None, ge=1, le=104)
    success_criteria: list[str] = []


class Stakeholder(StrictModel):
    """One stakeholder's position on the system, by role."""

    role: Literal["cto", "business", "cfo", "legal", "compliance", "dpo", "operations"]
    position: Literal["support", "conditional", "oppose"]
    note: str | None = None


class Financials(StrictModel):
    """How the system is priced and what it costs over three years."""

    pricing_model: Literal["per_seat", "per_call", "subscription", "perpetual", "usage"]
    tco_3y: Amount | None = None


class AIAssessment(Document):
    """An AI system assessed for one request: use case, AI Act tier, data, controls."""

    kind: Literal["AIAssessment"]
    id: Identifier
    request: Annotated[Identifier, RefersTo("PurchaseRequest")]
    use_case: str = Field(min_length=1)
    eu_ai_act: EuAiAct
    model: Model
    data: AiData = AiData()
    controls: Controls = Controls()
    contract: AiContract = AiContract()
    pilot: Pilot = Pilot(planned=False)
    stakeholders: list[Stakeholder] = []
    financials: Financials

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
    """Our role for the system under the EU AI Act: `deployer` (we use it) or `provider` (we put it
    on the market)."""
    risk_tier: Literal["prohibited", "high", "limited", "minimal"]
    """The system's risk tier under the EU AI Act: `prohibited` (Art. 5), `high` (Art. 6, Annex
    III), `limited` (transparency duties) or `minimal`."""
    annex_iii_area: str | None = None
    """The Annex III area for a high-risk system, e.g. `5b creditworthiness`."""
    art_6_3_exemption: bool = False
    """Whether an Annex III system is claimed not to be high-risk under Art. 6(3) (it poses no
    significant risk); the rationale must say why."""
    gpai: bool = False
    """Built on a general-purpose AI model."""
    rationale: str = Field(min_length=1)
    """Why the role and risk tier are what they are."""


class Model(StrictModel):
    """How the model is built and hosted, and whether it trains on our data."""

    approach: Literal["pretrained", "fine_tuned", "custom"]
    """How the model is built: `pretrained` (used as supplied), `fine_tuned` (on our data) or
    `custom` (built for us)."""
    hosting: Literal["saas", "vpc", "on_prem"]
    """Where the model runs: the vendor's `saas`, our own cloud account (`vpc`) or our premises
    (`on_prem`)."""
    training_on_our_data: bool = False
    """Whether the vendor may train its models on our data."""


class AiData(StrictModel):
    """The data the system handles and where it is transferred."""

    categories: list[str] = []
    """The kinds of data the system handles, in the organisation's words. `personal` and
    `special_category` (GDPR Art. 9) mark personal data: the transfer rules then apply even
    when the request does not say `personal_data`."""
    transfers: list[Transfer] = []
    """The system's transfers of personal data out of the EEA, each under its GDPR Chapter V
    mechanism."""


class Logging(StrictModel):
    """Whether the system's use is logged, and for how long the logs are kept."""

    enabled: bool
    """Whether the system's use is logged (EU AI Act Art. 12 and 26(6) for high-risk systems)."""
    retention_days: int = Field(default=0, ge=0, le=36500)
    """How many days the logs are kept; 0 when they are not."""


class Fria(StrictModel):
    """Fundamental rights impact assessment (EU AI Act Art. 27)."""

    required: bool
    """Whether a fundamental rights impact assessment is required (EU AI Act Art. 27)."""
    completed: IsoDate | None = None
    """The day it was completed (ISO date, YYYY-MM-DD); none while it is not."""


class Controls(StrictModel):
    """The safeguards around the system: oversight, logging, bias tests, FRIA, DPIA."""

    explainability: Literal["none", "global", "local"] = "none"
    """How far the system's outputs can be explained: `none`, `global` (how it decides in general)
    or `local` (each output)."""
    human_oversight_owner: Annotated[Identifier | None, RefersTo("Person")] = None
    """The person (an id in People) who oversees the system: EU AI Act Art. 14, and Art. 26(2),
    under which a deployer assigns human oversight to natural persons with the competence,
    training and authority it needs."""
    logging: Logging = Logging(enabled=False)
    """Whether use is logged and for how long."""
    bias_testing: bool = False
    """Whether the system has been tested for bias."""
    fria: Fria = Fria(required=False)
    """The fundamental rights impact assessment: whether one is required and when it was
    completed."""
    dpia: IsoDate | None = None
    """When the GDPR data protection impact assessment was completed."""
    transparency_plan: str | None = None
    """How people are told they deal with AI (EU AI Act Art. 50), or where that is set out."""


class AiContract(StrictModel):
    """The AI terms of the contract: model clauses, IP, liability, audit, exit."""

    mcc_ai: Literal["high_risk", "light", "none"] = "none"
    """Which EU model contractual clauses for AI procurement (MCC-AI) the contract includes: the
    `high_risk` version, the `light` one, or `none`."""
    ip_ownership: Literal["customer", "vendor", "shared"] | None = None
    """Who owns the outputs and what is built for us: the `customer`, the `vendor` or `shared`; none
    when the contract does not say."""
    liability_cap: Amount | None = None
    """The vendor's liability cap, in the request's currency (a decimal amount); none when uncapped
    or not stated."""
    audit_rights: bool = False
    """Whether we may audit the vendor's system and its compliance."""
    model_change_notice_days: int | None = Field(default=None, ge=0, le=3650)
    """How many days' notice the vendor gives before changing the model; none when the contract
    promises none."""
    exit_data_return: bool = False
    """Whether the vendor returns (and then deletes) our data when the contract ends."""


class Pilot(StrictModel):
    """The pilot before full roll-out: whether one is planned, its length and criteria."""

    planned: bool
    """Whether a pilot precedes the full roll-out."""
    weeks: int | None = Field(default=None, ge=1, le=104)
    """The pilot's length in weeks (1 to 104)."""
    success_criteria: list[str] = []
    """What the pilot must show for the roll-out to go ahead."""


class Stakeholder(StrictModel):
    """One stakeholder's position on the system, by role."""

    role: Literal["cto", "business", "cfo", "legal", "compliance", "dpo", "operations"]
    """The stakeholder's role: `cto`, `business`, `cfo`, `legal`, `compliance`, `dpo` or
    `operations`."""
    position: Literal["support", "conditional", "oppose"]
    """Their position on the purchase: `support`, `conditional` (support on conditions) or `oppose`
    (the role then has to approve)."""
    note: str | None = None
    """What they said, e.g. their conditions."""


class Financials(StrictModel):
    """How the system is priced and what it costs over three years."""

    pricing_model: Literal["per_seat", "per_call", "subscription", "perpetual", "usage"]
    """How the system is priced: `per_seat`, `per_call`, `subscription`, `perpetual` (licence) or
    `usage`."""
    tco_3y: Amount | None = None
    """The total cost of ownership over three years, in the request's currency (a decimal
    amount)."""


class AIAssessment(Document):
    """An AI system assessed for one request: use case, AI Act tier, data, controls."""

    kind: Literal["AIAssessment"]
    """The document kind: always `AIAssessment`."""
    id: Identifier
    """The assessment's id, unique among documents, e.g. `AI-NB-2026-007`."""
    request: Annotated[Identifier, RefersTo("PurchaseRequest")]
    """The id of the purchase request the assessment is for."""
    use_case: str = Field(min_length=1)
    """What the system is used for, in plain words."""
    eu_ai_act: EuAiAct
    """The system's classification under the EU AI Act (Regulation (EU) 2024/1689)."""
    model: Model
    """The model behind the system: how it is built and hosted, whether it trains on our data."""
    data: AiData = AiData()
    """The categories of data the system handles and its transfers out of the EEA."""
    controls: Controls = Controls()
    """The safeguards in place: explainability, oversight, logging, bias testing, FRIA, DPIA."""
    contract: AiContract = AiContract()
    """The AI-specific terms agreed with the vendor (MCC-AI clauses, IP, liability, audit, exit)."""
    pilot: Pilot = Pilot(planned=False)
    """The pilot before full roll-out, if one is planned."""
    stakeholders: list[Stakeholder] = []
    """Each stakeholder role's position on the purchase."""
    financials: Financials
    """The system's pricing model and three-year total cost of ownership."""

"""Policy and PolicySet (`policies/**/*.yaml`): versioned rules, and the set they belong to.

This module holds the shape only. Conditions are CEL expressions kept as text here; the policy
engine compiles them once at load.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import (
    Document,
    Enforcement,
    Identifier,
    Industry,
    IsoDate,
    SemVer,
    Slug,
    StrictModel,
)
from spendgate.documents.purchase_request import Category

RuleId = Identifier
Classification = Literal["capex", "opex", "prepaid", "lease"]


class Metadata(StrictModel):
    """A policy's name, version, owning role and description."""

    name: Slug
    version: SemVer
    owner: Slug
    """The role whose approval a change to this file needs."""
    description: str | None = None


class Scope(StrictModel):
    """Which requests a policy applies to: industries, categories and dates."""

    industries: list[Industry | Literal["any"]] = ["any"]
    categories: list[Category] = []
    """Line-item categories the policy applies to; empty means every category."""
    effective_from: IsoDate | None = None
    effective_until: IsoDate | None = None


class Requirement(StrictModel):
    """A rule's approval step: the role needed, whose it is, its stage and veto."""

    role: Slug
    of: Literal["department", "cost_centre", "requester"] | None = None
    stage: int = Field(default=1, ge=1, le=20)
    veto: bool = False


class Rung(StrictModel):
    """One level of a policy's escalation chain: a role, optionally scoped like a requirement."""

    role: Slug
    of: Literal["department", "cost_centre", "requester"] | None = None


class ClassifyRow(StrictModel):
    """One row of a classification table: when it matches, the result and why."""

    when: str = Field(min_length=1)
    result: Classification
    reason: str = Field(min_length=1)
    commitment: bool = False


class CheckCall(StrictModel):
    """A rule's call of a built-in check, by name, with its parameters."""

    name: Literal[
        "split_purchase",
        "budget_available",
        "duplicate_request",
        "contract_active",
        "certificate_fresh",
        "reference_exists",
        "transfers_covered",
    ]
    params: dict[str, Any] = {}


class Rule(StrictModel):
    """One policy rule: when it applies and its one effect (assert, require, classify, check)."""

    id: RuleId
    title: str = Field(min_length=1)
    description: str | None = None
    when: str | None = None
    assert_: str | None = Field(default=None, alias="assert")
    require: Requirement | None = None
    classify: list[ClassifyRow] | None = None
    check: CheckCall | None = None
    enforcement: Enforcement | None = None
    message: str | None = None
    fix: str | None = None
    """What the requester does to clear a finding of this rule, in a sentence: reports show it
    under every finding that blocks."""

    @model_validator(mode="after")
    def _exactly_one_effect(self) -> Rule:
        effects = [
            name
            for name, value in (
                ("assert", self.assert_),
                ("require", self.require),
                ("classify", self.classify),
                ("check", self.check),
            )
            if value is not None
        ]
        if len(effects) != 1:
            found = ", ".join(effects) or "none"
            raise ValueError(
                f"rule {self.id} needs exactly one of assert, require, classify, check "
                f"(found {found})"
            )
        return self


class PolicySpec(StrictModel):
    """What a policy applies to, its scope, enforcement, rules and escalation chain."""

    applies_to: Literal["PurchaseRequest", "Vendor", "AIAssessment"] = "PurchaseRequest"
    scope: Scope = Scope()
    enforcement: Enforcement = "hard"
    rules: list[Rule] = Field(min_length=1)
    escalation: list[Rung] = []
    """The management chain, lowest level first. A step of this policy that nobody but the
    requester (or nobody at all) can fill passes to the next rung someone can fill; a role not
    on the chain (the budget owner) starts at its first rung."""


class Policy(Document):
    """A policy file: metadata and spec."""

    kind: Literal["Policy"]
    metadata: Metadata
    spec: PolicySpec


class PolicySetSpec(StrictModel):
    """Which policies are in force from when, how stages run, who owns vendor data."""

    effective_from: IsoDate
    policies: list[Slug] = []
    """Names of the policies in the set; empty means every policy found."""
    stages: Literal["sequential", "parallel"] = "sequential"
    vendor_data_owner: Slug = "procurement"
    """The role that owns vendor evidence (risk, ESG, sanctions, security, contract): a pull
    request that changes a vendor's evidence needs a ChangeApproval of this role."""


class PolicySet(Document):
    """The set of policies in force, with its metadata."""

    kind: Literal["PolicySet"]
    metadata: Metadata
    spec: PolicySetSpec

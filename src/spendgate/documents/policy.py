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
    """The policy's (or policy set's) name, unique in the set, e.g. `decision-rights`."""
    version: SemVer
    """The semantic version (MAJOR.MINOR.PATCH), recorded with every decision it takes part in."""
    owner: Slug
    """The role whose approval a change to this file needs."""
    description: str | None = None
    """What the policy is for, in plain words."""


class Scope(StrictModel):
    """Which requests a policy applies to: industries, categories and dates."""

    industries: list[Industry | Literal["any"]] = ["any"]
    """The organisation industries the policy applies to; `any` for every industry."""
    categories: list[Category] = []
    """Line-item categories the policy applies to; empty means every category."""
    effective_from: IsoDate | None = None
    """The first day the policy applies (ISO date, YYYY-MM-DD); none for always."""
    effective_until: IsoDate | None = None
    """The last day the policy applies, inclusive (ISO date, YYYY-MM-DD); none for no end."""


class Requirement(StrictModel):
    """A rule's approval step: the role needed, whose it is, its stage and veto."""

    role: Slug
    """The role whose approval is needed, e.g. `director`, `cfo`."""
    of: Literal["department", "cost_centre", "requester"] | None = None
    """Whose the role is: `department` (its holders in the requesting department, e.g. its
    director), `cost_centre` or `requester`; none for anyone holding it."""
    stage: int = Field(default=1, ge=1, le=20)
    """The approval stage, from 1: with sequential stages a step waits for every earlier stage."""
    veto: bool = False
    """Whether a rejection by this role blocks the request (rather than rejecting it)."""


class Rung(StrictModel):
    """One level of a policy's escalation chain: a role, optionally scoped like a requirement."""

    role: Slug
    """The role of this level of the chain, e.g. `vp`."""
    of: Literal["department", "cost_centre", "requester"] | None = None
    """Whose the role is, as in a requirement: `department`, `cost_centre` or `requester`."""


class ClassifyRow(StrictModel):
    """One row of a classification table: when it matches, the result and why."""

    when: str = Field(min_length=1)
    """The CEL condition a line item must meet for this row to decide it; rows are tried in order,
    the first match wins."""
    result: Classification
    """The accounting classification the row gives: `capex`, `opex`, `prepaid` or `lease`."""
    reason: str = Field(min_length=1)
    """Why, in a sentence, shown with the classification."""
    commitment: bool = False
    """Whether the row marks the line as a commitment (e.g. committed cloud spend)."""


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
    """The built-in cross-document check to run."""
    params: dict[str, Any] = {}
    """The check's parameters, by name; each check documents its own."""


class Rule(StrictModel):
    """One policy rule: when it applies and its one effect (assert, require, classify, check)."""

    id: RuleId
    """The rule's id, unique across the policy set, e.g. `DR-010`; findings and waivers name it."""
    title: str = Field(min_length=1)
    """What the rule asks, in a line."""
    description: str | None = None
    """More about the rule: why it exists, what it cites."""
    when: str | None = None
    """A CEL condition on the request's context; the rule applies only when it holds (always when
    absent)."""
    assert_: str | None = Field(default=None, alias="assert")
    """A CEL condition that must hold; when it does not, the rule's finding is raised."""
    require: Requirement | None = None
    """The approval step the rule adds to the route when it applies."""
    classify: list[ClassifyRow] | None = None
    """A first-match decision table that classifies each line item."""
    check: CheckCall | None = None
    """The built-in cross-document check the rule runs."""
    enforcement: Enforcement | None = None
    """`advisory` (warns), `soft` (blocks unless waived) or `hard` (blocks, no waiver); the policy's
    when absent."""
    message: str | None = None
    """The finding's message, a Jinja2 template over the same context as the conditions."""
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
    """The kind of document the policy's rules judge."""
    scope: Scope = Scope()
    """Which requests the policy applies to: industries, categories and dates."""
    enforcement: Enforcement = "hard"
    """The enforcement of every rule that does not set its own: `advisory`, `soft` or `hard`."""
    rules: list[Rule] = Field(min_length=1)
    """The rules, each with one effect."""
    escalation: list[Rung] = []
    """The management chain, lowest level first. A step of this policy that nobody but the
    requester (or nobody at all) can fill passes to the next rung someone can fill; a role not
    on the chain (the budget owner) starts at its first rung."""


class Policy(Document):
    """A policy file: metadata and spec."""

    kind: Literal["Policy"]
    """The document kind: always `Policy`."""
    metadata: Metadata
    """The policy's name, version, owning role and description."""
    spec: PolicySpec
    """What the policy applies to, its scope, enforcement, rules and escalation chain."""


class PolicySetSpec(StrictModel):
    """Which policies are in force from when, how stages run, who owns vendor data."""

    effective_from: IsoDate
    """The first day the set is in force (ISO date, YYYY-MM-DD)."""
    policies: list[Slug] = []
    """Names of the policies in the set; empty means every policy found."""
    stages: Literal["sequential", "parallel"] = "sequential"
    """How approval stages run: `sequential` (each stage after the ones before) or `parallel`."""
    vendor_data_owner: Slug = "procurement"
    """The role that owns vendor evidence (risk, ESG, sanctions, security, contract): a pull
    request that changes a vendor's evidence needs a ChangeApproval of this role."""


class PolicySet(Document):
    """The set of policies in force, with its metadata."""

    kind: Literal["PolicySet"]
    """The document kind: always `PolicySet`."""
    metadata: Metadata
    """The set's name, version, owning role and description."""
    spec: PolicySetSpec
    """When the set comes into force, its policies, how stages run and who owns vendor data."""

"""Applying one policy's rules to one request: its results, route steps, checks and findings.

The engine hands over each in-scope policy with the request's bound context and, when the one
program of all policies ran, that policy's slice of its results. A rule whose result is missing
(that program failed on this data) is evaluated alone, so a broken rule never hides the others;
a rule that cannot be evaluated or whose message cannot be rendered (a RuleFailure) fails closed
as a hard finding at the rule. An assertion that fails becomes a finding at the request field it
read, an approval requirement a route step (staffed, or escalated with a finding), and a built-in
check its failures as findings; with `explain`, every rule's result is also traced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from spendgate.approvals.escalation import staff
from spendgate.approvals.routing import RoleHolders, holders
from spendgate.decisions import Finding, RouteStep
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import Locator
from spendgate.documents.policy import Requirement
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.policy import cel
from spendgate.policy.checks import Subject
from spendgate.policy.compile import (
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    CompiledPolicy,
    CompiledRule,
)
from spendgate.policy.failure import RuleFailure
from spendgate.policy.ledger import Ledger
from spendgate.policy.outcome import Outcome, anchor, gather_evidence, make_finding, render_message


@dataclass
class RuleRunner:
    """Runs the rules of each policy on a request of one repository, into its Outcome."""

    repository: Repository
    locator: Locator
    ledger: Ledger
    today: date
    role_holders: RoleHolders = field(init=False)

    def __post_init__(self) -> None:
        self.role_holders = RoleHolders(self.repository.people.values())

    def run_policy(
        self,
        policy: CompiledPolicy,
        document: LoadedDocument,
        request: PurchaseRequest,
        bound: Any,
        outcome: Outcome,
        evaluated: list[int] | None,
    ) -> None:
        """Apply each rule of `policy`; `evaluated` is its slice of the combined program's
        results, or None to evaluate the policy's own program here."""
        if policy.combined is None:
            return
        listed = policy.listed
        results: Sequence[int | None]
        try:
            results = evaluated if evaluated is not None else cel.evaluate(policy.combined, bound)
        except cel.CelEvaluationError:
            results = [None] * len(listed)  # each rule alone: only those that fail here fail
        explain = outcome.explain
        for rule, result in zip(listed, results, strict=True):
            # Most rules do not apply or pass; only explain needs to hear about those.
            if not explain and (result == NOT_APPLICABLE or (result == PASSED and rule.assertion)):
                continue
            try:
                alone = _run_alone(rule, bound) if result is None else result
                self.apply(policy, rule, alone, document, request, outcome)
            except RuleFailure as failure:
                outcome.fail(policy, rule, failure)

    def apply(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        result: int,
        document: LoadedDocument,
        request: PurchaseRequest,
        outcome: Outcome,
    ) -> None:
        """What a rule's result means for the request; RuleFailure if its message fails."""
        if result == NOT_APPLICABLE:
            outcome.record(rule, policy.name, "not applicable", "`when` is false", rule.when_reads)
        elif rule.effect == "assert":
            passed = result == PASSED
            if not passed:
                outcome.findings.append(self.finding(policy, rule, document, outcome))
            outcome.record(
                rule, policy.name, "passed" if passed else "failed", rule.title, rule.reads
            )
        elif rule.requirement is not None:
            outcome.steps.append(self.step(policy, rule, rule.requirement, document, outcome))
            outcome.record(
                rule, policy.name, "applied", f"needs {rule.requirement.role}", rule.reads
            )
        elif rule.check is not None:
            self.run_check(policy, rule, document, request, outcome)

    def step(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        requirement: Requirement,
        document: LoadedDocument,
        outcome: Outcome,
    ) -> RouteStep:
        """The route step `rule` asks for; escalated (with a finding) when nobody but the
        requester can fill it, and a blocking finding when nobody on the chain can either."""
        request = document.model
        assert isinstance(request, PurchaseRequest)
        requester = self.repository.people.get(request.requester)
        budget = outcome.context["budget"]
        known = {"people": self.role_holders, "budget": budget, "requester": requester}
        staffed = staff(
            requirement,
            request,
            chain=policy.escalation,
            policy=policy.name,
            hold=lambda wanted: holders(wanted, request, **known),
        )
        if staffed.note:
            where = self.locator.locate(document.file, document.index, ("requester",))
            outcome.findings.append(
                make_finding(
                    policy, rule, staffed.enforcement, staffed.note, where, staffed.evidence
                )
            )
        asked, eligible, escalated_from = (
            staffed.requirement,
            self.role_holders.shared(staffed.eligible),
            staffed.escalated_from,
        )
        return RouteStep(
            asked.role,
            rule.id,
            rule.title,
            asked.stage,
            asked.of,
            asked.veto,
            eligible,
            escalated_from=escalated_from,
        )

    def run_check(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        document: LoadedDocument,
        request: PurchaseRequest,
        outcome: Outcome,
    ) -> None:
        """Run one rule's built-in check on the request; a finding per failure."""
        assert rule.check is not None
        if outcome.subject is None:
            vendor = self.repository.get("Vendor", request.vendor)
            outcome.subject = Subject(
                request,
                vendor if isinstance(vendor, Vendor) else None,
                outcome.context,
                self.repository,
                self.ledger,
                self.today,
            )
        failures = list(rule.check.run(outcome.subject, rule.check_params))
        for failure in failures:
            where = self.locator.locate(document.file, document.index, failure.path)
            outcome.findings.append(
                make_finding(
                    policy, rule, rule.enforcement, failure.message, where, failure.evidence
                )
            )
        outcome.record(rule, policy.name, "failed" if failures else "passed", rule.check.name)

    def finding(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        document: LoadedDocument,
        outcome: Outcome,
    ) -> Finding:
        """A failed assertion's finding, at the request field it read; RuleFailure if its
        message cannot be rendered."""
        text = render_message(rule, outcome)
        where = self.locator.locate(document.file, document.index, anchor(rule.reads))
        evidence = gather_evidence(rule.reads, outcome.context)
        return make_finding(policy, rule, rule.enforcement, text, where, evidence)


def _run_alone(rule: CompiledRule, bound: Any) -> int:
    """Evaluate one rule by itself: 0, 1 or 2 as in the combined program; RuleFailure if it
    cannot be evaluated on this data."""
    if rule.when is not None and not cel.condition(rule.when, bound, "when"):
        return NOT_APPLICABLE
    if rule.assertion is None:
        return PASSED
    return PASSED if cel.condition(rule.assertion, bound, "assert") else FAILED

"""Deciding purchase requests: context, classification, rules, route, status (SPEC §5).

For each request the context is built once and bound to CEL once per stage; each policy's
conditions run as one list program. A rule whose program fails on this data (a type mismatch,
say) is re-run alone, so that one broken rule never hides the others, and fails closed as a
hard finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from spendgate import __version__
from spendgate.approvals.authenticity import authenticate
from spendgate.approvals.desk import ApprovalDesk
from spendgate.approvals.routing import eligible_people, merge_steps
from spendgate.approvals.waivers import Owner, WaiverBook
from spendgate.decisions import (
    Classification,
    Decision,
    Finding,
    Inputs,
    LineClassification,
    RouteStep,
    Status,
)
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval
from spendgate.documents.benchmarks import PriceBenchmarks
from spendgate.documents.budgets import Budgets
from spendgate.documents.config import Config
from spendgate.documents.discovery import CONFIG_FILE
from spendgate.documents.loading import LoadedDocument, blob_id
from spendgate.documents.locator import Locator
from spendgate.documents.people import People, Person
from spendgate.documents.policy import Requirement
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver
from spendgate.policy import cel
from spendgate.policy.checks import Subject
from spendgate.policy.compile import (
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    CompiledPolicy,
    CompiledRule,
    PolicyBook,
)
from spendgate.policy.context import Ledger, build_context
from spendgate.policy.outcome import Outcome, anchor, gather_evidence, make_finding, render_message
from spendgate.problems import Problem


@dataclass
class Engine:
    """Decides every request of one repository under one compiled policy book."""

    book: PolicyBook
    repository: Repository
    config: Config
    today: date
    explain: bool = False
    history: Path | None = None
    """Where the git history of the approval records is, when not in the repository's root."""
    locator: Locator = field(init=False)
    ledger: Ledger = field(init=False)
    desk: ApprovalDesk = field(init=False)
    waivers: WaiverBook = field(init=False)
    problems_by_file: dict[str, list[Problem]] = field(init=False)
    people_by_role: dict[str, list[Person]] = field(init=False)
    displayed: dict[int, Any] = field(init=False, default_factory=dict)
    org_policies: tuple[CompiledPolicy, ...] = field(init=False)
    combined: cel.Program | None = field(init=False)
    digests: dict[str, str] = field(init=False)
    organisation_files: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        repository = self.repository
        self.locator = Locator(repository.root)
        self.digests = {loaded.file: loaded.digest for loaded in repository.files}
        self.organisation_files = tuple(
            document.file
            for document in repository.documents()
            if document.kind in ("People", "Budgets")
        )
        self.org_policies, self.combined = _organisation_program(self.book, self.config)
        self.people_by_role = defaultdict(list)
        for person in repository.people.values():
            for role in person.roles:
                self.people_by_role[role].append(person)
        self.ledger = _ledger(repository, self.config)
        self.desk = _desk(
            repository,
            self.config,
            self.locator,
            self.history or repository.root,
            self.book.parallel,
        )
        self.waivers = WaiverBook(
            waivers=[(document.file, waiver) for document, waiver in repository.models(Waiver)],
            owners={rule.id: Owner(policy.name, policy.owner) for policy, rule in self.book.rules},
            people=repository.people,
            delegations=self.desk.delegations,
            today=self.today,
        )
        self.problems_by_file = defaultdict(list)
        for problem in repository.problems:
            if problem.is_error:
                self.problems_by_file[problem.location.file].append(problem)

    def decide_all(self, only: Callable[[str, str], bool] | None = None) -> list[Decision]:
        """Decide every request, or those `only(file, request id)` selects, and the invalid ones."""
        decisions = [
            self.decide(document)
            for document in self.repository.documents("PurchaseRequest")
            if getattr(document.model, "status", None) != "withdrawn"
            and (only is None or only(document.file, getattr(document.model, "id", "")))
        ]
        decisions.extend(
            decision
            for decision in self.invalid_requests()
            if only is None or only(decision.file, decision.request_id)
        )
        return sorted(decisions, key=lambda decision: (decision.file, decision.request_id))

    def invalid_requests(self) -> list[Decision]:
        """Requests that did not load: a decision each, so the gate reports and blocks them."""
        decisions = []
        for loaded in self.repository.files:
            documents = [
                d for d in loaded.documents if d.kind == "PurchaseRequest" and d.model is None
            ]
            if not documents and not (
                loaded.problems and loaded.file.startswith(self.config.paths.requests)
            ):
                continue
            problems = list(loaded.problems) + [p for d in documents for p in d.problems]
            decisions.append(self.invalid(loaded.file, "?", "(does not load)", problems))
        return decisions

    def invalid(self, file: str, request_id: str, title: str, problems: list[Problem]) -> Decision:
        findings = tuple(
            Finding(
                problem.code,
                problem.message,
                "validate",
                __version__,
                "hard",
                problem.message,
                problem.location,
            )
            for problem in problems
        )
        return Decision(
            request_id,
            file,
            title,
            "invalid",
            "0.00",
            self.config.organization.base_currency,
            Classification("none"),
            (),
            findings,
            self.inputs(file),
        )

    def decide(self, document: LoadedDocument) -> Decision:
        request = document.model
        assert isinstance(request, PurchaseRequest)
        related = self.related_problems(document, request)
        if related:
            return self.invalid(document.file, request.id, request.title, related)
        vendor = self.repository.get("Vendor", request.vendor)
        assessment = (
            self.repository.get("AIAssessment", request.ai_assessment)
            if request.ai_assessment
            else None
        )
        assert isinstance(vendor, Vendor) and (
            assessment is None or isinstance(assessment, AIAssessment)
        )
        context = build_context(
            request,
            ledger=self.ledger,
            vendor=vendor,
            assessment=assessment,
            requester=self.repository.people.get(request.requester),
            today=self.today,
        )
        policies = [policy for policy in self.book.policies if self.in_scope(policy, request)]
        outcome = Outcome(context, self.explain, self.displayed)
        classification = self.classify(policies, context, outcome)
        bound = cel.activation(context)
        results = self.evaluate_all(bound)
        for policy in policies:
            self.run_policy(policy, document, request, bound, outcome, results.get(policy.name))
        route, ignored = self.desk.walk(request, merge_steps(outcome.steps))
        waived, waiver_notes = self.waivers.apply(
            tuple(outcome.findings),
            (request.id, request.vendor),
            lambda file: self.locator.locate(file, 0, ("id",)),
        )
        findings = waived + self.desk.vetoes(route, document) + ignored + waiver_notes
        return Decision(
            request_id=request.id,
            file=document.file,
            title=request.title,
            status=_status(findings, route),
            total_base=f"{self.ledger.total_base(request):.2f}",
            base_currency=self.config.organization.base_currency,
            classification=classification,
            route=route,
            findings=findings,
            inputs=self.inputs(document.file, vendor=vendor, assessment=assessment),
            trace=tuple(outcome.trace),
        )

    def related_problems(self, document: LoadedDocument, request: PurchaseRequest) -> list[Problem]:
        """Errors in the request's file, or in the vendor or assessment it depends on."""
        files = {document.file}
        for kind, identifier in (
            ("Vendor", request.vendor),
            ("AIAssessment", request.ai_assessment),
        ):
            entry = self.repository.index.get(kind, {}).get(identifier or "")
            if entry is not None:
                files.add(entry.document.file)
        return [
            problem for file in sorted(files) for problem in self.problems_by_file.get(file, [])
        ]

    def in_scope(self, policy: CompiledPolicy, request: PurchaseRequest) -> bool:
        scope = policy.scope
        industries = set(scope.industries)
        if "any" not in industries and self.config.organization.industry not in industries:
            return False
        if scope.effective_from and self.today < scope.effective_from:
            return False
        if scope.effective_until and self.today > scope.effective_until:
            return False
        categories = set(scope.categories)
        return not categories or any(item.category in categories for item in request.line_items)

    def classify(
        self, policies: list[CompiledPolicy], context: dict[str, Any], outcome: Outcome
    ) -> Classification:
        lines: dict[int, LineClassification] = {}
        bound = cel.activation(context)
        for policy in policies:
            for rule, program in policy.tables:
                for line, matches in enumerate(cel.evaluate(program, bound)):
                    row = matches.index(True) if True in matches else -1
                    if row >= 0 and line not in lines:
                        decided = rule.rows[row].row
                        lines[line] = LineClassification(
                            line, decided.result, rule.id, row, decided.reason, decided.commitment
                        )
                outcome.record(rule, policy.name, "applied", "first matching row per line item")
        classified = tuple(lines[index] for index in sorted(lines))
        results = {line.result for line in classified}
        result = "none" if not results else results.pop() if len(results) == 1 else "mixed"
        _record_classification(context, classified)
        return Classification(result, classified)  # type: ignore[arg-type]

    def evaluate_all(self, bound: Any) -> dict[str, list[int | str]]:
        """Every policy's results from the one program of all of them; {} if it fails here."""
        if self.combined is None:
            return {}
        try:
            flat = cel.evaluate(self.combined, bound)
        except cel.CelEvaluationError:
            return {}
        results = {}
        start = 0
        for policy in self.org_policies:
            size = len(policy.listed)
            results[policy.name] = flat[start : start + size]
            start += size
        return results

    def run_policy(
        self,
        policy: CompiledPolicy,
        document: LoadedDocument,
        request: PurchaseRequest,
        bound: Any,
        outcome: Outcome,
        evaluated: list[int | str] | None,
    ) -> None:
        if policy.combined is None:
            return
        listed = policy.listed
        try:
            results = evaluated if evaluated is not None else cel.evaluate(policy.combined, bound)
        except cel.CelEvaluationError:
            results = [_run_alone(rule, bound) for rule in listed]
        explain = outcome.explain
        for rule, result in zip(listed, results, strict=True):
            # Most rules do not apply or pass; only explain needs to hear about those.
            if not explain and (result == NOT_APPLICABLE or (result == PASSED and rule.assertion)):
                continue
            self.apply(policy, rule, result, document, request, outcome)

    def apply(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        result: int | str,
        document: LoadedDocument,
        request: PurchaseRequest,
        outcome: Outcome,
    ) -> None:
        if isinstance(result, str):
            message = f"could not evaluate {rule.id}: {result}"
            outcome.findings.append(self.finding(policy, rule, document, outcome, message, "hard"))
            outcome.record(rule, policy.name, "error", message, rule.reads)
        elif result == NOT_APPLICABLE:
            outcome.record(rule, policy.name, "not applicable", "`when` is false", rule.when_reads)
        elif rule.effect == "assert":
            passed = result == PASSED
            if not passed:
                outcome.findings.append(self.finding(policy, rule, document, outcome))
            outcome.record(
                rule, policy.name, "passed" if passed else "failed", rule.title, rule.reads
            )
        elif rule.requirement is not None:
            outcome.steps.append(self.step(rule, rule.requirement, request, outcome.context))
            outcome.record(
                rule, policy.name, "applied", f"needs {rule.requirement.role}", rule.reads
            )
        elif rule.check is not None:
            self.run_check(policy, rule, document, request, outcome)

    def step(
        self,
        rule: CompiledRule,
        requirement: Requirement,
        request: PurchaseRequest,
        context: dict[str, Any],
    ) -> RouteStep:
        eligible = eligible_people(
            requirement,
            request,
            people=self.people_by_role,
            budget=context["budget"],
            requester=self.repository.people.get(request.requester),
        )
        return RouteStep(
            requirement.role,
            rule.id,
            rule.title,
            requirement.stage,
            requirement.of,
            requirement.veto,
            eligible,
        )

    def run_check(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        document: LoadedDocument,
        request: PurchaseRequest,
        outcome: Outcome,
    ) -> None:
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
        message: str | None = None,
        enforcement: str | None = None,
    ) -> Finding:
        text = message or render_message(rule, outcome)
        where = self.locator.locate(document.file, document.index, anchor(rule.reads))
        evidence = gather_evidence(rule.reads, outcome.context)
        return make_finding(policy, rule, enforcement or rule.enforcement, text, where, evidence)

    def digest(self, file: str) -> str:
        """The git blob id of a repository file, read once per run."""
        if file not in self.digests:
            path = self.repository.root / file
            self.digests[file] = blob_id(path.read_text(encoding="utf-8")) if path.is_file() else ""
        return self.digests[file]

    def inputs(
        self, file: str, *, vendor: Vendor | None = None, assessment: AIAssessment | None = None
    ) -> Inputs:
        """What the decision read: each file by its git blob id, the policies, date and rates."""
        files = {file, CONFIG_FILE, *self.organisation_files}
        for kind, document in (("Vendor", vendor), ("AIAssessment", assessment)):
            entry = self.repository.index.get(kind, {}).get(getattr(document, "id", ""))
            if entry is not None:
                files.add(entry.document.file)
        digests = [(name, self.digest(name)) for name in sorted(files)]
        digests += [
            (f"policy:{policy.name}@{policy.version}", policy.digest)
            for policy in self.book.policies
        ]
        rates = self.config.fx.rates if self.config.fx else {}
        return Inputs(
            evaluation_date=self.today,
            policy_set=self.book.name,
            policy_set_version=self.book.version,
            documents=tuple(digests),
            fx_rates=tuple((currency, str(rate)) for currency, rate in sorted(rates.items())),
            spendgate_version=__version__,
        )


def _run_alone(rule: CompiledRule, bound: Any) -> int | str:
    """Evaluate one rule by itself: 0, 1 or 2 as in the combined program, or the error text."""
    try:
        if rule.when is not None and not cel.evaluate(rule.when, bound):
            return 0
        if rule.assertion is None:
            return PASSED
        return PASSED if cel.evaluate(rule.assertion, bound) else FAILED
    except cel.CelEvaluationError as error:
        return str(error)


def _record_classification(context: dict[str, Any], lines: tuple[LineClassification, ...]) -> None:
    """Later rules read the classification: per line, per request, and capex/opex totals."""
    request = context["request"]
    capex = opex = 0.0
    for line in lines:
        item = request["line_items"][line.line]
        item["classification"] = line.result
        if line.result == "capex":
            capex += item["total_base"]
        else:
            opex += item["total_base"]
    results = {line.result for line in lines}
    request["classification"] = (
        results.pop() if len(results) == 1 else "mixed" if results else "none"
    )
    request["capex_total_base"] = capex
    request["opex_total_base"] = opex


def _status(findings: tuple[Finding, ...], route: tuple[RouteStep, ...]) -> Status:
    if any(finding.blocking for finding in findings):
        return "blocked"
    if all(step.satisfied for step in route):
        return "approved"
    return "pending"


def _organisation_program(
    book: PolicyBook, config: Config
) -> tuple[tuple[CompiledPolicy, ...], cel.Program | None]:
    """The policies of the organisation's industry, and one program for all their rules.

    The industry never changes within a run, so a request's data crosses into CEL once for all
    of them.
    """
    industry = config.organization.industry
    policies = tuple(
        policy
        for policy in book.policies
        if policy.combined is not None
        and ("any" in policy.scope.industries or industry in policy.scope.industries)
    )
    elements = [rule.combined_element() for policy in policies for rule in policy.listed]
    return policies, (cel.compile_expression(f"[{', '.join(elements)}]") if elements else None)


def _ledger(repository: Repository, config: Config) -> Ledger:
    requests = {model.id: model for _, model in repository.models(PurchaseRequest)}
    budgets = {
        (budget.cost_centre, budget.fiscal_year): budget
        for _, model in repository.models(Budgets)
        for budget in model.budgets
    }
    benchmarks = {
        entry.id: (
            config.to_base(entry.median, model.currency) or Decimal(0),
            config.to_base(entry.p75, model.currency) or Decimal(0),
        )
        for _, model in repository.models(PriceBenchmarks)
        for entry in model.entries
    }
    committed = repository.elsewhere.committed(config) if repository.elsewhere else None
    return Ledger(config, requests, budgets, benchmarks=benchmarks, committed=committed)


def _desk(
    repository: Repository, config: Config, locator: Locator, history: Path, parallel: bool
) -> ApprovalDesk:
    records: dict[str, list[tuple[LoadedDocument, Approval]]] = defaultdict(list)
    for document, approval in repository.models(Approval):
        records[approval.request].append((document, approval))
    authenticity = authenticate(
        history,
        ((document.file, approval.approver) for document, approval in repository.models(Approval)),
        people=repository.people,
        directory=config.paths.approvals,
    )
    delegations = tuple(
        delegation for _, people in repository.models(People) for delegation in people.delegations
    )
    return ApprovalDesk(config.approvals, locator, records, delegations, authenticity, parallel)

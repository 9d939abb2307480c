"""Deciding purchase requests: context, classification, rules, route, status (SPEC §5).

For each request the context is built once and bound to CEL once per stage; each policy's
conditions run as one list program. A rule whose program fails on this data (a type mismatch,
say) is re-run alone, so that one broken rule never hides the others, and fails closed as a
hard finding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from spendgate import __version__
from spendgate.approvals.authenticity import UNVERIFIED, authenticate
from spendgate.approvals.counting import walk_route
from spendgate.approvals.digest import request_digest
from spendgate.approvals.github import Review
from spendgate.approvals.waivers import Owner, WaiverBook
from spendgate.decisions import (
    Classification,
    Decision,
    Evidence,
    Finding,
    Inputs,
    LineClassification,
    RouteStep,
    RuleTrace,
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
from spendgate.documents.people import Delegation, People, Person
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
from spendgate.policy.fields import context_shape, display, field_shape
from spendgate.policy.routing import eligible_people, merge_steps
from spendgate.problems import Location, Problem

#: Where in the request file a finding about each context variable points.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "vendor": ("vendor",),
    "ai": ("ai_assessment",),
    "budget": ("cost_centre",),
    "requester": ("requester",),
}

#: Request values spendgate computes: a finding about them points at the line items.
_COMPUTED = {
    "total",
    "total_base",
    "annualised_base",
    "cumulative_total_base",
    "currency",
    "capex_total_base",
    "opex_total_base",
    "classification",
    "categories",
}


@dataclass
class _Outcome:
    """What the rules of one request produced, gathered before it is frozen into a Decision."""

    context: dict[str, Any]
    explain: bool
    shared: dict[int, Any]
    findings: list[Finding] = field(default_factory=list)
    steps: list[RouteStep] = field(default_factory=list)
    trace: list[RuleTrace] = field(default_factory=list)
    _shown: dict[str, Any] = field(default_factory=dict)
    subject: Subject | None = None

    def shown(self, root: str) -> Any:
        """A context variable as people read it (ISO dates), converted once per request.

        Vendors, assessments and people are shared by many requests: `shared` keeps their
        converted form for the whole run, keyed by the (long-lived) context dict itself.
        """
        if root not in self._shown:
            value = self.context[root]
            key = id(value)
            if root != "request" and key in self.shared:
                self._shown[root] = self.shared[key]
            else:
                self._shown[root] = display(value, context_shape().get(root))
                if root != "request":
                    self.shared[key] = self._shown[root]
        return self._shown[root]

    def record(
        self,
        rule: CompiledRule,
        policy: str,
        outcome: str,
        detail: str,
        chains: tuple[str, ...] = (),
    ) -> None:
        """Keep the trace `explain` shows; evidence is only gathered when someone will read it."""
        if self.explain:
            evidence = _evidence(chains, self.context)
            self.trace.append(RuleTrace(rule.id, policy, rule.effect, outcome, detail, evidence))


@dataclass
class Engine:
    """Decides every request of one repository under one compiled policy book."""

    book: PolicyBook
    repository: Repository
    config: Config
    today: date
    explain: bool = False
    reviews: list[Review] = field(default_factory=list)
    """Pull-request reviews that approve or reject (`check --github-reviews`)."""
    reviews_location: Location = field(default_factory=lambda: Location("github-reviews"))
    head_commit: str | None = None
    """The commit being checked; a review given for another commit is void."""
    pr_author: str | None = None
    """The person who authored the pull request, who cannot approve it."""
    locator: Locator = field(init=False)
    ledger: Ledger = field(init=False)
    approvals: dict[str, list[tuple[LoadedDocument, Approval]]] = field(init=False)
    delegations: tuple[Delegation, ...] = field(init=False)
    waivers: WaiverBook = field(init=False)
    authenticity: dict[str, str] = field(init=False)
    problems_by_file: dict[str, list[Problem]] = field(init=False)
    people_by_role: dict[str, list[Person]] = field(init=False)
    displayed: dict[int, Any] = field(init=False, default_factory=dict)
    org_policies: tuple[CompiledPolicy, ...] = field(init=False)
    digests: dict[str, str] = field(init=False, default_factory=dict)
    organisation_files: tuple[str, ...] = field(init=False)
    combined: cel.Program | None = field(init=False)

    def __post_init__(self) -> None:
        self.digests = {loaded.file: loaded.digest for loaded in self.repository.files}
        self.organisation_files = tuple(
            document.file
            for document in self.repository.documents()
            if document.kind in ("People", "Budgets")
        )
        # The organisation's industry never changes within a run: the policies of its industry
        # become one program, so a request's data crosses into CEL once for all their rules.
        industry = self.config.organization.industry
        self.org_policies = tuple(
            policy
            for policy in self.book.policies
            if policy.combined is not None
            and ("any" in policy.scope.industries or industry in policy.scope.industries)
        )
        elements = [rule.combined_element() for p in self.org_policies for rule in p.listed]
        self.combined = cel.compile_expression(f"[{', '.join(elements)}]") if elements else None
        self.people_by_role = defaultdict(list)
        for person in self.repository.people.values():
            for role in person.roles:
                self.people_by_role[role].append(person)
        self.locator = Locator(self.repository.root)
        requests = {model.id: model for _, model in self.repository.models(PurchaseRequest)}
        budgets = {
            (budget.cost_centre, budget.fiscal_year): budget
            for _, model in self.repository.models(Budgets)
            for budget in model.budgets
        }
        benchmarks = {
            entry.id: (
                self.config.to_base(entry.median, model.currency) or Decimal(0),
                self.config.to_base(entry.p75, model.currency) or Decimal(0),
            )
            for _, model in self.repository.models(PriceBenchmarks)
            for entry in model.entries
        }
        self.ledger = Ledger(self.config, requests, budgets, benchmarks=benchmarks)
        self.approvals = defaultdict(list)
        for approval_document, approval in self.repository.models(Approval):
            self.approvals[approval.request].append((approval_document, approval))
        self.delegations = tuple(
            delegation
            for _, people in self.repository.models(People)
            for delegation in people.delegations
        )
        self.waivers = WaiverBook(
            waivers=[
                (document.file, waiver) for document, waiver in self.repository.models(Waiver)
            ],
            owners={rule.id: Owner(policy.name, policy.owner) for policy, rule in self.book.rules},
            people=self.repository.people,
            delegations=self.delegations,
            today=self.today,
        )
        self.authenticity = authenticate(
            self.repository.root,
            (
                (document.file, approval.approver)
                for document, approval in self.repository.models(Approval)
            ),
            people=self.repository.people,
            directory=self.config.paths.approvals,
        )
        self.problems_by_file = defaultdict(list)
        for problem in self.repository.problems:
            if problem.is_error:
                self.problems_by_file[problem.location.file].append(problem)

    def decide_all(self) -> list[Decision]:
        decisions = [
            self.decide(document)
            for document in self.repository.documents("PurchaseRequest")
            if getattr(document.model, "status", None) != "withdrawn"
        ]
        decisions.extend(self.invalid_requests())
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
        outcome = _Outcome(context, self.explain, self.displayed)
        classification = self.classify(policies, context, outcome)
        bound = cel.activation(context)
        results = self.evaluate_all(bound)
        for policy in policies:
            self.run_policy(policy, document, request, bound, outcome, results.get(policy.name))
        route, ignored = self.walk(request, merge_steps(outcome.steps))
        waived, waiver_notes = self.waivers.apply(
            tuple(outcome.findings),
            (request.id, request.vendor),
            lambda file: self.locator.locate(file, 0, ("id",)),
        )
        findings = waived + self.vetoes(route, document) + ignored + waiver_notes
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
        self, policies: list[CompiledPolicy], context: dict[str, Any], outcome: _Outcome
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
        outcome: _Outcome,
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
        outcome: _Outcome,
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
        outcome: _Outcome,
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
                _finding(policy, rule, rule.enforcement, failure.message, where, failure.evidence)
            )
        outcome.record(rule, policy.name, "failed" if failures else "passed", rule.check.name)

    def finding(
        self,
        policy: CompiledPolicy,
        rule: CompiledRule,
        document: LoadedDocument,
        outcome: _Outcome,
        message: str | None = None,
        enforcement: str | None = None,
    ) -> Finding:
        text = message or _render(rule, outcome)
        where = self.locator.locate(document.file, document.index, _anchor(rule.reads))
        evidence = _evidence(rule.reads, outcome.context)
        return _finding(policy, rule, enforcement or rule.enforcement, text, where, evidence)

    def walk(
        self, request: PurchaseRequest, route: tuple[RouteStep, ...]
    ) -> tuple[tuple[RouteStep, ...], tuple[Finding, ...]]:
        """Fill the route from the approvals given; each one that does not count is reported."""
        given = self.approvals_given(request, route)
        notes: list[Finding] = []
        counted: list[tuple[Location, Approval, str]] = []
        for where, approval, how in given:
            if self.pr_author is not None and approval.approver == self.pr_author:
                reason = (
                    f"{approval.decision} by {approval.approver} as {approval.role} does not "
                    "count: they authored the pull request"
                )
                notes.append(_approval_note(reason, where, approval))
            else:
                counted.append((where, approval, how))
        if not counted:
            return route, tuple(notes)
        walked = walk_route(
            route,
            [approval for _, approval, _ in counted],
            requester=request.requester,
            digest=request_digest(request),
            delegations=self.delegations,
            allow_many_steps=self.config.approvals.allow_one_person_many_steps,
            parallel=self.book.parallel,
            authenticity=[how for _, _, how in counted],
            require_authenticity=self.config.approvals.require_authenticity,
        )
        notes += [
            _approval_note(ignored.reason, counted[index][0], ignored.approval)
            for index, ignored in walked.ignored
        ]
        return walked.route, tuple(notes)

    def approvals_given(
        self, request: PurchaseRequest, route: tuple[RouteStep, ...]
    ) -> list[tuple[Location, Approval, str]]:
        """Approval records and pull-request reviews, as the configured source says."""
        source = self.config.approvals.source
        given: list[tuple[Location, Approval, str]] = []
        if source in ("records", "both"):
            for document, approval in self.approvals.get(request.id, []):
                where = self.locator.locate(document.file, document.index, ("approver",))
                given.append((where, approval, self.authenticity.get(document.file, UNVERIFIED)))
        if source in ("github", "both"):
            given += [
                (self.reviews_location, approval, "github")
                for approval in self.review_approvals(request, route)
            ]
        return given

    def review_approvals(
        self, request: PurchaseRequest, route: tuple[RouteStep, ...]
    ) -> list[Approval]:
        """Each review as an approval of this request, for its role or its earliest open step."""
        digest = request_digest(request)
        approvals = []
        for review in self.reviews:
            if review.person is None:
                continue
            role = review.role or next(
                (step.role for step in route if review.person in step.eligible), "unknown"
            )
            current = self.head_commit is None or review.commit == self.head_commit
            approvals.append(
                Approval(
                    api_version="spendgate/v1",
                    kind="Approval",
                    request=request.id,
                    approver=review.person,
                    role=role,
                    decision=review.decision,  # type: ignore[arg-type]
                    date=review.on,
                    request_digest=digest if current else "sha256:" + "0" * 64,
                )
            )
        return approvals

    def vetoes(self, route: tuple[RouteStep, ...], document: LoadedDocument) -> tuple[Finding, ...]:
        """A rejection by a role with veto blocks the request (SPEC §4)."""
        vetoed = [step for step in route if step.rejected and step.veto]
        if not vetoed:
            return ()
        where = self.locator.locate(document.file, document.index, ())
        return tuple(
            Finding(
                step.rule_id.split(",")[0],
                "Veto",
                "approvals",
                __version__,
                "hard",
                f"{step.approved_by} rejected this request as {step.role}, a role with veto",
                where,
            )
            for step in vetoed
        )

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


def _approval_note(reason: str, where: Location, approval: Approval) -> Finding:
    return Finding(
        "APPROVAL",
        "An approval given does not count",
        "approvals",
        __version__,
        "advisory",
        reason,
        where,
        (("approval.request_digest", approval.request_digest),),
    )


def _finding(
    policy: CompiledPolicy,
    rule: CompiledRule,
    enforcement: str,
    message: str,
    where: Location,
    evidence: Evidence,
) -> Finding:
    return Finding(
        rule.id,
        rule.title,
        policy.name,
        policy.version,
        enforcement,  # type: ignore[arg-type]
        message,
        where,
        evidence,
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


def _evidence(chains: tuple[str, ...], context: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    shape = context_shape()
    evidence = []
    for chain in chains:
        value: Any = context
        for part in chain.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        evidence.append((chain, display(value, field_shape(chain, shape))))
    return tuple(evidence)


def _anchor(chains: tuple[str, ...]) -> tuple[str | int, ...]:
    """The request field a finding points at: the first field the rule read, or its root."""
    for chain in chains:
        root, *rest = chain.split(".")
        if root in _ANCHORS:
            return _ANCHORS[root]
        if root == "request" and rest:
            return ("line_items",) if rest[0] in _COMPUTED else (rest[0],)
    return ()


def _render(rule: CompiledRule, outcome: _Outcome) -> str:
    if rule.message is None:
        return rule.title
    shown = {root: outcome.shown(root) for root in rule.message_roots if root in outcome.context}
    return " ".join(str(rule.message.render(**shown)).split())


def _status(findings: tuple[Finding, ...], route: tuple[RouteStep, ...]) -> Status:
    if any(finding.blocking for finding in findings):
        return "blocked"
    if all(step.satisfied for step in route):
        return "approved"
    return "pending"

"""Deciding purchase requests: context, classification, rules, route, status (SPEC §5).

For each request the context is built once and bound to CEL once per stage; each policy's
conditions run as one list program. When that program fails on this data (a type mismatch, its
budget, a condition that is not a boolean), each rule is re-run alone, so that one broken rule
never hides the others. A rule that cannot be evaluated on a request (a RuleFailure: CEL error,
budget, non-boolean condition, message template) fails closed as a hard finding at the rule
(`Outcome.fail`), and nothing else is lost. Around each request's whole decision is a second
boundary: a bug in spendgate while deciding one request makes that request `invalid` ("internal
error ...; please report it"), the others are decided as usual, and the check exits 3.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from spendgate.approvals.authenticity import Notary, notary_for
from spendgate.approvals.desk import ApprovalDesk
from spendgate.approvals.routing import merge_steps
from spendgate.approvals.waivers import Owner, WaiverBook
from spendgate.decisions import Decision, Finding, RouteStep, Status
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.config import Config
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import Locator
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver
from spendgate.errors import SpendgateError
from spendgate.policy import cel
from spendgate.policy.assembly import desk, ledger, organisation_program
from spendgate.policy.classification import classify, in_scope
from spendgate.policy.compile import CompiledPolicy, PolicyBook
from spendgate.policy.context import build_context
from spendgate.policy.inputs import InputRecorder
from spendgate.policy.invalid import internal_error, invalid_decision
from spendgate.policy.ledger import Ledger
from spendgate.policy.outcome import Outcome
from spendgate.policy.rules_run import RuleRunner
from spendgate.problems import Problem


class Progress(Protocol):
    """Told how deciding goes, for a progress bar: the core never prints one itself."""

    def start(self, total: int) -> None:
        """Deciding `total` requests begins."""

    def advance(self, decided: int) -> None:
        """`decided` more requests are decided."""


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
    notary: Notary = field(init=False)
    """Judges who really gave each approval and waiver (git authenticity, dates, duties)."""
    desk: ApprovalDesk = field(init=False)
    waivers: WaiverBook = field(init=False)
    problems_by_file: dict[str, list[Problem]] = field(init=False)
    rules: RuleRunner = field(init=False)
    """Applies each policy's rules to a request: findings, route steps, checks, the trace."""
    displayed: dict[int, Any] = field(init=False, default_factory=dict)
    org_policies: tuple[CompiledPolicy, ...] = field(init=False)
    combined: cel.Program | None = field(init=False)
    recorder: InputRecorder = field(init=False)
    """Names what each decision read (files by blob id, policies, date, rates)."""
    progress: Progress | None = field(init=False, default=None)
    """Told of each request decided (`decide_all`), when someone shows progress."""

    def __post_init__(self) -> None:
        repository = self.repository
        self.locator = Locator(repository.root)
        self.recorder = InputRecorder(repository, self.config, self.book, self.today)
        self.org_policies, self.combined = organisation_program(self.book, self.config)
        self.ledger = ledger(repository, self.config)
        self.rules = RuleRunner(repository, self.locator, self.ledger, self.today)
        paths = self.config.paths
        self.notary = notary_for(
            self.history or repository.root,
            (paths.approvals, paths.waivers),
            people=repository.people,
            requirement=self.config.approvals.require_authenticity,
            today=self.today,
        )
        self.desk = desk(repository, self.config, self.locator, self.notary, self.book.parallel)
        self.waivers = WaiverBook(
            waivers=[(document.file, waiver) for document, waiver in repository.models(Waiver)],
            owners={rule.id: Owner(policy.name, policy.owner) for policy, rule in self.book.rules},
            people=repository.people,
            delegations=self.desk.delegations,
            notary=self.notary,
        )
        self.problems_by_file = defaultdict(list)
        for problem in repository.problems:
            if problem.is_error:
                self.problems_by_file[problem.location.file].append(problem)

    def decide_all(
        self, only: Callable[[str, str], bool] | None = None, *, let_go: bool = False
    ) -> list[Decision]:
        """Decide every request, or those `only(file, request id)` selects, and the invalid ones.

        With `let_go`, each request's model is let go once it is decided (`Repository.let_go`):
        the requests decided after it read only its facts, and the models and the decisions of
        a large repository are not both held whole."""
        decisions = []
        for document in self.repository.requests():
            request = document.model
            if request is None or getattr(request, "status", None) == "withdrawn":
                continue  # a withdrawn request is not decided; one let go is decided already
            if only is not None and not only(document.file, getattr(request, "id", "")):
                continue
            decisions.append(self.decide_isolated(document))
            if let_go:
                self.repository.let_go((document,))
            if self.progress is not None:
                self.progress.advance(1)
        decisions.extend(
            decision
            for decision in self.invalid_requests()
            if only is None or only(decision.file, decision.request_id)
        )
        return sorted(decisions, key=lambda decision: (decision.file, decision.request_id))

    def decide_isolated(self, document: LoadedDocument) -> Decision:
        """`decide(document)`, or an `invalid` decision if spendgate fails while deciding it.

        The boundary between requests: a bug met on one request's data costs that request its
        decision and nothing else (SPEC §13); the report counts it and the check exits 3. A
        SpendgateError (git unreadable, say) is about the whole run and still ends it (exit 2).
        """
        try:
            return self.decide(document)
        except SpendgateError:
            raise
        except Exception as error:  # the per-request boundary; policy failures never get here
            return self.invalid(
                document.file,
                getattr(document.model, "id", "?"),
                getattr(document.model, "title", "(internal error)"),
                [internal_error(document.file, error)],
            )

    def invalid_requests(self) -> list[Decision]:
        """Requests that did not load: a decision each, so the gate reports and blocks them."""
        decisions = []
        for loaded in self.repository.files:
            documents = [
                d
                for d in loaded.documents
                if d.kind == "PurchaseRequest" and d.model is None and d.facts is None
            ]
            if not documents and not (
                loaded.problems and loaded.file.startswith(self.config.paths.requests)
            ):
                continue
            problems = list(loaded.problems) + [p for d in documents for p in d.problems]
            decisions.append(self.invalid(loaded.file, "?", "(does not load)", problems))
        return decisions

    def invalid(self, file: str, request_id: str, title: str, problems: list[Problem]) -> Decision:
        """The `invalid` decision of a request that did not load, with its problems as findings."""
        return invalid_decision(
            (request_id, file, title),
            problems,
            self.config.organization.base_currency,
            self.recorder.inputs(file),
        )

    def decide(self, document: LoadedDocument) -> Decision:
        """The decision on one request: its rules run, its route staffed, its approvals counted."""
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
        industry = self.config.organization.industry
        policies = [p for p in self.book.policies if in_scope(p, request, industry, self.today)]
        outcome = Outcome(context, self.explain, self.displayed, request.id)
        classification = classify(policies, context, outcome)
        bound = cel.activation(context)
        results = self.evaluate_all(bound)
        for policy in policies:
            self.rules.run_policy(
                policy, document, request, bound, outcome, results.get(policy.name)
            )
        route, ignored = self.desk.walk(request, merge_steps(outcome.steps), assessment)
        waived, waiver_notes = self.waivers.apply(
            tuple(outcome.findings),
            request,
            lambda file: self.locator.locate(file, 0, ("id",)),
        )
        findings = waived + self.desk.vetoes(route, document) + ignored + waiver_notes
        return Decision(
            request_id=request.id,
            file=document.file,
            title=request.title,
            status=_status(findings, route),
            total_base=self.ledger.shown_total_base(request),
            base_currency=self.config.organization.base_currency,
            classification=classification,
            route=route,
            findings=findings,
            inputs=self.recorder.inputs(document.file, vendor=vendor, assessment=assessment),
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

    def evaluate_all(self, bound: Any) -> dict[str, list[int]]:
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


def _status(findings: tuple[Finding, ...], route: tuple[RouteStep, ...]) -> Status:
    """Blocked beats rejected (a veto is a blocking finding), rejected beats pending: one
    approver on the route said no, and only a material change to the request clears it."""
    if any(finding.blocking for finding in findings):
        return "blocked"
    if any(step.rejected for step in route):
        return "rejected"
    if all(step.satisfied for step in route):
        return "approved"
    return "pending"

"""The approvals given for a request, from records and reviews, walked along its route.

Approval records come from `approvals/`, reviews from a pull request's GitHub payload; the
notary judges each (who wrote it, who may not approve, its date) before the route is walked.
What does not count is reported as an advisory `APPROVAL` finding at the record (or the reviews
file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spendgate import __version__
from spendgate.approvals.authenticity import Claim, Notary
from spendgate.approvals.counting import described, walk_route
from spendgate.approvals.digest import digests, request_digest
from spendgate.approvals.github import Reviews
from spendgate.decisions import Finding, RouteStep
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval
from spendgate.documents.config import ApprovalSettings
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import Locator
from spendgate.documents.people import Delegation
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.problems import Location


@dataclass
class ApprovalDesk:
    """Everything needed to tell which approvals fill a request's route."""

    settings: ApprovalSettings
    locator: Locator
    records: dict[str, list[tuple[LoadedDocument, Approval]]]
    delegations: tuple[Delegation, ...]
    notary: Notary
    parallel: bool = False
    reviews: Reviews = field(default_factory=Reviews)
    """Pull-request reviews that stand (`check --github-reviews`), and notes on those skipped."""
    reviews_location: Location = field(default_factory=lambda: Location("github-reviews"))
    head_commit: str | None = None
    """The commit being checked; a review given for another commit counts only when the
    request had the same material content there."""
    digest_at: Callable[[str, str], str | None] = lambda commit, request_id: None
    """The request's current-version digest at a commit, None when it cannot be told."""

    def walk(
        self,
        request: PurchaseRequest,
        route: tuple[RouteStep, ...],
        assessment: AIAssessment | None = None,
    ) -> tuple[tuple[RouteStep, ...], tuple[Finding, ...]]:
        """Fill the route from the approvals given; each one that does not count is reported."""
        notes: list[Finding] = [
            review_note(text, self.reviews_location) for text in self.review_notes()
        ]
        counted: list[tuple[Location, Approval, str]] = []
        given = self.approvals_given(request, route, assessment)
        if not given:
            return route, tuple(notes)
        for where, approval, file in given:
            claim = Claim(approval.approver, approval.date, file, approval.written_by)
            verdict = self.notary.judge(claim, requester=request.requester)
            if verdict.counts:
                counted.append((where, approval, verdict.level))
            else:
                reason = f"{described(approval)} does not count: {verdict.refusal}"
                notes.append(approval_note(reason, where, approval))
        if not counted:
            return route, tuple(notes)
        versions = {approval.digest_version for _, approval, _ in counted}
        walked = walk_route(
            route,
            [approval for _, approval, _ in counted],
            [level for _, _, level in counted],
            digests=digests(request, assessment, versions),
            delegations=self.delegations,
            allow_many_steps=self.settings.allow_one_person_many_steps,
            parallel=self.parallel,
        )
        notes += [
            approval_note(ignored.reason, counted[index][0], ignored.approval)
            for index, ignored in walked.ignored
        ]
        return walked.route, tuple(notes)

    def approvals_given(
        self,
        request: PurchaseRequest,
        route: tuple[RouteStep, ...],
        assessment: AIAssessment | None,
    ) -> list[tuple[Location, Approval, str | None]]:
        """Approval records (with their files) and pull-request reviews (with None), as the
        configured source says."""
        source = self.settings.source
        given: list[tuple[Location, Approval, str | None]] = []
        if source in ("records", "both"):
            for document, approval in self.records.get(request.id, []):
                where = self.locator.locate(document.file, document.index, ("approver",))
                given.append((where, approval, document.file))
        if source in ("github", "both"):
            given += [
                (self.reviews_location, approval, None)
                for approval in self.review_approvals(request, route, assessment)
            ]
        return given

    def review_approvals(
        self,
        request: PurchaseRequest,
        route: tuple[RouteStep, ...],
        assessment: AIAssessment | None,
    ) -> list[Approval]:
        """Each review as an approval of this request, for its role or its earliest open step."""
        if not self.reviews.standing:
            return []
        digest = request_digest(request, assessment)
        approvals = []
        for review in self.reviews.standing:
            if review.person is None:
                continue
            role = review.role or next(
                (step.role for step in route if review.person in step.eligible), "unknown"
            )
            current = (
                self.head_commit is None
                or review.commit == self.head_commit
                or self.digest_at(review.commit, request.id) == digest
            )
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
                    digest_version=2,
                )
            )
        return approvals

    def review_notes(self) -> tuple[str, ...]:
        """Why reviews were skipped, when the configured source counts reviews."""
        return self.reviews.notes if self.settings.source in ("github", "both") else ()

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
                (
                    ("approval.approver", step.approved_by),
                    ("approval.role", step.role),
                    ("approval.date", str(step.approved_on)),
                    ("approval.decision", "reject"),
                ),
            )
            for step in vetoed
        )


def review_note(reason: str, where: Location) -> Finding:
    """The advisory finding that a pull-request review does not count, and why."""
    return Finding(
        "APPROVAL",
        "A review given does not count",
        "approvals",
        __version__,
        "advisory",
        reason,
        where,
        (("review", reason),),
    )


def approval_note(reason: str, where: Location, approval: Approval) -> Finding:
    """The advisory finding that an approval record does not count, and why."""
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

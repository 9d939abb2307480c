"""The approvals given for a request, from records and reviews, walked along its route.

Approval records come from `approvals/` with their authenticity from git; reviews from a
pull request's GitHub payload. The pull request's author never approves it. What does not
count is reported as an advisory `APPROVAL` finding at the record (or the reviews file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spendgate import __version__
from spendgate.approvals.authenticity import UNVERIFIED
from spendgate.approvals.counting import walk_route
from spendgate.approvals.digest import request_digest
from spendgate.approvals.github import Review
from spendgate.decisions import Finding, RouteStep
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
    authenticity: dict[str, str]
    parallel: bool = False
    reviews: list[Review] = field(default_factory=list)
    """Pull-request reviews that approve or reject (`check --github-reviews`)."""
    reviews_location: Location = field(default_factory=lambda: Location("github-reviews"))
    head_commit: str | None = None
    """The commit being checked; a review given for another commit is void."""
    pr_author: str | None = None
    """The person who authored the pull request, who cannot approve it."""

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
                notes.append(approval_note(reason, where, approval))
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
            allow_many_steps=self.settings.allow_one_person_many_steps,
            parallel=self.parallel,
            authenticity=[how for _, _, how in counted],
            require_authenticity=self.settings.require_authenticity,
        )
        notes += [
            approval_note(ignored.reason, counted[index][0], ignored.approval)
            for index, ignored in walked.ignored
        ]
        return walked.route, tuple(notes)

    def approvals_given(
        self, request: PurchaseRequest, route: tuple[RouteStep, ...]
    ) -> list[tuple[Location, Approval, str]]:
        """Approval records and pull-request reviews, as the configured source says."""
        source = self.settings.source
        given: list[tuple[Location, Approval, str]] = []
        if source in ("records", "both"):
            for document, approval in self.records.get(request.id, []):
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


def approval_note(reason: str, where: Location, approval: Approval) -> Finding:
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

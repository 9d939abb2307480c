"""Waivers (SPEC §3): lifting soft findings of named rules, for named documents, for a time.

A waiver lifts a finding when the finding is `soft`, its rule is among the waiver's rules, the
request or its vendor is among the waiver's targets, the evaluation date falls between the
grant and the expiry (inclusive), the notary accepts the waiver as its approver's (the same
rule as for approvals: who committed it, never the requester nor the pull request's author,
not dated in the future), and the approver held the role that owns the rule's policy on the
day it was granted. A waiver that has expired, that names a `hard` rule which fired, or that
does not count is reported; one that matches nothing is reported once for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from spendgate.approvals.authenticity import Claim, Notary
from spendgate.approvals.roles import authority
from spendgate.decisions import Finding
from spendgate.documents.people import Delegation, Person
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.waiver import Waiver
from spendgate.problems import Location

Locate = Callable[[str], Location]


@dataclass(frozen=True)
class Owner:
    """Who owns a rule: its policy, and the role that may approve waivers of it."""

    policy: str
    role: str


@dataclass
class WaiverBook:
    """Every waiver of the repository, with what is needed to judge them."""

    waivers: list[tuple[str, Waiver]]
    owners: dict[str, Owner]
    people: dict[str, Person]
    delegations: tuple[Delegation, ...]
    notary: Notary
    matched: set[str] = field(default_factory=set)

    @property
    def today(self) -> date:
        """The evaluation date waivers are judged on."""
        return self.notary.today

    def for_targets(self, targets: Iterable[str]) -> list[tuple[str, Waiver]]:
        """The waivers that name any of `targets`, with their files."""
        wanted = set(targets)
        return [(file, waiver) for file, waiver in self.waivers if wanted & set(waiver.applies_to)]

    def may_grant(self, waiver: Waiver, rule: str) -> str:
        """ "" when the approver may waive `rule`, else why not."""
        owner = self.owners.get(rule)
        if owner is None:
            return f"no policy defines {rule}"
        holders = [person.id for person in self.people.values() if owner.role in person.roles]
        granted = authority(
            waiver.approved_by,
            owner.role,
            waiver.granted,
            eligible=holders,
            delegations=self.delegations,
        )
        if granted.allowed:
            return ""
        return f"{waiver.approved_by} does not hold {owner.role}, which owns {owner.policy}"

    def apply(
        self,
        findings: tuple[Finding, ...],
        request: PurchaseRequest,
        locate: Callable[[str], Location],
    ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        """The findings with valid waivers applied, and findings about the waivers themselves."""
        notes: list[Finding] = []
        result = list(findings)
        for file, waiver in self.for_targets((request.id, request.vendor)):
            where = locate(file)
            if self.today > waiver.expires:
                notes.append(
                    _note(waiver, f"waiver {waiver.id} expired on {waiver.expires}", where)
                )
                continue
            claim = Claim(waiver.approved_by, waiver.granted, file)
            verdict = self.notary.judge(claim, requester=request.requester)
            for position, finding in enumerate(result):
                if finding.rule_id not in waiver.rules:
                    continue
                self.matched.add(waiver.id)
                if finding.enforcement == "hard":
                    message = f"waiver {waiver.id} cannot lift {finding.rule_id}: it is a hard rule"
                    notes.append(_note(waiver, message, where))
                elif finding.enforcement == "soft" and finding.waiver is None:
                    refusal = verdict.refusal or self.may_grant(waiver, finding.rule_id)
                    if refusal:
                        notes.append(
                            _note(waiver, f"waiver {waiver.id} lifts nothing: {refusal}", where)
                        )
                    else:
                        result[position] = replace(finding, waiver=waiver.id)
        return tuple(result), tuple(notes)

    def unmatched(self) -> list[tuple[str, Waiver]]:
        """Current waivers that lifted or met no finding in the whole run."""
        return [
            (file, waiver)
            for file, waiver in self.waivers
            if waiver.id not in self.matched and waiver.granted <= self.today <= waiver.expires
        ]


def _note(waiver: Waiver, message: str, where: Location) -> Finding:
    return Finding(
        "WAIVER",
        "A waiver is not applied",
        "waivers",
        "",
        "advisory",
        message,
        where,
        (("waiver.rules", list(waiver.rules)), ("waiver.expires", waiver.expires.isoformat())),
    )

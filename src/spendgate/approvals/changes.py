"""Changes a pull request makes that need an owner's approval (SPEC §7), and the ChangeApprovals
that give it.

Two kinds of change are governed: a change to a governance file (spendgate.yaml, People,
Budgets, a policy), owned by the policy's owner role (the policy set's for the others); and a
change to a vendor's evidence, owned by the policy set's `vendor_data_owner`. A ChangeApproval
names the file and the `sha256:` of the content it approves; it counts when the notary accepts
it as its approver's (the same rule as every other record: who committed it, never the pull
request's author, never dated in the future), it is for that content and that role, and the
approver holds the role on its date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spendgate.approvals.authenticity import Claim, Notary
from spendgate.approvals.roles import authority
from spendgate.documents.approval import ChangeApproval
from spendgate.documents.config import Paths
from spendgate.documents.discovery import POLICY_TESTS_DIR
from spendgate.documents.people import Delegation, Person
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.vendor import Vendor
from spendgate.problems import Level, Location, Problem

GOVERNANCE_CHANGE = "governance-change"
VENDOR_EVIDENCE_CHANGE = "vendor-evidence-change"

#: What a vendor profile says about the vendor that is not evidence rules judge by.
NOT_EVIDENCE = frozenset({"api_version", "kind", "id", "legal_name"})


@dataclass(frozen=True)
class GovernedChange:
    """A change that needs `owner`'s approval: its file, how it changed, and what it is."""

    path: str
    status: str
    """A added, M modified, D deleted, R renamed (git's letters)."""
    owner: str
    code: str
    """governance-change or vendor-evidence-change."""
    what: str
    """How messages name it: `governance file policies/esg.yaml`, `the evidence of vendor acme
    (esg, sanctions)`."""
    meanwhile: str
    """What holds until it is approved."""


@dataclass(frozen=True)
class ChangeDesk:
    """Everything needed to tell whether a governed change is approved."""

    records: tuple[tuple[str, ChangeApproval], ...]
    """(file, record) of every ChangeApproval."""
    people: dict[str, Person]
    delegations: tuple[Delegation, ...]
    notary: Notary

    def judge(self, change: GovernedChange, content: Path) -> Problem:
        """A warning naming who approved the change, or an error saying whose approval it needs
        (and why the approvals on file, if any, do not count)."""
        digest = content_digest(content)
        refusals = []
        for file, record in self.records:
            if record.change != change.path:
                continue
            refusal = self.refusal(file, record, change.owner, digest)
            if refusal:
                refusals.append(f"{file} does not count: {refusal}")
                continue
            verb = "approved" if record.decision == "approve" else "rejected"
            level = self.notary.level(Claim(record.approver, record.date, file, record.written_by))
            return Problem(
                Location(change.path, 1, 1),
                f"this pull request changes {change.what}, {verb} by {record.approver} as "
                f"{change.owner} on {record.date} ({level})",
                change.code,
                level=Level.WARNING if record.decision == "approve" else Level.ERROR,
            )
        verb = {"A": "adds", "D": "deletes", "R": "renames"}.get(change.status, "changes")
        because = "".join(f"; {refusal}" for refusal in refusals)
        return Problem(
            Location(change.path, 1, 1),
            f"this pull request {verb} {change.what}; it needs the approval of {change.owner}, "
            f"and {change.meanwhile} meanwhile{because}",
            change.code,
        )

    def refusal(self, file: str, record: ChangeApproval, owner: str, digest: str) -> str:
        """Why `record` does not approve the change ("" when it does)."""
        given = f"{record.decision} by {record.approver} as {record.role} on {record.date}"
        if record.role != owner:
            return f"{given} is not by {owner}, the role that owns it"
        if record.content_digest != digest:
            return f"{given} approves other content ({record.content_digest}, not {digest})"
        verdict = self.notary.judge(Claim(record.approver, record.date, file, record.written_by))
        if not verdict.counts:
            return f"{given}: {verdict.refusal}"
        holders = [person.id for person in self.people.values() if owner in person.roles]
        held = authority(
            record.approver, owner, record.date, eligible=holders, delegations=self.delegations
        )
        return "" if held.allowed else f"{given}: {held.reason}"


def content_digest(path: Path) -> str:
    """`sha256:` of a file's bytes (of nothing, for a deleted file): what a ChangeApproval names."""
    data = path.read_bytes() if path.is_file() else b""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def evidence_changes(base: Iterable[Vendor], head: Iterable[Vendor]) -> dict[str, tuple[str, ...]]:
    """Vendor id to the evidence fields that differ between a file's base and head versions
    (`a new vendor`, for a vendor the base version did not have)."""
    before = {vendor.id: _evidence(vendor) for vendor in base}
    changed: dict[str, tuple[str, ...]] = {}
    for vendor in head:
        after = _evidence(vendor)
        old = before.get(vendor.id)
        if old is None:
            changed[vendor.id] = ("a new vendor",)
            continue
        fields = tuple(name for name in after if old.get(name) != after.get(name))
        if fields:
            changed[vendor.id] = fields
    return changed


def _evidence(vendor: Vendor) -> dict[str, Any]:
    dumped = vendor.model_dump(mode="json", exclude_defaults=False)
    return {name: value for name, value in dumped.items() if name not in NOT_EVIDENCE}


def is_governance(path: str, paths: Paths) -> bool:
    """Whether a change to `path` needs its owner's approval as a governance file:
    spendgate.yaml, People, Budgets and policies (but not their test cases)."""
    policies = paths.policies.rstrip("/") + "/"
    if path in (CONFIG_FILE, paths.people, paths.budgets):
        return True
    return path.startswith(policies) and not path.startswith(policies + POLICY_TESTS_DIR + "/")

"""The changes of a pull request that need an owner's approval, judged (SPEC §7).

A change to a governance file needs its owner role's ChangeApproval; so does a change to a
vendor's evidence (or a new vendor), owned by the policy set's `vendor_data_owner`. Until a
vendor's new evidence is approved, requests are judged with the base revision's version of the
vendor file. How a ChangeApproval counts is `spendgate.approvals.changes`.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from spendgate import vcs
from spendgate.app.base_revision import BaseRevision
from spendgate.approvals.authenticity import notary_for
from spendgate.approvals.changes import (
    GOVERNANCE_CHANGE,
    VENDOR_EVIDENCE_CHANGE,
    ChangeDesk,
    GovernedChange,
    evidence_changes,
)
from spendgate.approvals.github import person_of_login
from spendgate.catalogue.overlay import Catalogue
from spendgate.documents.adequacy import AdequacyDecisions
from spendgate.documents.approval import ChangeApproval
from spendgate.documents.config import Config
from spendgate.documents.discovery import YAML_SUFFIXES
from spendgate.documents.loading import LoadedDocument, load_file
from spendgate.documents.people import People
from spendgate.documents.policy import Policy
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.policy.compile import PolicyBook
from spendgate.policy.gate import PullRequest, load
from spendgate.problems import Problem


def governed_problems(
    root: Path,
    base: BaseRevision,
    judged: Path,
    catalogue: Catalogue,
    as_of: date,
    pull_request: PullRequest,
) -> tuple[Problem, ...]:
    """A problem per governed change (governance files, vendor evidence): approved by its
    owner, or waiting for it. A vendor whose new evidence is not approved is judged with its
    evidence as of the base revision: its file in `judged` is the base's."""
    evidence = _vendor_evidence_changes(root, base)
    if not base.governance and not evidence:
        return ()
    repository, config, book, _ = load(judged, catalogue)
    desk = _change_desk(root, repository, config, as_of, pull_request)
    owners = governance_owners(repository, book)
    changes = [
        GovernedChange(
            change.path,
            change.status,
            owners.get(change.path, owners["*"]),
            GOVERNANCE_CHANGE,
            f"governance file {change.path}",
            "the pull request is judged by the base revision's rules",
        )
        for change in base.governance
    ] + [
        GovernedChange(
            change.path,
            change.status,
            owners["vendors"],
            VENDOR_EVIDENCE_CHANGE,
            "the evidence of "
            + "; ".join(
                f"vendor {vendor} ({', '.join(fields)})" for vendor, fields in vendors.items()
            ),
            "requests are judged with the vendor's evidence as of the base revision"
            if had_base
            else "the pull request is blocked",
        )
        for change, vendors, had_base in evidence
    ]
    problems = tuple(desk.judge(change, root / change.path) for change in changes)
    for change, problem in zip(changes, problems, strict=True):
        if change.code == VENDOR_EVIDENCE_CHANGE and problem.is_error:
            _judge_with_base_evidence(root, base, judged, change)
    return problems


def _change_desk(
    root: Path, repository: Repository, config: Config, as_of: date, pull_request: PullRequest
) -> ChangeDesk:
    notary = notary_for(
        root,
        (config.paths.approvals,),
        people=repository.people,
        requirement=config.approvals.require_authenticity,
        today=as_of,
    )
    notary.pr_author = person_of_login(repository.people, pull_request.author_login)
    delegations = tuple(
        delegation for _, people in repository.models(People) for delegation in people.delegations
    )
    records = tuple(
        (document.file, record) for document, record in repository.models(ChangeApproval)
    )
    return ChangeDesk(records, repository.people, delegations, notary)


def _vendor_evidence_changes(
    root: Path, base: BaseRevision
) -> list[tuple[vcs.Change, dict[str, tuple[str, ...]], bool]]:
    """The changed vendor files whose vendors' evidence differs from the base revision's, and
    whether the base revision had the file."""
    folder = base.paths.vendors.rstrip("/") + "/"
    found = []
    for change in base.changes:
        if change.status == "D" or not change.path.startswith(folder):
            continue
        if not change.path.endswith(YAML_SUFFIXES) or not (root / change.path).is_file():
            continue
        before = _base_vendors(root, base, change.old or change.path)
        after = _vendors(load_file(root / change.path, root=root).documents)
        vendors = evidence_changes(before, after)
        if vendors:
            found.append((change, vendors, bool(before)))
    return found


def _base_vendors(root: Path, base: BaseRevision, path: str) -> list[Vendor]:
    target = base.tree.parent / "base-vendors"
    vcs.export_tree(root, base.commit, target, (path,))
    if not (target / path).is_file():
        return []
    return _vendors(load_file(target / path, root=target).documents)


def _vendors(documents: tuple[LoadedDocument, ...]) -> list[Vendor]:
    return [document.model for document in documents if isinstance(document.model, Vendor)]


def _judge_with_base_evidence(
    root: Path, base: BaseRevision, judged: Path, change: GovernedChange
) -> None:
    """Put the base revision's version of a vendor file in the judged tree, when it had one (a
    new vendor file stays: its change blocks the pull request until approved)."""
    original = next(c.old or c.path for c in base.changes if c.path == change.path)
    source = base.tree.parent / "base-vendors" / original
    if not source.is_file():
        return
    target = judged / change.path
    if target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def governance_owners(repository: Repository, book: PolicyBook | None) -> dict[str, str]:
    """Governance file -> the role whose approval a change to it needs: a policy's or an
    adequacy list's own `metadata.owner` (`*`: the policy set's owner, for the other governance
    files; `vendors`: the owner of vendor evidence)."""
    owned: list[tuple[LoadedDocument, Policy | AdequacyDecisions]] = [
        *repository.models(Policy),
        *repository.models(AdequacyDecisions),
    ]
    owners = {document.file: model.metadata.owner for document, model in owned}
    owners["*"] = book.owner if book else "procurement"
    owners["vendors"] = book.vendor_data_owner if book else "procurement"
    return owners

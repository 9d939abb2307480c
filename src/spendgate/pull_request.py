"""Pull-request mode (SPEC §7): check what a change adds or affects, by the base's rules.

The head tree supplies the documents; the merge base supplies the governance: spendgate.yaml,
People, Budgets and every policy. A pull request therefore cannot loosen the rules it is judged
by: each change to a governance file is itself a blocking problem naming the file and the role
that owns it. A deleted request, approval, waiver or vendor is a problem too (records are
withdrawn, never deleted). Only the requests the change touches are reported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from spendgate import vcs
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval, ChangeApproval
from spendgate.documents.config import Paths
from spendgate.documents.discovery import CONFIG_FILE, POLICY_TESTS_DIR
from spendgate.documents.policy import Policy, PolicySet
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository, open_repository
from spendgate.documents.waiver import Waiver
from spendgate.errors import UsageError
from spendgate.policy.gate import CheckReport, PullRequest, check_repository
from spendgate.problems import Level, Location, Problem

SKIPPED = (".git", ".spendgate-cache")


@dataclass(frozen=True)
class Judged:
    """The tree to decide (head documents, base governance) and what the change touched."""

    root: Path
    base: str
    changes: tuple[vcs.Change, ...]
    governance: tuple[vcs.Change, ...]


def is_governance(path: str, paths: Paths) -> bool:
    """spendgate.yaml, People, Budgets and policies (but not their test cases)."""
    policies = paths.policies.rstrip("/") + "/"
    if path in (CONFIG_FILE, paths.people, paths.budgets):
        return True
    return path.startswith(policies) and not path.startswith(policies + POLICY_TESTS_DIR + "/")


@contextmanager
def judged_tree(root: Path, base_ref: str) -> Iterator[Judged]:
    """A scratch copy of the head tree with every governance file as it is at the merge base."""
    base = vcs.merge_base(root, base_ref)
    if base is None:
        raise UsageError(f"cannot find the merge base of {base_ref} and HEAD in {root}")
    with tempfile.TemporaryDirectory(prefix="spendgate-pr-") as scratch:
        base_tree = Path(scratch) / "base"
        if not vcs.export_tree(root, base, base_tree, (CONFIG_FILE,)):
            raise UsageError(f"cannot read revision {base} in {root}")
        paths = _paths(base_tree)
        governance_paths = (paths.people, paths.budgets, paths.policies)
        if not vcs.export_tree(root, base, base_tree, governance_paths):
            raise UsageError(f"cannot read the governance files of revision {base} in {root}")
        judged = Path(scratch) / "judged"
        shutil.copytree(
            root,
            judged,
            ignore=shutil.ignore_patterns(*SKIPPED),
            symlinks=True,
            copy_function=_link_or_copy,
        )
        _replace_governance(judged, base_tree, paths)
        changes = tuple(vcs.changes(root, base))
        governance = tuple(
            c
            for c in changes
            if is_governance(c.path, paths) or (c.old and is_governance(c.old, paths))
        )
        yield Judged(judged, base, changes, governance)


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a file into the scratch tree (it is only read), or copy it across devices."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _paths(tree: Path) -> Paths:
    config = open_repository(tree).config if (tree / CONFIG_FILE).is_file() else None
    return config.paths if config else Paths()


def _replace_governance(judged: Path, base_tree: Path, paths: Paths) -> None:
    for relative in _governance_files(judged, paths):
        (judged / relative).unlink()
    for relative in _governance_files(base_tree, paths):
        target = judged / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base_tree / relative, target)


def _governance_files(tree: Path, paths: Paths) -> list[Path]:
    found = [
        Path(name) for name in (CONFIG_FILE, paths.people, paths.budgets) if (tree / name).is_file()
    ]
    policies = tree / paths.policies
    if policies.is_dir():
        found += [
            path.relative_to(tree)
            for path in policies.rglob("*")
            if path.is_file() and POLICY_TESTS_DIR not in path.relative_to(policies).parts[:1]
        ]
    return found


def check_against_base(
    root: Path, base_ref: str, *, as_of: date, pull_request: PullRequest | None = None
) -> CheckReport:
    """Decide the requests a change adds or affects, judged by the merge base's governance."""
    with judged_tree(root, base_ref) as judged:
        changed_files = {change.path for change in judged.changes}
        touched: set[str] = set()
        repository_seen: list[Repository] = []

        def select(repository: Repository) -> Callable[[str, str], bool]:
            touched.update(touched_requests(repository, judged.changes))
            repository_seen.append(repository)
            return lambda file, request_id: request_id in touched or file in changed_files

        report = check_repository(
            judged.root,
            as_of=as_of,
            pull_request=pull_request or PullRequest(),
            history=root,
            only=select,
        )
        repository = repository_seen[0] if repository_seen else open_repository(judged.root)
        owners = _owners(repository)
    decisions = report.decisions
    author = _person_of_login(repository, (pull_request or PullRequest()).author_login)
    problems = (
        tuple(
            _governance_problem(change, owners, _change_approvals(repository, change, root), author)
            for change in judged.governance
        )
        + tuple(
            _deletion_problem(change, repository)
            for change in judged.changes
            if change.status == "D" and _is_record(change.path, repository)
        )
        + tuple(p for p in report.problems if p.location.file in changed_files)
    )
    notes = [
        f"Judged by the rules of the base revision {judged.base[:12]} "
        f"(policy set {report.policy_set} {report.policy_set_version}), not by this change's: "
        f"{len(judged.changes)} changed file(s), {len(decisions)} request(s) affected."
    ]
    if judged.governance:
        impact = impact_against_base(root, base_ref, as_of=as_of)
        notes.append(f"Impact of the governance change: {impact.summary()}.")
    return replace(
        report, root=str(root), decisions=decisions, problems=problems, notes=tuple(notes)
    )


def touched_requests(repository: Repository, changes: tuple[vcs.Change, ...]) -> set[str]:
    """The requests a change adds or modifies, and those whose vendor, assessment, approvals or
    waivers it changes."""
    files = {change.path for change in changes if change.status != "D"}
    touched: set[str] = set()
    vendors: set[str] = set()
    for document in repository.documents():
        if document.file not in files:
            continue
        model = document.model
        if isinstance(model, PurchaseRequest):
            touched.add(model.id)
        elif isinstance(model, (AIAssessment, Approval)):
            touched.add(model.request)
        elif isinstance(model, Waiver):
            touched.update(model.applies_to)
            vendors.update(model.applies_to)
        elif document.kind == "Vendor":
            vendors.add(getattr(model, "id", ""))
    for _, request in repository.models(PurchaseRequest):
        if request.vendor in vendors or (
            request.ai_assessment and request.ai_assessment in touched
        ):
            touched.add(request.id)
    return touched


def _owners(repository: Repository) -> dict[str, str]:
    """Governance file -> the role whose approval a change to it needs."""
    policy_set_owner = next(
        (model.metadata.owner for _, model in repository.models(PolicySet)), "procurement"
    )
    owners = {document.file: model.metadata.owner for document, model in repository.models(Policy)}
    owners["*"] = policy_set_owner
    return owners


def _person_of_login(repository: Repository, login: str | None) -> str | None:
    if login is None:
        return None
    return next(
        (p.id for p in repository.people.values() if (p.github or "").lower() == login.lower()),
        None,
    )


def content_digest(path: Path) -> str:
    """`sha256:` of a file's bytes (of nothing, for a deleted file): what a ChangeApproval names."""
    data = path.read_bytes() if path.is_file() else b""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _change_approvals(
    repository: Repository, change: vcs.Change, root: Path
) -> list[tuple[ChangeApproval, bool, bool]]:
    """ChangeApprovals of this file: (record, digest matches the change, approver holds role)."""
    digest = content_digest(root / change.path)
    found = []
    for _, record in repository.models(ChangeApproval):
        if record.change != change.path:
            continue
        person = repository.people.get(record.approver)
        holds = person is not None and record.role in person.roles
        found.append((record, record.content_digest == digest, holds))
    return found


def _governance_problem(
    change: vcs.Change,
    owners: dict[str, str],
    approvals: list[tuple[ChangeApproval, bool, bool]],
    author: str | None,
) -> Problem:
    owner = owners.get(change.path, owners["*"])
    for record, current, holds in approvals:
        if record.role == owner and current and holds and record.approver != author:
            verb = "approved" if record.decision == "approve" else "rejected"
            return Problem(
                Location(change.path, 1, 1),
                f"this pull request changes governance file {change.path}, {verb} by "
                f"{record.approver} as {owner} on {record.date}",
                "governance-change",
                level=Level.WARNING if record.decision == "approve" else Level.ERROR,
            )
    verb = {"A": "adds", "M": "changes", "D": "deletes", "R": "renames"}.get(
        change.status, "changes"
    )
    return Problem(
        Location(change.path, 1, 1),
        f"this pull request {verb} governance file {change.path}; it needs the approval of "
        f"{owner}, and the pull request is judged by the base revision's rules meanwhile",
        "governance-change",
    )


def _is_record(path: str, repository: Repository) -> bool:
    paths = repository.config.paths if repository.config else Paths()
    folders = (paths.requests, paths.approvals, paths.waivers, paths.vendors, paths.ai)
    return any(path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _deletion_problem(change: vcs.Change, repository: Repository) -> Problem:
    return Problem(
        Location(change.path, 1, 1),
        f"{change.path} is deleted; records are never deleted: set `status: withdrawn` instead",
        "record-deleted",
    )


@dataclass(frozen=True)
class Outcome:
    """How one request is decided: status, classification and the roles of its route."""

    status: str
    classification: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    """The requests a governance change would decide differently, base beside head."""

    base: str
    requests: int
    changed: tuple[tuple[str, str, Outcome, Outcome], ...]
    """(request id, file, under the base's rules, under the change's rules)."""

    def summary(self) -> str:
        return (
            f"{len(self.changed)} of {self.requests} requests would be decided differently under "
            f"this change's rules than under those of {self.base[:12]}"
        )


def _outcomes(report: CheckReport) -> dict[str, tuple[str, Outcome]]:
    return {
        decision.request_id: (
            decision.file,
            Outcome(
                decision.status,
                decision.classification.result,
                tuple(sorted({role for step in decision.route for role in step.roles})),
            ),
        )
        for decision in report.decisions
    }


def impact_against_base(root: Path, base_ref: str, *, as_of: date) -> Impact:
    """Decide every request under the base's governance and the change's; list what differs."""
    with judged_tree(root, base_ref) as judged:
        before = _outcomes(check_repository(judged.root, as_of=as_of, history=root))
        base = judged.base
    after = _outcomes(check_repository(root, as_of=as_of))
    changed = tuple(
        (request_id, after[request_id][0], before[request_id][1], after[request_id][1])
        for request_id in sorted(set(before) & set(after))
        if before[request_id][1] != after[request_id][1]
    )
    return Impact(base, len(after), changed)

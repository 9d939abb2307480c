"""Pull-request mode (SPEC §7): check what a change adds or affects, by the base's rules.

The head tree supplies the documents; the merge base supplies the governance: spendgate.yaml,
People, Budgets and every policy. A pull request therefore cannot loosen the rules it is judged
by: each change to a governance file is itself a blocking problem naming the file and the role
that owns it. A deleted request, approval, waiver or vendor is a problem too (records are
withdrawn, never deleted). Only the requests the change touches are reported.

Only the documents the change touches, and those deciding them reads, are loaded; the catalogue
(`spendgate.catalogue`, cached by git blob id) stands in for the rest of the repository.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from spendgate import vcs
from spendgate.approvals.authenticity import notary_for
from spendgate.approvals.changes import (
    GOVERNANCE_CHANGE,
    VENDOR_EVIDENCE_CHANGE,
    ChangeDesk,
    GovernedChange,
    evidence_changes,
)
from spendgate.audit.anchor import extension_problem
from spendgate.catalogue import Catalogue, Store, Summary, in_record_folder, summaries
from spendgate.documents.approval import ChangeApproval
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import CONFIG_FILE, POLICY_TESTS_DIR, YAML_SUFFIXES
from spendgate.documents.loading import LoadedDocument, load_file
from spendgate.documents.people import People
from spendgate.documents.policy import Policy
from spendgate.documents.repository import Repository
from spendgate.documents.source import leaves_repository
from spendgate.documents.vendor import Vendor
from spendgate.policy.compile import PolicyBook
from spendgate.policy.gate import CheckReport, PullRequest, check_repository, load
from spendgate.problems import Location, Problem

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


@dataclass(frozen=True)
class _Base:
    """The merge base, its governance files exported to `tree`, and the change since it."""

    commit: str
    tree: Path
    paths: Paths
    changes: tuple[vcs.Change, ...]
    governance: tuple[vcs.Change, ...]


def _base(root: Path, base_ref: str, scratch: Path) -> _Base:
    base = vcs.merge_base(root, base_ref)
    base_tree = scratch / "base"
    vcs.export_tree(root, base, base_tree, (CONFIG_FILE,))
    paths = _paths(base_tree)
    governance_paths = (paths.people, paths.budgets, paths.policies)
    vcs.export_tree(root, base, base_tree, governance_paths)
    changes = tuple(vcs.changes(root, base))
    governance = tuple(
        c
        for c in changes
        if is_governance(c.path, paths) or (c.old and is_governance(c.old, paths))
    )
    return _Base(base, base_tree, paths, changes, governance)


@contextmanager
def judged_tree(root: Path, base_ref: str) -> Iterator[Judged]:
    """A scratch copy of the whole head tree with every governance file as it is at the merge
    base (what `impact` decides in full)."""
    with tempfile.TemporaryDirectory(prefix="spendgate-pr-") as scratch:
        base = _base(root, base_ref, Path(scratch))
        judged = Path(scratch) / "judged"
        shutil.copytree(
            root,
            judged,
            ignore=shutil.ignore_patterns(*SKIPPED),
            symlinks=True,
            copy_function=_link_or_copy,
        )
        _replace_governance(judged, base.tree, base.paths)
        yield Judged(judged, base.commit, base.changes, base.governance)


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a file into the scratch tree (it is only read), or copy it across devices."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _paths(tree: Path) -> Paths:
    """The document paths spendgate.yaml configures in `tree` (the defaults when it fails)."""
    path = tree / CONFIG_FILE
    if not path.is_file():
        return Paths()
    loaded = load_file(path, root=tree)
    config = next((d.model for d in loaded.documents if isinstance(d.model, Config)), None)
    return config.paths if isinstance(config, Config) else Paths()


def _replace_governance(judged: Path, base_tree: Path, paths: Paths) -> None:
    for relative in _governance_files(judged, paths):
        (judged / relative).unlink()
    _copy_governance(base_tree, judged, paths)


def _copy_governance(base_tree: Path, judged: Path, paths: Paths) -> None:
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
    store = Store.open(root)
    try:
        return _check_against_base(root, base_ref, as_of, pull_request or PullRequest(), store)
    except sqlite3.DatabaseError as error:
        store.connection.close()
        store = Store.discard(root, f"the cache failed to read ({error}) and was deleted")
        return _check_against_base(root, base_ref, as_of, pull_request or PullRequest(), store)
    finally:
        store.connection.close()


def _check_against_base(
    root: Path, base_ref: str, as_of: date, pull_request: PullRequest, store: Store
) -> CheckReport:
    with tempfile.TemporaryDirectory(prefix="spendgate-pr-") as scratch:
        base = _base(root, base_ref, Path(scratch))
        catalogue, summarised = _catalogue(root, base, store)
        touched = touched_requests(catalogue)
        judged = Path(scratch) / "judged"
        _copy_governance(base.tree, judged, base.paths)
        catalogue.loaded = _dependencies(catalogue, touched) | _changed_documents(base)
        catalogue.loaded |= _always_loaded(root, base.paths)
        for relative in sorted(catalogue.loaded):
            _link_into(root, judged, relative)
        governed = _governed_changes(root, base, judged, catalogue, as_of, pull_request)
        governed += _log_rewritten(root, base)
        changed_files = {change.path for change in base.changes}
        report = check_repository(
            judged,
            as_of=as_of,
            pull_request=pull_request,
            history=root,
            only=lambda file, request_id: request_id in touched or file in changed_files,
            elsewhere=catalogue,
        )
    problems = (
        governed
        + tuple(_deletion_problem(change) for change in base.changes if _deletes(change, base))
        + tuple(_edit_problem(change) for change in base.changes if _edits_approval(change, base))
        + tuple(p for p in report.problems if p.location.file in changed_files)
    )
    notes = [
        f"Judged by the rules of the base revision {base.commit[:12]} "
        f"(policy set {report.policy_set} {report.policy_set_version}), not by this change's: "
        f"{len(base.changes)} changed file(s), {len(report.decisions)} request(s) affected.",
        f"Loaded the {len(catalogue.loaded)} document file(s) the change touches or depends on; "
        f"the rest of the repository came from the catalogue ({store.location}, "
        + (f"{summarised} file(s) summarised" if summarised else "up to date")
        + ").",
    ]
    notes += [
        f"Vendor evidence in {problem.location.file} is not approved yet: requests are judged "
        "with the vendor's evidence as of the base revision."
        for problem in governed
        if problem.code == VENDOR_EVIDENCE_CHANGE and problem.is_error
    ]
    if base.governance:
        impact = impact_against_base(root, base_ref, as_of=as_of)
        notes.append(f"Impact of the governance change: {impact.summary()}.")
    return replace(report, root=str(root), problems=problems, notes=tuple(notes))


def _log_rewritten(root: Path, base: _Base) -> tuple[Problem, ...]:
    """The decision log is appended to, never edited or cut: the base's must be a prefix of the
    committed head's (read from git: no link or special file in the work tree is followed)."""
    log = base.paths.audit_log
    base_log = vcs.file_at(root, base.commit, log) or b""
    head_log = vcs.file_at(root, "HEAD", log) or b""
    problem = extension_problem(base_log, head_log, log=log)
    return (problem,) if problem else ()


def _deletes(change: vcs.Change, base: _Base) -> bool:
    """A deleted record, or one renamed out of its folder or out of the document set: records
    are withdrawn, never deleted (a rename inside the folder keeps the record)."""
    if change.status == "D":
        return in_record_folder(change.path, base.paths)
    if change.status != "R" or change.old is None or not in_record_folder(change.old, base.paths):
        return False
    folder = _record_folder(change.old, base.paths)
    return _record_folder(change.path, base.paths) != folder or not change.path.endswith(
        YAML_SUFFIXES
    )


def _edits_approval(change: vcs.Change, base: _Base) -> bool:
    """An approval record the base has, changed or moved: a rejection edited by anyone but
    its approver would stop counting, so approvals, once committed, are never edited."""
    folder = base.paths.approvals.rstrip("/") + "/"
    before = change.old if change.status == "R" else change.path
    moved_out = _deletes(change, base)  # reported as a deletion
    edited = change.status in ("M", "R") and before is not None and before.startswith(folder)
    return edited and not moved_out


def _edit_problem(change: vcs.Change) -> Problem:
    path = change.old if change.status == "R" and change.old else change.path
    verb = f"moved to {change.path}" if change.status == "R" else "edited"
    return Problem(
        Location(path, 1, 1),
        f"{path} is {verb}; approval records are never changed once committed: record a new "
        "approval or rejection instead",
        "record-edited",
    )


def _record_folder(path: str, paths: Paths) -> str | None:
    return next(
        (
            folder
            for folder in (paths.vendors, paths.requests, paths.ai, paths.approvals, paths.waivers)
            if path.startswith(folder.rstrip("/") + "/")
        ),
        None,
    )


def _catalogue(root: Path, base: _Base, store: Store) -> tuple[Catalogue, int]:
    """The head tree's catalogue: the base tree's (from the cache, or built) with the change's
    files read from the working tree laid over it. Also returns how many blobs were read."""
    tree = vcs.tree_id(root, base.commit)
    summarised = 0
    if not store.has_tree(tree):
        summarised = store.add_tree(root, base.commit, tree, base.paths)
    store.touch(tree)
    overlay: list[Summary] = []
    for change in base.changes:
        if change.status != "D" and in_record_folder(change.path, base.paths):
            path = root / change.path
            if change.path.endswith(YAML_SUFFIXES) and path.is_file():
                overlay += summaries(load_file(path, root=root))
    replaced = frozenset(
        path for change in base.changes for path in (change.path, change.old) if path is not None
    )
    return Catalogue(store, tree, root, replaced, tuple(overlay)), summarised


def touched_requests(catalogue: Catalogue) -> set[str]:
    """The requests a change adds, modifies or deletes, and those whose vendor, assessment,
    approvals or waivers it adds, changes or deletes."""
    touched: set[str] = set()
    vendors: set[str] = set()
    assessments: set[str] = set()
    for summary in (*catalogue.overlay, *catalogue.replaced_summaries()):
        if summary.kind == "PurchaseRequest":
            touched.add(summary.id)
        elif summary.kind in ("AIAssessment", "Approval") and summary.request:
            touched.add(summary.request)
            if summary.kind == "AIAssessment":
                assessments.add(summary.id)
        elif summary.kind == "Vendor":
            vendors.add(summary.id)
        elif summary.kind == "Waiver":
            touched.update(summary.targets)
            vendors.update(summary.targets)
    for vendor in vendors:
        touched.update(s.id for s in catalogue.referencing("vendor", vendor, "PurchaseRequest"))
    for assessment in assessments:
        touched.update(
            s.id for s in catalogue.referencing("ai_assessment", assessment, "PurchaseRequest")
        )
    return touched


def _dependencies(catalogue: Catalogue, touched: set[str]) -> set[str]:
    """The files deciding `touched` reads: the requests, what they amend or renew, their
    vendors, assessments and approvals, every request of the same vendors (split purchases and
    duplicates), every waiver and every ChangeApproval."""
    files: set[str] = set()
    vendors: set[str] = set()
    pending = sorted(touched)
    seen: set[str] = set()
    while pending:
        request_id = pending.pop()
        if request_id in seen:
            continue
        seen.add(request_id)
        for request in catalogue.defining("PurchaseRequest", request_id):
            files.add(request.path)
            vendors.add(request.vendor or "")
            pending += [request.amends] if request.amends else []
            for kind, identifier in (
                ("PurchaseRequest", request.renews),
                ("AIAssessment", request.ai_assessment),
            ):
                if identifier:
                    files.update(s.path for s in catalogue.defining(kind, identifier))
        for kind in ("Approval", "AIAssessment"):
            files.update(s.path for s in catalogue.referencing("request", request_id, kind))
    for vendor in vendors - {""}:
        files.update(s.path for s in catalogue.defining("Vendor", vendor))
        files.update(s.path for s in catalogue.referencing("vendor", vendor, "PurchaseRequest"))
    for kind in ("Waiver", "ChangeApproval"):
        files.update(s.path for s in catalogue.of_kind(kind))
    return files


def _changed_documents(base: _Base) -> set[str]:
    """The change's own document files (governance aside), so that their problems are found."""
    return {
        change.path
        for change in base.changes
        if change.status != "D" and in_record_folder(change.path, base.paths)
    }


def _always_loaded(root: Path, paths: Paths) -> set[str]:
    """Price benchmarks: few files, read by every decision."""
    top = root / paths.benchmarks
    if leaves_repository(top, root):
        return set()
    if top.is_file():
        return {paths.benchmarks}
    candidates = top.rglob("*") if top.is_dir() else iter(())
    return {
        path.relative_to(root).as_posix()
        for path in candidates
        if path.name.endswith(YAML_SUFFIXES) and path.is_file()
    }


def _link_into(root: Path, judged: Path, relative: str) -> None:
    source = root / relative
    target = judged / relative
    if target.exists() or not (source.is_file() or source.is_symlink()):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        target.symlink_to(source.readlink())
    else:
        _link_or_copy(str(source), str(target))


def _governed_changes(
    root: Path,
    base: _Base,
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
    owners = _owners(repository, book)
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
    notary.pr_author = _person_of_login(repository, pull_request.author_login)
    delegations = tuple(
        delegation for _, people in repository.models(People) for delegation in people.delegations
    )
    records = tuple(
        (document.file, record) for document, record in repository.models(ChangeApproval)
    )
    return ChangeDesk(records, repository.people, delegations, notary)


def _vendor_evidence_changes(
    root: Path, base: _Base
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


def _base_vendors(root: Path, base: _Base, path: str) -> list[Vendor]:
    target = base.tree.parent / "base-vendors"
    vcs.export_tree(root, base.commit, target, (path,))
    if not (target / path).is_file():
        return []
    return _vendors(load_file(target / path, root=target).documents)


def _vendors(documents: tuple[LoadedDocument, ...]) -> list[Vendor]:
    return [document.model for document in documents if isinstance(document.model, Vendor)]


def _judge_with_base_evidence(
    root: Path, base: _Base, judged: Path, change: GovernedChange
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


def _owners(repository: Repository, book: PolicyBook | None) -> dict[str, str]:
    """Governance file -> the role whose approval a change to it needs (`*`: the policy set's
    owner, for the other governance files; `vendors`: the owner of vendor evidence)."""
    owners = {document.file: model.metadata.owner for document, model in repository.models(Policy)}
    owners["*"] = book.owner if book else "procurement"
    owners["vendors"] = book.vendor_data_owner if book else "procurement"
    return owners


def _person_of_login(repository: Repository, login: str | None) -> str | None:
    if login is None:
        return None
    return next(
        (p.id for p in repository.people.values() if (p.github or "").lower() == login.lower()),
        None,
    )


def _deletion_problem(change: vcs.Change) -> Problem:
    """A problem at the record's path as the base has it (before a rename out of sight)."""
    path = change.old if change.status == "R" and change.old else change.path
    moved = f"moved to {change.path}, out of the documents" if change.status == "R" else "deleted"
    return Problem(
        Location(path, 1, 1),
        f"{path} is {moved}; records are never deleted: set `status: withdrawn` instead",
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

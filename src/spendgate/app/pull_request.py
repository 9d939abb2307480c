"""Pull-request mode (SPEC §7): check what a change adds or affects, by the base's rules.

The head tree supplies the documents; the merge base supplies the governance: spendgate.yaml,
People, Budgets and every policy. A pull request therefore cannot loosen the rules it is judged
by: each change to a governance file, or to a vendor's evidence, is itself a blocking problem
naming the file and the role that owns it, until that role approves it (`governed_changes`).
Deleting a record, moving it out of sight, editing a committed approval or rewriting the
decision log is a problem too (`record_changes`). Only the requests the change touches are
reported.

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
from spendgate.app.base_revision import BaseRevision
from spendgate.app.governed_changes import governed_problems
from spendgate.app.record_changes import log_problems, record_problems
from spendgate.approvals.changes import VENDOR_EVIDENCE_CHANGE, is_governance
from spendgate.catalogue.cache_dir import CACHE_DIR
from spendgate.catalogue.overlay import Catalogue
from spendgate.catalogue.store import Store
from spendgate.catalogue.summary import Summary, in_record_folder, summaries
from spendgate.decisions import CheckReport, Impact, ImpactOutcome
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import POLICY_TESTS_DIR, YAML_SUFFIXES
from spendgate.documents.loading import load_file
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.source import leaves_repository
from spendgate.policy.gate import PullRequest, check_repository
from spendgate.problems import Severity

SKIPPED = (".git", CACHE_DIR)
REQUEST = "PurchaseRequest"


@dataclass(frozen=True)
class Judged:
    """The tree to decide (head documents, base governance) and what the change touched."""

    root: Path
    base: str
    changes: tuple[vcs.Change, ...]
    governance: tuple[vcs.Change, ...]


def _base(root: Path, base_ref: str, scratch: Path) -> BaseRevision:
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
    return BaseRevision(base, base_tree, paths, changes, governance)


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
        governed = governed_problems(root, base, judged, catalogue, as_of, pull_request)
        governed += log_problems(root, base)
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
        + record_problems(base)
        + tuple(p for p in report.problems if p.location.file in changed_files)
    )
    notes = [
        f"Judged by the rules of the base revision {base.commit[:12]} "
        f"(policy set {report.policy_set} {report.policy_set_version}), not by this change's: "
        f"{len(base.changes)} changed file(s), {len(report.decisions)} request(s) affected.",
    ]
    diagnostic = (
        f"Loaded the {len(catalogue.loaded)} document file(s) the change touches or depends on; "
        f"the rest of the repository came from the catalogue ({store.location}, "
        + (f"{summarised} file(s) summarised" if summarised else "up to date")
        + ")."
    )
    notes += [
        f"Vendor evidence in {problem.location.file} is not approved yet: requests are judged "
        "with the vendor's evidence as of the base revision."
        for problem in governed
        if problem.code == VENDOR_EVIDENCE_CHANGE and problem.is_error
    ]
    impact = impact_against_base(root, base_ref, as_of=as_of) if base.governance else None
    if impact is not None:
        notes.append(f"Impact of the governance change: {impact.summary()}.")
    return replace(
        report,
        root=str(root),
        problems=problems,
        notes=tuple(notes),
        impact=impact,
        diagnostics=(diagnostic,),
    )


def _catalogue(root: Path, base: BaseRevision, store: Store) -> tuple[Catalogue, int]:
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
    """The requests a change adds, modifies or deletes, and those the documents it adds,
    modifies or deletes bear on (`_related_requests`)."""
    touched: set[str] = set()
    for summary in (*catalogue.overlay, *catalogue.replaced_summaries()):
        touched |= _related_requests(catalogue, summary)
    return touched


def _related_requests(catalogue: Catalogue, summary: Summary) -> set[str]:
    """The requests a changed document bears on, by the references the models declare: itself
    if it is a request, the requests it refers to, those that refer to it and, for a document
    other than a request, those that refer to a document it refers to (a waived vendor's)."""
    related = set(summary.refers_to(REQUEST))
    documents = [(summary.kind, summary.id)] if summary.id else []
    if summary.kind == REQUEST:
        related.add(summary.id)
    else:
        documents += [pair for pair in summary.references if pair[0] != REQUEST]
    for kind, identifier in documents:
        related |= _requests_referring(catalogue, kind, identifier)
    return related


def _requests_referring(catalogue: Catalogue, kind: str, identifier: str) -> set[str]:
    """The ids of the requests that refer to the document `identifier` of `kind`."""
    return {s.id for s in catalogue.referencing(kind, identifier, REQUEST)}


def _request_group(catalogue: Catalogue, request_ids: set[str]) -> set[str]:
    """`request_ids` with every request linked to one of them by request references, either
    way and transitively: what it amends or renews, and what amends or renews it."""
    group: set[str] = set()
    pending = sorted(request_ids)
    while pending:
        request_id = pending.pop()
        if request_id in group:
            continue
        group.add(request_id)
        for request in catalogue.defining(REQUEST, request_id):
            pending += request.refers_to(REQUEST)
        pending += sorted(_requests_referring(catalogue, REQUEST, request_id))
    return group


def _dependencies(catalogue: Catalogue, touched: set[str]) -> set[str]:
    """The files deciding `touched` reads, by the references the models declare: each request
    of their groups (`_request_group`), every document that refers to one of those (approvals,
    assessments), every document they refer to (vendor, assessment) with every request that
    refers to it too (split purchases and duplicates), every waiver and every ChangeApproval."""
    files: set[str] = set()
    shared: set[tuple[str, str]] = set()
    for request_id in _request_group(catalogue, touched):
        for request in catalogue.defining(REQUEST, request_id):
            files.add(request.path)
            shared.update(pair for pair in request.references if pair[0] != REQUEST)
        files.update(s.path for s in catalogue.referencing(REQUEST, request_id))
    for kind, identifier in shared:
        files.update(s.path for s in catalogue.defining(kind, identifier))
        files.update(s.path for s in catalogue.referencing(kind, identifier, REQUEST))
    for kind in ("Waiver", "ChangeApproval"):
        files.update(s.path for s in catalogue.of_kind(kind))
    return files


def _changed_documents(base: BaseRevision) -> set[str]:
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


def _outcomes(report: CheckReport) -> dict[str, tuple[str, ImpactOutcome]]:
    return {
        decision.request_id: (
            decision.file,
            ImpactOutcome(
                decision.status,
                decision.classification.result,
                tuple(sorted({role for step in decision.route for role in step.roles})),
            ),
        )
        for decision in report.decisions
    }


def impact_against_base(root: Path, base_ref: str, *, as_of: date) -> Impact:
    """Decide every request under the base's governance and the change's; list what differs.

    When either side's configuration does not load (a policy that does not compile), no request
    is decided under it: its configuration errors are the impact's `problems`."""
    with judged_tree(root, base_ref) as judged:
        base_report = check_repository(judged.root, as_of=as_of, history=root)
        base = judged.base
    head_report = check_repository(root, as_of=as_of)
    before, after = _outcomes(base_report), _outcomes(head_report)
    changed = tuple(
        (request_id, after[request_id][0], before[request_id][1], after[request_id][1])
        for request_id in sorted(set(before) & set(after))
        if before[request_id][1] != after[request_id][1]
    )
    unloaded = (
        problem
        for report in (base_report, head_report)
        for problem in report.problems
        if problem.is_error and problem.severity is Severity.CONFIGURATION
    )
    return Impact(base, len(after), changed, tuple(dict.fromkeys(unloaded)))

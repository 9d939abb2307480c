"""What a pull request may not do to records (SPEC §7): delete them, move them out of sight,
edit a committed approval, or rewrite the decision log.

Records are withdrawn (`status: withdrawn`), never deleted; a rename out of a record's folder or
out of the document set is a deletion, one inside the folder keeps the record. An approval the
base has is never edited or moved: a rejection edited by anyone but its approver would stop
counting. The base's decision log must be a byte prefix of the head's.
"""

from __future__ import annotations

from pathlib import Path

from spendgate import vcs
from spendgate.app.base_revision import BaseRevision
from spendgate.audit.anchor import extension_problem
from spendgate.catalogue.summary import catalogued_folders, in_record_folder
from spendgate.documents.config import Paths
from spendgate.documents.discovery import YAML_SUFFIXES
from spendgate.problems import Location, Problem


def record_problems(base: BaseRevision) -> tuple[Problem, ...]:
    """A problem per record the change deletes, moves out of sight, or (an approval) edits."""
    deleted = [_deletion_problem(change) for change in base.changes if _deletes(change, base)]
    edited = [_edit_problem(change) for change in base.changes if _edits_approval(change, base)]
    return (*deleted, *edited)


def log_problems(root: Path, base: BaseRevision) -> tuple[Problem, ...]:
    """The decision log is appended to, never edited or cut: the base's must be a prefix of the
    committed head's (read from git: no link or special file in the work tree is followed)."""
    log = base.paths.audit_log
    base_log = vcs.file_at(root, base.commit, log) or b""
    head_log = vcs.file_at(root, "HEAD", log) or b""
    problem = extension_problem(base_log, head_log, log=log)
    return (problem,) if problem else ()


def _deletes(change: vcs.Change, base: BaseRevision) -> bool:
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


def _edits_approval(change: vcs.Change, base: BaseRevision) -> bool:
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
        (f for f in catalogued_folders(paths) if path.startswith(f.rstrip("/") + "/")), None
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

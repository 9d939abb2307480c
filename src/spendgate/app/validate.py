"""`validate`'s core: load a repository, compile its own policies, report every problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spendgate.audit.recorded import vanished_requests
from spendgate.documents.config import Paths
from spendgate.documents.repository import Repository, open_repository
from spendgate.documents.root import CONFIG_FILE
from spendgate.errors import SpendgateError, UsageError
from spendgate.policy.compile import PolicyErrors
from spendgate.policy.library import BUILTIN, load_policy_book, unknown_roles
from spendgate.problems import Location, Problem, Severity, ValidationReport


def _policy_problems(repository: Repository) -> list[Problem]:
    """A repository's own policies must compile: a CEL typo is a validation error too."""
    if repository.config is None or repository.config.policy_set == BUILTIN:
        return []
    if any(problem.severity is Severity.CONFIGURATION for problem in repository.problems):
        return []  # the policies do not even load; those problems are reported already
    try:
        book = load_policy_book(repository)
    except PolicyErrors as failure:
        return failure.problems
    except SpendgateError as error:
        return [
            Problem(
                Location(CONFIG_FILE, 1, 1, "$.policy_set"),
                error.message,
                "policy",
                severity=Severity.CONFIGURATION,
            )
        ]
    return unknown_roles(book, repository)


def _vanished(root: Path, repository: Repository) -> list[Problem]:
    """The requests the decision log records that the repository no longer holds: a commit
    deleting one is refused before a pull request's `check --base` would refuse it."""
    paths = repository.config.paths if repository.config is not None else Paths()
    defined = repository.index.get("PurchaseRequest", {})
    return vanished_requests(root, root / paths.audit_log, defined)


def validate_repository(root: Path, files: Sequence[str] = ()) -> ValidationReport:
    """Validate every document of the governance repository at `root`; given `files`
    (relative to `root`), report only theirs, with the repository as their context (a
    reference to a vendor is checked against the vendors), and configuration problems, which
    hold for every file."""
    if not root.exists():
        raise UsageError(f"{root} does not exist")
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory; give the governance repository's root")
    repository = open_repository(root)
    if repository.config is None and not repository.files:
        raise UsageError(
            f"{root} holds no governance repository: no spendgate.yaml and no documents "
            "under the default paths (org/, vendors/, requests/, ai/, approvals/, waivers/, "
            "policies/)"
        )
    problems = sorted(
        [*repository.problems, *_policy_problems(repository), *_vanished(root, repository)],
        key=lambda problem: (problem.location.file, problem.location.line, problem.location.column),
    )
    if not files:
        return ValidationReport(
            root=str(root),
            files=len(repository.files),
            documents=repository.document_count,
            problems=tuple(problems),
        )
    chosen = set(files)
    return ValidationReport(
        root=str(root),
        files=len(chosen),
        documents=sum(len(f.documents) for f in repository.files if f.file in chosen),
        problems=tuple(
            problem
            for problem in problems
            if problem.location.file in chosen or problem.severity is Severity.CONFIGURATION
        ),
    )

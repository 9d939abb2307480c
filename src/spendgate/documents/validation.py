"""`validate`'s core: load a repository and report every problem, sorted by place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spendgate.documents.repository import open_repository
from spendgate.errors import UsageError
from spendgate.problems import Problem, Severity


@dataclass(frozen=True)
class ValidationReport:
    """What `spendgate validate` found: counts and problems, nothing rendered."""

    root: str
    files: int
    documents: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.is_error)

    @property
    def has_configuration_errors(self) -> bool:
        return any(problem.severity is Severity.CONFIGURATION for problem in self.errors)


def validate_repository(root: Path) -> ValidationReport:
    """Validate every document of the governance repository at `root`."""
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
        repository.problems,
        key=lambda problem: (problem.location.file, problem.location.line, problem.location.column),
    )
    return ValidationReport(
        root=str(root),
        files=len(repository.files),
        documents=repository.document_count,
        problems=tuple(problems),
    )

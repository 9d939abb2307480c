"""Where a problem is, and what it is: plain frozen data shared by every stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """How much a problem matters. Errors fail validation; warnings do not."""

    ERROR = "error"
    WARNING = "warning"


class Severity(StrEnum):
    """Which exit code a problem maps to: 1 for document problems, 2 for configuration."""

    DOCUMENT = "document"
    CONFIGURATION = "configuration"


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A place in a file: 1-based line and column, and the YAML path of the value."""

    file: str
    line: int = 0
    column: int = 0
    yaml_path: str = "$"

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, at one place, with a stable code."""

    location: Location
    message: str
    code: str
    level: Level = Level.ERROR
    severity: Severity = Severity.DOCUMENT
    related: tuple[Location, ...] = ()

    @property
    def is_error(self) -> bool:
        """Whether the problem is an error rather than a warning."""
        return self.level is Level.ERROR


@dataclass(frozen=True)
class ValidationReport:
    """What `spendgate validate` found: counts and problems, nothing rendered."""

    root: str
    files: int
    documents: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that are errors."""
        return tuple(problem for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems that are warnings."""
        return tuple(problem for problem in self.problems if not problem.is_error)

    @property
    def has_configuration_errors(self) -> bool:
        """Whether an error is a configuration error."""
        return any(problem.severity is Severity.CONFIGURATION for problem in self.errors)

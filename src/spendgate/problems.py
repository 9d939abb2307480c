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
    """The file, relative to the repository root."""
    line: int = 0
    """The line, from 1; 0 when the problem concerns the whole file."""
    column: int = 0
    """The column, from 1; 0 when the problem concerns the whole file."""
    yaml_path: str = "$"
    """The YAML path of the value, e.g. `$.line_items[2].unit_price`; `$` for the whole document."""

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, at one place, with a stable code."""

    location: Location
    """Where the problem is."""
    message: str
    """What is wrong."""
    code: str
    """The problem's stable code, e.g. a rule id or `schema`."""
    level: Level = Level.ERROR
    """`error` (fails validation) or `warning`."""
    severity: Severity = Severity.DOCUMENT
    """`document` (a document problem: exit 1) or `configuration` (exit 2)."""
    related: tuple[Location, ...] = ()
    """Other places the problem involves, e.g. the other file of a duplicate id."""

    @property
    def is_error(self) -> bool:
        """Whether the problem is an error rather than a warning."""
        return self.level is Level.ERROR


@dataclass(frozen=True)
class ValidationReport:
    """What `spendgate validate` found: counts and problems, nothing rendered."""

    root: str
    files: int
    """How many files were read."""
    documents: int
    """How many documents they held."""
    problems: tuple[Problem, ...]
    """Every problem found."""

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

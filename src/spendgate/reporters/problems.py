"""Rendering a validation report: `text` for people, `json` for tools. Chosen from FORMATS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from spendgate import __version__
from spendgate.problems import Level, Problem
from spendgate.reporters.escaping import json_document, json_safe, text_line

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up; the models load only when a command runs
    from spendgate.problems import ValidationReport

_COLOURS = {Level.ERROR: "\x1b[31m", Level.WARNING: "\x1b[33m"}
_RESET = "\x1b[0m"


def problem_line(problem: Problem, *, colour: bool = False) -> str:
    """`file:line:col: [level] $.path: message (code)`, one line whatever the data holds."""
    level = problem.level.value
    if colour:
        level = f"{_COLOURS[problem.level]}{level}{_RESET}"
    where = problem.location
    path = f"{where.yaml_path}: " if where.yaml_path not in ("", "$") else ""
    said = f"{path}{problem.message} ({problem.code})"
    return f"{text_line(str(where))}: [{level}] {text_line(said)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(report: ValidationReport) -> str:
    """The closing line of `validate`: valid or invalid, problems, documents, files."""
    scope = f"{_plural(report.documents, 'document')} in {_plural(report.files, 'file')}"
    if not report.problems:
        return f"valid: {scope}"
    counts = f"{_plural(len(report.errors), 'error')}, {_plural(len(report.warnings), 'warning')}"
    return f"{'invalid' if report.errors else 'valid'}: {counts} in {scope}"


def render_text(report: ValidationReport, *, colour: bool = False) -> str:
    """`validate` as text: one line per problem, then the summary."""
    lines = [problem_line(problem, colour=colour) for problem in report.problems]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _problem_json(problem: Problem) -> dict[str, object]:
    where = problem.location
    return {
        "file": where.file,
        "line": where.line,
        "column": where.column,
        "yaml_path": where.yaml_path,
        "level": problem.level.value,
        "severity": problem.severity.value,
        "code": problem.code,
        "message": problem.message,
        "related": [
            {"file": other.file, "line": other.line, "column": other.column}
            for other in problem.related
        ],
    }


def render_json(report: ValidationReport, *, colour: bool = False) -> str:
    """`validate` as JSON: the summary counts and every problem."""
    document = {
        "spendgate_version": __version__,
        "root": report.root,
        "valid": not report.errors,
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
        },
        "problems": [_problem_json(problem) for problem in report.problems],
    }
    return json_document(json.dumps(json_safe(document), indent=2)) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}

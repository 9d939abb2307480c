"""Rendering a validation report: `text` for people, `json` for tools. Chosen from FORMATS."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spendgate.problems import Level, Problem, Severity
from spendgate.reporters.escaping import text_line

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
    """`validate` as JSON: the summary counts and every problem, keys sorted."""
    from spendgate.reporters.json_report import json_text  # orjson only when JSON is asked for

    document = {
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
    return json_text(document)


def validation_schema() -> dict[str, Any]:
    """The JSON Schema of `render_json` (published as `schemas/ValidationReport.schema.json`)."""
    from spendgate.reporters.json_report import COUNT, TEXT, listed, output_schema, ref

    place = {
        "file": {**TEXT, "description": "The file, relative to the repository root."},
        "line": {**COUNT, "description": "The line, from 1; 0 for the whole file."},
        "column": {**COUNT, "description": "The column, from 1; 0 for the whole file."},
    }
    problem = {
        "description": "One problem: where it is (line and column 0 when it has no place in "
        "the file), how much it matters, its stable code and what it says.",
        "type": "object",
        "required": [*place, "yaml_path", "level", "severity", "code", "message", "related"],
        "properties": {
            **place,
            "yaml_path": {**TEXT, "description": "The value's path, e.g. `$.line_items[2]`."},
            "level": {
                "description": "`error` (fails validation) or `warning`.",
                "enum": [level.value for level in Level],
                "type": "string",
            },
            "severity": {
                "description": "`configuration` errors exit 2, `document` errors exit 1.",
                "enum": [severity.value for severity in Severity],
                "type": "string",
            },
            "code": {**TEXT, "description": "The problem's stable code, e.g. `schema`."},
            "message": {**TEXT, "description": "What is wrong."},
            "related": {
                **listed({"type": "object", "required": list(place), "properties": place}),
                "description": "Other places the problem involves (a duplicate id's other file).",
            },
        },
    }
    counts = ("files", "documents", "errors", "warnings")
    return output_schema(
        "ValidationReport",
        title="spendgate validate report",
        description="What `spendgate validate --format json` prints: whether the repository "
        "is valid, the counts, and every problem.",
        properties={
            "root": {**TEXT, "description": "The governance repository validated."},
            "valid": {"type": "boolean", "description": "Whether no problem is an error."},
            "summary": {
                "description": "How many files and documents were read, and problems found.",
                "type": "object",
                "required": list(counts),
                "properties": {
                    "files": {**COUNT, "description": "The files read."},
                    "documents": {**COUNT, "description": "The documents they hold."},
                    "errors": {**COUNT, "description": "The problems that are errors."},
                    "warnings": {**COUNT, "description": "The problems that are warnings."},
                },
            },
            "problems": {**listed(ref("Problem")), "description": "Every problem found."},
        },
        defs={"Problem": problem},
    )


FORMATS: dict[str, Callable[..., str]] = {"text": render_text, "json": render_json}

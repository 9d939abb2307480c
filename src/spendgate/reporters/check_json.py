"""The `json` report of `check`: the decisions as data, deterministic for the same inputs.

Every string is valid Unicode (`escaping.json_safe`: a byte of a file name that is not UTF-8 is
U+FFFD), so that the report encodes and parses; JSON escapes the rest.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

import orjson

from spendgate import __version__
from spendgate.reporters.escaping import json_document, json_safe

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport, Decision


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {json_safe(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return f"{value:f}"  # money: a decimal string, never a binary float
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return json_safe(value)


def decision_json(decision: Decision) -> dict[str, Any]:
    """One decision as the report (and the decision log, `spendgate audit record`) holds it."""
    return {**_plain(decision), "blocking": [f.rule_id for f in decision.blocking_findings]}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of this report (published as `schemas/CheckReport.schema.json`)."""
    from pydantic import TypeAdapter

    from spendgate.decisions import Decision
    from spendgate.problems import Problem

    definitions: dict[str, Any] = {}
    for name, shape in (("Decision", Decision), ("Problem", Problem)):
        schema = TypeAdapter(shape).json_schema(mode="serialization")
        definitions.update(schema.pop("$defs", {}))
        definitions[name] = schema
    decision = definitions["Decision"]
    decision["properties"]["blocking"] = {
        "description": "The ids of the rules whose findings block this request.",
        "items": {"type": "string"},
        "type": "array",
    }
    decision["required"] = [*decision["required"], "blocking"]
    text = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "CheckReport.schema.json",
        "title": "spendgate check report",
        "description": "What `spendgate check --format json` prints.",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "spendgate_version",
            "evaluation_date",
            "policy_set",
            "decisions",
            "problems",
            "notes",
        ],
        "properties": {
            "spendgate_version": text,
            "evaluation_date": {"format": "date", "type": "string"},
            "policy_set": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "version"],
                "properties": {"name": text, "version": text},
            },
            "decisions": {"items": {"$ref": "#/$defs/Decision"}, "type": "array"},
            "problems": {"items": {"$ref": "#/$defs/Problem"}, "type": "array"},
            "notes": {"items": text, "type": "array"},
        },
        "$defs": dict(sorted(definitions.items())),
    }


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The check report as JSON: every decision, problem and note, keys sorted."""
    document = {
        "spendgate_version": __version__,
        "evaluation_date": report.evaluation_date.isoformat(),
        "policy_set": _plain({"name": report.policy_set, "version": report.policy_set_version}),
        "decisions": [decision_json(decision) for decision in report.decisions],
        "problems": [_plain(problem) for problem in report.problems],
        "notes": _plain(report.notes),
    }
    # orjson writes exactly what json.dumps(indent=2, sort_keys=True, ensure_ascii=False) writes,
    # ten times faster: the standard encoder runs in pure Python whenever it indents.
    serialised = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    return json_document(serialised) + "\n"

"""The `json` report of `check`: the decisions as data, deterministic for the same inputs.

Every string is valid Unicode (`escaping.json_safe`: a byte of a file name that is not UTF-8 is
U+FFFD), so that the report encodes and parses; JSON escapes the rest.
"""

from __future__ import annotations

from typing import Any

import orjson

from spendgate.decisions import CheckReport, Decision, as_json_data
from spendgate.problems import Problem
from spendgate.reporters.escaping import json_safe
from spendgate.reporters.json_report import definitions, json_text


def decision_json(decision: Decision) -> dict[str, Any]:
    """One decision as the report (and the decision log, `spendgate audit record`) holds it."""
    return _valid_unicode(_decision_data(decision))


def _decision_data(decision: Decision) -> dict[str, Any]:
    return {
        **as_json_data(decision),
        "blocking": [finding.rule_id for finding in decision.blocking_findings],
    }


def _valid_unicode(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every string valid Unicode; walked only when some string is not, which
    encoding it finds at C speed."""
    try:
        orjson.dumps(data)
    except orjson.JSONEncodeError:
        safe: dict[str, Any] = json_safe(data)
        return safe
    return data


def decision_definitions() -> dict[str, Any]:
    """The schemas of a decision as `decision_json` writes it, of a problem, and of every type
    they hold, by name (the `$defs` of the reports that hold decisions)."""
    found = definitions(("Decision", Decision), ("Problem", Problem))
    decision = found["Decision"]
    decision["properties"]["blocking"] = {
        "description": "The ids of the rules whose findings block this request.",
        "items": {"type": "string"},
        "type": "array",
    }
    decision["required"] = [*decision["required"], "blocking"]
    return found


def report_schema() -> dict[str, Any]:
    """The JSON Schema of this report (published as `schemas/CheckReport.schema.json`)."""
    definitions = decision_definitions()
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
            "spendgate_version": {**text, "description": "The spendgate that wrote this."},
            "evaluation_date": {
                "description": "The day every request was judged as of (ISO date, YYYY-MM-DD).",
                "format": "date",
                "type": "string",
            },
            "policy_set": {
                "description": "The policy set that decided.",
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "version"],
                "properties": {
                    "name": {**text, "description": "The policy set's name."},
                    "version": {**text, "description": "The policy set's version (semver)."},
                },
            },
            "decisions": {
                "description": "One decision per purchase request.",
                "items": {"$ref": "#/$defs/Decision"},
                "type": "array",
            },
            "problems": {
                "description": "The problems that belong to no request (configuration, policies).",
                "items": {"$ref": "#/$defs/Problem"},
                "type": "array",
            },
            "notes": {
                "description": "Sentences about how the check was made (for a pull request: "
                "which rules judged it).",
                "items": text,
                "type": "array",
            },
        },
        "$defs": dict(sorted(definitions.items())),
    }


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The check report as JSON: every decision, problem and note, keys sorted."""
    document = {
        "evaluation_date": report.evaluation_date.isoformat(),
        "policy_set": {"name": report.policy_set, "version": report.policy_set_version},
        "decisions": [_decision_data(decision) for decision in report.decisions],
        "problems": [as_json_data(problem) for problem in report.problems],
        "notes": list(report.notes),
    }
    return json_text(document)

"""The JSON Schema of one record of the decision log, published as
`schemas/AuditRecord.schema.json`: a decision as the JSON report holds it, where and when it was
recorded, and the hash chain (`audit.log` writes and reads the records themselves).
"""

from __future__ import annotations

from typing import Any

from spendgate.audit.log import LEGACY_RECORD_KEYS, MARKER, RFC8785


def record_schema() -> dict[str, Any]:
    """The JSON Schema of one record (published as `schemas/AuditRecord.schema.json`)."""
    from spendgate.reporters.check_json import report_schema

    definitions = report_schema()["$defs"]
    hex64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    text = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "AuditRecord.schema.json",
        "title": "spendgate decision log record",
        "description": "One line of the decision log (`audit/decisions.jsonl`), written by "
        "`spendgate audit record`: a decision as `spendgate check --format json` shows it, where "
        "and when it was recorded, and the hash chain.",
        "type": "object",
        "additionalProperties": False,
        "required": list(LEGACY_RECORD_KEYS),
        "properties": {
            "decision_id": {
                "description": "The record's id: `d-` and the first 16 hex digits of a SHA-256 "
                "over the request, commit, timestamp, decision and previous hash.",
                "type": "string",
                "pattern": "^d-[0-9a-f]{16}$",
            },
            "timestamp": {
                "description": "When the record was written, in UTC.",
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
            },
            "commit": {
                "description": "The git commit the decision was made at.",
                "type": "string",
                "pattern": "^[0-9a-f]{40}([0-9a-f]{24})?$",
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
            "policies": {
                "description": "The git blob id of each policy, by `policy:NAME@VERSION`.",
                "type": "object",
                "propertyNames": {"pattern": "^policy:"},
                "additionalProperties": text,
            },
            "decision": {
                "$ref": "#/$defs/Decision",
                "description": "The decision, as `spendgate check --format json` shows it.",
            },
            MARKER: {
                "description": "How `hash` is computed: over the RFC 8785 (JSON Canonicalization "
                "Scheme) serialisation. Absent from records written before spendgate used RFC "
                "8785: their hash is over JSON with sorted keys, no spaces, numbers as Python "
                "writes them, UTF-8.",
                "const": RFC8785,
            },
            "prev_hash": {**hex64, "description": "The previous record's hash (64 zeros first)."},
            "hash": {
                **hex64,
                "description": "SHA-256 of the record without `hash`, serialised as "
                f"`{MARKER}` says.",
            },
        },
        "$defs": _reachable(definitions, "Decision"),
    }


def _reachable(definitions: dict[str, Any], start: str) -> dict[str, Any]:
    """The definitions `start` refers to, directly or not, itself included."""
    found: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += _references(definitions[name])
    return {name: definitions[name] for name in sorted(found)}


def _references(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["$ref"].rsplit("/", 1)[-1]] if isinstance(schema.get("$ref"), str) else []
        return own + [name for value in schema.values() for name in _references(value)]
    if isinstance(schema, list):
        return [name for value in schema for name in _references(value)]
    return []

"""`spendgate schema export`: JSON Schemas generated from the models (one per document kind,
the JSON output of every command that has one, the audit record, the report figures),
committed under `schemas/`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spendgate.documents.kinds import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one document kind, as editors and other tools read it."""
    schema = KINDS[kind].model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DIALECT, "$id": f"{kind}.schema.json", **schema}


def schema_texts() -> dict[str, str]:
    """File name to file content, for every kind, every command's JSON output, the audit record
    and the report figures."""
    from spendgate.analytics.figures_json import figures_schema
    from spendgate.audit.record_schema import record_schema
    from spendgate.audit.verify_report import verification_schema
    from spendgate.reporters.approval import approval_schema
    from spendgate.reporters.check_json import report_schema
    from spendgate.reporters.explain_json import explain_schema
    from spendgate.reporters.impact_json import impact_schema
    from spendgate.reporters.policy_rules import rules_schema
    from spendgate.reporters.policy_tests import tests_schema
    from spendgate.reporters.problems import validation_schema

    schemas = {f"{kind}.schema.json": kind_schema(kind) for kind in KINDS}
    schemas["CheckReport.schema.json"] = report_schema()
    schemas["AuditRecord.schema.json"] = record_schema()
    schemas["ReportFigures.schema.json"] = figures_schema()
    outputs = (
        explain_schema,
        impact_schema,
        rules_schema,
        tests_schema,
        validation_schema,
        approval_schema,
        verification_schema,
    )
    for output in outputs:
        schema = output()
        schemas[schema["$id"]] = schema
    return {
        name: json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        for name, schema in schemas.items()
    }


def write_schemas(directory: Path) -> list[Path]:
    """Write every kind's schema into `directory`; return the paths that changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in schema_texts().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed

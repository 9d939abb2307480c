"""`spendgate schema export`: JSON Schemas generated from the models (one per document kind,
the JSON output of every command that has one, the audit record, the report figures),
committed under `schemas/`."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from pydantic._internal._docs_extraction import extract_docstrings_from_cls

from spendgate.documents.fields import StrictModel
from spendgate.documents.kinds import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _models(base: type[StrictModel]) -> list[type[StrictModel]]:
    """`base` and every model derived from it, each after the models it derives from."""
    found = [base]
    for derived in base.__subclasses__():
        found += [model for model in _models(derived) if model not in found]
    return found


@functools.cache
def described_fields() -> None:
    """Give every field of every model the docstring written under it as its description, and
    rebuild the models' schemas with them. Done here, when schemas are exported, not when the
    models are defined: reading every model's source costs each command's start-up ~45 ms."""
    models = _models(StrictModel)
    docs = {model: extract_docstrings_from_cls(model, use_inspect=True) for model in models}
    for model in models:
        for name, field in model.__pydantic_fields__.items():
            written = next((docs[m][name] for m in model.__mro__ if name in docs.get(m, {})), None)
            if field.description is None and written:
                field.description = written
    for _ in range(2):  # a model's schema holds those of the models its fields hold
        for model in models:
            model.model_rebuild(force=True)


def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one document kind, as editors and other tools read it."""
    described_fields()
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

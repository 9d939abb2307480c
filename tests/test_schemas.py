"""The committed JSON Schemas are generated from the models and usable by other tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spendgate.app.schemas import kind_schema, schema_texts
from spendgate.documents.kinds import KINDS
from spendgate.documents.located_yaml import load_located
from tests.conftest import EXAMPLES, FIXTURES, PROJECT, Cli

#: Keywords whose value is a map of subschemas, one subschema, or a list of subschemas.
SCHEMA_MAPS = ("properties", "$defs", "patternProperties", "dependentSchemas")
SCHEMA_ONE = ("items", "additionalProperties", "propertyNames", "contains", "not", "if", "then")
SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")

#: The schemas of the JSON outputs of commands other than `check` (tests/test_json_outputs.py).
COMMAND_OUTPUTS = (
    "ExplainReport",
    "ImpactReport",
    "PolicyRules",
    "PolicyTestReport",
    "ValidationReport",
    "ApprovalResult",
    "AuditVerification",
)


def test_committed_schemas_match_the_models() -> None:
    committed = {path.name: path.read_text() for path in (PROJECT / "schemas").glob("*.json")}
    assert committed == schema_texts(), "schemas/ drifted: run `spendgate schema export`"


def test_export_writes_every_kind_and_then_nothing(cli: Cli, tmp_path: Path) -> None:
    first = cli("schema", "export", "--out", tmp_path)
    second = cli("schema", "export", "--out", tmp_path)

    assert first.exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [
            *(f"{kind}.schema.json" for kind in KINDS),
            "CheckReport.schema.json",
            "ReportFigures.schema.json",
            "AuditRecord.schema.json",
            *(f"{name}.schema.json" for name in COMMAND_OUTPUTS),
        ]
    )
    assert (second.exit_code, second.stdout) == (0, f"0 schema(s) changed in {tmp_path}\n")


def _document_files() -> list[Path]:
    roots = [FIXTURES / "minimal", *sorted(EXAMPLES.glob("*"))]
    return sorted(path for root in roots for path in root.rglob("*.yaml") if path.is_file())


@pytest.mark.parametrize("path", _document_files(), ids=lambda path: str(path.relative_to(PROJECT)))
def test_valid_documents_satisfy_their_json_schema(path: Path) -> None:
    for located in load_located(path.read_text(encoding="utf-8")):
        document = located.value
        schema = kind_schema(document["kind"])
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("example", ["bank", "manufacturer", "retailer"])
def test_the_json_report_satisfies_its_published_schema(cli: Cli, example: str) -> None:
    schema = json.loads((PROJECT / "schemas" / "CheckReport.schema.json").read_text())
    outcome = cli("check", EXAMPLES / example, "--as-of", "2026-11-22", "--format", "json")
    report = json.loads(outcome.stdout)

    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    assert report["decisions"], "the example decides requests"


def test_the_json_report_schema_rejects_a_report_missing_its_decisions(cli: Cli) -> None:
    schema = json.loads((PROJECT / "schemas" / "CheckReport.schema.json").read_text())
    outcome = cli("check", EXAMPLES / "bank", "--as-of", "2026-11-22", "--format", "json")
    report = json.loads(outcome.stdout)
    del report["decisions"][0]["route"]

    with pytest.raises(jsonschema.ValidationError, match="'route' is a required property"):
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


def properties(schema: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every property of `schema`, at any depth (in `$defs`, items, alternatives, nested
    objects), by its place: `Vendor#/$defs/Contract/properties/msa_id`."""
    if not isinstance(schema, dict):
        return
    for name, subschema in (schema.get("properties") or {}).items():
        yield f"{where}/properties/{name}", subschema
    for keyword in SCHEMA_MAPS:
        for name, subschema in (schema.get(keyword) or {}).items():
            yield from properties(subschema, f"{where}/{keyword}/{name}")
    for keyword in SCHEMA_ONE:
        yield from properties(schema.get(keyword), f"{where}/{keyword}")
    for keyword in SCHEMA_LISTS:
        for index, subschema in enumerate(schema.get(keyword) or []):
            yield from properties(subschema, f"{where}/{keyword}/{index}")


def test_every_property_of_every_schema_has_a_description() -> None:
    """Editors show a property's own description: a `$ref` property needs one as well (its
    definition's says what the type is, not what the field means)."""
    found = [
        (place, subschema)
        for path in sorted((PROJECT / "schemas").glob("*.json"))
        for place, subschema in properties(json.loads(path.read_text()), f"{path.stem}#")
    ]
    undescribed = [
        place
        for place, subschema in found
        if not (isinstance(subschema, dict) and str(subschema.get("description", "")).strip())
    ]
    assert len(found) == 797
    assert undescribed == []


def test_the_walk_finds_properties_at_every_depth() -> None:
    schema = {
        "properties": {"a": {"anyOf": [{"properties": {"b": {}}}, {"type": "null"}]}},
        "$defs": {"D": {"properties": {"c": {"items": {"properties": {"d": {}}}}}}},
    }
    assert [place for place, _ in properties(schema, "S#")] == [
        "S#/properties/a",
        "S#/properties/a/anyOf/0/properties/b",
        "S#/$defs/D/properties/c",
        "S#/$defs/D/properties/c/items/properties/d",
    ]

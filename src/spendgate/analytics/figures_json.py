"""`figures.json`: the dashboard's figures as data, and its published JSON Schema.

Money is a decimal string in the base currency (exact, as in the check report); ratios are
numbers from 0 to 1 with four decimals; durations are days with two decimals; dates and times
are ISO 8601 (times in UTC).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from spendgate import __version__
from spendgate.analytics.figures import Figures
from spendgate.decisions import json_schema

SCHEMA_NAME = "ReportFigures.schema.json"


def plain(value: Any) -> Any:
    """Dataclasses, tuples, dates and decimals as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def render(figures: Figures) -> str:
    """`figures.json`: the figures as JSON, with the spendgate version."""
    document = {"spendgate_version": __version__, **plain(figures)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def figures_schema() -> dict[str, Any]:
    """The JSON Schema of `figures.json` (published as `schemas/ReportFigures.schema.json`)."""
    schema = _without_decimal_patterns(json_schema(Figures))
    definitions = schema.pop("$defs", {})
    version = {"type": "string", "description": "The version of spendgate that wrote the file."}
    schema["properties"] = {"spendgate_version": version, **schema["properties"]}
    schema["required"] = ["spendgate_version", *schema["required"]]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_NAME,
        **schema,
        "title": "spendgate report figures",
        "description": "What `spendgate report` writes as figures.json: every KPI of the "
        "dashboard. Money is a decimal string in the base currency; ratios are numbers from 0 "
        "to 1; durations are in days. A KPI whose input file was not given is null.",
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


#: The pattern some pydantic versions (2.13, not 2.14) attach to a Decimal serialised as a string.
_DECIMAL_PATTERN = r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$"


def _without_decimal_patterns(value: Any) -> Any:
    """The schema without pydantic's Decimal pattern, so that it is the same whatever pydantic
    version generates it (the committed schema is checked for drift)."""
    if isinstance(value, dict):
        return {
            key: _without_decimal_patterns(item)
            for key, item in value.items()
            if not (key == "pattern" and item == _DECIMAL_PATTERN)
        }
    if isinstance(value, list):
        return [_without_decimal_patterns(item) for item in value]
    return value

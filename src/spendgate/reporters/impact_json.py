"""`impact --format json`: each request decided differently, old beside new, and the counts."""

from __future__ import annotations

from typing import Any

from spendgate.decisions import Impact, ImpactOutcome, as_json_data
from spendgate.reporters.json_report import (
    COUNT,
    TEXT,
    definitions,
    json_text,
    listed,
    output_schema,
    ref,
)


def render(impact: Impact) -> str:
    """`impact` as JSON: the base commit, every changed request, and the summary counts."""
    return json_text(
        {
            "base": impact.base,
            "changed": [
                {
                    "request_id": request_id,
                    "file": file,
                    "before": as_json_data(before),
                    "after": as_json_data(after),
                }
                for request_id, file, before, after in impact.changed
            ],
            "summary": {"requests": impact.requests, "changed": len(impact.changed)},
        }
    )


def impact_schema() -> dict[str, Any]:
    """The JSON Schema of this output (published as `schemas/ImpactReport.schema.json`)."""
    outcomes = definitions(("ImpactOutcome", ImpactOutcome))
    outcome = outcomes["ImpactOutcome"]
    outcome["required"] = list(outcome["properties"])
    changed = {
        "description": "A request the change's rules decide differently from the base's.",
        "type": "object",
        "required": ["request_id", "file", "before", "after"],
        "properties": {
            "request_id": {**TEXT, "description": "The request's id."},
            "file": {**TEXT, "description": "The request's file, relative to the repository."},
            "before": {**ref("ImpactOutcome"), "description": "Under the base's rules."},
            "after": {**ref("ImpactOutcome"), "description": "Under the change's rules."},
        },
    }
    return output_schema(
        "ImpactReport",
        title="spendgate impact report",
        description="What `spendgate impact --base REF --format json` prints: every request "
        "whose status, classification or route roles the change's governance would change.",
        properties={
            "base": {**TEXT, "description": "The commit whose rules are compared (merge base)."},
            "changed": {**listed(changed), "description": "The requests decided differently."},
            "summary": {
                "description": "How many requests were decided, and how many differently.",
                "type": "object",
                "required": ["requests", "changed"],
                "properties": {
                    "requests": {**COUNT, "description": "Requests decided."},
                    "changed": {**COUNT, "description": "Requests decided differently."},
                },
            },
        },
        defs=outcomes,
    )

"""`explain --format json`: one decision in full, as `check --format json` holds it, with the
trace of every rule considered and the fields approvals bind to (what the text shows)."""

from __future__ import annotations

from typing import Any

from spendgate.approvals.digest import CURRENT_VERSION, MATERIAL_FIELDS, WORDING_FIELDS
from spendgate.decisions import Decision
from spendgate.reporters.check_json import decision_definitions, decision_json
from spendgate.reporters.guidance import Guide
from spendgate.reporters.json_report import COUNT, TEXT, json_text, listed, output_schema, ref

_DIGEST_NOTE = (
    "The fields of the request an approval binds to (its digest), and the material content of "
    "its AI assessment; editing a wording field keeps the approvals."
)


def render(decision: Decision, *, guide: Guide | None = None) -> str:
    """The decision, its trace and evidence as JSON values, and the fields approvals bind to.
    (`guide` is for the text: the sentences it writes are for people; the JSON holds the facts
    they come from, the findings' enforcement and rules.)"""
    return json_text(
        {
            "decision": decision_json(decision),
            "approvals_bind_to": {
                "digest_version": CURRENT_VERSION,
                "material_fields": list(MATERIAL_FIELDS),
                "wording_fields": list(WORDING_FIELDS),
            },
        }
    )


def explain_schema() -> dict[str, Any]:
    """The JSON Schema of this output (published as `schemas/ExplainReport.schema.json`)."""
    names = listed(TEXT)
    return output_schema(
        "ExplainReport",
        title="spendgate explain report",
        description="What `spendgate explain REQUEST_ID --format json` prints: the decision as "
        "`spendgate check --format json` holds it, with `trace` filled (every rule considered, "
        "its outcome and the values it read), and the fields approvals bind to.",
        properties={
            "decision": {
                **ref("Decision"),
                "description": "The decision, with `trace` filled: every rule considered.",
            },
            "approvals_bind_to": {
                "description": _DIGEST_NOTE,
                "type": "object",
                "required": ["digest_version", "material_fields", "wording_fields"],
                "properties": {
                    "digest_version": {
                        **COUNT,
                        "description": "The digest version `spendgate approve` writes.",
                    },
                    "material_fields": {
                        **names,
                        "description": "The fields whose change voids the approvals.",
                    },
                    "wording_fields": {
                        **names,
                        "description": "The fields that can change and keep the approvals.",
                    },
                },
            },
        },
        defs=decision_definitions(),
    )

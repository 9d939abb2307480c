"""`approve`: the record written, as a line (`text`) or as data (`json`)."""

from __future__ import annotations

from typing import Any

from spendgate.approvals.written import ApprovalWritten
from spendgate.reporters.json_report import TEXT, json_text, nullable, output_schema


def render_text(written: ApprovalWritten) -> str:
    """`wrote PATH: approval by PERSON as ROLE`, with on whose behalf and what it replaced."""
    what = "rejection" if written.decision == "reject" else "approval"
    replacing = f", replacing {written.replaced}" if written.replaced else ""
    behalf = f" (written by {written.written_by})" if written.written_by else ""
    return (
        f"wrote {written.path}: {what} by {written.person}{behalf} as {written.role}{replacing}\n"
    )


def behalf_warning(written: ApprovalWritten) -> str:
    """What `approve` warns of when the record is written on someone else's behalf ("" when
    not): it never counts as theirs."""
    if not written.written_by:
        return ""
    what = "rejection" if written.decision == "reject" else "approval"
    return (
        f"spendgate: warning: you are not {written.person}: this {what} is written on "
        f"{written.person}'s behalf by {written.written_by}, the record says so, and it "
        f"never counts as {written.person}'s own (unverified whoever commits it: it counts "
        "only where approvals.require_authenticity is none)\n"
    )


def render_json(written: ApprovalWritten) -> str:
    """The record written: its path, for what, by whom, and whether it replaced another."""
    return json_text(
        {
            "path": written.path,
            "request_id": written.request_id,
            "change": written.change,
            "role": written.role,
            "approver": written.person,
            "decision": written.decision,
            "written_by": written.written_by,
            "new": not written.replaced,
            "replaced": written.replaced or None,
        }
    )


def approval_schema() -> dict[str, Any]:
    """The JSON Schema of `render_json` (published as `schemas/ApprovalResult.schema.json`)."""
    return output_schema(
        "ApprovalResult",
        title="spendgate approve result",
        description="What `spendgate approve --format json` prints when it writes a record (a "
        "refusal prints nothing here: its reason goes to standard error, exit code 1 or 2).",
        properties={
            "path": {**TEXT, "description": "The record's file, relative to the repository."},
            "request_id": {
                **nullable(TEXT),
                "description": "The request approved; null for a governance change.",
            },
            "change": {
                **nullable(TEXT),
                "description": "The governance or vendor file approved (`--change`); null "
                "for a request.",
            },
            "role": {**TEXT, "description": "The route step (or owner role) filled."},
            "approver": {**TEXT, "description": "Who approves: a People id."},
            "decision": {
                "enum": ["approve", "reject"],
                "type": "string",
                "description": "What the record says: `approve` or `reject`.",
            },
            "written_by": {
                **nullable(TEXT),
                "description": "Who ran the command, when not the approver (`--as`): the "
                "record never counts as the approver's own. Null otherwise.",
            },
            "new": {
                "type": "boolean",
                "description": "Whether no earlier record was at `path`.",
            },
            "replaced": {
                **nullable(TEXT),
                "description": "The approver's earlier record for the role that this one "
                "replaces, and why it no longer counted (git keeps it); null when new.",
            },
        },
    )

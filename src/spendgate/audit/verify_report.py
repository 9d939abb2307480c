"""What `audit verify` prints of a verification: lines for people (`text`) or data (`json`).

It sits beside the verification (not under `reporters/`) because the audit package reads the
reporters to write its records: the reporters never read the audit package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spendgate.reporters.escaping import text_line
from spendgate.reporters.problems import problem_line

if TYPE_CHECKING:  # the CLI reads FORMATS at start-up; the verification loads when it runs
    from spendgate.audit.anchor import Anchored
    from spendgate.audit.verify import Verified


def render_text(verified: Verified) -> str:
    """Each problem, each note, the log's state, record count and head; then each anchor
    that held."""
    lines = [problem_line(problem) for problem in verified.problems]
    lines.extend(f"note: {text_line(note)}" for note in verified.notes)
    state = "intact" if verified.intact else f"broken ({len(verified.problems)} problem(s))"
    lines.append(f"{verified.log}: {state}: {verified.records} record(s), head {verified.head}")
    lines.extend(anchored_text(anchored) for anchored in verified.anchored if not anchored.problems)
    return "\n".join(lines) + "\n"


def anchored_text(anchored: Anchored) -> str:
    """The line that says which anchor held, and where."""
    if anchored.revision is not None and anchored.absent:
        return f"anchored at {anchored.revision}: no log there, which anchors nothing"
    found = (
        f"the record on line {anchored.line}, the chain intact up to it"
        if anchored.line
        else "the empty log's head, which every log extends"
    )
    if anchored.revision is None:
        return f"anchored: {anchored.hash} is {found}"
    return (
        f"anchored at {anchored.revision}: its head {anchored.hash} is {found}, and the log at "
        f"{anchored.revision} is a byte-for-byte prefix of this one"
    )


def render_json(verified: Verified) -> str:
    """The verification as data: intact or not, the first problem, all of them, the anchors."""
    from spendgate.decisions import as_json_data
    from spendgate.reporters.json_report import json_text

    problems = [as_json_data(problem) for problem in verified.problems]
    return json_text(
        {
            "log": verified.log,
            "records": verified.records,
            "head": verified.head,
            "intact": verified.intact,
            "first_problem": problems[0] if problems else None,
            "problems": problems,
            "notes": list(verified.notes),
            "anchors": [
                {**as_json_data(anchored), "held": not anchored.problems}
                for anchored in verified.anchored
            ],
        }
    )


def verification_schema() -> dict[str, Any]:
    """The JSON Schema of `render_json` (published as `schemas/AuditVerification.schema.json`)."""
    from spendgate.audit.anchor import Anchored
    from spendgate.problems import Problem
    from spendgate.reporters.json_report import (
        COUNT,
        TEXT,
        definitions,
        listed,
        nullable,
        output_schema,
        ref,
    )

    found = definitions(("Anchored", Anchored), ("Problem", Problem))
    anchor = found["Anchored"]
    anchor["properties"]["held"] = {
        "description": "Whether the log still holds this anchor (it has no problems).",
        "type": "boolean",
    }
    anchor["required"] = list(anchor["properties"])
    return output_schema(
        "AuditVerification",
        title="spendgate audit verify result",
        description="What `spendgate audit verify --format json` prints: whether the decision "
        "log is intact (its hash chain, its commits and document digests against git, its "
        "anchors), how many records it holds, its head, and what is broken.",
        properties={
            "log": {**TEXT, "description": "The log file, as problems name it."},
            "records": {**COUNT, "description": "The records read."},
            "head": {**TEXT, "description": "The hash of the last record (the chain's head)."},
            "intact": {"type": "boolean", "description": "Whether no problem was found."},
            "first_problem": {
                **nullable(ref("Problem")),
                "description": "The first problem, where verify stopped trusting the log: the "
                "chain's first broken link (its line and why) when the chain breaks; null when "
                "intact.",
            },
            "problems": {
                **listed(ref("Problem")),
                "description": "Every problem: the chain's first broken link, then records "
                "that disagree with git, then anchors not held.",
            },
            "notes": {**listed(TEXT), "description": "What was not checked, and why."},
            "anchors": {
                **listed(ref("Anchored")),
                "description": "The anchors checked: `--anchor`, then `--base`.",
            },
        },
        defs=found,
    )


FORMATS: dict[str, Callable[[Verified], str]] = {"text": render_text, "json": render_json}

"""`spendgate test`: each policy test case passed or failed, with its differences, then totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spendgate.decisions import as_json_data
from spendgate.policy.testing import CaseResult
from spendgate.reporters.escaping import text_line
from spendgate.reporters.json_report import (
    COUNT,
    definitions,
    json_text,
    listed,
    output_schema,
    ref,
)


def render_text(results: Sequence[CaseResult]) -> str:
    """`PASS name` or `FAIL name` and its differences, per case; then the totals."""
    lines: list[str] = []
    for result in results:
        lines.append(f"{'PASS' if result.passed else 'FAIL'} {text_line(result.name)}")
        lines.extend(f"     {text_line(difference)}" for difference in result.differences)
    failed = _failed(results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines) + "\n"


def _failed(results: Sequence[CaseResult]) -> int:
    return sum(not result.passed for result in results)


def render_json(results: Sequence[CaseResult]) -> str:
    """Every case run (name, description, passed, differences) and the totals."""
    failed = _failed(results)
    return json_text(
        {
            "cases": [{**as_json_data(result), "passed": result.passed} for result in results],
            "summary": {"cases": len(results), "passed": len(results) - failed, "failed": failed},
        }
    )


def tests_schema() -> dict[str, Any]:
    """The JSON Schema of `render_json` (published as `schemas/PolicyTestReport.schema.json`)."""
    cases = definitions(("CaseResult", CaseResult))
    case = cases["CaseResult"]
    case["properties"]["passed"] = {
        "description": "Whether the decision met every expectation (`differences` is empty).",
        "type": "boolean",
    }
    case["required"] = list(case["properties"])
    return output_schema(
        "PolicyTestReport",
        title="spendgate test report",
        description="What `spendgate test --format json` prints: every policy test case run "
        "(those `-k` selects), passed or not, and the totals.",
        properties={
            "cases": {**listed(ref("CaseResult")), "description": "Every test case run."},
            "summary": {
                "description": "How many cases ran, passed and failed.",
                "type": "object",
                "required": ["cases", "passed", "failed"],
                "properties": {
                    "cases": {**COUNT, "description": "The cases run."},
                    "passed": {
                        **COUNT,
                        "description": "The cases whose decision met every expectation.",
                    },
                    "failed": {**COUNT, "description": "The cases that did not."},
                },
            },
        },
        defs=cases,
    )

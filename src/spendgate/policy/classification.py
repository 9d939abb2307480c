"""Which policies apply to a request, and its CapEx/OpEx classification: the first matching row
per line item, aggregated per request."""

from __future__ import annotations

from datetime import date
from typing import Any

from spendgate.decisions import Classification, LineClassification
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.policy import cel
from spendgate.policy.compile import CompiledPolicy
from spendgate.policy.outcome import Outcome


def in_scope(policy: CompiledPolicy, request: PurchaseRequest, industry: str, today: date) -> bool:
    """True when the policy's scope (industries, effective dates, categories) covers the request."""
    scope = policy.scope
    industries = set(scope.industries)
    if "any" not in industries and industry not in industries:
        return False
    if scope.effective_from and today < scope.effective_from:
        return False
    if scope.effective_until and today > scope.effective_until:
        return False
    categories = set(scope.categories)
    return not categories or any(item.category in categories for item in request.line_items)


def classify(
    policies: list[CompiledPolicy], context: dict[str, Any], outcome: Outcome
) -> Classification:
    """Each line item's class from the first matching row of each classification table, and the
    request's (one class, `mixed` or `none`); later rules then read them from the context."""
    lines: dict[int, LineClassification] = {}
    bound = cel.activation(context)
    for policy in policies:
        for rule, program in policy.tables:
            try:
                rows = _first_rows(program, bound)
            except cel.CelEvaluationError as failure:  # this table fails closed, alone
                outcome.fail(policy, rule, failure)
                continue
            for line, row in enumerate(rows):
                if row >= 0 and line not in lines:
                    decided = rule.rows[row].row
                    lines[line] = LineClassification(
                        line, decided.result, rule.id, row, decided.reason, decided.commitment
                    )
            outcome.record(rule, policy.name, "applied", "first matching row per line item")
    classified = tuple(lines[index] for index in sorted(lines))
    results = {line.result for line in classified}
    result = "none" if not results else results.pop() if len(results) == 1 else "mixed"
    record_classification(context, classified)
    return Classification(result, classified)  # type: ignore[arg-type]


def _first_rows(program: cel.Program, bound: Any) -> list[int]:
    """Each line item's first matching row (-1 for none); CelEvaluationError if a row fails or
    is not a boolean on this data, before any line is classified."""
    rows = []
    for matches in cel.evaluate(program, bound):
        for position, match in enumerate(matches):
            if not isinstance(match, bool):
                raise cel.CelEvaluationError(cel.not_boolean(f"classify[{position}].when", match))
        rows.append(matches.index(True) if True in matches else -1)
    return rows


def record_classification(context: dict[str, Any], lines: tuple[LineClassification, ...]) -> None:
    """Later rules read the classification: per line, per request, and capex/opex totals."""
    request = context["request"]
    capex = opex = 0.0
    for line in lines:
        item = request["line_items"][line.line]
        item["classification"] = line.result
        if line.result == "capex":
            capex += item["total_base"]
        else:
            opex += item["total_base"]
    results = {line.result for line in lines}
    request["classification"] = (
        results.pop() if len(results) == 1 else "mixed" if results else "none"
    )
    request["capex_total_base"] = capex
    request["opex_total_base"] = opex

"""`explain`: one decision in full, every rule considered, why it applied or not, with evidence.

Every line goes through `escaping.text_line`, as in the `text` report of `check`.
"""

from __future__ import annotations

from spendgate.approvals.digest import CURRENT_VERSION, MATERIAL_FIELDS, WORDING_FIELDS
from spendgate.decisions import Decision, RuleTrace
from spendgate.reporters.check_text import decision_block
from spendgate.reporters.escaping import evidence_text, text_line
from spendgate.reporters.guidance import Guide


def trace_lines(trace: RuleTrace) -> list[str]:
    """One rule's line in `explain`: outcome, effect and detail, then its evidence."""
    head = f"  {trace.rule_id:<10} {trace.outcome:<15} {trace.effect:<8}"
    lines = [f"{head} {trace.detail} [{trace.policy}]"]
    lines.extend(f"      {path} = {evidence_text(value)}" for path, value in trace.evidence)
    return lines


def render(decision: Decision, *, guide: Guide | None = None) -> str:
    """`explain` for one request: its block (with what to do, given a guide), classification,
    evidence and every rule."""
    lines = decision_block(decision, guide=guide)
    if decision.classification.lines:
        lines.append("  classification:")
        lines.extend(
            f"    line {line.line}: {line.result} ({line.rule_id} row {line.row}: {line.reason})"
            + (" [commitment]" if line.commitment else "")
            for line in decision.classification.lines
        )
    fired = [finding for finding in decision.findings if finding.evidence]
    if fired:
        lines.append("  evidence of the findings:")
        for finding in fired:
            lines.append(f"    {finding.rule_id}: {finding.message}")
            lines.extend(
                f"      {path} = {evidence_text(value)}" for path, value in finding.evidence
            )
    lines.append("  rules considered:")
    for trace in decision.trace:
        lines.extend(trace_lines(trace))
    lines.append(
        f"  approvals bind to (digest version {CURRENT_VERSION}): "
        f"{', '.join(MATERIAL_FIELDS)}, and the material content of its AI assessment; "
        f"editing {', '.join(WORDING_FIELDS)} keeps them"
    )
    inputs = decision.inputs
    lines.append(
        f"  inputs: policy set {inputs.policy_set} {inputs.policy_set_version}, "
        f"evaluated as of {inputs.evaluation_date}, spendgate {inputs.spendgate_version}"
    )
    return "\n".join(text_line(line) for line in lines) + "\n"

"""The `text` report of `check`: per request its status, class, route and findings; a summary.

Every line goes through `escaping.text_line`: what a document says stays on its own line.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from spendgate.decisions import Decision, Finding, RouteStep
from spendgate.reporters.escaping import text_line
from spendgate.reporters.problems import problem_line

if TYPE_CHECKING:
    from spendgate.policy.gate import CheckReport

STATUS_COLOURS = {"approved": "32", "pending": "33", "blocked": "31", "invalid": "31"}


def finding_level(finding: Finding) -> str:
    """error: it blocks; warning: advisory; note: waived."""
    if finding.waiver is not None and finding.enforcement == "soft":
        return "note"
    return "error" if finding.blocking else "warning"


def finding_line(finding: Finding) -> str:
    where = finding.location
    path = f"{where.yaml_path}: " if where.yaml_path not in ("", "$") else ""
    waived = f", waived by {finding.waiver}" if finding.waiver else ""
    return text_line(
        f"{where}: [{finding_level(finding)}] {path}{finding.message} ({finding.rule_id}{waived})"
    )


def step_line(step: RouteStep) -> str:
    scope = f" of {step.of}" if step.of else ""
    veto = ", veto" if step.veto else ""
    acting = f" acting for {step.acting_for}" if step.acting_for else ""
    acting += f" ({step.authenticity})" if step.authenticity else ""
    if step.satisfied:
        state = f"[x] approved by {step.approved_by}{acting} on {step.approved_on}"
    elif step.rejected:
        state = f"[!] rejected by {step.approved_by}{acting} on {step.approved_on}"
    else:
        who = ", ".join(step.eligible) or "nobody holds this role"
        state = f"[ ] waiting; may approve: {who}"
    roles = " + ".join(step.roles)
    return text_line(f"    stage {step.stage} {roles}{scope}{veto} ({step.rule_id}): {state}")


def decision_block(decision: Decision, *, colour: bool = False) -> list[str]:
    status: str = decision.status
    if colour:
        status = f"\x1b[{STATUS_COLOURS[status]}m{status}\x1b[0m"
    amount = f"{float(decision.total_base):,.2f} {decision.base_currency}"
    lines = [
        f"{text_line(decision.request_id)} [{status}] {text_line(decision.title)}",
        text_line(f"  {decision.file}: {amount}, {decision.classification.result}"),
    ]
    if decision.route:
        lines.append("  route:")
        lines.extend(step_line(step) for step in decision.route)
    lines.extend(f"  {finding_line(finding)}" for finding in decision.findings)
    return lines


def summary_line(report: CheckReport) -> str:
    counts = Counter(decision.status for decision in report.decisions)
    parts = ", ".join(
        f"{counts[status]} {status}" for status in ("approved", "pending", "blocked", "invalid")
    )
    total = len(report.decisions)
    policy_set = f"{report.policy_set} {report.policy_set_version}"
    return text_line(
        f"{total} request{'s' if total != 1 else ''}: {parts} "
        f"(policy set {policy_set}, as of {report.evaluation_date})"
    )


def render(report: CheckReport, *, colour: bool = False) -> str:
    lines: list[str] = []
    for decision in report.decisions:
        lines.extend(decision_block(decision, colour=colour))
        lines.append("")
    lines.extend(problem_line(problem, colour=colour) for problem in report.problems)
    lines.extend(text_line(note) for note in report.notes)
    if report.decisions or not report.problems:
        lines.append(summary_line(report))
    return "\n".join(lines) + "\n"

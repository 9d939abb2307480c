"""The `text` report of `check`: per request its status, class, route and findings; a summary.

Every line goes through `escaping.text_line`: what a document says stays on its own line.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from spendgate.decisions import STATUSES, Decision, Finding, RouteStep
from spendgate.reporters.escaping import grouped, text_line
from spendgate.reporters.guidance import Guide
from spendgate.reporters.problems import problem_line

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

#: ANSI colours: green passes, yellow waits, red fails the gate.
STATUS_COLOURS = {
    "approved": "32",
    "pending": "33",
    "blocked": "31",
    "rejected": "31",
    "invalid": "31",
}


def finding_level(finding: Finding) -> str:
    """error: it blocks; warning: advisory; note: waived."""
    if finding.blocking:
        return "error"
    return "warning" if finding.warns else "note"


def finding_line(finding: Finding) -> str:
    """One finding as `file:line:col: [level] path: message (rule)`, with its waiver."""
    where = finding.location
    path = f"{where.yaml_path}: " if where.yaml_path not in ("", "$") else ""
    waived = f", waived by {finding.waiver}" if finding.waiver else ""
    return text_line(
        f"{where}: [{finding_level(finding)}] {path}{finding.message} ({finding.rule_id}{waived})"
    )


def step_line(step: RouteStep) -> str:
    """One approval step: stage, roles, veto, rule, and who approved or may approve."""
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
    raised = f", escalated from {step.escalated_from}" if step.escalated_from else ""
    rules = f"({step.rule_id}{raised})"
    return text_line(f"    stage {step.stage} {roles}{scope}{veto} {rules}: {state}")


def rejections(decision: Decision) -> tuple[RouteStep, ...]:
    """The steps of the route whose approver said no."""
    return tuple(step for step in decision.route if step.rejected)


def unvetoed_rejections(decision: Decision) -> tuple[RouteStep, ...]:
    """The rejections that no finding reports: a veto's rejection is a blocking finding already
    (`approvals.desk.vetoes`), so reporters that list findings leave it to that finding."""
    return tuple(step for step in rejections(decision) if not step.veto)


def rejection_text(step: RouteStep) -> str:
    """`rejected by ciara.nolan as legal on 2026-11-03, saying "…"`: who said no, in which
    role, when, and why when they wrote it."""
    acting = f" acting for {step.acting_for}" if step.acting_for else ""
    roles = " + ".join(step.roles)
    said = f', saying "{step.comment}"' if step.comment else ""
    return f"rejected by {step.approved_by}{acting} as {roles} on {step.approved_on}{said}"


def decision_block(
    decision: Decision, *, colour: bool = False, guide: Guide | None = None
) -> list[str]:
    """One request's lines: id, status, title, total, route and findings; with a guide, what
    to do about each finding that blocks."""
    status: str = decision.status
    if colour:
        status = f"\x1b[{STATUS_COLOURS[status]}m{status}\x1b[0m"
    amount = f"{grouped(decision.total_base)} {decision.base_currency}"
    lines = [
        f"{text_line(decision.request_id)} [{status}] {text_line(decision.title)}",
        text_line(f"  {decision.file}: {amount}, {decision.classification.result}"),
    ]
    if decision.route:
        lines.append("  route:")
        lines.extend(step_line(step) for step in decision.route)
    sentences = guide.under_findings(decision) if guide else [()] * len(decision.findings)
    for finding, said in zip(decision.findings, sentences, strict=True):
        lines.append(f"  {finding_line(finding)}")
        lines.extend(text_line(f"      {sentence}") for sentence in said)
    return lines


def summary_line(report: CheckReport) -> str:
    """The closing line: requests counted by status, the policy set and the date."""
    counts = Counter(decision.status for decision in report.decisions)
    parts = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
    total = len(report.decisions)
    policy_set = f"{report.policy_set} {report.policy_set_version}"
    return text_line(
        f"{total} request{'s' if total != 1 else ''}: {parts} "
        f"(policy set {policy_set}, as of {report.evaluation_date})"
    )


def render(report: CheckReport, *, colour: bool = False, quiet: bool = False) -> str:
    """The check report as text: each request's block, the problems, notes, summary. `quiet`
    leaves out the approved requests and the notes."""
    lines: list[str] = []
    guide = Guide.of(report)
    for decision in report.decisions:
        if quiet and decision.status == "approved":
            continue
        lines.extend(decision_block(decision, colour=colour, guide=guide))
        lines.append("")
    lines.extend(problem_line(problem, colour=colour) for problem in report.problems)
    if not quiet:
        lines.extend(text_line(note) for note in report.notes)
    if report.decisions or not report.problems:
        lines.append(summary_line(report))
    return "\n".join(lines) + "\n"

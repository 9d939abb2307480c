"""The `markdown` report of `check`: the pull-request comment.

It starts with a hidden marker (`MARKER`) so that a bot can find and update its own comment
instead of adding one per push. Then the overall result, the notes on how the change was judged,
a table of every request, for a change to governance the requests its rules would decide
differently (the first `IMPACT_ROWS`), and per request its status, total, classification, the
approval route as a checklist, its findings (blocking first) and the waivers applied. Every
piece of user text is escaped (`escaping.markdown_inline`, `escaping.markdown_code`), so a vendor
name cannot open a link, a table cell, an HTML tag or a line of its own, tick a checkbox or ping
someone.

GitHub refuses a comment longer than 65,536 characters: past `COMMENT_LIMIT` the details of
the remaining requests are left out, and the comment says so (the table still lists them all).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from spendgate.decisions import Decision, Finding, Impact, ImpactOutcome, RouteStep
from spendgate.problems import Location, Problem
from spendgate.reporters.check_text import finding_level, summary_line
from spendgate.reporters.escaping import grouped
from spendgate.reporters.escaping import markdown_code as code
from spendgate.reporters.escaping import markdown_inline as text
from spendgate.reporters.guidance import Guide
from spendgate.reporters.impact_text import route_change

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

MARKER = "<!-- spendgate-report -->"
#: GitHub's limit is 65,536 characters; the rest is room for the closing lines.
COMMENT_LIMIT = 64_000
#: The requests a governance change decides differently that the comment lists; `spendgate
#: impact` and the job log (the `github` format) list them all.
IMPACT_ROWS = 20

STATUS_ICONS = {
    "approved": "✅",
    "pending": "⏳",
    "blocked": "❌",
    "rejected": "🚫",
    "invalid": "❌",
}
LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}


def overall(report: CheckReport) -> str:
    """The heading's verdict: the worst state of any request or problem."""
    statuses = {decision.status for decision in report.decisions}
    if report.has_configuration_errors:
        return "❌ spendgate: configuration error"
    if statuses & {"blocked", "invalid"} or any(p.is_error for p in report.problems):
        return "❌ spendgate: blocked"
    if "rejected" in statuses:
        return "🚫 spendgate: rejected"
    if "pending" in statuses:
        return "⏳ spendgate: waiting for approvals"
    return "✅ spendgate: approved"


def amount(decision: Decision) -> str:
    """A request's total in the base currency, digits grouped."""
    return f"{grouped(decision.total_base)} {text(decision.base_currency)}"


def classification(decision: Decision, *, lines: bool = False) -> str:
    """The request's class; with `lines`, which line items (1-based) a mixed one mixes."""
    result = decision.classification
    if result.result != "mixed" or not lines:
        return result.result
    by_class: dict[str, list[str]] = {}
    for line in result.lines:
        by_class.setdefault(line.result, []).append(str(line.line + 1))
    parts = [
        f"line{'s' if len(numbers) > 1 else ''} {', '.join(numbers)} {name}"
        for name, numbers in by_class.items()
    ]
    return f"mixed ({'; '.join(parts)})"


def request_name(decision: Decision) -> str:
    """What a request is called in the comment: its id, or its file when unknown."""
    return decision.request_id if decision.request_id != "?" else decision.file


def overview(report: CheckReport) -> list[str]:
    """The table of requests: status, total, classification and title."""
    rows = [
        f"| {text(request_name(d))} | {STATUS_ICONS[d.status]} {d.status} | {amount(d)} "
        f"| {text(classification(d))} | {text(d.title)} |"
        for d in report.decisions
    ]
    if not rows:
        return []
    return [
        "| Request | Status | Total | Classification | Title |",
        "| --- | --- | ---: | --- | --- |",
        *rows,
        "",
    ]


def step_item(step: RouteStep) -> str:
    """One approval step as a task-list item, ticked when approved."""
    roles = text(" + ".join(step.roles)) + (f" of {text(step.of)}" if step.of else "")
    veto = " (veto)" if step.veto else ""
    rules = text(step.rule_id)
    if step.escalated_from:
        rules += f", escalated from {text(step.escalated_from)}"
    head = f"stage {step.stage}: **{roles}**{veto} ({rules})"
    acting = f" acting for {text(step.acting_for)}" if step.acting_for else ""
    authenticated = f" ({text(step.authenticity)})" if step.authenticity else ""
    who = f"{text(step.approved_by or '')}{acting} on {step.approved_on}{authenticated}"
    if step.satisfied:
        return f"- [x] {head}: approved by {who}"
    if step.rejected:
        return f"- [ ] {head}: **rejected** by {who}"
    eligible = ", ".join(text(person) for person in step.eligible)
    waiting = f"may approve: {eligible}" if eligible else "**nobody holds this role**"
    return f"- [ ] {head}: waiting; {waiting}"


def route(decision: Decision) -> list[str]:
    """A request's approval route as a task list, if it has one."""
    if not decision.route:
        return []
    return ["**Approval route**", "", *(step_item(step) for step in decision.route), ""]


def location_cell(where: Location) -> str:
    """A table cell with a place: the file position and the YAML path."""
    path = f" {code(where.yaml_path, cell=True)}" if where.yaml_path not in ("", "$") else ""
    return f"{code(str(where), cell=True)}{path}"


def finding_row(finding: Finding) -> str:
    """One finding as a table row: level, rule, message, location."""
    return (
        f"| {finding_level(finding)} | {text(finding.rule_id)} | {text(finding.message)} "
        f"| {location_cell(finding.location)} |"
    )


def findings(decision: Decision) -> list[str]:
    """The table of a request's findings that count, errors first."""
    shown = sorted(
        (finding for finding in decision.findings if finding_level(finding) != "note"),
        key=lambda finding: LEVEL_ORDER[finding_level(finding)],
    )
    if not shown:
        return []
    return [
        "**Findings**",
        "",
        "| Level | Rule | Message | Location |",
        "| --- | --- | --- | --- |",
        *(finding_row(finding) for finding in shown),
        "",
    ]


def what_to_do(decision: Decision, guide: Guide) -> list[str]:
    """Under the findings, per rule that blocks: how to clear it, and whether a waiver can."""
    items = [
        f"- **{text(finding.rule_id)}**: " + " ".join(text(sentence) for sentence in said)
        for finding, said in zip(decision.findings, guide.under_findings(decision), strict=True)
        if said
    ]
    return ["**What to do**", "", *items, ""] if items else []


def waivers(decision: Decision) -> list[str]:
    """The list of a request's findings that waivers set aside."""
    waived = [finding for finding in decision.findings if finding_level(finding) == "note"]
    if not waived:
        return []
    items = [
        f"- {text(finding.rule_id)} waived by {text(finding.waiver or '')}: "
        f"{text(finding.message)} ({code(str(finding.location))})"
        for finding in waived
    ]
    return ["**Waivers applied**", "", *items, ""]


def request_section(decision: Decision, guide: Guide) -> list[str]:
    """One request's section: heading, facts, route, findings, what to do, and waivers."""
    icon = STATUS_ICONS[decision.status]
    facts = [amount(decision), text(classification(decision, lines=True)), code(decision.file)]
    return [
        f"### {icon} {text(request_name(decision))}: {text(decision.title)}",
        "",
        f"**{decision.status}** · {' · '.join(facts)}",
        "",
        *route(decision),
        *findings(decision),
        *what_to_do(decision, guide),
        *waivers(decision),
    ]


def problem_row(problem: Problem) -> str:
    """One problem as a table row: level, code, message, location."""
    return (
        f"| {problem.level.value} | {text(problem.code)} | {text(problem.message)} "
        f"| {location_cell(problem.location)} |"
    )


def problems(report: CheckReport) -> list[str]:
    """The table of problems outside requests, if any."""
    if not report.problems:
        return []
    return [
        "### Problems outside requests",
        "",
        "| Level | Code | Message | Location |",
        "| --- | --- | --- | --- |",
        *(problem_row(problem) for problem in report.problems),
        "",
    ]


def notes(report: CheckReport) -> list[str]:
    """The report's notes, as quotes."""
    if not report.notes:
        return []
    return [*(f"> {text(note)}" for note in report.notes), ""]


def change(before: str, after: str) -> str:
    """A value of a request under the base's rules and under the change's: `old → new`, or the
    value alone when they are the same."""
    return text(before) if before == after else f"{text(before)} → {text(after)}"


def impact_row(request_id: str, file: str, before: ImpactOutcome, after: ImpactOutcome) -> str:
    """One request a governance change decides differently, as a table row."""
    roles = route_change(before, after)
    return (
        f"| {text(request_id)} | {code(file, cell=True)} | {change(before.status, after.status)} "
        f"| {change(before.classification, after.classification)} "
        f"| {text(roles) if roles else 'unchanged'} |"
    )


def impact(found: Impact | None) -> list[str]:
    """The requests a governance change would decide differently, the first `IMPACT_ROWS`."""
    if found is None or not found.changed:
        return []
    rows = [impact_row(*changed) for changed in found.changed[:IMPACT_ROWS]]
    left = len(found.changed) - len(rows)
    more = [
        f"_…and {left} more: `spendgate impact --base {found.base[:12]}` lists them all._",
        "",
    ]
    return [
        "### Impact of the governance change",
        "",
        "Decided by the base revision's rules → by this change's:",
        "",
        "| Request | File | Status | Classification | Route |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
        *(more if left else []),
    ]


def details(report: CheckReport, budget: int) -> list[str]:
    """Each request's section, while they fit in `budget` characters; then what was left out."""
    lines: list[str] = []
    guide = Guide.of(report)
    for index, decision in enumerate(report.decisions):
        section = request_section(decision, guide)
        size = sum(len(line) + 1 for line in section)
        if size > budget:
            left = len(report.decisions) - index
            counts = Counter(d.status for d in report.decisions[index:])
            statuses = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            lines += [
                f"_The details of {left} more request(s) ({statuses}) are left out: GitHub "
                "limits a comment to 65,536 characters. The job log lists them all._",
                "",
            ]
            break
        lines += section
        budget -= size
    return lines


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The pull-request comment; `colour` is ignored."""
    summary = [text(summary_line(report)), ""] if report.decisions or not report.problems else []
    head = [
        MARKER,
        f"## {overall(report)}",
        "",
        *summary,
        *notes(report),
        *overview(report),
        *impact(report.impact),
    ]
    tail = problems(report)
    used = sum(len(line) + 1 for line in head + tail)
    lines = head + details(report, COMMENT_LIMIT - used) + tail
    return "\n".join(lines).rstrip("\n") + "\n"

"""The `markdown` report of `check`: the pull-request comment.

It starts with a hidden marker (`MARKER`) so that a bot can find and update its own comment
instead of adding one per push. Then the overall result, the requests counted by status, the
notes on how the change was judged, a table of the requests, for a change to governance the
requests its rules would decide differently, per request its status, total, classification,
the approval route as a checklist, its findings (blocking first) and the waivers applied; and
the problems outside requests. Requests that fail the gate come first (blocked, rejected,
invalid; then pending, then approved), each group in report order. Every piece of user text is
escaped (`escaping.markdown_inline`, `escaping.markdown_code`), so a vendor name cannot open a
link, a table cell, an HTML tag or a line of its own, tick a checkbox or ping someone.

GitHub refuses a comment longer than 65,536 characters (`COMMENT_LIMIT`), so the whole comment
is built to one budget (`COMMENT_BUDGET`), counted as GitHub and JavaScript count (`length`).
The heading, the counts and the notes always fit; then the problems, the impact and the
request tables each take the rows that fit (and at most `PROBLEM_ROWS`, `IMPACT_ROWS`,
`OVERVIEW_ROWS`), always whole, ending with a line that counts the rows left out and says where
they all are; then the details of the requests while they fit, and a line counting the rest.
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
from spendgate.reporters.markdown_budget import Budget, capped_table, counted

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

MARKER = "<!-- spendgate-report -->"
#: The longest comment GitHub takes, in characters.
COMMENT_LIMIT = 65_536
#: The longest comment this report writes: under GitHub's limit, with room for whoever posts it
#: to add a line of its own (a link to the run, a note that it was cut).
COMMENT_BUDGET = 65_000
#: The most rows of each table: the requests, the requests a governance change decides
#: differently (`spendgate impact` lists them all), the problems outside requests.
OVERVIEW_ROWS = 100
IMPACT_ROWS = 20
PROBLEM_ROWS = 50
#: Where a reader finds what the comment leaves out: every format of `check` lists it all, and
#: the job log shows one of them.
WHERE_ALL = "the job log lists every"

STATUS_ICONS = {
    "approved": "✅",
    "pending": "⏳",
    "blocked": "❌",
    "rejected": "🚫",
    "invalid": "❌",
}
LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}
#: The order requests are listed in: those that fail the gate first, then those that wait.
STATUS_ORDER = {"blocked": 0, "rejected": 1, "invalid": 2, "pending": 3, "approved": 4}


def ranked(report: CheckReport) -> list[Decision]:
    """The report's decisions in the order the comment lists them (`STATUS_ORDER`)."""
    return sorted(report.decisions, key=lambda decision: STATUS_ORDER[decision.status])


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


def overview(decisions: list[Decision], budget: Budget) -> list[str]:
    """The table of requests (status, total, classification and title), as many rows as fit."""
    rows = [
        f"| {text(request_name(d))} | {STATUS_ICONS[d.status]} {d.status} | {amount(d)} "
        f"| {text(classification(d))} | {text(d.title)} |"
        for d in decisions
    ]
    if not rows:
        return []

    def more(shown: int) -> str:
        left = decisions[shown:]
        counts = counted(Counter(d.status for d in left), STATUS_ORDER)
        plural = "s" if len(left) != 1 else ""
        return f"… and {len(left):,} more request{plural} ({counts}): {WHERE_ALL} request."

    head = [
        "| Request | Status | Total | Classification | Title |",
        "| --- | --- | ---: | --- | --- |",
    ]
    return capped_table(head, rows, budget, most=OVERVIEW_ROWS, more=more)


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


def problems(report: CheckReport, budget: Budget) -> list[str]:
    """The table of problems outside requests, if any, as many rows as fit."""
    if not report.problems:
        return []

    def more(shown: int) -> str:
        left = report.problems[shown:]
        counts = Counter(f"{problem.level.value}s" for problem in left)
        plural = "s" if len(left) != 1 else ""
        listed = counted(counts, ("errors", "warnings"))
        return f"… and {len(left):,} more problem{plural} ({listed}): {WHERE_ALL} problem."

    head = [
        "### Problems outside requests",
        "",
        "| Level | Code | Message | Location |",
        "| --- | --- | --- | --- |",
    ]
    rows = [problem_row(problem) for problem in report.problems]
    return capped_table(head, rows, budget, most=PROBLEM_ROWS, more=more)


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


def impact(found: Impact | None, budget: Budget) -> list[str]:
    """The requests a governance change would decide differently, as many rows as fit."""
    if found is None or not found.changed:
        return []

    def more(shown: int) -> str:
        left = len(found.changed) - shown
        return f"_…and {left:,} more: `spendgate impact --base {found.base[:12]}` lists them all._"

    head = [
        "### Impact of the governance change",
        "",
        "Decided by the base revision's rules → by this change's:",
        "",
        "| Request | File | Status | Classification | Route |",
        "| --- | --- | --- | --- | --- |",
    ]
    rows = [impact_row(*changed) for changed in found.changed]
    return capped_table(head, rows, budget, most=IMPACT_ROWS, more=more)


def details_left_out(decisions: list[Decision]) -> list[str]:
    """The line that counts the requests whose details are left out."""
    counts = counted(Counter(d.status for d in decisions), STATUS_ORDER)
    return [
        f"_The details of {len(decisions):,} more request(s) ({counts}) are left out: GitHub "
        f"limits a comment to {COMMENT_LIMIT:,} characters. The job log lists them all._",
        "",
    ]


def details(decisions: list[Decision], guide: Guide, budget: Budget) -> list[str]:
    """Each request's section, while they fit in `budget`; then a line on the rest."""
    lines: list[str] = []
    for index, decision in enumerate(decisions):
        section = request_section(decision, guide)
        closing = details_left_out(decisions[index + 1 :]) if index + 1 < len(decisions) else []
        if not budget.fits(section + closing):
            closing = details_left_out(decisions[index:])
            return lines + (budget.spend(closing) if budget.fits(closing) else [])
        lines += budget.spend(section)
    return lines


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The pull-request comment, at most `COMMENT_BUDGET` long; `colour` is ignored."""
    summary = [text(summary_line(report)), ""] if report.decisions or not report.problems else []
    budget = Budget(COMMENT_BUDGET)
    head = budget.spend([MARKER, f"## {overall(report)}", "", *summary, *notes(report)])
    tail = problems(report, budget)
    changed = impact(report.impact, budget)
    decisions = ranked(report)
    table = overview(decisions, budget)
    sections = details(decisions, Guide.of(report), budget)
    return "\n".join(head + table + changed + sections + tail).rstrip("\n") + "\n"

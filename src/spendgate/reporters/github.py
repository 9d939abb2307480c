"""The `github` report of `check`: GitHub Actions workflow commands.

Each request is a collapsible `::group::` in the step's log, holding the lines the `text` format
prints, one `::error` annotation per rejection by an approver on the route (at the request's
file; a veto's rejection is annotated as its finding) and one `::error`, `::warning` or
`::notice` annotation per finding (error: it blocks; warning: advisory; notice: waived). For a
change to governance, one more group lists every request its rules would decide differently,
as `spendgate impact` prints them.

The runner obeys any line of the log that starts with `::` (after white space) or holds `##[`, so
what spendgate did not write is escaped (`escaping`): annotations by the runner's own rules
(`workflow_data`, `workflow_property`), every other line as the `text` format prints it
(`text_line`), which no document can split or turn into a command.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and drops the rest
without a word. So spendgate annotates the first ten of each level, prints the others as plain
log lines, and ends with one notice saying how many were not annotated (a notice slot is kept for
it whenever anything overflows).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from spendgate.decisions import Decision, Finding, RouteStep
from spendgate.problems import Location, Problem
from spendgate.reporters.check_text import (
    decision_block,
    finding_level,
    finding_line,
    rejection_text,
    summary_line,
    unvetoed_rejections,
)
from spendgate.reporters.escaping import text_line, workflow_data, workflow_property
from spendgate.reporters.guidance import Guide
from spendgate.reporters.impact_text import changed_lines
from spendgate.reporters.problems import problem_line

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

#: Annotations of one level GitHub shows per step (docs: "Problem matchers", Limitations).
ANNOTATIONS_PER_LEVEL = 10
LEVELS = ("error", "warning", "notice")


#: The names this module has always had for the runner's escaping (see `escaping`).
escape_data = workflow_data
escape_property = workflow_property


@dataclass(frozen=True)
class Annotation:
    """One finding or problem, as GitHub would annotate it, and as the log prints it otherwise."""

    level: str
    location: Location
    title: str
    message: str
    plain: str


@dataclass
class Budget:
    """How many annotations of each level may still be shown, and how many were not."""

    limits: dict[str, int]
    used: Counter[str] = field(default_factory=Counter)
    withheld: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_annotations(cls, annotations: list[Annotation]) -> Budget:
        """The budget for `annotations`, keeping room for the withheld notice."""
        counts = Counter(annotation.level for annotation in annotations)
        limits = dict.fromkeys(LEVELS, ANNOTATIONS_PER_LEVEL)
        if any(count > ANNOTATIONS_PER_LEVEL for count in counts.values()):
            limits["notice"] -= 1  # room for the notice that counts what was withheld
        return cls(limits)

    def admit(self, level: str) -> bool:
        """Whether one more annotation of `level` may be shown; counts it either way."""
        if self.used[level] < self.limits[level]:
            self.used[level] += 1
            return True
        self.withheld[level] += 1
        return False


def command(annotation: Annotation, root: str) -> str:
    """`::error file=…,line=…,col=…,title=…::message`, escaped."""
    where = annotation.location
    properties = [("file", Path(root, where.file).as_posix())]
    if where.line > 0:
        properties += [("line", str(where.line)), ("col", str(max(where.column, 1)))]
    properties.append(("title", annotation.title))
    listed = ",".join(f"{name}={workflow_property(value)}" for name, value in properties)
    return f"::{annotation.level} {listed}::{workflow_data(annotation.message)}"


def finding_annotation(
    decision: Decision, finding: Finding, said: tuple[str, ...] = ()
) -> Annotation:
    """The annotation of one finding of a request, with what to do about it (`said`)."""
    level = finding_level(finding)
    where = finding.location
    path = f"{where.yaml_path}: " if where.yaml_path not in ("", "$") else ""
    waived = f" (waived by {finding.waiver})" if finding.waiver else ""
    request = f"{decision.request_id}: " if decision.request_id != "?" else ""
    title = finding.rule_id
    if finding.title and finding.title != finding.message:
        title = f"{finding.rule_id} {finding.title}"
    return Annotation(
        "notice" if level == "note" else level,
        where,
        title,
        "\n".join((f"{request}{path}{finding.message}{waived}", *said)),
        finding_line(finding),
    )


def rejection_annotation(decision: Decision, step: RouteStep) -> Annotation:
    """The error annotation of a step someone rejected."""
    request = f"{decision.request_id}: " if decision.request_id != "?" else ""
    rejected = f"{rejection_text(step)} ({step.rule_id})"
    return Annotation(
        "error",
        Location(decision.file),
        "REJECTED",
        f"{request}{rejected}",
        f"{decision.file}: [error] {rejected}",  # as the text format writes a finding
    )


def decision_annotations(decision: Decision, guide: Guide) -> list[Annotation]:
    """The request's rejections, then its findings: the order the text report shows them in."""
    sentences = guide.under_findings(decision)
    return [
        *(rejection_annotation(decision, step) for step in unvetoed_rejections(decision)),
        *(
            finding_annotation(decision, finding, said)
            for finding, said in zip(decision.findings, sentences, strict=True)
        ),
    ]


def problem_annotation(problem: Problem) -> Annotation:
    """The annotation of one problem outside requests."""
    where = problem.location
    path = f"{where.yaml_path}: " if where.yaml_path not in ("", "$") else ""
    return Annotation(
        problem.level.value,
        where,
        problem.code,
        f"{path}{problem.message}",
        problem_line(problem),
    )


def emit(annotation: Annotation, budget: Budget, root: str) -> str:
    """The workflow command for `annotation`, or its plain line once the budget is spent."""
    if budget.admit(annotation.level):
        return command(annotation, root)
    return f"  {text_line(annotation.plain)}"  # indented as the text format lists findings


def group_title(decision: Decision) -> str:
    """The first line the text format prints for a request; a line break in the title is a
    space here, as the title of a group is one line of the log."""
    title = " ".join(decision.title.splitlines())
    return f"{decision.request_id} [{decision.status}] {title}"


def group(title: str, plain: list[str], annotated: list[str]) -> list[str]:
    """A collapsible log group: the title, the plain lines, then the annotations."""
    return [
        f"::group::{workflow_data(text_line(title))}",
        *(text_line(line) for line in plain),
        *annotated,
        "::endgroup::",
    ]


def withheld_notice(budget: Budget) -> list[str]:
    """The notice that counts the findings not annotated, if any were."""
    if not budget.withheld:
        return []
    total = sum(budget.withheld.values())
    counts = ", ".join(
        f"{budget.withheld[level]} {level}{'s' if budget.withheld[level] != 1 else ''}"
        for level in LEVELS
        if budget.withheld[level]
    )
    message = (
        f"{total} finding{'s were' if total != 1 else ' was'} not annotated ({counts}): "
        f"GitHub shows at most {ANNOTATIONS_PER_LEVEL} annotations of each level per step. "
        "Every finding is listed in this step's log."
    )
    return [f"::notice title={workflow_property('spendgate')}::{workflow_data(message)}"]


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The report as workflow commands; `colour` is ignored (the log colours annotations)."""
    guide = Guide.of(report)
    by_decision = [
        (decision, decision_annotations(decision, guide)) for decision in report.decisions
    ]
    problems = [problem_annotation(problem) for problem in report.problems]
    budget = Budget.for_annotations([a for _, found in by_decision for a in found] + problems)
    lines: list[str] = []
    for decision, found in by_decision:
        # The text block ends with its findings' lines: here the annotations stand for them.
        block = decision_block(decision)[: -len(decision.findings) or None]
        annotated = [emit(annotation, budget, report.root) for annotation in found]
        lines.extend(group(group_title(decision), block[1:], annotated))
    if problems:
        annotated = [emit(annotation, budget, report.root) for annotation in problems]
        lines.extend(group("problems outside requests", [], annotated))
    if report.impact is not None and report.impact.changed:
        lines.extend(group("impact of the governance change", changed_lines(report.impact), []))
    lines.extend(text_line(note) for note in report.notes)
    lines.extend(withheld_notice(budget))
    if report.decisions or not report.problems:
        lines.append(summary_line(report))
    return "\n".join(lines) + "\n"

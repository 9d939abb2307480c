"""The `junit` report of `check`: JUnit XML, for CI systems that show test results.

One `<testsuite>` per request, and one for the problems that belong to no request. In a request's
suite, one `<testcase>` per rule that tests something (`assert` and `check` rules: the ones whose
outcome is pass or fail) plus any other rule that reported a finding, with:

- `<failure>` when the rule has a blocking finding (message: the first, where it is);
- `<skipped>` when its findings are waived;
- a passed test whose `<system-out>` lists its findings when they are advisory;

and a last `approval route` test: a failure when an approver rejected the request (its message
says who, as which role, and when), skipped while approvals are missing. A request that does not
load has one `<error>` test per reason instead: no rule was run on it.

Every rule of the policy set is listed for every request: the decision does not record which
policies were in scope for it (only `explain` keeps that trace), so a rule out of scope is reported
as what it is for the gate, a test with no finding. The layout is valid against the JUnit schema
that Jenkins' xUnit plugin validates with (junit-10.xsd; `tests/test_junit_schema.py`), which
GitLab, Azure DevOps and most test-report viewers accept. That schema has no `file` or `line` on a
`<testcase>` (xUnit skips a whole report that has them), so a case says where it points in text:
its message starts with `file:line:col:` (relative to the governance repository) and so does each
finding's line in its body; a request's suite names its file in the `file` attribute (a path
from where `check` ran) and in its `file` property.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from spendgate.decisions import Decision, Finding
from spendgate.problems import Problem, Severity
from spendgate.reporters.check_text import (
    decision_block,
    finding_line,
    rejection_text,
    rejections,
    step_line,
)
from spendgate.reporters.escaping import evidence_text, text_line, xml_document, xml_text
from spendgate.reporters.guidance import Guide
from spendgate.reporters.problems import problem_line

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport, RuleInfo

Outcome = Literal["passed", "failure", "error", "skipped"]
#: What clears a blocking finding, as sentences (`guidance.Guide.what_to_do` for one request).
Advice = Callable[[Finding], tuple[str, ...]] | None
#: The rule effects that pass or fail; `require` and `classify` shape the route and the class.
TESTED_EFFECTS = ("assert", "check")


@dataclass(frozen=True)
class Case:
    """One test case, before it becomes XML."""

    classname: str
    name: str
    outcome: Outcome = "passed"
    message: str = ""
    kind: str = ""
    detail: str = ""
    output: str = ""


def finding_detail(finding: Finding) -> str:
    """The body of a failing case: the finding's line, its policy and evidence."""
    evidence = [
        text_line(f"    {path} = {evidence_text(value)}") for path, value in finding.evidence
    ]
    return "\n".join(
        [finding_line(finding), f"    policy {finding.policy}@{finding.policy_version}", *evidence]
    )


def findings_case(
    classname: str, name: str, found: list[Finding], *, invalid: bool, advice: Advice = None
) -> Case:
    """The test of one rule, from the findings it reported (none: it passed); `advice` says
    what clears a finding that blocks."""
    if not found:
        return Case(classname, name)
    detail = "\n".join(finding_detail(finding) for finding in found)
    blocking = [finding for finding in found if finding.blocking]
    if blocking and advice is not None:
        detail = "\n".join((detail, *advice(blocking[0])))
    waived = [finding for finding in found if finding.waiver]
    if blocking:
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        message = f"{blocking[0].location}: {blocking[0].message}{more}"
        if invalid:
            return Case(classname, name, "error", message, "invalid", detail)
        return Case(classname, name, "failure", message, blocking[0].enforcement, detail)
    if waived:
        message = f"{waived[0].location}: waived by {waived[0].waiver}: {waived[0].message}"
        return Case(classname, name, "skipped", message, "waived", detail)
    return Case(classname, name, output=detail)


def finding_name(finding: Finding) -> str:
    """A case's name for a finding: the rule id, with its title when it says more."""
    if finding.title and finding.title != finding.message:
        return f"{finding.rule_id} {finding.title}"
    return finding.rule_id


def route_case(decision: Decision) -> Case:
    """The approval route as one case: passed, failed when rejected, skipped waiting."""
    steps = "\n".join(step_line(step).strip() for step in decision.route)
    rejected = rejections(decision)
    if rejected:
        message = "; ".join(rejection_text(step) for step in rejected)
        return Case("approvals", "approval route", "failure", message, "rejected", steps)
    waiting = [" + ".join(step.roles) for step in decision.route if not step.satisfied]
    if not waiting:
        return Case("approvals", "approval route", output=steps)
    message = f"waiting for {len(waiting)} approval(s): {', '.join(waiting)}"
    return Case("approvals", "approval route", "skipped", message, "pending", steps)


def rule_cases(
    decision: Decision, rules: tuple[RuleInfo, ...], guide: Guide | None = None
) -> list[Case]:
    """One case per rule tested on a request, with the findings it raised (and, with a
    guide, what clears them)."""
    advice = (lambda finding: guide.what_to_do(finding, decision.request_id)) if guide else None
    by_rule: dict[str, list[Finding]] = {}
    for finding in decision.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    if decision.status == "invalid":
        return [
            findings_case(found[0].policy, finding_name(found[0]), found, invalid=True)
            for found in by_rule.values()
        ]
    cases = []
    for rule in rules:
        if rule.effect in TESTED_EFFECTS or rule.id in by_rule:
            found = by_rule.pop(rule.id, [])
            cases.append(
                findings_case(
                    rule.policy, f"{rule.id} {rule.title}", found, invalid=False, advice=advice
                )
            )
    cases += [
        findings_case(found[0].policy, finding_name(found[0]), found, invalid=False, advice=advice)
        for found in by_rule.values()
    ]
    return [*cases, route_case(decision)]


def problem_case(problem: Problem) -> Case:
    """One problem outside requests as a case: a failure (configuration: an error) or passed."""
    where = problem.location
    name = f"{problem.code} {where}"
    line = problem_line(problem)
    if not problem.is_error:
        return Case(problem.severity.value, name, output=line)
    outcome: Outcome = "error" if problem.severity is Severity.CONFIGURATION else "failure"
    return Case(
        problem.severity.value, name, outcome, f"{where}: {problem.message}", problem.code, line
    )


def case_element(case: Case) -> ET.Element:
    """The `<testcase>` element of one case. junit-10.xsd gives a test case no `file` or `line`
    attribute: where a case points is the start of its message and of each line of its text."""
    element = ET.Element("testcase", classname=xml_text(case.classname), name=xml_text(case.name))
    element.set("time", "0")
    if case.outcome != "passed":
        child = ET.SubElement(element, case.outcome, message=xml_text(case.message))
        child.set("type", xml_text(case.kind))
        child.text = xml_text(case.detail)
    if case.output:
        ET.SubElement(element, "system-out").text = xml_text(case.output)
    return element


def suite_element(
    name: str, cases: list[Case], properties: dict[str, str], output: str
) -> ET.Element:
    """A `<testsuite>` element: its cases counted by outcome, properties and log."""
    counts = Counter(case.outcome for case in cases)
    suite = ET.Element("testsuite", name=xml_text(name), tests=str(len(cases)))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", "0")
    if properties:
        listed = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(listed, "property", name=key, value=xml_text(value))
    suite.extend(case_element(case) for case in cases)
    if output:
        ET.SubElement(suite, "system-out").text = xml_text(output)
    return suite


def request_properties(decision: Decision, report: CheckReport) -> dict[str, str]:
    """The facts of a request that its suite lists as properties."""
    return {
        "request": decision.request_id,
        "title": decision.title,
        "file": decision.file,
        "status": decision.status,
        "total": f"{decision.total_base} {decision.base_currency}",
        "classification": decision.classification.result,
        "policy_set": f"{report.policy_set} {report.policy_set_version}",
        "evaluation_date": report.evaluation_date.isoformat(),
    }


def request_suite(decision: Decision, report: CheckReport, guide: Guide) -> ET.Element:
    """The suite of one request: its rules' cases and the request's text block."""
    name = decision.request_id if decision.request_id != "?" else decision.file
    suite = suite_element(
        name,
        rule_cases(decision, report.rules, guide),
        request_properties(decision, report),
        "\n".join(decision_block(decision, guide=guide)),
    )
    suite.set("file", xml_text(Path(report.root, decision.file).as_posix()))
    return suite


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The report as JUnit XML; `colour` is ignored."""
    guide = Guide.of(report)
    suites = [request_suite(decision, report, guide) for decision in report.decisions]
    if report.problems:
        cases = [problem_case(problem) for problem in report.problems]
        suites.append(suite_element("problems outside requests", cases, {}, ""))
    top = ET.Element("testsuites", name="spendgate check")
    for total in ("tests", "failures", "errors"):
        top.set(total, str(sum(int(suite.get(total, "0")) for suite in suites)))
    top.set("time", "0")
    top.extend(suites)
    ET.indent(top, space="  ")
    body = xml_document(ET.tostring(top, encoding="unicode"))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

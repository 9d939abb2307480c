"""The junit, github and markdown reports: escaping, limits and structure, on exact strings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from spendgate.decisions import (
    CheckReport,
    Classification,
    Decision,
    Finding,
    Inputs,
    RouteStep,
    RuleInfo,
    Status,
)
from spendgate.problems import Level, Location, Problem, Severity
from spendgate.reporters import github, junit, markdown
from tests.conftest import PROJECT, Cli

AS_OF = date(2026, 11, 22)


def finding(
    message: str,
    *,
    rule_id: str = "VR-015",
    title: str = "The vendor was screened",
    enforcement: str = "hard",
    waiver: str | None = None,
    line: int = 9,
) -> Finding:
    return Finding(
        rule_id,
        title,
        "vendor-risk",
        "1.0.0",
        enforcement,  # type: ignore[arg-type]
        message,
        Location("requests/r.yaml", line, 5, "$.vendor"),
        waiver=waiver,
    )


def decision(
    *findings: Finding,
    status: Status = "blocked",
    title: str = "Laptops",
    route: tuple[RouteStep, ...] = (),
    request_id: str = "PR-1",
) -> Decision:
    return Decision(
        request_id,
        "requests/r.yaml",
        title,
        status,
        "1234.50",
        "EUR",
        Classification("opex"),
        route,
        findings,
        Inputs(AS_OF, "reference", "1.0.0", ()),
    )


def report(
    *decisions: Decision,
    problems: tuple[Problem, ...] = (),
    rules: tuple[RuleInfo, ...] = (),
    root: str = "gov",
) -> CheckReport:
    return CheckReport(root, AS_OF, "reference", "1.0.0", decisions, problems, rules=rules)


def rule(rule_id: str, effect: str = "assert") -> RuleInfo:
    return RuleInfo(
        rule_id, f"Rule {rule_id}", "", "vendor-risk", "1.0.0", "risk", effect, "hard",
        Location("policies/vendor-risk.yaml", 3, 7),
    )  # fmt: skip


# github


def test_github_escapes_data_and_properties() -> None:
    assert github.escape_data("50% done: a, b\r\nnext") == "50%25 done: a, b%0D%0Anext"
    assert github.escape_property("50% done: a, b\nnext") == "50%25 done%3A a%2C b%0Anext"


def test_github_annotation_of_a_message_with_percent_colon_comma_and_newlines() -> None:
    found = finding("price 12% above: list, and\nmore", title="Price: fair, or noted")
    rules = (replace(rule("VR-015"), fix="Screen the vendor again"),)
    lines = github.render(report(decision(found), rules=rules)).splitlines()

    assert lines[:3] == [
        "::group::PR-1 [blocked] Laptops",
        "  requests/r.yaml: 1,234.50 EUR, opex",
        "::error file=gov/requests/r.yaml,line=9,col=5,title=VR-015 Price%3A fair%2C or noted"
        "::PR-1: $.vendor: price 12%25 above: list, and%0Amore%0Afix: Screen the vendor again."
        "%0Ahard: no waiver can lift it.",
    ]
    assert lines[3] == "::endgroup::"


def test_github_group_title_and_plain_lines_cannot_start_a_command() -> None:
    title = "Laptops\n::error::forged"
    lines = github.render(report(decision(title=title, status="approved"))).splitlines()

    assert lines[0] == "::group::PR-1 [approved] Laptops ::error::forged"
    assert not any(line.startswith("::error") for line in lines)


def test_github_annotates_ten_of_a_level_then_lists_the_rest_and_counts_them() -> None:
    errors = [finding(f"error {n}", line=n) for n in range(1, 13)]
    notes = [finding(f"waived {n}", enforcement="soft", waiver="WV-1") for n in range(10)]
    lines = github.render(report(decision(*errors, *notes))).splitlines()

    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::notice file=") for line in lines) == 9
    assert "  requests/r.yaml:11:5: [error] $.vendor: error 11 (VR-015)" in lines
    assert "  requests/r.yaml:12:5: [error] $.vendor: error 12 (VR-015)" in lines
    assert "  requests/r.yaml:9:5: [note] $.vendor: waived 9 (VR-015, waived by WV-1)" in lines
    assert lines[-2:] == [
        "::notice title=spendgate::3 findings were not annotated (2 errors, 1 notice): "
        "GitHub shows at most 10 annotations of each level per step. "
        "Every finding is listed in this step's log.",
        "1 request: 0 approved, 0 pending, 1 blocked, 0 rejected, 0 invalid "
        "(policy set reference 1.0.0, as of 2026-11-22)",
    ]


def test_github_within_the_limits_annotates_all_and_adds_no_notice() -> None:
    notes = [finding(f"waived {n}", enforcement="soft", waiver="WV-1") for n in range(10)]
    lines = github.render(report(decision(*notes))).splitlines()

    assert sum(line.startswith("::notice file=") for line in lines) == 10
    assert not any(line.startswith("::notice title=spendgate") for line in lines)


def test_github_problems_outside_requests_have_their_own_group() -> None:
    problem = Problem(Location("vendors/v.yaml", 0, 0), "bad, very: bad", "V-1")
    lines = github.render(report(problems=(problem,))).splitlines()

    assert lines == [
        "::group::problems outside requests",
        "::error file=gov/vendors/v.yaml,title=V-1::bad, very: bad",
        "::endgroup::",
    ]


# markdown


def test_markdown_escapes_user_text() -> None:
    assert markdown.text("a|b <script> `x` *y* [l](u) @bob & _z_\nnext") == (
        r"a\|b &lt;script&gt; \`x\` \*y\* \[l\](u) @&#8203;bob &amp; \_z\_<br>next"
    )


def test_markdown_code_spans_outlast_the_backticks_they_hold() -> None:
    assert markdown.code("a`b") == "`` a`b ``"
    assert markdown.code("a|b") == "`a|b`"
    assert markdown.code("a|b", cell=True) == r"`a\|b`"


def test_markdown_comment_layout() -> None:
    steps = (
        RouteStep("cfo", "DR-040", "CFO", 2, eligible=("ann",), satisfied=True,
                  approved_by="ann", approved_on=date(2026, 11, 20), authenticity="signed"),
        RouteStep("vp", "DR-030", "VP", 3, eligible=("bo", "cy")),
        RouteStep("legal", "AI-020", "Legal", 1, veto=True),
    )  # fmt: skip
    found = (
        finding("advice | with a pipe", enforcement="advisory", rule_id="ESG-020"),
        finding("old <b>screening</b>"),
        finding("contract short", enforcement="soft", waiver="WV-9", rule_id="VR-030"),
        finding("no SOC 2", enforcement="soft", rule_id="VR-040"),
        finding("no ISO 27001", enforcement="soft", rule_id="VR-040"),
    )
    rules = (
        replace(rule("VR-015"), fix="Screen the vendor again."),
        replace(
            rule("VR-040"), enforcement="soft", fix="Get the reports.", waiver_granters=("dee",)
        ),
    )
    decided = decision(*found, route=steps, title="Laptops | docks")
    comment = markdown.render(report(decided, rules=rules))

    assert comment == "\n".join(
        [
            "<!-- spendgate-report -->",
            "## ❌ spendgate: blocked",
            "",
            "1 request: 0 approved, 0 pending, 1 blocked, 0 rejected, 0 invalid "
            "(policy set reference 1.0.0, as of 2026-11-22)",
            "",
            "| Request | Status | Total | Classification | Title |",
            "| --- | --- | ---: | --- | --- |",
            r"| PR-1 | ❌ blocked | 1,234.50 EUR | opex | Laptops \| docks |",
            "",
            r"### ❌ PR-1: Laptops \| docks",
            "",
            "**blocked** · 1,234.50 EUR · opex · `requests/r.yaml`",
            "",
            "**Approval route**",
            "",
            "- [x] stage 2: **cfo** (DR-040): approved by ann on 2026-11-20 (signed)",
            "- [ ] stage 3: **vp** (DR-030): waiting; may approve: bo, cy",
            "- [ ] stage 1: **legal** (veto) (AI-020): waiting; **nobody holds this role**",
            "",
            "**Findings**",
            "",
            "| Level | Rule | Message | Location |",
            "| --- | --- | --- | --- |",
            "| error | VR-015 | old &lt;b&gt;screening&lt;/b&gt; "
            "| `requests/r.yaml:9:5` `$.vendor` |",
            "| error | VR-040 | no SOC 2 | `requests/r.yaml:9:5` `$.vendor` |",
            "| error | VR-040 | no ISO 27001 | `requests/r.yaml:9:5` `$.vendor` |",
            r"| warning | ESG-020 | advice \| with a pipe | `requests/r.yaml:9:5` `$.vendor` |",
            "",
            "**What to do**",
            "",
            "- **VR-015**: fix: Screen the vendor again. hard: no waiver can lift it.",
            "- **VR-040**: fix: Get the reports. soft: a waiver can lift it: a Waiver in "
            "waivers/ with rules: \\[VR-040\\] and applies\\_to: \\[PR-1\\], approved and "
            "committed by a holder of risk (dee), never the requester.",
            "",
            "**Waivers applied**",
            "",
            "- VR-030 waived by WV-9: contract short (`requests/r.yaml:9:5`)",
            "",
        ]
    )


def test_markdown_shows_notes_and_problems() -> None:
    problem = Problem(Location("vendors/v.yaml", 2, 3, "$.id"), "a|b", "V-1", Level.WARNING)
    base = report(decision(status="approved"), problems=(problem,))
    comment = markdown.render(
        CheckReport(
            base.root, AS_OF, "reference", "1.0.0", base.decisions, base.problems,
            notes=("Judged by the rules of the base revision abc.",),
        )
    )  # fmt: skip

    assert "\n> Judged by the rules of the base revision abc.\n" in comment
    assert comment.startswith("<!-- spendgate-report -->\n## ✅ spendgate: approved\n")
    assert comment.endswith(
        "### Problems outside requests\n\n| Level | Code | Message | Location |\n"
        "| --- | --- | --- | --- |\n"
        r"| warning | V-1 | a\|b | `vendors/v.yaml:2:3` `$.id` |" + "\n"
    )


def test_markdown_leaves_out_details_past_the_comment_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(markdown, "COMMENT_BUDGET", 900)
    many = [decision(request_id=f"PR-{n}", status="pending") for n in range(5)]
    comment = markdown.render(report(*many))

    assert len(comment) == 897
    assert comment.count("| ⏳ pending |") == 5
    assert [line for line in comment.splitlines() if line.startswith("### ")] == [
        f"### ⏳ PR-{n}: Laptops" for n in range(3)
    ]
    assert comment.endswith(
        "_The details of 2 more request(s) (2 pending) are left out: GitHub limits a comment to "
        "65,536 characters. The job log lists them all._\n"
    )


# junit

TESTCASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}
TESTSUITE_ATTRIBUTES = {"name", "tests", "failures", "errors", "skipped", "time", "file"}
TESTCASE_ATTRIBUTES = {"name", "classname", "time"}


def check_junit_structure(document: str) -> ET.Element:
    """The layout junit-10.xsd (Jenkins xUnit) requires, asserted element by element."""
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    top = ET.fromstring(document.encode("utf-8"))
    assert top.tag == "testsuites"
    assert set(top.attrib) <= {"name", "time", "tests", "failures", "errors"}
    assert {child.tag for child in top} <= {"testsuite"}
    for total in ("tests", "failures", "errors"):
        assert int(top.attrib[total]) == sum(int(suite.attrib[total]) for suite in top)
    for suite in top:
        check_suite_structure(suite)
    return top


def check_suite_structure(suite: ET.Element) -> None:
    assert set(suite.attrib) <= TESTSUITE_ATTRIBUTES and suite.attrib["name"]
    tags = [child.tag for child in suite]
    order = {"properties": 0, "testcase": 1, "system-out": 2, "system-err": 3}
    assert tags == sorted(tags, key=order.__getitem__)
    assert tags.count("properties") <= 1 and tags.count("system-out") <= 1
    for listed in suite.iter("property"):
        assert set(listed.attrib) == {"name", "value"}
    cases = suite.findall("testcase")
    assert int(suite.attrib["tests"]) == len(cases)
    totals = {"failure": "failures", "error": "errors", "skipped": "skipped"}
    for outcome, attribute in totals.items():
        assert int(suite.attrib[attribute]) == sum(case.find(outcome) is not None for case in cases)
    for case in cases:
        assert case.attrib["name"] and case.attrib["classname"]
        assert set(case.attrib) <= TESTCASE_ATTRIBUTES
        assert {child.tag for child in case} <= TESTCASE_CHILDREN
        assert sum(child.tag in ("failure", "error", "skipped") for child in case) <= 1


def test_junit_of_an_example_is_well_formed_and_follows_the_schema(cli: Cli) -> None:
    outcome = cli("check", PROJECT / "examples" / "bank", "--as-of", "2026-11-22", "--format",
                  "junit")  # fmt: skip

    top = check_junit_structure(outcome.stdout)

    suite = top.find("testsuite[@name='NB-2026-0199']")
    assert suite is not None
    failed = suite.find("testcase[@name='VR-040 Confidential data needs a fresh SOC 2 Type II "
                        "and a valid ISO 27001']/failure")  # fmt: skip
    assert failed is not None
    assert failed.attrib["message"] == (
        "requests/2026/NB-2026-0199.yaml:9:9: caspian-data has no SOC 2 Type II report on file "
        "(and 1 more)"
    )


def test_junit_cases_failures_waivers_advice_invalid_and_problems() -> None:
    rules = (rule("VR-015"), rule("VR-030"), rule("ESG-020"), rule("DR-010", "require"))
    valid = decision(
        finding("stale\x01 screening"),
        finding("short", rule_id="VR-030", enforcement="soft", waiver="WV-9"),
        finding("advice", rule_id="ESG-020", enforcement="advisory"),
        route=(RouteStep("vp", "DR-030", "VP", eligible=("bo",)),),
    )
    broken = decision(
        finding("does not load", rule_id="YAML", title="does not load"),
        status="invalid",
        request_id="?",
    )
    problem = Problem(
        Location("policies/p.yaml", 1, 1), "no CEL", "POL", severity=Severity.CONFIGURATION
    )
    document = junit.render(report(valid, broken, problems=(problem,), rules=rules))

    top = check_junit_structure(document)
    outcomes = {
        (suite.attrib["name"], case.attrib["name"]): [child.tag for child in case]
        for suite in top
        for case in suite.iter("testcase")
    }
    assert outcomes == {
        ("PR-1", "VR-015 Rule VR-015"): ["failure"],
        ("PR-1", "VR-030 Rule VR-030"): ["skipped"],
        ("PR-1", "ESG-020 Rule ESG-020"): ["system-out"],
        ("PR-1", "approval route"): ["skipped"],
        ("requests/r.yaml", "YAML"): ["error"],
        ("problems outside requests", "POL policies/p.yaml:1:1"): ["error"],
    }
    assert top.attrib == {
        "name": "spendgate check",
        "tests": "6",
        "failures": "1",
        "errors": "2",
        "time": "0",
    }
    failure = top.find(".//testcase[@name='VR-015 Rule VR-015']/failure")
    assert failure is not None
    assert failure.attrib["message"] == "requests/r.yaml:9:5: stale\ufffd screening"
    case = top.find(".//testcase[@name='VR-015 Rule VR-015']")
    assert case is not None and set(case.attrib) == {"classname", "name", "time"}


# the CLI


def test_check_writes_junit_and_markdown_in_one_run(cli: Cli, tmp_path: Path) -> None:
    outcome = cli(
        "check", PROJECT / "examples" / "bank", "--as-of", "2026-11-22",
        "--output", f"junit={tmp_path / 'out' / 'spendgate.xml'}",
        "--output", f"markdown={tmp_path / 'comment.md'}",
    )  # fmt: skip

    assert outcome.exit_code == 1
    assert outcome.stdout.startswith("NB-2026-0142 [blocked]")
    check_junit_structure((tmp_path / "out" / "spendgate.xml").read_text(encoding="utf-8"))
    comment = (tmp_path / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith("<!-- spendgate-report -->\n## ❌ spendgate: blocked\n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("junit", "--output takes FORMAT=PATH, not 'junit'"),
        ("junit=", "--output takes FORMAT=PATH, not 'junit='"),
        (
            "xml=out.xml",
            "--output: unknown format 'xml'; choose from text, json, sarif, junit, github, "
            "markdown",
        ),
    ],
)
def test_a_bad_output_value_is_a_usage_error(
    cli: Cli, tmp_path: Path, value: str, message: str
) -> None:
    outcome = cli("check", PROJECT / "examples" / "bank", "--output", value)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        f"spendgate: error: {message}\n",
    )

"""The junit report against junit-10.xsd, the schema Jenkins' xUnit plugin validates JUnit XML
with before it reads it (a report that does not validate is skipped whole), checked by a real XML
Schema validator. `tests/data/README.md` says where the schema comes from."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import xmlschema

from spendgate.decisions import RouteStep
from spendgate.problems import Level, Location, Problem, Severity
from spendgate.reporters import junit
from tests.conftest import TESTS
from tests.test_golden import EXAMPLE_EXITS, golden_file
from tests.test_reporters import decision, finding, report, rule

SCHEMA_FILE = TESTS / "data" / "junit-10.xsd"
SCHEMA_SHA256 = "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA_FILE)


def errors(schema: xmlschema.XMLSchema, document: str) -> list[str]:
    """Each reason the document is not valid, with the path of the element it concerns."""
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(document)]


def test_the_schema_is_the_copy_described_in_the_data_readme() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_the_schema_refuses_a_location_on_a_test_case(schema: xmlschema.XMLSchema) -> None:
    """What the reporter used to write: the validator is strict where it matters."""
    document = (
        '<testsuites><testsuite name="PR-1" tests="1" failures="0" errors="0">'
        '<testcase name="VR-015" classname="vendor-risk" file="gov/requests/r.yaml" line="9"/>'
        "</testsuite></testsuites>"
    )

    assert errors(schema, document) == [
        "/testsuites/testsuite/testcase: 'file' attribute not allowed for element",
        "/testsuites/testsuite/testcase: 'line' attribute not allowed for element",
    ]


@pytest.mark.parametrize("example", list(EXAMPLE_EXITS))
def test_each_golden_junit_report_is_valid(schema: xmlschema.XMLSchema, example: str) -> None:
    document = golden_file(example, "junit").read_text(encoding="utf-8")

    assert errors(schema, document) == []


def test_a_report_of_every_outcome_is_valid_and_says_where_each_case_points(
    schema: xmlschema.XMLSchema,
) -> None:
    """Failed, waived, advisory, pending, rejected, invalid and outside-request cases."""
    rules = (rule("VR-015"), rule("VR-030"), rule("ESG-020"))
    blocked = decision(
        finding("stale screening"),
        finding("short", rule_id="VR-030", enforcement="soft", waiver="WV-9", line=12),
        finding("advice", rule_id="ESG-020", enforcement="advisory", line=14),
        route=(RouteStep("vp", "DR-030", "VP", eligible=("bo",)),),
    )
    rejected = decision(
        status="rejected",
        request_id="PR-2",
        route=(
            RouteStep(
                "cfo", "DR-040", "CFO", satisfied=True, approved_by="cfo-person",
                approved_on=date(2026, 11, 20), rejected=True, comment="not this year",
            ),
        ),
    )  # fmt: skip
    broken = decision(
        finding("does not load", rule_id="YAML", title="does not load", line=1),
        status="invalid",
        request_id="?",
    )
    problems = (
        Problem(
            Location("policies/p.yaml", 3, 1), "no CEL", "POL", severity=Severity.CONFIGURATION
        ),
        Problem(Location("org/people.yaml", 4, 7), "odd", "people", Level.WARNING),
    )
    document = junit.render(report(blocked, rejected, broken, problems=problems, rules=rules))

    assert errors(schema, document) == []
    top = ET.fromstring(document.encode("utf-8"))
    messages = {
        (case.get("name"), child.tag): child.get("message")
        for case in top.iter("testcase")
        for child in case
        if child.tag != "system-out"
    }
    assert messages == {
        ("VR-015 Rule VR-015", "failure"): "requests/r.yaml:9:5: stale screening",
        ("VR-030 Rule VR-030", "skipped"): "requests/r.yaml:12:5: waived by WV-9: short",
        ("approval route", "skipped"): "waiting for 1 approval(s): vp",
        ("approval route", "failure"): "rejected by cfo-person as cfo on 2026-11-20, "
        'saying "not this year"',
        ("YAML", "error"): "requests/r.yaml:1:5: does not load",
        ("POL policies/p.yaml:3:1", "error"): "policies/p.yaml:3:1: no CEL",
    }
    advisory = top.find(".//testcase[@name='ESG-020 Rule ESG-020']/system-out")
    assert advisory is not None and advisory.text is not None
    assert advisory.text.startswith("requests/r.yaml:14:5: [warning] $.vendor: advice (ESG-020)")

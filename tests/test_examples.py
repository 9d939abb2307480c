"""The bundled example repositories are valid and as rich as the README promises."""

from __future__ import annotations

import json
from typing import get_args

import pytest

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.purchase_request import Category, PurchaseRequest
from spendgate.documents.repository import open_repository
from spendgate.documents.vendor import Vendor
from tests.conftest import EXAMPLES, Cli

NAMES = ["bank", "manufacturer", "retailer"]


@pytest.mark.parametrize("name", NAMES)
def test_example_validates(cli: Cli, name: str) -> None:
    outcome = cli("validate", EXAMPLES / name)
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert outcome.stdout.startswith("valid: ")


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_believable_company(name: str) -> None:
    repository = open_repository(EXAMPLES / name)
    vendors = [model for _, model in repository.models(Vendor)]
    requests = [model for _, model in repository.models(PurchaseRequest)]
    tiers = {model.eu_ai_act.risk_tier for _, model in repository.models(AIAssessment)}

    assert len(vendors) >= 6
    assert len(requests) >= 10
    assert len(tiers) >= 2
    assert (EXAMPLES / name / "README.md").is_file()


def test_examples_together_span_every_category() -> None:
    categories = {
        item.category
        for name in NAMES
        for _, request in open_repository(EXAMPLES / name).models(PurchaseRequest)
        for item in request.line_items
    }
    assert categories == set(get_args(Category))


def test_norwegian_vendor_keeps_its_country() -> None:
    repository = open_repository(EXAMPLES / "bank")
    vendor = repository.get("Vendor", "nordlys-telekom")
    assert isinstance(vendor, Vendor)
    assert vendor.country == "NO"


def expected_decisions(name: str) -> dict[str, tuple[str, str, str]]:
    """The 'Expected decisions' table of an example's README: request -> status, class, rules."""
    readme = (EXAMPLES / name / "README.md").read_text()
    section = readme.split("## Expected decisions", 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2], cells[3])
    return rows


@pytest.mark.parametrize("name", NAMES)
def test_check_decides_as_the_readme_says(cli: Cli, name: str) -> None:
    outcome = cli("check", EXAMPLES / name, "--as-of", "2026-11-22", "--format", "json")
    report = json.loads(outcome.stdout)
    decided = {
        decision["request_id"]: (
            decision["status"],
            decision["classification"]["result"],
            ", ".join(sorted(set(decision["blocking"]))) or "–",
        )
        for decision in report["decisions"]
    }
    assert outcome.exit_code == 1  # every example holds blocked or pending requests on purpose
    assert decided == expected_decisions(name)


def test_examples_together_show_every_status_and_class(cli: Cli) -> None:
    statuses, classes = set(), set()
    for name in NAMES:
        for status, classification, _ in expected_decisions(name).values():
            statuses.add(status)
            classes.add(classification)
    assert {"approved", "pending", "blocked", "rejected"} <= statuses
    assert {"capex", "opex", "mixed", "lease"} <= classes

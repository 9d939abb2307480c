"""The bundled example repositories are valid and as rich as the README promises."""

from __future__ import annotations

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

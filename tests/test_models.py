"""Models: strict values, and the computed figures policies will read (totals, FX, annualised)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from spendgate.documents.config import Config
from spendgate.documents.purchase_request import LineItem, PurchaseRequest

CONFIG = Config.model_validate(
    {
        "apiVersion": "spendgate/v1",
        "kind": "Config",
        "organization": {"name": "Fjord", "industry": "finance", "base_currency": "EUR"},
        "fx": {"as_of": "2026-11-01", "rates": {"USD": 0.92, "NOK": 0.085}},
    }
)


def item(**fields: Any) -> dict[str, Any]:
    return {"description": "thing", "category": "hardware", "currency": "USD", **fields}


def request(*items: dict[str, Any]) -> PurchaseRequest:
    return PurchaseRequest.model_validate(
        {
            "apiVersion": "spendgate/v1",
            "kind": "PurchaseRequest",
            "id": "PR-1",
            "title": "A purchase",
            "requester": "kari",
            "department": "it",
            "cost_centre": "it-ops",
            "vendor": "acme",
            "submitted": "2026-11-02",
            "justification": "Needed.",
            "line_items": list(items),
        }
    )


@pytest.mark.parametrize(
    ("fields", "total", "annualised"),
    [
        ({"quantity": 5, "unit_price": 1200.5}, "6002.50", "6002.50"),
        (
            {"quantity": 3, "unit_price": 100, "price_per": "month", "term_months": 36},
            "10800.00",
            "3600.00",
        ),
        (
            {"quantity": 2, "unit_price": 1000, "price_per": "year", "term_months": 24},
            "4000.00",
            "2000.00",
        ),
        ({"unit_price": 90000, "term_months": 36}, "90000.00", "30000.00"),
        ({"unit_price": 500, "price_per": "month", "term_months": 6}, "3000.00", "3000.00"),
        ({"quantity": 0.5, "unit_price": 0.1}, "0.05", "0.05"),
    ],
)
def test_line_totals(fields: dict[str, Any], total: str, annualised: str) -> None:
    line = LineItem.model_validate(item(**fields))
    assert (line.total, line.annualised) == (Decimal(total), Decimal(annualised))


def test_request_totals_in_its_currency_and_in_base_currency() -> None:
    purchase = request(
        item(quantity=2, unit_price=1500),
        item(unit_price=200, price_per="month", term_months=24, category="saas_subscription"),
    )
    assert purchase.currency == "USD"
    assert purchase.total == Decimal("7800.00")
    assert purchase.annualised == Decimal("5400.00")
    assert purchase.total_base(CONFIG) == Decimal("7176.00")


def test_base_currency_needs_no_rate_and_unknown_rates_give_none() -> None:
    assert request(item(currency="EUR", unit_price=10)).total_base(CONFIG) == Decimal("10.00")
    assert request(item(currency="GBP", unit_price=10)).total_base(CONFIG) is None


def error_messages(fields: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        request(item(**fields))
    return [(error["loc"], error["msg"]) for error in raised.value.errors()]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"unit_price": -1}, "Input should be greater than or equal to 0"),
        ({"unit_price": float("inf")}, "Value error, must be a finite number"),
        ({"unit_price": float("nan")}, "Value error, must be a finite number"),
        (
            {"unit_price": 5e15},
            "Value error, 5,000,000,000,000,000 is beyond any plausible purchase "
            "(limit 1,000,000,000,000)",
        ),
        ({"unit_price": "1,200"}, "Value error, must be a number, not the string '1,200'"),
        ({"unit_price": True}, "Value error, must be a number, not a boolean"),
        (
            {"unit_price": 1, "currency": "EUX"},
            "Value error, 'EUX' is not an ISO 4217 currency code",
        ),
        ({"unit_price": 1, "quantity": 0}, "Input should be greater than 0"),
        (
            {"unit_price": 1, "billing": "quarterly"},
            "Input should be 'upfront', 'monthly', 'annual' or 'usage'",
        ),
    ],
)
def test_line_item_values_are_checked(fields: dict[str, Any], message: str) -> None:
    ((location, text),) = error_messages(fields)
    assert location[:2] == ("line_items", 0)
    assert text == message


def test_recurring_price_needs_a_term() -> None:
    assert error_messages({"unit_price": 10, "price_per": "month"}) == [
        (("line_items", 0), "Value error, a price per month needs term_months")
    ]


def test_a_request_is_in_one_currency() -> None:
    with pytest.raises(ValidationError, match="line items mix USD and EUR"):
        request(item(unit_price=1), item(unit_price=1, currency="EUR"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "2026-02-30",
            "Value error, '2026-02-30' is not a real date (day is out of range for month)",
        ),
        ("30/01/2026", "Value error, '30/01/2026' is not a date in the form YYYY-MM-DD"),
        (20260130, "Input should be a valid date"),
    ],
)
def test_dates_are_validated_by_the_model(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PurchaseRequest.model_validate(
            {**request(item(unit_price=1)).model_dump(by_alias=True), "submitted": value}
        )
    assert [error["msg"] for error in raised.value.errors()] == [message]


def test_strings_are_never_coerced_to_booleans() -> None:
    with pytest.raises(ValidationError) as raised:
        LineItem.model_validate(item(unit_price=1, possession_right="yes"))
    assert raised.value.errors()[0]["msg"] == "Input should be a valid boolean"


def test_models_that_gave_the_same_fields_share_one_set_and_a_copy_never_changes_it() -> None:
    """Memory (issue 17): one set of given field names per shape, not one per model; pydantic's
    `model_copy(update=...)` must still change only the copy's."""
    from spendgate.documents.policy import Requirement

    first = Requirement.model_validate({"role": "cfo", "stage": 4})
    second = Requirement.model_validate({"role": "cto", "stage": 2})
    other_shape = Requirement.model_validate({"role": "cfo"})

    raised = first.model_copy(update={"role": "ceo", "of": "department"})

    assert first.model_fields_set is second.model_fields_set
    assert first.model_fields_set == {"role", "stage"}
    assert other_shape.model_fields_set == {"role"}
    assert raised.model_fields_set == {"role", "stage", "of"}
    assert (raised.role, raised.of, raised.stage) == ("ceo", "department", 4)
    assert Requirement.model_validate({"role": "x", "stage": 3}).model_fields_set == {
        "role",
        "stage",
    }

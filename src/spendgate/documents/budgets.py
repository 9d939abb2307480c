"""Budgets (`org/budgets.yaml`): cost-centre budgets per fiscal year, each with an owner."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import (
    Amount,
    Currency,
    Document,
    Identifier,
    RefersTo,
    Slug,
    StrictModel,
    check_minor_units,
)


class Budget(StrictModel):
    """One cost centre's budget for a fiscal year: owner, amount and capex/opex caps."""

    cost_centre: Slug
    fiscal_year: int = Field(ge=2000, le=2100)
    owner: Annotated[Identifier, RefersTo("Person")]
    amount: Amount
    currency: Currency
    capex_cap: Amount | None = None
    opex_cap: Amount | None = None
    department: Slug | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _amounts_fit_the_currency(self) -> Budget:
        check_minor_units(
            "Budget",
            self.currency,
            {"amount": self.amount, "capex_cap": self.capex_cap, "opex_cap": self.opex_cap},
        )
        return self


class Budgets(Document):
    """The budgets requests are charged against, one per cost centre and fiscal year."""

    kind: Literal["Budgets"]
    budgets: list[Budget] = Field(min_length=1)

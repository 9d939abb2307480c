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
    """The cost centre the budget belongs to; requests name it as `cost_centre`."""
    fiscal_year: int = Field(ge=2000, le=2100)
    """The fiscal year, named by the calendar year in which it ends."""
    owner: Annotated[Identifier, RefersTo("Person")]
    """The id (in People) of the budget owner, who approves every request charged to it."""
    amount: Amount
    """The budget for the year, in `currency` (a decimal amount)."""
    currency: Currency
    """The budget's currency, an ISO 4217 code such as EUR."""
    capex_cap: Amount | None = None
    """The most of the budget that may go to capital expenditure, in `currency`; none for no cap."""
    opex_cap: Amount | None = None
    """The most of the budget that may go to operating expenditure, in `currency`; none for no
    cap."""
    department: Slug | None = None
    """The department the cost centre belongs to."""
    name: str | None = None
    """A readable name for the budget."""

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
    """The document kind: always `Budgets`."""
    budgets: list[Budget] = Field(min_length=1)
    """The budgets, one per cost centre and fiscal year."""

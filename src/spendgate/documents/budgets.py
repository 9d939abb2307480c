"""Budgets (`org/budgets.yaml`): cost-centre budgets per fiscal year, each with an owner."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from spendgate.documents.fields import Amount, Currency, Document, Identifier, Slug, StrictModel


class Budget(StrictModel):
    cost_centre: Slug
    fiscal_year: int = Field(ge=2000, le=2100)
    owner: Identifier
    amount: Amount
    currency: Currency
    capex_cap: Amount | None = None
    opex_cap: Amount | None = None
    department: Slug | None = None
    name: str | None = None


class Budgets(Document):
    kind: Literal["Budgets"]
    budgets: list[Budget] = Field(min_length=1)

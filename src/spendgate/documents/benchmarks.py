"""PriceBenchmarks (`benchmarks/*.yaml`): market prices that line items can be compared with.

Each entry gives the quartiles of a unit price (per month when the line is priced per month,
and so on) from a named source. A line item names the entry it is comparable to with
`benchmark:`; the reference policy TEL-010 asks for a negotiation note above the upper quartile.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import Amount, Currency, Document, Identifier, IsoDate, StrictModel
from spendgate.documents.purchase_request import Category


class Benchmark(StrictModel):
    """The market price of one kind of item: its unit and the quartiles of its price."""

    id: Identifier
    category: Category
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    """What one unit is, e.g. `10 Gbit/s wavelength, per month`."""
    p25: Amount
    median: Amount
    p75: Amount

    @model_validator(mode="after")
    def _quartiles_in_order(self) -> Benchmark:
        if not self.p25 <= self.median <= self.p75:
            raise ValueError(
                f"quartiles out of order: {self.p25} <= {self.median} <= {self.p75} fails"
            )
        return self


class PriceBenchmarks(Document):
    """Market prices, from one source and date, that unit prices are compared with."""

    kind: Literal["PriceBenchmarks"]
    source: str = Field(min_length=1)
    as_of: IsoDate
    currency: Currency
    entries: list[Benchmark] = Field(min_length=1)

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
    """The entry's id, which a line item names with `benchmark:`."""
    category: Category
    """The line-item category the entry prices, e.g. `telecom`."""
    description: str = Field(min_length=1)
    """What is priced, in plain words."""
    unit: str = Field(min_length=1)
    """What one unit is, e.g. `10 Gbit/s wavelength, per month`."""
    p25: Amount
    """The lower quartile of the unit price, in the document's currency (a decimal amount)."""
    median: Amount
    """The median unit price, in the document's currency (a decimal amount)."""
    p75: Amount
    """The upper quartile of the unit price, in the document's currency (a decimal amount)."""

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
    """The document kind: always `PriceBenchmarks`."""
    source: str = Field(min_length=1)
    """Where the prices come from, e.g. a market survey."""
    as_of: IsoDate
    """The day the prices are of (ISO date, YYYY-MM-DD)."""
    currency: Currency
    """The currency of every price, an ISO 4217 code such as EUR."""
    entries: list[Benchmark] = Field(min_length=1)
    """The prices, one entry per kind of item."""

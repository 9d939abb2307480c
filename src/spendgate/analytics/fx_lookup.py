"""FX rates with the charge dates each converts, and finding the one in force on a day.

No configuration model is imported here, so the billing scan (`focus`) can use these before the
models load; `fx_history` reads the recorded tables and makes the rates.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: The first day a table can be valid from (for the earliest table).
EARLIEST = date(1, 1, 1)
#: The day after the last a table can be valid to (for the latest table).
LATEST = date(9999, 12, 31)


@dataclass(frozen=True)
class FxRate:
    """One currency's rate in one recorded table, and the charge dates it converts."""

    currency: str
    as_of: date
    valid_from: date
    valid_until: date
    """Excluded."""
    rate: Decimal


class RatesByDay:
    """The rates of `fx_rates`, found by currency and day."""

    def __init__(self, rates: list[FxRate]) -> None:
        self._by_currency: dict[str, list[FxRate]] = defaultdict(list)
        for rate in sorted(rates, key=lambda rate: rate.valid_from):
            self._by_currency[rate.currency].append(rate)
        # One rate stands for each table's dates (the base currency's, at 1, is of no table).
        tables = {rate.as_of: rate for rate in rates if rate.as_of != EARLIEST}
        self._tables = [tables[as_of] for as_of in sorted(tables)]

    def rate(self, currency: str, day: date) -> FxRate | None:
        """The rate that converts `currency` on `day`: the one of the table in force that day;
        None when that table has no rate for it."""
        return _in_force(self._by_currency.get(currency, []), day)

    def table(self, day: date) -> date | None:
        """The as_of of the table in force on `day`; None when no table was ever recorded."""
        found = _in_force(self._tables, day)
        return found.as_of if found is not None else None

    def currencies(self) -> set[str]:
        """Every currency some table (or the base currency) converts."""
        return set(self._by_currency)


def _in_force(rates: list[FxRate], day: date) -> FxRate | None:
    """The rate among `rates` (by valid_from, the dates of one never overlapping another's)
    whose dates hold `day`."""
    index = bisect_right(rates, day, key=lambda rate: rate.valid_from) - 1
    return rates[index] if index >= 0 and day < rates[index].valid_until else None


def converted_early(count: int, kind: str, earliest: date) -> str:
    """The figures' note on `count` rows (`kind`) dated before the earliest recorded FX table
    (as of `earliest`), which converted them."""
    return (
        f"{count} {kind} dated before the earliest recorded FX table (as of "
        f"{earliest.isoformat()}) were converted with it."
    )

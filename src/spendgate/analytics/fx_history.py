"""The FX rates recorded over time: every version of spendgate.yaml's `fx` table in the
repository's git history, and the current one.

A charge (a billing row, a payment) converts with the latest table whose `as_of` is on or before
its date; a charge older than every table converts with the earliest (and the figures say so).
Versions that do not parse are passed over: they were not a valid configuration when committed.
`fx_rates` gives each rate the dates it converts; DuckDB joins billing rows on those dates
(`sql/focus.sql`), Python finds them with `RatesByDay`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from spendgate.documents.config import Config, FxTable
from spendgate.documents.located_yaml import YamlProblem, load_located
from spendgate.documents.root import CONFIG_FILE
from spendgate.errors import GitError
from spendgate.vcs.history import path_log
from spendgate.vcs.trees import file_at

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


def recorded_tables(root: Path, config: Config) -> list[FxTable]:
    """Every distinct `fx` table spendgate.yaml has had in git, and the current one, by as_of
    (for one as_of, the latest committed)."""
    tables: dict[date, FxTable] = {}
    for table in [*_committed_tables(root), config.fx]:
        if table is not None:
            tables[table.as_of] = table
    return [tables[as_of] for as_of in sorted(tables)]


def _committed_tables(root: Path) -> list[FxTable | None]:
    try:
        commits = path_log(root, (CONFIG_FILE,)) or []
        return [_table(file_at(root, commit.sha, CONFIG_FILE)) for commit in commits]
    except GitError:
        return []


def _table(blob: bytes | None) -> FxTable | None:
    if blob is None:
        return None
    try:
        documents = load_located(blob.decode("utf-8"))
        value = documents[0].value if documents else None
        fx = value.get("fx") if isinstance(value, dict) else None
        return FxTable.model_validate(fx) if fx is not None else None
    except (UnicodeDecodeError, YamlProblem, ValidationError):
        return None


def fx_rates(tables: list[FxTable], base_currency: str) -> list[FxRate]:
    """Each table's rates with the charge dates they convert; the base currency converts at 1
    on every date."""
    rates = [FxRate(base_currency, EARLIEST, EARLIEST, LATEST, Decimal(1))]
    for index, table in enumerate(tables):
        start = EARLIEST if index == 0 else table.as_of
        end = tables[index + 1].as_of if index + 1 < len(tables) else LATEST
        rates += [
            FxRate(currency, table.as_of, start, end, rate)
            for currency, rate in table.rates.items()
            if currency != base_currency
        ]
    return rates


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

"""The FX rates recorded over time: every version of spendgate.yaml's `fx` table in the
repository's git history, and the current one.

A charge (a billing row, a payment) converts with the latest table whose `as_of` is on or before
its date; a charge older than every table converts with the earliest (and the figures say so).
Versions that do not parse are passed over: they were not a valid configuration when committed.
`fx_rates` gives each rate the dates it converts; `fx_lookup.RatesByDay` finds the one in force
on a day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from spendgate.analytics.fx_lookup import EARLIEST, LATEST, FxRate
from spendgate.documents.config import Config, FxTable
from spendgate.documents.located_yaml import YamlProblem, load_located
from spendgate.documents.root import CONFIG_FILE
from spendgate.errors import GitError
from spendgate.vcs.history import path_log
from spendgate.vcs.trees import file_at


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

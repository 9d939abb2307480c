"""The CSV inputs of `spendgate report`: spend (accounts payable) and SaaS usage (the FinOps FOCUS
billing files are read by `focus`).

Each file is read whole (DuckDB, `csv_table`) and checked cell by cell: every bad cell is a located
problem and any problem stops the report. Amounts are decimals; a payment converts into the base
currency with the FX table in force on its date (`fx_history`), rounded to the base currency's
minor unit line by line, as a ledger books each invoice.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, get_args

from spendgate.analytics.csv_table import (
    Column,
    CsvErrors,
    Parse,
    Table,
    capped,
    problem,
    read_table,
)
from spendgate.analytics.fx_lookup import FxRate, RatesByDay
from spendgate.documents.config import Config
from spendgate.documents.currencies import EXACT, ISO_4217, round_amount
from spendgate.documents.purchase_request import Category
from spendgate.problems import Problem

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class SpendRow:
    """One line of the accounts-payable export."""

    line: int
    day: date
    vendor: str
    amount_base: Decimal
    category: str
    department: str | None = None
    request: str | None = None
    fx_as_of: date | None = None
    """The as_of of the FX table that converted the amount; None in the base currency."""


@dataclass(frozen=True)
class UsageRow:
    """One paid seat of a SaaS product, assigned to a user, and when that user was last active."""

    line: int
    vendor: str
    product: str
    user: str
    last_active: date | None


# --------------------------------------------------------------------------------------------
# Cell parsers: each returns the value or raises ValueError with the message the user sees
# --------------------------------------------------------------------------------------------


def text(value: str) -> str:
    """A cell that must not be empty, stripped."""
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


def optional_text(value: str) -> str | None:
    """A cell that may be empty: its text stripped, or None."""
    return value.strip() or None


def day(value: str) -> date:
    """A date written YYYY-MM-DD."""
    value = value.strip()
    if not _DAY.fullmatch(value):
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None


def optional_day(value: str) -> date | None:
    """A cell that may be empty or hold a date written YYYY-MM-DD."""
    return day(value) if value.strip() else None


def number(value: str) -> Decimal:
    """A plain decimal number: digits, an optional minus sign and decimal point."""
    value = value.strip()
    if not _NUMBER.fullmatch(value):
        raise ValueError(f"'{value}' is not a number (write it like -1234.50)")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"'{value}' is not a number") from None


def one_of(choices: Collection[str]) -> Parse:
    """A parser for a cell that must hold one of `choices`."""

    def parse(value: str) -> str:
        if value.strip() not in choices:
            raise ValueError(f"'{value.strip()}' is not one of {', '.join(sorted(choices))}")
        return value.strip()

    return parse


def currency(convertible: Collection[str]) -> Parse:
    """An ISO 4217 code among `convertible` (those some FX table converts); the cell reads as
    the code. Whether the table of the line's date converts it is judged with the date."""

    def parse(value: str) -> str:
        code = value.strip()
        if code not in ISO_4217:
            raise ValueError(f"'{code}' is not an ISO 4217 currency code")
        if code not in convertible:
            raise ValueError(f"no FX rate for {code} in spendgate.yaml (fx.rates)")
        return code

    return parse


def request_id(known: Collection[str]) -> Parse:
    """A parser for a cell that is empty or names a request in `known`."""

    def parse(value: str) -> str | None:
        identifier = value.strip()
        if identifier and identifier not in known:
            raise ValueError(f"'{identifier}' is not a purchase request of the repository")
        return identifier or None

    return parse


# --------------------------------------------------------------------------------------------
# Reading a table
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# The three inputs
# --------------------------------------------------------------------------------------------


def read_spend(
    path: Path, config: Config, requests: Mapping[str, str], rates: list[FxRate]
) -> list[SpendRow]:
    """The accounts-payable export: date (the payment's, which picks the FX table among
    `rates`), vendor, amount, currency, category; optionally department and request (the
    purchase request the invoice was raised against, which must be a request of the repository
    with the same vendor). `requests`: request id to vendor id."""
    by_day = RatesByDay(rates)
    columns = (
        Column("date", day),
        Column("vendor", text),
        Column("amount", number),
        Column("currency", currency(by_day.currencies())),
        Column("category", one_of(get_args(Category))),
        Column("department", optional_text, required=False),
        Column("request", request_id(requests), required=False),
    )
    table = read_table(path, columns)
    problems = [*_unconverted(path, table, by_day), *_other_vendor(path, table, requests)]
    if problems:
        raise CsvErrors(capped(sorted(problems, key=lambda found: found.location.line)))
    return [_spend_row(line, cells, by_day, config) for line, cells in table.rows]


def _unconverted(path: Path, table: Table, by_day: RatesByDay) -> list[Problem]:
    """A problem for each line whose currency the FX table of its date does not convert."""
    problems = []
    for line, cells in table.rows:
        code, paid = cells["currency"], cells["date"]
        if by_day.rate(code, paid) is None:
            as_of = by_day.table(paid)
            table_of = f" as of {as_of}, the table in force on {paid}" if as_of else ""
            message = f"currency: no FX rate for {code} in spendgate.yaml (fx.rates){table_of}"
            problems.append(problem(path, line, table.positions["currency"], message, "csv-value"))
    return problems


def _other_vendor(path: Path, table: Table, requests: Mapping[str, str]) -> list[Problem]:
    """A problem for each line naming a request bought from another vendor."""
    return [
        problem(
            path,
            line,
            table.positions["request"],
            f"request: {cells['request']} is a purchase from {requests[cells['request']]}, "
            f"not {cells['vendor']}",
            "csv-value",
        )
        for line, cells in table.rows
        if cells["request"] is not None and requests[cells["request"]] != cells["vendor"]
    ]


def _spend_row(line: int, cells: dict[str, Any], by_day: RatesByDay, config: Config) -> SpendRow:
    base = config.organization.base_currency
    rate = by_day.rate(cells["currency"], cells["date"])
    assert rate is not None  # _unconverted found every line without one
    return SpendRow(
        line,
        cells["date"],
        cells["vendor"],
        round_amount(EXACT.multiply(cells["amount"], rate.rate), base),
        cells["category"],
        cells["department"],
        cells["request"],
        fx_as_of=rate.as_of if rate.currency != base else None,
    )


def read_usage(path: Path) -> list[UsageRow]:
    """Seat assignments of SaaS products: vendor, product, user, last_active (empty: never)."""
    columns = (
        Column("vendor", text),
        Column("product", text),
        Column("user", text),
        Column("last_active", optional_day),
    )
    table = read_table(path, columns)
    rows = [
        UsageRow(line, cells["vendor"], cells["product"], cells["user"], cells["last_active"])
        for line, cells in table.rows
    ]
    first: dict[tuple[str, str, str], int] = {}
    problems = []
    for row in rows:
        seat = (row.vendor, row.product, row.user)
        if seat in first:
            message = f"user: {row.user} already has a seat of {row.product} (line {first[seat]})"
            problems.append(problem(path, row.line, table.positions["user"], message, "csv-value"))
        first.setdefault(seat, row.line)
    if problems:
        raise CsvErrors(capped(problems))
    return rows

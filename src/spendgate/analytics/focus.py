"""FinOps FOCUS billing exports, summed in DuckDB (`sql/focus.sql`).

Only sums come back to Python: the good rows' exact BilledCost and EffectiveCost by provider,
invoice issuer, charge day, charge category, currency and commitment, plus each excluded row's
count by reason and the first MAX_PROBLEMS of them with their place (`FILE:ROW:COLUMN`). Each
sum is then given the FX table in force on its day; a sum in a currency no table converts that
day is left out like a bad row. A bad row never stops the report; a file that cannot be read,
lacks a FOCUS column or names one twice does (CsvErrors). The files and their batches are
`focus_files.py`'s, the scan `focus_scan.py`'s, the CSV lines DuckDB cannot read `focus_csv.py`'s.

The scan needs no FX table, so `start_billing` runs it in the background (DuckDB does not hold
the interpreter) while the report imports and decides; `BillingScan.data` takes the FX rates
once they are read and waits for the sums.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from spendgate.analytics.csv_table import MAX_PROBLEMS, problem
from spendgate.analytics.focus_csv import located_rows, misshapen, misshapen_rows
from spendgate.analytics.focus_files import unreadable
from spendgate.analytics.focus_scan import FileScan, Sum, define_source, scan_files
from spendgate.analytics.fx_lookup import FxRate, RatesByDay
from spendgate.analytics.queries import HOLDING_MEMORY_LIMIT, connect, fetch, named_queries
from spendgate.forking import in_background
from spendgate.problems import Level, Problem

#: Why a row whose currency no recorded FX table converts on its day is left out (the same words
#: as `focus_bad_rows` in sql/focus.sql).
NO_RATE = "BillingCurrency has no FX rate in spendgate.yaml"


@dataclass(frozen=True)
class ChargeTotal:
    """The exact sum of the good rows that share provider, issuer, day, category, currency, FX
    table and commitment, in the billing currency."""

    provider: str
    issuer: str | None
    day: date
    category: str
    currency: str
    fx_as_of: date
    commitment: str | None
    """The CommitmentDiscountId of Purchase rows; None for other rows."""
    billed: Decimal
    effective: Decimal
    rows: int
    corrections: int
    """Rows with ChargeClass `Correction` (they count in the month they correct)."""
    before_fx: int
    """Rows dated before the earliest FX table, converted with it."""


@dataclass(frozen=True)
class BillingData:
    """What the billing files hold, summed, and the rows left out."""

    totals: tuple[ChargeTotal, ...]
    excluded: dict[str, int]
    """Rows left out, by reason."""
    problems: tuple[Problem, ...]
    """The first excluded rows, located, and a line counting the rest."""
    files: tuple[str, ...]
    """The files read."""


def read_billing(patterns: tuple[str, ...], rates: Sequence[FxRate]) -> BillingData:
    """Sum the FOCUS rows of every file the paths, globs or URLs in `patterns` name.

    Raises CsvErrors when a pattern names no file, or a file cannot be read, lacks a column or
    names one twice.
    """
    return start_billing(patterns).data(rates)


def start_billing(patterns: tuple[str, ...]) -> BillingScan:
    """Start summing the FOCUS rows of the files `patterns` name, in the background."""
    connection = connect()
    return BillingScan(
        connection, in_background(lambda: scan_files(connection, patterns), "billing")
    )


class BillingScan:
    """A scan of billing files under way; `data` finishes it, `cancel` abandons it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, scan: Future[list[FileScan]]):
        self._connection = connection
        self._scan = scan
        self._open = True

    def data(self, rates: Sequence[FxRate]) -> BillingData:
        """The sums converted by `rates`, and the rows left out. Raises CsvErrors when a file
        cannot be read or lacks a column."""
        try:
            return _billing_data(self._connection, self._scan.result(), rates)
        finally:
            self._close()

    @property
    def ended(self) -> bool:
        """Whether the scan is over: done, failed or stopped."""
        return self._scan.done()

    def cancel(self) -> None:
        """Stop the scan and let go of it (the report failed before it needed the data)."""
        if not self._open:
            return
        while not self._scan.done():  # a scan between two queries misses an interrupt
            self._connection.interrupt()
            wait([self._scan], timeout=0.05)
        self._close()

    def _close(self) -> None:
        self._open = False
        self._connection.close()


def _billing_data(
    connection: duckdb.DuckDBPyConnection, scans: list[FileScan], rates: Sequence[FxRate]
) -> BillingData:
    by_day = RatesByDay(list(rates))
    totals: list[ChargeTotal] = []
    excluded: Counter[str] = Counter()
    problems: list[Problem] = []
    for scan in scans:
        faults = Counter(scan.faults)
        for found in scan.sums:
            rate = by_day.rate(found.currency, found.day)
            if rate is None:
                faults[NO_RATE] += found.rows
            else:
                totals.append(_converted(found, rate))
        excluded.update(faults)
        room = MAX_PROBLEMS - len(problems)
        problems += _located(connection, scan, faults, rates, room)
    shown = sum(excluded.values())
    if shown > len(problems):
        note = f"{shown - len(problems)} more excluded row(s) not shown"
        located = problem(Path(scans[-1].source.name), 0, 0, note, "csv-value")
        problems.append(replace(located, level=Level.WARNING))
    return BillingData(
        tuple(totals), dict(excluded), tuple(problems), tuple(s.source.name for s in scans)
    )


def _converted(found: Sum, rate: FxRate) -> ChargeTotal:
    before = found.rows if found.day < rate.as_of else 0
    return ChargeTotal(
        found.provider,
        found.issuer,
        found.day,
        found.category,
        found.currency,
        rate.as_of,
        found.commitment,
        found.billed,
        found.effective,
        found.rows,
        found.corrections,
        before,
    )


def _fill_rates(connection: duckdb.DuckDBPyConnection, rates: Sequence[FxRate]) -> None:
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE fx_rates (currency VARCHAR, as_of DATE, valid_from DATE, "
        "valid_until DATE, rate DECIMAL(38, 18))"
    )
    connection.executemany(
        "INSERT INTO fx_rates VALUES (?, ?, ?, ?, ?)",
        [[r.currency, r.as_of, r.valid_from, r.valid_until, r.rate] for r in rates],
    )


def _located(
    connection: duckdb.DuckDBPyConnection,
    scan: FileScan,
    faults: Counter[str],
    rates: Sequence[FxRate],
    room: int,
) -> list[Problem]:
    """The first `room` rows of the file left out, located: the lines DuckDB could not split,
    then (in a second pass, only when there are any) the rows with a bad cell or no FX rate,
    and (in a third) those of a lenient read with more or fewer fields than the header."""
    cells, shapes, shaped = [], [], misshapen(scan.source, faults)
    try:
        connection.execute(f"SET memory_limit = '{HOLDING_MEMORY_LIMIT}'")
        if faults.total() > len(scan.rejected) + shaped and room > len(scan.rejected):
            _fill_rates(connection, rates)
            define_source(connection, scan.source, numbered=True)
            cells = fetch(connection, named_queries("focus")["focus_bad_rows"], room)
        if shaped and room > len(scan.rejected):
            shapes = misshapen_rows(connection, scan.source, room)
    except duckdb.Error as error:
        raise unreadable(scan.source.name, str(error).splitlines()[0]) from None
    return located_rows(scan.source, scan.rejected, cells, shapes, room)

"""FinOps FOCUS billing exports, summed in DuckDB (`sql/focus.sql`).

Only sums come back to Python: the good rows' exact BilledCost and EffectiveCost by provider,
invoice issuer, charge day, charge category, currency and commitment, plus each excluded row's
count by reason and the first MAX_PROBLEMS of them with their place (`FILE:ROW:COLUMN`). Each
sum is then given the FX table in force on its day; a sum in a currency no table converts that
day is left out like a bad row. A bad row never stops the report; a file that cannot be read or
lacks a FOCUS column does (CsvErrors).

The scan needs no FX table, so `start_billing` runs it in the background (DuckDB does not hold
the interpreter) while the report imports and decides; `BillingScan.data` takes the FX rates
once they are read and waits for the sums.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, wait
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from spendgate.analytics.csv_table import MAX_PROBLEMS, problem
from spendgate.analytics.focus_csv import (
    Rejected,
    located_rows,
    misshapen,
    misshapen_rows,
    rejected_line,
    shape_faults,
    well_formed,
)
from spendgate.analytics.focus_files import (
    OPTIONAL,
    REQUIRED,
    billing_batches,
    check_header,
    read_again_or_fail,
    unreadable,
)
from spendgate.analytics.fx_lookup import FxRate, RatesByDay
from spendgate.analytics.queries import (
    FILE_COLUMN,
    HOLDING_MEMORY_LIMIT,
    TableFile,
    connect,
    fetch,
    files_reader,
    identifier,
    named_queries,
    quoted,
    reader,
)
from spendgate.documents.currencies import ISO_4217
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


class _Sum(NamedTuple):
    """One row of `focus_totals` for good rows: a sum not yet given its FX table."""

    provider: str
    issuer: str | None
    day: date
    category: str
    currency: str
    commitment: str | None
    billed: Decimal
    effective: Decimal
    rows: int
    corrections: int


@dataclass(frozen=True)
class _FileScan:
    """What the scan found in one file: its sums, its bad rows counted by fault, and the CSV
    lines DuckDB could not split."""

    source: TableFile
    sums: list[_Sum]
    faults: Counter[str]
    rejected: list[Rejected]


def read_billing(patterns: tuple[str, ...], rates: Sequence[FxRate]) -> BillingData:
    """Sum the FOCUS rows of every file the paths, globs or URLs in `patterns` name.

    Raises CsvErrors when a pattern names no file, or a file cannot be read or lacks a column.
    """
    return start_billing(patterns).data(rates)


def start_billing(patterns: tuple[str, ...]) -> BillingScan:
    """Start summing the FOCUS rows of the files `patterns` name, in the background."""
    connection = connect()
    return BillingScan(connection, in_background(lambda: _scan(connection, patterns), "billing"))


class BillingScan:
    """A scan of billing files under way; `data` finishes it, `cancel` abandons it."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, scan: Future[list[_FileScan]]):
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


def _scan(connection: duckdb.DuckDBPyConnection, patterns: tuple[str, ...]) -> list[_FileScan]:
    connection.execute(
        # One statement with a list, not executemany: DuckDB runs executemany row by row, and
        # the ~180 codes cost a report 80 ms that way.
        "CREATE TEMP TABLE iso_currencies AS SELECT unnest(?::VARCHAR[]) AS code",
        [sorted(ISO_4217)],
    )
    queries = named_queries("focus")
    for macro in ("focus_cell", "focus_state", "focus_fault"):
        connection.execute(queries[macro])
    named, batches = billing_batches(connection, patterns)
    scans = {scan.source.name: scan for batch in batches for scan in _scanned(connection, batch)}
    return [scans[name] for name in named]


def _billing_data(
    connection: duckdb.DuckDBPyConnection, scans: list[_FileScan], rates: Sequence[FxRate]
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


def _converted(found: _Sum, rate: FxRate) -> ChargeTotal:
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


def _define_source(
    connection: duckdb.DuckDBPyConnection,
    source: TableFile,
    *,
    numbered: bool,
    batch: list[TableFile] | None = None,
) -> None:
    """`focus_source` over `source`, or over every file of `batch` (which read like it): the
    FOCUS columns (null where a file lacks an optional one) and each row's file."""
    columns = [_source_column(source, name) for name in (*REQUIRED, *OPTIONAL)]
    record = "record" if numbered else "NULL AS record"
    origin = f"{quoted(source.name)} AS source_file"
    if batch:
        table = files_reader([each.name for each in batch], parquet=source.parquet)
        origin = f"{identifier(FILE_COLUMN)} AS source_file"
    elif source.lenient:
        table = well_formed(source, numbered=numbered)
    else:
        table = reader(source.name, parquet=source.parquet, numbered=numbered)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW focus_source AS SELECT {', '.join(columns)}, {record}, "
        f"{origin} FROM {table}"
    )
    connection.execute(named_queries("focus")["focus_rows"])


#: The DuckDB types a Parquet file's amounts and charge start are read in as they are. Any other
#: column not typed VARCHAR is read as the text DuckDB writes for it, which FOCUS's rules then
#: parse (a float as its shortest decimal: 0.1, not the 0.1000000000000000055 the binary value
#: holds; a number where a name belongs as its digits).
_EXACT_NUMBER = re.compile(r"DECIMAL\(\d+,\d+\)|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?")
_TYPED = {
    "BilledCost": _EXACT_NUMBER,
    "EffectiveCost": _EXACT_NUMBER,
    "ChargePeriodStart": re.compile(r"DATE|TIMESTAMP(_S|_MS|_NS| WITH TIME ZONE)?"),
}


def _source_column(source: TableFile, name: str) -> str:
    """Column `name` of `focus_source`: as the file types it, as text, or null when absent."""
    if name not in source.columns:
        return f"NULL AS {identifier(name)}"
    typed, kind = _TYPED.get(name), source.type_of(name)
    if kind == "VARCHAR" or (typed is not None and typed.fullmatch(kind)):
        return identifier(name)
    return f"CAST({identifier(name)} AS VARCHAR) AS {identifier(name)}"


def _scan_file(connection: duckdb.DuckDBPyConnection, source: TableFile) -> _FileScan:
    try:
        return _summed(connection, source)
    except duckdb.Error as error:  # a CSV file DuckDB gave up on may be read another way
        again = read_again_or_fail(source, error)
    if again.serial:
        connection.execute(f"SET memory_limit = '{HOLDING_MEMORY_LIMIT}'")
    check_header(again)
    return _scan_file(connection, again)


def _scanned(connection: duckdb.DuckDBPyConnection, batch: list[TableFile]) -> list[_FileScan]:
    """The scans of a batch's files: one scan of them all when there are several; each file
    alone when that scan fails, or has lines DuckDB left out (they are located file by file)."""
    together: dict[str, _FileScan] = {}
    if len(batch) > 1:
        # A file DuckDB cannot read with the others fails them all: each is then read alone.
        with suppress(duckdb.Error):
            together = _summed_together(connection, batch)
    return [together.get(source.name) or _scan_file(connection, source) for source in batch]


def _summed_together(
    connection: duckdb.DuckDBPyConnection, batch: list[TableFile]
) -> dict[str, _FileScan]:
    """The scans of the files of `batch` read in one scan, but for those with a line DuckDB left
    out."""
    queries = named_queries("focus")
    _forget_rejected(connection)
    _define_source(connection, batch[0], numbered=False, batch=batch)
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in fetch(connection, queries["focus_totals"]):
        found[str(row[0])].append(row)
    rejected = set() if batch[0].parquet else fetch(connection, queries["focus_rejected_files"])
    skipped = {str(file) for (file,) in rejected}
    return {
        source.name: _FileScan(source, *_sums_and_faults(found[source.name]), [])
        for source in batch
        if source.name not in skipped
    }


def _summed(connection: duckdb.DuckDBPyConnection, source: TableFile) -> _FileScan:
    queries = named_queries("focus")
    _forget_rejected(connection)
    _define_source(connection, source, numbered=False)
    sums, faults = _sums_and_faults(fetch(connection, queries["focus_totals"]))
    lines = [] if source.parquet else fetch(connection, queries["focus_rejected_lines"])
    rejected = [rejected_line(*line) for line in lines]
    faults.update(line.reason for line in rejected)
    if source.lenient:
        faults.update(shape_faults(connection, source))
    return _FileScan(source, sums, faults, rejected)


def _forget_rejected(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the lines earlier scans left out: they are not the next scan's."""
    for table in ("reject_errors", "reject_scans"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def _sums_and_faults(found: list[tuple[Any, ...]]) -> tuple[list[_Sum], Counter[str]]:
    """The good rows' sums and the rows left out by fault, from rows of `focus_totals`."""
    sums = [_Sum._make(row[2:]) for row in found if row[1] is None]
    faults = Counter({str(row[1]): int(row[-2]) for row in found if row[1] is not None})
    return sums, faults


def _located(
    connection: duckdb.DuckDBPyConnection,
    scan: _FileScan,
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
            _define_source(connection, scan.source, numbered=True)
            cells = fetch(connection, named_queries("focus")["focus_bad_rows"], room)
        if shaped and room > len(scan.rejected):
            shapes = misshapen_rows(connection, scan.source, room)
    except duckdb.Error as error:
        raise unreadable(scan.source.name, str(error).splitlines()[0]) from None
    return located_rows(scan.source, scan.rejected, cells, shapes, room)

"""The scan of FOCUS billing files (`focus.py` converts its sums): DuckDB runs `sql/focus.sql`
over each batch of files that read alike (`focus_files.py`), or over one file when the batch
cannot be read together, and returns per file the good rows' exact sums by provider, issuer,
charge day, category, currency and commitment, and the rows left out counted by fault.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import duckdb

from spendgate.analytics.focus_csv import Rejected, rejected_line, shape_faults, well_formed
from spendgate.analytics.focus_files import (
    OPTIONAL,
    REQUIRED,
    billing_batches,
    check_header,
    read_again_or_fail,
)
from spendgate.analytics.queries import (
    FILE_COLUMN,
    HOLDING_MEMORY_LIMIT,
    TableFile,
    fetch,
    files_reader,
    identifier,
    named_queries,
    quoted,
    reader,
)
from spendgate.documents.currencies import EXACT, ISO_4217

#: The macros of `sql/focus.sql` every scan uses (`focus_whole_wide` and `focus_part_wide`
#: replace the last two when a sum overflows).
_MACROS = (
    "focus_cell",
    "focus_state",
    "focus_amount_state",
    "focus_fault",
    "focus_whole",
    "focus_part",
)


class Sum(NamedTuple):
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
class FileScan:
    """What the scan found in one file: its sums, its bad rows counted by fault, and the CSV
    lines DuckDB could not split."""

    source: TableFile
    sums: list[Sum]
    faults: Counter[str]
    rejected: list[Rejected]


def scan_files(connection: duckdb.DuckDBPyConnection, patterns: tuple[str, ...]) -> list[FileScan]:
    """The scans of the files `patterns` name, in the order named (CsvErrors when a pattern
    names no file, or a file cannot be read or its header is wrong)."""
    connection.execute(
        # One statement with a list, not executemany: DuckDB runs executemany row by row, and
        # the ~180 codes cost a report 80 ms that way.
        "CREATE TEMP TABLE iso_currencies AS SELECT unnest(?::VARCHAR[]) AS code",
        [sorted(ISO_4217)],
    )
    for macro in _MACROS:
        connection.execute(named_queries("focus")[macro])
    named, batches = billing_batches(connection, patterns)
    scans = {scan.source.name: scan for batch in batches for scan in _scanned(connection, batch)}
    return [scans[name] for name in named]


def define_source(
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


def _scan_file(connection: duckdb.DuckDBPyConnection, source: TableFile) -> FileScan:
    try:
        return _summed(connection, source)
    except duckdb.Error as error:  # a CSV file DuckDB gave up on may be read another way
        again = read_again_or_fail(source, error)
    if again.serial:
        connection.execute(f"SET memory_limit = '{HOLDING_MEMORY_LIMIT}'")
    check_header(again)
    return _scan_file(connection, again)


def _scanned(connection: duckdb.DuckDBPyConnection, batch: list[TableFile]) -> list[FileScan]:
    """The scans of a batch's files: one scan of them all when there are several; each file
    alone when that scan fails, or has lines DuckDB left out (they are located file by file)."""
    together: dict[str, FileScan] = {}
    if len(batch) > 1:
        # A file DuckDB cannot read with the others fails them all: each is then read alone.
        with suppress(duckdb.Error):
            together = _summed_together(connection, batch)
    return [together.get(source.name) or _scan_file(connection, source) for source in batch]


def _summed_together(
    connection: duckdb.DuckDBPyConnection, batch: list[TableFile]
) -> dict[str, FileScan]:
    """The scans of the files of `batch` read in one scan, but for those with a line DuckDB left
    out."""
    queries = named_queries("focus")
    _forget_rejected(connection)
    define_source(connection, batch[0], numbered=False, batch=batch)
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in _totals(connection):
        found[str(row[0])].append(row)
    if not found.keys() <= {source.name for source in batch}:
        return {}  # DuckDB named a file otherwise than it was given: each is read alone
    rejected = [] if batch[0].parquet else fetch(connection, queries["focus_rejected_files"])
    skipped = {str(file) for (file,) in rejected}
    return {
        source.name: FileScan(source, *_sums_and_faults(found[source.name]), [])
        for source in batch
        if source.name not in skipped
    }


def _summed(connection: duckdb.DuckDBPyConnection, source: TableFile) -> FileScan:
    queries = named_queries("focus")
    _forget_rejected(connection)
    define_source(connection, source, numbered=False)
    sums, faults = _sums_and_faults(_totals(connection))
    lines = [] if source.parquet else fetch(connection, queries["focus_rejected_lines"])
    rejected = [rejected_line(*line) for line in lines]
    faults.update(line.reason for line in rejected)
    if source.lenient:
        faults.update(shape_faults(connection, source))
    return FileScan(source, sums, faults, rejected)


def _totals(connection: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """The rows of `focus_totals` over `focus_source`. When a sum passes DECIMAL(38, 18)'s
    10^20 (a few amounts near it suffice), the amounts are summed wide from then on, whole units
    and the rest apart (about three times the work), and the scan runs again."""
    try:
        return fetch(connection, named_queries("focus")["focus_totals"])
    except duckdb.OutOfRangeException:
        _forget_rejected(connection)
        for macro in ("focus_whole_wide", "focus_part_wide"):
            connection.execute(named_queries("focus")[macro])
        return fetch(connection, named_queries("focus")["focus_totals"])


def _forget_rejected(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the lines earlier scans left out: they are not the next scan's."""
    for table in ("reject_errors", "reject_scans"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")


def _sums_and_faults(found: list[tuple[Any, ...]]) -> tuple[list[Sum], Counter[str]]:
    """The good rows' sums and the rows left out by fault, from rows of `focus_totals`."""
    sums = [_sum_of(row[2:]) for row in found if row[1] is None]
    faults = Counter({str(row[1]): int(row[-2]) for row in found if row[1] is not None})
    return sums, faults


def _sum_of(row: tuple[Any, ...]) -> Sum:
    """A `Sum` from a row of `focus_totals` for good rows, past its file and fault: each
    amount is its whole part plus the rest (null unless summed wide)."""
    *keys, billed, billed_rest, effective, effective_rest, rows, corrections = row
    billed, effective = (
        EXACT.add(billed, billed_rest or 0),
        EXACT.add(effective, effective_rest or 0),
    )
    return Sum._make((*keys, billed, effective, rows, corrections))

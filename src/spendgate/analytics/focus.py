"""FinOps FOCUS billing exports, summed in DuckDB (`sql/focus.sql`).

Only sums come back to Python: the good rows' exact BilledCost and EffectiveCost by provider,
invoice issuer, charge day, charge category, currency, FX table and commitment, plus each
excluded row's count by reason and the first MAX_PROBLEMS of them with their place
(`FILE:ROW:COLUMN`). A bad row never stops the report; a file that cannot be read or lacks a
FOCUS column does (CsvErrors).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from spendgate.analytics.csv_table import MAX_PROBLEMS, CsvErrors, problem
from spendgate.analytics.fx_history import FxRate
from spendgate.analytics.queries import (
    TableFile,
    connect,
    expand,
    fetch,
    identifier,
    named_queries,
    reader,
    table_file,
)
from spendgate.documents.currencies import ISO_4217
from spendgate.problems import Level, Problem

#: FOCUS columns every billing file must have.
REQUIRED = (
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ChargeCategory",
    "ChargePeriodStart",
    "ProviderName",
)
#: FOCUS columns read when present (null when absent).
OPTIONAL = ("ChargeClass", "InvoiceIssuerName", "CommitmentDiscountId")


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


def read_billing(patterns: tuple[str, ...], rates: list[FxRate]) -> BillingData:
    """Sum the FOCUS rows of every file the paths, globs or URLs in `patterns` name.

    Raises CsvErrors when a pattern names no file, or a file cannot be read or lacks a column.
    """
    connection = connect()
    try:
        _fill_tables(connection, rates)
        sources = _files(connection, patterns)
        totals: list[ChargeTotal] = []
        excluded: Counter[str] = Counter()
        problems: list[Problem] = []
        for source in sources:
            found, faults, bad = _read_file(connection, source, MAX_PROBLEMS - len(problems))
            totals += found
            excluded.update(faults)
            problems += bad
    finally:
        connection.close()
    shown = sum(excluded.values())
    if shown > len(problems):
        note = f"{shown - len(problems)} more excluded row(s) not shown"
        located = problem(Path(sources[-1].name), 0, 0, note, "csv-value")
        problems.append(replace(located, level=Level.WARNING))
    return BillingData(
        tuple(totals), dict(excluded), tuple(problems), tuple(s.name for s in sources)
    )


def _fill_tables(connection: duckdb.DuckDBPyConnection, rates: list[FxRate]) -> None:
    # One statement with a list, not executemany: DuckDB runs executemany row by row, and the
    # ~180 codes cost a report 80 ms that way.
    connection.execute(
        "CREATE TEMP TABLE iso_currencies AS SELECT unnest(?::VARCHAR[]) AS code",
        [sorted(ISO_4217)],
    )
    connection.execute(
        "CREATE TEMP TABLE fx_rates (currency VARCHAR, as_of DATE, valid_from DATE, "
        "valid_until DATE, rate DECIMAL(38, 18))"
    )
    connection.executemany(
        "INSERT INTO fx_rates VALUES (?, ?, ?, ?, ?)",
        [[r.currency, r.as_of, r.valid_from, r.valid_until, r.rate] for r in rates],
    )
    connection.execute(named_queries("focus")["focus_cell"])


def _files(connection: duckdb.DuckDBPyConnection, patterns: tuple[str, ...]) -> list[TableFile]:
    sources: list[TableFile] = []
    for pattern in patterns:
        try:
            names = expand(connection, pattern)
        except duckdb.Error as error:
            raise _unreadable(pattern, str(error)) from None
        if not names:
            raise _unreadable(pattern, "no file matches")
        for name in names:
            if any(source.name == name for source in sources):
                continue  # named twice (a path and a glob): its rows count once
            try:
                sources.append(table_file(connection, name))
            except duckdb.Error as error:
                raise _unreadable(name, str(error).splitlines()[0]) from None
    for source in sources:
        _check_header(source)
    return sources


def _unreadable(name: str, reason: str) -> CsvErrors:
    return CsvErrors([problem(Path(name), 0, 0, f"cannot read: {reason}", "csv-unreadable")])


def _check_header(source: TableFile) -> None:
    missing = [
        problem(
            Path(source.name),
            1,
            1,
            f"missing column '{column}' (the header has: {', '.join(source.columns)})",
            "csv-header",
        )
        for column in REQUIRED
        if column not in source.columns
    ]
    if missing:
        raise CsvErrors(missing)


def _define_source(
    connection: duckdb.DuckDBPyConnection, source: TableFile, *, numbered: bool
) -> None:
    """`focus_source` over `source`: its FOCUS columns (null where it lacks an optional one)."""
    columns = [
        identifier(name) if name in source.columns else f"NULL AS {identifier(name)}"
        for name in (*REQUIRED, *OPTIONAL)
    ]
    record = "record" if numbered else "NULL AS record"
    table = reader(source.name, parquet=source.parquet, numbered=numbered)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW focus_source AS SELECT {', '.join(columns)}, {record} "
        f"FROM {table}"
    )
    connection.execute(named_queries("focus")["focus_rows"])


def _read_file(
    connection: duckdb.DuckDBPyConnection, source: TableFile, room: int
) -> tuple[list[ChargeTotal], Counter[str], list[Problem]]:
    queries = named_queries("focus")
    try:
        _define_source(connection, source, numbered=False)
        found = fetch(connection, queries["focus_totals"])
        totals = [ChargeTotal(*row[1:]) for row in found if row[0] is None]
        faults = Counter({str(row[0]): int(row[10]) for row in found if row[0] is not None})
        rejected = [] if source.parquet else fetch(connection, queries["focus_rejected_lines"])
        faults.update(_REJECTED.get(str(kind), _UNREADABLE) for _, _, kind in rejected)
        bad = [_rejected_line(source, *line) for line in rejected[:room]]
        if faults.total() > len(rejected) and room > len(bad):
            bad += _bad_rows(connection, source, room - len(bad), [line for line, *_ in rejected])
    except duckdb.Error as error:
        raise _unreadable(source.name, str(error).splitlines()[0]) from None
    return totals, faults, sorted(bad, key=lambda problem: problem.location.line)


def _bad_rows(
    connection: duckdb.DuckDBPyConnection, source: TableFile, room: int, rejected: list[int]
) -> list[Problem]:
    """The first `room` rows left out for a bad cell, located on their lines."""
    _define_source(connection, source, numbered=True)
    found = fetch(connection, named_queries("focus")["focus_bad_rows"], room)
    skipped = sorted(rejected)
    return [_bad_row(source, _line_of(record, skipped), *rest) for record, *rest in found]


#: Why DuckDB could not read a CSV line (its error type), as a reason for leaving it out.
_REJECTED = {
    "MISSING COLUMNS": "the row has fewer fields than the header",
    "TOO MANY COLUMNS": "the row has more fields than the header",
    "INVALID ENCODING": "the row is not UTF-8 text",
}
_UNREADABLE = "the row is not valid CSV"


def _rejected_line(source: TableFile, line: int, column: int | None, kind: str) -> Problem:
    message = f"{_REJECTED.get(str(kind), _UNREADABLE)}: row excluded"
    position = int(column or 0) + (1 if kind == "MISSING COLUMNS" else 0)
    located = problem(Path(source.name), int(line), max(position, 1), message, "csv-row")
    return replace(located, level=Level.WARNING)


def _line_of(record: int, rejected: list[int]) -> int:
    """The line of the row numbered `record` among the rows DuckDB read (the header is 1),
    counting the `rejected` lines (sorted) it skipped before it."""
    line = record
    for skipped in rejected:
        if skipped <= line:
            line += 1
    return line


def _bad_row(source: TableFile, record: int, fault: str, written: str | None) -> Problem:
    column = fault.split(" ", 1)[0]
    value = "" if written is None else f" ('{written}')"
    message = f"{fault}{value}: row excluded"
    located = problem(Path(source.name), int(record), source.position(column), message, "csv-value")
    return replace(located, level=Level.WARNING)

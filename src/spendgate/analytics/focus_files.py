"""The files a `--billing` input names, and how each is read (`focus.py` sums them).

An export often comes in parts: a file per day, per writer, per account. Files that read alike
(Parquet files of one schema; CSV files whose first lines are the same bytes) form one batch,
and DuckDB reads a batch in one scan: discovering and scanning file by file costs each part tens
of milliseconds of planning, which 300 parts of a month turn into seconds. The schemas of every
Parquet file come from one query of their footers; a CSV header from its file's first bytes;
DuckDB describes one file of each batch. A file that cannot be grouped (a URL, a file DuckDB
cannot describe) is a batch of its own, read as before.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import duckdb

from spendgate.analytics.csv_table import CsvErrors, problem
from spendgate.analytics.focus_csv import file_start, read_again
from spendgate.analytics.queries import TableFile, expand, fetch, is_parquet, quoted, table_file
from spendgate.problems import Problem

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
#: How much of a CSV file is read to find its header line (a longer header: a batch alone).
_HEADER_BYTES = 65_536


def billing_batches(
    connection: duckdb.DuckDBPyConnection, patterns: tuple[str, ...]
) -> tuple[list[str], list[list[TableFile]]]:
    """The files `patterns` name, in the order named, and the same files as batches of files
    that read alike.

    Raises CsvErrors when a pattern names no file, or a file cannot be read, lacks a column or
    names one twice.
    """
    names = _named_files(connection, patterns)
    headers = {name: _header_line(name) for name in names if not is_parquet(name)}
    groups: dict[object, list[str]] = {}
    for name, signature in _signatures(connection, names, headers).items():
        groups.setdefault(signature, []).append(name)
    batches = [_batch(connection, group) for group in groups.values()]
    sources = {source.name: source for batch in batches for source in batch}
    found = [each for name in names for each in _header_faults(sources[name], headers.get(name))]
    if found:
        raise CsvErrors(found)
    return names, batches


def _named_files(connection: duckdb.DuckDBPyConnection, patterns: tuple[str, ...]) -> list[str]:
    names: dict[str, None] = {}  # a file named twice (a path and a glob) counts once
    for pattern in patterns:
        try:
            found = expand(connection, pattern)
        except duckdb.Error as error:
            raise unreadable(pattern, str(error)) from None
        if not found:
            raise unreadable(pattern, "no file matches")
        names.update(dict.fromkeys(found))
    return list(names)


def _header_faults(source: TableFile, header: bytes | None) -> list[Problem]:
    """The problems of a file's header (`header`: its line, for a CSV file read here)."""
    if header == b"":  # DuckDB would name the header it does not find `column0`
        return [problem(Path(source.name), 1, 1, "the file is empty: no header line", "csv-header")]
    return _named_twice(source.name, header) or _header_problems(source)


def _named_twice(name: str, header: bytes | None) -> list[Problem]:
    """A problem for each FOCUS column CSV file `name`'s header line names more than once (as
    DuckDB matches names: ignoring case). DuckDB would read one and rename the other, so which
    amount is summed would be its choice, not the file's."""
    if header is None:
        return []
    text = header.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")
    written = [cell.casefold() for cell in next(csv.reader([text]), [])]
    found = []
    for column in (*REQUIRED, *OPTIONAL):
        places = [index + 1 for index, cell in enumerate(written) if cell == column.casefold()]
        if len(places) > 1:
            where = ", ".join(str(place) for place in places[:-1]) + f" and {places[-1]}"
            message = f"column '{column}' is named in columns {where}: which to read is ambiguous"
            found.append(problem(Path(name), 1, places[1], message, "csv-header"))
    return found


def _signatures(
    connection: duckdb.DuckDBPyConnection, names: list[str], headers: dict[str, bytes | None]
) -> dict[str, object]:
    """What each file reads like (`headers`: each CSV file's header line): files with equal
    signatures share a batch."""
    parquet = [name for name in names if is_parquet(name)]
    schemas = _parquet_schemas(connection, parquet) if len(parquet) > 1 else {}
    signatures: dict[str, object] = {}
    for name in names:
        if is_parquet(name):
            signatures[name] = ("parquet", schemas.get(name) or name)
        else:
            gzipped = name.lower().endswith(".gz")
            signatures[name] = ("csv", gzipped, headers[name] or name)
    return signatures


def _parquet_schemas(connection: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, str]:
    """Each Parquet file's schema (names, physical and logical types), from one query of the
    files' footers; none when a file cannot be read (each is then described alone)."""
    files = "[" + ", ".join(quoted(name) for name in names) + "]"
    query = (
        "SELECT file_name, CAST(list(struct_pack(name, type, type_length, repetition_type, "
        "num_children, converted_type, scale, precision, logical_type) ORDER BY column_id) "
        f"AS VARCHAR) FROM parquet_schema({files}) GROUP BY file_name"
    )
    try:
        return {str(name): str(schema) for name, schema in fetch(connection, query)}
    except duckdb.Error:
        return {}


def _header_line(name: str) -> bytes | None:
    """The first line of local CSV file `name` (plain or gzipped), with its line break; empty
    for a file of white space at most; None for a URL, a file Python cannot read, or a header
    longer than _HEADER_BYTES."""
    start = file_start(name, _HEADER_BYTES)
    if start is None:
        return None
    if len(start) < _HEADER_BYTES and not start.removeprefix(b"\xef\xbb\xbf").strip():
        return b""
    end = start.find(b"\n")
    return start[: end + 1] if end >= 0 else None


def _batch(connection: duckdb.DuckDBPyConnection, names: list[str]) -> list[TableFile]:
    """The files `names` (one signature) as DuckDB describes the first; each described alone
    when DuckDB cannot describe it."""
    try:
        first = table_file(connection, names[0])
    except duckdb.Error:
        return [file_source(connection, name) for name in names]
    return [replace(first, name=name) for name in names]


def file_source(connection: duckdb.DuckDBPyConnection, name: str) -> TableFile:
    """File `name` as DuckDB describes it, or to read another way when its CSV sniffer gives up
    on it (exit 2 when there is none)."""
    try:
        return table_file(connection, name)
    except duckdb.Error as error:
        return read_again_or_fail(TableFile(name, False, (), ()), error)


def read_again_or_fail(source: TableFile, error: duckdb.Error) -> TableFile:
    """CSV file `source` to read another way after DuckDB failed on it with `error` (exit 2
    when there is none)."""
    again = read_again(source, error, (*REQUIRED, *OPTIONAL))
    if again is None:
        raise unreadable(source.name, str(error).splitlines()[0]) from None
    return again


def unreadable(name: str, reason: str) -> CsvErrors:
    """The report's error for a file that cannot be read."""
    return CsvErrors([problem(Path(name), 0, 0, f"cannot read: {reason}", "csv-unreadable")])


def check_header(source: TableFile) -> None:
    """Raise CsvErrors, one per column, when `source` lacks a required FOCUS column."""
    missing = _header_problems(source)
    if missing:
        raise CsvErrors(missing)


def _header_problems(source: TableFile) -> list[Problem]:
    """A problem for each required FOCUS column `source` lacks."""
    return [
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

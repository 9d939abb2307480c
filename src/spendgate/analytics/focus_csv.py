"""The CSV side of a FOCUS scan (`focus.py`): the lines DuckDB leaves out, the reading of a file
DuckDB's sniffer cannot read, and the line each left-out row starts on (for a Parquet file,
the row's number).

DuckDB's sniffer fails on a whole file for one bad line (a line over DuckDB's max_line_size in
its sample, a short row whose line ending differs from the rest); so does its CSV parser on a
few such lines past the sample. A local file (plain or gzipped) whose header spendgate can read
is then read again by `lenient_reader`: every row kept, those with more or fewer fields than the
header counted here and left out. A file DuckDB alone can open (a URL) still fails as before.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import duckdb

from spendgate.analytics.csv_table import problem
from spendgate.analytics.queries import (
    EXTRA,
    TableFile,
    fetch,
    identifier,
    is_parquet,
    lenient_reader,
)
from spendgate.problems import Level, Problem

#: DuckDB's max_line_size (its default): a longer line is left out. Not raised: DuckDB's read
#: buffers are 16 times it, and a report keeps within 512 MiB.
MAX_LINE_BYTES = 2_097_152
FEWER = "the row has fewer fields than the header"
MORE = "the row has more fields than the header"
#: Why DuckDB could not read a CSV line (its error type), as a reason for leaving it out.
REJECTED = {
    "MISSING COLUMNS": FEWER,
    "TOO MANY COLUMNS": MORE,
    "INVALID ENCODING": "the row is not UTF-8 text",
    "LINE SIZE OVER MAXIMUM": f"the row is longer than {MAX_LINE_BYTES} bytes",
}
UNREADABLE = "the row is not valid CSV"
#: DuckDB's memory limit once a file is read by one thread: its single-threaded CSV reader keeps
#: the file's buffers up to the limit (at 400MB, 435 MiB of RSS for the scan alone, and the
#: report past 512 MiB).
SERIAL_MEMORY_LIMIT = "200MB"
_LINE_END = re.compile(rb"\r\n?|\n")
_EXTRA = identifier(EXTRA)


class Rejected(NamedTuple):
    """A line DuckDB left out."""

    line: int
    """Its number as DuckDB counts lines (not a line break within quotes; a CRLF among LF
    lines as two)."""
    column: int
    """The first field DuckDB names, or the first missing one (1-based)."""
    reason: str
    byte: int
    """Where the line starts in the file: its first byte or (DuckDB's count) its second."""


def rejected_line(line: int, column: int | None, kind: str, byte: int | None) -> Rejected:
    """A row of `focus_rejected_lines` as the line it leaves out."""
    position = int(column or 0) + (1 if kind == "MISSING COLUMNS" else 0)
    return Rejected(
        int(line), max(position, 1), REJECTED.get(str(kind), UNREADABLE), int(byte or 0)
    )


def row_problem(name: str, line: int, column: int, reason: str) -> Problem:
    """The warning that a row DuckDB could not read as a row of the header was left out."""
    located = problem(Path(name), line, column, f"{reason}: row excluded", "csv-row")
    return replace(located, level=Level.WARNING)


def located_rows(
    source: TableFile,
    rejected: list[Rejected],
    cells: list[tuple[int, str, str | None]],
    shapes: list[tuple[int, int, str]],
    room: int,
) -> list[Problem]:
    """The first `room` rows left out, by line: the lines DuckDB left out (all of them, which
    the rows after them skip), the rows with a bad
    cell (`focus_bad_rows`: record, fault, value) and those of a lenient read with more or fewer
    fields than the header (`misshapen_rows`)."""
    name = source.name
    records = [int(row[0]) for row in cells] + [record for record, _, _ in shapes]
    by_record, by_line = line_numbers(source, records, rejected)
    bad = [
        row_problem(name, by_line[line.line], line.column, line.reason) for line in rejected[:room]
    ]
    bad += [
        row_problem(name, by_record[record], column, reason) for record, column, reason in shapes
    ]
    bad += [_cell_problem(source, by_record[int(row[0])], row[1], row[2]) for row in cells]
    return sorted(bad, key=lambda problem: problem.location.line)[:room]


def _cell_problem(source: TableFile, line: int, fault: str, written: str | None) -> Problem:
    column = fault.split(" ", 1)[0]
    value = "" if written is None else f" ('{written}')"
    message = f"{fault}{value}: row excluded"
    located = problem(Path(source.name), line, source.position(column), message, "csv-value")
    return replace(located, level=Level.WARNING)


def read_again(source: TableFile, error: duckdb.Error) -> TableFile | None:
    """How to read `source` after DuckDB failed on it with `error`: without the sniffer when
    the sniffer or the parser gave up on the whole file; by one thread when DuckDB's parallel
    reader cannot pad rows around a quoted line break; None when there is no other way."""
    if not source.lenient:
        invalid = isinstance(error, duckdb.InvalidInputException)
        return lenient_file(source.name) if invalid else None
    if not source.serial and "quoted new lines" in str(error):
        return replace(source, serial=True)
    return None


def lenient_file(name: str) -> TableFile | None:
    """CSV file `name` to read with `lenient_reader`, with the columns of its header; None when
    spendgate cannot read that header itself (a URL, zstd, not UTF-8, a name repeated)."""
    header = None if is_parquet(name) else _header(name)
    if not header or len(set(header)) < len(header) or EXTRA in header:
        return None
    return TableFile(name, False, header, ("VARCHAR",) * len(header), lenient=True)


def _header(name: str) -> tuple[str, ...] | None:
    start = _start(name)
    if start is None:
        return None
    try:
        text = _LINE_END.split(start, maxsplit=1)[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return tuple(next(csv.reader([text]), []))


def _start(name: str) -> bytes | None:
    """The first MAX_LINE_BYTES of local file `name`, uncompressed; None when Python cannot."""
    if "://" in name or name.lower().endswith(".zst"):
        return None
    try:
        if name.lower().endswith(".gz"):
            with gzip.open(name, "rb") as compressed:
                return compressed.read(MAX_LINE_BYTES)
        with Path(name).open("rb") as plain:
            return plain.read(MAX_LINE_BYTES)
    except (OSError, EOFError):
        return None


def well_formed(source: TableFile, *, numbered: bool) -> str:
    """The rows of a lenient read with as many fields as the header (numbered among all rows).

    Every query of a lenient read reads every column: DuckDB leaves out a line that is not
    UTF-8 only when it reads the column that is not, and the rows must be the same, and numbered
    the same, in each."""
    table = _read(source, numbered=numbered)
    return (
        f"(SELECT * FROM {table} WHERE {_EXTRA} IS NULL AND {_fields(source)} = {_width(source)})"
    )


def _read(source: TableFile, *, numbered: bool) -> str:
    return lenient_reader(source.name, source.columns, numbered=numbered, serial=source.serial)


def _fields(source: TableFile) -> str:
    """How many of the header's fields a row of a lenient read has (the rest are padding)."""
    return " + ".join(f"({identifier(column)} IS NOT NULL)::INTEGER" for column in source.columns)


def _width(source: TableFile) -> int:
    return len(source.columns)


def shape_faults(connection: duckdb.DuckDBPyConnection, source: TableFile) -> Counter[str]:
    """The rows of a lenient read with more or fewer fields than the header, by reason."""
    table = _read(source, numbered=False)
    more, fewer = fetch(
        connection,
        f"SELECT count(*) FILTER (WHERE {_EXTRA} IS NOT NULL), count(*) FILTER (WHERE "
        f"{_EXTRA} IS NULL AND {_fields(source)} < {_width(source)}) FROM {table}",
    )[0]
    return +Counter({MORE: int(more), FEWER: int(fewer)})


def misshapen(source: TableFile, faults: Counter[str]) -> int:
    """How many of the rows left out (`faults`, by reason) a lenient read of `source` found to
    have more or fewer fields than the header (none but a lenient read does)."""
    return faults[MORE] + faults[FEWER] if source.lenient else 0


def misshapen_rows(
    connection: duckdb.DuckDBPyConnection, source: TableFile, room: int
) -> list[tuple[int, int, str]]:
    """The first `room` rows of a lenient read with more or fewer fields than the header, as
    (record, column, reason): the column is the first extra field or the first missing one."""
    table = _read(source, numbered=True)
    found = fetch(
        connection,
        f"SELECT record, {_EXTRA} IS NOT NULL, {_fields(source)} AS fields FROM {table} "
        f"WHERE {_EXTRA} IS NOT NULL OR fields < {_width(source)} ORDER BY record LIMIT ?",
        room,
    )
    return [
        (int(record), _width(source) + 1, MORE) if more else (int(record), count + 1, FEWER)
        for record, more, count in found
    ]


def line_numbers(
    source: TableFile, records: list[int], rejected: list[Rejected]
) -> tuple[dict[int, int], dict[int, int]]:
    """The line of CSV file `source` each row numbered in `records` starts on (the header is
    row 1), and that of each line DuckDB left out (by its `Rejected.line`).

    DuckDB numbers rows, not lines: it skips blank lines and the lines it left out, and a quoted
    cell may hold line breaks; nor is its count of lines exact. A local file is read up to the
    last of them (RFC 4180 quotes), a left-out line found by its byte. A remote file, or a row
    not found that way (quotes that do not balance), is placed by DuckDB's line numbers. A
    Parquet file's row is its number.
    """
    skipped = sorted(line.line for line in rejected)
    by_record = {record: _line_of(record, skipped) for record in records}
    by_rejected = {line.line: line.line for line in rejected}
    if not source.parquet and (records or rejected):
        bytes_ = {line.byte: line.line for line in rejected}
        walked_records, walked_rejected = _walk(source.name, set(records), bytes_)
        by_record.update(walked_records)
        by_rejected.update(walked_rejected)
    return by_record, by_rejected


def _line_of(record: int, rejected: list[int]) -> int:
    """The line of the row numbered `record` among the rows DuckDB read (the header is 1),
    counting the `rejected` lines (sorted) it skipped before it."""
    line = record
    for skipped in rejected:
        if skipped <= line:
            line += 1
    return line


def _walk(
    name: str, records: set[int], rejected: dict[int, int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Record -> line, and (DuckDB's) rejected line -> line, found by reading file `name`;
    `rejected` is each left-out line by the byte DuckDB says it starts at."""
    found_records: dict[int, int] = {}
    found_rejected: dict[int, int] = {}
    starts = sorted(rejected)
    record, quoted, start = 1, False, 0
    for line, text in enumerate(_lines(name), start=1):
        if len(found_records) == len(records) and len(found_rejected) == len(starts):
            break
        end = start + len(text)
        left_out = False
        while len(found_rejected) < len(starts) and starts[len(found_rejected)] < end:
            found_rejected[rejected[starts[len(found_rejected)]]] = line
            left_out = True
        if not (quoted or left_out) and line > 1 and text.strip("\r\n"):
            record += 1
            if record in records:
                found_records[record] = line
        if text.count('"') % 2:
            quoted = not quoted
        start = end
    return found_records, found_rejected


def _lines(name: str) -> Iterator[str]:
    """The lines of local file `name` with their line breaks (any of LF, CRLF, CR), as
    Latin-1: a character per byte, so that a line's length is its bytes and any bytes read;
    none when Python cannot read it."""
    if "://" in name or name.lower().endswith(".zst"):
        return
    try:
        if name.lower().endswith(".gz"):
            with gzip.open(name, "rt", encoding="latin-1", newline="") as compressed:
                yield from compressed
        else:
            with Path(name).open(encoding="latin-1", newline="") as plain:
                yield from plain
    except (OSError, EOFError):
        return

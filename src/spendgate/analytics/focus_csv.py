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
_LINE_END = re.compile(rb"\r\n?|\n")


def rejected_line(line: int, column: int | None, kind: str) -> tuple[int, int, str]:
    """A line DuckDB left out (a row of `focus_rejected_lines`) as (line, column, reason): the
    column is the first field DuckDB names, or the first missing one."""
    position = int(column or 0) + (1 if kind == "MISSING COLUMNS" else 0)
    return int(line), max(position, 1), REJECTED.get(str(kind), UNREADABLE)


def row_problem(name: str, line: int, column: int, reason: str) -> Problem:
    """The warning that a row DuckDB could not read as a row of the header was left out."""
    located = problem(Path(name), line, column, f"{reason}: row excluded", "csv-row")
    return replace(located, level=Level.WARNING)


def located_rows(
    source: TableFile,
    rejected: list[tuple[int, int, str]],
    cells: list[tuple[int, str, str | None]],
    shapes: list[tuple[int, int, str]],
    room: int,
) -> list[Problem]:
    """The first `room` rows left out, by line: the lines DuckDB left out (`rejected_line`), the
    rows with a bad cell (`focus_bad_rows`: record, fault, value) and those of a lenient read
    with more or fewer fields than the header (`misshapen_rows`)."""
    name = source.name
    records = [int(row[0]) for row in cells] + [record for record, _, _ in shapes]
    by_record, by_line = line_numbers(source, records, [line for line, _, _ in rejected])
    bad = [row_problem(name, by_line[line], column, reason) for line, column, reason in rejected]
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
    """The rows of a lenient read with as many fields as the header (numbered among all rows)."""
    table = lenient_reader(source.name, source.columns, numbered=numbered)
    return f"(SELECT * FROM {table} WHERE NOT ({_more()} OR {_fewer(source)}))"


def _more() -> str:
    return f"{identifier(EXTRA)} IS NOT NULL"


def _fewer(source: TableFile) -> str:
    return f"{identifier(source.columns[-1])} IS NULL"


def shape_faults(connection: duckdb.DuckDBPyConnection, source: TableFile) -> Counter[str]:
    """The rows of a lenient read with more or fewer fields than the header, by reason."""
    table = lenient_reader(source.name, source.columns)
    more, fewer = fetch(
        connection,
        f"SELECT count(*) FILTER (WHERE {_more()}), count(*) FILTER (WHERE {_fewer(source)} "
        f"AND NOT {_more()}) FROM {table}",
    )[0]
    return +Counter({MORE: int(more), FEWER: int(fewer)})


def misshapen_rows(
    connection: duckdb.DuckDBPyConnection, source: TableFile, room: int
) -> list[tuple[int, int, str]]:
    """The first `room` rows of a lenient read with more or fewer fields than the header, as
    (record, column, reason): the column is the first extra field or the first missing one."""
    table = lenient_reader(source.name, source.columns, numbered=True)
    fields = " + ".join(f"({identifier(column)} IS NOT NULL)::INTEGER" for column in source.columns)
    found = fetch(
        connection,
        f"SELECT record, {_more()}, {fields} FROM {table} WHERE {_more()} OR {_fewer(source)} "
        "ORDER BY record LIMIT ?",
        room,
    )
    return [
        (int(record), len(source.columns) + 1, MORE) if more else (int(record), count + 1, FEWER)
        for record, more, count in found
    ]


def line_numbers(
    source: TableFile, records: list[int], rejected: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """The line of CSV file `source` each row numbered in `records` starts on (the header is row 1),
    and each line DuckDB left out (`rejected`, as DuckDB numbers lines: not counting a line break
    within quotes).

    DuckDB numbers rows, not lines: it skips blank lines and the lines it left out, and a quoted
    cell may hold line breaks. A local file is read up to the last of them (RFC 4180 quotes); a
    remote one, or a row not found that way (quotes that do not balance), is placed by counting
    the rejected lines before it. A Parquet file's row is its number.
    """
    skipped = sorted(rejected)
    by_record = {record: _line_of(record, skipped) for record in records}
    by_rejected = {line: line for line in rejected}
    if not source.parquet and (records or rejected):
        walked_records, walked_rejected = _walk(source.name, set(records), set(rejected))
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
    name: str, records: set[int], rejected: set[int]
) -> tuple[dict[int, int], dict[int, int]]:
    found_records: dict[int, int] = {}
    found_rejected: dict[int, int] = {}
    counted, record, quoted = 0, 1, False
    for line, text in enumerate(_lines(name), start=1):
        if len(found_records) == len(records) and len(found_rejected) == len(rejected):
            break
        if not quoted:
            counted += 1
            if counted in rejected:
                found_rejected[counted] = line
            elif counted > 1 and text.strip("\r\n"):
                record += 1
                if record in records:
                    found_records[record] = line
        if text.count('"') % 2:
            quoted = not quoted
    return found_records, found_rejected


def _lines(name: str) -> Iterator[str]:
    """The lines of local file `name` (any line ending), as Latin-1: a byte each, so that
    quotes and line breaks are found in any bytes; none when Python cannot read it."""
    if "://" in name or name.lower().endswith(".zst"):
        return
    try:
        if name.lower().endswith(".gz"):
            with gzip.open(name, "rt", encoding="latin-1", newline=None) as compressed:
                yield from compressed
        else:
            with Path(name).open(encoding="latin-1", newline=None) as plain:
                yield from plain
    except (OSError, EOFError):
        return

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

#: DuckDB's max_line_size (its default, 2 MB): a line this long or longer, not counting its line
#: break, is left out. Not raised: DuckDB sizes its read buffers by it (at 64 MiB, a buffer of
#: 393 MiB, past the memory limit).
MAX_LINE_BYTES = 2_000_000
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
_EXTRA = identifier(EXTRA)
_OPENING = re.compile(r'(?:^|,)"')


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
    shapes: list[tuple[int, bool]],
    room: int,
) -> list[Problem]:
    """The first `room` rows left out, by line: the lines DuckDB left out (all of them, which
    the rows after them skip), the rows with a bad cell (`focus_bad_rows`: record, fault, value)
    and those of a lenient read with more or fewer fields than the header (`misshapen_rows`)."""
    name = source.name
    records = [int(row[0]) for row in cells] + [record for record, _ in shapes]
    by_record, by_line, texts = line_numbers(source, records, rejected)
    bad = [
        row_problem(name, by_line[line.line], line.column, line.reason) for line in rejected[:room]
    ]
    bad += [
        _shape_problem(source, by_record[record], more, texts.get(record))
        for record, more in shapes
    ]
    bad += [_cell_problem(source, by_record[int(row[0])], row[1], row[2]) for row in cells]
    return sorted(bad, key=lambda problem: problem.location.line)[:room]


def _shape_problem(source: TableFile, line: int, more: bool, text: str | None) -> Problem:
    """The warning for a row of a lenient read with more or fewer fields than the header. A row
    that holds line breaks says which lines it spans: one quote that is never closed makes the
    rest of the file one row, and the lines after it are left out with it."""
    column, reason = _misshapen(source, more, text)
    spans = len(text.splitlines()) if text is not None else 1
    if spans > 1:
        reason += f" (a quoted field runs from line {line} to line {line + spans - 1})"
    return row_problem(source.name, line, column, reason)


def _misshapen(source: TableFile, more: bool, text: str | None) -> tuple[int, str]:
    """The column and reason of a row with more fields (the first extra one) or fewer (the
    first missing one, counted in its text; 1 when the row was not found)."""
    if more:
        return len(source.columns) + 1, MORE
    fields = len(next(csv.reader([text.rstrip("\r\n")]), [])) if text is not None else 0
    return fields + 1, FEWER


def _cell_problem(source: TableFile, line: int, fault: str, written: str | None) -> Problem:
    column = fault.split(" ", 1)[0]
    value = "" if written is None else f" ('{written}')"
    message = f"{fault}{value}: row excluded"
    located = problem(Path(source.name), line, source.position(column), message, "csv-value")
    return replace(located, level=Level.WARNING)


def read_again(source: TableFile, error: duckdb.Error, reads: tuple[str, ...]) -> TableFile | None:
    """How to read `source` after DuckDB failed on it with `error`: without the sniffer when
    the sniffer or the parser gave up on the whole file (`lenient_file`); then by one thread,
    when DuckDB's parallel reader gave up too (it cannot pad rows around a quoted line break,
    and fails on a last field that is not UTF-8 where one thread leaves the line out); None
    when there is no other way."""
    if source.lenient and not source.serial and _gave_up(error):
        return replace(source, serial=True)
    if not source.lenient and _gave_up(error):
        return lenient_file(source.name, reads)
    return None


def _gave_up(error: duckdb.Error) -> bool:
    """Whether DuckDB's CSV reader gave up on the file: an invalid input, or (from its parallel
    reader) DuckDB's plain Error; not an interrupt, a lack of memory, a file it cannot open."""
    return isinstance(error, duckdb.InvalidInputException) or type(error) is duckdb.Error


def lenient_file(name: str, reads: tuple[str, ...]) -> TableFile | None:
    """CSV file `name` to read with `lenient_reader`, with the columns of its header, of which
    its queries read those in `reads` (and the last); None when spendgate cannot read that
    header itself (a URL, zstd, not UTF-8)."""
    header = None if is_parquet(name) else _header(name)
    if not header or EXTRA in header:
        return None
    read = tuple(column for column in header if column in reads or column == header[-1])
    return TableFile(name, False, header, ("VARCHAR",) * len(header), lenient=True, reads=read)


def _header(name: str) -> tuple[str, ...] | None:
    start = file_start(name, MAX_LINE_BYTES)
    if start is None:
        return None
    try:
        text = _LINE_END.split(start, maxsplit=1)[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return _named(next(csv.reader([text]), []))


def _named(header: list[str]) -> tuple[str, ...]:
    """The header's names as DuckDB's sniffer gives them: a name repeated gets `_1`, `_2`…, an
    empty one is `columnN` (N its 0-based index)."""
    names: list[str] = []
    for index, written in enumerate(header):
        name = written or f"column{index}"
        repeated = sum(1 for earlier in header[:index] if earlier == written)
        names.append(f"{name}_{repeated}" if repeated else name)
    return tuple(names)


def file_start(name: str, size: int) -> bytes | None:
    """The first `size` bytes of local file `name` (plain or gzipped), uncompressed; None for a
    URL, a zstd file, or a file Python cannot read."""
    if "://" in name or name.lower().endswith(".zst"):
        return None
    try:
        if name.lower().endswith(".gz"):
            with gzip.open(name, "rb") as compressed:
                return compressed.read(size)
        with Path(name).open("rb") as plain:
            return plain.read(size)
    except (OSError, EOFError):
        return None


def well_formed(source: TableFile, *, numbered: bool) -> str:
    """The rows of a lenient read with as many fields as the header (numbered among all rows)."""
    table = _read(source, numbered=numbered)
    return f"(SELECT * FROM {table} WHERE {_EXTRA} IS NULL AND {_last(source)} IS NOT NULL)"


def _read(source: TableFile, *, numbered: bool) -> str:
    return lenient_reader(source.name, source.columns, numbered=numbered, serial=source.serial)


def _last(source: TableFile) -> str:
    """The header's last column: null only in a row with fewer fields (no text reads as null)."""
    return identifier(source.columns[-1])


def shape_faults(connection: duckdb.DuckDBPyConnection, source: TableFile) -> Counter[str]:
    """The rows of a lenient read with more or fewer fields than the header, by reason."""
    table = _read(source, numbered=False)
    reads = ", ".join(f"count({identifier(column)})" for column in source.reads)
    more, fewer, *_ = fetch(
        connection,
        f"SELECT count(*) FILTER (WHERE {_EXTRA} IS NOT NULL), count(*) FILTER (WHERE "
        f"{_EXTRA} IS NULL AND {_last(source)} IS NULL), {reads} FROM {table}",
    )[0]
    return +Counter({MORE: int(more), FEWER: int(fewer)})


def misshapen(source: TableFile, faults: Counter[str]) -> int:
    """How many of the rows left out (`faults`, by reason) a lenient read of `source` found to
    have more or fewer fields than the header (none but a lenient read does)."""
    return faults[MORE] + faults[FEWER] if source.lenient else 0


def misshapen_rows(
    connection: duckdb.DuckDBPyConnection, source: TableFile, room: int
) -> list[tuple[int, bool]]:
    """The first `room` rows of a lenient read with more or fewer fields than the header, as
    (record, whether it has more)."""
    table = _read(source, numbered=True)
    reads = ", ".join(identifier(column) for column in source.reads)
    found = fetch(
        connection,
        f"SELECT record, {_EXTRA} IS NOT NULL, {reads} FROM {table} WHERE {_EXTRA} IS NOT NULL "
        f"OR {_last(source)} IS NULL ORDER BY record LIMIT ?",
        room,
    )
    return [(int(row[0]), bool(row[1])) for row in found]


def line_numbers(
    source: TableFile, records: list[int], rejected: list[Rejected]
) -> tuple[dict[int, int], dict[int, int], dict[int, str]]:
    """The line of CSV file `source` each row numbered in `records` starts on (the header is
    row 1), that of each line DuckDB left out (by its `Rejected.line`), and the text of each
    row found in the file.

    DuckDB numbers rows, not lines: it skips blank lines and the lines it left out, and a quoted
    cell may hold line breaks; nor is its count of lines exact. A local file is read up to the
    last of them (RFC 4180 quotes), a left-out line found by its byte. A remote file, or a row
    not found that way (quotes that do not balance), is placed by DuckDB's line numbers. A
    Parquet file's row is its number.
    """
    skipped = sorted(line.line for line in rejected)
    by_record = {record: _line_of(record, skipped) for record in records}
    by_rejected = {line.line: line.line for line in rejected}
    texts: dict[int, str] = {}
    if not source.parquet and (records or rejected):
        bytes_ = {line.byte: line.line for line in rejected}
        walked_records, walked_rejected = _walk(source.name, set(records), bytes_)
        by_record.update({record: line for record, (line, _) in walked_records.items()})
        texts = {record: text for record, (_, text) in walked_records.items()}
        by_rejected.update(walked_rejected)
    return by_record, by_rejected, texts


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
) -> tuple[dict[int, tuple[int, str]], dict[int, int]]:
    """Record -> (line, text), and (DuckDB's) rejected line -> line, found by reading file
    `name`; `rejected` is each left-out line by the byte DuckDB says it starts at."""
    found_records: dict[int, tuple[int, str]] = {}
    found_rejected: dict[int, int] = {}
    starts = sorted(rejected)
    record, quoted, start, open_record = 1, False, 0, 0
    for line, text in enumerate(_lines(name), start=1):
        if open_record:  # a quoted line break within a row being found
            first, written = found_records[open_record]
            found_records[open_record] = (first, written + text)
        elif len(found_records) == len(records) and len(found_rejected) == len(starts):
            break
        end = start + len(text)
        left_out = False
        while len(found_rejected) < len(starts) and starts[len(found_rejected)] < end:
            found_rejected[rejected[starts[len(found_rejected)]]] = line
            left_out = True
        if not (quoted or left_out) and line > 1 and text.strip("\r\n"):
            record += 1
            if record in records:
                found_records[record] = (line, text)
                open_record = record
        if text.count('"') % 2:  # an even count leaves a line in or out of quotes as it was
            quoted = _ends_quoted(text, quoted)
        if not quoted:
            open_record = 0
        start = end
    return found_records, found_rejected


def _ends_quoted(text: str, quoted: bool) -> bool:
    """Whether a line that starts within quotes (`quoted`) or not ends within them, by RFC 4180:
    a quote opens a field only at its start (elsewhere it is text); within one, a doubled quote
    is a quote and a single one closes it."""
    position = 0
    while True:
        if quoted:
            close = text.find('"', position)
            while close != -1 and text.startswith('""', close):
                close = text.find('"', close + 2)
            if close == -1:
                return True
            quoted, position = False, close + 1
        else:
            opening = _OPENING.search(text, position)
            if opening is None:
                return False
            quoted, position = True, opening.end()


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

"""Reading a CSV file whole (with DuckDB), cell by cell, with every problem located.

Each problem is `FILE:ROW:COLUMN` (the row being the file's line, the column the field's
1-based index), and any problem stops the reading: a figure is never computed from a value that
was guessed or dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from spendgate.analytics.queries import NO_HIVE, connect, quoted
from spendgate.errors import SpendgateError
from spendgate.problems import Location, Problem

#: Problems shown before the rest are summed up in one line.
MAX_PROBLEMS = 50


class CsvErrors(SpendgateError):
    """A CSV input that cannot be used, with every problem found in it (exit code 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in {problems[0].location.file}")
        self.problems = problems


Parse = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    """A column a CSV file must (or may) have, and how its cells are read."""

    name: str
    parse: Parse
    required: bool = True


def problem(path: Path, line: int, column: int, message: str, code: str) -> Problem:
    """A problem with a CSV file, at a line and column of it."""
    return Problem(Location(str(path), line, column), message, code)


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        message = f"cannot read: {error.strerror}"
        raise CsvErrors([problem(path, 0, 0, message, "csv-unreadable")]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = "is not UTF-8 text"
        raise CsvErrors([problem(path, line, column, message, "csv-unreadable")]) from None


def _header(path: Path, names: list[str], columns: tuple[Column, ...]) -> dict[str, int]:
    """Column name to its 0-based index; a problem for each missing or repeated column."""
    names = [name.strip() for name in names]
    problems = [
        problem(path, 1, index + 1, f"column '{name}' appears twice", "csv-header")
        for index, name in enumerate(names)
        if name in names[:index]
    ]
    problems += [
        problem(
            path,
            1,
            1,
            f"missing column '{column.name}' (the header has: {', '.join(names) or 'nothing'})",
            "csv-header",
        )
        for column in columns
        if column.required and column.name not in names
    ]
    if problems:
        raise CsvErrors(problems)
    return {name: names.index(name) for name in names}


def _cells(
    path: Path, line: int, row: list[str], columns: tuple[Column, ...], positions: dict[str, int]
) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in columns:
        index = positions.get(column.name)
        if index is None:
            values[column.name] = column.parse("")
            continue
        try:
            values[column.name] = column.parse(row[index] if index < len(row) else "")
        except ValueError as error:
            message = f"{column.name}: {error}"
            problems.append(problem(path, line, index + 1, message, "csv-value"))
    return values, problems


@dataclass(frozen=True)
class Table:
    """A CSV file's data rows as (line, parsed values by column name), and where each column is
    (its 1-based index)."""

    rows: list[tuple[int, dict[str, Any]]]
    positions: dict[str, int]


def read_table(path: Path, columns: tuple[Column, ...]) -> Table:
    """Every data row of the CSV file at `path`, parsed.

    DuckDB reads the rows; where it finds a fault (a row with too many or too few fields, an
    open quote) or its rows do not map one to one onto lines (blank lines, quoted line breaks),
    Python's csv module reads the file instead and locates the fault. Raises CsvErrors with every
    problem found (the first MAX_PROBLEMS, then a count).
    """
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        positions = _header(path, next(reader, []), columns)
        records = _duck_records(path, text, len(positions))
        if records is None:
            rows, problems = _rows(path, reader, columns, positions)
        else:
            rows, problems = _parsed(path, records, columns, positions)
    except csv.Error as error:
        line = reader.line_num
        raise CsvErrors([problem(path, line, 1, f"not valid CSV: {error}", "csv-syntax")]) from None
    if problems:
        raise CsvErrors(capped(problems))
    return Table(rows, {name: index + 1 for name, index in positions.items()})


def _duck_records(path: Path, text: str, width: int) -> list[tuple[int, list[str]]] | None:
    """The data rows as (line, cells), read by DuckDB; None when the csv module must read the
    file: DuckDB rejects it, a row has more or fewer fields than the header, or a record is
    not exactly one line.

    One column more than the header catches extra fields; padding with nulls (and no text read
    as null) shows missing ones.
    """
    names = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(width + 1))
    source = (
        f"read_csv({quoted(str(path))}, header = false, skip = 1, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = true, "
        f"nullstr = [chr(0)], {NO_HIVE}, columns = {{{names}}})"
    )
    connection = connect()
    try:
        found = connection.execute(f"SELECT * FROM {source}").fetchall()
    except duckdb.Error:
        return None
    finally:
        connection.close()
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    ragged = any(row[width] is not None or None in row[:width] for row in found)
    if ragged or lines != len(found) + 1:
        return None
    return [(index + 2, list(row[:width])) for index, row in enumerate(found)]


def _parsed(
    path: Path,
    records: list[tuple[int, list[str]]],
    columns: tuple[Column, ...],
    positions: dict[str, int],
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue
        values, found = _cells(path, line, row, columns, positions)
        problems += found
        rows.append((line, values))
    return rows, problems


def _rows(
    path: Path, reader: Any, columns: tuple[Column, ...], positions: dict[str, int]
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) != len(positions):
            message = f"the row has {len(row)} fields; the header has {len(positions)}"
            problems.append(
                problem(path, line, min(len(row), len(positions)) + 1, message, "csv-row")
            )
            continue
        values, found = _cells(path, line, row, columns, positions)
        problems += found
        rows.append((line, values))
    return rows, problems


def capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS problems, and a note that counts the rest."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    last = problems[MAX_PROBLEMS]
    note = problem(Path(last.location.file), 0, 0, f"{rest} more problem(s) not shown", "csv")
    return [*problems[:MAX_PROBLEMS], note]

"""The analytical engine behind `spendgate report`'s tabular inputs: DuckDB, its named queries
(package data under `sql/`), and the files it reads.

A billing input is a local path, a glob, or a URL DuckDB reads (`s3://`, `gs://`, `az://` with
its httpfs or azure extension); each is CSV (optionally gzipped) or Parquet, by its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb

#: DuckDB may spill to disk past this, so that a large export never takes the machine's memory.
MEMORY_LIMIT = "400MB"
#: DuckDB's limit for a scan that holds what it reads up to its limit: numbering the rows
#: (`ROW_NUMBER() OVER ()`, to locate the bad ones) and reading a CSV file by one thread. With
#: 400MB the report on 10^7 rows peaked at 526 MiB; with 200MB, about 340 MiB, no slower.
HOLDING_MEMORY_LIMIT = "200MB"
#: Threads DuckDB may use.
THREADS = 2

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)


@cache
def named_queries(name: str) -> dict[str, str]:
    """The queries of `sql/NAME.sql`, by the name each `-- name:` line gives it."""
    text = files("spendgate.analytics").joinpath("sql", f"{name}.sql").read_text("utf-8")
    parts = _NAME.split(text)
    return {parts[index]: parts[index + 1].strip() for index in range(1, len(parts), 2)}


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded memory and threads, that prints nothing (no progress
    bar on a long scan) and reads time in UTC, as FOCUS writes it (a timestamp's day is its
    UTC day, not the machine's local one)."""
    connection = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": THREADS})
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET TimeZone = 'UTC'")
    return connection


@dataclass(frozen=True)
class TableFile:
    """One file of tabular data: where it is, how to read it, and its columns in order."""

    name: str
    """The path or URL, as DuckDB reads it."""
    parquet: bool
    """Parquet (else CSV, plain or compressed)."""
    columns: tuple[str, ...]
    """The column names, in the file's order (the header, for CSV)."""
    types: tuple[str, ...]
    """Each column's DuckDB type, in the same order (VARCHAR for every CSV column)."""
    lenient: bool = False
    """A CSV file read without DuckDB's sniffer, by `lenient_reader`."""
    serial: bool = False
    """Read leniently by one thread."""
    reads: tuple[str, ...] = ()
    """The columns every query of a lenient read reads (the same in each: DuckDB leaves out a
    line that is not UTF-8 only when it reads the column that is not)."""

    def position(self, column: str) -> int:
        """The 1-based position of `column`, 0 when the file lacks it."""
        return self.columns.index(column) + 1 if column in self.columns else 0

    def type_of(self, column: str) -> str:
        """The DuckDB type of `column` (which the file has)."""
        return self.types[self.columns.index(column)]


def quoted(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """`name` as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


#: The column naming the file each row of `files_reader` comes from.
FILE_COLUMN = "spendgate source file"
#: Every file DuckDB reads is read with this: a folder named `ProviderName=X` (or, above a
#: repository, `decision=X`) is not a column. DuckDB would otherwise read a path's `key=value`
#: folders as columns (hive partitioning), over the file's own column of that name.
NO_HIVE = "hive_partitioning = false"
_CSV = f"header = true, all_varchar = true, nullstr = ['', 'NULL'], store_rejects = true, {NO_HIVE}"


def reader(name: str, *, parquet: bool, numbered: bool = False) -> str:
    """The table function that reads file `name`; with `numbered`, its rows also carry
    `record`: the row's number in the file (for CSV, the header is row 1). A CSV line that
    cannot be split into the header's fields is left out and kept in DuckDB's `reject_errors`."""
    if parquet:
        source = f"read_parquet({quoted(name)}, file_row_number = true, {NO_HIVE})"
        return f"(SELECT *, file_row_number + 1 AS record FROM {source})" if numbered else source
    source = f"read_csv({quoted(name)}, {_CSV})"
    return f"(SELECT *, ROW_NUMBER() OVER () + 1 AS record FROM {source})" if numbered else source


def files_reader(names: list[str], *, parquet: bool) -> str:
    """The table function that reads every file of `names` in one scan, as `reader` reads one
    (they must read alike: one Parquet schema, or one CSV header), each row with its file's name
    in FILE_COLUMN."""
    files = "[" + ", ".join(quoted(name) for name in names) + "]"
    options = f"filename = {quoted(FILE_COLUMN)}"
    if parquet:
        return f"read_parquet({files}, {options}, {NO_HIVE})"
    return f"read_csv({files}, {_CSV}, {options})"


#: The column past the header's in a lenient read: not null on a row with more fields.
EXTRA = "spendgate extra field"


def lenient_reader(
    name: str, columns: tuple[str, ...], *, numbered: bool = False, serial: bool = False
) -> str:
    """The table function that reads CSV file `name` without DuckDB's sniffer, which fails on the
    whole file for one bad line (a line over DuckDB's max_line_size in its sample, a short row
    with another line ending): RFC 4180 with `columns` (the header, which is skipped) and
    `EXTRA`, every row kept however many fields it has (`strict_mode = false` would cut a long
    row to the header's width: `EXTRA` shows it; a short row is padded with nulls, and no text
    reads as null, so the header's last column is null only there). DuckDB's parallel reader
    cannot pad rows in a file with a quoted line break: `serial` reads with one thread. Lines
    over max_line_size or not UTF-8 are left out and kept in `reject_errors`; with `numbered`,
    rows carry `record` as in `reader`."""
    names = ", ".join(f"{quoted(column)}: 'VARCHAR'" for column in (*columns, EXTRA))
    source = (
        f"read_csv({quoted(name)}, header = false, skip = 1, auto_detect = false, delim = ',', "
        "quote = '\"', escape = '\"', strict_mode = false, null_padding = true, "
        f"nullstr = [chr(0)], parallel = {'false' if serial else 'true'}, store_rejects = true, "
        f"{NO_HIVE}, columns = {{{names}}})"
    )
    return f"(SELECT *, ROW_NUMBER() OVER () + 1 AS record FROM {source})" if numbered else source


def expand(connection: duckdb.DuckDBPyConnection, pattern: str) -> list[str]:
    """The files a path or glob names, sorted (DuckDB's glob: local, or remote with an
    extension)."""
    rows = connection.execute("SELECT file FROM glob(?) ORDER BY file", [pattern]).fetchall()
    return [str(row[0]) for row in rows]


def is_parquet(name: str) -> bool:
    """Whether `name` is a Parquet file, by its suffix (anything else is read as CSV)."""
    return Path(name).suffix.lower() in (".parquet", ".pq")


def table_file(connection: duckdb.DuckDBPyConnection, name: str) -> TableFile:
    """The file `name`, with its columns. Raises duckdb.Error when it cannot be read."""
    parquet = is_parquet(name)
    rows = connection.execute(f"DESCRIBE SELECT * FROM {reader(name, parquet=parquet)}")
    described = rows.fetchall()
    return TableFile(
        name,
        parquet,
        tuple(str(row[0]) for row in described),
        tuple(str(row[1]) for row in described),
    )


def fetch(connection: duckdb.DuckDBPyConnection, query: str, *arguments: Any) -> list[Any]:
    """The rows `query` returns, as tuples."""
    return connection.execute(query, list(arguments) or None).fetchall()

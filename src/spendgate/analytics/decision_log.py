"""The decision log as the dashboard reads it, in DuckDB (`sql/decision_log.sql`): what it holds,
and where it and the gate disagree.

The log (`paths.audit_log`, JSON Lines written by `spendgate audit record`) is read with
`read_json`, naming the fields read (`timestamp`, `decision.request_id`, `decision.status`,
`decision.file` and `decision.inputs.documents`, of which only the request file's blob is kept),
so a large log of large records is streamed, not loaded or guessed at. An approval counts as
recorded when the request's latest record is that approval of the request's current text (its
file and git blob id), as `spendgate audit record` would see it. A
record that is not JSON, lacks one of those fields or has a timestamp that does not parse never
stops the report: it is left out, counted by reason, and the first MAX_PROBLEMS are located
(`FILE:LINE:1`, the line being the record). The hash chain is not checked here: that is
`spendgate audit verify`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import duckdb

from spendgate.analytics.csv_table import MAX_PROBLEMS, CsvErrors, problem
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.queries import NO_HIVE, connect, fetch, named_queries, quoted
from spendgate.analytics.stats import Count
from spendgate.decisions import STATUSES
from spendgate.problems import Level, Problem

#: The fields read from each record, as DuckDB types (every other field is skipped).
COLUMNS = (
    "{'timestamp': 'VARCHAR', 'decision': 'STRUCT(request_id VARCHAR, status VARCHAR, "
    "file VARCHAR, inputs STRUCT(documents VARCHAR[][]))'}"
)


@dataclass(frozen=True)
class LogFile:
    """The decision log the figures were read from."""

    path: str
    """Its path, relative to the repository (`paths.audit_log` in spendgate.yaml)."""
    present: bool
    """Whether it exists: false until `spendgate audit record` first runs."""


@dataclass(frozen=True)
class Gap:
    """Requests on which the log and the gate disagree."""

    count: int
    """How many requests."""
    requests: tuple[str, ...]
    """Their ids, sorted."""


@dataclass(frozen=True)
class AuditTrail:
    """What the decision log holds, and where it and the gate disagree (not a verification of
    its hash chain: that is `spendgate audit verify`). All counts are 0 without a log."""

    log: LogFile
    """The log read."""
    records: int
    """Records counted (those left out are in `excluded`)."""
    requests: int
    """Distinct requests the counted records are about."""
    by_month: tuple[Count, ...]
    """Records by the UTC month (YYYY-MM) of their timestamp, oldest first."""
    latest_statuses: tuple[Count, ...]
    """Requests by the status of their latest record (the last in the log), by status name."""
    approved_not_recorded: Gap
    """Requests the gate approves on the report date whose latest record is not that approval
    of their current text (not approved, or approved as another text of the file)."""
    recorded_not_approved: Gap
    """Requests whose latest record says approved that the gate no longer approves."""
    excluded: tuple[Count, ...]
    """Records left out, by reason (a line that is not JSON, a missing field, a bad timestamp)."""


class Approved(NamedTuple):
    """A request the gate approves, and the text approved: its file and the file's blob id."""

    request_id: str
    file: str
    blob: str


@dataclass(frozen=True)
class LogReading:
    """The audit trail, and the records left out of it (located, the first few)."""

    trail: AuditTrail
    problems: tuple[Problem, ...]
    """One warning per excluded record shown, and a line counting the rest."""


def read_decision_log(root: Path, evaluated: Evaluated) -> LogReading:
    """The audit trail of the repository at `root`, against the gate's decisions in `evaluated`.

    Raises CsvErrors when the log exists but cannot be read.
    """
    name = evaluated.config.paths.audit_log
    path = root / name
    approved = sorted(
        Approved(request, decision.file, evaluated.request_blobs.get(request, ""))
        for request, decision in evaluated.decisions.items()
        if decision.status == "approved"
    )
    if not path.is_file():
        return LogReading(_without_log(name, approved), ())
    connection = connect()
    try:
        trail, bad = _read(connection, path, name, approved)
    except duckdb.Error as error:
        reason = f"cannot read: {str(error).splitlines()[0]}"
        raise CsvErrors([problem(Path(name), 0, 0, reason, "log-unreadable")]) from None
    finally:
        connection.close()
    return LogReading(trail, _located(path, name, bad, sum(c.count for c in trail.excluded)))


def _without_log(name: str, approved: list[Approved]) -> AuditTrail:
    return AuditTrail(
        log=LogFile(name, present=False),
        records=0,
        requests=0,
        by_month=(),
        latest_statuses=(),
        approved_not_recorded=Gap(len(approved), tuple(a.request_id for a in approved)),
        recorded_not_approved=Gap(0, ()),
        excluded=(),
    )


def _read(
    connection: duckdb.DuckDBPyConnection, path: Path, name: str, approved: list[Approved]
) -> tuple[AuditTrail, list[tuple[int, str, str | None]]]:
    queries = named_queries("decision_log")
    connection.execute(
        "CREATE TEMP TABLE gate_approved AS SELECT unnest(?::VARCHAR[]) AS request_id, "
        "unnest(?::VARCHAR[]) AS file, unnest(?::VARCHAR[]) AS blob",
        [list(column) for column in zip(*approved, strict=True)] or [[], [], []],
    )
    connection.execute(
        "CREATE TEMP TABLE decision_statuses AS SELECT unnest(?::VARCHAR[]) AS status",
        [list(STATUSES)],
    )
    source = (
        f"read_json({quoted(str(path))}, format = 'newline_delimited', columns = {COLUMNS}, "
        f"ignore_errors = true, {NO_HIVE})"
    )
    connection.execute(
        "CREATE TEMP VIEW log_source AS SELECT ROW_NUMBER() OVER () AS record, timestamp, "
        f"decision FROM {source}"
    )
    connection.execute(queries["log_rows"])
    connection.execute(queries["log_latest"])
    records, requests = fetch(connection, queries["log_counts"])[0]
    trail = AuditTrail(
        log=LogFile(name, present=True),
        records=int(records),
        requests=int(requests),
        by_month=_counts(connection, queries["log_months"]),
        latest_statuses=_counts(connection, queries["log_latest_statuses"]),
        approved_not_recorded=_gap(connection, queries["log_approved_unrecorded"]),
        recorded_not_approved=_gap(connection, queries["log_approval_withdrawn"]),
        excluded=_counts(connection, queries["log_faults"]),
    )
    bad = [
        (int(record), str(fault), None if written is None else str(written))
        for record, fault, written in fetch(connection, queries["log_bad_records"], MAX_PROBLEMS)
    ]
    return trail, bad


def _counts(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[Count, ...]:
    return tuple(Count(str(key), int(count)) for key, count in fetch(connection, query))


def _gap(connection: duckdb.DuckDBPyConnection, query: str) -> Gap:
    requests = tuple(str(row[0]) for row in fetch(connection, query))
    return Gap(len(requests), requests)


def _located(
    path: Path, name: str, bad: list[tuple[int, str, str | None]], excluded: int
) -> tuple[Problem, ...]:
    """One warning per record in `bad`, on its line, and a line counting the `excluded` ones
    not shown."""
    lines = _lines_of(path, [record for record, _, _ in bad])
    problems = [
        _warning(name, lines.get(record, 0), _message(fault, written))
        for record, fault, written in bad
    ]
    if excluded > len(problems):
        problems.append(
            _warning(name, 0, f"{excluded - len(problems)} more excluded record(s) not shown")
        )
    return tuple(problems)


def _message(fault: str, written: str | None) -> str:
    """What is wrong with a record, with the timestamp as written when that is what is wrong."""
    value = f" ('{written}')" if fault.startswith("timestamp is not") else ""
    return f"{fault}{value}: record excluded"


def _warning(name: str, line: int, message: str) -> Problem:
    located = problem(Path(name), line, 1 if line else 0, message, "log-record")
    return replace(located, level=Level.WARNING)


def _lines_of(path: Path, records: list[int]) -> dict[int, int]:
    """The line of each record number in `records`: DuckDB numbers the log's non-blank lines,
    so the blank ones before a record are counted in again (one streamed pass, only when some
    record is left out)."""
    wanted, found = set(records), dict[int, int]()
    if not wanted:
        return found
    record = 0
    with path.open("rb") as log:
        for number, text in enumerate(log, start=1):
            if text.strip():
                record += 1
                if record in wanted:
                    found[record] = number
                    if len(found) == len(wanted):
                        break
    return found

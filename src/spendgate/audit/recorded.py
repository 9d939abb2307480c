"""Requests the decision log records that the repository no longer holds (SPEC §7, §9).

`audit record` logs a request once it is merged and decided: from then on it is a record, which
is withdrawn (`status: withdrawn`), never deleted. A pull request that deletes it is refused by
`check --base` (`record-deleted`); a commit is judged before there is a pull request, with no
base to compare, so `validate` compares the repository with its log instead: a request the log
records is gone when no document defines its id any more and the file it was last recorded in
no longer exists (a request renamed inside the repository keeps its id; a file that no longer
loads is reported as such, not as gone).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from spendgate.audit.log import display_name, read_lines, records_of
from spendgate.problems import Location, Problem

#: The id of a request whose file did not load; the log records it but it names nothing.
UNKNOWN_REQUEST = "?"


def recorded_requests(log: Path) -> dict[str, tuple[str, int]]:
    """Each request id the log at `log` records, with the file and log line of its last record
    (none when there is no log; lines that are not records are `audit verify`'s to report)."""
    found: dict[str, tuple[str, int]] = {}
    for line, record in records_of(read_lines(log)):
        decision = record.get("decision")
        if not isinstance(decision, dict):
            continue
        request, file = decision.get("request_id"), decision.get("file")
        if isinstance(request, str) and isinstance(file, str) and request != UNKNOWN_REQUEST:
            found[request] = (file, line.number)
    return found


def vanished_requests(root: Path, log: Path, defined: Collection[str]) -> list[Problem]:
    """A `record-deleted` problem, at the file it was last recorded in, for each request the
    log at `log` records that neither `defined` (ids the repository at `root` defines) holds
    nor that file does any more."""
    name = display_name(log, root)
    return [
        Problem(
            Location(file, 1, 1),
            f"{file} is deleted, but request {request} is decided in {name} (line {number}); "
            "records are never deleted: set `status: withdrawn` instead",
            "record-deleted",
        )
        for request, (file, number) in sorted(recorded_requests(log).items())
        if request not in defined and not (root / file).exists()
    ]

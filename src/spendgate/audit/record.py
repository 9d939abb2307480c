"""`audit record`'s core: decide every request at HEAD and log the new or changed decisions.

Run by CI on the main branch after a merge. Each record names the commit it was decided at, so
the working tree must hold that commit's documents: uncommitted changes to YAML files refuse.
A decision is recorded when its request (by id and file) has no record yet or its latest one
has a different `decision_digest`; the evaluation date alone never makes a new record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from spendgate import vcs
from spendgate.audit.log import (
    Line,
    append,
    as_logged,
    decision_digest,
    head_hash,
    new_record,
    read_lines,
)
from spendgate.documents.discovery import YAML_SUFFIXES
from spendgate.errors import UsageError
from spendgate.policy.gate import check_repository
from spendgate.problems import Problem
from spendgate.reporters.check_json import decision_json

#: What the log's directory ignores: the lock file and the temporary files of an append.
IGNORED = ".{name}.*"


@dataclass(frozen=True)
class Recorded:
    """What one `audit record` run did."""

    log: Path
    commit: str
    decided: int
    appended: tuple[dict[str, Any], ...]
    head: str
    problems: tuple[Problem, ...] = ()
    """Configuration problems that kept every request from being decided (nothing recorded)."""


def utc_now() -> str:
    """The current time in UTC, as records hold it (`2026-11-22T09:30:00Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_decisions(
    root: Path, *, as_of: date, log: Path, clock: Callable[[], str] | None = None
) -> Recorded:
    """Decide every request of the repository at `root` (clean, at HEAD) and append a record for
    each decision that is new or changed to the log at `log`. `clock` gives the timestamp
    (`utc_now` by default); it is read under the log's lock, so on one clock the log's
    timestamps never go back."""
    commit = committed_head(root)
    report = check_repository(root, as_of=as_of)
    if report.has_configuration_errors:
        problems = tuple(p for p in report.problems if p.is_error)
        return Recorded(log, commit, 0, (), head_hash(read_lines(log)), problems)
    decisions = [as_logged(decision_json(decision)) for decision in report.decisions]
    return record_decided(decisions, commit=commit, log=log, clock=clock)


def record_decided(
    decisions: list[dict[str, Any]],
    *,
    commit: str,
    log: Path,
    clock: Callable[[], str] | None = None,
) -> Recorded:
    """Append a record for each of `decisions` (as the JSON report holds them, made at `commit`)
    that is new or changed to the log at `log`."""

    heads: list[str] = []

    def build(lines: list[Line]) -> list[dict[str, Any]]:
        heads.append(head_hash(lines))  # the head as the lock found it, read once
        return _new_records(lines, decisions, commit=commit, timestamp=(clock or utc_now)())

    appended = append(log, build)
    _ignore_lock(log)
    head = appended[-1]["hash"] if appended else heads[-1]
    return Recorded(log, commit, len(decisions), tuple(appended), head)


def committed_head(root: Path) -> str:
    """HEAD of the repository at `root`; UsageError when it is not a git repository or its
    documents have uncommitted changes (a record names the commit it was decided at)."""
    if not root.is_dir() or not vcs.is_repository(root):
        raise UsageError(f"{root} is not a git repository; the decision log records commits")
    commit = vcs.head(root)
    changed = vcs.uncommitted(root)
    if commit is None or changed is None:
        raise UsageError(f"{root} has no commit yet; commit its documents first")
    documents = [name for name in changed if name.endswith(YAML_SUFFIXES)]
    if documents:
        shown = ", ".join(documents[:5]) + (", …" if len(documents) > 5 else "")
        raise UsageError(
            f"{root} has uncommitted changes to {len(documents)} document(s) ({shown}); "
            "commit them first: every record names the commit it was decided at"
        )
    return commit


def _latest_digests(lines: list[Line]) -> dict[tuple[str, str], str]:
    """(request id, file) to the `decision_digest` of its latest record in the log."""
    latest: dict[tuple[str, str], str] = {}
    for line in lines:
        decision = (line.record or {}).get("decision")
        if isinstance(decision, dict):
            key = (str(decision.get("request_id")), str(decision.get("file")))
            latest[key] = decision_digest(decision)
    return latest


def _new_records(
    lines: list[Line], decisions: list[dict[str, Any]], *, commit: str, timestamp: str
) -> list[dict[str, Any]]:
    if lines and not lines[-1].complete:
        raise UsageError(
            f"the decision log's last line ({lines[-1].number}) is incomplete; nothing was "
            "appended: run `spendgate audit verify`"
        )
    latest = _latest_digests(lines)
    previous = head_hash(lines)
    records = []
    for decision in decisions:
        if latest.get((decision["request_id"], decision["file"])) == decision_digest(decision):
            continue
        record = new_record(decision, commit=commit, timestamp=timestamp, prev_hash=previous)
        records.append(record)
        previous = record["hash"]
    return records


def _ignore_lock(log: Path) -> None:
    """Have git ignore the lock file beside the log: write `.gitignore` there if it is missing."""
    ignore = log.parent / ".gitignore"
    if ignore.exists():
        return
    text = f"# spendgate audit record's lock and temporary files\n{IGNORED.format(name=log.name)}\n"
    try:
        with ignore.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:  # another writer made it first
        return

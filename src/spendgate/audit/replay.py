"""`audit replay`'s core: decide recorded requests again, from git, as they were decided.

Each recorded commit's tree is written to a scratch directory inside a scratch repository whose
HEAD is that commit (`vcs.history_at`), so approval authenticity reads the history as it was
then. The request is decided with the recorded evaluation date under whatever policies that
tree names: its own policy files, or the builtin set this spendgate packages (when those differ
from the recorded ones, the result says so). The new decision is compared with the recorded one
field by field.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from spendgate import __version__, vcs
from spendgate.audit.log import Line, as_logged, read_lines, records_of
from spendgate.audit.verify import document_digests, policy_set_named
from spendgate.documents.root import CONFIG_FILE
from spendgate.errors import SpendgateError, UsageError
from spendgate.policy.gate import check_repository
from spendgate.policy.library import BUILTIN
from spendgate.reporters.check_json import decision_json

_DECIMAL = re.compile(r"-?\d+(\.\d+)?")


class _Absent:
    """The value of a field one side does not have."""

    def __repr__(self) -> str:
        return "absent"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    """One field (by JSON path) that differs: its recorded value and its value now."""

    path: str
    recorded: Any
    now: Any


@dataclass(frozen=True)
class Replayed:
    """The replay of one record: the differences (none when reproduced) and why they may be."""

    decision_id: str
    request_id: str
    line: int
    differences: tuple[Difference, ...]
    reasons: tuple[str, ...] = ()
    failure: str | None = None
    """Why the decision could not be made again at all (then there are no differences)."""

    @property
    def reproduced(self) -> bool:
        """Whether the decision was made again, exactly as recorded."""
        return self.failure is None and not self.differences


Entry = tuple[Line, dict[str, Any]]


def replay(root: Path, log: Path, *, decision_id: str | None, name: str) -> list[Replayed]:
    """Replay the record `decision_id` of the log at `log`, or every record when it is None.

    UsageError when the record is not in the log (`name` is how the log is named).
    """
    if not root.is_dir() or not vcs.is_repository(root):
        raise UsageError(f"{root} is not a git repository; replay reads its recorded commits")
    entries = [entry for entry in records_of(read_lines(log)) if _inputs(entry[1])]
    if decision_id is not None:
        entries = [entry for entry in entries if entry[1]["decision_id"] == decision_id]
        if not entries:
            raise UsageError(f"no decision {decision_id} in {name}")
    by_commit: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_commit[str(entry[1]["commit"])].append(entry)
    replayed: list[Replayed] = []
    with tempfile.TemporaryDirectory(prefix="spendgate-replay-") as scratch:
        for index, (commit, group) in enumerate(sorted(by_commit.items())):
            replayed += _replay_commit(root, commit, group, Path(scratch) / str(index))
    return sorted(replayed, key=lambda result: result.line)


def _replay_commit(root: Path, commit: str, group: list[Entry], scratch: Path) -> list[Replayed]:
    tree = vcs.history_at(root, commit, scratch)
    if tree is None or not vcs.export_tree(root, commit, tree):
        reason = f"commit {commit} cannot be read from the repository"
        return [_unreplayable(line, record, reason) for line, record in group]
    config = tree / CONFIG_FILE
    builtin = policy_set_named(config.read_bytes() if config.is_file() else b"") == BUILTIN
    by_date: dict[str, list[Entry]] = defaultdict(list)
    for entry in group:
        by_date[str(_inputs(entry[1]).get("evaluation_date"))].append(entry)
    return [
        result
        for evaluation_date, entries in sorted(by_date.items())
        for result in _replay_on(tree, evaluation_date, entries, builtin=builtin)
    ]


def _replay_on(
    tree: Path, evaluation_date: str, entries: list[Entry], *, builtin: bool
) -> list[Replayed]:
    try:
        as_of = date.fromisoformat(evaluation_date)
    except ValueError:
        reason = f"the recorded evaluation date {evaluation_date!r} is not a date"
        return [_unreplayable(line, record, reason) for line, record in entries]
    try:
        report = check_repository(tree, as_of=as_of)
    except SpendgateError as error:  # the commit's configuration cannot be used
        reason = f"the repository cannot be checked at this commit: {error}"
        return [_unreplayable(line, record, reason) for line, record in entries]
    decided = {
        (decision.request_id, decision.file): as_logged(decision_json(decision))
        for decision in report.decisions
    }
    failures = tuple(
        f"the repository does not load at this commit: {problem.location}: {problem.message}"
        for problem in report.problems
        if report.has_configuration_errors and problem.is_error
    )
    return [_compared(line, record, decided, failures, builtin=builtin) for line, record in entries]


def _compared(
    line: Line,
    record: dict[str, Any],
    decided: dict[tuple[str, str], dict[str, Any]],
    failures: tuple[str, ...],
    *,
    builtin: bool,
) -> Replayed:
    recorded = record["decision"]
    now = decided.get((recorded.get("request_id"), recorded.get("file")), ABSENT)
    differences = tuple(differences_between(recorded, now))
    reasons = failures + _version_reasons(record, now, builtin=builtin)
    return Replayed(
        record["decision_id"], str(recorded.get("request_id")), line.number, differences, reasons
    )


def _inputs(record: dict[str, Any]) -> dict[str, Any]:
    """The recorded decision's `inputs` (empty when the record holds no decision)."""
    decision = record["decision"]
    inputs = decision.get("inputs") if isinstance(decision, dict) else None
    return inputs if isinstance(inputs, dict) else {}


def _unreplayable(line: Line, record: dict[str, Any], failure: str) -> Replayed:
    request_id = str(record["decision"].get("request_id"))
    return Replayed(record["decision_id"], request_id, line.number, (), failure=failure)


def differences_between(recorded: Any, now: Any, path: str = "$") -> list[Difference]:
    """Every leaf (by JSON path) where `recorded` and `now` differ, in document order."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        keys = [*recorded, *(key for key in now if key not in recorded)]
        return [
            difference
            for key in keys
            for difference in differences_between(
                recorded.get(key, ABSENT), now.get(key, ABSENT), f"{path}.{key}"
            )
        ]
    if isinstance(recorded, list) and isinstance(now, list):
        return [
            difference
            for index in range(max(len(recorded), len(now)))
            for difference in differences_between(
                recorded[index] if index < len(recorded) else ABSENT,
                now[index] if index < len(now) else ABSENT,
                f"{path}[{index}]",
            )
        ]
    if _same(recorded, now):
        return []
    return [Difference(path, recorded, now)]


def _same(recorded: Any, now: Any) -> bool:
    """Equal as JSON (so that `true` and `1` differ, as they do in the log), or the same amount:
    logs written before money became decimal strings hold a number (`222000.0`) where a decision
    now holds the amount's exact decimal string (`"222000.00"`)."""
    if recorded is ABSENT or now is ABSENT:
        return recorded is now
    if json.dumps(recorded, sort_keys=True) == json.dumps(now, sort_keys=True):
        return True
    return _same_amount(recorded, now)


def _same_amount(recorded: Any, now: Any) -> bool:
    """Whether a recorded number and a decimal string now are one amount."""
    if isinstance(recorded, bool) or not isinstance(recorded, (int, float)):
        return False
    if not isinstance(now, str) or not _DECIMAL.fullmatch(now):
        return False
    return math.isfinite(recorded) and Decimal(repr(recorded)) == Decimal(now)


def _version_reasons(record: dict[str, Any], now: Any, *, builtin: bool) -> tuple[str, ...]:
    """Why a replay may differ: another spendgate version, other builtin policies."""
    if now is ABSENT:
        return ()
    recorded_version = _inputs(record).get("spendgate_version")
    reasons = []
    if recorded_version != __version__:
        reasons.append(f"recorded by spendgate {recorded_version}, replayed by {__version__}")
    if builtin:
        changed = _policy_changes(
            dict(document_digests(record)), dict(document_digests({"decision": now}))
        )
        if changed:
            reasons.append(
                f"the builtin policies packaged with spendgate {__version__} differ from the "
                f"recorded ones: {'; '.join(changed)}"
            )
    return tuple(reasons)


def _policy_changes(recorded: dict[str, str], packaged: dict[str, str]) -> list[str]:
    names = sorted(name for name in {*recorded, *packaged} if name.startswith("policy:"))
    return [
        f"{name} recorded {recorded.get(name, 'absent')[:12]}, packaged "
        f"{packaged.get(name, 'absent')[:12]}"
        for name in names
        if recorded.get(name) != packaged.get(name)
    ]

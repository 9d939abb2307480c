"""Anchors of the decision log: what its hash chain alone cannot show (SPEC §7, §9).

The chain shows that no record changed relative to the records after it. It cannot show that
the last records were not dropped, or that an old record was not rewritten and every later
hash recomputed: either leaves another valid chain. An anchor closes that gap: a head hash kept
where the log's writers cannot change it (a CI job's output, a protected tag, the base branch).
The log must still hold the record with that hash, its chain intact from the first line up to it.

Against a git revision the log must also extend that revision's log byte for byte: every line
of the old log, newline included, is the same line of the new one. A last line without its
newline (a torn write) therefore stays as it is; completing it is an edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spendgate import vcs
from spendgate.audit.log import GENESIS, Line, head_hash, parse_lines
from spendgate.errors import UsageError
from spendgate.problems import Location, Problem

_HASH = re.compile(r"[0-9a-fA-F]{64}")
_NOT_A_PREFIX = "the decision log of the base revision is not a prefix of this one"
_APPEND_ONLY = "(records are appended, never edited or removed)"


@dataclass(frozen=True)
class Anchored:
    """The outcome of checking the log against one anchor."""

    hash: str
    """The anchor: a head hash of the log kept from earlier (64 hex digits)."""
    line: int
    """The line of the anchored record: 0 for the empty log's head (GENESIS), or when not held."""
    problems: tuple[Problem, ...]
    """Why the log does not hold the anchor; empty when it does."""
    revision: str | None = None
    """The git revision whose log head this is (`--base`); None for a hash given as is."""
    absent: bool = False
    """True when the log does not exist at `revision`: it anchors nothing."""


def parse_anchor(text: str) -> str:
    """The anchor hash `text` names (64 hex digits, any case), in lower case; UsageError else."""
    if not _HASH.fullmatch(text):
        raise UsageError(f"--anchor takes a head hash of 64 hex digits, not {text!r}")
    return text.lower()


def check_anchor(
    lines: list[Line], anchor: str, *, log: str, chain_break: Problem | None, origin: str = ""
) -> Anchored:
    """Whether the chain of `lines` holds the record whose hash is `anchor`, intact from the
    first line up to it. `chain_break` is the chain's first broken link (verify finds it),
    `log` how problems name the log and `origin` what they say of the anchor's source."""
    if anchor == GENESIS:
        return Anchored(anchor, 0, ())
    end = chain_break.location.line if chain_break is not None else len(lines) + 1
    found = next((line.number for line in lines if _hash_of(line) == anchor), 0)
    if 0 < found < end:
        return Anchored(anchor, found, ())
    return Anchored(anchor, 0, (_anchor_problem(anchor, origin, log, found, end, len(lines)),))


def _hash_of(line: Line) -> object:
    return line.record.get("hash") if line.record is not None else None


def _anchor_problem(
    anchor: str, origin: str, log: str, found: int, end: int, count: int
) -> Problem:
    named = f"the anchored record {anchor}{origin}"
    if end <= count and found:
        where = "where the chain breaks" if found == end else f"but the chain breaks at line {end}"
        message = f"{named} is on line {found}, {where}: it or a record before it was changed"
    elif end <= count:
        message = f"the chain breaks at line {end} before it reaches {named}"
    elif count:
        message = (
            f"{named} is not in the log: its chain ends intact at line {count} without it, so "
            f"records after line {count} were removed, or that record or an earlier one was "
            f"rewritten and the later ones re-chained {_APPEND_ONLY}"
        )
    else:
        message = f"{named} is not in the log, which is empty: its records were removed"
    return Problem(Location(log, end, 1), message, "audit-anchor")


def extension_problem(base: bytes, head: bytes, *, log: str) -> Problem | None:
    """None when the log `head` extends the log `base` byte for byte (every line of `base`,
    newline included, is the same line of `head`); else the problem at the first line that
    differs, named in the file `log`. Pass b"" for a log that does not exist."""
    if head.startswith(base) and (base.endswith(b"\n") or head == base or not base):
        return None
    base_lines, head_lines = _lines(base), _lines(head)
    index = next(
        (i for i, (old, new) in enumerate(zip(base_lines, head_lines, strict=False)) if old != new),
        len(head_lines),
    )
    number = index + 1
    if index == len(head_lines):
        message = f"{_NOT_A_PREFIX}, {_shorter(len(head_lines), len(base_lines))}: "
        message += _removed(number, len(base_lines))
    elif base_lines[index].startswith(head_lines[index]):
        if number < len(base_lines):
            message = f"{_NOT_A_PREFIX}, {_shorter(number, len(base_lines))}: line {number} is "
            message += f"cut short and {_removed(number + 1, len(base_lines))}"
        else:
            message = f"{_NOT_A_PREFIX}: line {number} is cut short"
    elif not base_lines[index].endswith(b"\n"):
        message = (
            f"{_NOT_A_PREFIX}: line {number} differs: the base's last line is incomplete "
            "(no newline: a torn write), and this one completes or changes it"
        )
    else:
        message = f"{_NOT_A_PREFIX}: line {number} differs"
    return Problem(Location(log, number, 1), f"{message} {_APPEND_ONLY}", "audit-log-rewritten")


def _lines(content: bytes) -> list[bytes]:
    """The lines of `content`, each with its newline; a last line without one stays so."""
    parts = content.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _shorter(head: int, base: int) -> str:
    return f"which has {head} line{'' if head == 1 else 's'} where the base has {base}"


def _removed(first: int, last: int) -> str:
    return f"line {last} is removed" if first == last else f"lines {first}-{last} are removed"


def log_at(root: Path, log_file: Path, revision: str) -> bytes | None:
    """The bytes of the log at `log_file` as it is at git `revision` of the repository at
    `root`; None when it does not exist there. UsageError when git cannot read `revision` or
    the log is outside `root`."""
    try:
        relative = log_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(
            f"--base reads the decision log from git, but {log_file} is outside {root}"
        ) from None
    return vcs.file_at(root, revision, relative)


def check_base(
    root: Path,
    log_file: Path,
    revision: str,
    *,
    current: bytes,
    lines: list[Line],
    log: str,
    chain_break: Problem | None,
) -> Anchored:
    """Whether the log (`current`, read as `lines`) extends its version at git `revision` byte
    for byte and holds that version's head, intact up to it. A log absent at `revision`
    anchors nothing."""
    base = log_at(root, log_file, revision)
    if base is None:
        return Anchored(GENESIS, 0, (), revision, absent=True)
    extension = extension_problem(base, current, log=log)
    origin = f" (the head of the log at {revision})"
    anchored = check_anchor(
        lines, head_hash(parse_lines(base)), log=log, chain_break=chain_break, origin=origin
    )
    problems = ((extension,) if extension else ()) + anchored.problems
    return Anchored(anchored.hash, anchored.line, problems, revision)

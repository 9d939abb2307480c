"""The decision log, `audit/decisions.jsonl`: one JSON record per line, chained by SHA-256.

A record is the Decision exactly as `check --format json` shows it, plus where and when it was
recorded and the chain:

    {"decision_id": "d-…", "timestamp": "2026-11-22T09:30:00Z", "commit": "<40 hex>",
     "policy_set": {"name": …, "version": …}, "policies": {"policy:NAME@VERSION": "<blob id>"},
     "decision": {…}, "canonicalization": "rfc8785", "prev_hash": "<64 hex>", "hash": "<64 hex>"}

`hash` is the SHA-256 (hex) of the RFC 8785 serialisation (JSON Canonicalization Scheme, by the
`rfc8785` package) of the record without `hash`, and `prev_hash` is the previous record's `hash`
(64 zeros for the first), so anyone can recompute the chain with their own JSON parser, an RFC 8785
implementation and SHA-256. Editing, deleting, inserting or reordering records therefore breaks
the chain at a line `verify` names. The record format is published as
`schemas/AuditRecord.schema.json` (`audit.record_schema`). Each line is written as `canonical`
writes it (keys sorted, no spaces, Python's number forms: `46500.0`); the hash depends only on the
values the line parses to (RFC 8785 writes that number `46500`). RFC 8785 holds only finite
numbers and integers within ±(2**53 − 1): a decision with any other number is refused, not
logged.

**Records of earlier versions (the legacy scheme).** Before RFC 8785, `hash` was the SHA-256 of
`canonical` (`json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`, UTF-8),
which writes numbers as Python does. Every record this version writes carries the marker
`"canonicalization": "rfc8785"`; a record without the key is a legacy record, hashed the legacy
way. The marker is hashed with the rest, so adding, removing or changing it breaks the record's
hash, and verification picks the scheme record by record. Appending to an old log continues its
chain: the first new record's `prev_hash` is the last old record's `hash`. Old lines are never
touched.

A marker, not a migration: the log is append-only, and its head hash is anchored where its
writers cannot change it (a CI job's output, a protected tag, the base branch that
`check --base` and `verify --base` compare byte for byte). Re-hashing the old records would
change every hash and the head, void every kept anchor, and look exactly like the rewrite the
anchors exist to catch. A migration that leaves the old records alone must still tell verifiers
which records are hashed how; a marker in each record says so where an auditor reads it.

Appends are atomic: under an exclusive lock (`filelock`: `flock` on POSIX, `LockFileEx` on
Windows) on a hidden sibling `.<log name>.lock`, the log is rewritten to a temporary file with
the new lines and renamed over the old one, so a crash leaves the old log or the new one, never
a torn line, and concurrent writers queue instead of interleaving.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import rfc8785
from filelock import FileLock

from spendgate.errors import UsageError

GENESIS = "0" * 64
MAX_DEPTH = 128
"""How deeply a record may nest: a decision nests under 10 levels around document values,
which the YAML loader bounds at 64; deeper JSON is not a record (and cannot exhaust the stack)."""
MARKER = "canonicalization"
"""The key that names how a record's hash is computed; a record without it is a legacy one."""
RFC8785 = "rfc8785"
"""The marker's value in every record this version writes."""
RECORD_KEYS = (
    "decision_id",
    "timestamp",
    "commit",
    "policy_set",
    "policies",
    "decision",
    MARKER,
    "prev_hash",
    "hash",
)
"""The keys of a record as this version writes it."""
LEGACY_RECORD_KEYS = tuple(key for key in RECORD_KEYS if key != MARKER)
"""The keys of a record an earlier version wrote (hashed over `canonical`)."""


class NotCanonical(ValueError):
    """A record whose hash cannot be computed: RFC 8785 cannot serialise a value of it (a number
    outside its range, a lone surrogate), or it names a scheme this version does not know."""


def canonical(value: Any) -> bytes:
    """The compact JSON a log line is written as: sorted keys, no whitespace, UTF-8. It is also
    what a legacy record's hash is the SHA-256 of."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hash_input(record: dict[str, Any]) -> bytes:
    """The bytes a record's `hash` is the SHA-256 of: its serialisation without `hash`, RFC 8785
    when it carries the marker, `canonical` when it is a legacy record. NotCanonical else."""
    content = {key: value for key, value in record.items() if key != "hash"}
    if MARKER not in record:
        try:
            return canonical(content)
        except (ValueError, RecursionError) as error:  # a lone surrogate does not encode
            raise NotCanonical(f"its JSON does not encode as UTF-8 ({error})") from None
    if record[MARKER] != RFC8785:
        shown = json.dumps(record[MARKER])
        raise NotCanonical(f'its {MARKER} is {shown}, and this spendgate knows only "{RFC8785}"')
    try:
        return rfc8785.dumps(content)
    except (ValueError, RecursionError) as error:  # rfc8785's errors and UnicodeError among them
        raise NotCanonical(f"RFC 8785 cannot serialise it ({error})") from None


def hash_of(record: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the record's `hash_input`; NotCanonical when there is none."""
    return hashlib.sha256(hash_input(record)).hexdigest()


def record_hash(record: dict[str, Any]) -> str | None:
    """The hash the record should hold, by the scheme it names; None when it cannot be computed
    (then no stored hash matches: the record was edited)."""
    try:
        return hash_of(record)
    except NotCanonical:
        return None


def holds_its_hash(record: dict[str, Any]) -> bool:
    """Whether the record's stored `hash` is what its scheme gives for its content.

    For an RFC 8785 record orjson's compact, sorted-keys serialisation is hashed first: it is
    the RFC 8785 serialisation whenever the record holds no float and no key outside ASCII, and
    when it hashes to the stored value it is the serialisation the hash was made of (no other
    bytes have that SHA-256). Any other record, and any mismatch, is decided by `record_hash`:
    the fast path can only say yes, never no, and it is twenty times faster than `rfc8785`.
    """
    stored = record.get("hash")
    if record.get(MARKER) == RFC8785 and isinstance(stored, str):
        content = {key: value for key, value in record.items() if key != "hash"}
        try:
            fast = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            fast = b""
        if fast and hashlib.sha256(fast).hexdigest() == stored:
            return True
    return record_hash(record) == stored


def has_record_keys(record: dict[str, Any]) -> bool:
    """Whether `record` has exactly the keys of a record: this version's, or a legacy one's."""
    return set(record) in (set(RECORD_KEYS), set(LEGACY_RECORD_KEYS))


def decision_digest(decision: dict[str, Any]) -> str:
    """What makes two decisions of one request the same, whatever day they were evaluated.

    Digests are only compared with each other, never stored, so any serialisation that is the
    same for equal data serves: orjson's with sorted keys, ten times faster than `canonical`,
    which stands in for what orjson refuses (an integer beyond 64 bits).
    """
    inputs = {k: v for k, v in decision.get("inputs", {}).items() if k != "evaluation_date"}
    comparable = {k: v for k, v in decision.items() if k not in ("inputs", "trace")}
    content = {**comparable, "inputs": inputs}
    try:
        serialised = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        serialised = canonical(content)
    return hashlib.sha256(serialised).hexdigest()


def as_logged(value: dict[str, Any]) -> dict[str, Any]:
    """`value` as it reads back from the log: tuples become lists, and so on."""
    logged: dict[str, Any] = json.loads(canonical(value))
    return logged


def new_record(
    decision: dict[str, Any], *, commit: str, timestamp: str, prev_hash: str
) -> dict[str, Any]:
    """A complete, hashed record of one decision (a dict of `check --format json`).

    UsageError when RFC 8785 cannot serialise the decision (a number outside its range).
    """
    inputs = decision["inputs"]
    policies = {name: blob for name, blob in inputs["documents"] if name.startswith("policy:")}
    # The previous hash makes the id unique in the log even when a request's decision flips back
    # to an earlier one within the same second at the same commit.
    seed = canonical(
        [decision["request_id"], commit, timestamp, decision_digest(decision), prev_hash]
    )
    record: dict[str, Any] = {
        "decision_id": "d-" + hashlib.sha256(seed).hexdigest()[:16],
        "timestamp": timestamp,
        "commit": commit,
        "policy_set": {"name": inputs["policy_set"], "version": inputs["policy_set_version"]},
        "policies": policies,
        "decision": decision,
        MARKER: RFC8785,
        "prev_hash": prev_hash,
    }
    try:
        record["hash"] = hash_of(record)
    except NotCanonical as error:
        raise UsageError(
            f"the decision of {decision['request_id']} ({decision.get('file')}) cannot be "
            f"recorded, so nothing was appended: {error}; the log's hash chain holds only finite "
            "numbers and integers within ±(2**53 − 1)"
        ) from None
    return record


@dataclass(frozen=True)
class Line:
    """One line of the log: its number, its text, and the record when it parses as one."""

    number: int
    text: str
    record: dict[str, Any] | None
    complete: bool
    """False for a last line without its newline (a torn or truncated tail)."""


def read_lines(path: Path) -> list[Line]:
    """Every line of the log at `path` (none when it does not exist)."""
    if not path.is_file():
        return []
    return parse_lines(path.read_bytes())


def parse_lines(content: bytes) -> list[Line]:
    """Every line of a log's bytes (bytes that are not UTF-8 read as U+FFFD)."""
    lines = content.decode("utf-8", errors="replace").split("\n")
    complete_count = len(lines) - 1  # the text after the last newline is incomplete (or empty)
    found = []
    for index, text in enumerate(lines):
        if index == complete_count and text == "":
            break
        found.append(Line(index + 1, text, _parse(text), index < complete_count))
    return found


def _parse(text: str) -> dict[str, Any] | None:
    """The record on a line: None for anything else, including JSON nested deeper than
    MAX_DEPTH, which json would only parse or hash by recursing towards Python's limit."""
    try:
        value = orjson.loads(text)  # several times faster than json
    except orjson.JSONDecodeError:  # what only json reads: NaN, a lone surrogate's escape
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
    # orjson reads an integer beyond 64 bits as a float. A legacy record is hashed over json's
    # form of its values, so one holding such an integer is read by json, which keeps it exact;
    # RFC 8785 holds no such integer, so a record in it is never read again.
    if isinstance(value, dict) and MARKER not in value and _LONG_DIGITS.search(text):
        value = json.loads(text)
    if not isinstance(value, dict):
        return None
    # Nesting cannot exceed the number of brackets: only a line with many is measured.
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        return None
    return value


_LONG_DIGITS = re.compile(r"[:,\[]-?\d{19}")


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (walked with a stack, not recursion)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            return depth
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, depth)
        pending += [(child, depth + 1) for child in children if isinstance(child, dict | list)]
    return deepest


def records_of(lines: list[Line]) -> list[tuple[Line, dict[str, Any]]]:
    """The lines that hold a record with exactly a record's keys (`has_record_keys`), and their
    records."""
    return [
        (line, line.record)
        for line in lines
        if line.record is not None and has_record_keys(line.record)
    ]


def head_hash(lines: list[Line]) -> str:
    """The `hash` of the last record, or GENESIS for an empty log."""
    for line in reversed(lines):
        if line.record is not None and isinstance(line.record.get("hash"), str):
            return str(line.record["hash"])
    return GENESIS


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of the log at `path` (a hidden sibling `.<name>.lock`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.parent / f".{path.name}.lock"):
        yield


def append(path: Path, build: Callable[[list[Line]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Append the records `build` makes from the current lines, atomically and under the lock.

    `build` runs while the lock is held, so it sees the log as no other writer can change it.
    """
    with locked(path):
        lines = read_lines(path)
        records = build(lines)
        if not records:
            return []
        old = path.read_bytes() if path.is_file() else b""
        new = b"".join(canonical(record) + b"\n" for record in records)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(old + new)
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return records


def log_path(root: Path, override: Path | None = None) -> Path:
    """Where the decision log of the repository at `root` is: `override`, or the configured
    `paths.audit_log` (`audit/decisions.jsonl` by default)."""
    if override is not None:
        return override
    from spendgate.documents.config import Config, Paths
    from spendgate.documents.loading import load_file
    from spendgate.documents.root import CONFIG_FILE

    paths = Paths()
    if (root / CONFIG_FILE).is_file():
        loaded = load_file(root / CONFIG_FILE, root=root)
        configs = [d.model for d in loaded.documents if isinstance(d.model, Config)]
        paths = configs[0].paths if configs else paths
    return root / paths.audit_log


def display_name(path: Path, root: Path) -> str:
    """`path` relative to `root` when it is inside it (how problems name the log)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

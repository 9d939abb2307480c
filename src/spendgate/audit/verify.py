"""`audit verify`'s core: recompute the chain, then check every record against git.

The chain is read line by line and its first broken link is reported: an incomplete last line,
a line that is not a record, a record whose hash does not match its content (edited; each record
is hashed by the scheme it names, RFC 8785 or the legacy one, see `spendgate.audit.log`), a
`prev_hash` that is not the hash of the line before (a record deleted, inserted or moved), a
decision id used twice. An anchor (`spendgate.audit.anchor`) is checked against that chain: a
head hash given, or the log's head at a git revision. Then each recorded commit must be in the
repository's history, and each document digest the decision read must be the blob of that file
at that commit: one `git ls-tree` per distinct commit. Policy digests of a repository's own
policy set must be blobs of that commit; those of the builtin set are compared with the policies
spendgate packages, and a difference is a note (another spendgate version recorded them), not an
error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spendgate import vcs
from spendgate.audit.anchor import Anchored, check_anchor, check_base
from spendgate.audit.log import (
    GENESIS,
    LEGACY_RECORD_KEYS,
    MARKER,
    RECORD_KEYS,
    Line,
    NotCanonical,
    has_record_keys,
    hash_of,
    head_hash,
    holds_its_hash,
    parse_lines,
    records_of,
)
from spendgate.documents.config import Config
from spendgate.documents.loading import load_source
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.source import SourceFile, git_blob_id
from spendgate.errors import UsageError
from spendgate.policy.library import BUILTIN, builtin_directory
from spendgate.problems import Location, Problem

_ID = re.compile(r'"decision_id":\s*"(d-[0-9a-f]+)"')
_REQUEST = re.compile(r'"request_id":\s*"([^"]+)"')


@dataclass(frozen=True)
class Verified:
    """The outcome of verifying one log: its problems (none when intact), size and head."""

    log: str
    records: int
    head: str
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    anchored: tuple[Anchored, ...] = ()
    """The anchors checked (`--anchor`, then `--base`); their problems are among `problems`."""

    @property
    def intact(self) -> bool:
        """Whether the log verified without a problem."""
        return not self.problems


def verify_log(
    root: Path, log: Path, *, name: str, anchor: str | None = None, base: str | None = None
) -> Verified:
    """Verify the log at `log` against the git repository at `root`; `name` is how problems
    name the log file. With `anchor` (a lower-case head hash) the chain must hold that record,
    intact up to it; with `base` (a git revision) the log must extend its version there byte
    for byte and hold its head."""
    if not root.is_dir() or not vcs.is_repository(root):
        raise UsageError(f"{root} is not a git repository; the decision log records its commits")
    if not log.is_file():
        raise UsageError(f"no decision log at {log}; `spendgate audit record` writes it")
    current = log.read_bytes()
    lines = parse_lines(current)
    first_break = next(_chain_problems(lines, name), None)
    chain = [first_break] if first_break else []
    anchored = [check_anchor(lines, anchor, log=name, chain_break=first_break)] if anchor else []
    if base is not None:
        anchored.append(
            check_base(
                root, log, base, current=current, lines=lines, log=name, chain_break=first_break
            )
        )
    git_problems, notes = _git_problems(root, records_of(lines), name)
    anchor_problems = [problem for outcome in anchored for problem in outcome.problems]
    count = sum(1 for line in lines if line.record is not None)
    problems = tuple(chain + git_problems + anchor_problems)
    return Verified(name, count, head_hash(lines), problems, tuple(notes), tuple(anchored))


def _problem(name: str, line: Line, message: str, code: str) -> Problem:
    return Problem(Location(name, line.number, 1), f"{_decision_id(line)}: {message}", code)


def _decision_id(line: Line) -> str:
    if line.record is not None and isinstance(line.record.get("decision_id"), str):
        return f"record {line.record['decision_id']}"
    found = _ID.search(line.text)
    if found:
        return f"record {found.group(1)}"
    request = _REQUEST.search(line.text)
    return f"a record of unknown id (request {request.group(1)})" if request else "a record"


def _chain_problems(lines: list[Line], name: str) -> Iterator[Problem]:
    """Every broken link in order (the caller keeps the first: later ones follow from it)."""
    previous = GENESIS
    seen: dict[str, int] = {}
    for line in lines:
        problem = _link_problem(line, previous, seen)
        if problem is not None:
            yield _problem(name, line, *problem)
        record = line.record or {}
        previous = str(record.get("hash", ""))
        seen.setdefault(str(record.get("decision_id")), line.number)


def _link_problem(line: Line, previous: str, seen: dict[str, int]) -> tuple[str, str] | None:
    """(message, code) of what is wrong with this line as the next link, or None."""
    record = line.record
    if not line.complete:
        return "the last line is incomplete (no newline): a torn or truncated write", "audit-torn"
    if record is None:
        return "the line is not a JSON record", "audit-not-json"
    if not has_record_keys(record):
        return _shape_message(record), "audit-shape"
    if not holds_its_hash(record):
        try:
            hash_of(record)
        except NotCanonical as error:
            return f"its hash cannot be recomputed: {error}", "audit-hash"
        return "its hash does not match its content: the record was edited", "audit-hash"
    if record["prev_hash"] != previous:
        before = "the record before it" if line.number > 1 else "the genesis hash (64 zeros)"
        return (
            f"its prev_hash is not the hash of {before}: a record was deleted, inserted or "
            "moved here",
            "audit-prev-hash",
        )
    if str(record["decision_id"]) in seen:
        first = seen[str(record["decision_id"])]
        return f"its decision id is already used on line {first}", "audit-id"
    return None


def _shape_message(record: dict[str, Any]) -> str:
    expected = RECORD_KEYS if MARKER in record else LEGACY_RECORD_KEYS
    missing = [key for key in expected if key not in record]
    extra = sorted(set(record) - set(expected))
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts += [f"unexpected {', '.join(extra)}"] if extra else []
    return f"not a decision record ({'; '.join(parts)})"


@dataclass(frozen=True)
class _Tree:
    """A recorded commit's files (path to blob id) and whether it uses the builtin policies."""

    files: dict[str, str]
    blobs: frozenset[str]
    builtin: bool


def _git_problems(
    root: Path, records: list[tuple[Line, dict[str, Any]]], name: str
) -> tuple[list[Problem], list[str]]:
    """Problems with the recorded commits and document digests, and notes on what was skipped."""
    commits = sorted({str(record["commit"]) for _, record in records})
    existing = vcs.existing_commits(root, commits)
    historic = vcs.in_history(root, existing)
    trees = _trees(root, sorted(historic))
    packaged = _packaged_blobs()
    problems: list[Problem] = []
    skipped: dict[str, str] = {}
    for line, record in records:
        commit = str(record["commit"])
        if commit not in historic:
            where = "is in no branch or tag's history" if commit in existing else "does not exist"
            problems.append(_problem(name, line, f"commit {commit} {where}", "audit-commit"))
            continue
        for file, blob, problem in _digests(record, trees[commit], packaged):
            if problem is None:
                skipped.setdefault(file, blob)
            else:
                problems.append(_problem(name, line, problem, "audit-digest"))
    return problems, [_skipped_note(file, blob) for file, blob in sorted(skipped.items())]


def _trees(root: Path, commits: list[str]) -> dict[str, _Tree]:
    """Each commit's files (one `git ls-tree` per commit), and which use the builtin policies
    (their spendgate.yaml files read in one `git cat-file`)."""
    files = {commit: dict(vcs.list_files(root, commit, (".",))) for commit in commits}
    configs = {commit: listing.get(CONFIG_FILE, "") for commit, listing in files.items()}
    texts = vcs.read_blobs(root, sorted({blob for blob in configs.values() if blob}))
    return {
        commit: _Tree(
            listing,
            frozenset(listing.values()),
            policy_set_named(texts.get(configs[commit], b"")) == BUILTIN,
        )
        for commit, listing in files.items()
    }


def _digests(
    record: dict[str, Any], tree: _Tree, packaged: set[str]
) -> Iterator[tuple[str, str, str | None]]:
    """(file, recorded blob, problem) for each digest that does not match; the problem is None
    for a builtin policy this spendgate does not package (not checked)."""
    commit = str(record["commit"])[:12]
    for file, blob in document_digests(record):
        if not file.startswith("policy:"):
            actual = tree.files.get(file)
            if actual is None:
                yield file, blob, f"{file} (blob {blob}) is not in commit {commit}"
            elif actual != blob:
                yield file, blob, f"{file} is blob {blob} in the log but {actual} at {commit}"
        elif tree.builtin and blob not in packaged:
            yield file, blob, None
        elif not tree.builtin and blob not in tree.blobs:
            yield file, blob, f"{file} (blob {blob}) is not a file of commit {commit}"


def document_digests(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The (file or `policy:NAME@VERSION`, blob id) pairs the recorded decision read."""
    decision = record.get("decision")
    inputs = decision.get("inputs") if isinstance(decision, dict) else None
    documents = inputs.get("documents") if isinstance(inputs, dict) else None
    return [
        (entry[0], entry[1])
        for entry in documents or []
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(e, str) for e in entry)
    ]


def policy_set_named(text: bytes) -> str:
    """The policy set a spendgate.yaml names (`builtin` when it names none)."""
    source = SourceFile(Path(CONFIG_FILE), CONFIG_FILE, text.decode("utf-8", errors="replace"))
    loaded = load_source(source)
    configs = [d.model for d in loaded.documents if isinstance(d.model, Config)]
    return configs[0].policy_set if configs else BUILTIN


def _packaged_blobs() -> set[str]:
    """The blob ids of the policy files packaged with this spendgate."""
    directory = builtin_directory()
    return {git_blob_id(path.read_bytes()) for path in directory.glob("*.y*ml") if path.is_file()}


def _skipped_note(policy: str, blob: str) -> str:
    return (
        f"{policy} (blob {blob}) is a builtin policy other than those this spendgate packages; "
        "it was recorded by another spendgate version and is not checked"
    )

"""The SQLite store of summaries, by git blob id, and of file lists, by git tree id.

Summaries live in `.spendgate-cache/<version>/catalogue.sqlite3`, keyed by the git blob id of
their file: a blob is summarised once, and a new tree reuses the summary of every blob it shares
with a tree seen before. The cache holds data only (SQLite rows, never pickles), is git-ignored
by its own `.gitignore`, and is safe to delete. It is not used when git tracks it (a pull request
could commit one), and a cache that does not open as this version's is deleted and built again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from spendgate import __version__, vcs
from spendgate.catalogue.cache_dir import CACHE_DIR, prepare
from spendgate.catalogue.summary import Summary, catalogued_folders, summaries
from spendgate.documents.config import Config, Paths
from spendgate.documents.loading import load_source
from spendgate.documents.source import SourceFile, SourceProblem, decode
from spendgate.forking import forked_copy, worth_forking

FORMAT = "5"
KEEP_TREES = 4
"""Trees whose file lists are kept; older ones (and blobs only they used) are dropped."""
BATCH = 2000
"""Blobs read from git and summarised per round, to bound memory on a cold cache."""
PARALLEL_FROM = 2000
"""From how many new blobs a forked copy summarises half of each batch."""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blobs(blob TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE documents(
    blob TEXT NOT NULL, position INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    cost_centre TEXT, status TEXT, submitted TEXT, currency TEXT, total TEXT, start TEXT,
    schedule TEXT);
CREATE INDEX documents_blob ON documents(blob, position);
CREATE INDEX documents_id ON documents(id, kind);
CREATE INDEX documents_kind ON documents(kind);
CREATE TABLE refs(blob TEXT NOT NULL, position INTEGER NOT NULL, target_kind TEXT NOT NULL,
    target TEXT NOT NULL, PRIMARY KEY (blob, position, target_kind, target)) WITHOUT ROWID;
CREATE INDEX refs_target ON refs(target, target_kind);
CREATE TABLE trees(tree TEXT PRIMARY KEY, used INTEGER NOT NULL, paths TEXT NOT NULL)
    WITHOUT ROWID;
CREATE TABLE files(tree TEXT NOT NULL, path TEXT NOT NULL, blob TEXT NOT NULL,
    PRIMARY KEY (tree, path)) WITHOUT ROWID;
CREATE INDEX files_blob ON files(blob, tree);
CREATE TABLE commitments(tree TEXT NOT NULL, rates TEXT NOT NULL, cost_centre TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL, total TEXT NOT NULL);
CREATE INDEX commitments_tree ON commitments(tree, rates);
"""

#: The columns of `documents` after the blob: a summary's fields but its path and references.
_COLUMNS = tuple(f.name for f in fields(Summary) if f.name not in ("path", "references"))
# A document's references are rows of `refs` (target kind, target id), joined into one text for
# its summary by these separators (neither can occur in a kind or an id).
_KIND_AND_ID, _PAIR_AND_PAIR = "\x1f", "\x1e"
_REFERENCES = (
    f"(SELECT group_concat(r.target_kind || char({ord(_KIND_AND_ID)}) || r.target, "
    f"char({ord(_PAIR_AND_PAIR)})) FROM refs r WHERE r.blob = d.blob AND r.position = d.position)"
)
_REFERRING = (
    "(d.blob, d.position) IN (SELECT blob, position FROM refs WHERE target = ? AND target_kind = ?)"
)


class Store:
    """The SQLite file of summaries by blob id and file lists by tree id."""

    def __init__(self, connection: sqlite3.Connection, location: str) -> None:
        self.connection = connection
        self.location = location
        """Where the store lives, or why it lives in memory only, for the report's notes."""
        self._paths: dict[str, Paths] = {}

    @classmethod
    def open(cls, root: Path) -> Store:
        """The cache of the repository at `root`; in memory when it must not or cannot be kept."""
        if vcs.is_tracked(root, CACHE_DIR):
            return cls.in_memory(f"{CACHE_DIR}/ is tracked by git, so it is not trusted")
        directory = root / CACHE_DIR / __version__
        database = directory / "catalogue.sqlite3"
        try:
            prepare(root / CACHE_DIR, directory)
            return cls(_connect(database), f"{CACHE_DIR}/{__version__}")
        except (OSError, sqlite3.Error):
            _remove(database)
        try:
            return cls(_connect(database), f"{CACHE_DIR}/{__version__} (rebuilt)")
        except (OSError, sqlite3.Error) as error:
            return cls.in_memory(f"{CACHE_DIR}/ cannot be used ({error})")

    @classmethod
    def discard(cls, root: Path, why: str) -> Store:
        """Delete the repository's cache file; a store in memory for the rest of the run."""
        _remove(root / CACHE_DIR / __version__ / "catalogue.sqlite3")
        return cls.in_memory(why)

    @classmethod
    def in_memory(cls, why: str) -> Store:
        """A store in memory only, for this run (`why` says why it is not kept)."""
        return cls(_connect(None), f"in memory only: {why}")

    def has_tree(self, tree: str) -> bool:
        """Whether the file list of `tree` is catalogued."""
        row = self.connection.execute("SELECT 1 FROM trees WHERE tree = ?", (tree,)).fetchone()
        return row is not None

    def add_tree(self, root: Path, revision: str, tree: str, paths: Paths) -> int:
        """Catalogue the tree of `revision`; summarise only blobs not seen before. Returns how
        many blobs were read."""
        listing = vcs.list_files(root, revision, catalogued_folders(paths))
        listing = [(path, blob) for path, blob in listing if path.endswith((".yaml", ".yml"))]
        known = {row[0] for row in self.connection.execute("SELECT blob FROM blobs")}
        unknown = sorted({blob: path for path, blob in listing if blob not in known}.items())
        with self.connection, Summariser(len(unknown)) as summariser:
            for start in range(0, len(unknown), BATCH):
                batch = unknown[start : start + BATCH]
                # GitError for a blob git cannot read (a damaged clone): never fewer documents;
                # raised inside the transaction, it leaves nothing of this tree in the cache.
                contents = vcs.read_blobs(root, [blob for blob, _ in batch])
                found = summariser.summarise([(path, contents[blob]) for blob, path in batch])
                self._add_blobs(dict(zip((blob for blob, _ in batch), found, strict=True)))
            self.connection.execute("DELETE FROM files WHERE tree = ?", (tree,))
            self.connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?)", ((tree, p, b) for p, b in listing)
            )
            self.connection.execute(
                "INSERT OR REPLACE INTO trees VALUES (?, 0, ?)", (tree, paths.model_dump_json())
            )
        self._paths[tree] = paths
        return len(unknown)

    def paths(self, tree: str) -> Paths:
        """The document paths `tree` was catalogued with (its spendgate.yaml's)."""
        if tree not in self._paths:
            row = self.connection.execute(
                "SELECT paths FROM trees WHERE tree = ?", (tree,)
            ).fetchone()
            # A tree dropped by a concurrent run, or paths this version cannot read: a cache
            # failure, which callers answer by rebuilding the cache.
            if row is None:
                raise sqlite3.DatabaseError(f"tree {tree} is no longer in the cache")
            try:
                self._paths[tree] = Paths.model_validate_json(row[0])
            except ValueError as error:
                raise sqlite3.DatabaseError(f"the cached paths of tree {tree}: {error}") from None
        return self._paths[tree]

    def _add_blobs(self, found: dict[str, list[Summary]]) -> None:
        """Store the summaries of a batch of blobs, by blob id, with one statement per table."""
        rows = [(blob, summary) for blob, summaries in found.items() for summary in summaries]
        self.connection.executemany(
            "INSERT OR IGNORE INTO blobs VALUES (?)", ((blob,) for blob in found)
        )
        self.connection.executemany(
            f"INSERT INTO documents VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})",
            ((blob, *(getattr(summary, c) for c in _COLUMNS)) for blob, summary in rows),
        )
        self.connection.executemany(
            "INSERT OR IGNORE INTO refs VALUES (?, ?, ?, ?)",
            (
                (blob, summary.position, kind, target)
                for blob, summary in rows
                for kind, target in summary.references
            ),
        )

    def touch(self, tree: str) -> None:
        """Mark `tree` as the latest used, and forget all but the latest few trees."""
        with self.connection:
            (latest,) = self.connection.execute(
                "SELECT COALESCE(MAX(used), 0) FROM trees"
            ).fetchone()
            self.connection.execute("UPDATE trees SET used = ? WHERE tree = ?", (latest + 1, tree))
            stale = [
                row[0]
                for row in self.connection.execute(
                    "SELECT tree FROM trees ORDER BY used DESC LIMIT -1 OFFSET ?", (KEEP_TREES,)
                )
            ]
            if not stale:
                return
            for table in ("trees", "files", "commitments"):
                self.connection.executemany(
                    f"DELETE FROM {table} WHERE tree = ?", ((t,) for t in stale)
                )
            self.connection.execute("DELETE FROM blobs WHERE blob NOT IN (SELECT blob FROM files)")
            for table in ("documents", "refs"):
                self.connection.execute(
                    f"DELETE FROM {table} WHERE blob NOT IN (SELECT blob FROM blobs)"
                )

    def select(self, tree: str, where: str, arguments: tuple[str, ...]) -> list[Summary]:
        """The summaries of `tree`'s documents that match `where` and are in place."""
        rows = self.connection.execute(
            f"SELECT f.path, {_REFERENCES}, {', '.join('d.' + c for c in _COLUMNS)} "
            f"FROM documents d JOIN files f ON f.blob = d.blob AND f.tree = ? WHERE {where}",
            (tree, *arguments),
        )
        paths = self.paths(tree)
        found = (_from_row(path, references, stored) for path, references, *stored in rows)
        return [summary for summary in found if summary.in_place(paths)]

    def referencing(
        self, tree: str, target_kind: str, target: str, of_kind: str | None = None
    ) -> list[Summary]:
        """The summaries of `tree`'s documents (of `of_kind`, else of any kind) that refer to
        the document `target` of `target_kind`, in place."""
        if of_kind is None:
            return self.select(tree, _REFERRING, (target, target_kind))
        # `+d.kind`: look the referring documents up by the refs index, never by their kind.
        return self.select(tree, f"{_REFERRING} AND +d.kind = ?", (target, target_kind, of_kind))

    def commitments(self, tree: str, config: Config) -> dict[tuple[str, int], Decimal]:
        """Per (cost centre, fiscal year), what the tree's submitted requests commit."""
        rates = _rates_key(config)
        rows = self.connection.execute(
            "SELECT cost_centre, fiscal_year, total FROM commitments WHERE tree = ? AND rates = ?",
            (tree, rates),
        ).fetchall()
        if rows:
            return {(c, int(y)): Decimal(t) for c, y, t in rows if c}
        totals: dict[tuple[str, int], Decimal] = {}
        for summary in self.select(
            tree, "d.kind = ? AND d.status = ?", ("PurchaseRequest", "submitted")
        ):
            for key, amount in summary.commitments(config):
                totals[key] = totals.get(key, Decimal(0)) + amount
        with self.connection:
            self.connection.executemany(
                "INSERT INTO commitments VALUES (?, ?, ?, ?, ?)",
                [(tree, rates, c, y, str(t)) for (c, y), t in totals.items()]
                or [(tree, rates, "", 0, "0")],
            )
        return totals


def _from_row(path: str, references: str | None, stored: list[Any]) -> Summary:
    """A summary from its file's path, its joined references and its `documents` columns."""
    pairs = references.split(_PAIR_AND_PAIR) if references else []
    return Summary(
        path=path,
        references=tuple(sorted(_pair(text) for text in pairs)),
        **dict(zip(_COLUMNS, stored, strict=True)),
    )


def _pair(text: str) -> tuple[str, str]:
    kind, _, target = text.partition(_KIND_AND_ID)
    return kind, target


def _summarise(path: str, data: bytes) -> list[Summary]:
    try:
        source = SourceFile(Path(path), path, decode(data, path))
    except SourceProblem:
        return []
    return summaries(load_source(source))


def _summarise_all(files: list[tuple[str, bytes]]) -> list[list[Summary]]:
    return [_summarise(path, data) for path, data in files]


class Summariser:
    """Summarises files, sharing each batch with a forked copy of this process when there are
    enough of them and a second core: parsing and validating is pure Python, and a cold
    catalogue of 100,000 requests is nearly all of it. Summaries are small data, so what comes
    back is cheap; each batch's summaries keep the batch's order, so the store is the same."""

    def __init__(self, files: int) -> None:
        self._pool = forked_copy() if worth_forking(files, PARALLEL_FROM) else None

    def __enter__(self) -> Summariser:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def summarise(self, files: list[tuple[str, bytes]]) -> list[list[Summary]]:
        """The summaries of each of `files` (path and bytes), in their order."""
        if self._pool is None or len(files) < 2:
            return _summarise_all(files)
        half = len(files) // 2
        theirs = self._pool.submit(_summarise_all, files[half:])
        return _summarise_all(files[:half]) + theirs.result()


def _rates_key(config: Config) -> str:
    fx = config.fx.rates if config.fx else {}
    rates = ",".join(f"{currency}={rate}" for currency, rate in sorted(fx.items()))
    organisation = config.organization
    return f"{organisation.base_currency};{organisation.fiscal_year_start};{rates}"


def _connect(database: Path | None) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:" if database is None else database, timeout=60)
    connection.execute("PRAGMA journal_mode = WAL" if database else "PRAGMA journal_mode = MEMORY")
    connection.execute("PRAGMA synchronous = NORMAL")
    if connection.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        with connection:
            connection.executescript(_SCHEMA)
            connection.executemany(
                "INSERT INTO meta VALUES (?, ?)", (("format", FORMAT), ("version", __version__))
            )
    stamp = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    if stamp != {"format": FORMAT, "version": __version__}:
        connection.close()
        raise sqlite3.DatabaseError(f"the cache was written by another format: {stamp}")
    return connection


def _remove(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)

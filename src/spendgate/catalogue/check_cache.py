"""The warm path of a full check: what the last runs printed, by everything they were made of.

A check whose inputs have not changed since an earlier run prints what that run printed, and
exits as it did, instead of deciding again. What a run was made of is stated by its key
(`check_key`): spendgate's version and the files of its own package, the evaluation date, the
pull request's reviews and author, git's HEAD, and the path, size, inode, modification and
status-change times of every YAML file and link under the repository (`.git` and the cache
aside), as git's index judges a file unchanged. The status-change time cannot be set back by a
program, so an edit that restores a file's modification time still changes the key. A file
changed within the last two seconds may change again within the same clock tick unnoticed, so no
run is kept while one is that fresh.

Runs are kept as JSON data (never pickles) under `.spendgate-cache/<version>/checks/`: each
output format's text as it was written, and what the run's gate depends on, the last `KEEP` of
them. A kept run that does not read back as one is deleted and decided again; the cache is not
used at all when git tracks it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

import spendgate
from spendgate import __version__, vcs
from spendgate.catalogue.cache_dir import CACHE_DIR, prepare
from spendgate.decisions import Gate

KEEP = 4
"""Runs kept; older ones are deleted when a new one is written."""
FRESH_SECONDS = 2.0
"""A file changed (content or status) more recently than this is not trusted to be unchanged by
its times: a second change within the same clock tick would leave them as they were."""
#: What is never part of a key: git's own files and the cache.
_SKIPPED = frozenset({".git", CACHE_DIR})
#: The repository files a check reads: its documents, configuration and policies are YAML (as
#: `documents.discovery.YAML_SUFFIXES` says; a test holds the two equal). Reports written into
#: the tree (`--output sarif=…`) are not inputs, so they do not make the next run cold.
READ_SUFFIXES = (".yaml", ".yml")


def check_key(root: Path, inputs: dict[str, str]) -> str | None:
    """The key of a check of `root` given its other `inputs` (evaluation date, reviews, …);
    None when some file is too fresh to be judged unchanged by its times."""
    digest = hashlib.sha256()
    digest.update(orjson.dumps({"version": __version__, **inputs}, option=orjson.OPT_SORT_KEYS))
    digest.update((vcs.head(root) or "").encode())
    now = time.time()
    package = Path(spendgate.__file__).parent
    for base, skipped, suffixes in ((package, frozenset(), ("",)), (root, _SKIPPED, READ_SUFFIXES)):
        for entry, status in _files(base, skipped, suffixes):
            if now - max(status.st_mtime, status.st_ctime) < FRESH_SECONDS:
                return None
            stamp = (entry, status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns)
            digest.update(repr(stamp).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _files(
    top: Path, skipped: frozenset[str], suffixes: tuple[str, ...]
) -> Iterator[tuple[str, os.stat_result]]:
    """Every file named with one of `suffixes`, and every link, under `top` (relative path, its
    lstat), in a stable order, but those in `skipped` at the top and Python's byte-code caches,
    which a run itself may write; links are not followed, and a link's target is part of its
    path."""
    pending = [("", top)]
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__" or (entry.name in skipped and not prefix):
                continue
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                pending.append((relative + "/", Path(entry.path)))
                continue
            if not entry.name.endswith(suffixes) and not entry.is_symlink():
                continue
            try:
                status = entry.stat(follow_symlinks=False)
                if entry.is_symlink():
                    relative += f" -> {Path(entry.path).readlink()}"
            except OSError:
                continue
            yield relative, status


@dataclass(frozen=True)
class KeptCheck:
    """What one run printed, per output format, and what its gate depends on."""

    outputs: dict[str, str]
    """The text of each output format (`text`, `text+colour`, `json`, …) as written."""
    gate: Gate


class CheckCache:
    """The folder of kept runs, or none (`directory` None: nothing is kept)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @classmethod
    def open(cls, root: Path) -> CheckCache:
        """The check cache of the repository at `root`; none when git tracks the cache."""
        if vcs.is_tracked(root, CACHE_DIR):
            return cls(None)
        return cls(root / CACHE_DIR / __version__ / "checks")

    def get(self, key: str) -> KeptCheck | None:
        """The run kept under `key`, or None; one that does not read back is deleted."""
        if self.directory is None:
            return None
        path = self.directory / f"{key}.json"
        try:
            kept = _kept(orjson.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # most recently used: the last to be deleted
        return kept

    def put(self, key: str, kept: KeptCheck) -> None:
        """Keep `kept` under `key` (atomically), and only the `KEEP` most recent runs."""
        if self.directory is None:
            return
        try:
            prepare(self.directory.parent.parent, self.directory)
            temporary = self.directory / f".{key}.{os.getpid()}.tmp"
            temporary.write_bytes(orjson.dumps({"outputs": kept.outputs, "gate": kept.gate}))
            temporary.replace(self.directory / f"{key}.json")
            runs = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in runs[:-KEEP]:
                old.unlink(missing_ok=True)
        except (OSError, UnicodeEncodeError):
            return  # a cache that cannot be written is only a slower next run


def _kept(data: object) -> KeptCheck:
    """A kept run read back; TypeError or KeyError when the data is not one."""
    if not isinstance(data, dict) or not isinstance(data["outputs"], dict):
        raise TypeError("not a kept check")
    outputs = data["outputs"]
    gate = data["gate"]
    if not all(isinstance(text, str) for text in outputs.values()):
        raise TypeError("an output is not text")
    statuses = gate["statuses"]
    if not isinstance(statuses, list) or not all(isinstance(item, str) for item in statuses):
        raise TypeError("statuses are not names")
    flags = (gate["has_errors"], gate["has_configuration_errors"], gate["has_warnings"])
    if not all(type(flag) is bool for flag in flags) or type(gate["internal_errors"]) is not int:
        raise TypeError("the gate's flags are not what they should be")
    errors, configuration, warnings = flags
    return KeptCheck(
        dict(outputs),
        Gate(tuple(statuses), errors, configuration, gate["internal_errors"], warnings),
    )

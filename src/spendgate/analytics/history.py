"""When requests and approval records entered the repository, from git history.

One `git log` over the request and approval directories, read once: a request was proposed
when its file was first committed, and an approval was given (or given again) when its record
was last committed. Committer dates are used: when the change landed in that form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from spendgate import vcs


@dataclass(frozen=True)
class History:
    """First and last commit time of each file (paths relative to the repository root)."""

    first: Mapping[str, datetime] = field(default_factory=dict)
    last: Mapping[str, datetime] = field(default_factory=dict)
    available: bool = False
    """False outside git (or before the first commit): every time then comes from documents."""


def read_history(root: Path, directories: tuple[str, ...]) -> History:
    """The history of every file under `directories` of the repository at `root`."""
    commits = vcs.path_log(root, directories)
    if commits is None:
        return History()
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for commit in commits:  # oldest first
        moment = datetime.fromtimestamp(commit.committed, UTC)
        for status, path in commit.changes:
            if status != "D":
                first.setdefault(path, moment)
                last[path] = moment
    return History(first, last, available=True)

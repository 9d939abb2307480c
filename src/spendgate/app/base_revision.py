"""The merge base a pull request is judged against (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spendgate import vcs
from spendgate.documents.config import Paths


@dataclass(frozen=True)
class BaseRevision:
    """The merge base: its commit, its governance files exported to `tree`, the document paths
    its spendgate.yaml configures, and what changed since it (all of it, and the governance)."""

    commit: str
    tree: Path
    paths: Paths
    changes: tuple[vcs.Change, ...]
    governance: tuple[vcs.Change, ...]

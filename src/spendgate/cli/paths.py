"""The governance repository a command works on, found from where it is run.

`spendgate check` from `requests/2026/` works as it does from the top folder: a repository path
that is a folder inside a governance repository (or `.` there) means that repository, found as
git finds its top level (`documents.root.governance_root`). A path that is a repository, does
not exist, or lies in none is left as given, for the command to say what is wrong with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from spendgate.documents.root import CONFIG_FILE, governance_root


class RepositoryPath(click.Path):
    """A click path that means the governance repository around it."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The repository's top folder, relative when the path was given relative."""
        given = super().convert(value, param, ctx)
        assert isinstance(given, Path)  # path_type=Path
        if not given.is_dir() or (given / CONFIG_FILE).exists():
            return given
        found = governance_root(given)
        if found is None:
            return given
        return found if given.is_absolute() else Path(os.path.relpath(found))

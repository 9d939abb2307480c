"""The governance repository a command works on, found from where it is run.

`spendgate check` from `requests/2026/` works as it does from the top folder: a repository path
that is a folder inside a governance repository (or `.` there) means that repository, found as
git finds its top level (`documents.root.governance_root`). A path that is a repository, does
not exist, or lies in none is left as given, for the command to say what is wrong with it.
`check` and `validate` also take files (`repository_and_files`), as pre-commit and editors pass
them: the repository around them is the context, and only those files are reported. Whether
text is coloured is decided here too (`wants_colour`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from spendgate.documents.root import CONFIG_FILE, governance_root
from spendgate.errors import UsageError


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
        return given if found is None else _as_given(found, given)


def repository_and_files(paths: tuple[Path, ...]) -> tuple[Path, tuple[str, ...]]:
    """The repository `paths` lie in and the files among them, relative to its top folder and
    sorted; no files means the whole repository (no path, or a folder among them)."""
    if not paths:
        return _as_repository(Path()), ()
    roots: dict[Path, Path] = {}
    files: set[str] = set()
    whole = False
    for path in paths:
        if not (path.exists() or path.is_symlink()):
            raise UsageError(f"{path} does not exist")
        if not path.is_file():
            root = _as_repository(path)
            whole = True
        else:
            found = governance_root(path)
            if found is None:
                raise UsageError(f"{path} is not inside a governance repository (no {CONFIG_FILE})")
            root = _as_given(found, path)
            files.add(path.resolve().relative_to(found).as_posix())
        roots.setdefault(root.resolve(), root)
    if len(roots) > 1:
        listed = " and ".join(str(root) for root in roots.values())
        raise UsageError(f"the paths lie in different governance repositories: {listed}")
    (root,) = roots.values()
    return root, () if whole else tuple(sorted(files))


def _as_given(found: Path, given: Path) -> Path:
    """`found` (absolute) as `given` was written: relative to the current folder if it was."""
    return found if given.is_absolute() else Path(os.path.relpath(found))


def _as_repository(path: Path) -> Path:
    converted = RepositoryPath().convert(str(path), None, None)
    assert isinstance(converted, Path)
    return converted


def wants_colour() -> bool:
    """Whether text output is coloured: on a terminal, unless NO_COLOR is set to anything but
    the empty string (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")

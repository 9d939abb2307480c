"""Where each kind of document lives, and finding the document files under the configured paths.

`HOMES` is the one registry of where documents are read from: each kind from the file or folder
that one `paths` setting names, Config from spendgate.yaml only. Discovery walks those places;
`belongs` says whether a document of a kind found in a given file is in its kind's home. A
document anywhere else is not loaded (`spendgate.documents.placement`; SPEC §7): otherwise a
People document among the requests would add an approver, and a PolicySet under ai/ would
replace the policies.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spendgate.documents.config import Paths
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.source import display_name, leaves_repository
from spendgate.problems import Location, Problem

YAML_SUFFIXES = (".yaml", ".yml")

#: Policy test cases live beside the policies but are not policy documents.
POLICY_TESTS_DIR = "tests"


@dataclass(frozen=True)
class Home:
    """Where the documents of one kind are read from."""

    setting: str | None
    """The `paths` setting (a field of `Paths`) that names it; None for spendgate.yaml."""
    folder: bool = True
    """A folder, read with its subfolders; otherwise a single file."""
    skip: str | None = None
    """A subfolder of the folder that holds no documents of the kind."""


#: Each kind of document (every key of `kinds.KINDS`) and the one place it is read from.
HOMES: dict[str, Home] = {
    "Config": Home(None, folder=False),
    "People": Home("people", folder=False),
    "Budgets": Home("budgets", folder=False),
    "Vendor": Home("vendors"),
    "PurchaseRequest": Home("requests"),
    "AIAssessment": Home("ai"),
    "Approval": Home("approvals"),
    "ChangeApproval": Home("approvals"),
    "Waiver": Home("waivers"),
    "Policy": Home("policies", skip=POLICY_TESTS_DIR),
    "PolicySet": Home("policies", skip=POLICY_TESTS_DIR),
    "PriceBenchmarks": Home("benchmarks"),
    "AdequacyDecisions": Home("policies", skip=POLICY_TESTS_DIR),
}


def home_path(home: Home, paths: Paths) -> str:
    """The file or folder `home` names, relative to the repository root, normalised."""
    if home.setting is None:
        return CONFIG_FILE
    return _normalised(str(getattr(paths, home.setting)))


def belongs(kind: str, file: str, paths: Paths) -> bool:
    """Whether a document of `kind` in `file` (relative to the repository root, with forward
    slashes) is in the place its kind is read from, and so may be loaded."""
    home = HOMES.get(kind)
    if home is None:
        return True  # not a kind at all: loading reports that
    where = home_path(home, paths)
    if ".." in file:  # a configured path may climb and come back (`a/../requests`)
        file = posixpath.normpath(file)
    if file == where or not home.folder:
        return file == where
    if where != ".":
        if not file.startswith(where + "/"):
            return False
        file = file[len(where) + 1 :]
    return home.skip is None or not file.startswith(home.skip + "/")


@functools.lru_cache(maxsize=64)
def _normalised(path: str) -> str:
    return posixpath.normpath(path)


def document_paths(root: Path, paths: Paths) -> tuple[list[Path], list[Problem]]:
    """Every YAML file in the homes of the document kinds, in a stable order, and any refused
    links.

    Call only with paths that `escaping_paths` accepts.
    """
    found: dict[Path, None] = {}
    problems: list[Problem] = []
    for home in dict.fromkeys(HOMES.values()):
        if home.setting is None:
            continue  # spendgate.yaml is read first, on its own
        top = root / str(getattr(paths, home.setting))
        if home.folder:
            found.update(dict.fromkeys(_walk(root, top, problems, skip=home.skip)))
        elif top.is_symlink() or (top.exists() and not top.is_dir()):
            found[top] = None  # a pipe, socket or device too: reading refuses it, with its place
    return sorted(found), problems


def escaping_paths(root: Path, paths: Paths) -> list[tuple[str, str]]:
    """The configured paths (name, value) that lead outside the repository."""
    return [
        (name, value)
        for name, value in paths
        if Path(value).is_absolute() or leaves_repository(root / value, root)
    ]


def _walk(
    root: Path, top: Path, problems: list[Problem], skip: str | None = None
) -> Iterator[Path]:
    if top.is_file():
        yield top
        return
    if not top.is_dir():
        return
    for directory, subdirectories, files in os.walk(top, followlinks=False):
        here = Path(directory)
        if skip is not None and here == top and skip in subdirectories:
            subdirectories.remove(skip)
        for name in list(subdirectories):
            if (here / name).is_symlink():
                subdirectories.remove(name)
                if leaves_repository(here / name, root):
                    problems.append(_escaping_link(here / name, root))
        subdirectories.sort()
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield here / name


def _escaping_link(path: Path, root: Path) -> Problem:
    name = display_name(path, root)
    target = os.path.realpath(path)
    return Problem(
        Location(name, 1, 1),
        f"links outside the repository (to {target}); refused",
        "symlink-escape",
    )

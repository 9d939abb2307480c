"""Finding the document files of a governance repository under its configured paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from spendgate.documents.config import Paths
from spendgate.documents.source import display_name, leaves_repository
from spendgate.problems import Location, Problem

YAML_SUFFIXES = (".yaml", ".yml")
CONFIG_FILE = "spendgate.yaml"

#: Policy test cases live beside the policies but are not policy documents.
POLICY_TESTS_DIR = "tests"


def document_paths(root: Path, paths: Paths) -> tuple[list[Path], list[Problem]]:
    """Every YAML file the configuration points at, in a stable order, and any refused links.

    Call only with paths that `escaping_paths` accepts.
    """
    found: dict[Path, None] = {}
    problems: list[Problem] = []
    for entry in (paths.people, paths.budgets):
        candidate = root / entry
        if candidate.is_file() or candidate.is_symlink():
            found[candidate] = None
    for entry in (
        paths.vendors,
        paths.requests,
        paths.ai,
        paths.approvals,
        paths.waivers,
        paths.benchmarks,
    ):
        for path in _walk(root, root / entry, problems):
            found[path] = None
    for path in _walk(root, root / paths.policies, problems, skip=POLICY_TESTS_DIR):
        found[path] = None
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

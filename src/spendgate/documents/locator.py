"""Positions on demand: re-parse a file with the located loader only when a problem needs one."""

from __future__ import annotations

from pathlib import Path

from spendgate.documents.located_yaml import LocatedDocument, YamlProblem, load_located, yaml_path
from spendgate.documents.source import SourceProblem, read_source
from spendgate.problems import Location

YamlPath = tuple[str | int, ...]


class Locator:
    """Turns (file, document index, YAML path) into a Location, parsing each file at most once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[LocatedDocument]] = {}

    def locate(self, file: str, index: int, path: YamlPath = ()) -> Location:
        documents = self._documents(file)
        if index >= len(documents):
            return Location(file, 0, 0, yaml_path(path))
        line, column = documents[index].position_of(path)
        return Location(file, line, column, yaml_path(path))

    def _documents(self, file: str) -> list[LocatedDocument]:
        if file not in self._cache:
            try:
                source = read_source(self.root / file, root=self.root)
                self._cache[file] = load_located(source.text)
            except (SourceProblem, YamlProblem):
                self._cache[file] = []
        return self._cache[file]

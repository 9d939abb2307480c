"""Positions on demand: re-parse a file with the located loader only when a problem needs one."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from spendgate.documents.located_yaml import LocatedDocument, YamlProblem, load_located, yaml_path
from spendgate.documents.source import SourceProblem, read_source, text_for_positions
from spendgate.problems import Location

YamlPath = tuple[str | int, ...]


class Locator:
    """Turns (file, document index, YAML path) into a Location, parsing each file at most once.

    A top-level key of a file's first document (`vendor:`, the commonest place a finding points
    at) is found by a plain text search, without parsing the file again: the location is its
    value's, or the key's own when the value is a block on the lines below.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[LocatedDocument]] = {}
        self._texts: dict[str, str | None] = {}

    def locate(self, file: str, index: int, path: YamlPath = ()) -> Location:
        """Where the value at `path` in document `index` of `file` is."""
        if index == 0 and len(path) == 1 and isinstance(path[0], str):
            found = self._top_level_key(file, path[0])
            if found is not None:
                return found
        documents = self._documents(file)
        if index >= len(documents):
            return Location(file, 0, 0, yaml_path(path))
        line, column = documents[index].position_of(path)
        return Location(file, line, column, yaml_path(path))

    def _text(self, file: str) -> str | None:
        """The file's text; the last few are kept, since a request's findings come together."""
        if file not in self._texts:
            if len(self._texts) >= 16:
                self._texts.clear()
            self._texts[file] = text_for_positions(self.root, file)
        return self._texts[file]

    def _top_level_key(self, file: str, key: str) -> Location | None:
        text = self._text(file)
        if text is None or "\n---" in text:
            return None  # several documents: only the located parse knows which key is whose
        match = _top_level(key).search(text)
        if match is None:
            return None
        line = text.count("\n", 0, match.start()) + 1
        inline = match.group(2) not in ("", "#")
        column = match.start(2) - match.start() + 1 if inline else 1
        return Location(file, line, column, yaml_path((key,)))

    def _documents(self, file: str) -> list[LocatedDocument]:
        if file not in self._cache:
            try:
                source = read_source(self.root / file, root=self.root)
                self._cache[file] = load_located(source.text)
            except (SourceProblem, YamlProblem):
                self._cache[file] = []
        return self._cache[file]


@lru_cache(maxsize=64)
def _top_level(key: str) -> re.Pattern[str]:
    """`key:` at the start of a line, then its value's first character, if on the same line."""
    return re.compile(rf"^{re.escape(key)}:([ \t]*)(\S?)", re.MULTILINE)

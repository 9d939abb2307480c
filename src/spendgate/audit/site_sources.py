"""The files behind the audit site's pages, read by the blob ids a decision recorded.

A record names each file it read by path and blob id. `RecordedFiles` reads them from git (one
batch for the whole log), then from spendgate's reference library (its policies, found by blob
id), and last from the working tree, and says which it read (`Source.origin`); a working-tree text
is `exact` only when its blob id is the recorded one. `Waivers` reads the waivers as they stood at
a record's commit (from the working tree when git lacks it). Only documents that validate are
kept, and each file is parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from spendgate import vcs
from spendgate.documents.fields import Document
from spendgate.documents.loading import blob_id, load_file, load_source
from spendgate.documents.source import (
    SourceFile,
    SourceProblem,
    decode,
    git_blob_id,
    leaves_repository,
    read_source,
)
from spendgate.documents.waiver import Waiver
from spendgate.policy.library import builtin_directory

_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")

DocumentT = TypeVar("DocumentT", bound=Document)


@dataclass(frozen=True)
class Source:
    """A file a decision read, as the site found it."""

    path: str
    blob: str
    text: str | None
    origin: str
    """`git` (the recorded blob), `reference library`, `working tree`, or '' when not found."""

    @property
    def exact(self) -> bool:
        """The text found is the content the decision read."""
        return self.text is not None and blob_id(self.text) == self.blob


class RecordedFiles:
    """Recorded files: from git by blob id (one batch), the reference library, or the tree."""

    def __init__(self, root: Path, blobs: set[str]) -> None:
        self.root = root
        self.git = vcs.available_blobs(root, sorted(blobs))
        self.library = {
            git_blob_id(path.read_bytes()): path
            for path in sorted(builtin_directory().glob("*.yaml"))
        }
        self._models: dict[tuple[str, str, str], tuple[Document, ...]] = {}

    def source(self, path: str, blob: str) -> Source:
        """The file at `path` with blob id `blob`, from the first place that has it."""
        if blob in self.git:
            return _decoded(path, blob, self.git[blob], "git")
        if blob in self.library:
            return _decoded(path, blob, self.library[blob].read_bytes(), "reference library")
        file = self.root / path
        if path.startswith("policy:") or leaves_repository(file, self.root):
            return Source(path, blob, None, "")
        try:
            return Source(path, blob, read_source(file, root=self.root).text, "working tree")
        except SourceProblem:
            return Source(path, blob, None, "")

    def models(self, source: Source) -> tuple[Document, ...]:
        """The documents of `source` that validate (none when it was not found)."""
        key = (source.path, source.blob, source.origin)
        if key not in self._models:
            self._models[key] = _parsed(source)
        return self._models[key]


def _decoded(path: str, blob: str, data: bytes, origin: str) -> Source:
    try:
        return Source(path, blob, decode(data, path), origin)
    except SourceProblem:
        return Source(path, blob, None, origin)


def _parsed(source: Source) -> tuple[Document, ...]:
    if source.text is None:
        return ()
    loaded = load_source(SourceFile(Path(source.path), source.path, source.text))
    return tuple(document.model for document in loaded.documents if document.model is not None)


def file_models(path: Path, root: Path) -> tuple[Document, ...]:
    """The documents of the working-tree file at `path` that validate (none when it is absent)."""
    if not path.is_file():
        return ()
    loaded = load_file(path, root=root)
    return tuple(document.model for document in loaded.documents if document.model is not None)


def first_model(
    models: Iterable[Document], kind: type[DocumentT], ident: str | None = None
) -> DocumentT | None:
    """The first of `models` of type `kind` (with id `ident` when one is given), if any."""
    for model in models:
        if isinstance(model, kind) and ident in (None, getattr(model, "id", None)):
            return model
    return None


class Waivers:
    """Waivers by id as they stood at a commit (or in the working tree when git lacks it)."""

    def __init__(self, root: Path, files: RecordedFiles, directory: str) -> None:
        self.root = root
        self.files = files
        self.directory = directory
        self._at: dict[str, dict[str, tuple[Source, Waiver]]] = {}

    def find(self, commit: str, waiver_id: str) -> tuple[Source, Waiver] | None:
        """The waiver `waiver_id` and its file as of `commit`, or None when it had none."""
        if commit not in self._at:
            self._at[commit] = self._read(commit)
        return self._at[commit].get(waiver_id)

    def _read(self, commit: str) -> dict[str, tuple[Source, Waiver]]:
        # Only an object id reaches git's command line: a log is data, never options.
        if _COMMIT.fullmatch(commit) and vcs.commit_id(self.root, commit) is not None:
            listing = vcs.list_files(self.root, commit, (self.directory,))
            contents = vcs.read_blobs(self.root, [blob for _, blob in listing])
            sources = [
                _decoded(path, blob, contents.get(blob, b""), "git") for path, blob in listing
            ]
        else:
            folder = self.root / self.directory
            paths = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
            sources = [self._working(path) for path in paths]
        found = {}
        for source in sources:
            for model in self.files.models(source):
                if isinstance(model, Waiver):
                    found[model.id] = (source, model)
        return found

    def _working(self, path: Path) -> Source:
        name = path.relative_to(self.root).as_posix()
        try:
            source = read_source(path, root=self.root)
        except SourceProblem:
            return Source(name, "", None, "working tree")
        return Source(name, source.digest, source.text, "working tree")

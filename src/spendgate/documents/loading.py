"""Loading one file, a pipeline whose every step is entered once: read → parse → validate → locate.

- read (`source.read_source`): the bytes, safely (no links out, no devices, a size limit), as text;
- parse: without positions by the fast parser; by the located one when the fast one declines
  (several documents, anchors, anything it will not judge);
- validate (`_check`): kind dispatch and the kind's model, faults carrying YAML paths;
- locate: only when something is wrong is a fast-parsed file parsed again with positions, to
  point each fault at its line, column and YAML path.

Discovery (which files are read) comes before, in `discovery`; problems found later (a dangling
reference) are located by `locator.Locator`. A problem in one document never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spendgate.documents import fast_yaml
from spendgate.documents.fields import API_VERSION, Document
from spendgate.documents.kinds import CONFIGURATION_KINDS, KINDS
from spendgate.documents.located_yaml import (
    LocatedDocument,
    YamlProblem,
    load_located,
    yaml_path,
)
from spendgate.documents.request_facts import RequestFacts
from spendgate.documents.source import SourceFile, SourceProblem, git_blob_id, read_source
from spendgate.problems import Location, Problem, Severity

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedDocument:
    """One document of a file: its kind and model when it validated, its problems otherwise."""

    file: str
    index: int
    location: Location
    kind: str | None
    model: Document | None
    problems: tuple[Problem, ...] = ()
    facts: RequestFacts | None = None
    """A valid purchase request whose model was let go (`Repository.let_go`): what
    the checks of other requests read of it; `model` is then None."""


@dataclass(frozen=True)
class LoadedFile:
    """Every document of one file, or the problem that kept the file from loading at all."""

    file: str
    documents: tuple[LoadedDocument, ...] = ()
    problems: tuple[Problem, ...] = ()
    digest: str = ""
    """The git blob id of the file's content, for the decisions that read it."""


@dataclass(frozen=True)
class _Fault:
    """A problem found before positions are known: where (by YAML path) and what."""

    path: YamlPath
    message: str
    code: str
    at_key: bool = False


def blob_id(text: str) -> str:
    """The git blob id of a file's content, as `git hash-object` computes it."""
    return git_blob_id(text.encode("utf-8"))


def load_file(path: Path, *, root: Path, severity: Severity | None = None) -> LoadedFile:
    """Load every document of the file at `path` (inside the repository at `root`): read it,
    then `load_source`."""
    try:
        source = read_source(path, root=root)
    except SourceProblem as failure:
        return LoadedFile(file=failure.problem.location.file, problems=(failure.problem,))
    digest = source.digest or blob_id(source.text)
    return replace(load_source(source, severity=severity), digest=digest)


def load_source(source: SourceFile, *, severity: Severity | None = None) -> LoadedFile:
    """The documents of an already-read file, through the rest of the pipeline, each step once:
    parse, validate, then locate (positions are found only for what is wrong, and for the
    documents of a file of several)."""
    try:
        parsed = _parse(source.text)
    except YamlProblem as failure:
        return _unparsable(source, failure, severity)
    if not parsed.values:
        return _empty_file(source, severity)
    checked = [_check(value) for value in parsed.values]
    located = parsed.located
    if located is None and any(faults for _, _, faults in checked):
        try:
            located = load_located(source.text)
        except YamlProblem as failure:  # pragma: no cover - both parsers accept the same texts
            return _unparsable(source, failure, severity)
    documents = tuple(
        _document(source.name, index, checked[index], located, severity)
        for index in range(len(checked))
    )
    return LoadedFile(file=source.name, documents=documents)


@dataclass(frozen=True)
class _Parsed:
    """A file's documents as plain values, with their positions when the parse knows them."""

    values: list[Any]
    located: list[LocatedDocument] | None = None


def _parse(text: str) -> _Parsed:
    """Parse fast (one document, no positions); the located parser when the fast one declines.
    YamlProblem when the text is not YAML spendgate accepts."""
    try:
        return _Parsed(fast_yaml.parse(text))
    except fast_yaml.Declined:
        located = load_located(text)
        return _Parsed([document.value for document in located], located)


def _unparsable(source: SourceFile, failure: YamlProblem, severity: Severity | None) -> LoadedFile:
    where = Location(source.name, failure.line, failure.column, yaml_path(failure.path))
    problem = Problem(where, failure.message, failure.code, severity=severity or Severity.DOCUMENT)
    return LoadedFile(file=source.name, problems=(problem,))


def _empty_file(source: SourceFile, severity: Severity | None) -> LoadedFile:
    problem = Problem(
        Location(source.name, 1, 1),
        "file is empty; a document needs apiVersion and kind",
        "empty-file",
        severity=severity or Severity.DOCUMENT,
    )
    return LoadedFile(file=source.name, problems=(problem,))


def _document(
    name: str,
    index: int,
    checked: tuple[str | None, Document | None, list[_Fault]],
    located: list[LocatedDocument] | None,
    severity: Severity | None,
) -> LoadedDocument:
    """One validated document, its faults located (a fast-parsed file is one document, which
    starts the file)."""
    kind, model, faults = checked
    if located is None:
        return LoadedDocument(name, index, Location(name, 1, 1), kind, model)
    document = located[index]
    level = severity or (
        Severity.CONFIGURATION if kind in CONFIGURATION_KINDS else Severity.DOCUMENT
    )
    problems = tuple(_locate(name, document, fault, level) for fault in faults)
    return LoadedDocument(name, index, Location(name, *document.start), kind, model, problems)


def _locate(name: str, document: LocatedDocument, fault: _Fault, severity: Severity) -> Problem:
    position = (
        document.key_position_of(fault.path) if fault.at_key else document.position_of(fault.path)
    )
    where = Location(name, *position, yaml_path(fault.path))
    return Problem(where, fault.message, fault.code, severity=severity)


def _check(value: Any) -> tuple[str | None, Document | None, list[_Fault]]:
    """Dispatch on kind and validate; the faults carry YAML paths, not yet positions."""
    if value is None:
        return (
            None,
            None,
            [_Fault((), "document is empty; it needs apiVersion and kind", "empty-document")],
        )
    if not isinstance(value, dict):
        shape = "a list" if isinstance(value, list) else f"the scalar {value!r:.40}"
        message = f"a document must be a mapping with apiVersion and kind, not {shape}"
        return None, None, [_Fault((), message, "not-a-mapping")]
    kind = value.get("kind")
    header = _header_faults(value, kind)
    if header or not isinstance(kind, str):
        return (kind if isinstance(kind, str) and kind in KINDS else None), None, header
    model_class = KINDS[kind]
    try:
        return kind, model_class.model_validate(value), []
    except ValidationError as error:
        return kind, None, _schema_faults(error, value)


def _header_faults(value: dict[Any, Any], kind: Any) -> list[_Fault]:
    faults = []
    version = value.get("apiVersion")
    if version is None:
        faults.append(_Fault((), f"missing apiVersion (expected {API_VERSION})", "api-version"))
    elif version != API_VERSION:
        faults.append(
            _Fault(
                ("apiVersion",),
                f"apiVersion {_quoted(version)} is not supported; expected {API_VERSION}",
                "api-version",
            )
        )
    if kind is None:
        faults.append(_Fault((), "missing kind", "unknown-kind"))
    elif not isinstance(kind, str) or kind not in KINDS:  # a list or mapping is no kind either
        known = ", ".join(KINDS)
        faults.append(
            _Fault(
                ("kind",), f"unknown kind {_quoted(kind)}; expected one of {known}", "unknown-kind"
            )
        )
    return faults


def _quoted(value: Any) -> str:
    """A value of the document as a message quotes it: its repr, at most 60 characters."""
    return f"{value!r:.60}"


def _schema_faults(error: ValidationError, value: Any) -> list[_Fault]:
    faults: dict[YamlPath, _Fault] = {}
    for detail in error.errors(include_url=False):
        path = _data_path(detail["loc"], value)
        if path in faults:
            continue
        faults[path] = _Fault(
            path,
            _message(detail),
            "schema",
            at_key=detail["type"] == "extra_forbidden",
        )
    return list(faults.values())


def _has_child(value: Any, part: str | int) -> bool:
    if isinstance(value, dict):
        return part in value
    return isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)


def _data_path(loc: tuple[str | int, ...], value: Any) -> YamlPath:
    """The YAML path of a pydantic error location, without union-branch labels."""
    path: list[str | int] = []
    current = value
    for position, part in enumerate(loc):
        if _has_child(current, part):
            current = current[part]
        elif position == len(loc) - 1 and isinstance(current, dict):
            path.append(part)
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def _message(detail: Any) -> str:
    kind = detail["type"]
    loc = detail["loc"]
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "missing":
        return f"missing required field {field!r}"
    message: str = detail["msg"]
    message = message.removeprefix("Value error, ")
    if kind in {"literal_error", "enum"} or kind.endswith("_type"):
        message = f"{message}, got {detail['input']!r:.60}"
    return message

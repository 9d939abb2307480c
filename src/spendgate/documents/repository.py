"""The repository index: every document by kind and id, and the references between them.

`open_repository` loads the configuration, finds and loads every document under the configured
paths, refuses each document that is not where its kind is read from (`placement`), indexes the
rest, and reports what does not hold together: duplicate ids (naming both files), dangling
references, management cycles, amounts in a currency the FX table cannot convert (the last
three are checked in `spendgate.documents.references`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeVar

from spendgate.documents.adequacy import AdequacyDecisions
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.benchmarks import PriceBenchmarks
from spendgate.documents.budgets import Budgets
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import document_paths, escaping_paths
from spendgate.documents.fields import Document
from spendgate.documents.loading import LoadedDocument, LoadedFile, load_file
from spendgate.documents.locator import Locator, YamlPath
from spendgate.documents.people import People, Person
from spendgate.documents.placement import refuse_misplaced
from spendgate.documents.policy import Policy, PolicySet
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.references import broken_references, kind_label
from spendgate.documents.request_facts import RequestFacts
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver
from spendgate.problems import Location, Problem, Severity

M = TypeVar("M", bound=Document)


@dataclass(frozen=True)
class Entry:
    """Where an indexed document (or person, or budget line) was defined."""

    document: LoadedDocument
    path: YamlPath = ()


class Elsewhere(Protocol):
    """The documents of a repository that were not loaded (a pull-request check loads only what
    the change touches; see `spendgate.catalogue`)."""

    root: Path
    """Where those documents are, to locate them in messages."""
    kinds: frozenset[str]
    """The kinds of document it knows by id."""

    def paths_defining(self, kind: str, identifier: str) -> list[str]:
        """The unloaded files that define `identifier` as a document of `kind`."""
        ...

    def committed(self, config: Config) -> dict[tuple[str, int], Decimal]:
        """What every submitted request commits, per (cost centre, fiscal year), in base
        currency: the budget figures a partial load cannot sum itself."""
        ...


@dataclass
class Repository:
    """Everything loaded from one governance repository, indexed, with every problem found."""

    root: Path
    config: Config | None
    files: list[LoadedFile] = field(default_factory=list)
    index: dict[str, dict[str, Entry]] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    elsewhere: Elsewhere | None = None
    """Stands in for the documents not loaded, when only part of the repository is."""
    _file_positions: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _facts: dict[tuple[str, int], RequestFacts] = field(
        default_factory=dict, init=False, repr=False
    )

    def documents(self, kind: str | None = None) -> Iterator[LoadedDocument]:
        """The valid documents of the repository, of `kind` if given, in load order."""
        for loaded in self.files:
            for document in loaded.documents:
                if document.model is not None and (kind is None or document.kind == kind):
                    yield document

    def models(self, model_class: type[M]) -> Iterator[tuple[LoadedDocument, M]]:
        """Each valid document of one model class, with the model typed as that class."""
        for document in self.documents():
            if isinstance(document.model, model_class):
                yield document, document.model

    def requests(self) -> Iterator[LoadedDocument]:
        """The valid purchase requests in load order, those let go (`let_go`) included."""
        for loaded in self.files:
            for document in loaded.documents:
                if document.kind == "PurchaseRequest" and (
                    document.model is not None or document.facts is not None
                ):
                    yield document

    def request_facts(self) -> Iterator[RequestFacts]:
        """The facts of every valid purchase request, in load order."""
        for document in self.requests():
            facts = self._facts_of(document)
            if facts is not None:
                yield facts

    def _facts_of(self, document: LoadedDocument) -> RequestFacts | None:
        """A request's facts, made once: the ledger reads them, and `let_go` keeps the same."""
        if document.facts is not None or not isinstance(document.model, PurchaseRequest):
            return document.facts
        key = (document.file, document.index)
        if key not in self._facts:
            self._facts[key] = RequestFacts.of(document.model)
        return self._facts[key]

    def let_go(self, documents: Iterable[LoadedDocument]) -> None:
        """Keep these purchase requests as their facts only, not their models: deciding lets go
        of each request once it is decided, so that a large repository's models and decisions
        are not both held whole. Nothing may read these requests' models afterwards."""
        positions = self._positions()
        for document in documents:
            model = document.model
            if not isinstance(model, PurchaseRequest):
                continue
            position = positions[document.file]
            loaded = self.files[position]
            made = self._facts.pop((document.file, document.index), None)  # by request_facts
            kept = replace(document, model=None, facts=made or RequestFacts.of(model))
            documents_now = tuple(kept if d is document else d for d in loaded.documents)
            self.files[position] = replace(loaded, documents=documents_now)
            entry = self.index.get("PurchaseRequest", {}).get(model.id)
            if entry is not None and entry.document is document:
                self.index["PurchaseRequest"][model.id] = Entry(kept, entry.path)

    def _positions(self) -> dict[str, int]:
        """Where each file is in `files`."""
        if len(self._file_positions) != len(self.files):
            self._file_positions = {loaded.file: n for n, loaded in enumerate(self.files)}
        return self._file_positions

    def defines(self, kind: str, identifier: str) -> bool:
        """Whether a valid document `identifier` of `kind` is indexed (let go or not)."""
        return identifier in self.index.get(kind, {})

    def get(self, kind: str, identifier: str) -> Document | None:
        """The model of the document `identifier` of `kind`, None when none is indexed."""
        entry = self.index.get(kind, {}).get(identifier)
        return entry.document.model if entry else None

    @property
    def document_count(self) -> int:
        """How many documents the repository holds, valid or not."""
        return sum(len(loaded.documents) for loaded in self.files)


def open_repository(root: Path, elsewhere: Elsewhere | None = None) -> Repository:
    """Load and index the governance repository at `root` (with `elsewhere` standing in for
    documents left out of it)."""
    config, config_problems, config_file = _load_config(root)
    repository = Repository(root=root, config=config, elsewhere=elsewhere)
    repository.problems.extend(config_problems)
    if config_file is not None:
        repository.files.append(config_file)
    locator = Locator(root)
    paths = config.paths if config else Paths()
    escaping = escaping_paths(root, paths)
    if escaping:
        repository.problems.extend(_escaping_path_problems(escaping, locator))
        paths = Paths()
    found, link_problems = document_paths(root, paths)
    repository.problems.extend(link_problems)
    policies = root / paths.policies
    for path in found:
        if path == root / CONFIG_FILE:
            continue  # already loaded, when a configured path is the root itself
        # Whatever is wrong with a file under policies/ is a configuration problem (exit 2).
        in_policies = path == policies or policies in path.parents
        loaded = load_file(
            path, root=root, severity=Severity.CONFIGURATION if in_policies else None
        )
        repository.files.append(loaded)
    # Each kind is read only from its own place: a document elsewhere is refused, unindexed.
    repository.files = [refuse_misplaced(loaded, paths, locator) for loaded in repository.files]
    for loaded in repository.files:
        repository.problems.extend(loaded.problems)
        for document in loaded.documents:
            repository.problems.extend(document.problems)
    _Indexer(repository, locator).run()
    return repository


def _escaping_path_problems(escaping: list[tuple[str, str]], locator: Locator) -> list[Problem]:
    return [
        Problem(
            locator.locate(CONFIG_FILE, 0, ("paths", name)),
            f"paths.{name} ({value}) leads outside the repository; the default paths are used",
            "path-escape",
            severity=Severity.CONFIGURATION,
        )
        for name, value in escaping
    ]


def _load_config(root: Path) -> tuple[Config | None, list[Problem], LoadedFile | None]:
    path = root / CONFIG_FILE
    if not (path.exists() or path.is_symlink()):  # a pipe or folder there is reported, not skipped
        return None, [], None
    loaded = load_file(path, root=root, severity=Severity.CONFIGURATION)
    configs = [d for d in loaded.documents if d.kind == "Config"]
    problems: list[Problem] = []
    if loaded.documents and not configs:
        problems.append(
            Problem(
                loaded.documents[0].location,
                f"{CONFIG_FILE} must hold a document of kind Config",
                "config-kind",
                severity=Severity.CONFIGURATION,
            )
        )
    config = configs[0].model if configs else None
    assert config is None or isinstance(config, Config)
    return config, problems, loaded


class _Indexer:
    """Fills the index and reports duplicates and dangling references."""

    def __init__(self, repository: Repository, locator: Locator) -> None:
        self.repository = repository
        self.locator = locator

    def problem(
        self,
        document: LoadedDocument,
        path: YamlPath,
        message: str,
        code: str,
        related: tuple[Location, ...] = (),
    ) -> None:
        where = self.locator.locate(document.file, document.index, path)
        self.repository.problems.append(Problem(where, message, code, related=related))

    def run(self) -> None:
        for document in self.repository.documents():
            self.add(document)
        self.check_references()

    def add(self, document: LoadedDocument) -> None:
        model = document.model
        kind = document.kind or ""
        if isinstance(model, (Vendor, PurchaseRequest, AIAssessment, Waiver)):
            self.register(kind, model.id, Entry(document, ("id",)))
        elif isinstance(model, (Policy, PolicySet)):
            self.register(kind, model.metadata.name, Entry(document, ("metadata", "name")))
        elif isinstance(model, People):
            for position, person in enumerate(model.people):
                entry = Entry(document, ("people", position, "id"))
                if self.register("Person", person.id, entry):
                    self.repository.people[person.id] = person
        elif isinstance(model, AdequacyDecisions):
            self.register_only(kind, Entry(document, ("kind",)))
        elif isinstance(model, PriceBenchmarks):
            for position, benchmark in enumerate(model.entries):
                self.register(
                    "Benchmark", benchmark.id, Entry(document, ("entries", position, "id"))
                )
        elif isinstance(model, Budgets):
            for position, budget in enumerate(model.budgets):
                key = f"{budget.cost_centre}/{budget.fiscal_year}"
                self.register("Budget", key, Entry(document, ("budgets", position, "cost_centre")))

    def register(self, kind: str, identifier: str, entry: Entry) -> bool:
        table = self.repository.index.setdefault(kind, {})
        first = table.get(identifier)
        if first is None:
            table[identifier] = entry
            return self.unique_elsewhere(kind, identifier, entry)
        first_location = self.locator.locate(first.document.file, first.document.index, first.path)
        label = "budget for" if kind == "Budget" else f"{kind_label(kind)} id"
        self.problem(
            entry.document,
            entry.path,
            f"duplicate {label} {identifier!r}; first defined at {first_location}",
            "duplicate-id",
            related=(first_location,),
        )
        return False

    def register_only(self, kind: str, entry: Entry) -> None:
        """Index the one document of a kind a repository may hold; report any other."""
        table = self.repository.index.setdefault(kind, {})
        first = table.get(kind)
        if first is None:
            table[kind] = entry
            return
        first_location = self.locator.locate(first.document.file, first.document.index, first.path)
        self.problem(
            entry.document,
            entry.path,
            f"a second {kind} document; only one is read, the one at {first_location}",
            "duplicate-id",
            related=(first_location,),
        )

    def unique_elsewhere(self, kind: str, identifier: str, entry: Entry) -> bool:
        """True unless a document that was not loaded has the same id (reported here)."""
        elsewhere = self.repository.elsewhere
        if elsewhere is None or kind not in elsewhere.kinds:
            return True
        others = elsewhere.paths_defining(kind, identifier)
        if not others:
            return True
        first_location = Locator(elsewhere.root).locate(others[0], 0, ("id",))
        self.problem(
            entry.document,
            entry.path,
            f"duplicate {kind_label(kind)} id {identifier!r}; also defined at {first_location}",
            "duplicate-id",
            related=(first_location,),
        )
        return True

    def check_references(self) -> None:
        for document, path, message, code in broken_references(self.repository):
            self.problem(document, path, message, code)

"""Documents outside their kind's home are not loaded (SPEC §7).

Each kind is read only from its place in the configuration (`discovery.HOMES`). A document found
anywhere else keeps its kind (so that a misplaced purchase request is still reported as a request
that does not load) but loses its model: the index, the approval desk and the policies never see
it. Its problem is a blocking document problem, whatever the kind: a People or Policy document
among the requests is the requester's document, not the organisation's configuration.
"""

from __future__ import annotations

from dataclasses import replace

from spendgate.documents.config import Paths
from spendgate.documents.discovery import HOMES, belongs, home_path
from spendgate.documents.loading import LoadedDocument, LoadedFile
from spendgate.documents.locator import Locator
from spendgate.problems import Problem, Severity

CODE = "misplaced-document"


def refuse_misplaced(loaded: LoadedFile, paths: Paths, locator: Locator) -> LoadedFile:
    """`loaded` with each document that is not where its kind is read from left unloaded, with
    a problem (at its `kind`) that names where it belongs."""
    if all(_in_place(document, paths) for document in loaded.documents):
        return loaded
    documents = tuple(
        document if _in_place(document, paths) else _refused(document, paths, locator)
        for document in loaded.documents
    )
    return replace(loaded, documents=documents)


def misplaced_message(kind: str, paths: Paths) -> str:
    """What is said of a document of `kind` found outside the place its kind is read from."""
    home = HOMES[kind]
    where = home_path(home, paths) + ("/" if home.folder else "")
    article = "an" if kind[0] in "AEIOU" else "a"
    return (
        f"{article} {kind} document belongs in {where}; documents of this kind are read only "
        "from there, so this one is not loaded"
    )


def _in_place(document: LoadedDocument, paths: Paths) -> bool:
    return document.kind is None or belongs(document.kind, document.file, paths)


def _refused(document: LoadedDocument, paths: Paths, locator: Locator) -> LoadedDocument:
    assert document.kind is not None
    problem = Problem(
        locator.locate(document.file, document.index, ("kind",)),
        misplaced_message(document.kind, paths),
        CODE,
    )
    # A document that is not loaded is no part of the configuration, whatever its kind: what
    # is wrong with it blocks the gate (exit 1) rather than failing the run (exit 2).
    own = tuple(replace(found, severity=Severity.DOCUMENT) for found in document.problems)
    return replace(document, model=None, problems=(problem, *own))

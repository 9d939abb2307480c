"""The head tree of a pull request: the base tree's summaries with the change laid over them.

`Catalogue` answers the questions a pull-request check asks of the whole repository (who defines
an id, who refers to it, what every submitted request commits) from the store's summaries of the
base tree, leaving out the files the change replaces and adding the change's own versions of
them, so that only the touched documents and what they depend on are loaded in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from spendgate.catalogue.store import Store
from spendgate.catalogue.summary import Summary
from spendgate.documents.config import Config


@dataclass
class Catalogue:
    """The documents of the head tree: the base tree's summaries with the change laid over them.

    `replaced` are base paths the change modifies, deletes or renames; `overlay` summarises the
    change's own versions of its files, read from the working tree (those not in place under the
    tree's paths are dropped from it).
    """

    store: Store
    tree: str
    root: Path
    """The working tree, where a document outside the loaded set can still be located."""
    replaced: frozenset[str] = frozenset()
    overlay: tuple[Summary, ...] = ()
    loaded: set[str] = field(default_factory=set)
    """Files loaded in full: the catalogue stands in for every other file."""
    kinds: frozenset[str] = frozenset({"PurchaseRequest", "Vendor", "AIAssessment", "Waiver"})

    def __post_init__(self) -> None:
        paths = self.store.paths(self.tree)
        self.overlay = tuple(summary for summary in self.overlay if summary.in_place(paths))

    def _merge(self, base: Iterable[Summary], wanted: Iterator[Summary]) -> list[Summary]:
        return [s for s in base if s.path not in self.replaced] + list(wanted)

    def defining(self, kind: str, identifier: str) -> list[Summary]:
        """Documents of `kind` that define `identifier`: the base tree, replaced files aside, and
        the overlay."""
        base = self.store.select(self.tree, "d.id = ? AND d.kind = ?", (identifier, kind))
        return self._merge(base, (s for s in self.overlay if s.kind == kind and s.id == identifier))

    def referencing(
        self, target_kind: str, target: str, of_kind: str | None = None
    ) -> list[Summary]:
        """Documents of `of_kind` (else of any kind) that refer to the document `target` of
        `target_kind`, by the references their models declare."""
        base = self.store.referencing(self.tree, target_kind, target, of_kind)
        overlay = (
            s
            for s in self.overlay
            if of_kind in (None, s.kind) and (target_kind, target) in s.references
        )
        return self._merge(base, overlay)

    def of_kind(self, kind: str) -> list[Summary]:
        """Every document of `kind` in the head tree."""
        base = self.store.select(self.tree, "d.kind = ?", (kind,))
        return self._merge(base, (s for s in self.overlay if s.kind == kind))

    def replaced_summaries(self) -> list[Summary]:
        """The base versions of the documents the change modifies, deletes or renames."""
        found: list[Summary] = []
        for path in sorted(self.replaced):
            found += self.store.select(self.tree, "f.path = ?", (path,))
        return found

    def paths_defining(self, kind: str, identifier: str) -> list[str]:
        """Files outside the loaded set that define `identifier` as a `kind` (Repository hook)."""
        return sorted(
            {s.path for s in self.defining(kind, identifier) if s.path not in self.loaded}
        )

    def committed(self, config: Config) -> dict[tuple[str, int], Decimal]:
        """What every submitted request of the head tree commits, per cost centre and year."""
        totals = dict(self.store.commitments(self.tree, config))
        for sign, found in ((-1, self.replaced_summaries()), (1, list(self.overlay))):
            for summary in found:
                for key, amount in summary.commitments(config):
                    totals[key] = totals.get(key, Decimal(0)) + sign * amount
        return totals

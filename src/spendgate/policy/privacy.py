"""Where personal data may go: transfers judged by geography (GDPR Chapter V, Art. 44-49).

A destination needs no transfer mechanism inside the EEA (the EU 27 and, by the EEA Agreement,
Iceland, Liechtenstein and Norway). Outside it, a transfer is lawful on an adequacy decision in
force on the evaluation date (Art. 45), whatever mechanism the record declares; a partial
decision (the United States for EU-US Data Privacy Framework participants, Canada for commercial
organisations under PIPEDA) counts only for a transfer that declares `adequacy` and says it is
`within_scope`. Otherwise only the appropriate safeguards a rule accepts count, by default
standard contractual clauses (Art. 46(2)(c)) and binding corporate rules (Art. 47). Declaring
`adequacy` for a country without a decision in force counts for nothing.

The lists of EEA countries and adequacy decisions are data (`AdequacyDecisions`): the one in
the repository's policies folder when there is one (in a pull request, the base revision's),
otherwise the reference library's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from spendgate.documents.adequacy import AdequacyDecisions
from spendgate.documents.loading import load_file
from spendgate.documents.repository import Repository
from spendgate.documents.source import git_blob_id
from spendgate.documents.transfers import Transfer
from spendgate.errors import ConfigurationError
from spendgate.problems import Severity

KIND = "AdequacyDecisions"
REFERENCE_FILE = "adequacy-decisions.yaml"
"""The reference library's list, in the package's policies folder."""

EEA_REGIONS = frozenset({"EU", "EEA"})
"""Region codes accepted as inside the EEA: `EU` is ISO 3166-1's exceptionally reserved code for
the European Union, and a country-code field accepts it; a record that says no more than that
keeps the data inside the EEA."""


@dataclass(frozen=True)
class InEffect:
    """The adequacy list a repository is judged by, and where it comes from."""

    decisions: AdequacyDecisions
    source: str
    """Its file in the repository, or `the reference library`."""

    @property
    def label(self) -> str:
        """The list in words: name, version, date and where it comes from."""
        metadata = self.decisions.metadata
        return f"{metadata.name} {metadata.version} (as of {self.decisions.as_of}, {self.source})"


@dataclass(frozen=True)
class Destination:
    """A country personal data goes to, and the mechanism stated for it (None: nothing)."""

    country: str
    mechanism: str | None = None
    within_scope: bool = False

    @classmethod
    def of(cls, transfer: Transfer) -> Destination:
        """The destination a declared transfer states."""
        return cls(transfer.to_country, transfer.mechanism, transfer.within_scope)


def in_effect(repository: Repository) -> InEffect:
    """The repository's own AdequacyDecisions, or the reference library's."""
    entry = repository.index.get(KIND, {}).get(KIND)
    if entry is not None and isinstance(entry.document.model, AdequacyDecisions):
        return InEffect(entry.document.model, entry.document.file)
    return InEffect(reference_decisions(), "the reference library")


def reference_inputs(repository: Repository) -> tuple[tuple[str, str], ...]:
    """What a decision records of the reference list when the repository has no list of its
    own: `policy:<name>@<version>` (it ships in the reference library's policies folder, and
    the audit trail checks it as it checks the library's policies) and its git blob id."""
    if repository.index.get(KIND, {}).get(KIND) is not None:
        return ()
    from spendgate.policy.library import builtin_directory

    decisions = reference_decisions()
    data = (builtin_directory() / REFERENCE_FILE).read_bytes()
    name = f"policy:{decisions.metadata.name}@{decisions.metadata.version}"
    return ((name, git_blob_id(data)),)


@functools.cache
def reference_decisions() -> AdequacyDecisions:
    """The list shipped with spendgate; ConfigurationError if the package's copy is broken."""
    # Imported here: the library compiles policies, whose checks import this module.
    from spendgate.policy.library import builtin_directory

    root = builtin_directory()
    loaded = load_file(root / REFERENCE_FILE, root=root, severity=Severity.CONFIGURATION)
    problems = list(loaded.problems) + [p for d in loaded.documents for p in d.problems]
    found = [d.model for d in loaded.documents if isinstance(d.model, AdequacyDecisions)]
    if problems or len(found) != 1:
        detail = problems[0].message if problems else f"it holds {len(found)} {KIND} documents"
        raise ConfigurationError(f"the reference library's {REFERENCE_FILE}: {detail}")
    return found[0]


def gap(
    destination: Destination, decisions: AdequacyDecisions, day: date, accepted: frozenset[str]
) -> str | None:
    """Why personal data may not go to `destination` on `day`, or None when it may."""
    country = destination.country
    if country in EEA_REGIONS or country in decisions.eea:
        return None
    in_force = decisions.decisions_for(country, day)
    scopes = [d.scope for d in in_force if d.scope is not None]
    if len(scopes) < len(in_force):
        return None  # a decision for the whole country
    mechanism = destination.mechanism
    if mechanism == "adequacy" and scopes and destination.within_scope:
        return None
    if mechanism in accepted:
        return None
    covers = f"the adequacy decision for {country} covers only {' and '.join(scopes)}"
    if mechanism == "adequacy":
        if scopes:
            return f"adequacy declared, but {covers} and the transfer does not say within_scope"
        return f"adequacy declared, but no EU adequacy decision for {country} is in force on {day}"
    reason = "no transfer mechanism stated" if mechanism is None else f"mechanism {mechanism}"
    return f"{reason}, and {covers}" if scopes else reason


def gaps(
    destinations: Sequence[Destination],
    decisions: AdequacyDecisions,
    day: date,
    accepted: Iterable[str],
) -> dict[str, str]:
    """Country to why personal data may not go there (its first uncovered destination)."""
    allowed = frozenset(accepted)
    found: dict[str, str] = {}
    for destination in destinations:
        reason = gap(destination, decisions, day, allowed)
        if reason is not None and destination.country not in found:
            found[destination.country] = reason
    return found


def vendor_destinations(
    transfers: Sequence[Transfer], residency: Sequence[str]
) -> list[Destination]:
    """Every stated transfer, then each residency country that no transfer names (with no
    mechanism)."""
    stated = [Destination.of(transfer) for transfer in transfers]
    named = {transfer.to_country for transfer in transfers}
    unstated = dict.fromkeys(country for country in residency if country not in named)
    return stated + [Destination(country) for country in unstated]


def describe(found: dict[str, str]) -> str:
    """`RU (mechanism none); AE (no transfer mechanism stated)`."""
    return "; ".join(f"{country} ({reason})" for country, reason in found.items())

"""Where a repository's policies come from: its own `policies/`, or the reference library.

`policy_set: builtin` (the default, and what a repository without `spendgate.yaml` gets) means
the reference library shipped inside the package (`policies/` in spendgate's own repository);
any other value means the Policy and PolicySet documents under the repository's policies path.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

from spendgate.approvals.routing import FILLED_FROM_REQUEST
from spendgate.documents.config import Paths
from spendgate.documents.discovery import document_paths
from spendgate.documents.loading import LoadedDocument, load_file
from spendgate.documents.locator import Locator
from spendgate.documents.repository import Repository
from spendgate.documents.source import git_blob_id
from spendgate.errors import ConfigurationError
from spendgate.policy.compile import PolicyBook, PolicyErrors, compile_policies
from spendgate.problems import Level, Location, Problem, Severity

BUILTIN = "builtin"


def builtin_directory() -> Path:
    """The reference library's folder inside the package."""
    return Path(__file__).resolve().parent.parent / "reference_policies"


def load_policy_book(repository: Repository) -> PolicyBook:
    """Compile the policies `repository` is judged by; PolicyErrors if any fails to compile."""
    policy_set = repository.config.policy_set if repository.config else BUILTIN
    if policy_set == BUILTIN:
        return _builtin_book()
    documents = [
        document for document in repository.documents() if document.kind in ("Policy", "PolicySet")
    ]
    if not any(document.kind == "Policy" for document in documents):
        raise ConfigurationError(
            f"policy_set is {policy_set!r} but there is no Policy under "
            f"{repository.config.paths.policies if repository.config else 'policies'}/"
        )
    digests = {document.file: _digest(repository.root / document.file) for document in documents}
    return compile_policies(
        documents, locator=Locator(repository.root), source=policy_set, digests=digests
    )


def unknown_roles(book: PolicyBook, repository: Repository) -> list[Problem]:
    """A warning for each role a rule requires, or an escalation chain climbs to, that nobody
    in People holds and no policy of the reference library names: a typo (`cfoo`) would
    otherwise leave every request the rule applies to waiting for an approver who cannot
    exist. A role merely not staffed yet is one of these too, so it is a warning, not an
    error."""
    if repository.config is None or repository.config.policy_set == BUILTIN:
        return []  # the reference library's roles are known roles
    held = {role for person in repository.people.values() for role in person.roles}
    named = [
        (rule.location, f"rule {rule.id} requires role", rule.requirement.role)
        for _, rule in book.rules
        if rule.requirement
    ] + [
        (where, f"policy {policy.name} escalates to role", rung.role)
        for policy in book.policies
        for rung, where in zip(policy.escalation, policy.rung_locations, strict=True)
    ]
    missing = [entry for entry in named if entry[2] not in FILLED_FROM_REQUEST | held]
    if not missing:
        return []
    known = FILLED_FROM_REQUEST | held | reference_roles()
    return [
        _unknown_role(where, saying, wanted, known)
        for where, saying, wanted in missing
        if wanted not in known
    ]


def _unknown_role(
    where: Location, saying: str, wanted: str, known: frozenset[str] | set[str]
) -> Problem:
    """The warning that `saying` names role `wanted`, with the closest known role."""
    close = difflib.get_close_matches(wanted, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return Problem(
        where,
        f"{saying} {wanted!r}, which nobody in People holds and no reference policy names{hint}",
        "unknown-role",
        level=Level.WARNING,
        severity=Severity.CONFIGURATION,
    )


@functools.cache
def reference_roles() -> frozenset[str]:
    """Every role the reference library's policies require or escalate to."""
    book = _builtin_book()
    required = {rule.requirement.role for _, rule in book.rules if rule.requirement}
    return frozenset(required | {rung.role for p in book.policies for rung in p.escalation})


def _digest(path: Path) -> str:
    return git_blob_id(path.read_bytes())


def _builtin_book() -> PolicyBook:
    root = builtin_directory()
    paths, _ = document_paths(root, Paths(policies="."))
    documents: list[LoadedDocument] = []
    for path in paths:
        loaded = load_file(path, root=root, severity=Severity.CONFIGURATION)
        problems = list(loaded.problems) + [p for d in loaded.documents for p in d.problems]
        if problems:
            raise PolicyErrors(problems)
        documents.extend(loaded.documents)
    digests = {document.file: _digest(root / document.file) for document in documents}
    return compile_policies(documents, locator=Locator(root), source=BUILTIN, digests=digests)

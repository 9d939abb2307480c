"""The references between a repository's documents, and what about them does not hold.

Once every document is indexed, these checks walk the valid documents and yield each reference
that leads nowhere (a vendor, person, request, assessment, benchmark or budget that is defined
neither in the index nor among the documents a partial load left out), each cycle of managers,
and each request in a currency the FX table cannot convert, as (document, YAML path, message),
with the problem code it is reported under. They only read the repository; the index turns
what they yield into problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval, ChangeApproval
from spendgate.documents.budgets import Budgets
from spendgate.documents.discovery import CONFIG_FILE
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import YamlPath
from spendgate.documents.people import People
from spendgate.documents.policy import Policy
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.waiver import Waiver

if TYPE_CHECKING:
    from spendgate.documents.repository import Repository

Reference = tuple[LoadedDocument, YamlPath, str]


def broken_references(
    repository: Repository,
) -> Iterator[tuple[LoadedDocument, YamlPath, str, str]]:
    """Every reference of `repository` that does not hold, as (document, path, message, code):
    dangling references, then manager cycles, then missing FX rates."""
    for check in (
        _request_references,
        _ai_references,
        _approval_references,
        _people_references,
        _budget_references,
        _waiver_references,
    ):
        for document, path, message in check(repository):
            yield document, path, message, "dangling-reference"
    for document, path, message in _manager_cycles(repository):
        yield document, path, message, "manager-cycle"
    for document, path, message in _missing_rates(repository):
        yield document, path, message, "fx-rate-missing"


def kind_label(kind: str) -> str:
    """How messages name a kind of document: `request`, `AI assessment`, `vendor`."""
    return {"PurchaseRequest": "request", "AIAssessment": "AI assessment"}.get(kind, kind.lower())


def _missing(repository: Repository, kind: str, identifier: str | None) -> bool:
    if identifier is None or identifier in repository.index.get(kind, {}):
        return False
    elsewhere = repository.elsewhere
    if elsewhere is None or kind not in elsewhere.kinds:
        return True
    return not elsewhere.paths_defining(kind, identifier)


def _dangling(
    repository: Repository,
    document: LoadedDocument,
    path: YamlPath,
    kind: str,
    identifier: str | None,
) -> Iterable[Reference]:
    if _missing(repository, kind, identifier):
        yield document, path, f"{kind_label(kind)} {identifier!r} is not defined"


def _request_references(repository: Repository) -> Iterator[Reference]:
    cost_centres = {key.split("/")[0] for key in repository.index.get("Budget", {})}
    for document, request in repository.models(PurchaseRequest):
        for path, kind, identifier in (
            (("vendor",), "Vendor", request.vendor),
            (("requester",), "Person", request.requester),
            (("ai_assessment",), "AIAssessment", request.ai_assessment),
            (("amends",), "PurchaseRequest", request.amends),
            (("renews",), "PurchaseRequest", request.renews),
        ):
            yield from _dangling(repository, document, path, kind, identifier)
        for position, item in enumerate(request.line_items):
            line_path = ("line_items", position, "benchmark")
            yield from _dangling(repository, document, line_path, "Benchmark", item.benchmark)
        if cost_centres and request.cost_centre not in cost_centres:
            message = f"cost centre {request.cost_centre!r} has no budget"
            yield document, ("cost_centre",), message


def _ai_references(repository: Repository) -> Iterator[Reference]:
    for document, assessment in repository.models(AIAssessment):
        yield from _dangling(
            repository, document, ("request",), "PurchaseRequest", assessment.request
        )
        owner = assessment.controls.human_oversight_owner
        path = ("controls", "human_oversight_owner")
        yield from _dangling(repository, document, path, "Person", owner)


def _approval_references(repository: Repository) -> Iterator[Reference]:
    for document, change in repository.models(ChangeApproval):
        yield from _dangling(repository, document, ("approver",), "Person", change.approver)
    for document, approval in repository.models(Approval):
        yield from _dangling(
            repository, document, ("request",), "PurchaseRequest", approval.request
        )
        yield from _dangling(repository, document, ("approver",), "Person", approval.approver)


def _people_references(repository: Repository) -> Iterator[Reference]:
    for document, people in repository.models(People):
        for position, person in enumerate(people.people):
            path = ("people", position, "manager")
            yield from _dangling(repository, document, path, "Person", person.manager)
        for position, delegation in enumerate(people.delegations):
            for field_name, person_id in (("from", delegation.from_), ("to", delegation.to)):
                path = ("delegations", position, field_name)
                yield from _dangling(repository, document, path, "Person", person_id)


def _budget_references(repository: Repository) -> Iterator[Reference]:
    for document, budgets in repository.models(Budgets):
        for position, budget in enumerate(budgets.budgets):
            path = ("budgets", position, "owner")
            yield from _dangling(repository, document, path, "Person", budget.owner)


def _waiver_references(repository: Repository) -> Iterator[Reference]:
    rule_ids = {rule.id for _, policy in repository.models(Policy) for rule in policy.spec.rules}
    for document, waiver in repository.models(Waiver):
        yield from _dangling(repository, document, ("approved_by",), "Person", waiver.approved_by)
        for position, target in enumerate(waiver.applies_to):
            if _missing(repository, "PurchaseRequest", target) and _missing(
                repository, "Vendor", target
            ):
                message = f"waiver target {target!r} is neither a request nor a vendor"
                yield document, ("applies_to", position), message
        for position, rule in enumerate(waiver.rules):
            if rule_ids and rule not in rule_ids:
                message = f"rule {rule!r} is not defined by any policy"
                yield document, ("rules", position), message


def _manager_cycles(repository: Repository) -> Iterator[Reference]:
    people = repository.people
    reported: set[str] = set()
    for start in people:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in people and current not in chain:
            chain.append(current)
            current = people[current].manager
        if current is None or current not in chain or current in reported:
            continue
        cycle = chain[chain.index(current) :]
        reported.update(cycle)
        entry = repository.index["Person"][current]
        path = entry.path[:-1] + ("manager",)
        shown = " -> ".join([*cycle, current])
        yield entry.document, path, f"managers form a cycle: {shown}"


def _missing_rates(repository: Repository) -> Iterator[Reference]:
    config = repository.config
    if config is None:
        return
    for document, request in repository.models(PurchaseRequest):
        if config.rate(request.currency) is None:
            message = (
                f"no FX rate for {request.currency} in {CONFIG_FILE} (fx.rates); "
                f"the base currency is {config.organization.base_currency}"
            )
            yield document, ("line_items", 0, "currency"), message

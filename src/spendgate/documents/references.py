"""The references between a repository's documents, and what about them does not hold.

A reference is declared once, on the model field that holds it (`fields.RefersTo`);
`declared_references` reads those declarations, and `broken_references` walks every valid
document by them, yielding each reference that leads nowhere (a vendor, person, request,
assessment or benchmark that is defined neither in the index nor among the documents a partial
load left out). Beside them it checks what is not a reference to a document (a cost centre's
budget, a waiver's rule ids), each cycle of managers, and each request in a currency the FX table
cannot convert, as (document, YAML path, message), with the problem code it is reported under.
They only read the repository; the index turns what they yield into problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from types import UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from pydantic import BaseModel

from spendgate.documents.fields import RefersTo
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import YamlPath
from spendgate.documents.policy import Policy
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.waiver import Waiver

if TYPE_CHECKING:
    from spendgate.documents.repository import Repository

Reference = tuple[LoadedDocument, YamlPath, str]

#: In a path template, any position of a list.
ANY_POSITION = "*"

# How a model class holds references, per field that refers to a document or holds a model that
# may: (attribute, YAML key, declaration or None, nested model class or None, holds a list).
_Plan = tuple[tuple[str, str, RefersTo | None, type[BaseModel] | None, bool], ...]


def broken_references(
    repository: Repository,
) -> Iterator[tuple[LoadedDocument, YamlPath, str, str]]:
    """Every reference of `repository` that does not hold, as (document, path, message, code):
    dangling references, then manager cycles, then missing FX rates."""
    for document, path, message in _dangling_references(repository):
        yield document, path, message, "dangling-reference"
    for document, path, message in _manager_cycles(repository):
        yield document, path, message, "manager-cycle"
    for document, path, message in _missing_rates(repository):
        yield document, path, message, "fx-rate-missing"


def kind_label(kind: str) -> str:
    """How messages name a kind of document: `request`, `AI assessment`, `vendor`."""
    return {"PurchaseRequest": "request", "AIAssessment": "AI assessment"}.get(kind, kind.lower())


@cache
def declared_references(model_class: type[BaseModel]) -> tuple[tuple[YamlPath, RefersTo], ...]:
    """Each reference a model declares, as (YAML path template, declaration), in field order;
    nested models are followed, and `ANY_POSITION` stands for any position of a list."""
    found: list[tuple[YamlPath, RefersTo]] = []
    for _, key, refers_to, nested, many in _plan(model_class):
        prefix: YamlPath = (key, ANY_POSITION) if many else (key,)
        if refers_to is not None:
            found.append((prefix, refers_to))
        elif nested is not None:
            found += [((*prefix, *path), inner) for path, inner in declared_references(nested)]
    return tuple(found)


@cache
def _plan(model_class: type[BaseModel]) -> _Plan:
    plan = []
    for name, field in model_class.model_fields.items():
        refers_to = next((item for item in field.metadata if isinstance(item, RefersTo)), None)
        nested = _model_in(field.annotation)
        if refers_to is not None or (nested is not None and declared_references(nested)):
            key = field.alias or name
            plan.append((name, key, refers_to, nested, _holds_list(field.annotation)))
    return tuple(plan)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class a field holds, directly, in a list or as an option; None if none."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _holds_list(annotation: Any) -> bool:
    """Whether a field holds a list (perhaps optional): its references are per position."""
    origin = get_origin(annotation)
    if origin in (list, tuple):
        return True
    if origin in (Union, UnionType):
        return any(_holds_list(argument) for argument in get_args(annotation))
    return False


def references_in(model: BaseModel) -> Iterator[tuple[YamlPath, RefersTo, str]]:
    """Each reference one model holds, as (YAML path, declaration, id), in field order; an
    absent optional reference is none."""
    for name, key, refers_to, _, _ in _plan(type(model)):
        value = getattr(model, name)
        items = list(enumerate(value)) if isinstance(value, (list, tuple)) else [(None, value)]
        for position, item in items:
            path: YamlPath = (key,) if position is None else (key, position)
            if item is None:
                continue
            if refers_to is not None:
                yield path, refers_to, item
            else:
                yield from (((*path, *inner), r, i) for inner, r, i in references_in(item))


def _missing(repository: Repository, kind: str, identifier: str) -> bool:
    if identifier in repository.index.get(kind, {}):
        return False
    elsewhere = repository.elsewhere
    if elsewhere is None or kind not in elsewhere.kinds:
        return True
    return not elsewhere.paths_defining(kind, identifier)


def _dangling_message(document: LoadedDocument, refers_to: RefersTo, identifier: str) -> str:
    if not refers_to.also:
        return f"{kind_label(refers_to.kind)} {identifier!r} is not defined"
    kinds = " nor ".join(_with_article(kind_label(kind)) for kind in refers_to.kinds)
    return f"{kind_label(document.kind or '')} target {identifier!r} is neither {kinds}"


def _with_article(label: str) -> str:
    return f"an {label}" if label[0].lower() in "aeiou" else f"a {label}"


def _dangling_references(repository: Repository) -> Iterator[Reference]:
    cost_centres = {key.split("/")[0] for key in repository.index.get("Budget", {})}
    rule_ids = {rule.id for _, policy in repository.models(Policy) for rule in policy.spec.rules}
    for document in repository.documents():
        model = document.model
        if model is None:  # pragma: no cover - documents() yields valid documents only
            continue
        for path, refers_to, identifier in references_in(model):
            if all(_missing(repository, kind, identifier) for kind in refers_to.kinds):
                yield document, path, _dangling_message(document, refers_to, identifier)
        yield from _unknown_names(document, cost_centres, rule_ids)


def _unknown_names(
    document: LoadedDocument, cost_centres: set[str], rule_ids: set[str]
) -> Iterator[Reference]:
    """What names something other than a document: a request's cost centre (its budget is keyed
    by centre and year) and a waiver's rules (defined inside policies)."""
    model = document.model
    centre = model.cost_centre if isinstance(model, PurchaseRequest) else None
    if centre is not None and cost_centres and centre not in cost_centres:
        yield document, ("cost_centre",), f"cost centre {centre!r} has no budget"
    if isinstance(model, Waiver) and rule_ids:
        for position, rule in enumerate(model.rules):
            if rule not in rule_ids:
                yield document, ("rules", position), f"rule {rule!r} is not defined by any policy"


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

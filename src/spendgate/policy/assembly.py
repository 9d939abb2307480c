"""What an Engine is assembled from: the organisation's policy program, the ledger of totals,
and the approval desk, each built once per repository."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from spendgate.approvals.authenticity import Notary
from spendgate.approvals.desk import ApprovalDesk
from spendgate.documents.approval import Approval
from spendgate.documents.benchmarks import PriceBenchmarks
from spendgate.documents.budgets import Budgets
from spendgate.documents.config import Config
from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import Locator
from spendgate.documents.people import People
from spendgate.documents.repository import Repository
from spendgate.policy import cel
from spendgate.policy.compile import CompiledPolicy, PolicyBook
from spendgate.policy.ledger import Ledger


def organisation_program(
    book: PolicyBook, config: Config
) -> tuple[tuple[CompiledPolicy, ...], cel.Program | None]:
    """The policies of the organisation's industry, and one program for all their rules.

    The industry never changes within a run, so a request's data crosses into CEL once for all
    of them.
    """
    industry = config.organization.industry
    policies = tuple(
        policy
        for policy in book.policies
        if policy.combined is not None
        and ("any" in policy.scope.industries or industry in policy.scope.industries)
    )
    elements = [rule.combined_element() for policy in policies for rule in policy.listed]
    return policies, (cel.compile_expression(f"[{', '.join(elements)}]") if elements else None)


def ledger(repository: Repository, config: Config) -> Ledger:
    """The figures checks weigh a request against: requests, budgets, benchmarks."""
    requests = {facts.id: facts for facts in repository.request_facts()}
    budgets = {
        (budget.cost_centre, budget.fiscal_year): budget
        for _, model in repository.models(Budgets)
        for budget in model.budgets
    }
    benchmarks = {
        entry.id: (
            config.to_base(entry.median, model.currency) or Decimal(0),
            config.to_base(entry.p75, model.currency) or Decimal(0),
        )
        for _, model in repository.models(PriceBenchmarks)
        for entry in model.entries
    }
    committed = repository.elsewhere.committed(config) if repository.elsewhere else None
    return Ledger(config, requests, budgets, benchmarks=benchmarks, committed=committed)


def desk(
    repository: Repository, config: Config, locator: Locator, notary: Notary, parallel: bool
) -> ApprovalDesk:
    """The approval desk: the repository's approval records and delegations."""
    records: dict[str, list[tuple[LoadedDocument, Approval]]] = defaultdict(list)
    for document, approval in repository.models(Approval):
        records[approval.request].append((document, approval))
    delegations = tuple(
        delegation for _, people in repository.models(People) for delegation in people.delegations
    )
    return ApprovalDesk(config.approvals, locator, records, delegations, notary, parallel)

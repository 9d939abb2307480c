"""The ledger: what judging one request needs from the whole repository, computed once a run.

Totals per request and change-order group, in-year shares, what each cost centre's submitted
requests commit per fiscal year, the shared contexts of vendors, assessments and people, and an
index of each vendor's requests by day (`Nearby`), so that the duplicate and split-purchase checks
look only at the requests within their window instead of every request of the vendor.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from spendgate.documents import in_year
from spendgate.documents.budgets import Budget
from spendgate.documents.config import Config
from spendgate.documents.currencies import format_amount
from spendgate.documents.in_year import fiscal_year
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.request_facts import RequestFacts
from spendgate.policy.context import model_context

T = TypeVar("T")
Request = PurchaseRequest | RequestFacts
"""The request being decided (loaded), or another one (its facts)."""


@dataclass
class Ledger:
    """Totals per request and per cost centre that context building needs from the whole repo.

    It holds the requests as facts (`RequestFacts`), not as loaded documents: what a check of
    one request reads of the others. Budgets are judged in-year (`spendgate.documents.in_year`):
    each request's value is split over the fiscal years it is paid in, and a cost centre's
    commitments are summed per year from those splits. Decision rights are judged on
    change-order groups: a root request and every request that amends it, directly or through
    another change order, withdrawn ones aside.
    """

    config: Config
    requests: dict[str, RequestFacts]
    budgets: dict[tuple[str, int], Budget]
    _committed: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    benchmarks: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    """Benchmark id to its median and upper quartile in base currency."""
    _documents: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _totals: dict[str, Decimal] = field(default_factory=dict)
    _in_year: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    _group_of: dict[str, str] = field(default_factory=dict)
    """Request id to the id that names its change-order group (only requests in a group)."""
    _group_totals: dict[str, Decimal] = field(default_factory=dict)
    committed: dict[tuple[str, int], Decimal] | None = None
    """What submitted requests commit per cost centre and fiscal year (in-year), when
    `requests` is only part of the repository (a pull-request check); otherwise summed from
    `requests`."""
    _nearby: dict[str, Nearby] = field(default_factory=dict)
    _linked: dict[str, set[str]] | None = None
    _memos: dict[Hashable, Any] = field(default_factory=dict)
    _last_budget_years: tuple[Request | None, list[BudgetYear]] = (None, [])

    def __post_init__(self) -> None:
        if self.committed is not None:
            self._committed = dict(self.committed)
        for request in self.requests.values():
            if request.status != "submitted" or self.committed is not None:
                continue
            for year, amount in self.in_year_base(request).items():
                key = (request.cost_centre, year)
                self._committed[key] = self._committed.get(key, Decimal(0)) + amount
        self._group_change_orders()

    def _group_change_orders(self) -> None:
        """Union-find over `amends` links, once: each group is named by one of its members."""
        parent: dict[str, str] = {}

        def find(identifier: str) -> str:
            parent.setdefault(identifier, identifier)
            while parent[identifier] != identifier:
                parent[identifier] = parent[parent[identifier]]
                identifier = parent[identifier]
            return identifier

        for request in self.requests.values():
            if request.amends and request.amends in self.requests:
                parent[find(request.id)] = find(request.amends)
        self._group_of = {identifier: find(identifier) for identifier in parent}
        for identifier, group in self._group_of.items():
            member = self.requests[identifier]
            if member.status != "withdrawn":
                total = self._group_totals.get(group, Decimal(0))
                self._group_totals[group] = total + self.total_base(member)

    def shared(self, kind: str, model: BaseModel | None) -> dict[str, Any]:
        """The context of a vendor, assessment or person, built once for all its requests.

        Nothing downstream mutates these dicts; only the request's own context is changed.
        """
        if model is None:
            return {}
        key = (kind, str(getattr(model, "id", "")))
        if key not in self._documents:
            self._documents[key] = model_context(model)
        return self._documents[key]

    def nearby(self, name: str, key: Callable[[Request], Hashable]) -> Nearby:
        """The run's index of the requests not withdrawn, by `key` and day, built on first use
        under `name`."""
        if name not in self._nearby:
            live = (r for r in self.requests.values() if r.status != "withdrawn")
            self._nearby[name] = Nearby(live, key)
        return self._nearby[name]

    def memoized(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` gives, computed once a run under `key` (which must say all it depends
        on): what many requests share, such as the requests around a day, is worked out once."""
        if key not in self._memos:
            self._memos[key] = compute()
        found: T = self._memos[key]
        return found

    def linked_ids(self, request: Request) -> frozenset[str]:
        """The ids of the requests one purchase with `request`: what it amends or renews, and
        what amends or renews it (built for all requests on first use)."""
        if self._linked is None:
            self._linked = {}
            for other in self.requests.values():
                for target in (other.amends, other.renews):
                    if target:
                        self._linked.setdefault(target, set()).add(other.id)
        own = {target for target in (request.amends, request.renews) if target}
        return frozenset(own | self._linked.get(request.id, set()))

    def fiscal_year_of(self, request: Request) -> int:
        """The fiscal year the contract starts in: the first its value falls in."""
        return fiscal_year(request.start, self.config.organization.fiscal_year_start)

    def total_base(self, request: Request) -> Decimal:
        """The request's total in base currency, computed once per request and run."""
        total = self._totals.get(request.id)
        if total is None:
            found = self.config.to_base(request.total, request.currency) or Decimal(0)
            total = self._totals[request.id] = found
        return total

    def shown_total_base(self, request: Request) -> str:
        """The total in base currency as a decision shows it: with exactly the base currency's
        decimal places (JPY 1200, EUR 1200.00, KWD 1200.000)."""
        return format_amount(self.total_base(request), self.config.organization.base_currency)

    def in_year_base(self, request: Request) -> dict[int, Decimal]:
        """The request's value per fiscal year in base currency, first year first."""
        years = self._in_year.get(request.id)
        if years is None:
            years = self._in_year[request.id] = in_year.in_year_base(
                RequestFacts.of(request).parts,
                start=request.start,
                currency=request.currency,
                config=self.config,
                first_year=self.fiscal_year_of(request),
            )
        return years

    def cumulative_total_base(self, request: Request) -> Decimal:
        """A change order counts with its whole group (decision rights are cumulative): the
        root request and every request amending it, directly or through another change
        order, withdrawn ones aside. Every member of a group has the group's total."""
        group = self._group_of.get(request.id)
        if group is None:
            return self.total_base(request)
        return self._group_totals.get(group, Decimal(0))

    def committed_elsewhere(self, request: Request, year: int) -> Decimal:
        """What the cost centre's other submitted requests commit in fiscal year `year`."""
        committed = self._committed.get((request.cost_centre, year), Decimal(0))
        if request.status == "submitted":
            committed -= self.in_year_base(request).get(year, Decimal(0))
        return committed

    def budget_years(self, request: Request) -> list[BudgetYear]:
        """For each fiscal year the request is paid in: its share, and the cost centre's budget
        and what others commit in it (None without a budget).

        The context, the budget and the budget check all ask while one request is decided, so
        the last request's answer is kept (only the last: a run's worth would cost memory).
        """
        last, years = self._last_budget_years
        if last is not request:
            years = self._budget_years(request)
            self._last_budget_years = (request, years)
        return years

    def _budget_years(self, request: Request) -> list[BudgetYear]:
        found = []
        for year, amount in self.in_year_base(request).items():
            budget = self.budgets.get((request.cost_centre, year))
            budget_base = (
                None
                if budget is None
                else self.config.to_base(budget.amount, budget.currency) or Decimal(0)
            )
            committed = self.committed_elsewhere(request, year)
            found.append(BudgetYear(year, amount, budget, budget_base, committed))
        return found


@dataclass(frozen=True)
class BudgetYear:
    """One fiscal year of a request against its cost centre's budget, in base currency."""

    fiscal_year: int
    in_year: Decimal
    """The request's share of that year."""
    budget: Budget | None
    amount: Decimal | None
    """The budget's amount, None without a budget."""
    committed: Decimal
    """What the cost centre's other submitted requests commit in that year."""

    @property
    def remaining(self) -> Decimal | None:
        """What the budget has left for this request; None without a budget."""
        return None if self.amount is None else self.amount - self.committed

    @property
    def over(self) -> bool:
        """Whether the request's share of the year exceeds what is left."""
        remaining = self.remaining
        return remaining is not None and self.in_year > remaining


class Nearby:
    """Requests grouped by a key of the caller's (vendor and requester, say), each group in
    order of submission, so that those within some days of a date are found by bisection."""

    def __init__(
        self, requests: Iterable[RequestFacts], key: Callable[[Request], Hashable]
    ) -> None:
        groups: dict[Hashable, list[RequestFacts]] = {}
        for request in requests:
            groups.setdefault(key(request), []).append(request)
        self._key = key
        self._groups: dict[Hashable, tuple[list[int], list[RequestFacts]]] = {}
        for name, members in groups.items():
            members.sort(key=lambda member: (member.submitted, member.id))
            self._groups[name] = ([m.submitted.toordinal() for m in members], members)

    def span(self, request: Request, days: int) -> tuple[Hashable, int, int]:
        """Where the requests within `days` of `request` lie: its group's key and the slice of
        the group. Two requests with the same span have the same requests around them."""
        name = self._key(request)
        found = self._groups.get(name)
        if found is None:
            return name, 0, 0
        ordinals, _ = found
        day = request.submitted.toordinal()
        return name, bisect_left(ordinals, day - days), bisect_right(ordinals, day + days)

    def around(self, request: Request, days: int) -> list[RequestFacts]:
        """The requests of `request`'s group submitted within `days` of it (itself included),
        in order of submission."""
        return self.members(self.span(request, days))

    def members(self, span: tuple[Hashable, int, int]) -> list[RequestFacts]:
        """The requests of a span, in order of submission."""
        name, start, end = span
        found = self._groups.get(name)
        return found[1][start:end] if found is not None else []

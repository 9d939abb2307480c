"""Time to procure and approvals waiting: how long buying takes, and where it waits.

A request is proposed when its file is first committed, and each approval step is filled when
the approval record that fills it is (last) committed. A stage opens when the request is
proposed or, with sequential stages, when the last approval of the stages before it is given;
a step waits from its stage's opening. When git cannot tell (outside git, or a file not
committed yet), the documents' own dates are used for that request: `submitted` and each
approval's `date`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.history import History
from spendgate.analytics.stats import Distribution, distribution, median
from spendgate.decisions import Decision, RouteStep
from spendgate.documents.purchase_request import PurchaseRequest

SECONDS_A_DAY = 86400

#: Statuses of requests whose filled steps count in the waiting time per role: every request
#: that loads (the approvals given before a block or a rejection still waited for their role).
DECIDED = ("approved", "pending", "blocked", "rejected")

#: Age buckets of waiting approvals, in whole days (inclusive bounds; None: no upper bound).
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, 90), (91, None))


@dataclass(frozen=True)
class Timeline:
    """When a request was proposed and when each filled step of its route was approved."""

    proposed: datetime
    approved: dict[int, datetime]
    """By the step's index in the route."""
    source: str
    """`git` or `documents`."""


@dataclass(frozen=True)
class ProcureTime:
    """One approved request: proposed, approved, and the days in between."""

    request: str
    """The request's id."""
    category: str
    """The category of its largest line item (the first of equal ones)."""
    proposed: datetime
    """When it was proposed (ISO date and time): its first commit, or its submission date."""
    approved: datetime
    """When its last step was approved (ISO date and time)."""
    days: float
    """The days from proposed to approved."""
    source: str
    """Where the dates come from: `git` (commits) or `documents` (the documents' own dates)."""


@dataclass(frozen=True)
class TimeToProcure:
    """How long requests took to approve: overall, by category and by role."""

    requests: tuple[ProcureTime, ...]
    """Every request approved in the period, with its dates."""
    overall: Distribution
    """The days to approval over every approved request."""
    by_category: tuple[Distribution, ...]
    """The days to approval by line-item category."""
    by_role: tuple[Distribution, ...]
    """Days each role's filled steps waited, from the opening of their stage to the approval,
    over every request of the period that loads (approved, pending, blocked or rejected)."""
    from_git: int
    """How many requests were dated by their git history."""
    from_documents: int
    """How many requests were dated by their documents' own dates."""


@dataclass(frozen=True)
class WaitingStep:
    """A step of a pending request that can be approved now and is not."""

    request: str
    """The pending request's id."""
    role: str
    """The role whose approval is waited for."""
    eligible: tuple[str, ...]
    """The ids of the people who may give it."""
    since: date
    """The day the step became open (ISO date, YYYY-MM-DD)."""
    age_days: int
    """The days it has waited, to the report date."""


@dataclass(frozen=True)
class RoleBacklog:
    """The approvals one role has waiting, and how long they have waited."""

    role: str
    """The role."""
    count: int
    """How many of its approvals are waiting."""
    oldest_days: int
    """The days the oldest has waited."""
    median_days: float | None
    """The median of the days they have waited; null when none waits."""
    buckets: tuple[int, ...]
    """How many wait 0-7, 8-30, 31-90 and more than 90 days (AGE_BUCKETS)."""


@dataclass(frozen=True)
class ApprovalsWaiting:
    """The approvals still waiting: pending requests, each step, each role."""

    pending_requests: int
    """How many requests are pending."""
    steps: tuple[WaitingStep, ...]
    """Every step that can be approved now and is not, oldest first."""
    by_role: tuple[RoleBacklog, ...]
    """The waiting approvals by role."""


def main_category(request: PurchaseRequest) -> str:
    """The category of the request's largest line (the first of equal ones)."""
    return max(request.line_items, key=lambda item: item.total).category


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _days(start: datetime, end: datetime) -> float:
    return round(max((end - start).total_seconds(), 0) / SECONDS_A_DAY, 2)


def _record_files(evaluated: Evaluated, request: str, step: RouteStep) -> list[str]:
    """The approval records that can have filled `step` of `request`."""
    return [
        file
        for file, record in evaluated.approvals.get(request, [])
        if record.approver == step.approved_by
        and record.role in step.roles
        and record.decision == "approve"
    ]


def timeline(evaluated: Evaluated, history: History, decision: Decision) -> Timeline:
    """The request's timeline from git when git knows every file of it, else from documents."""
    request = evaluated.requests[decision.request_id]
    proposed = history.first.get(evaluated.request_files[request.id])
    approved: dict[int, datetime] = {}
    for index, step in enumerate(decision.route):
        if not step.satisfied:
            continue
        times = [
            history.last[f] for f in _record_files(evaluated, request.id, step) if f in history.last
        ]
        if not times:
            proposed = None
            break
        approved[index] = max(times)
    if proposed is not None:
        return Timeline(proposed, approved, "git")
    return Timeline(
        _at_midnight(request.submitted),
        {
            index: _at_midnight(step.approved_on)
            for index, step in enumerate(decision.route)
            if step.satisfied and step.approved_on is not None
        },
        "documents",
    )


def stage_opening(
    route: tuple[RouteStep, ...], line: Timeline, stage: int, *, parallel: bool
) -> datetime:
    """When a stage could start approving: at proposal, or once every earlier stage approved."""
    if parallel:
        return line.proposed
    earlier = [moment for i, moment in line.approved.items() if route[i].stage < stage]
    return max([line.proposed, *earlier])


def _role_name(step: RouteStep) -> str:
    return " + ".join(step.roles)


def time_to_procure(evaluated: Evaluated, history: History, *, since: date | None) -> TimeToProcure:
    """Approved requests submitted on or after `since`: days from proposal to approval; and
    the days each filled step of any request in the period waited for its role."""
    times: list[ProcureTime] = []
    waits: dict[str, list[float]] = defaultdict(list)
    for decision in _decisions(evaluated, DECIDED, since):
        line = timeline(evaluated, history, decision)
        for index, moment in line.approved.items():
            step = decision.route[index]
            opened = stage_opening(decision.route, line, step.stage, parallel=evaluated.parallel)
            waits[_role_name(step)].append(_days(opened, moment))
        if decision.status == "approved":
            times.append(_procure_time(evaluated.requests[decision.request_id], line))
    return _summarise(times, waits)


def _procure_time(request: PurchaseRequest, line: Timeline) -> ProcureTime:
    done = max([line.proposed, *line.approved.values()])
    return ProcureTime(
        request.id,
        main_category(request),
        line.proposed,
        done,
        _days(line.proposed, done),
        line.source,
    )


def _summarise(times: list[ProcureTime], waits: dict[str, list[float]]) -> TimeToProcure:
    by_category: dict[str, list[float]] = defaultdict(list)
    for item in times:
        by_category[item.category].append(item.days)
    return TimeToProcure(
        requests=tuple(sorted(times, key=lambda item: (-item.days, item.request))),
        overall=distribution("all", [item.days for item in times]),
        by_category=_distributions(by_category),
        by_role=_distributions(waits),
        from_git=sum(1 for item in times if item.source == "git"),
        from_documents=sum(1 for item in times if item.source == "documents"),
    )


def _distributions(groups: dict[str, list[float]]) -> tuple[Distribution, ...]:
    found = [distribution(name, values) for name, values in groups.items()]
    return tuple(sorted(found, key=lambda d: (-(d.median_days or 0), d.name)))


def _decisions(
    evaluated: Evaluated, statuses: tuple[str, ...], since: date | None
) -> list[Decision]:
    return [
        decision
        for identifier, decision in sorted(evaluated.decisions.items())
        if decision.status in statuses
        and (since is None or evaluated.requests[identifier].submitted >= since)
    ]


def waiting_steps(route: tuple[RouteStep, ...], *, parallel: bool) -> list[int]:
    """The indexes of the open steps that can be approved now: with sequential stages, those
    of the earliest stage that still has open steps."""
    open_steps = [i for i, step in enumerate(route) if not step.satisfied and not step.rejected]
    if parallel or not open_steps:
        return open_steps
    first = min(route[i].stage for i in open_steps)
    return [i for i in open_steps if route[i].stage == first]


def approvals_waiting(evaluated: Evaluated, history: History, *, as_of: date) -> ApprovalsWaiting:
    """Every pending request's steps that wait now, and how long, by role. A rejected request
    waits for nobody: only a changed request (which voids the rejection) asks them again."""
    pending = _decisions(evaluated, ("pending",), None)
    steps: list[WaitingStep] = []
    for decision in pending:
        line = timeline(evaluated, history, decision)
        for index in waiting_steps(decision.route, parallel=evaluated.parallel):
            step = decision.route[index]
            opened = stage_opening(decision.route, line, step.stage, parallel=evaluated.parallel)
            since = opened.date()
            age = max((as_of - since).days, 0)
            steps.append(
                WaitingStep(decision.request_id, _role_name(step), step.eligible, since, age)
            )
    steps.sort(key=lambda step: (-step.age_days, step.request, step.role))
    return ApprovalsWaiting(len(pending), tuple(steps), _backlogs(steps))


def _bucket_counts(ages: list[int]) -> tuple[int, ...]:
    return tuple(
        sum(1 for age in ages if low <= age and (high is None or age <= high))
        for low, high in AGE_BUCKETS
    )


def _backlogs(steps: list[WaitingStep]) -> tuple[RoleBacklog, ...]:
    ages: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        ages[step.role].append(step.age_days)
    backlogs = [
        RoleBacklog(role, len(found), max(found), median(found), _bucket_counts(found))
        for role, found in ages.items()
    ]
    return tuple(sorted(backlogs, key=lambda backlog: (-backlog.count, backlog.role)))

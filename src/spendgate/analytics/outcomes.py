"""Policy outcomes: what the rules found, month by month, and the waivers that lift findings.

Findings are counted per rule over the requests submitted in each month (on or after
`--since`), as the engine decides them on the report date; requests that do not load are
counted by status only. A waiver is in force from its grant date to its expiry (inclusive), and
expiring when it lapses within 30 days.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from spendgate.analytics.cloud import month_of
from spendgate.analytics.evaluate import Evaluated
from spendgate.analytics.stats import Count
from spendgate.decisions import STATUSES, Decision, Finding

EXPIRING_DAYS = 30


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule found over the period: totals, blocking, waived, per month."""

    rule: str
    """The rule's id."""
    title: str
    """The rule's title."""
    enforcement: str
    """`advisory`, `soft` or `hard`."""
    total: int
    """How many findings the rule raised over the period."""
    blocking: int
    """How many of them blocked their request."""
    waived: int
    """How many of them a waiver lifted."""
    by_month: tuple[int, ...]
    """Findings per month, aligned with PolicyOutcomes.months."""


@dataclass(frozen=True)
class WaiverInForce:
    """A waiver in force on the report date, and the days it has left."""

    waiver: str
    """The waiver's id."""
    rules: tuple[str, ...]
    """The ids of the rules it waives."""
    applies_to: tuple[str, ...]
    """The ids of the requests or vendors it covers."""
    granted: date
    """The day it was granted (ISO date, YYYY-MM-DD)."""
    expires: date
    """The last day it counts, inclusive (ISO date, YYYY-MM-DD)."""
    days_left: int
    """The days from the report date to its expiry."""


@dataclass(frozen=True)
class PolicyOutcomes:
    """The policy outcomes: requests by status, findings by rule, waivers."""

    requests: int
    """How many requests were decided."""
    statuses: tuple[Count, ...]
    """How many requests have each status."""
    months: tuple[str, ...]
    """The months of the period (YYYY-MM), oldest first."""
    rules: tuple[RuleOutcome, ...]
    """Most findings first."""
    waivers: tuple[WaiverInForce, ...]
    """The waivers in force on the report date, soonest to expire first."""
    expiring: int
    """Waivers in force that lapse within EXPIRING_DAYS."""


def _in_period(evaluated: Evaluated, since: date | None) -> list[Decision]:
    return [
        decision
        for identifier, decision in sorted(evaluated.decisions.items())
        if since is None or evaluated.requests[identifier].submitted >= since
    ]


def _rules(evaluated: Evaluated, decisions: list[Decision], months: list[str]) -> list[RuleOutcome]:
    found: dict[str, list[tuple[str, Finding]]] = defaultdict(list)
    for decision in decisions:
        if decision.status == "invalid":
            continue
        month = month_of(evaluated.requests[decision.request_id].submitted)
        for finding in decision.findings:
            found[finding.rule_id].append((month, finding))
    outcomes = [_rule(rule, items, months) for rule, items in found.items()]
    return sorted(outcomes, key=lambda outcome: (-outcome.total, outcome.rule))


def _rule(rule: str, items: list[tuple[str, Finding]], months: list[str]) -> RuleOutcome:
    per_month = Counter(month for month, _ in items)
    first = items[0][1]
    return RuleOutcome(
        rule=rule,
        title=first.title,
        enforcement=first.enforcement,
        total=len(items),
        blocking=sum(1 for _, finding in items if finding.blocking),
        waived=sum(1 for _, finding in items if finding.waiver),
        by_month=tuple(per_month[month] for month in months),
    )


def _waivers(evaluated: Evaluated, as_of: date) -> list[WaiverInForce]:
    found = [
        WaiverInForce(
            waiver.id,
            tuple(waiver.rules),
            tuple(waiver.applies_to),
            waiver.granted,
            waiver.expires,
            (waiver.expires - as_of).days,
        )
        for waiver in evaluated.waivers
        if waiver.granted <= as_of <= waiver.expires
    ]
    return sorted(found, key=lambda waiver: (waiver.expires, waiver.waiver))


def policy_outcomes(evaluated: Evaluated, *, as_of: date, since: date | None) -> PolicyOutcomes:
    """The policy outcomes of the requests submitted since `since`, on `as_of`."""
    decisions = _in_period(evaluated, since)
    months = sorted({month_of(evaluated.requests[d.request_id].submitted) for d in decisions})
    statuses: Counter[str] = Counter(decision.status for decision in decisions)
    waivers = _waivers(evaluated, as_of)
    return PolicyOutcomes(
        requests=len(decisions),
        statuses=tuple(Count(status, statuses[status]) for status in STATUSES),
        months=tuple(months),
        rules=tuple(_rules(evaluated, decisions, months)),
        waivers=tuple(waivers),
        expiring=sum(1 for waiver in waivers if waiver.days_left <= EXPIRING_DAYS),
    )

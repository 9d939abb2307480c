"""The few statistics the figures use, defined once so that the page can state them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle values for an even count); None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round(float(ordered[middle]), 2)
    return round((ordered[middle - 1] + ordered[middle]) / 2, 2)


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value that at least 90% of the values
    do not exceed (always one of the values); None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    return round(float(ordered[math.ceil(0.9 * len(ordered)) - 1]), 2)


def ratio(part: Decimal, whole: Decimal) -> float | None:
    """part ÷ whole, to four decimals; None when the whole is zero (no figure, not 0%)."""
    if not whole:
        return None
    return float((part / whole).quantize(Decimal("0.0001")))


@dataclass(frozen=True)
class Count:
    """How many of something there are, by name."""

    name: str
    """What is counted, e.g. a status or a tier."""
    count: int
    """How many there are."""


@dataclass(frozen=True)
class Share:
    """A part of a whole, by some name (a department, a category, a vendor)."""

    name: str
    """The part's name: a department, a category or a vendor."""
    part: Decimal
    """The part, in the base currency (a decimal string)."""
    whole: Decimal
    """The whole, in the base currency (a decimal string)."""
    ratio: float | None
    """Part ÷ whole, from 0 to 1; null when the whole is 0."""


def shares(totals: dict[str, tuple[Decimal, Decimal]]) -> tuple[Share, ...]:
    """One Share per name, largest whole first (then by name)."""
    ordered = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))
    return tuple(Share(name, part, whole, ratio(part, whole)) for name, (part, whole) in ordered)


@dataclass(frozen=True)
class Distribution:
    """Durations (in days) of one group: how many, their median and 90th percentile."""

    name: str
    """The group's name: a category, a role, or `all`."""
    count: int
    """How many durations the group holds."""
    median_days: float | None
    """Their median, in days; null when there are none."""
    p90_days: float | None
    """Their 90th percentile, in days; null when there are none."""


def distribution(name: str, days: Sequence[float]) -> Distribution:
    """The Distribution of `days` under `name`."""
    return Distribution(name, len(days), median(days), p90(days))

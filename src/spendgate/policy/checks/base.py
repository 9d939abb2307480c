"""What a built-in check receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.vendor import Vendor
from spendgate.policy.ledger import Ledger


@dataclass(frozen=True)
class Subject:
    """The request under evaluation and everything a cross-document check may consult."""

    request: PurchaseRequest
    vendor: Vendor | None
    context: dict[str, Any]
    repository: Repository
    ledger: Ledger
    today: date


@dataclass(frozen=True)
class Failure:
    """One way the check failed: a message, the request field it concerns, what it saw."""

    message: str
    path: tuple[str | int, ...] = ()
    evidence: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class BuiltinCheck:
    """A named check: its typed parameters, its function, its documentation."""

    name: str
    params: type[BaseModel]
    run: Callable[[Subject, Any], Iterator[Failure]]
    doc: str


#: How many other requests a cross-request finding names before it counts the rest: a finding
#: stays one line however many requests fall in its window.
NAMED = 5


def named(identifiers: list[str], count: int | None = None) -> str:
    """`identifiers` joined for a message: the first `NAMED`, then how many more of `count`
    (all of `identifiers` by default; a caller that only counts the rest passes the total)."""
    total = len(identifiers) if count is None else count
    shown = ", ".join(identifiers[:NAMED])
    return shown if total <= NAMED else f"{shown} and {total - NAMED} more"
